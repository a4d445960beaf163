// Client-side rate limiting for the Genesys API budget (300 requests/min per OAuth client by
// default). The transport calls, for every API request:
//   await limiter.acquire(key)            before sending (waits for budget, or for a pause to end)
//   limiter.observe(key, headers)         with every response (inin-ratelimit-* headers)
//   limiter.pauseUntil(key, epochMs)      on 429/503 with Retry-After
// Keys are `<clientId>:<family>` (see rateLimitKey). The interface is all a distributed
// implementation (e.g. Redis-backed, shared by workers) has to provide.
import { GtError } from '../errors.ts';
import { ASSUMED_PER_MINUTE, effectiveBudget, unannouncedBudget, type BudgetPolicy } from './budget.ts';

export type Headers = Record<string, string | string[] | undefined>;

export interface AcquireOptions {
  /** Retries go ahead of new work, so a request already paid for is finished first. */
  priority?: 'retry' | 'normal';
}

export interface RateLimiter {
  /** Resolves when one request under `key` may be sent. Rejects with ABORTED if `signal` aborts. */
  acquire(key: string, signal?: AbortSignal, options?: AcquireOptions): Promise<void>;
  /** Learns from a response's inin-ratelimit-allowed / -count / -reset headers. */
  observe(key: string, headers: Headers): void;
  /** No request of the same client may be sent before `epochMs` (Retry-After). */
  pauseUntil(key: string, epochMs: number): void;
}

export function rateLimitKey(clientId: string, family: string): string {
  return `${clientId}:${family}`;
}

/** The client part of a key: pauses and the budget apply to the whole OAuth client. */
export function clientOfKey(key: string): string {
  const i = key.lastIndexOf(':');
  return i < 0 ? key : key.slice(0, i);
}

export interface InMemoryRateLimiterOptions extends BudgetPolicy {
  /**
   * What Genesys is assumed to announce until a response says (inin-ratelimit-allowed); the
   * ceiling and headroom apply to it as to an announced budget (see budget.ts). Default 300.
   */
  perWindow?: number;
  /** Length of the server's rate window. Genesys counts per minute. */
  windowMs?: number;
  /** Extra width added to our window, covering the send→arrival skew between client and server. */
  slackMs?: number;
  now?: () => number;
}

