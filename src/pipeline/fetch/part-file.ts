// The .part file of a download and the sidecar beside it: what is on disk between attempts and
// between processes, and the rules for adopting it (see download.ts for how a download uses them).
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, constants as fsConstants } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { GtError } from '../../errors.ts';

/** The file a .part is for, and what the caller said it should be (a DownloadTarget). */
interface PartTarget {
  path: string;
  expectedSize?: number;
  expectedSha256?: string;
}

/** The sidecar beside a .part file: what makes resuming it in another process safe. */
const sidecarSchema = z.object({
  version: z.literal(1),
  /** Strong ETag of the object the .part holds bytes of. */
  etag: z.string().min(1),
  totalSize: z.number().int().nonnegative().optional(),
  contentType: z.string().optional(),
  /** What the caller said the file should be; a .part made for a different expectation is not reused. */
  expectedSize: z.number().int().nonnegative().optional(),
  expectedSha256: z.string().optional(),
});
export type Sidecar = z.infer<typeof sidecarSchema>;

export const partPathOf = (path: string): string => `${path}.part`;
export const sidecarPathOf = (path: string): string => `${path}.part.json`;

/** Sha256 of the first `length` bytes of a file, streamed (constant memory). */
export async function hashPrefix(path: string, length: number): Promise<Hash> {
  const hash = createHash('sha256');
  if (length === 0) return hash;
  for await (const chunk of createReadStream(path, { start: 0, end: length - 1 }))
    hash.update(chunk as Buffer);
  return hash;
}

async function readSidecar(path: string): Promise<Sidecar | undefined> {
  try {
    const parsed = sidecarSchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Written to a temp file and renamed, so a crash never leaves a half-written sidecar. */
export async function writeSidecar(path: string, sidecar: Sidecar): Promise<void> {
  await writeFile(`${path}.tmp`, JSON.stringify(sidecar), 'utf8');
  await rename(`${path}.tmp`, path);
}

/** A .part made for a different expectation (another size or sha256) is not reused. */
function sameExpectation(s: Sidecar, t: PartTarget): boolean {
  const differ = <T>(a: T | undefined, b: T | undefined) => a !== undefined && b !== undefined && a !== b;
  return (
    !differ(s.expectedSize, t.expectedSize) &&
    !differ(s.expectedSha256?.toLowerCase(), t.expectedSha256?.toLowerCase())
  );
}

/** Raised by the file side of the pipe, so it is not mistaken for a network failure. */
export class WriteFailure extends Error {
  readonly error: NodeJS.ErrnoException;
  constructor(error: NodeJS.ErrnoException) {
    super('write failed');
    this.error = error;
  }
}

/** The .part file, its running hash and its length; the three always agree. */
export class PartFile {
  readonly path: string;
  private fh: FileHandle | undefined;
  hash: Hash = createHash('sha256');
  size = 0;

  constructor(path: string) {
    this.path = path;
  }

  /** Opens (creating if needed) and adopts `keep` bytes already on disk, re-hashing them. */
  async open(keep: number): Promise<void> {
    this.fh = await open(this.path, fsConstants.O_RDWR | fsConstants.O_CREAT, 0o600);
    const onDisk = (await this.fh.stat()).size;
    const kept = Math.min(keep, onDisk);
    if (onDisk > kept) await this.fh.truncate(kept);
    this.hash = await hashPrefix(this.path, kept);
    this.size = kept;
  }

  async reset(): Promise<void> {
    if (this.size > 0 || (await this.handle().stat()).size > 0) await this.handle().truncate(0);
    this.hash = createHash('sha256');
    this.size = 0;
  }

  /** Appends `chunk` at `size`; counts and hashes it only once it is on disk. The caller may reuse
   * `chunk` as soon as the promise settles. Disk errors come back as WriteFailure. */
  async append(chunk: Buffer): Promise<void> {
    const fh = this.handle();
    try {
      for (let done = 0; done < chunk.byteLength;) {
        const { bytesWritten } = await fh.write(chunk, done, chunk.byteLength - done, this.size + done);
        done += bytesWritten;
      }
    } catch (err) {
      throw new WriteFailure(err as NodeJS.ErrnoException);
    }
    this.hash.update(chunk);
    this.size += chunk.byteLength;
  }

  async sync(): Promise<void> {
    await this.handle().sync();
  }

  async close(): Promise<void> {
    await this.fh?.close();
    this.fh = undefined;
  }

  private handle(): FileHandle {
    if (!this.fh) throw new Error('part file not open');
    return this.fh;
  }
}

export function diskError(err: NodeJS.ErrnoException, path: string): GtError {
  if (err.code === 'ENOSPC' || err.code === 'EDQUOT') {
    return new GtError(
      'DISK_FULL',
      `no space left writing ${path}.part (kept for resume)`,
      { path, code: err.code },
      { cause: err },
    );
  }
  return new GtError(
    'DOWNLOAD_FAILED',
    `cannot write ${path}.part (${err.code ?? 'error'})`,
    { path, code: err.code },
    { cause: err },
  );
}

/** Size of the file at `path`, 0 when there is none. */
async function sizeOnDisk(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/** Makes the directory and opens the .part, keeping the bytes of an earlier one only when its
 * sidecar proves what they are; a sidecar that is not adopted is removed. */
export async function openPart(
  target: PartTarget,
): Promise<{ part: PartFile; sidecar: Sidecar | undefined }> {
  const { path } = target;
  try {
    await mkdir(dirname(path), { recursive: true });
  } catch (err) {
    throw diskError(err as NodeJS.ErrnoException, path);
  }
  const sidecarPath = sidecarPathOf(path);
  // Adopt an earlier .part only when its sidecar proves what it holds.
  let sidecar = await readSidecar(sidecarPath);
  if (sidecar && !sameExpectation(sidecar, target)) sidecar = undefined;
  const part = new PartFile(partPathOf(path));
  const keep = sidecar ? await sizeOnDisk(part.path) : 0;
  try {
    await part.open(keep);
    // Inside the try: a sidecar that cannot be removed must not leave the .part's handle open.
    if (!sidecar) await rm(sidecarPath, { force: true });
  } catch (err) {
    await part.close().catch(() => undefined);
    throw diskError(err as NodeJS.ErrnoException, path);
  }
  return { part, sidecar };
}
