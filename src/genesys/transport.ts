// The one way this library talks to the Genesys Cloud API. Every request goes through
// `client.request()`, which in order:
//   1. waits for the rate limiter (the client's budget; retries go first),
//   2. attaches a bearer token (TokenManager: cached, one refresh in flight),
//   3. sends on a shared keep-alive undici Agent with per-request timeouts,
//   4. classifies the answer: 2xx → JSON body; 401 → refresh the token and retry once;
//      429/503 + Retry-After → pause the whole client for exactly that long, then retry;
//      500/502/504, network errors, timeouts → full-jitter backoff, paid from a retry token
//      bucket (no stampede); anything else → a typed GtError.
// Events (`client.events`) report every attempt, retry, rate limit and token refresh for metrics
// and audit; they carry method, path and timings, never a token or the secret.
import { EventEmitter } from 'node:events';
import type { IncomingHttpHeaders } from 'node:http';
import { Agent, request as undiciRequest, type Dispatcher } from 'undici';
import { GtError } from '../errors.ts';
import { proxyFor, type GenesysConfig, type ProxySettings } from '../config/index.ts';
import { createDispatcher } from './proxy.ts';
import { TokenManager } from './auth.ts';
import { InMemoryRateLimiter, rateLimitKey, type RateLimiter } from './rate-limiter.ts';
import {
  DEFAULT_BACKOFF,
  fullJitterDelay,
  parseRetryAfter,
  RetryTokenBucket,
  type BackoffOptions,
  type RetryTokenBucketOptions,
} from './retry.ts';
import { sleep } from '../util/sleep.ts';
import { NETWORK_DEFAULTS } from '../config/limits.ts';
import { RateFloor } from '../util/rate-floor.ts';
import { DownloadUrlPolicy } from './url-policy.ts';

export type { RateLimiter } from './rate-limiter.ts';
export { InMemoryRateLimiter, rateLimitKey } from './rate-limiter.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD';
export type QueryValue = string | number | boolean | undefined | readonly (string | number)[];

export interface ApiRequest {
  method: HttpMethod;
  /** Path under the API base, starting with /api/v2/. IDs in it must already be encoded (see endpoints/ids.ts). */
  path: string;
  /**
   * Arrays become ONE comma-separated parameter (`id=a,b`), as the official SDK's serializer sends
   * every collection; undefined values are left out.
   */
  query?: Record<string, QueryValue>;
  /** JSON-encoded when present. */
  body?: unknown;
  /** Request family for metrics and limiter keys, e.g. 'analytics', 'recordings'. Default 'api'. */
  family?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
  /**
   * May a network failure be retried (the server may have acted on it)? Defaults to true for
   * GET/HEAD/PUT/DELETE and false for POST; query POSTs (analytics) set it to true.
   */
  idempotent?: boolean;
  /** Refuse response bodies larger than this (default 32 MiB). */
  maxBodyBytes?: number;
}

export interface ApiResponse<T> {
  status: number;
  headers: IncomingHttpHeaders;
  /** Parsed JSON, or undefined for an empty body. Endpoints validate it with zod. */
  body: T;
}

export interface RequestEvent {
  method: HttpMethod;
  path: string;
  family: string;
  /** 0 when no HTTP answer came (network error, timeout). */
  status: number;
  durationMs: number;
  attempt: number;
}
export interface RetryEvent {
  reason:
    | 'rate-limited'
    | 'unavailable'
    | 'server-error'
    | 'network'
    | 'timeout'
    | 'unauthorized'
    /** a 2xx whose body was not the JSON it should be (garbled, HTML from a proxy) */
    | 'invalid-response';
  delayMs: number;
  attempt: number;
  method: HttpMethod;
  path: string;
  family: string;
}
export interface RateLimitedEvent {
  retryAfterMs: number;
  status: number;
  family: string;
}
export interface TokenRefreshEvent {
  expiresInSeconds: number;
  durationMs: number;
}

