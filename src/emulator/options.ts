// Fills in the documented defaults once, so the rest of the emulator reads plain values.
import { createHash } from 'node:crypto';
import type { EmulatorLimits, EmulatorOptions, EmulatorVariants, FaultKind, MediaKind } from './types.ts';
import { FAULT_KINDS } from './server/faults.ts';

export interface ResolvedOptions {
  host: string;
  port: number;
  seed: number;
  conversations: number;
  interval: string;
  startMs: number;
  endMs: number;
  nowMs: number;
  mediaMix: Record<MediaKind, number>;
  audioBytes: { min: number; max: number };
  audio: 'speech' | 'noise';
  clients: { clientId: string; clientSecret: string }[];
  tokenTtlSeconds: number;
  tokenLifetimeSeconds: number;
  rateLimit: { perWindow: number; windowMs: number } | null;
  faults: Partial<Record<FaultKind, number>>;
  faultSeed: number;
  hugeBodyBytes: number;
  trickleIntervalMs: number;
  rangeSupport: boolean;
  signedUrlTtlSeconds: number;
  transcodeMs: number;
  restoreMs: number;
  restorationsAllowed: number;
  batchDelayMs: number;
  latencyMs: number;
  jobDelayMs: number;
  dataLagMs: number;
  limits: EmulatorLimits;
  variants: EmulatorVariants;
}

/** Every variant and its values; the first value is the default. */
export const VARIANTS: { [K in keyof EmulatorVariants]: readonly EmulatorVariants[K][] } = {
  mediaUri: ['downloads', 'signed'],
  mediaUris: ['merged', 'perChannel'],
  transcriptUrl: ['withUrl', 'withoutUrl'],
  chatBodyType: ['upper', 'lower'],
};

const VARIANT_NAMES = Object.keys(VARIANTS) as (keyof EmulatorVariants)[];

function variantProblem(name: string, value: unknown): string | undefined {
  const allowed = (VARIANTS as Record<string, readonly string[]>)[name];
  if (!allowed) return `unknown variant "${name}": expected one of ${VARIANT_NAMES.join(', ')}`;
  if (!allowed.includes(value as string))
    return `bad variant ${name}=${String(value)}: expected ${allowed.join('|')}`;
  return undefined;
}

/** Parses 'mediaUri=signed,mediaUris=perChannel'; an unknown name or value is a usage error. */
export function parseVariantSpec(spec: string): Partial<EmulatorVariants> {
  const out: Record<string, string> = {};
  for (const part of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [name = '', value = ''] = part.split('=').map((s) => s.trim());
    const problem = variantProblem(name, value);
    if (problem) throw new Error(problem);
    out[name] = value;
  }
  return out as Partial<EmulatorVariants>;
}

function resolveVariants(v: Partial<EmulatorVariants> = {}): EmulatorVariants {
  for (const [name, value] of Object.entries(v)) {
    const problem = value === undefined ? undefined : variantProblem(name, value);
    if (problem) throw new Error(problem);
  }
  return Object.fromEntries(
    VARIANT_NAMES.map((name) => [name, v[name] ?? VARIANTS[name][0]]),
  ) as unknown as EmulatorVariants;
}

/** Every combination of one variant changed from the defaults, plus the defaults: what a client test runs under. */
export function eachVariant(): Partial<EmulatorVariants>[] {
  const out: Partial<EmulatorVariants>[] = [{}];
  for (const name of VARIANT_NAMES)
    for (const value of VARIANTS[name].slice(1)) out.push({ [name]: value } as Partial<EmulatorVariants>);
  return out;
}

const DAY_MS = 86_400_000;

/** Parses '5xx=0.03,503=0.02' into rates; unknown kinds or bad numbers are a usage error. */
export function parseFaultSpec(spec: string): Partial<Record<FaultKind, number>> {
  const out: Partial<Record<FaultKind, number>> = {};
  for (const part of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [kind, value] = part.split('=');
    const rate = Number(value);
    if (!FAULT_KINDS.includes(kind as FaultKind) || !Number.isFinite(rate) || rate < 0 || rate > 1) {
      throw new Error(
        `bad fault spec "${part}": expected kind=rate with kind in ${FAULT_KINDS.join('|')} and 0 <= rate <= 1`,
      );
    }
    out[kind as FaultKind] = rate;
  }
  return out;
}

export function parseInterval(interval: string): { startMs: number; endMs: number } | undefined {
  const parts = interval.split('/');
  if (parts.length !== 2) return undefined;
  const startMs = Date.parse(parts[0]!);
  const endMs = Date.parse(parts[1]!);
  if (!Number.isFinite(startMs) || !Number.isFinite(endMs) || endMs <= startMs) return undefined;
  return { startMs, endMs };
}

