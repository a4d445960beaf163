// Filesystem sink: root/YYYY/MM/DD/<safe conversation id>/<files>.
// Atomic per file (write or copy to a temp name in the target folder, fsync, rename, fsync the
// folder) and per conversation: manifest.json is written LAST, so a folder with a manifest is
// complete and a folder without one is an interrupted delivery that the next run redoes.
// Idempotent: a small `.delivery.json` (deliveryId + name/size/sha256 of every file but the
// manifest, no timestamps) is written just before the manifest; re-delivering the same deliveryId
// with the same content is a no-op.
import { randomBytes } from 'node:crypto';
import { copyFile, link, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { GtError } from '../errors.ts';
import { conversationSegments, fileSegments, MANIFEST_NAME } from './layout.ts';
import type { BundleFile, ConversationBundle, DeliveryReceipt, Sink } from './types.ts';
import { assertNoSymlinks, DEFAULT_DIR_MODE, DEFAULT_FILE_MODE } from './fs-guard.ts';
import {
  damagedFiles,
  folderHolds,
  manifestMatches,
  MARKER_NAME,
  readMarker,
  type DeliveryMarker,
} from './fs-check.ts';

export interface FsSinkOptions {
  root: string;
  /** Mode of delivered files (default 0600: transcripts and audio are personal data). */
  fileMode?: number;
  /** Mode of the folders created (default 0700). */
  dirMode?: number;
  /**
   * The sink's name, its key in the checkpoint (default `fs:<absolute root>`). The export's own
   * folder is `fs:.`: named relative to the state inside it, so a moved folder stays the same
   * destination.
   */
  name?: string;
}

/** How files and folders are created: the modes, and no writing through a symlink in the tree. */
interface Placement {
  root: string;
  fileMode: number;
  dirMode: number;
}

/**
 * Creates `dir` (and its parents under `checked`) with the folder mode, refusing symlinks on the
 * way. `checked` is the conversation folder, which deliver() checked from the root just before: the
 * walk starts below it instead of looking at the date folders a second time.
 */
async function makeDir(p: Placement, checked: string, dir: string): Promise<void> {
  await assertNoSymlinks(checked, dir);
  await mkdir(dir, { recursive: true, mode: p.dirMode });
}

function markerFor(bundle: ConversationBundle): DeliveryMarker {
  const files = bundle.files
    .filter((f) => f.name !== MANIFEST_NAME)
    .map((f) => ({ name: f.name, size: f.size, sha256: f.sha256 }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { deliveryId: bundle.deliveryId, files };
}

const UNWRITABLE = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EEXIST']);

function translate(err: unknown, sinkName: string): never {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    throw new GtError(
      'DISK_FULL',
      'no space left on the device holding the export folder',
      { sink: sinkName },
      { cause: err },
    );
  }
  if (err instanceof GtError) throw err;
  // The folder itself refuses writes (permissions, read-only, a file in the way): every following
  // conversation would fail the same way, so the run stops with this one root cause.
  const folderProblem = code !== undefined && UNWRITABLE.has(code);
  throw new GtError(
    'SINK_FAILED',
    `filesystem delivery to ${sinkName.slice(3)} failed (${code ?? 'error'})${folderProblem ? ': the export folder is not writable; check --out' : ''}`,
    { sink: sinkName, ...(folderProblem ? { fatal: true } : {}) },
    { cause: err },
  );
}

async function fsyncPath(path: string, flags: 'r' | 'r+' = 'r'): Promise<void> {
  const fh = await open(path, flags);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Writes a bundle file to `to` (from memory or its staged copy), never half-written (see below). */
async function placeFile(file: BundleFile, to: string, mode: number): Promise<void> {
  if (file.text !== undefined) await atomicWriteText(to, file.text, mode);
  else await atomicCopy(file.path, to, file.size, mode);
}

/** Errors of link(2) that mean "not here" (another filesystem, or one without hard links): copy instead. */
const NO_LINK = new Set(['EXDEV', 'EPERM', 'EMLINK', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

/**
 * Puts the staged file's bytes at `tmp`: a hard link when the staging folder is on the same
 * filesystem (the default, `<out>/.genesys-transcripts`), else a copy. A link copies nothing and
 * creates no inode: on ext4, where a run creates thousands of files and deletes its staging, each
 * new inode costs a scan past recently deleted ones, most of a conversation's kernel time. The
 * staged name is removed after delivery, and nothing writes to a staged file once it is delivered.
 */
async function linkOrCopy(from: string, tmp: string): Promise<void> {
  try {
    await link(from, tmp);
  } catch (err) {
    if (!NO_LINK.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
    await copyFile(from, tmp);
  }
}

/** Copies `from` to `to` through a temp file in the same folder, so `to` is never half-written. */
async function atomicCopy(from: string, to: string, expectedSize: number, mode: number): Promise<void> {
  const tmp = join(dirname(to), `.tmp-${randomBytes(6).toString('hex')}`);
  try {
    await linkOrCopy(from, tmp);
    // One handle for the mode, the size check and the fsync (path calls would look it up thrice).
    const fh = await open(tmp, 'r+');
    try {
      // The staged file's mode (shared by a link, copied by a copy): the delivered one gets the output mode.
      await fh.chmod(mode);
      const { size } = await fh.stat();
      if (size !== expectedSize)
        throw new GtError('INTEGRITY', `staged file has ${size} bytes, the bundle says ${expectedSize}`);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, to);
    // rename(2) does nothing when both names are links to one file (a staged file linked here by a
    // delivery that was killed before its staging was removed): the temp name would stay behind.
    await rm(tmp, { force: true });
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

async function atomicWriteText(to: string, text: string, mode: number): Promise<void> {
  const tmp = join(dirname(to), `.tmp-${randomBytes(6).toString('hex')}`);
  try {
    const fh = await open(tmp, 'w', mode);
    try {
      await fh.chmod(mode); // the umask may have taken bits off
      await fh.writeFile(text);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, to);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Deletes `.tmp-*` files an interrupted delivery left in the folder or its subfolders. */
async function removeStaleTemps(dir: string): Promise<void> {
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.startsWith('.tmp-')) await rm(join(e.parentPath, e.name), { force: true });
  }
}

/**
 * The folder already has this delivery: rewrite only what is missing or differs from the marker
 * (a deleted file, a flipped byte), and the manifest only when it no longer matches. True when
 * anything was written.
 */
async function repairInPlace(
  p: Placement,
  dir: string,
  bundle: ConversationBundle,
  marker: DeliveryMarker,
): Promise<boolean> {
  const damaged = new Set((await damagedFiles(dir, marker, true)).map((p) => p.name));
  const manifestOk = await manifestMatches(dir, marker);
  if (damaged.size === 0 && manifestOk) return false;
  await removeStaleTemps(dir);
  for (const file of bundle.files) {
    if (!damaged.has(file.name) && !(file.name === MANIFEST_NAME && !manifestOk)) continue;
    const target = join(dir, ...fileSegments(file.name));
    await makeDir(p, dir, dirname(target));
    await placeFile(file, target, p.fileMode);
    await fsyncPath(dirname(target));
  }
  return true;
}

/** Like Promise.all, but rejects once every promise has settled: no copy left running after a failure. */
async function settleAll(work: Promise<void>[]): Promise<void> {
  const failed = (await Promise.allSettled(work)).find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The folder holds a complete delivery (its manifest is there) of other content: take the manifest
 * away first so the folder reads as incomplete until the new delivery is whole, then remove the
 * files of the earlier delivery that the new one no longer has (e.g. a format dropped).
 */
async function retireEarlierDelivery(
  dir: string,
  have: DeliveryMarker | undefined,
  wanted: DeliveryMarker,
): Promise<void> {
  await rm(join(dir, MANIFEST_NAME), { force: true });
  await fsyncPath(dir);
  const keep = new Set(wanted.files.map((f) => f.name));
  for (const old of have?.files ?? []) {
    if (!keep.has(old.name)) await rm(join(dir, ...fileSegments(old.name)), { force: true });
  }
}

/**
 * Creates the conversation folder and the subfolders its files go to; returns every folder
 * written to, each created (and checked for symlinks) once per delivery.
 */
async function prepareFolders(p: Placement, dir: string, targets: string[]): Promise<Set<string>> {
  // The folder may hold nothing but the manifest (a conversation with no transcript or media).
  // Its path was checked for symlinks by the caller: created without checking it again.
  const created = await mkdir(dir, { recursive: true, mode: p.dirMode });
  // Temp files of a delivery killed mid-copy: never part of a conversation, gone before we start.
  // A folder this call created holds none.
  if (created === undefined) await removeStaleTemps(dir);
  const made = new Set<string>([dir]);
  for (const sub of new Set(targets.map((t) => dirname(t)))) {
    if (made.has(sub)) continue;
    await makeDir(p, dir, sub);
    made.add(sub);
  }
  return made;
}

/** Writes a new delivery into `dir`: every file, then the marker, then the manifest, then fsyncs. */
async function writeDelivery(
  p: Placement,
  dir: string,
  bundle: ConversationBundle,
  wanted: DeliveryMarker,
  signal?: AbortSignal,
): Promise<void> {
  const manifestPath = join(dir, MANIFEST_NAME);
  const markerPath = join(dir, MARKER_NAME);
  const files = bundle.files.filter((f) => f.name !== MANIFEST_NAME);
  const manifests = bundle.files.filter((f) => f.name === MANIFEST_NAME);
  const targets = files.map((file) => join(dir, ...fileSegments(file.name)));
  const made = await prepareFolders(p, dir, targets);
  // The files before the manifest go together: each is whole under its name once renamed, and
  // the marker and manifest below wait for all of them (one at a time, every file's round trips
  // to the thread pool added up to most of a conversation's delivery time).
  signal?.throwIfAborted();
  await settleAll(files.map((file, i) => placeFile(file, targets[i]!, p.fileMode)));
  const marker = `${JSON.stringify(wanted)}\n`;
  for (const manifest of manifests) {
    signal?.throwIfAborted();
    await atomicWriteText(markerPath, marker, p.fileMode);
    await placeFile(manifest, manifestPath, p.fileMode);
  }
  if (manifests.length === 0) {
    // A bundle without a staged manifest still gets one, so the folder is marked complete.
    await atomicWriteText(markerPath, marker, p.fileMode);
    await atomicWriteText(manifestPath, `${JSON.stringify(bundle.manifest, null, 2)}\n`, p.fileMode);
  }
  // Renames are durable only once their folder is fsynced: each folder once, together.
  await Promise.all([...made].map((d) => fsyncPath(d)));
}

/** The folder a bundle goes to, refusing one outside the root. */
function folderOf(root: string, bundle: ConversationBundle): string {
  const dir = join(root, ...conversationSegments(bundle));
  // Belt and braces: safeName already makes every segment inert.
  if (!dir.startsWith(root + sep))
    throw new GtError('UNSAFE_NAME', 'conversation folder escapes the export root');
  return dir;
}

export function createFsSink(options: FsSinkOptions): Sink {
  const root = resolve(options.root);
  const name = options.name ?? `fs:${root}`;
  const place: Placement = {
    root,
    fileMode: options.fileMode ?? DEFAULT_FILE_MODE,
    dirMode: options.dirMode ?? DEFAULT_DIR_MODE,
  };

  function receiptFor(bundle: ConversationBundle, dir: string, duplicate: boolean): DeliveryReceipt {
    return {
      sink: name,
      deliveryId: bundle.deliveryId,
      location: dir,
      // What the checkpoint goes by: still true when the folder is moved or copied.
      path: relative(root, dir),
      deliveredAt: new Date().toISOString(),
      ...(duplicate ? { duplicate: true } : {}),
    };
  }

  async function deliver(bundle: ConversationBundle, signal?: AbortSignal): Promise<DeliveryReceipt> {
    const dir = folderOf(root, bundle);
    const wanted = markerFor(bundle);
    try {
      // Nothing is read or written through a symlink planted in the tree.
      await assertNoSymlinks(root, dir);
      if (await exists(join(dir, MANIFEST_NAME))) {
        const have = await readMarker(join(dir, MARKER_NAME));
        if (have && JSON.stringify(have) === JSON.stringify(wanted))
          return receiptFor(bundle, dir, !(await repairInPlace(place, dir, bundle, wanted)));
        await retireEarlierDelivery(dir, have, wanted);
      }
      await writeDelivery(place, dir, bundle, wanted, signal);
      return receiptFor(bundle, dir, false);
    } catch (err) {
      if (signal?.aborted && (err as Error).name === 'AbortError')
        throw new GtError('ABORTED', 'delivery aborted', { sink: `fs:${root}` });
      translate(err, `fs:${root}`);
    }
  }

  async function holds(d: { deliveryId: string; receipt: unknown }): Promise<boolean> {
    const r = d.receipt as { location?: unknown; path?: unknown } | null;
    // Older receipts have no path: their absolute location, under this root, is what they hold.
    const dir =
      typeof r?.path === 'string'
        ? resolve(root, r.path)
        : typeof r?.location === 'string'
          ? resolve(r.location)
          : undefined;
    if (dir === undefined) return false;
    if (!dir.startsWith(root + sep)) return false;
    return folderHolds(dir, d.deliveryId);
  }

  return { name, deliver, holds, close: async () => {} };
}
