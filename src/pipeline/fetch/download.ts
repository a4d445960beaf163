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
import { rename, rm, stat } from 'node:fs/promises';
import { GtError } from '../../errors.ts';
import { fullJitterDelay } from '../../genesys/retry.ts';
import type { CheckedUrl, DownloadUrlPolicy } from '../../genesys/url-policy.ts';
import { RateFloor, type RateFloorOptions } from '../../util/rate-floor.ts';
import { leanGet, UnusableUrl, type Exchange } from './lean-get.ts';
import type { ProxySettings } from '../../config/proxy.ts';
import {
  diskError,
  hashPrefix,
  openPart,
  type PartFile,
  sidecarPathOf,
  WriteFailure,
  writeSidecar,
  type Sidecar,
} from './part-file.ts';

export { partPathOf, sidecarPathOf } from './part-file.ts';

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

/** Raised inside the body pipe by a cap (size, rate): ends the download, never retried. */
class CapExceeded extends Error {
  readonly error: GtError;
  constructor(error: GtError) {
    super(error.message);
    this.error = error;
  }
}

/** A URL to request and the lookup to connect with (url-policy.ts). */
interface Hop {
  href: string;
  lookup: CheckedUrl['lookup'];
}

/** `href` as the policy allows it (when there is one); `from` is the URL that redirected to it. */
function checked(policy: DownloadUrlPolicy | undefined, href: string, from?: string): Hop {
  const c = policy?.check(href, from);
  return { href: c ? c.url.toString() : href, lookup: c?.lookup };
}

/** One download's state, carried from attempt to attempt. */
interface Download {
  readonly target: DownloadTarget;
  readonly options: DownloadOptions;
  readonly part: PartFile;
  readonly sidecarPath: string;
  readonly maxAttempts: number;
  readonly timeoutMs: number;
  readonly backoff: { baseMs: number; capMs: number };
  /** What the sidecar on disk says; undefined when there is none. */
  sidecar: Sidecar | undefined;
  hop: Hop;
  /** Redirects followed since the URL was last resolved. */
  redirects: number;
  total: number | undefined;
  contentType: string | undefined;
  attempts: number;
  renewals: number;
  failuresInARow: number;
  resumed: boolean;
}

/** A download about to make its first attempt. */
function newDownload(
  target: DownloadTarget,
  options: DownloadOptions,
  part: PartFile,
  sidecar: Sidecar | undefined,
  hop: Hop,
): Download {
  return {
    target,
    options,
    part,
    sidecarPath: sidecarPathOf(target.path),
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    backoff: options.backoff ?? DEFAULT_BACKOFF,
    sidecar,
    hop,
    redirects: 0,
    total: sidecar?.totalSize ?? target.expectedSize,
    contentType: sidecar?.contentType,
    attempts: 0,
    renewals: 0,
    failuresInARow: 0,
    resumed: false,
  };
}

/** What an attempt leaves: request again, or the .part is complete (verify it). */
type Step = 'again' | 'done';

/** Ends the download with `err`, keeping the .part and its sidecar for a resume. */
async function fail(part: PartFile, err: GtError): Promise<never> {
  await part.close();
  throw err;
}

/** Ends the download leaving nothing of it on disk. */
async function discard(part: PartFile, sidecarPath: string): Promise<void> {
  await part.close();
  await rm(part.path, { force: true });
  await rm(sidecarPath, { force: true });
}

function tooLarge(dl: Download, size: number): GtError {
  const { path } = dl.target;
  const cap = dl.options.maxBytes;
  return new GtError('TOO_LARGE', `${path}: body of ${size} bytes is over the cap of ${cap} bytes`, {
    path,
    size,
    cap,
  });
}

/** The first signed URL, checked; a refused one leaves nothing of the download behind. */
async function firstHop(options: DownloadOptions, part: PartFile, sidecarPath: string): Promise<Hop> {
  try {
    return checked(options.policy, await options.resolveUrl('initial'));
  } catch (err) {
    if (err instanceof GtError && err.code === 'URL_REFUSED') await discard(part, sidecarPath);
    else await part.close();
    throw err;
  }
}

/** Before each request: stop when aborted or when maxAttempts in a row made no progress; after a
 * failure, back off (full jitter). */
