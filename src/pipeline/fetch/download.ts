// Constant-memory, resumable, byte-exact download of one pre-signed URL to one file.
//
// How it works (modelled on undici's RetryHandler, but resumable across processes):
// - bytes go to `<path>.part`; a small `<path>.part.json` sidecar remembers the strong ETag (the
//   only thing that proves the bytes on disk belong to the same object) and the total size. The
//   signed URL itself is never stored: it expires and it is a credential;
// - every chunk is written to disk FIRST and hashed/counted only once written, so after any failure
//   (reset, truncated body, SIGKILL) "bytes on disk" and "bytes hashed" agree;
// - a retry asks for `Range: bytes=<onDisk>-` with `If-Range: <etag>`: the server answers 206 for
//   the same object, or 200 with the whole (new) object, in which case we start again from zero;
// - a new process finds the .part and its sidecar, re-hashes the bytes on disk once (streaming)
//   and continues from there;
// - an expired signed URL (401/403, or a body saying "expired") is renewed via resolveUrl;
// - the file is renamed into place only after its size (and the expected sha256, if given) check out.
// Memory stays flat whatever the size: the body is read by the small HTTP/1.1 GET below into one
// buffer per connection and a few reused slabs that the disk writer drains (see "Lean GET").
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, constants as fsConstants } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { GtError } from '../../errors.ts';
import { fullJitterDelay } from '../../genesys/retry.ts';
import type { DownloadUrlPolicy } from '../../genesys/url-policy.ts';
import { RateFloor, type RateFloorOptions } from '../../util/rate-floor.ts';
import { leanGet, UnusableUrl, type Exchange } from './lean-get.ts';
import type { ProxySettings } from '../../config/proxy.ts';

export interface DownloadTarget {
  /** Final file path; the caller made it safe (safeName for every segment from API data). */
  path: string;
  expectedSize?: number;
  expectedSha256?: string;
}

export interface DownloadOptions {
  /** Gives a (fresh) signed URL; called again with 'expired' when the signed host says it expired. */
  resolveUrl: (reason: 'initial' | 'expired') => Promise<string>;
  signal?: AbortSignal;
  /** Consecutive attempts WITHOUT progress before giving up (default 8). A long download over a
   * flaky link may need many requests in total; only a stalled one fails. */
  maxAttempts?: number;
  onProgress?: (bytes: number, total?: number) => void;
  /** Headers and idle-body timeout per request (default 30 s). */
  timeoutMs?: number;
  /** Backoff between failed attempts (full jitter). Tests shorten it. */
  backoff?: { baseMs: number; capMs: number };
  /** HTTP(S) proxy settings (the client's, GenesysClient.proxy); undefined connects directly. */
  proxy?: ProxySettings | undefined;
  /** Which URLs (and redirects) may be fetched, at which addresses (url-policy.ts). */
  policy?: DownloadUrlPolicy;
  /** Refuse a body larger than this (announced or streamed): TOO_LARGE, nothing kept. */
  maxBytes?: number;
  /** A body slower than this fails the download as TOO_SLOW (the .part is kept for a resume). */
  minRate?: RateFloorOptions;
}

export interface DownloadResult {
  path: string;
  size: number;
  sha256: string;
  contentType?: string;
  /** True when bytes from an earlier attempt or process were kept (a 206 continued them). */
  resumed: boolean;
  /** HTTP requests made to the signed host. */
  attempts: number;
  urlRenewals: number;
}

export const DEFAULT_MAX_ATTEMPTS = 8;
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_BACKOFF = { baseMs: 250, capMs: 5_000 };
const MAX_REDIRECTS = 5;
const ERROR_BODY_CAP = 4096;

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
type Sidecar = z.infer<typeof sidecarSchema>;