export interface GenesysClientEvents {
  request: [RequestEvent];
  retry: [RetryEvent];
  rateLimited: [RateLimitedEvent];
  tokenRefresh: [TokenRefreshEvent];
}

export interface SignedFetchOptions {
  method?: 'GET' | 'HEAD';
  /** e.g. Range. An Authorization header is refused: signed URLs must not receive our token. */
  headers?: Record<string, string>;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface GenesysClient {
  readonly apiUrl: string;
  readonly clientId: string;
  /** The keep-alive dispatcher, to share with downloaders (fetchSigned already uses it). */
  readonly dispatcher: Dispatcher;
  /** The proxy settings the dispatcher applies, for the media path (lean-get) to apply too. */
  readonly proxy?: ProxySettings | undefined;
  readonly limiter: RateLimiter;
  readonly events: EventEmitter<GenesysClientEvents>;
  /** Which URLs from API answers may be downloaded (media, transcripts); fetchSigned applies it. */
  readonly downloadPolicy: DownloadUrlPolicy;
  /** Caps for bodies read outside request(): media files, and the floor of any transfer rate. */
  readonly transferLimits: { maxMediaBytes: number; minTransferRate: number; rateWindowMs: number };
  request<T = unknown>(req: ApiRequest): Promise<ApiResponse<T>>;
  /**
   * GET a pre-signed URL (transcript JSON, media) WITHOUT Authorization, on the shared dispatcher,
   * outside the API rate budget. Redirects are NOT followed (a 3xx comes back to the caller), and
   * nothing is retried: signed URLs expire, so callers retry by asking the API for a fresh URL.
   * The caller must consume or dump `body`.
   */
  fetchSigned(url: string, options?: SignedFetchOptions): Promise<Dispatcher.ResponseData>;
  /** Closes the dispatcher (unless one was injected). */
  close(): Promise<void>;
}

export interface GenesysClientOptions {
  /** Injectable (e.g. Redis-backed for distributed workers). Default: InMemoryRateLimiter capped at config.rateLimitPerMinute. */
  limiter?: RateLimiter;
  /** Injectable dispatcher; not closed by client.close(). */
  dispatcher?: Dispatcher;
  backoff?: Partial<BackoffOptions>;
  retryBucket?: RetryTokenBucket | Partial<RetryTokenBucketOptions>;
  /** 429/503-with-Retry-After retries per request before RATE_LIMITED (they cost no retry tokens). */
  maxRateLimitRetries?: number;
  /** Max parallel connections per origin on the default Agent. */
  connections?: number;
  maxBodyBytes?: number;
}

export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;

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

/**
 * Builds `?a=1&id=x,y` from a query object. Arrays are joined with commas, like the SDK's
 * ApiClient.serialize(); commas stay literal (as axios leaves them), which is what the service
 * is known to accept from the SDK.
 */
export function buildQuery(query: Record<string, QueryValue> | undefined): string {
  if (!query) return '';
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    sp.append(k, Array.isArray(v) ? v.map(String).join(',') : String(v));
  }
  const s = sp.toString().replace(/%2C/gi, ',');
  return s ? `?${s}` : '';
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** Reads a body fully, refusing more than `cap` bytes (a hostile or broken server cannot exhaust memory). */
async function readCapped(
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

class AttemptFailure {
  readonly kind: 'network' | 'timeout' | 'invalid-response';
  readonly cause: unknown;
  readonly code: string;
  constructor(kind: 'network' | 'timeout' | 'invalid-response', code: string, cause: unknown) {
    this.kind = kind;
    this.code = code;
    this.cause = cause;
  }
}

export function createGenesysClient(
  config: GenesysConfig,
  options: GenesysClientOptions = {},
): GenesysClient {
  const ownDispatcher = options.dispatcher === undefined;
  const dispatcher: Dispatcher =
    options.dispatcher ??
    createDispatcher(config.proxy, {
      connections: options.connections ?? 32,
      keepAliveTimeout: 10_000,
      keepAliveMaxTimeout: 60_000,
    });
  const limiter =
    options.limiter ?? new InMemoryRateLimiter({ ceiling: config.rateLimitPerMinute, windowMs: 60_000 });
  const bucket =
    options.retryBucket instanceof RetryTokenBucket
      ? options.retryBucket
      : new RetryTokenBucket(options.retryBucket ?? {});
  const backoff: BackoffOptions = { ...DEFAULT_BACKOFF, ...options.backoff };
  const maxRateLimitRetries = options.maxRateLimitRetries ?? 20;
  const maxBodyDefault = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const maxRetryAfterMs = (config.maxRetryAfterSeconds ?? NETWORK_DEFAULTS.maxRetryAfterSeconds) * 1000;
  const minRate = config.minTransferRate ?? NETWORK_DEFAULTS.minTransferRate;
  const rateWindowMs = (config.minTransferWindowSeconds ?? NETWORK_DEFAULTS.minTransferWindowSeconds) * 1000;
  const floor = () => new RateFloor({ minBytesPerSecond: minRate, windowMs: rateWindowMs });
  const downloadPolicy = new DownloadUrlPolicy({
    apiUrl: config.apiUrl,
    allowPrivate: config.allowPrivateDownloads ?? false,
  });
  // Signed hosts whose names need the address check connect through this agent (url-policy.ts).
  let checkedAgent: Agent | undefined;
  const events = new EventEmitter<GenesysClientEvents>();
  const tokens = new TokenManager({
    loginUrl: config.loginUrl,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    dispatcher,
    timeoutMs: config.requestTimeoutMs,
    onRefresh: (e) => events.emit('tokenRefresh', e),
  });

  async function send(req: ApiRequest, token: string, timeoutMs: number) {
    try {
      return await undiciRequest(`${config.apiUrl}${req.path}${buildQuery(req.query)}`, {
        method: req.method,
        dispatcher,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(req.body !== undefined ? { body: JSON.stringify(req.body) } : {}),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        ...(req.signal ? { signal: req.signal } : {}),
      });
    } catch (err) {
      throw classifySendError(err, req.signal);
    }
  }

  function classifySendError(err: unknown, signal: AbortSignal | undefined): unknown {
    if (signal?.aborted) return new GtError('ABORTED', 'request aborted');
    const code = (err as { code?: string }).code ?? '';
    if (TIMEOUT_CODES.has(code)) return new AttemptFailure('timeout', code, err);
    if (NETWORK_CODES.has(code) || (err as { name?: string }).name === 'SocketError')
      return new AttemptFailure('network', code || 'socket', err);
    return err;
  }

  async function request<T = unknown>(req: ApiRequest): Promise<ApiResponse<T>> {
    if (!req.path.startsWith('/api/v2/'))
      throw new GtError('USAGE', `API paths start with /api/v2/ (got ${req.path.slice(0, 80)})`);
    const family = req.family ?? 'api';
    const key = rateLimitKey(config.clientId, family);
    const idempotent = req.idempotent ?? req.method !== 'POST';
    const timeoutMs = req.timeoutMs ?? config.requestTimeoutMs;
    const cap = req.maxBodyBytes ?? maxBodyDefault;
    const where = { method: req.method, path: req.path, family };
    let spent = 0;
    let transientRetries = 0;
    let rateLimitRetries = 0;
    let authRetried = false;
    let priority: 'retry' | 'normal' = 'normal';

    for (let attempt = 1; ; attempt += 1) {
      await limiter.acquire(key, req.signal, { priority });
      const token = await tokens.getToken();
      const started = performance.now();
      let failure: { reason: RetryEvent['reason']; error: GtError; serverDelayMs?: number };
      try {
        const res = await send(req, token, timeoutMs);
        limiter.observe(key, res.headers);
        let raw: Buffer;
        try {
          raw = await readCapped(res.body, cap, { ...where, status: res.statusCode }, floor());
        } catch (err) {
          throw err instanceof GtError ? err : classifySendError(err, req.signal);
        }
        events.emit('request', {
          ...where,
          status: res.statusCode,
          durationMs: Math.round(performance.now() - started),
          attempt,
        });
        const status = res.statusCode;
        if (status >= 200 && status < 300) {
          let body: T;
          try {
            body = parseJsonBody<T>(raw, res.headers, { ...where, status });
          } catch (err) {
            // A garbled or non-JSON success body is most often an intermediary's glitch: an
            // idempotent request is tried again (paid from the retry budget), others fail now.
            if (!idempotent || !(err instanceof GtError)) throw err;
            throw new AttemptFailure('invalid-response', 'INVALID_RESPONSE', err);
          }
          bucket.release(spent);
          return { status, headers: res.headers, body };
        }
        const info = errorInfo(raw);
        const details = { status, contextId: info.contextId, genesysCode: info.genesysCode, ...where };
        if (status === 401 && !authRetried) {
          // The token may have been revoked or expired early: drop it and retry once with a new one.
          authRetried = true;
          tokens.invalidate(token);
          events.emit('retry', { reason: 'unauthorized', delayMs: 0, attempt, ...where });
          priority = 'retry';
          continue;
        }
        if (status === 401 || status === 403) {
          throw new GtError(
            status === 401 ? 'AUTH_FAILED' : 'HTTP_ERROR',
            `${req.method} ${req.path}: HTTP ${status} ${info.genesysCode ?? ''}`.trim(),
            details,
          );
        }
        if (status === 404) throw new GtError('NOT_FOUND', `${req.method} ${req.path}: not found`, details);
        const retryAfterMs = parseRetryAfter(res.headers['retry-after']);
        if (status === 429 || (status === 503 && retryAfterMs !== undefined)) {
          failure = {
            reason: status === 429 ? 'rate-limited' : 'unavailable',
            error: new GtError(
              'RATE_LIMITED',
              `${req.method} ${req.path}: still rate limited after ${rateLimitRetries} retries`,
              details,
            ),
            // Without Retry-After, fall back to the window reset, then to backoff.
            serverDelayMs:
              retryAfterMs ??
              secondsHeader(res.headers['inin-ratelimit-reset']) ??
              Math.max(1000, fullJitterDelay(rateLimitRetries + 1, backoff)),
          };
        } else if (status === 500 || status === 502 || status === 503 || status === 504) {
          failure = {
            reason: 'server-error',
            error: new GtError('HTTP_ERROR', `${req.method} ${req.path}: HTTP ${status}`, details),
          };
        } else {
          // 4xx messages say which limit or field was wrong (e.g. "interval exceeds 7 days"): worth showing.
          const why = info.message ? `: ${info.message.slice(0, 200)}` : '';
          throw new GtError(
            'HTTP_ERROR',
            `${req.method} ${req.path}: HTTP ${status}${info.genesysCode ? ` ${info.genesysCode}` : ''}${why}`,
            details,
          );
        }
      } catch (err) {
        if (!(err instanceof AttemptFailure)) throw err;
        if (err.kind === 'invalid-response') {
          // The request event was emitted with the real status above; the error is the parser's.
          failure = { reason: 'invalid-response', error: err.cause as GtError };
        } else {
          events.emit('request', {
            ...where,
            status: 0,
            durationMs: Math.round(performance.now() - started),
            attempt,
          });
          const code = err.kind === 'timeout' ? 'TIMEOUT' : 'NETWORK';
          const error = new GtError(
            code,
            `${req.method} ${req.path}: ${err.kind === 'timeout' ? `no answer within ${timeoutMs} ms` : `network error ${err.code}`}`,
            { ...where, cause: err.code },
            { cause: err.cause },
          );
          if (!idempotent) throw error;
          failure = { reason: err.kind, error };
        }
      }

      priority = 'retry';
      if (failure.serverDelayMs !== undefined) {
        // Server-directed wait: pause every request of this client, exactly that long — up to a cap:
        // a Retry-After of a day would hang the export silently.
        if (failure.serverDelayMs > maxRetryAfterMs)
          throw new GtError(
            'RATE_LIMITED',
            `${req.method} ${req.path}: the server asked to wait ${Math.ceil(failure.serverDelayMs / 1000)} s, over the ${maxRetryAfterMs / 1000} s cap (--max-retry-after)`,
            { ...failure.error.details, retryAfterMs: failure.serverDelayMs },
          );
        if (rateLimitRetries >= maxRateLimitRetries) throw failure.error;
        rateLimitRetries += 1;
        limiter.pauseUntil(key, Date.now() + failure.serverDelayMs);
        events.emit('rateLimited', {
          retryAfterMs: failure.serverDelayMs,
          status: Number(failure.error.details.status ?? 0),
          family,
        });
        events.emit('retry', { reason: failure.reason, delayMs: failure.serverDelayMs, attempt, ...where });
        continue;
      }
      if (transientRetries + 1 >= config.maxAttempts) throw failure.error;
      const cost = bucket.acquire(failure.reason === 'timeout' ? 'timeout' : 'other');
      if (cost === undefined) {
        throw new GtError(
          'RETRY_BUDGET_EXHAUSTED',
          `${req.method} ${req.path}: not retried, the client's retry budget is spent (${failure.error.code})`,
          {
            ...failure.error.details,
            lastErrorCode: failure.error.code,
          },
          { cause: failure.error },
        );
      }
      spent += cost;
      transientRetries += 1;
      const delayMs = fullJitterDelay(transientRetries, backoff);
      events.emit('retry', { reason: failure.reason, delayMs, attempt, ...where });
      await sleep(delayMs, req.signal, 'request aborted');
    }
  }

  async function fetchSigned(url: string, o: SignedFetchOptions = {}): Promise<Dispatcher.ResponseData> {
    const { url: u, lookup } = downloadPolicy.check(url);
    const headers = o.headers ?? {};
    if (Object.keys(headers).some((h) => h.toLowerCase() === 'authorization')) {
      throw new GtError('USAGE', 'fetchSigned never sends an Authorization header');
    }
    const timeoutMs = o.timeoutMs ?? config.requestTimeoutMs;
    try {
      // Through a proxy the address check cannot run (the proxy resolves the name): see lean-get.ts.
      const checked = lookup !== undefined && proxyFor(config.proxy, u) === undefined;
      if (checked) checkedAgent ??= new Agent({ connect: { lookup } });
      return await undiciRequest(u, {
        method: o.method ?? 'GET',
        dispatcher: checked ? checkedAgent! : dispatcher,
        headers,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        ...(o.signal ? { signal: o.signal } : {}),
      });
    } catch (err) {
      const c = classifySendError(err, o.signal);
      // The host is named (no query: its signature is a credential), so logs stay useful.
      if (c instanceof AttemptFailure) {
        throw new GtError(
          c.kind === 'timeout' ? 'TIMEOUT' : 'NETWORK',
          `signed URL fetch from ${u.host} failed (${c.code})`,
          { host: u.host, cause: c.code },
        );
      }
      throw c;
    }
  }

  return {
    apiUrl: config.apiUrl,
    clientId: config.clientId,
    dispatcher,
    proxy: config.proxy,
    limiter,
    events,
    downloadPolicy,
    transferLimits: {
      maxMediaBytes: config.maxMediaBytes ?? NETWORK_DEFAULTS.maxMediaBytes,
      minTransferRate: minRate,
      rateWindowMs,
    },
    request,
    fetchSigned,
    async close() {
      await checkedAgent?.close();
      if (ownDispatcher) await dispatcher.close();
    },
  };
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
