// A RateLimiter (src/genesys/rate-limiter.ts) whose budget lives in Redis, so every worker process
// on every machine draws from ONE budget per OAuth client, the way Genesys counts it. Like
// octokit's plugin-throttling Redis clustering, processes coordinate only through Redis.
//
// Why a hand-written Lua script and not rate-limiter-flexible's RateLimiterRedis: that one counts
// fixed windows, which lets 2× the budget through around a window boundary, and a sliding server
// window would answer 429. It also has no notion of a shared Retry-After pause or of a budget
// learnt from response headers. The script is the same sliding-window log as InMemoryRateLimiter
// (a request is granted only if fewer than `allowed` were granted in the last window), made
// atomic across processes. It reads the clock with Redis TIME, so machines with skewed clocks
// still agree on when a window ends.
//
// Per client, three keys (one hash tag, so they live on one Redis Cluster slot):
//   <prefix>:{<clientId>}:sent     sorted set of grants (score = Redis time in ms)
//   <prefix>:{<clientId>}:pause    epoch ms (Redis clock) before which nobody may send: a 429 seen
//                                  by one worker pauses all of them
//   <prefix>:{<clientId>}:allowed  budget announced in inin-ratelimit-allowed (each process paces
//                                  to the smaller of its --rate-limit and this less the headroom)
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { GtError } from '../errors.ts';
import {
  clientOfKey,
  readRateLimitHeaders,
  type AcquireOptions,
  type Headers,
  type RateLimiter,
} from '../genesys/rate-limiter.ts';
import { ASSUMED_PER_MINUTE, DEFAULT_HEADROOM, type BudgetPolicy } from '../genesys/budget.ts';

const ACQUIRE_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
if paused > now then return paused - now end
local window = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
-- The budget: the announced one (else the assumed ARGV[2]) less the headroom fraction ARGV[5],
-- capped by this process's ceiling ARGV[4] (0 = none). A server that answered without announcing
-- one ('none') is paced only by the ceiling. See src/genesys/budget.ts.
local stored = redis.call('GET', KEYS[3])
local ceiling = tonumber(ARGV[4])
local allowed
if stored == 'none' then
  if ceiling > 0 then allowed = ceiling else allowed = math.huge end
else
  local announced = tonumber(stored or ARGV[2])
  allowed = announced - math.floor(announced * tonumber(ARGV[5]))
  if ceiling > 0 and ceiling < allowed then allowed = ceiling end
end
if allowed < 1 then allowed = 1 end
local count = redis.call('ZCARD', KEYS[1])
if count >= allowed then
  -- Wait until enough grants leave the window for one more to fit.
  local entry = redis.call('ZRANGE', KEYS[1], count - allowed, count - allowed, 'WITHSCORES')
  return math.max(1, tonumber(entry[2]) + window - now + 1)
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], window * 2)
return 0
`;

// ARGV[1] = pause length in ms from now. Only ever extends a pause (a later, shorter Retry-After
// must not cut short a longer one another worker saw).
const PAUSE_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local untilMs = now + tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if untilMs > current then redis.call('SET', KEYS[1], untilMs, 'PX', tonumber(ARGV[1]) + 1000) end
return untilMs
`;

