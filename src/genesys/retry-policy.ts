// Whether a failed attempt is tried again, and after how long (transport.ts acts on the answer).
// Two kinds of wait, as in the AWS SDK v3 standard strategy (pieces in retry.ts):
//   - server-directed (429, 503 with Retry-After): honoured exactly, up to --max-retry-after, by
//     pausing the client's rate limiter; no retry tokens, but at most maxRateLimitRetries of them;
//   - guessed (5xx, network, timeout, garbled 2xx): full-jitter backoff, each retry paid from the
//     client's retry token bucket and at most maxAttempts attempts, so retries cannot stampede.
// A request's counts live in its RetryState (AWS's "retry token"); a success refunds what it spent.
import { GtError } from '../errors.ts';
import { fullJitterDelay, type BackoffOptions, type RetryTokenBucket } from './retry.ts';
import type { RetryableFailure } from './response.ts';

/** One request's retries so far. */
export interface RetryState {
  /** Names the request in errors. */
  readonly where: { readonly method: string; readonly path: string };
  /** Retry tokens spent, refunded on success. */
  spent: number;
  transientRetries: number;
  rateLimitRetries: number;
}

export interface RetryPolicyOptions {
  bucket: RetryTokenBucket;
  backoff: BackoffOptions;
  /** Attempts of one request counting only guessed retries (config.maxAttempts). */
  maxAttempts: number;
  maxRateLimitRetries: number;
  maxRetryAfterMs: number;
}

export class RetryPolicy {
  readonly backoff: BackoffOptions;
  private readonly o: RetryPolicyOptions;

  constructor(o: RetryPolicyOptions) {
    this.o = o;
    this.backoff = o.backoff;
  }

  /** The server-directed wait to pause for; throws when over the cap or out of rate-limit retries. */
  serverWait(failure: RetryableFailure, s: RetryState, serverDelayMs: number): number {
    // Server-directed wait: pause every request of this client, exactly that long — up to a cap:
    // a Retry-After of a day would hang the export silently.
    if (serverDelayMs > this.o.maxRetryAfterMs) {
      const { method, path } = s.where;
      throw new GtError(
        'RATE_LIMITED',
        `${method} ${path}: the server asked to wait ${Math.ceil(serverDelayMs / 1000)} s, over the ${this.o.maxRetryAfterMs / 1000} s cap (--max-retry-after)`,
        { ...failure.error.details, retryAfterMs: serverDelayMs },
      );
    }
    if (s.rateLimitRetries >= this.o.maxRateLimitRetries) throw failure.error;
    s.rateLimitRetries += 1;
    return serverDelayMs;
  }

  /** The backoff before a guessed retry, paid from the bucket; throws when attempts or budget are spent. */
  backoffDelay(failure: RetryableFailure, s: RetryState): number {
    if (s.transientRetries + 1 >= this.o.maxAttempts) throw failure.error;
    const cost = this.o.bucket.acquire(failure.reason === 'timeout' ? 'timeout' : 'other');
    if (cost === undefined) {
      const { method, path } = s.where;
      throw new GtError(
        'RETRY_BUDGET_EXHAUSTED',
        `${method} ${path}: not retried, the client's retry budget is spent (${failure.error.code})`,
        { ...failure.error.details, lastErrorCode: failure.error.code },
        { cause: failure.error },
      );
    }
    s.spent += cost;
    s.transientRetries += 1;
    return fullJitterDelay(s.transientRetries, this.o.backoff);
  }

  /** A success: refund what this request's retries cost, or the small no-retry increment. */
  succeeded(s: RetryState): void {
    this.o.bucket.release(s.spent);
  }
}
