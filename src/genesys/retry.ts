// Retry policy pieces, modelled on the AWS SDK v3 "standard" strategy:
// - exponential backoff with FULL jitter (delay = random(0, min(cap, base·2^n))), so clients that
//   failed together do not retry together;
// - a retry token bucket shared by every request of one client: a retry spends tokens, a success
//   puts some back. When a dependency is down, the bucket drains and the client stops retrying
//   instead of multiplying its load (retries cannot stampede).
// Server-directed waits (429/503 with Retry-After) are not guesses: they are honoured exactly by
// the rate limiter's pause and do not spend retry tokens (see retry-policy.ts).

export interface BackoffOptions {
  baseMs: number;
  capMs: number;
  /** Injectable for tests; returns [0, 1). */
  random?: () => number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 200, capMs: 20_000 };

/** Full-jitter delay before retry number `retry` (1 = first retry). */
export function fullJitterDelay(retry: number, o: BackoffOptions = DEFAULT_BACKOFF): number {
  const ceiling = Math.min(o.capMs, o.baseMs * 2 ** Math.max(0, retry - 1));
  return Math.floor((o.random ?? Math.random)() * ceiling);
}

/**
 * Retry-After is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). Returns milliseconds to
 * wait, or undefined when absent or unparseable.
 */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(v)) return Math.ceil(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export interface RetryTokenBucketOptions {
  capacity: number;
  /** Tokens a retry after a 5xx or network error costs. */
  retryCost: number;
  /** Timeouts cost more: a timed-out dependency is the most likely to be overloaded. */
  timeoutCost: number;
  /** Tokens returned by a success that needed no retry (a slow refill while things are healthy). */
  noRetryIncrement: number;
}

export const DEFAULT_RETRY_BUCKET: RetryTokenBucketOptions = {
  capacity: 500,
  retryCost: 5,
  timeoutCost: 10,
  noRetryIncrement: 1,
};

export class RetryTokenBucket {
  private tokens: number;
  private readonly o: RetryTokenBucketOptions;

  constructor(options: Partial<RetryTokenBucketOptions> = {}) {
    this.o = { ...DEFAULT_RETRY_BUCKET, ...options };
    this.tokens = this.o.capacity;
  }

  get available(): number {
    return this.tokens;
  }

  /** Takes the cost of one retry; returns the cost taken, or undefined when the budget is spent. */
  acquire(kind: 'timeout' | 'other'): number | undefined {
    const cost = kind === 'timeout' ? this.o.timeoutCost : this.o.retryCost;
    if (this.tokens < cost) return undefined;
    this.tokens -= cost;
    return cost;
  }

  /** On success: refund what this request's retries cost, or the small no-retry increment. */
  release(spent: number): void {
    this.tokens = Math.min(this.o.capacity, this.tokens + (spent > 0 ? spent : this.o.noRetryIncrement));
  }
}
