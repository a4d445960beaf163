// What a reader of an export wants to know about a conversation beyond its files: who took part
// (agents by name and user ID, flows, queues), its direction, duration and language. Written into
// manifest.json as `details`, so the review pages, the search index and the PostgreSQL sink can
// all be built from the export alone. Customers are never named and no address (ANI, DNIS, e-mail)
// is kept: those are PII.
import type { AnalyticsConversationWithoutAttributes } from '../sdk/models.ts';
import { cleanText } from './transform/text.ts';
import { roleOfPurpose } from './transform/speakers.ts';
import type { SpeakerRole, Transcript } from './transform/model.ts';

export interface ParticipantDetails {
  participantId?: string;
  /** Analytics purpose as Genesys wrote it (customer, external, agent, acd, ivr, botflow …). */
  purpose: string;
  role: SpeakerRole;
  userId?: string;
  /** Agents, flows and queues only: a customer's name is PII. */
  name?: string;
  queueIds: string[];
}

export interface ConversationDetails {
  direction?: string;
  durationMs?: number;
  /** BCP-47 tag from the transcript with the most segments, else the flow's language. */
  language?: string;
  queues: { id: string; name?: string }[];
  participants: ParticipantDetails[];
}

/** Names come from the API: cleaned (no control or bidi characters) and capped. */
function nameOf(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const text = cleanText(raw, { maxChars: 200 }).text.trim();
  return text === '' ? undefined : text;
}

/** en-us → en-US: flows report tags in lower case, transcripts in canonical case. */
function canonicalTag(tag: string): string {
  return tag
    .split('-')
    .map((part, i) => (i === 0 ? part.toLowerCase() : part.length === 2 ? part.toUpperCase() : part))
    .join('-');
}

function languageOf(
  conversation: AnalyticsConversationWithoutAttributes,
  transcripts: readonly Transcript[],
): string | undefined {
  const spoken = [...transcripts]
    .filter((t) => t.language)
    .sort((a, b) => b.segments.length - a.segments.length)[0];
  if (spoken?.language) return canonicalTag(spoken.language);
  for (const p of conversation.participants ?? [])
    for (const s of p.sessions ?? [])
      if (s.flow?.startingLanguage) return canonicalTag(s.flow.startingLanguage);
  return undefined;
}

function participantOf(
  p: NonNullable<AnalyticsConversationWithoutAttributes['participants']>[number],
): ParticipantDetails {
  const role = roleOfPurpose(p.purpose);
  const queueIds = new Set<string>();
  for (const s of p.sessions ?? []) for (const g of s.segments ?? []) if (g.queueId) queueIds.add(g.queueId);
  const name = role === 'customer' || role === 'unknown' ? undefined : nameOf(p.participantName);
  return {
    ...(p.participantId ? { participantId: p.participantId } : {}),
    purpose: p.purpose ?? 'unknown',
    role,
    ...(p.userId ? { userId: p.userId } : {}),
    ...(name ? { name } : {}),
    queueIds: [...queueIds].sort(),
  };
}

export function conversationDetails(
  conversation: AnalyticsConversationWithoutAttributes,
  transcripts: readonly Transcript[],
): ConversationDetails {
  const participants = (conversation.participants ?? []).map(participantOf);
  const queueNames = new Map<string, string | undefined>();
  for (const p of participants)
    for (const q of p.queueIds) if (!queueNames.has(q)) queueNames.set(q, undefined);
  // Genesys names the ACD participant after its queue: the only place analytics gives a queue's name.
  for (const p of participants)
    if (p.role === 'acd' && p.queueIds.length === 1 && p.name) queueNames.set(p.queueIds[0]!, p.name);
  const start = Date.parse(conversation.conversationStart ?? '');
  const end = Date.parse(conversation.conversationEnd ?? '');
  const language = languageOf(conversation, transcripts);
  return {
    ...(conversation.originatingDirection ? { direction: conversation.originatingDirection } : {}),
    ...(Number.isFinite(start) && Number.isFinite(end) && end >= start ? { durationMs: end - start } : {}),
    ...(language ? { language } : {}),
    queues: [...queueNames].map(([id, name]) => ({ id, ...(name ? { name } : {}) })),
    participants,
  };
}
