// Dates and durations as operators type them in a crontab: ISO-8601 (a date is midnight UTC, a
// time without a zone is UTC), `now`, `today`, `yesterday` (midnight UTC), and offsets back from
// now: `-30m`, `-6h`, `-1d`, `-2w`. `--from yesterday --to today` is exactly yesterday (UTC),
// because intervals are half-open: from inclusive, to exclusive.
import { GtError } from '../errors.ts';

const DAY_MS = 86_400_000;
const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: DAY_MS, w: 7 * DAY_MS };

/** A duration like `6h`, `90m`, `1d`, or `0`, in ms; throws USAGE naming the flag. */
export function parseDuration(value: string, flag: string): number {
  const v = value.trim();
  if (v === '0') return 0;
  const m = /^(\d+)([mhdw])$/.exec(v);
  if (!m)
    throw new GtError(
      'USAGE',
      `${flag}: ${JSON.stringify(value)} is not a duration; use e.g. 30m, 6h, 1d, 2w or 0`,
    );
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}

/** An instant from a flag value; `now` is the clock the offsets and keywords are read against. */
export function parseWhen(value: string, flag: string, now: number = Date.now()): number {
  const v = value.trim();
  const midnight = Math.floor(now / DAY_MS) * DAY_MS;
  if (v === 'now') return now;
  if (v === 'today') return midnight;
  if (v === 'yesterday') return midnight - DAY_MS;
  const offset = /^-(\d+)([mhdw])$/.exec(v);
  if (offset) return now - Number(offset[1]) * UNIT_MS[offset[2]!]!;
  // Date.parse reads a zone-less time as local time: UTC instead, like a bare date.
  const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(v) ? `${v}Z` : v;
  const t = /^\d{4}-\d{2}-\d{2}/.test(iso) ? Date.parse(iso) : Number.NaN;
  if (Number.isNaN(t))
    throw new GtError(
      'USAGE',
      `${flag}: ${JSON.stringify(value.slice(0, 60))} is not a date; use ISO-8601 (2026-11-01, 2026-11-01T08:00:00Z), now, today, yesterday, or an offset like -6h, -1d`,
    );
  return t;
}
