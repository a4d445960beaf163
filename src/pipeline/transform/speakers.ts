// Speaker alignment: Genesys labels who spoke by role (a phrase is `internal` or `external`, a
// message has a purpose), but readers want the person: WHICH agent was talking when a call was
// transferred, whether an internal voice was the IVR, a bot or an agent. The analytics
// conversation knows who was connected when (participants → sessions → segments), so a phrase is
// attributed to the participant whose talking segment contains the phrase's midpoint.
//
// Customers are never named: their participantName, addresses and contact details are PII.
import type {
  AnalyticsConversationWithoutAttributes,
  AnalyticsParticipantWithoutAttributes,
} from '../../sdk/models.ts';
import type { Speaker, SpeakerRole } from './model.ts';
import { cleanLabel } from './text.ts';

/** One stretch of time during which a participant could have been speaking. */
export interface PresenceWindow {
  role: SpeakerRole;
  participantId?: string;
  userId?: string;
  name?: string;
  startMs: number;
  endMs: number;
}

/** Everything needed to resolve speakers of one conversation, built once per transcript. */
export interface SpeakerIndex {
  /** From the analytics conversation's talking segments. */
  windows: PresenceWindow[];
  /** Secondary windows (e.g. the STA file's own participants[]), used when `windows` has no match. */
  fallbackWindows: PresenceWindow[];
  byParticipantId: Map<string, Speaker>;
  bySessionId: Map<string, Speaker>;
  byUserId: Map<string, Speaker>;
  /** The customer (or external party) participants, first one first. */
  customers: Speaker[];
  /** Lower-cased addresses (email, chat) of customer sessions, to recognise their messages. */
  customerAddresses: Set<string>;
}

/** What is known about one utterance. Times are epoch milliseconds. */
export type Utterance =
  | { kind: 'phrase'; purpose: string | undefined; startMs: number; endMs: number }
  | {
      kind: 'message';
      atMs?: number;
      participantId?: string;
      sessionId?: string;
      purpose?: string;
      userId?: string;
      /** Display name of an internal user (never used for customers). */
      userName?: string;
      /** Sender address (email), only compared, never copied. */
      address?: string;
    };

/** Maps an analytics purpose (or an STA participantPurpose) to a speaker role. */
export function roleOfPurpose(purpose: string | undefined): SpeakerRole {
  switch ((purpose ?? '').toLowerCase()) {
    case 'agent':
    case 'user':
      return 'agent';
    // Analytics calls the remote party of an outbound call `external`: still the other side.
    case 'customer':
    case 'external':
      return 'customer';
    case 'ivr':
      return 'ivr';
    case 'bot':
    case 'botflow':
    case 'bot flow':
      return 'bot';
    case 'acd':
      return 'acd';
    case 'workflow':
    case 'voicemail':
    case 'api':
    case 'system':
      return 'system';
    default:
      return 'unknown';
  }
}

// Segments in which a participant is not talking to the customer.
const SILENT_SEGMENTS = new Set([
  'alert',
  'hold',
  'wrapup',
  'dialing',
  'contacting',
  'parked',
  'scheduled',
  'unknown',
]);

// When several participants' windows contain a phrase, the one most likely to be speaking wins.
const ROLE_PRIORITY: Record<SpeakerRole, number> = {
  agent: 0,
  bot: 1,
  ivr: 2,
  acd: 3,
  system: 4,
  unknown: 5,
  customer: 6,
};

function speakerOf(p: AnalyticsParticipantWithoutAttributes): Speaker {
  const role = roleOfPurpose(p.purpose);
  const speaker: Speaker = { role };
  if (p.participantId) speaker.participantId = p.participantId;
  if (role === 'customer') return speaker;
  if (p.userId) speaker.userId = p.userId;
  // Flows are better known by their flow name than by the participant name Genesys gives them.
  const flowName = p.sessions?.find((s) => s.flow?.flowName)?.flow?.flowName;
  const name = role === 'ivr' || role === 'bot' ? (flowName ?? p.participantName) : p.participantName;
  if (name && cleanLabel(name)) speaker.name = cleanLabel(name);
  return speaker;
}

