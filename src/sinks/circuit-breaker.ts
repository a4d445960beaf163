// A circuit breaker per sink: a receiver that is down or hangs would otherwise cost every
// conversation its full retry schedule (a hung receiver: timeout × attempts, 142 s each). After
// `threshold` deliveries in a row failed, the circuit opens: deliveries fail at once (and are
// dead-lettered) for `cooldownMs`; then one delivery is let through (half-open) — its success
// closes the circuit, its failure opens it again.
export interface CircuitBreakerOptions {
  /** Consecutive failed deliveries that open the circuit (default 3). */
  threshold?: number;
  /** How long it stays open before one trial delivery (default 60 s). */
  cooldownMs?: number;
  now?: () => number;
}

export class CircuitBreaker {
  private failures = 0;
  private openUntil = 0;
  private trialInFlight = false;
  private readonly threshold: number;
  private readonly cooldownMs: number;
  private readonly now: () => number;

  constructor(o: CircuitBreakerOptions = {}) {
    this.threshold = Math.max(1, o.threshold ?? 3);
    this.cooldownMs = o.cooldownMs ?? 60_000;
    this.now = o.now ?? Date.now;
  }

  /** May a delivery be attempted now? (Half-open: only one at a time.) */
  allow(): boolean {
    if (this.failures < this.threshold) return true;
    if (this.now() < this.openUntil || this.trialInFlight) return false;
    this.trialInFlight = true;
    return true;
  }

  /** Milliseconds until a trial is allowed (0 when closed). */
  retryInMs(): number {
    return this.failures < this.threshold ? 0 : Math.max(0, this.openUntil - this.now());
  }

  /** The delivery ended without a verdict (aborted): a half-open trial may be tried again. */
  release(): void {
    this.trialInFlight = false;
  }

  success(): void {
    this.failures = 0;
    this.trialInFlight = false;
  }

  failure(): void {
    this.failures += 1;
    this.trialInFlight = false;
    if (this.failures >= this.threshold) this.openUntil = this.now() + this.cooldownMs;
  }
}