interface Waiter {
  resolve: () => void;
  reject: (err: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

interface ClientBudget {
  allowed: number;
  /** Whether any response announced the budget (until then, a silent server is not paced). */
  announced: boolean;
  /** Send times inside the current window, oldest first. */
  sent: number[];
  pausedUntil: number;
  retries: Waiter[];
  fresh: Waiter[];
  timer: NodeJS.Timeout | undefined;
}

/**
 * One process's limiter. Genesys counts requests per OAuth client, whatever the resource, so all
 * families of one client share one budget here; the family stays in the key for implementations
 * that want per-resource budgets. Pacing is a sliding-window log: a request is sent only if fewer
 * than `allowed` were sent in the last window, which can never exceed a fixed or sliding server
 * window of the same length.
 */
export class InMemoryRateLimiter implements RateLimiter {
  private readonly clients = new Map<string, ClientBudget>();
  private readonly perWindow: number;
  private readonly policy: BudgetPolicy;
  private readonly windowMs: number;
  private readonly now: () => number;

  constructor(options: InMemoryRateLimiterOptions = {}) {
    this.policy = { ceiling: options.ceiling, headroom: options.headroom };
    this.perWindow = effectiveBudget(options.perWindow ?? ASSUMED_PER_MINUTE, this.policy);
    this.windowMs =
      (options.windowMs ?? 60_000) +
      (options.slackMs ?? Math.min(1000, Math.ceil((options.windowMs ?? 60_000) * 0.05)));
    this.now = options.now ?? Date.now;
  }

  private budget(key: string): ClientBudget {
    const client = clientOfKey(key);
    let b = this.clients.get(client);
    if (!b) {
      b = {
        allowed: this.perWindow,
        announced: false,
        sent: [],
        pausedUntil: 0,
        retries: [],
        fresh: [],
        timer: undefined,
      };
      this.clients.set(client, b);
    }
    return b;
  }

  acquire(key: string, signal?: AbortSignal, options: AcquireOptions = {}): Promise<void> {
    if (signal?.aborted) return Promise.reject(new GtError('ABORTED', 'request aborted'));
    const b = this.budget(key);
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal, onAbort: undefined };
      const queue = options.priority === 'retry' ? b.retries : b.fresh;
      if (signal) {
        waiter.onAbort = () => {
          const i = queue.indexOf(waiter);
          if (i >= 0) queue.splice(i, 1);
          reject(new GtError('ABORTED', 'request aborted'));
          this.pump(b); // drops the wake-up timer if nobody waits any more
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      queue.push(waiter);
      this.pump(b);
    });
  }

  observe(key: string, headers: Headers): void {
    const { allowed, spent } = readRateLimitHeaders(headers);
    const b = this.budget(key);
    const before = b.allowed;
    if (allowed !== undefined) {
      b.announced = true;
      b.allowed = effectiveBudget(allowed, this.policy);
    } else if (!b.announced) {
      b.allowed = unannouncedBudget(this.policy);
    }
    if (b.allowed > before) this.pump(b); // waiters need not sleep out a smaller budget
    // The server says this window's budget is spent (e.g. another process shares the client):
    // wait for its reset rather than collect a 429.
    if (spent) this.pauseUntil(key, this.now() + spent.resetMs);
  }

  pauseUntil(key: string, epochMs: number): void {
    const b = this.budget(key);
    if (epochMs <= b.pausedUntil) return;
    b.pausedUntil = epochMs;
    this.pump(b);
  }

  /** Requests waiting for budget (all clients); for tests and progress displays. */
  get waiting(): number {
    let n = 0;
    for (const b of this.clients.values()) n += b.retries.length + b.fresh.length;
    return n;
  }

  private pump(b: ClientBudget): void {
    if (b.timer) {
      clearTimeout(b.timer);
      b.timer = undefined;
    }
    for (;;) {
      if (b.retries.length === 0 && b.fresh.length === 0) return;
      const now = this.now();
      if (b.pausedUntil > now) return this.wake(b, b.pausedUntil - now);
      while (b.sent.length > 0 && b.sent[0]! <= now - this.windowMs) b.sent.shift();
      if (b.sent.length >= b.allowed) return this.wake(b, b.sent[0]! + this.windowMs - now);
      const w = (b.retries.shift() ?? b.fresh.shift())!;
      if (w.signal && w.onAbort) w.signal.removeEventListener('abort', w.onAbort);
      b.sent.push(now);
      w.resolve();
    }
  }

  private wake(b: ClientBudget, delayMs: number): void {
    // A timer exists only while requests wait, so keeping it ref'd never holds an idle process open.
    b.timer = setTimeout(
      () => {
        b.timer = undefined;
        this.pump(b);
      },
      Math.max(1, Math.ceil(delayMs)),
    );
  }
}

/**
 * What Genesys' inin-ratelimit-* headers say: the client's budget per window, and whether this
 * window is spent (count ≥ allowed) with the time until it resets. Garbage is ignored.
 */
export function readRateLimitHeaders(headers: Headers): {
  allowed?: number;
  spent?: { count: number; resetMs: number };
} {
  const allowed = Number(first(headers['inin-ratelimit-allowed']));
  if (!Number.isInteger(allowed) || allowed <= 0) return {};
  const count = Number(first(headers['inin-ratelimit-count']));
  const resetS = Number(first(headers['inin-ratelimit-reset']));
  const spent = Number.isFinite(count) && count >= allowed && Number.isFinite(resetS) && resetS > 0;
  return { allowed, ...(spent ? { spent: { count, resetMs: resetS * 1000 } } : {}) };
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
