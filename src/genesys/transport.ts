// The one way this library talks to the Genesys Cloud API. Every request goes through
// `client.request()`, which in order:
//   1. waits for the rate limiter (the client's budget; retries go first),
//   2. attaches a bearer token (TokenManager: cached, one refresh in flight),
//   3. sends on a shared keep-alive undici Agent with per-request timeouts,
//   4. classifies the answer (response.ts): 2xx → JSON body; 401 → refresh the token and retry
//      once; 429/503 + Retry-After → pause the whole client for exactly that long, then retry;
//      500/502/504, network errors, timeouts → full-jitter backoff, paid from a retry token
//      bucket (no stampede; retry-policy.ts); anything else → a typed GtError.
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
  RetryTokenBucket,
  type BackoffOptions,
  type RetryTokenBucketOptions,
} from './retry.ts';
import { RetryPolicy, type RetryState } from './retry-policy.ts';
import {
  AttemptFailure,
  classifyResponse,
  classifySendError,
  networkFailure,
  readCapped,
  REFRESH_TOKEN,
  RetryableFailure,
  type AttemptContext,
  type Outcome,
} from './response.ts';
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
  const events = new EventEmitter<GenesysClientEvents>();
  const tokens = new TokenManager({
    loginUrl: config.loginUrl,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    dispatcher,
    timeoutMs: config.requestTimeoutMs,
    onRefresh: (e) => events.emit('tokenRefresh', e),
  });
  const minTransferRate = config.minTransferRate ?? NETWORK_DEFAULTS.minTransferRate;
  const rateWindowMs = (config.minTransferWindowSeconds ?? NETWORK_DEFAULTS.minTransferWindowSeconds) * 1000;
  const api = new ApiRequester({
    config,
    dispatcher,
    limiter,
    tokens,
    events,
    policy: retryPolicy(config, options),
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    floor: { minBytesPerSecond: minTransferRate, windowMs: rateWindowMs },
  });
  const signed = new SignedFetcher(config, dispatcher);
  return {
    apiUrl: config.apiUrl,
    clientId: config.clientId,
    dispatcher,
    proxy: config.proxy,
    limiter,
    events,
    downloadPolicy: signed.policy,
    transferLimits: {
      maxMediaBytes: config.maxMediaBytes ?? NETWORK_DEFAULTS.maxMediaBytes,
      minTransferRate,
      rateWindowMs,
    },
    request: (req) => api.request(req),
    fetchSigned: (url, o) => signed.fetch(url, o),
    async close() {
      await signed.close();
      if (ownDispatcher) await dispatcher.close();
    },
  };
}

function retryPolicy(config: GenesysConfig, options: GenesysClientOptions): RetryPolicy {
  return new RetryPolicy({
    bucket:
      options.retryBucket instanceof RetryTokenBucket
        ? options.retryBucket
        : new RetryTokenBucket(options.retryBucket ?? {}),
    backoff: { ...DEFAULT_BACKOFF, ...options.backoff },
    maxAttempts: config.maxAttempts,
    maxRateLimitRetries: options.maxRateLimitRetries ?? 20,
    maxRetryAfterMs: (config.maxRetryAfterSeconds ?? NETWORK_DEFAULTS.maxRetryAfterSeconds) * 1000,
  });
}

/** One API request as it goes: its constants, its retries so far (retry-policy.ts) and its priority. */
class RequestState implements RetryState, AttemptContext {
  readonly key: string;
  readonly where: { method: HttpMethod; path: string; family: string };
  readonly idempotent: boolean;
  readonly timeoutMs: number;
  readonly cap: number;
  spent = 0;
  transientRetries = 0;
  rateLimitRetries = 0;
  authRetried = false;
  priority: 'retry' | 'normal' = 'normal';

  constructor(req: ApiRequest, clientId: string, requestTimeoutMs: number, maxBodyBytes: number) {
    const family = req.family ?? 'api';
    this.key = rateLimitKey(clientId, family);
    this.where = { method: req.method, path: req.path, family };
    this.idempotent = req.idempotent ?? req.method !== 'POST';
    this.timeoutMs = req.timeoutMs ?? requestTimeoutMs;
    this.cap = req.maxBodyBytes ?? maxBodyBytes;
  }
}