async function beforeAttempt(dl: Download): Promise<void> {
  const { signal } = dl.options;
  if (signal?.aborted) return fail(dl.part, aborted());
  if (dl.failuresInARow >= dl.maxAttempts) {
    const { path } = dl.target;
    return fail(
      dl.part,
      new GtError('DOWNLOAD_FAILED', `download of ${path} made no progress in ${dl.maxAttempts} attempts`, {
        path,
        attempts: dl.attempts,
        urlRenewals: dl.renewals,
        bytesOnDisk: dl.part.size,
      }),
    );
  }
  if (dl.failuresInARow > 0) await sleep(fullJitterDelay(dl.failuresInARow, dl.backoff), signal);
}

/** Drops the .part's bytes: whatever an earlier attempt kept is no longer in the result. */
async function startOver(dl: Download): Promise<void> {
  await dl.part.reset();
  dl.resumed = false;
}

/** Headers for the next request: a Range continuing the .part when that is safe, else the .part
 * starts over; If-Range makes a changed object come back whole. */
async function requestHeaders(dl: Download): Promise<Record<string, string>> {
  const { part, sidecar } = dl;
  const headers: Record<string, string> = { 'accept-encoding': 'identity' };
  // Without a strong validator, a resume is only safe when the final sha256 will catch a mix.
  const canResume = part.size > 0 && (sidecar?.etag !== undefined || dl.target.expectedSha256 !== undefined);
  if (part.size > 0 && !canResume) await startOver(dl);
  if (canResume) {
    headers.range = `bytes=${part.size}-`;
    if (sidecar?.etag) headers['if-range'] = sidecar.etag;
  }
  return headers;
}

/** Sends the request and waits for the answer's head. Undefined after a failure worth a retry
 * (counted); an abort, a refused URL or one that can never work ends the download. */
async function send(dl: Download, headers: Record<string, string>): Promise<Exchange | undefined> {
  const { signal, proxy } = dl.options;
  try {
    return await leanGet(dl.hop.href, headers, dl.timeoutMs, signal, dl.hop.lookup, proxy);
  } catch (err) {
    if (signal?.aborted) return fail(dl.part, aborted());
    if (err instanceof GtError && err.code === 'URL_REFUSED') throw err;
    if (err instanceof UnusableUrl) {
      const { path } = dl.target;
      return fail(
        dl.part,
        new GtError('DOWNLOAD_FAILED', `signed URL cannot be fetched: ${err.message}`, { path }),
      );
    }
    dl.failuresInARow += 1;
    return undefined;
  }
}

/** What the answer's status says: follow a redirect, renew an expired URL, retry, give up, verify
 * (a 416 for a complete .part), or take the body ('body'). */
async function judgeAnswer(dl: Download, res: Exchange): Promise<Step | 'body'> {
  const status = res.status;
  const location = res.headers.location;
  if (status >= 300 && status < 400 && location) return followRedirect(dl, res, location);
  if (
    status === 401 ||
    status === 403 ||
    (status >= 400 &&
      status < 500 &&
      status !== 416 &&
      status !== 404 &&
      // 404 and 410 are definitive whatever their body says (otherStatus).
      status !== 410 &&
      /expired/i.test(await res.text(ERROR_BODY_CAP)))
  )
    return renewUrl(dl, res);
  if (status === 416) return rangeNotSatisfiable(dl, res);
  if (status !== 200 && status !== 206) return otherStatus(dl, res);
  return alignPart(dl, res);
}

/** A redirect is followed, at most MAX_REDIRECTS times per resolved URL. */
async function followRedirect(dl: Download, res: Exchange, location: string): Promise<Step> {
  res.dump();
  if (++dl.redirects > MAX_REDIRECTS) {
    const { path } = dl.target;
    return fail(dl.part, new GtError('DOWNLOAD_FAILED', `too many redirects downloading ${path}`, { path }));
  }
  // Every hop is checked again: no downgrade, no internal address behind a public one.
  dl.hop = checked(dl.options.policy, new URL(location, dl.hop.href).toString(), dl.hop.href);
  return 'again';
}

/** The signed URL expired (or the signature no longer holds): ask for a fresh one. */
async function renewUrl(dl: Download, res: Exchange): Promise<Step> {
  res.dump();
  dl.renewals += 1;
  dl.failuresInARow += 1;
  dl.hop = checked(dl.options.policy, await dl.options.resolveUrl('expired'));
  dl.redirects = 0;
  return 'again';
}