export const partPathOf = (path: string): string => `${path}.part`;
export const sidecarPathOf = (path: string): string => `${path}.part.json`;

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(aborted());
    const onAbort = () => {
      clearTimeout(t);
      reject(aborted());
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

const aborted = () => new GtError('ABORTED', 'download aborted');

/** A strong validator, or undefined: weak ETags (W/"…") must not be used with If-Range. */
function strongEtag(v: string | undefined): string | undefined {
  // eslint-disable-next-line no-control-regex
  return v && !v.startsWith('W/') && !/[\x00-\x1f\x7f]/.test(v) ? v : undefined;
}

/** `bytes 100-199/1000` → {start, end, total}; total undefined for `*`. */
export function parseContentRange(
  v: string | undefined,
): { start: number; end: number; total: number | undefined } | undefined {
  const m = v ? /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(v.trim()) : null;
  if (!m) return undefined;
  return { start: Number(m[1]), end: Number(m[2]), total: m[3] === '*' ? undefined : Number(m[3]) };
}

/** `bytes * /1000` on a 416 → 1000. */
function unsatisfiedTotal(v: string | undefined): number | undefined {
  const m = v ? /^bytes \*\/(\d+)$/.exec(v.trim()) : null;
  return m ? Number(m[1]) : undefined;
}

/** Sha256 of the first `length` bytes of a file, streamed (constant memory). */
async function hashPrefix(path: string, length: number): Promise<Hash> {
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
async function writeSidecar(path: string, sidecar: Sidecar): Promise<void> {
  await writeFile(`${path}.tmp`, JSON.stringify(sidecar), 'utf8');
  await rename(`${path}.tmp`, path);
}

/** A .part made for a different expectation (another size or sha256) is not reused. */
function sameExpectation(s: Sidecar, t: DownloadTarget): boolean {
  const differ = <T>(a: T | undefined, b: T | undefined) => a !== undefined && b !== undefined && a !== b;
  return (
    !differ(s.expectedSize, t.expectedSize) &&
    !differ(s.expectedSha256?.toLowerCase(), t.expectedSha256?.toLowerCase())
  );
}

/** Raised inside the body pipe by a cap (size, rate): ends the download, never retried. */
class CapExceeded extends Error {
  readonly error: GtError;
  constructor(error: GtError) {
    super(error.message);
    this.error = error;
  }
}

/** Raised by the file side of the pipe, so it is not mistaken for a network failure. */
class WriteFailure extends Error {
  readonly error: NodeJS.ErrnoException;
  constructor(error: NodeJS.ErrnoException) {
    super('write failed');
    this.error = error;
  }
}

/** The .part file, its running hash and its length; the three always agree. */
class PartFile {
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

function diskError(err: NodeJS.ErrnoException, path: string): GtError {
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

/**
 * Downloads to `target.path` (via `<path>.part`), resuming whatever an earlier attempt or process
 * left. Throws GtError: INTEGRITY (size/sha256 mismatch; .part discarded), DISK_FULL (.part kept),
 * DOWNLOAD_FAILED (no progress after maxAttempts, or a definitive HTTP answer), ABORTED.
 */
export async function downloadToFile(
  target: DownloadTarget,
  options: DownloadOptions,
): Promise<DownloadResult> {
  const { path } = target;
  const partPath = partPathOf(path);
  const sidecarPath = sidecarPathOf(path);
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const signal = options.signal;

  try {
    await mkdir(dirname(path), { recursive: true });
  } catch (err) {
    throw diskError(err as NodeJS.ErrnoException, path);
  }
  // Adopt an earlier .part only when its sidecar proves what it holds.
  let sidecar = await readSidecar(sidecarPath);
  if (sidecar && !sameExpectation(sidecar, target)) sidecar = undefined;
  const part = new PartFile(partPath);
  let keep = 0;
  if (sidecar) {
    try {
      keep = (await stat(partPath)).size;
    } catch {
      keep = 0;
    }
  }
  try {
    await part.open(keep);
  } catch (err) {
    await part.close().catch(() => undefined);
    throw diskError(err as NodeJS.ErrnoException, path);
  }
  if (!sidecar) await rm(sidecarPath, { force: true });

  const fail = async (err: GtError): Promise<never> => {
    await part.close();
    throw err;
  };
  const discard = async () => {
    await part.close();
    await rm(partPath, { force: true });
    await rm(sidecarPath, { force: true });
  };
  let attempts = 0;
  let renewals = 0;
  let failuresInARow = 0;
  let resumed = false;
  const checked = async (href: string, from?: string) => {
    const c = options.policy?.check(href, from);
    return { href: c ? c.url.toString() : href, lookup: c?.lookup };
  };
  const tooLarge = (size: number) =>
    new GtError('TOO_LARGE', `${path}: body of ${size} bytes is over the cap of ${options.maxBytes} bytes`, {
      path,
      size,
      cap: options.maxBytes,
    });
  let hop: Awaited<ReturnType<typeof checked>>;
  let url: string;
  try {
    hop = await checked(await options.resolveUrl('initial'));
    url = hop.href;
  } catch (err) {
    if (err instanceof GtError && err.code === 'URL_REFUSED') await discard();
    else await part.close();
    throw err;
  }
  let redirects = 0;
  let total = sidecar?.totalSize ?? target.expectedSize;
  let contentType = sidecar?.contentType;

  try {
    for (;;) {
      if (signal?.aborted) return await fail(aborted());
      if (failuresInARow >= maxAttempts) {
        return await fail(
          new GtError('DOWNLOAD_FAILED', `download of ${path} made no progress in ${maxAttempts} attempts`, {
            path,
            attempts,
            urlRenewals: renewals,
            bytesOnDisk: part.size,
          }),
        );
      }
      if (failuresInARow > 0) await sleep(fullJitterDelay(failuresInARow, backoff), signal);
      attempts += 1;
      const startSize = part.size;
      const headers: Record<string, string> = { 'accept-encoding': 'identity' };
      // Without a strong validator, a resume is only safe when the final sha256 will catch a mix.
      const canResume = part.size > 0 && (sidecar?.etag !== undefined || target.expectedSha256 !== undefined);
      if (part.size > 0 && !canResume) await part.reset();
      if (canResume) {
        headers.range = `bytes=${part.size}-`;
        if (sidecar?.etag) headers['if-range'] = sidecar.etag;
      }

      let res: Exchange;
      try {
        res = await leanGet(url, headers, timeoutMs, signal, hop.lookup, options.proxy);
      } catch (err) {
        if (signal?.aborted) return await fail(aborted());
        if (err instanceof GtError && err.code === 'URL_REFUSED') throw err;
        if (err instanceof UnusableUrl)
          return await fail(
            new GtError('DOWNLOAD_FAILED', `signed URL cannot be fetched: ${err.message}`, { path }),
          );
        failuresInARow += 1;
        continue;
      }

      let bodyFailed = false;
      try {
        const status = res.status;
        const location = res.headers.location;
        if (status >= 300 && status < 400 && location) {
          res.dump();
          if (++redirects > MAX_REDIRECTS)
            return await fail(
              new GtError('DOWNLOAD_FAILED', `too many redirects downloading ${path}`, { path }),
            );
          // Every hop is checked again: no downgrade, no internal address behind a public one.
          hop = await checked(new URL(location, url).toString(), url);
          url = hop.href;
          continue;
        }
        if (
          status === 401 ||
          status === 403 ||
          (status >= 400 &&
            status < 500 &&
            status !== 416 &&
            status !== 404 &&
            /expired/i.test(await res.text(ERROR_BODY_CAP)))
        ) {
          // The signed URL expired (or the signature no longer holds): ask for a fresh one.
          res.dump();
          renewals += 1;
          failuresInARow += 1;
          hop = await checked(await options.resolveUrl('expired'));
          url = hop.href;
          redirects = 0;
          continue;
        }
        if (status === 416) {
          const serverTotal = unsatisfiedTotal(res.headers['content-range']);
          res.dump();
          if (serverTotal !== undefined && serverTotal === part.size) {
            total = serverTotal;
            break; // the .part is already complete: verify below
          }
          // Our bytes do not fit the object any more: start again.
          await part.reset();
          failuresInARow += 1;
          continue;
        }
        if (status !== 200 && status !== 206) {
          res.dump();
          if (status === 404 || status === 410) {
            return await fail(
              new GtError('DOWNLOAD_FAILED', `signed host answered HTTP ${status} for ${path}`, {
                path,
                status,
              }),
            );
          }
          failuresInARow += 1; // 5xx, 429 …: transient
          continue;
        }

        const etag = strongEtag(res.headers.etag);
        const length = res.headers['content-length'];
        if (status === 206) {
          const range = parseContentRange(res.headers['content-range']);
          const etagChanged = sidecar?.etag !== undefined && etag !== undefined && etag !== sidecar.etag;
          if (!range || range.start !== part.size || etagChanged) {
            // Not the continuation we asked for: drop our bytes and fetch the whole object.
            res.dump();
            await part.reset();
            failuresInARow += 1;
            continue;
          }
          if (range.total !== undefined) total = range.total;
          if (options.maxBytes !== undefined && total !== undefined && total > options.maxBytes) {
            await discard();
            throw tooLarge(total);
          }
          resumed = resumed || part.size > 0;
        } else {
          // 200: the server ignored Range, or If-Range said the object changed. Whole body follows.
          if (part.size > 0) await part.reset();
          total = length !== undefined && /^\d+$/.test(length) ? Number(length) : target.expectedSize;
          if (options.maxBytes !== undefined && total !== undefined && total > options.maxBytes) {
            await discard();
            throw tooLarge(total);
          }
        }
        contentType = res.headers['content-type'] ?? contentType;
        const next: Sidecar | undefined = etag
          ? {
              version: 1,
              etag,
              ...(total !== undefined ? { totalSize: total } : {}),
              ...(contentType ? { contentType } : {}),
              ...(target.expectedSize !== undefined ? { expectedSize: target.expectedSize } : {}),
              ...(target.expectedSha256 !== undefined ? { expectedSha256: target.expectedSha256 } : {}),
            }
          : undefined;
        if (next && JSON.stringify(next) !== JSON.stringify(sidecar)) await writeSidecar(sidecarPath, next);
        else if (!next && sidecar) await rm(sidecarPath, { force: true });
        sidecar = next;

        const floor = options.minRate ? new RateFloor(options.minRate) : undefined;
        try {
          await res.pipeTo(async (chunk) => {
            if (options.maxBytes !== undefined && part.size + chunk.byteLength > options.maxBytes)
              throw new CapExceeded(tooLarge(part.size + chunk.byteLength));
            await part.append(chunk);
            if (floor?.add(chunk.byteLength))
              throw new CapExceeded(
                new GtError('TOO_SLOW', `${path}: download ${floor.describe()}`, {
                  path,
                  bytesOnDisk: part.size,
                }),
              );
            options.onProgress?.(part.size, total);
          });
        } catch (err) {
          if (err instanceof WriteFailure) return await fail(diskError(err.error, path));
          if (err instanceof CapExceeded) {
            if (err.error.code === 'TOO_LARGE') {
              await discard();
              throw err.error;
            }
            return await fail(err.error);
          }
          if (signal?.aborted) return await fail(aborted());
          bodyFailed = true; // reset, truncation, timeout: resume from what is on disk
        }
      } finally {
        res.dump(); // whatever path left this response: never leave its connection paused
      }
      const progressed = part.size > startSize;
      failuresInARow = progressed ? 0 : failuresInARow + 1;
      if (bodyFailed) {
        if (progressed) await sleep(Math.floor(Math.random() * backoff.baseMs), signal);
        continue;
      }
      if (total !== undefined && part.size < total) {
        if (!progressed) failuresInARow = Math.max(failuresInARow, 1);
        continue; // a body that ended early without an error (no framing): resume
      }
      break;
    }

    // Verify, then move into place.
    const size = part.size;
    const sha256 = part.hash.digest('hex');
    const expectedSize = target.expectedSize ?? total;
    if (expectedSize !== undefined && size !== expectedSize) {
      await discard();
      throw new GtError('INTEGRITY', `downloaded ${size} bytes for ${path}, expected ${expectedSize}`, {
        path,
        size,
        expectedSize,
      });
    }
    if (target.expectedSha256 !== undefined && sha256 !== target.expectedSha256.toLowerCase()) {
      await discard();
      throw new GtError('INTEGRITY', `sha256 mismatch for ${path}`, {
        path,
        sha256,
        expectedSha256: target.expectedSha256,
      });
    }
    await part.sync();
    await part.close();
    await rename(partPath, path);
    await rm(sidecarPath, { force: true });
    return {
      path,
      size,
      sha256,
      ...(contentType ? { contentType } : {}),
      resumed,
      attempts,
      urlRenewals: renewals,
    };
  } catch (err) {
    await part.close().catch(() => undefined);
    // A refused URL (a hostile redirect or link): nothing of this download is worth keeping.
    if (err instanceof GtError && err.code === 'URL_REFUSED') await discard();
    if (err instanceof GtError) throw err;
    const e = err as NodeJS.ErrnoException;
    if (typeof e.code === 'string' && e.code.startsWith('E') && !e.code.startsWith('ERR_'))
      throw diskError(e, path);
    throw new GtError('DOWNLOAD_FAILED', `download of ${path} failed`, { path }, { cause: err });
  }
}

/**
 * A file from an earlier run that can be reused as-is: it exists with the expected size and (when
 * known) sha256. Hashing streams the file once. Returns undefined when it must be downloaded.
 */
export async function existingDownload(
  target: DownloadTarget & { expectedSize: number },
): Promise<DownloadResult | undefined> {
  let size: number;
  try {
    const info = await stat(target.path);
    if (!info.isFile()) return undefined;
    size = info.size;
  } catch {
    return undefined;
  }
  if (size !== target.expectedSize) return undefined;
  const sha256 = (await hashPrefix(target.path, size)).digest('hex');
  if (target.expectedSha256 !== undefined && sha256 !== target.expectedSha256.toLowerCase()) return undefined;
  return { path: target.path, size, sha256, resumed: false, attempts: 0, urlRenewals: 0 };
}