interface ApiRequesterDeps {
  config: GenesysConfig;
  dispatcher: Dispatcher;
  limiter: RateLimiter;
  tokens: TokenManager;
  events: EventEmitter<GenesysClientEvents>;
  policy: RetryPolicy;
  maxBodyBytes: number;
  /** The minimum transfer rate of a response body (a fresh RateFloor per attempt). */
  floor: { minBytesPerSecond: number; windowMs: number };
}

/** client.request(): attempts through the limiter and the dispatcher until an answer or a final error. */
class ApiRequester {
  private readonly d: ApiRequesterDeps;

  constructor(deps: ApiRequesterDeps) {
    this.d = deps;
  }

  async request<T>(req: ApiRequest): Promise<ApiResponse<T>> {
    if (!req.path.startsWith('/api/v2/'))
      throw new GtError('USAGE', `API paths start with /api/v2/ (got ${req.path.slice(0, 80)})`);
    const { config, limiter, tokens } = this.d;
    const s = new RequestState(req, config.clientId, config.requestTimeoutMs, this.d.maxBodyBytes);
    for (let attempt = 1; ; attempt += 1) {
      await limiter.acquire(s.key, req.signal, { priority: s.priority });
      const token = await tokens.getToken();
      const outcome = await this.attempt<T>(req, s, token, attempt);
      if (outcome === REFRESH_TOKEN) {
        this.refreshToken(s, token, attempt);
      } else if (outcome instanceof RetryableFailure) {
        const delayMs = this.retryAfter(outcome, s, attempt);
        // undefined: the limiter's pause is the wait (every request of the client waits it).
        if (delayMs !== undefined) await sleep(delayMs, req.signal, 'request aborted');
      } else {
        this.d.policy.succeeded(s);
        return outcome;
      }
    }
  }

  /** One send and body read; the answer classified (response.ts). */
  private async attempt<T>(
    req: ApiRequest,
    s: RequestState,
    token: string,
    attempt: number,
  ): Promise<Outcome<T>> {
    const started = performance.now();
    let res: Dispatcher.ResponseData;
    try {
      res = await undiciRequest(
        apiUrl(this.d.config, req),
        dispatchOptions(req, token, s.timeoutMs, this.d.dispatcher),
      );
    } catch (err) {
      return this.noAnswer(classifySendError(err, req.signal), s, started, attempt);
    }
    this.d.limiter.observe(s.key, res.headers);
    let raw: Buffer;
    try {
      raw = await readCapped(
        res.body,
        s.cap,
        { ...s.where, status: res.statusCode },
        new RateFloor(this.d.floor),
      );
    } catch (err) {
      const failed = err instanceof GtError ? err : classifySendError(err, req.signal);
      // A body refused mid-read (too large, too slow) was still an answer, and it spent the budget:
      // reported with its status before the error is thrown (noAnswer reports the network failures).
      if (!(failed instanceof AttemptFailure)) this.emitRequest(s, res.statusCode, started, attempt);
      return this.noAnswer(failed, s, started, attempt);
    }
    this.emitRequest(s, res.statusCode, started, attempt);
    return classifyResponse<T>(res, raw, s, this.d.policy.backoff);
  }

  /** A send or read that failed: a network failure or timeout may be retried, anything else is thrown. */
  private noAnswer(err: unknown, s: RequestState, started: number, attempt: number): RetryableFailure {
    if (!(err instanceof AttemptFailure)) throw err;
    this.emitRequest(s, 0, started, attempt);
    return networkFailure(err, s, s.timeoutMs);
  }

  private emitRequest(s: RequestState, status: number, started: number, attempt: number): void {
    this.d.events.emit('request', {
      ...s.where,
      status,
      durationMs: Math.round(performance.now() - started),
      attempt,
    });
  }

