// The seeded scenario generator: a seed decides everything about a scenario — which faults at
// which rates, which conversations, formats, concurrency, sinks, kill points, token skew — so a
// failing scenario is replayed exactly with `GT_FAULT_SEEDS=<seed>`.
import type { EmulatorOptions, FaultKind, RouteName } from '../../../src/emulator/index.ts';
import type { Format } from './oracle.ts';
import { Rng } from '../../../src/emulator/random.ts';

/** The emulator's PRNG (mulberry32), plus the few draws a scenario needs. The seed is spread the
 *  same way as always, so a scenario seed keeps naming the same scenario. */
export class SeededRandom extends Rng {
  constructor(seed: number) {
    super((seed * 0x9e3779b1) >>> 0);
  }
  /** n distinct items, in a seeded order. */
  sample<T>(items: readonly T[], n: number): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return copy.slice(0, n);
  }
}

export type ScenarioKind =
  /** in-process library runs with a random mix of transport faults (and a few hostile replies) */
  | 'mix'
  /** the real CLI, killed with SIGKILL at seeded points, restarted until done, webhook sink */
  | 'kill'
  /** tokens that die long before the expires_in they announce, and revocations mid-run */
  | 'skew'
  /** hostile replies: malformed/enormous JSON, HTML, IDs that are paths, control characters */
  | 'hostile';

export type Selection = { kind: 'interval'; fromDay: number; days: number } | { kind: 'ids'; count: number };

export interface ScriptedFault {
  route: RouteName;
  count: number;
  fault: FaultKind;
}

export interface Scenario {
  seed: number;
  kind: ScenarioKind;
  emulator: EmulatorOptions;
  selection: Selection;
  formats: Format[];
  concurrency: number;
  webhook: boolean;
  /** kill delays (ms after start) of the first CLI runs; 'kill' scenarios only */
  kills: number[];
  scripted: ScriptedFault[];
  /** runs allowed to reach "everything exported" (kills not counted) */
  maxRuns: number;
  /** revoke every token this many ms into each run ('skew') */
  revokeAfterMs?: number;
  /** the webhook receiver answers 503 to its first N requests */
  webhookFailures: number;
}

const CLASSIC: readonly FaultKind[] = ['5xx', '503', 'reset', 'truncate', 'expire'];
const HOSTILE: readonly FaultKind[] = ['malformed', 'content-type', 'control-chars', 'hostile-id'];
const FORMATS: readonly Format[] = ['json', 'txt', 'vtt', 'srt'];

/** Routes a scripted hostile reply can land on, with the kinds that make sense there. */
const HOSTILE_TARGETS: readonly [RouteName, readonly FaultKind[]][] = [
  ['analytics.details.query', ['malformed', 'content-type', 'hostile-id']],
  ['analytics.details.multiget', ['malformed', 'hostile-id']],
  ['recordings.list', ['malformed', 'content-type', 'hostile-id', 'control-chars', 'huge']],
  ['downloads.get', ['malformed', 'content-type']],
  ['sta.transcripturl', ['malformed', 'content-type']],
  ['signed.transcript', ['malformed', 'content-type', 'hostile-id', 'control-chars', 'huge']],
  ['signed.media', ['content-type', 'control-chars']],
];

const rate = (r: SeededRandom, min: number, max: number) =>
  Math.round((min + r.next() * (max - min)) * 1000) / 1000;

