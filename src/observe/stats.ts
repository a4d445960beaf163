// Latency and outcome bookkeeping for the final summary. Percentiles are computed from a bounded
// reservoir so a 100k-conversation run keeps constant memory.

export class Reservoir {
  private readonly values: number[] = [];
  private seen = 0;
  private readonly capacity: number;
  private readonly random: () => number;

  constructor(capacity = 10_000, random: () => number = Math.random) {
    this.capacity = capacity;
    this.random = random;
  }

  add(value: number): void {
    this.seen += 1;
    if (this.values.length < this.capacity) {
      this.values.push(value);
      return;
    }
    // Algorithm R: every value seen so far has the same chance to be kept.
    const slot = Math.floor(this.random() * this.seen);
    if (slot < this.capacity) this.values[slot] = value;
  }

  get count(): number {
    return this.seen;
  }

  /** Nearest-rank percentile (p in 0..100); undefined when nothing was recorded. */
  percentile(p: number): number | undefined {
    if (this.values.length === 0) return undefined;
    const sorted = [...this.values].sort((a, b) => a - b);
    const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
    return sorted[rank - 1];
  }
}
