// What one attempt of an API request came back with (transport.ts sends it, retry-policy.ts decides
// on a retry). The body is read under a cap and a minimum rate; the answer is then one of:
//   - a 2xx with a JSON (or empty) body → the ApiResponse;
//   - the first 401 of a request → REFRESH_TOKEN (the caller drops the token and tries once more);
//   - 429, or 503 with Retry-After → a RetryableFailure with the server-directed wait;
//   - 500/502/503/504, a garbled 2xx of an idempotent request, a network error or timeout → a
//     RetryableFailure for backoff;
//   - anything else → a thrown GtError (AUTH_FAILED, NOT_FOUND, HTTP_ERROR, INVALID_RESPONSE …).
import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import { GtError } from '../errors.ts';
import type { RateFloor } from '../util/rate-floor.ts';
import { fullJitterDelay, parseRetryAfter, type BackoffOptions } from './retry.ts';
import type { ApiResponse, RetryEvent } from './transport.ts';

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH',
]);
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** A send or body read that got no usable answer: the network failed or the server was too slow. */
export class AttemptFailure {
  readonly kind: 'network' | 'timeout';
  readonly cause: unknown;
  readonly code: string;
  constructor(kind: 'network' | 'timeout', code: string, cause: unknown) {
    this.kind = kind;
    this.code = code;
    this.cause = cause;
  }
}

/** What an undici error means: ABORTED (the caller's signal), an AttemptFailure, or itself. */
export function classifySendError(err: unknown, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted) return new GtError('ABORTED', 'request aborted');
  const code = (err as { code?: string }).code ?? '';
  if (TIMEOUT_CODES.has(code)) return new AttemptFailure('timeout', code, err);
  if (NETWORK_CODES.has(code) || (err as { name?: string }).name === 'SocketError')
    return new AttemptFailure('network', code || 'socket', err);
  return err;
}

/** A failed attempt that may be retried: why, the error to throw if it is not, and any server-directed wait. */
export class RetryableFailure {
  readonly reason: RetryEvent['reason'];
  readonly error: GtError;
  /** Set for 429 and 503-with-Retry-After: how long the server asked the client to pause. */
  readonly serverDelayMs: number | undefined;
  constructor(reason: RetryEvent['reason'], error: GtError, serverDelayMs?: number) {
    this.reason = reason;
    this.error = error;
    this.serverDelayMs = serverDelayMs;
  }
}

/** The first 401 of a request: the token may have been revoked or expired early. */
export const REFRESH_TOKEN: unique symbol = Symbol('refresh-token');

/** What one attempt came to: the response, a failure that may be retried, or the first 401. */
export type Outcome<T> = ApiResponse<T> | RetryableFailure | typeof REFRESH_TOKEN;

/** What classifyResponse needs to know of the request and its retries so far. */
export interface AttemptContext {
  readonly where: { method: string; path: string; family: string };
  readonly idempotent: boolean;
  readonly authRetried: boolean;
  readonly rateLimitRetries: number;
}

