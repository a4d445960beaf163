// The destination that holds its own state. By default the state lives in
// `<out>/.genesys-transcripts`, so the folder and what it records about itself travel together:
// the checkpoint names that folder's sinks (its files, its review pages) relative to itself,
// `fs:.` and `review:.`, and goes by each receipt's `path`, relative to the folder. A moved folder (`mv export
// export2`) is then the same destination (nothing exported again, `--since last` goes on), and a
// copy checks against its own files.
//
// Checkpoints written before keyed those sinks by the folder's absolute path. `adoptHome` renames
// them once, when an export opens the state; `homeDeliveries` reads either form without writing
// (for `verify`).
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { CheckpointStore, DeliveryRecord } from './checkpoint.ts';
import { defaultStateDir } from './state.ts';

export const HOME_FS_SINK = 'fs:.';
export const HOME_REVIEW_SINK = 'review:.';
/** The absolute roots the home sinks had in older checkpoints (for --since last's destination key). */
const LEGACY_ROOTS = 'home.legacyRoots';
/** Set once an export opened the state with home keys: nothing older is left to adopt. */
const ADOPTED = 'home.adopted';

/** The state folder is the default one inside the export folder: the folder is its own destination. */
export function isHomeState(outDir: string, stateDir: string): boolean {
  return resolve(stateDir) === resolve(defaultStateDir(outDir));
}

/**
 * The absolute root under which an older checkpoint recorded this folder's deliveries, if any:
 * the current root when it is there (not moved), else the one absolute `fs:` root, or the one that
 * also has review pages (the home always had them unless --no-review). Undefined when the
 * checkpoint already uses the home keys, or when it cannot be told apart from another fs sink.
 */
export function legacyHomeRoot(store: CheckpointStore, root: string): string | undefined {
  // Adopted already: an absolute fs sink left is another destination (`--sink fs:…`), even when
  // every delivery of the folder itself was forgotten (all its conversation folders deleted).
  if (store.meta(ADOPTED) === true) return undefined;
  const names = store.sinkNames();
  if (names.includes(HOME_FS_SINK)) return undefined;
  const roots = names.filter((n) => n.startsWith('fs:') && isAbsolute(n.slice(3))).map((n) => n.slice(3));
  if (roots.includes(root)) return root;
  if (roots.length === 1) return roots[0];
  const reviewed = roots.filter((r) => names.includes(`review:${r}`));
  return reviewed.length === 1 ? reviewed[0] : undefined;
}

/** The path of a receipt relative to its folder: its own, or (older receipts) its absolute
 * location made relative to `from`, the root it was recorded under. */
function pathOf(receipt: unknown, from: string): string | undefined {
  const r = receipt as { location?: unknown; path?: unknown } | null;
  if (typeof r?.path === 'string') return r.path;
  const location = r?.location;
  if (typeof location !== 'string' || !isAbsolute(location)) return undefined;
  if (location !== from && !location.startsWith(from + sep)) return undefined;
  return relative(from, location);
}

function withPath(receipt: unknown, from: string): unknown {
  const path = pathOf(receipt, from);
  return path === undefined ? receipt : { ...(receipt as object), path };
}

/** Renames an older checkpoint's absolute keys of this folder to the home keys (once). */
export function adoptHome(store: CheckpointStore, root: string): void {
  if (store.meta(ADOPTED) === true) return;
  const old = legacyHomeRoot(store, root);
  if (old !== undefined) {
    store.renameSink(`fs:${old}`, HOME_FS_SINK, (r) => withPath(r, old));
    store.renameSink(`review:${old}`, HOME_REVIEW_SINK, (r) => withPath(r, old));
    store.setMeta(LEGACY_ROOTS, [old]);
  }
  store.setMeta(ADOPTED, true);
}

/** Sink names as an older checkpoint would have recorded them for each root the folder had. */
export function legacyNameSets(store: CheckpointStore, names: readonly string[]): string[][] {
  const roots = (store.meta(LEGACY_ROOTS) as string[] | undefined) ?? [];
  if (!names.includes(HOME_FS_SINK)) return [];
  return roots.map((r) =>
    names.map((n) => (n === HOME_FS_SINK ? `fs:${r}` : n === HOME_REVIEW_SINK ? `review:${r}` : n)),
  );
}

/**
 * What the checkpoint records as delivered to the folder `root` (its files), with each location
 * made absolute: the home key when the state is the folder's own, an older checkpoint's absolute
 * key rebased onto `root` (the folder may have moved), or, for state kept elsewhere, `fs:<root>`.
 */
export function* folderDeliveries(
  store: CheckpointStore,
  root: string,
  home: boolean,
): IterableIterator<{ conversationId: string; location?: string } & DeliveryRecord> {
  const legacy = home ? legacyHomeRoot(store, root) : undefined;
  const key = !home ? `fs:${root}` : legacy !== undefined ? `fs:${legacy}` : HOME_FS_SINK;
  for (const d of store.deliveredTo(key)) {
    const path = pathOf(d.receipt, legacy ?? root);
    yield path === undefined ? d : { ...d, location: resolve(root, path) };
  }
}