function parseIso(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

export interface SpeakerIndexOptions {
  /** Only sessions of these media types count (e.g. ['voice']); all when absent. */
  mediaTypes?: string[];
  fallbackWindows?: PresenceWindow[];
}

export function buildSpeakerIndex(
  conversation: AnalyticsConversationWithoutAttributes,
  opts: SpeakerIndexOptions = {},
): SpeakerIndex {
  const index: SpeakerIndex = {
    windows: [],
    fallbackWindows: opts.fallbackWindows ?? [],
    byParticipantId: new Map(),
    bySessionId: new Map(),
    byUserId: new Map(),
    customers: [],
    customerAddresses: new Set(),
  };
  const conversationEnd = parseIso(conversation.conversationEnd);
  for (const p of conversation.participants ?? []) {
    const speaker = speakerOf(p);
    if (p.participantId) index.byParticipantId.set(p.participantId, speaker);
    if (p.userId && speaker.role !== 'customer' && !index.byUserId.has(p.userId))
      index.byUserId.set(p.userId, speaker);
    if (speaker.role === 'customer') index.customers.push(speaker);
    for (const s of p.sessions ?? []) {
      if (s.sessionId) index.bySessionId.set(s.sessionId, speaker);
      if (speaker.role === 'customer') {
        for (const a of [s.addressFrom, s.addressSelf, s.remote])
          if (a) index.customerAddresses.add(a.toLowerCase());
      }
      if (opts.mediaTypes && s.mediaType && !opts.mediaTypes.includes(s.mediaType)) continue;
      for (const seg of s.segments ?? []) {
        if (SILENT_SEGMENTS.has((seg.segmentType ?? '').toLowerCase())) continue;
        const startMs = parseIso(seg.segmentStart);
        if (startMs === undefined) continue;
        // An open segment (no end yet) lasts until the conversation ends, or forever.
        const endMs = parseIso(seg.segmentEnd) ?? conversationEnd ?? Number.MAX_SAFE_INTEGER;
        index.windows.push({ ...speaker, startMs, endMs: Math.max(startMs, endMs) });
      }
    }
  }
  return index;
}

/** STA top-level participants → fallback windows (purpose and time range; userId for agents). */
export function windowsFromSta(
  participants: { participantPurpose?: string; userId?: string; startTimeMs?: number; endTimeMs?: number }[],
): PresenceWindow[] {
  const out: PresenceWindow[] = [];
  for (const p of participants) {
    if (p.startTimeMs === undefined) continue;
    const role = roleOfPurpose(p.participantPurpose);
    const w: PresenceWindow = {
      role,
      startMs: p.startTimeMs,
      endMs: Math.max(p.startTimeMs, p.endTimeMs ?? Number.MAX_SAFE_INTEGER),
    };
    if (p.userId && role === 'agent') w.userId = p.userId;
    out.push(w);
  }
  return out;
}

function toSpeaker(w: PresenceWindow, index: SpeakerIndex): Speaker {
  // A fallback window with only a userId borrows the analytics participant of that user.
  if (!w.participantId && w.userId) {
    const known = index.byUserId.get(w.userId);
    if (known) return { ...known };
  }
  const s: Speaker = { role: w.role };
  if (w.participantId) s.participantId = w.participantId;
  if (w.userId) s.userId = w.userId;
  if (w.name) s.name = w.name;
  return s;
}

function distance(w: PresenceWindow, t: number): number {
  return t < w.startMs ? w.startMs - t : t > w.endMs ? t - w.endMs : 0;
}

/** The best window for time t among `candidates`: containing first, then nearest; role priority, then latest start. */
function pick(candidates: PresenceWindow[], t: number, containingOnly: boolean): PresenceWindow | undefined {
  let best: PresenceWindow | undefined;
  let bestKey: [number, number, number] | undefined;
  for (const w of candidates) {
    const d = distance(w, t);
    if (containingOnly && d > 0) continue;
    // Among overlapping windows, the participant who joined last is the one just handed the call.
    const key: [number, number, number] = [d, ROLE_PRIORITY[w.role], -w.startMs];
    if (
      !bestKey ||
      key[0] < bestKey[0] ||
      (key[0] === bestKey[0] && (key[1] < bestKey[1] || (key[1] === bestKey[1] && key[2] < bestKey[2])))
    ) {
      best = w;
      bestKey = key;
    }
  }
  return best;
}

/** Which internal participant (agent, bot, IVR, ACD) was connected at time t. */
function internalAt(index: SpeakerIndex, t: number): Speaker | undefined {
  const internal = (ws: PresenceWindow[]) => ws.filter((w) => w.role !== 'customer');
  const primary = internal(index.windows);
  const fallback = internal(index.fallbackWindows);
  const w =
    pick(primary, t, true) ?? pick(fallback, t, true) ?? pick(primary, t, false) ?? pick(fallback, t, false);
  return w ? toSpeaker(w, index) : undefined;
}

function customerAt(index: SpeakerIndex, t: number | undefined): Speaker {
  if (t !== undefined) {
    const w = pick(
      index.windows.filter((x) => x.role === 'customer'),
      t,
      true,
    );
    if (w) return toSpeaker(w, index);
  }
  const first = index.customers[0];
  return first ? { ...first } : { role: 'customer' };
}

/**
 * Resolves the speaker of a phrase or a message to a participant; falls back to the bare role
 * when nothing better is known (`internal` → agent, `external` → customer).
 */
export function resolveSpeaker(index: SpeakerIndex, u: Utterance): Speaker {
  if (u.kind === 'phrase') {
    const mid = u.startMs + Math.max(0, u.endMs - u.startMs) / 2;
    const purpose = (u.purpose ?? '').toLowerCase();
    if (purpose === 'external' || purpose === 'customer') return customerAt(index, mid);
    if (purpose === 'internal') return internalAt(index, mid) ?? { role: 'agent' };
    // Any other label (an analytics purpose, or nothing): trust the role it names, if any.
    const role = roleOfPurpose(u.purpose);
    if (role === 'customer') return customerAt(index, mid);
    if (role === 'unknown') return { role: 'unknown' };
    const at = internalAt(index, mid);
    return at && at.role === role ? at : { role };
  }

  // Messages: the most specific identifier wins.
  const byId =
    (u.participantId && index.byParticipantId.get(u.participantId)) ||
    (u.sessionId && index.bySessionId.get(u.sessionId));
  if (byId) return { ...byId };
  if (u.userId) {
    const known = index.byUserId.get(u.userId);
    if (known) return { ...known };
  }
  if (u.address && index.customerAddresses.has(u.address.toLowerCase())) return customerAt(index, u.atMs);
  const role = roleOfPurpose(u.purpose);
  if (role === 'customer') return customerAt(index, u.atMs);
  if (role === 'agent' && u.userId) {
    const s: Speaker = { role: 'agent', userId: u.userId };
    if (u.userName && cleanLabel(u.userName)) s.name = cleanLabel(u.userName);
    return s;
  }
  if (role !== 'unknown' || u.userId) {
    // An internal sender without an ID: whoever of that role was connected then.
    const at = u.atMs !== undefined ? internalAt(index, u.atMs) : undefined;
    const wanted = role === 'unknown' ? 'agent' : role;
    if (at && at.role === wanted) return at;
    return { role: wanted };
  }
  return { role: 'unknown' };
}
