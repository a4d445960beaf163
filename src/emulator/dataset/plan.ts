// The skeleton of each conversation: who took part, when, and what was recorded. Plans are cheap
// (numbers and ids only) so 10,000 of them build in well under a second; the analytics JSON,
// transcripts and media are derived from a plan on demand.
import { Rng, rngFor, uuidFor } from '../random.ts';
import type { ResolvedOptions } from '../options.ts';
import type { MediaKind } from '../types.ts';
import { LANGUAGES, personName, type Language } from './pii.ts';

/** The awkward cases, in fixed proportions per 100 conversations (see AWKWARD_SLOTS). */
export type Awkward =
  'normal' | 'archived' | 'deleted' | 'error' | 'noRecording' | 'noTranscript' | 'transcoding' | 'long';

// slot (0..99) → case. 5 archived, 4 deleted, 3 error, 5 without recording, 5 recorded without a
// transcript, 6 still transcoding, 2 hour-long calls, the rest normal.
const AWKWARD_SLOTS: [number, Awkward][] = [
  [5, 'archived'],
  [9, 'deleted'],
  [12, 'error'],
  [17, 'noRecording'],
  [22, 'noTranscript'],
  [28, 'transcoding'],
  [30, 'long'],
];

export type Window = [number, number];

export interface AgentLeg {
  userId: string;
  name: string;
  participantId: string;
  sessionId: string;
  alert: Window;
  /** interact windows; a hold (if any) sits between the first two */
  interact: Window[];
  hold?: Window;
  wrapup: Window;
}

export interface ConversationPlan {
  index: number;
  id: string;
  kind: MediaKind;
  language: Language;
  direction: 'inbound' | 'outbound';
  awkward: Awkward;
  startMs: number;
  endMs: number;
  divisionId: string;
  queue: { id: string; name: string };
  customer: { participantId: string; sessionId: string; name: string; address: string; peer: string };
  /** voice IVR or digital bot, with its window */
  flow?: {
    participantId: string;
    sessionId: string;
    flowId: string;
    name: string;
    window: Window;
    purpose: 'ivr' | 'botflow';
  };
  acd: { participantId: string; sessionId: string; window: Window };
  agents: AgentLeg[];
  /** number of dialogue lines (drives durations) */
  lines: number;
  recording?: {
    id: string;
    fileState: 'AVAILABLE' | 'ARCHIVED' | 'DELETED' | 'ERROR';
    transcoding: boolean;
    sizeBytes: number;
  };
  hasTranscript: boolean;
}

/** Fixed, readable division ids (valid UUIDs) so filters by division are easy to write in tests. */
export const DIVISIONS = [
  'd1d1d1d1-0000-4000-8000-000000000001',
  'd1d1d1d1-0000-4000-8000-000000000002',
  'd1d1d1d1-0000-4000-8000-000000000003',
];

export interface Directory {
  queues: { id: string; name: string; divisionId: string }[];
  users: { id: string; name: string }[];
  flows: { id: string; name: string }[];
  bots: { id: string; name: string }[];
}

export function directory(seed: number): Directory {
  const rng = rngFor(seed, 'directory');
  const queueNames = ['Billing', 'Support', 'Ventas', 'Service à la clientèle'];
  return {
    queues: queueNames.map((name, i) => ({
      id: uuidFor(seed, `queue:${i}`),
      name,
      divisionId: DIVISIONS[i % DIVISIONS.length]!,
    })),
    users: Array.from({ length: 20 }, (_, i) => ({ id: uuidFor(seed, `user:${i}`), name: personName(rng) })),
    flows: [{ id: uuidFor(seed, 'flow:main'), name: 'Main IVR' }],
    bots: [{ id: uuidFor(seed, 'bot:main'), name: 'Digital Assistant' }],
  };
}

/** Seeded Fisher–Yates permutation of 0..n-1, so awkward cases come in exact proportions. */
function permutation(n: number, rng: Rng): Uint32Array {
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}

function awkwardOf(slot: number): Awkward {
  for (const [limit, kind] of AWKWARD_SLOTS) if (slot < limit) return kind;
  return 'normal';
}

