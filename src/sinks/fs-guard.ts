// Guards of the filesystem sink against a tampered output tree: a symlink placed inside --out
// (`out/2026 -> /etc`, a conversation folder linked elsewhere) would send files outside it. Every
// folder between the export root and a target is checked with lstat before anything is written
// there; a symlink is refused as UNSAFE_NAME (the root itself may be a symlink: that is the user's
// choice of --out). Also the modes outputs are created with (0600 files, 0700 folders by default).
import { lstat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { GtError } from '../errors.ts';

export const DEFAULT_FILE_MODE = 0o600;
export const DEFAULT_DIR_MODE = 0o700;

/** Throws UNSAFE_NAME when a folder from `root` (exclusive) down to `dir` (inclusive) is a symlink. */
export async function assertNoSymlinks(root: string, dir: string): Promise<void> {
  const rel = relative(root, dir);
  if (rel === '') return;
  if (rel.startsWith('..') || rel.startsWith(sep))
    throw new GtError('UNSAFE_NAME', 'a delivery folder outside the export root');
  let path = root;
  for (const segment of rel.split(sep)) {
    path = join(path, segment);
    let isLink: boolean;
    try {
      isLink = (await lstat(path)).isSymbolicLink();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // created below, by us
      throw err;
    }
    if (isLink)
      throw new GtError(
        'UNSAFE_NAME',
        `refusing to write through a symlink inside the export folder: ${relative(root, path)} (it could send files outside --out)`,
        { path: relative(root, path) },
      );
  }
}
