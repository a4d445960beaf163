// A time budget for redacting one item (a text line, one transcript). Detection is linear, so the
// budget is a safety net: if some input still takes longer than it should, the item is redacted
// whole ("fails closed") instead of stalling an export (and its metrics endpoint) or leaking.
import { GtError } from '../../../errors.ts';

/** Default per-item cap: generous for the largest item (a 200 000-character e-mail body takes
 * well under a second), short enough that a pathological one cannot stall a run. */
export const DEFAULT_ITEM_MAX_MS = 2000;

export class RedactionBudget {
  private readonly deadline: number;
  private ticks = 0;

  constructor(maxMs: number) {
    this.deadline = performance.now() + maxMs;
  }

  /** Called in every detection loop; reads the clock once every 256 calls. */
  tick(): void {
    if ((++this.ticks & 255) !== 0) return;
    this.check();
  }

  check(): void {
    if (performance.now() > this.deadline)
      throw new GtError('TIMEOUT', 'redaction took longer than its per-item budget');
  }
}