const SEC = 1000;

/** Which awkward-case slot (0..99) each conversation index has: a seeded permutation, mod 100. */
export function awkwardSlots(o: ResolvedOptions): Uint8Array {
  const perm = permutation(o.conversations, rngFor(o.seed, 'awkward'));
  const slots = new Uint8Array(o.conversations);
  for (let i = 0; i < perm.length; i++) slots[i] = perm[i]! % 100;
  return slots;
}

function tel(rng: Rng): string {
  return `tel:+1${rng.pick(['415', '212', '514', '305', '617', '312'])}555${String(rng.int(0, 9999)).padStart(4, '0')}`;
}

/** The plan of conversation `index`: a pure function of (options, index), so it can be rebuilt any time. */
export function buildPlan(o: ResolvedOptions, dir: Directory, index: number, slot: number): ConversationPlan {
  const seed = o.seed;
  // Every part draws from this one generator, in this order: reordering them changes the dataset.
  const rng = rngFor(seed, `conversation:${index}`);
  const id = uuidFor(seed, `conversation:${index}`);
  const kind = rng.weighted(o.mediaMix);
  const awkward = awkwardFor(kind, slot);
  const language = rng.pick(LANGUAGES);
  const queue = rng.pick(dir.queues);
  const direction: 'inbound' | 'outbound' = kind === 'voice' && rng.chance(0.1) ? 'outbound' : 'inbound';
  // Leave room for the conversation to start inside the interval.
  const startMs = o.startMs + Math.floor(rng.next() * (o.endMs - o.startMs - 1));
  const pid = (k: string) => uuidFor(seed, `${index}:${k}`);
  const customer = customerOf(rng, kind, index, pid);
  const flow = flowOf(rng, dir, kind, direction, startMs, pid);
  const acdStart = flow ? flow.window[1] : startMs;
  const acdEnd = acdStart + rng.int(5, kind === 'email' ? 3600 : 90) * SEC;
  const acd = {
    participantId: pid('acd'),
    sessionId: pid('acd-session'),
    window: [acdStart, acdEnd] as Window,
  };
  const { lines, agents, endMs } = agentsOf(rng, dir, kind, awkward, acdEnd, pid);
  const recording = recordingOf(o, rng, awkward, pid);
  return {
    index,
    id,
    kind,
    language,
    direction,
    awkward,
    startMs,
    endMs,
    divisionId: queue.divisionId,
    queue: { id: queue.id, name: queue.name },
    customer,
    ...(flow ? { flow } : {}),
    acd,
    agents,
    lines,
    ...(recording ? { recording } : {}),
    hasTranscript: hasTranscript(kind, awkward, recording),
  };
}

type Ids = (key: string) => string;

/** The slot's awkward case; transcripts, transcoding and hour-long media only exist for voice. */
function awkwardFor(kind: MediaKind, slot: number): Awkward {
  const awkward = awkwardOf(slot);
  if (kind !== 'voice' && (awkward === 'noTranscript' || awkward === 'transcoding' || awkward === 'long'))
    return 'normal';
  return awkward;
}

function customerOf(rng: Rng, kind: MediaKind, index: number, pid: Ids): ConversationPlan['customer'] {
  return {
    participantId: pid('customer'),
    sessionId: pid('customer-session'),
    name: personName(rng),
    address:
      kind === 'voice'
        ? tel(rng)
        : kind === 'email'
          ? `customer${index}@example.com`
          : `+1555${String(rng.int(1000000, 9999999))}`,
    peer:
      kind === 'voice'
        ? `tel:+18005550${String(rng.int(100, 199))}`
        : kind === 'email'
          ? 'support@example.com'
          : 'web-messaging',
  };
}

