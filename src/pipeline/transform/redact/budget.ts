// A time budget for redacting one item (a text line, one transcript). Detection is linear, so the
// budget is a safety net: if some input still takes longer than it should, the item is redacted
// whole ("fails closed") instead of stalling an export (and its metrics endpoint) or leaking.
import { GtError } from '../../../errors.ts';

/** Default per-item cap: generous for the largest item (a 200 000-character e-mail body takes
 * well under a second), short enough that a pathological one cannot stall a run. */
export const DEFAULT_ITEM_MAX_MS = 2000;

/** Detection steps between two clock readings. */
const TICKS_PER_READING = 256;

export class RedactionBudget {
  private readonly maxMs: number;
  /** Set at the first clock reading: most items (a chat line, a short turn) finish in fewer
   * steps than one reading's worth, and reading the clock twice per item was a measurable share
   * of redaction time. The steps before the first reading take microseconds. */
  private deadline = Number.NaN;
  private ticks = 0;

  constructor(maxMs: number) {
    this.maxMs = maxMs;
  }

  /** Called in every detection loop; reads the clock once every TICKS_PER_READING calls. */
  tick(): void {
    if (++this.ticks % TICKS_PER_READING !== 0) return;
    this.check();
  }

  check(): void {
    if (this.maxMs <= 0) throw overBudget();
    if (this.ticks < TICKS_PER_READING) return;
    const now = performance.now();
    if (Number.isNaN(this.deadline)) this.deadline = now + this.maxMs;
    else if (now > this.deadline) throw overBudget();
  }
}

function overBudget(): GtError {
  return new GtError('TIMEOUT', 'redaction took longer than its per-item budget');
}
