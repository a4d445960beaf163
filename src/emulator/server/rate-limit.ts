// A fixed window per OAuth client, reported with Genesys's inin-ratelimit-* headers. The window
// opens at a client's first request, so Retry-After (ceil of the time left) is always truthful:
// a request sent after it has elapsed lands in a fresh window.
export interface RateDecision {
  allowed: boolean;
  headers: Record<string, string>;
  retryAfterSeconds?: number;
  countInWindow: number;
}

export class FixedWindowLimiter {
  private readonly perWindow: number;
  private readonly windowMs: number;
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(perWindow: number, windowMs: number) {
    this.perWindow = perWindow;
    this.windowMs = windowMs;
  }

  take(clientId: string, now = Date.now()): RateDecision {
    let w = this.windows.get(clientId);
    if (!w || now >= w.start + this.windowMs) {
      w = { start: now, count: 0 };
      this.windows.set(clientId, w);
    }
    const resetSeconds = Math.max(1, Math.ceil((w.start + this.windowMs - now) / 1000));
    const allowed = w.count < this.perWindow;
    if (allowed) w.count += 1;
    return {
      allowed,
      countInWindow: w.count,
      headers: {
        'inin-ratelimit-count': String(w.count),
        'inin-ratelimit-allowed': String(this.perWindow),
        'inin-ratelimit-reset': String(resetSeconds),
      },
      ...(allowed ? {} : { retryAfterSeconds: resetSeconds }),
    };
  }

  reset(): void {
    this.windows.clear();
  }
}