/** The IVR (inbound voice) or, for some chats and messages, the bot that comes first. */
function flowOf(
  rng: Rng,
  dir: Directory,
  kind: MediaKind,
  direction: 'inbound' | 'outbound',
  t: number,
  pid: Ids,
): ConversationPlan['flow'] {
  const hasFlow = kind === 'voice' ? direction === 'inbound' : kind !== 'email' && rng.chance(0.4);
  if (!hasFlow) return undefined;
  const bot = kind !== 'voice';
  const f = bot ? dir.bots[0]! : dir.flows[0]!;
  const end = t + rng.int(15, 45) * SEC;
  return {
    participantId: pid('flow'),
    sessionId: pid('flow-session'),
    flowId: f.id,
    name: f.name,
    window: [t, end],
    purpose: bot ? 'botflow' : 'ivr',
  };
}

/** The dialogue's length and the agents who carry it from `t` on (two after a transfer). */
function agentsOf(
  rng: Rng,
  dir: Directory,
  kind: MediaKind,
  awkward: Awkward,
  t: number,
  pid: Ids,
): { lines: number; agents: AgentLeg[]; endMs: number } {
  const long = awkward === 'long';
  const lines = long ? rng.int(500, 600) : rng.int(14, 30);
  const transfer = rng.chance(0.2);
  const agentCount = transfer ? 2 : 1;
  const perLineMs = long ? 6500 : rng.int(4, 8) * SEC;
  const talkMs = Math.ceil(lines / agentCount) * perLineMs;
  const agents: AgentLeg[] = [];
  const firstUser = rng.int(0, dir.users.length - 1);
  for (let a = 0; a < agentCount; a++) {
    const user = dir.users[(firstUser + a * 7) % dir.users.length]!;
    const leg = agentLeg(rng, a === 0 && kind === 'voice', t, talkMs);
    agents.push({
      userId: user.id,
      name: user.name,
      participantId: pid(`agent${a}`),
      sessionId: pid(`agent${a}-session`),
      ...leg,
    });
    // The next agent is alerted as this one goes to wrap-up (a blind transfer).
    t = leg.wrapup[0];
  }
  return { lines, agents, endMs: t };
}

/** One agent's windows from `t`: alert, interact (split by a hold sometimes), wrap-up. */
function agentLeg(
  rng: Rng,
  mayHold: boolean,
  t: number,
  talkMs: number,
): Pick<AgentLeg, 'alert' | 'interact' | 'hold' | 'wrapup'> {
  const alert: Window = [t, t + rng.int(2, 10) * SEC];
  t = alert[1];
  const interact: Window[] = [];
  let hold: Window | undefined;
  if (mayHold && rng.chance(0.3)) {
    const first = Math.floor(talkMs / 2);
    interact.push([t, t + first]);
    hold = [t + first, t + first + rng.int(20, 90) * SEC];
    interact.push([hold[1], hold[1] + talkMs - first]);
    t = hold[1] + talkMs - first;
  } else {
    interact.push([t, t + talkMs]);
    t += talkMs;
  }
  const wrapup: Window = [t, t + rng.int(10, 60) * SEC];
  return { alert, interact, ...(hold ? { hold } : {}), wrapup };
}

function recordingOf(
  o: ResolvedOptions,
  rng: Rng,
  awkward: Awkward,
  pid: Ids,
): ConversationPlan['recording'] {
  if (awkward === 'noRecording') return undefined;
  const fileState =
    awkward === 'archived'
      ? 'ARCHIVED'
      : awkward === 'deleted'
        ? 'DELETED'
        : awkward === 'error'
          ? 'ERROR'
          : 'AVAILABLE';
  return {
    id: pid('recording'),
    fileState,
    transcoding: awkward === 'transcoding',
    sizeBytes: o.audioBytes.min + Math.floor(rng.next() * (o.audioBytes.max - o.audioBytes.min + 1)),
  };
}

/**
 * Voice: the STA transcript survives archiving but not deletion or a failed recording. Digital:
 * the transcript is the recording itself, so only an available one has it.
 */
function hasTranscript(kind: MediaKind, awkward: Awkward, recording: ConversationPlan['recording']): boolean {
  return (
    recording !== undefined &&
    (kind === 'voice'
      ? (recording.fileState === 'AVAILABLE' || recording.fileState === 'ARCHIVED') &&
        awkward !== 'noTranscript'
      : recording.fileState === 'AVAILABLE')
  );
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