/** 416: the .part may already be complete (the server's total is its size). */
async function rangeNotSatisfiable(dl: Download, res: Exchange): Promise<Step> {
  const serverTotal = unsatisfiedTotal(res.headers['content-range']);
  res.dump();
  if (serverTotal !== undefined && serverTotal === dl.part.size) {
    dl.total = serverTotal;
    return 'done'; // the .part is already complete: verify it
  }
  // Our bytes do not fit the object any more: start again.
  await startOver(dl);
  dl.failuresInARow += 1;
  return 'again';
}

/** Any other status: 404 and 410 are definitive, the rest transient. */
async function otherStatus(dl: Download, res: Exchange): Promise<Step> {
  const status = res.status;
  res.dump();
  if (status === 404 || status === 410) {
    const { path } = dl.target;
    return fail(
      dl.part,
      new GtError('DOWNLOAD_FAILED', `signed host answered HTTP ${status} for ${path}`, { path, status }),
    );
  }
  dl.failuresInARow += 1; // 5xx, 429 …: transient
  return 'again';
}

/** A 200 or 206: lines the .part up with the body that follows, refuses an announced size over the
 * cap (TOO_LARGE, nothing kept) and records the object in the sidecar. */
async function alignPart(dl: Download, res: Exchange): Promise<'again' | 'body'> {
  const etag = strongEtag(res.headers.etag);
  if (res.status === 206) {
    if (!(await continuesPart(dl, res, etag))) return 'again';
  } else {
    await restartPart(dl, res);
  }
  const { maxBytes } = dl.options;
  if (maxBytes !== undefined && dl.total !== undefined && dl.total > maxBytes) {
    await discard(dl.part, dl.sidecarPath);
    throw tooLarge(dl, dl.total);
  }
  await updateSidecar(dl, res, etag);
  return 'body';
}

/** A 206 continues the .part only when it starts where the .part ends and is of the same object. */
async function continuesPart(dl: Download, res: Exchange, etag: string | undefined): Promise<boolean> {
  const { part, sidecar } = dl;
  const range = parseContentRange(res.headers['content-range']);
  const etagChanged = sidecar?.etag !== undefined && etag !== undefined && etag !== sidecar.etag;
  if (!range || range.start !== part.size || etagChanged) {
    // Not the continuation we asked for: drop our bytes and fetch the whole object.
    res.dump();
    await startOver(dl);
    dl.failuresInARow += 1;
    return false;
  }
  if (range.total !== undefined) dl.total = range.total;
  dl.resumed = dl.resumed || part.size > 0;
  return true;
}

/** 200: the server ignored Range, or If-Range said the object changed. Whole body follows. */
async function restartPart(dl: Download, res: Exchange): Promise<void> {
  if (dl.part.size > 0) await startOver(dl);
  const length = res.headers['content-length'];
  dl.total = length !== undefined && /^\d+$/.test(length) ? Number(length) : dl.target.expectedSize;
}

/** Rewrites the sidecar when what it should say changed; without a strong ETag there is nothing to
 * prove what the .part holds, so it is removed. */
async function updateSidecar(dl: Download, res: Exchange, etag: string | undefined): Promise<void> {
  dl.contentType = res.headers['content-type'] ?? dl.contentType;
  const { target, total, contentType } = dl;
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
  if (next && JSON.stringify(next) !== JSON.stringify(dl.sidecar)) await writeSidecar(dl.sidecarPath, next);
  else if (!next && dl.sidecar) await rm(dl.sidecarPath, { force: true });
  dl.sidecar = next;
}

/** Streams the body onto the .part under the caps (size, rate). True when the body failed in a way
 * worth resuming; a cap, a disk error or an abort ends the download. */
async function receiveBody(dl: Download, res: Exchange): Promise<boolean> {
  const { part, options, total } = dl;
  const { path } = dl.target;
  const floor = options.minRate ? new RateFloor(options.minRate) : undefined;
  try {
    await res.pipeTo(async (chunk) => {
      if (options.maxBytes !== undefined && part.size + chunk.byteLength > options.maxBytes)
        throw new CapExceeded(tooLarge(dl, part.size + chunk.byteLength));
      await part.append(chunk);
      if (floor?.add(chunk.byteLength))
        throw new CapExceeded(
          new GtError('TOO_SLOW', `${path}: download ${floor.describe()}`, { path, bytesOnDisk: part.size }),
        );
      options.onProgress?.(part.size, total);
    });
    return false;
  } catch (err) {
    if (err instanceof WriteFailure) return fail(part, diskError(err.error, path));
    if (err instanceof CapExceeded) {
      if (err.error.code === 'TOO_LARGE') {
        await discard(part, dl.sidecarPath);
        throw err.error;
      }
      return fail(part, err.error);
    }
    if (options.signal?.aborted) return fail(part, aborted());
    return true; // reset, truncation, timeout: resume from what is on disk
  }
}