/** Reads a body fully, refusing more than `cap` bytes (a hostile or broken server cannot exhaust memory). */
export async function readCapped(
  body: Dispatcher.ResponseData['body'],
  cap: number,
  where: Record<string, unknown>,
  floor?: RateFloor,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).byteLength;
    if (size > cap) {
      body.destroy();
      throw new GtError('INVALID_RESPONSE', `response body larger than ${cap} bytes`, where);
    }
    if (floor?.add((chunk as Buffer).byteLength)) {
      body.destroy();
      throw new GtError('TOO_SLOW', `response body ${floor.describe()}`, where);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** A network error or timeout as the request's error: thrown at once unless the request is idempotent. */
export function networkFailure(f: AttemptFailure, c: AttemptContext, timeoutMs: number): RetryableFailure {
  const { method, path } = c.where;
  const error = new GtError(
    f.kind === 'timeout' ? 'TIMEOUT' : 'NETWORK',
    `${method} ${path}: ${f.kind === 'timeout' ? `no answer within ${timeoutMs} ms` : `network error ${f.code}`}`,
    { ...c.where, cause: f.code },
    { cause: f.cause },
  );
  if (!c.idempotent) throw error;
  return new RetryableFailure(f.kind, error);
}

/** A whole answer (status, headers, body read) → the response, a retryable failure, or a thrown error. */
export function classifyResponse<T>(
  res: Dispatcher.ResponseData,
  raw: Buffer,
  c: AttemptContext,
  backoff: BackoffOptions,
): Outcome<T> {
  const status = res.statusCode;
  if (status >= 200 && status < 300) return successBody<T>(res, raw, c);
  // The token may have been revoked or expired early: drop it and retry once with a new one.
  if (status === 401 && !c.authRetried) return REFRESH_TOKEN;
  const info = errorInfo(raw);
  const details = { status, contextId: info.contextId, genesysCode: info.genesysCode, ...c.where };
  if (status === 429 || status === 503) {
    const retryAfterMs = parseRetryAfter(res.headers['retry-after']);
    if (status === 429 || retryAfterMs !== undefined)
      return rateLimited(res, retryAfterMs, details, c, backoff);
  }
  if (status === 500 || status === 502 || status === 503 || status === 504) {
    return new RetryableFailure(
      'server-error',
      new GtError('HTTP_ERROR', `${c.where.method} ${c.where.path}: HTTP ${status}`, details),
    );
  }
  throw finalError(status, info, details);
}

function successBody<T>(
  res: Dispatcher.ResponseData,
  raw: Buffer,
  c: AttemptContext,
): ApiResponse<T> | RetryableFailure {
  const status = res.statusCode;
  let body: T;
  try {
    body = parseJsonBody<T>(raw, res.headers, { ...c.where, status });
  } catch (err) {
    // A garbled or non-JSON success body is most often an intermediary's glitch: an
    // idempotent request is tried again (paid from the retry budget), others fail now.
    if (!c.idempotent || !(err instanceof GtError)) throw err;
    return new RetryableFailure('invalid-response', err);
  }
  return { status, headers: res.headers, body };
}

/** 429, or 503 with Retry-After: the error if the retries run out, and how long to pause the client. */
function rateLimited(
  res: Dispatcher.ResponseData,
  retryAfterMs: number | undefined,
  details: Record<string, unknown>,
  c: AttemptContext,
  backoff: BackoffOptions,
): RetryableFailure {
  return new RetryableFailure(
    res.statusCode === 429 ? 'rate-limited' : 'unavailable',
    new GtError(
      'RATE_LIMITED',
      `${c.where.method} ${c.where.path}: still rate limited after ${c.rateLimitRetries} retries`,
      details,
    ),
    // Without Retry-After, fall back to the window reset, then to backoff.
    retryAfterMs ??
      secondsHeader(res.headers['inin-ratelimit-reset']) ??
      Math.max(1000, fullJitterDelay(c.rateLimitRetries + 1, backoff)),
  );
}

/** The error of a non-2xx answer no retry can change: 401 after the retry, 403, 404, other 4xx. */
function finalError(
  status: number,
  info: ErrorInfo,
  details: { status: number; method: string; path: string },
): GtError {
  const { method, path } = details;
  if (status === 401 || status === 403) {
    return new GtError(
      status === 401 ? 'AUTH_FAILED' : 'HTTP_ERROR',
      `${method} ${path}: HTTP ${status} ${info.genesysCode ?? ''}`.trim(),
      details,
    );
  }
  if (status === 404) return new GtError('NOT_FOUND', `${method} ${path}: not found`, details);
  // 4xx messages say which limit or field was wrong (e.g. "interval exceeds 7 days"): worth showing.
  const why = info.message ? `: ${info.message.slice(0, 200)}` : '';
  return new GtError(
    'HTTP_ERROR',
    `${method} ${path}: HTTP ${status}${info.genesysCode ? ` ${info.genesysCode}` : ''}${why}`,
    details,
  );
}

interface ErrorInfo {
  genesysCode: string | undefined;
  contextId: string | undefined;
  message: string | undefined;
}

function errorInfo(raw: Buffer): ErrorInfo {
  try {
    const e = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    const s = (v: unknown) => (typeof v === 'string' ? v.slice(0, 300) : undefined);
    return { genesysCode: s(e.code), contextId: s(e.contextId), message: s(e.message) };
  } catch {
    return { genesysCode: undefined, contextId: undefined, message: undefined };
  }
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function secondsHeader(v: string | string[] | undefined): number | undefined {
  const n = Number(first(v));
  return Number.isFinite(n) && n > 0 ? n * 1000 : undefined;
}

function parseJsonBody<T>(raw: Buffer, headers: IncomingHttpHeaders, where: Record<string, unknown>): T {
  if (raw.byteLength === 0) return undefined as T;
  const type = String(first(headers['content-type']) ?? '');
  if (!/json/i.test(type))
    throw new GtError('INVALID_RESPONSE', `expected JSON, got content-type "${type.slice(0, 80)}"`, where);
  try {
    return JSON.parse(raw.toString('utf8')) as T;
  } catch {
    throw new GtError('INVALID_RESPONSE', 'response body is not valid JSON', where);
  }
}