// A response said the server's window is spent (count >= allowed). If our own grants in the last
// window explain that count, the limiter is already pacing for it and a pause would only waste
// budget (up to a second per window: the reset header is whole seconds). If they do not, someone
// outside this Redis uses the same client: pause everyone until the server's reset.
// KEYS[1] = sent, KEYS[2] = pause; ARGV[1] = window ms, ARGV[2] = server count, ARGV[3] = pause ms.
const FULL_WINDOW_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ours = redis.call('ZCOUNT', KEYS[1], now - tonumber(ARGV[1]), '+inf')
if tonumber(ARGV[2]) <= ours then return 0 end
local untilMs = now + tonumber(ARGV[3])
local current = tonumber(redis.call('GET', KEYS[2]) or '0')
if untilMs > current then redis.call('SET', KEYS[2], untilMs, 'PX', tonumber(ARGV[3]) + 1000) end
return untilMs
`;

/** Stored in place of an announced budget when the server answered without one. */
const UNANNOUNCED = 'none';

export interface RedisRateLimiterOptions extends BudgetPolicy {
  /**
   * What Genesys is assumed to announce per OAuth client until inin-ratelimit-allowed says
   * (Genesys: 300). The ceiling and the headroom apply to it as to an announced budget.
   */
  perWindow?: number;
  /** The server's window. Genesys counts per minute. */
  windowMs?: number;
  /**
   * Extra width added to our window, covering the grant→arrival delay: a grant counted at Redis
   * time T reaches the server a little later, so pacing over window+slack keeps the server's
   * own window within budget. Default: 5% of the window, at most 1 s (as InMemoryRateLimiter).
   */
  slackMs?: number;
  /** Key prefix, e.g. per deployment or per test. */
  prefix?: string;
  /** Upper bound on one sleep before asking Redis again (a raised budget is noticed this fast). */
  maxSleepMs?: number;
  /** Called when Redis fails during observe/pauseUntil (which cannot throw). */
  onError?: (err: unknown) => void;
}

interface Waiter {
  resolve: () => void;
  reject: (err: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/** Requests of one OAuth client waiting in THIS process; one pump per client asks Redis. */
interface LocalQueue {
  retries: Waiter[];
  fresh: Waiter[];
  pumping: boolean;
  wake: (() => void) | undefined;
}

export class RedisRateLimiter implements RateLimiter {
  private readonly redis: Redis;
  private readonly perWindow: number;
  private readonly ceiling: number;
  private readonly headroom: number;
  private readonly windowMs: number;
  private readonly prefix: string;
  private readonly maxSleepMs: number;
  private readonly onError: (err: unknown) => void;
  private readonly queues = new Map<string, LocalQueue>();
  private closed = false;

  constructor(redis: Redis, options: RedisRateLimiterOptions = {}) {
    this.redis = redis;
    this.perWindow = options.perWindow ?? ASSUMED_PER_MINUTE;
    this.ceiling = options.ceiling ?? 0;
    this.headroom = options.headroom ?? DEFAULT_HEADROOM;
    const windowMs = options.windowMs ?? 60_000;
    this.windowMs = windowMs + (options.slackMs ?? Math.min(1000, Math.ceil(windowMs * 0.05)));
    this.prefix = options.prefix ?? 'gt:ratelimit';
    this.maxSleepMs = options.maxSleepMs ?? 5000;
    this.onError = options.onError ?? (() => {});
  }

  private keys(client: string): [sent: string, pause: string, allowed: string] {
    const base = `${this.prefix}:{${client}}`;
    return [`${base}:sent`, `${base}:pause`, `${base}:allowed`];
  }

  acquire(key: string, signal?: AbortSignal, options: AcquireOptions = {}): Promise<void> {
    if (signal?.aborted) return Promise.reject(new GtError('ABORTED', 'request aborted'));
    if (this.closed) return Promise.reject(new GtError('ABORTED', 'rate limiter closed'));
    const client = clientOfKey(key);
    let q = this.queues.get(client);
    if (!q) {
      q = { retries: [], fresh: [], pumping: false, wake: undefined };
      this.queues.set(client, q);
    }
    const queue = options.priority === 'retry' ? q.retries : q.fresh;
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal, onAbort: undefined };
      if (signal) {
        waiter.onAbort = () => {
          const i = queue.indexOf(waiter);
          if (i >= 0) queue.splice(i, 1);
          reject(new GtError('ABORTED', 'request aborted'));
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      queue.push(waiter);
      if (!q.pumping) void this.pump(client, q);
    });
  }

  observe(key: string, headers: Headers): void {
    const client = clientOfKey(key);
    const { allowed, spent } = readRateLimitHeaders(headers);
    // Expires so a budget raised later by Genesys support is not shadowed forever.
    if (allowed !== undefined) this.redis.set(this.keys(client)[2], allowed, 'EX', 3600).catch(this.onError);
    // An answer without the headers, while nothing is announced: the server does not say (a gateway
    // that strips them, a test double), so the ceiling alone paces, as in InMemoryRateLimiter.
    // NX: never over an announced budget.
    else this.redis.set(this.keys(client)[2], UNANNOUNCED, 'EX', 3600, 'NX').catch(this.onError);
    // The server says its window is spent: unless our own grants explain it (FULL_WINDOW_LUA),
    // someone outside our Redis shares the client; wait for its reset rather than collect a 429.
    if (spent) {
      const [sent, pause] = this.keys(client);
      this.redis
        .eval(FULL_WINDOW_LUA, 2, sent, pause, this.windowMs, spent.count, spent.resetMs)
        .catch(this.onError);
    }
  }

  pauseUntil(key: string, epochMs: number): void {
    // Sent as a duration: Redis adds it to its own clock, so local clock skew does not matter.
    const ms = Math.ceil(epochMs - Date.now());
    if (ms <= 0) return;
    const client = clientOfKey(key);
    this.redis.eval(PAUSE_LUA, 1, this.keys(client)[1], ms).catch(this.onError);
  }

  /** Requests of this process waiting for budget (all clients). */
  get waiting(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.retries.length + q.fresh.length;
    return n;
  }

  /** Rejects everything still waiting; does not close the Redis connection (the caller owns it). */
  close(): void {
    this.closed = true;
    for (const q of this.queues.values()) {
      for (const w of [...q.retries.splice(0), ...q.fresh.splice(0)]) {
        if (w.signal && w.onAbort) w.signal.removeEventListener('abort', w.onAbort);
        w.reject(new GtError('ABORTED', 'rate limiter closed'));
      }
      q.wake?.();
    }
  }

  /** Grants waiting requests one at a time, sleeping exactly as long as Redis says the budget is spent. */
  private async pump(client: string, q: LocalQueue): Promise<void> {
    q.pumping = true;
    const [sent, pause, allowed] = this.keys(client);
    try {
      while (!this.closed && q.retries.length + q.fresh.length > 0) {
        let waitMs: number;
        try {
          waitMs = Number(
            await this.redis.eval(
              ACQUIRE_LUA,
              3,
              sent,
              pause,
              allowed,
              this.windowMs,
              this.perWindow,
              randomUUID(),
              this.ceiling,
              this.headroom,
            ),
          );
        } catch (err) {
          // Without Redis nobody can know the shared budget: fail the waiters rather than guess.
          const failure = new GtError(
            'REDIS_UNAVAILABLE',
            `rate limiter: Redis failed (${(err as Error).message})`,
            {},
            { cause: err },
          );
          for (const w of [...q.retries.splice(0), ...q.fresh.splice(0)]) settle(w, failure);
          return;
        }
        if (waitMs === 0) {
          // Granted. If the head was aborted meanwhile, the next waiter gets the slot.
          const w = q.retries.shift() ?? q.fresh.shift();
          if (w) settle(w);
          continue;
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(waitMs, this.maxSleepMs));
          q.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        q.wake = undefined;
      }
    } finally {
      q.pumping = false;
    }
  }
}

function settle(w: Waiter, err?: unknown): void {
  if (w.signal && w.onAbort) w.signal.removeEventListener('abort', w.onAbort);
  if (err) w.reject(err);
  else w.resolve();
}
