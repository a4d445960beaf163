// File names derived from API data (conversation IDs, recording IDs, participant names) are
// never trusted as paths. safeName turns any string into one portable path segment:
// - deterministic, so a re-run finds the files an earlier run wrote;
// - injective in practice: whenever a character had to be changed or the name cut, a short hash
//   of the ORIGINAL is appended, so two different inputs never collide on the same name;
// - safe on Linux, macOS and Windows (no separators, no '..', no control characters, no reserved
//   device names, no trailing dot/space, bounded length).
import { createHash } from 'node:crypto';

const MAX_LENGTH = 120;
const ALLOWED = /[A-Za-z0-9._-]/;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;

export function safeName(untrusted: string): string {
  let cleaned = '';
  for (const ch of untrusted) cleaned += ALLOWED.test(ch) ? ch : '_';
  // Leading dots would make hidden files or '.'/'..'; trailing dots/spaces are stripped by Windows.
  cleaned = cleaned.replace(/^\.+/, '_').replace(/[. ]+$/, '_');
  // Windows treats 'NUL', 'nul.txt', 'COM1.wav' … as devices whatever the extension: prefix them.
  if (WINDOWS_RESERVED.test(cleaned)) cleaned = `_${cleaned}`;
  let changed = cleaned !== untrusted || cleaned.length === 0;
  if (cleaned.length > MAX_LENGTH) {
    cleaned = cleaned.slice(0, MAX_LENGTH);
    changed = true;
  }
  if (!changed) return cleaned;
  const hash = createHash('sha256').update(untrusted, 'utf8').digest('hex').slice(0, 12);
  return `${cleaned || 'x'}~${hash}`;
}

/** True when `name` is already a safe segment, i.e. an ID that can be used as-is. */
export function isSafeName(name: string): boolean {
  return safeName(name) === name;
}
