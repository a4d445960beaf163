// A minimum transfer rate: a body trickling in (one byte a second keeps every idle timeout happy)
// must still end. Bytes are counted per window; a window that closes below the floor says so.
export interface RateFloorOptions {
  /** Bytes per second a transfer must keep up, measured over `windowMs`. 0 turns the check off. */
  minBytesPerSecond: number;
  windowMs: number;
}

export const DEFAULT_RATE_FLOOR: RateFloorOptions = { minBytesPerSecond: 1024, windowMs: 30_000 };

export class RateFloor {
  private readonly o: RateFloorOptions;
  private readonly now: () => number;
  private windowStart: number;
  private bytes = 0;

  constructor(o: RateFloorOptions, now: () => number = Date.now) {
    this.o = o;
    this.now = now;
    this.windowStart = now();
  }

  /** Counts `n` bytes; true when the window that just closed stayed below the floor. */
  add(n: number): boolean {
    this.bytes += n;
    const elapsed = this.now() - this.windowStart;
    if (this.o.minBytesPerSecond <= 0 || elapsed < this.o.windowMs) return false;
    if (this.bytes < (this.o.minBytesPerSecond * elapsed) / 1000) return true;
    this.windowStart = this.now();
    this.bytes = 0;
    return false;
  }

  describe(): string {
    return `below ${this.o.minBytesPerSecond} bytes/s over ${Math.round(this.o.windowMs / 1000)} s`;
  }
}