  /** The first 401: drop the token, so the next attempt gets a new one. */
  private refreshToken(s: RequestState, token: string, attempt: number): void {
    s.authRetried = true;
    this.d.tokens.invalidate(token);
    this.d.events.emit('retry', { reason: 'unauthorized', delayMs: 0, attempt, ...s.where });
    s.priority = 'retry';
  }

  /**
   * Pauses the client for a server-directed wait (returns undefined), or returns the backoff to
   * sleep before a guessed retry; throws the request's error when it gets no retry (retry-policy.ts).
   */
  private retryAfter(failure: RetryableFailure, s: RequestState, attempt: number): number | undefined {
    const { policy, events } = this.d;
    s.priority = 'retry';
    if (failure.serverDelayMs !== undefined) {
      const pauseMs = policy.serverWait(failure, s, failure.serverDelayMs);
      this.d.limiter.pauseUntil(s.key, Date.now() + pauseMs);
      events.emit('rateLimited', {
        retryAfterMs: pauseMs,
        status: Number(failure.error.details.status ?? 0),
        family: s.where.family,
      });
      events.emit('retry', { reason: failure.reason, delayMs: pauseMs, attempt, ...s.where });
      return undefined;
    }
    const delayMs = policy.backoffDelay(failure, s);
    events.emit('retry', { reason: failure.reason, delayMs, attempt, ...s.where });
    return delayMs;
  }
}

function apiUrl(config: GenesysConfig, req: ApiRequest): string {
  return `${config.apiUrl}${req.path}${buildQuery(req.query)}`;
}

/** The request as undici sends it: our bearer token, JSON both ways, one timeout for headers and body. */
function dispatchOptions(req: ApiRequest, token: string, timeoutMs: number, dispatcher: Dispatcher) {
  return {
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
  };
}

/** client.fetchSigned(): pre-signed URLs, checked by the download policy, never with our token. */
class SignedFetcher {
  readonly policy: DownloadUrlPolicy;
  private readonly config: GenesysConfig;
  private readonly dispatcher: Dispatcher;
  // Signed hosts whose names need the address check connect through this agent (url-policy.ts).
  private checkedAgent: Agent | undefined;

  constructor(config: GenesysConfig, dispatcher: Dispatcher) {
    this.config = config;
    this.dispatcher = dispatcher;
    this.policy = new DownloadUrlPolicy({
      apiUrl: config.apiUrl,
      allowPrivate: config.allowPrivateDownloads ?? false,
    });
  }

  async fetch(url: string, o: SignedFetchOptions = {}): Promise<Dispatcher.ResponseData> {
    const { url: u, lookup } = this.policy.check(url);
    const headers = o.headers ?? {};
    if (Object.keys(headers).some((h) => h.toLowerCase() === 'authorization')) {
      throw new GtError('USAGE', 'fetchSigned never sends an Authorization header');
    }
    const timeoutMs = o.timeoutMs ?? this.config.requestTimeoutMs;
    try {
      // Through a proxy the address check cannot run (the proxy resolves the name): see lean-get.ts.
      const checked = lookup !== undefined && proxyFor(this.config.proxy, u) === undefined;
      if (checked) this.checkedAgent ??= new Agent({ connect: { lookup } });
      return await undiciRequest(u, {
        method: o.method ?? 'GET',
        dispatcher: checked ? this.checkedAgent! : this.dispatcher,
        headers,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        ...(o.signal ? { signal: o.signal } : {}),
      });
    } catch (err) {
      throw signedFetchError(classifySendError(err, o.signal), u.host);
    }
  }

  async close(): Promise<void> {
    await this.checkedAgent?.close();
  }
}

function signedFetchError(c: unknown, host: string): unknown {
  // The host is named (no query: its signature is a credential), so logs stay useful.
  if (c instanceof AttemptFailure) {
    return new GtError(
      c.kind === 'timeout' ? 'TIMEOUT' : 'NETWORK',
      `signed URL fetch from ${host} failed (${c.code})`,
      { host, cause: c.code },
    );
  }
  return c;
}