/** The default client is derived from the seed, so a seed fully describes an emulator. */
function defaultClient(seed: number): { clientId: string; clientSecret: string } {
  const h = createHash('sha256').update(`client:${seed}`).digest('hex');
  return {
    clientId: `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`,
    clientSecret: createHash('sha256').update(`secret:${seed}`).digest('base64url').slice(0, 43),
  };
}

/**
 * The default dataset: the 7 full UTC days before today. Real Genesys data is recent, and a client
 * rightly sends intervals that start more than 35 days back to the async jobs API: a dataset
 * pinned to fixed dates would quietly move every default run onto that path as the calendar moves.
 * Pass `interval` for a dataset that is the same on every day (the seed decides the rest).
 */
export function recentWeek(nowMs: number = Date.now()): string {
  const end = Math.floor(nowMs / DAY_MS) * DAY_MS;
  return `${new Date(end - 7 * DAY_MS).toISOString()}/${new Date(end).toISOString()}`;
}

export function resolveOptions(o: EmulatorOptions = {}): ResolvedOptions {
  const seed = o.seed ?? 1;
  const interval = o.interval ?? recentWeek();
  const parsed = parseInterval(interval);
  if (!parsed) throw new Error(`bad emulator interval "${interval}"`);
  const nowMs = o.now !== undefined ? Date.parse(o.now) : parsed.endMs + DAY_MS;
  if (!Number.isFinite(nowMs)) throw new Error(`bad emulator now "${o.now}"`);
  const mix = o.mediaMix ?? {};
  const hasMix = Object.keys(mix).length > 0;
  const mediaMix: Record<MediaKind, number> = hasMix
    ? { voice: mix.voice ?? 0, chat: mix.chat ?? 0, message: mix.message ?? 0, email: mix.email ?? 0 }
    : { voice: 0.6, chat: 0.15, message: 0.15, email: 0.1 };
  const audioBytes = o.audioBytes ?? { min: 16 * 1024, max: 256 * 1024 };
  if (audioBytes.min < 64 || audioBytes.max < audioBytes.min)
    throw new Error('audioBytes: need 64 <= min <= max');
  if (o.tokenLifetimeSeconds !== undefined && !(o.tokenLifetimeSeconds > 0))
    throw new Error('tokenLifetimeSeconds: need a positive number');
  if (o.dataLagMs !== undefined && !(Number.isFinite(o.dataLagMs) && o.dataLagMs >= 0))
    throw new Error('dataLagMs: need a number >= 0');
  if (o.hugeBodyBytes !== undefined && !(Number.isInteger(o.hugeBodyBytes) && o.hugeBodyBytes >= 0))
    throw new Error('hugeBodyBytes: need an integer >= 0');
  return {
    host: o.host ?? '127.0.0.1',
    port: o.port ?? 0,
    seed,
    conversations: o.conversations ?? 200,
    interval,
    startMs: parsed.startMs,
    endMs: parsed.endMs,
    nowMs,
    mediaMix,
    audioBytes,
    audio: o.audio ?? (o.audioBytes ? 'noise' : 'speech'),
    clients: o.clients && o.clients.length > 0 ? o.clients : [defaultClient(seed)],
    tokenTtlSeconds: o.tokenTtlSeconds ?? 86_400,
    tokenLifetimeSeconds: o.tokenLifetimeSeconds ?? o.tokenTtlSeconds ?? 86_400,
    rateLimit:
      o.rateLimit === null
        ? null
        : { perWindow: o.rateLimit?.perWindow ?? 300, windowMs: o.rateLimit?.windowMs ?? 60_000 },
    faults: typeof o.faults === 'string' ? parseFaultSpec(o.faults) : (o.faults ?? {}),
    faultSeed: o.faultSeed ?? seed,
    hugeBodyBytes: o.hugeBodyBytes ?? 80 * 1024 * 1024,
    trickleIntervalMs: o.trickleIntervalMs ?? 1000,
    rangeSupport: o.rangeSupport ?? true,
    signedUrlTtlSeconds: o.signedUrlTtlSeconds ?? 600,
    transcodeMs: o.transcodeMs ?? 1500,
    restoreMs: o.restoreMs ?? 2000,
    restorationsAllowed: o.restorationsAllowed ?? Number.POSITIVE_INFINITY,
    batchDelayMs: o.batchDelayMs ?? 300,
    latencyMs: o.latencyMs ?? 0,
    jobDelayMs: o.jobDelayMs ?? 300,
    dataLagMs: o.dataLagMs ?? 3 * 3_600_000,
    limits: {
      maxIntervalDays: 7,
      maxIntervalDaysFiltered: 31,
      maxDaysBack: 35,
      maxRecordsPerQuery: 10_000,
      maxPageSize: 100,
      maxJobPageSize: 1000,
      batchMaxItems: 100,
      ...o.limits,
    },
    variants: resolveVariants(o.variants),
  };
}