function spec(rates: Partial<Record<FaultKind, number>>): string {
  return Object.entries(rates)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

function kindOf(seed: number): ScenarioKind {
  // A fixed rotation, so any run of consecutive seeds covers every kind.
  const wheel: ScenarioKind[] = ['mix', 'hostile', 'mix', 'skew', 'mix', 'kill', 'mix', 'hostile'];
  return wheel[seed % wheel.length]!;
}

export function scenarioFor(seed: number): Scenario {
  const r = new SeededRandom(seed);
  const kind = kindOf(seed);
  const rates: Partial<Record<FaultKind, number>> = {};
  for (const k of r.sample(CLASSIC, r.int(2, CLASSIC.length))) rates[k] = rate(r, 0.01, 0.05);
  // A 503 pauses the whole client for its Retry-After (1 s): keep them rarer, or runs crawl.
  if (rates['503'] !== undefined) rates['503'] = rate(r, 0.005, 0.015);
  if (r.chance(0.15)) rates.slow = 0.002;
  if (kind === 'hostile') {
    for (const k of r.sample(HOSTILE, r.int(2, 4))) rates[k] = rate(r, 0.02, 0.06);
  } else if (kind === 'mix' && r.chance(0.5)) {
    for (const k of r.sample(HOSTILE, r.int(1, 2))) rates[k] = rate(r, 0.005, 0.02);
  }
  const scripted: ScriptedFault[] = [];
  if (kind === 'hostile') {
    for (const [route, kinds] of r.sample(HOSTILE_TARGETS, r.int(2, 4))) {
      scripted.push({ route, count: r.int(1, 2), fault: r.pick(kinds) });
    }
  }
  const emulator: EmulatorOptions = {
    seed: 1000 + seed,
    conversations: 100,
    faultSeed: seed,
    faults: spec(rates),
    mediaMix: r.pick([
      { voice: 0.6, chat: 0.15, message: 0.15, email: 0.1 },
      { voice: 0.9, chat: 0.1 },
      { voice: 0.4, chat: 0.2, message: 0.2, email: 0.2 },
    ]),
    audioBytes: { min: 1024, max: r.pick([8 * 1024, 24 * 1024, 48 * 1024]) },
    transcodeMs: r.pick([50, 150, 400]),
    batchDelayMs: 50,
    jobDelayMs: 50,
    rangeSupport: r.chance(0.85),
    signedUrlTtlSeconds: r.pick([1, 600, 600]),
    // A per-minute budget the client learns from the inin-ratelimit headers, big enough not to
    // stretch a run (rate limiting has its own tests).
    rateLimit: { perWindow: 50_000, windowMs: 60_000 },
    ...(kind === 'skew'
      ? { tokenTtlSeconds: 3600, tokenLifetimeSeconds: r.pick([3, 5, 8]) }
      : r.chance(0.2)
        ? { tokenTtlSeconds: 3600, tokenLifetimeSeconds: 30 }
        : {}),
  };
  const selection: Selection = r.chance(0.6)
    ? { kind: 'interval', fromDay: r.int(0, 5), days: r.int(1, 2) }
    : { kind: 'ids', count: r.int(15, 35) };
  const formats = r.chance(0.3) ? [...FORMATS] : FORMATS.filter(() => r.chance(0.6));
  if (formats.length === 0) formats.push(r.pick(FORMATS));
  const kills: number[] = [];
  // Node needs ~300 ms to start the CLI; an export of this size takes 1-2 s: kill inside that.
  if (kind === 'kill') for (let i = r.int(1, 3); i > 0; i--) kills.push(r.int(350, 1300));
  return {
    seed,
    kind,
    emulator,
    selection,
    formats,
    concurrency: r.pick([1, 2, 4, 8]),
    webhook: kind === 'kill' || r.chance(0.3),
    webhookFailures: r.chance(0.4) ? r.int(1, 3) : 0,
    kills,
    scripted,
    maxRuns: 5,
    ...(kind === 'skew' && r.chance(0.5) ? { revokeAfterMs: r.int(100, 600) } : {}),
  };
}

/** A one-line description for test names and failure messages. */
export function describeScenario(s: Scenario): string {
  const sel = s.selection.kind === 'interval' ? `${s.selection.days}d` : `${s.selection.count} ids`;
  const faults = String(s.emulator.faults || 'none');
  const scripted = s.scripted.map((x) => `${x.route}:${x.fault}×${x.count}`).join(' ');
  return `#${s.seed} ${s.kind} [${faults}]${scripted ? ` [${scripted}]` : ''} ${sel} ${s.formats.join('+')} c${s.concurrency}${s.webhook ? ` webhook${s.webhookFailures ? `(503×${s.webhookFailures})` : ''}` : ''}${s.kills.length ? ` kills@${s.kills.join('/')}ms` : ''}`;
}
