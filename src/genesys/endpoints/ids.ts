// IDs go into URL paths, so they are never trusted: a Genesys ID is a UUID, and anything outside
// letters, digits and dashes (a slash, `..`, `?`) is refused before a request is built.
import { GtError } from '../../errors.ts';

const ID = /^[A-Za-z0-9-]{1,64}$/;

export function isValidId(id: unknown): id is string {
  return typeof id === 'string' && ID.test(id);
}

/** Validates an ID and returns it URL-encoded for a path segment. Throws USAGE otherwise. */
export function pathId(id: unknown, what: string): string {
  if (!isValidId(id)) {
    const shown = typeof id === 'string' ? JSON.stringify(id.slice(0, 80)) : typeof id;
    throw new GtError('USAGE', `invalid ${what} ${shown}: expected letters, digits and dashes (a UUID)`, {
      what,
    });
  }
  return encodeURIComponent(id);
}
