// File names derived from API data (conversation IDs, recording IDs, participant names) are
// never trusted as paths. safeName turns any string into one portable path segment:
// - deterministic, so a re-run finds the files an earlier run wrote;
// - injective in practice: whenever a character had to be changed or the name cut, a short hash
//   of the ORIGINAL is appended, so two different inputs never collide on the same name;
// - safe on Linux, macOS and Windows (no separators, no '..', no control characters, no reserved
//   device names, no trailing dot/space, bounded length);
// - idempotent: a safe name (and a safe name with a prefix or an extension added, like
//   `transcript-<safe>.json`) comes back unchanged, so a sink that passes names through safeName
//   again writes the file under the name the manifest lists.
import { createHash } from 'node:crypto';

/** A name that had to be changed or cut is at most this long, hash included. */
const MAX_LENGTH = 120;
/** A name with nothing to change is kept up to this length (names composed from safe names). */
const MAX_KEPT = 200;
const HASH_SUFFIX = 13; // '~' + 12 hex
const ALLOWED = /[A-Za-z0-9._~-]/;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;

export function safeName(untrusted: string): string {
  let cleaned = '';
  for (const ch of untrusted) cleaned += ALLOWED.test(ch) ? ch : '_';
  // Leading dots would make hidden files or '.'/'..'; trailing dots/spaces are stripped by Windows.
  cleaned = cleaned.replace(/^\.+/, '_').replace(/[. ]+$/, '_');
  // Windows treats 'NUL', 'nul.txt', 'COM1.wav' … as devices whatever the extension: prefix them.
  if (WINDOWS_RESERVED.test(cleaned)) cleaned = `_${cleaned}`;
  const changed = cleaned !== untrusted || cleaned.length === 0 || cleaned.length > MAX_KEPT;
  if (!changed) return cleaned;
  // Cut so that the hash still fits in MAX_LENGTH.
  if (cleaned.length > MAX_LENGTH - HASH_SUFFIX) cleaned = cleaned.slice(0, MAX_LENGTH - HASH_SUFFIX);
  const hash = createHash('sha256').update(untrusted, 'utf8').digest('hex').slice(0, 12);
  return `${cleaned || 'x'}~${hash}`;
}

/** True when `name` is already a safe segment, i.e. an ID that can be used as-is. */
export function isSafeName(name: string): boolean {
  return safeName(name) === name;
}