/** After a body: did it bring the .part closer (failures in a row start over), and is it complete? */
async function afterBody(dl: Download, startSize: number, bodyFailed: boolean): Promise<Step> {
  const progressed = dl.part.size > startSize;
  dl.failuresInARow = progressed ? 0 : dl.failuresInARow + 1;
  if (bodyFailed) {
    if (progressed) await sleep(Math.floor(Math.random() * dl.backoff.baseMs), dl.options.signal);
    return 'again';
  }
  if (dl.total !== undefined && dl.part.size < dl.total) {
    if (!progressed) dl.failuresInARow = Math.max(dl.failuresInARow, 1);
    return 'again'; // a body that ended early without an error (no framing): resume
  }
  return 'done';
}

/** One request and what its answer means for the download. */
async function attempt(dl: Download): Promise<Step> {
  await beforeAttempt(dl);
  dl.attempts += 1;
  const startSize = dl.part.size;
  const res = await send(dl, await requestHeaders(dl));
  if (!res) return 'again';
  let bodyFailed: boolean;
  try {
    const answer = await judgeAnswer(dl, res);
    if (answer !== 'body') return answer;
    bodyFailed = await receiveBody(dl, res);
  } finally {
    res.dump(); // whatever path left this response: never leave its connection paused
  }
  return afterBody(dl, startSize, bodyFailed);
}

/** A size or sha256 that is not the expected one (INTEGRITY), or undefined. */
function integrityError(dl: Download, size: number, sha256: string): GtError | undefined {
  const { path, expectedSha256 } = dl.target;
  const expectedSize = dl.target.expectedSize ?? dl.total;
  if (expectedSize !== undefined && size !== expectedSize)
    return new GtError('INTEGRITY', `downloaded ${size} bytes for ${path}, expected ${expectedSize}`, {
      path,
      size,
      expectedSize,
    });
  if (expectedSha256 !== undefined && sha256 !== expectedSha256.toLowerCase())
    return new GtError('INTEGRITY', `sha256 mismatch for ${path}`, { path, sha256, expectedSha256 });
  return undefined;
}

/** Verify, then move into place; a .part that fails verification is discarded. */
async function finish(dl: Download): Promise<DownloadResult> {
  const { part } = dl;
  const { path } = dl.target;
  const size = part.size;
  const sha256 = part.hash.digest('hex');
  const mismatch = integrityError(dl, size, sha256);
  if (mismatch) {
    await discard(part, dl.sidecarPath);
    throw mismatch;
  }
  await part.sync();
  await part.close();
  await rename(part.path, path);
  await rm(dl.sidecarPath, { force: true });
  const { contentType, resumed, attempts, renewals } = dl;
  return {
    path,
    size,
    sha256,
    ...(contentType ? { contentType } : {}),
    resumed,
    attempts,
    urlRenewals: renewals,
  };
}

/** The error a failed download throws: always a GtError, with the .part closed. */
async function downloadError(dl: Download, err: unknown): Promise<GtError> {
  await dl.part.close().catch(() => undefined);
  // A refused URL (a hostile redirect or link): nothing of this download is worth keeping.
  if (err instanceof GtError && err.code === 'URL_REFUSED') await discard(dl.part, dl.sidecarPath);
  if (err instanceof GtError) return err;
  const { path } = dl.target;
  const e = err as NodeJS.ErrnoException;
  if (typeof e.code === 'string' && e.code.startsWith('E') && !e.code.startsWith('ERR_'))
    return diskError(e, path);
  return new GtError('DOWNLOAD_FAILED', `download of ${path} failed`, { path }, { cause: err });
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
  const { part, sidecar } = await openPart(target);
  const sidecarPath = sidecarPathOf(target.path);
  const hop = await firstHop(options, part, sidecarPath);
  const dl = newDownload(target, options, part, sidecar, hop);
  try {
    let step: Step = 'again';
    while (step === 'again') step = await attempt(dl);
    return await finish(dl);
  } catch (err) {
    throw await downloadError(dl, err);
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
