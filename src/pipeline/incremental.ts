// Nightly, scheduled exports: `since: 'last'` continues from the end of the previous finished run
// of the same selection to the same destination, minus a lag window. The window re-looks at the
// last hours already covered, for conversations whose analytics data arrives late; the checkpoint
// makes that cheap (conversations already delivered cost nothing but their discovery).
//
// Intervals are half-open, [from, to): a conversation is selected when its start is at or after
// `from` and before `to`. Consecutive runs therefore neither overlap nor leave a gap.
import { createHash } from 'node:crypto';
import { GtError } from '../errors.ts';
import type { CheckpointStore, RunRecord } from './checkpoint.ts';
import type { Selection } from './options.ts';

/** Default lag window: Genesys analytics and recordings of a conversation usually land within minutes, rarely hours. */
export const DEFAULT_LAG_MS = 6 * 3_600_000;

/** What identifies "the same selection" across runs: the filters, not the interval. */
export function selectionKey(s: Selection): string {
  const { interval: _i, since: _s, from: _f, to: _t, ...filters } = s;
  const canonical = Object.fromEntries(
    Object.entries(filters)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, Array.isArray(v) ? [...(v as string[])].sort() : v])
      .sort(([a], [b]) => (String(a) < String(b) ? -1 : 1)),
  );
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex').slice(0, 16);
}

/** What identifies "the same destination": every sink of the run. */
export function destinationKey(sinkNames: readonly string[]): string {
  return createHash('sha256')
    .update(JSON.stringify([...sinkNames].sort()))
    .digest('hex')
    .slice(0, 16);
}

export interface RunParams {
  selectionKey?: string;
  destinationKey?: string;
  interval?: string;
  dryRun?: boolean;
}

/** A run ended by itself (not killed, not failed): its interval was covered. */
export function runOutcome(r: RunRecord): 'finished' | 'failed' | 'interrupted' {
  const outcome = (r.summary as { outcome?: string } | undefined)?.outcome;
  if (outcome === 'failed') return 'failed';
  if (outcome === 'interrupted' || !r.finishedAt) return 'interrupted';
  return 'finished';
}

/** The end of the last finished run of this selection to this destination, if any. */
export function lastCoveredEnd(
  checkpoint: CheckpointStore,
  selKey: string,
  destKey: string | readonly string[],
): number | undefined {
  // Several keys: the destination as named now and as older checkpoints named it.
  const destKeys = typeof destKey === 'string' ? [destKey] : destKey;
  let best: number | undefined;
  for (const r of checkpoint.runs()) {
    const p = r.params as RunParams;
    if (p.selectionKey !== selKey || !destKeys.includes(p.destinationKey ?? '') || p.dryRun || !p.interval)
      continue;
    if (runOutcome(r) !== 'finished') continue;
    const end = coveredUntil(p.interval, r.summary);
    if (Number.isFinite(end) && (best === undefined || end > best)) best = end;
  }
  return best;
}

/**
 * Where a run's coverage ends: its interval's end, or the start of the earliest part discovery
 * reported incomplete (after the data lake's availability date, say), so the next `since: 'last'`
 * run goes back for it.
 */
function coveredUntil(interval: string, summary: unknown): number {
  let end = Date.parse(interval.split('/')[1] ?? '');
  const incomplete = (summary as { incomplete?: { interval?: unknown }[] } | undefined)?.incomplete;
  for (const slice of Array.isArray(incomplete) ? incomplete : []) {
    const start = typeof slice?.interval === 'string' ? Date.parse(slice.interval.split('/')[0] ?? '') : NaN;
    if (Number.isFinite(start) && start < end) end = start;
  }
  return end;
}

/** The interval of a `since: 'last'` run, as ISO start/end. */
export function resolveSinceLast(
  selection: Selection,
  previousEnd: number | undefined,
  lagMs: number,
  nowMs: number,
): string {
  const to = selection.to !== undefined ? Date.parse(selection.to) : nowMs;
  let from: number;
  if (previousEnd !== undefined) from = previousEnd - lagMs;
  else if (selection.from !== undefined) from = Date.parse(selection.from);
  else
    throw new GtError(
      'USAGE',
      '--since last: no earlier finished run of this selection to this destination; give --from for the first run (e.g. --since last --from -1d)',
    );
  if (!(from < to))
    throw new GtError(
      'USAGE',
      `--since last: nothing to do, the interval [${new Date(from).toISOString()}, ${new Date(to).toISOString()}) is empty`,
    );
  return `${new Date(from).toISOString()}/${new Date(to).toISOString()}`;
}
