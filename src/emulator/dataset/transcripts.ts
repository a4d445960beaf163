// The text side of a conversation: the STA voice transcript (same shape as the real sample in
// /work/shared/genesys-samples) and the digital transcripts carried inside chat, messaging and
// email recordings. The dialogue comes from pii.ts, so what is planted is known exactly.
import type { ChatMessage, RecordingEmailMessage, RecordingMessagingMessage } from '../../sdk/models.ts';
import { Rng, rngFor, uuidFor } from '../random.ts';
import type { PlantedItem } from '../types.ts';
import { dialogue, SEARCH_PHRASES, type Line } from './pii.ts';
import { iso, type ConversationPlan, type Window } from './plan.ts';

const ORGANIZATION_ID = 'e7a1c2b3-0000-4000-8000-0000000000e0';

/** Every fourth conversation (index 1, 5, 9 …) has the customer ask to cancel their account. */
export function plantsPhrase(plan: ConversationPlan): boolean {
  return plan.index % 4 === 1;
}

export function dialogueOf(plan: ConversationPlan, seed: number): Line[] {
  const rng = rngFor(seed, `dialogue:${plan.index}`);
  const agentName = plan.agents[0]!.name.split(' ')[0]!;
  return dialogue(rng, plan.language, {
    voice: plan.kind === 'voice',
    withIvr: plan.flow !== undefined,
    turns: plan.lines,
    agentName,
    piiCount: plan.awkward === 'long' ? 10 : 3 + (plan.index % 4),
    cancel: plantsPhrase(plan),
  });
}

/** What is planted in the transcript served for `plan`; `served` says whether one is (default: the plan's own say). */
export function plantedOf(
  plan: ConversationPlan,
  seed: number,
  served = plan.hasTranscript,
): { pii: PlantedItem[]; keep: string[]; phrases: string[] } {
  if (!served) return { pii: [], keep: [], phrases: [] };
  const lines = dialogueOf(plan, seed);
  return {
    pii: lines.flatMap((l) => l.pii),
    keep: [...new Set(lines.flatMap((l) => l.keep))],
    phrases: plantsPhrase(plan) ? [SEARCH_PHRASES[plan.language]] : [],
  };
}

interface Timed {
  line: Line;
  window: Window;
  agent?: number;
}

/** Places flow lines in the flow window and dialogue lines in the agents' interact windows. */
function timeline(plan: ConversationPlan, lines: Line[]): Timed[] {
  const out: Timed[] = [];
  const flowLines = lines.filter((l) => l.speaker === 'ivr' || l.speaker === 'bot');
  const talk = lines.filter((l) => l.speaker !== 'ivr' && l.speaker !== 'bot');
  if (plan.flow && flowLines.length > 0) {
    const [a, b] = plan.flow.window;
    const step = (b - a) / flowLines.length;
    flowLines.forEach((line, i) =>
      out.push({ line, window: [Math.round(a + i * step), Math.round(a + (i + 1) * step)] }),
    );
  }
  const perAgent = Math.ceil(talk.length / plan.agents.length);
  plan.agents.forEach((agent, ai) => {
    const mine = talk.slice(ai * perAgent, (ai + 1) * perAgent);
    const total = agent.interact.reduce((s, w) => s + (w[1] - w[0]), 0);
    let k = 0;
    agent.interact.forEach((w, wi) => {
      const share =
        wi === agent.interact.length - 1
          ? mine.length - k
          : Math.round((mine.length * (w[1] - w[0])) / total);
      const step = (w[1] - w[0]) / Math.max(1, share);
      for (let i = 0; i < share; i++, k++)
        out.push({
          line: mine[k]!,
          window: [Math.round(w[0] + i * step), Math.round(w[0] + (i + 1) * step)],
          agent: ai,
        });
    });
  });
  return out;
}

function phrase(t: Timed, rng: Rng) {
  const [a, b] = t.window;
  const start = a + Math.round((b - a) * 0.05);
  const duration = Math.max(200, Math.round((b - a) * 0.85));
  const tokens = t.line.text.split(/\s+/).filter(Boolean);
  const wordMs = Math.floor(duration / tokens.length);
  const words = tokens.map((word, i) => ({
    word,
    confidence: Math.round((0.75 + rng.next() * 0.24) * 100) / 100,
    startTimeMs: start + i * wordMs,
    duration: { milliseconds: Math.max(1, wordMs - 20) },
  }));
  return {
    text: t.line.text,
    stability: 1,
    confidence: Math.round((0.8 + rng.next() * 0.19) * 100) / 100,
    startTimeMs: start,
    duration: { milliseconds: duration },
    words,
    alternatives: [],
    participantPurpose: t.line.speaker === 'customer' ? 'external' : 'internal',
  };
}

/** The STA transcript for the customer's communication, or undefined when there is none. */
export function voiceTranscript(plan: ConversationPlan, seed: number, communicationId: string): unknown {
  if (plan.kind !== 'voice' || !plan.hasTranscript || communicationId !== plan.customer.sessionId)
    return undefined;
  const rng = rngFor(seed, `transcript:${plan.index}`);
  const timed = timeline(plan, dialogueOf(plan, seed));
  const phrases = timed.map((t) => phrase(t, rng));
  const first = phrases[0]?.startTimeMs ?? plan.startMs;
  const duration = plan.endMs - first;
  const participants = voiceParticipants(plan);
  return {
    organizationId: ORGANIZATION_ID,
    conversationId: plan.id,
    communicationId,
    mediaType: 'call',
    conversationStartTime: plan.startMs,
    startTime: first,
    duration: { milliseconds: duration },
    uri: `/transcript/v1/organizations/${ORGANIZATION_ID}/conversations/${plan.id}/communications/${communicationId}`,
    transcripts: [
      {
        transcriptId: uuidFor(seed, `transcript:${plan.index}`),
        language: plan.language,
        programId: '',
        startTime: first,
        duration: { milliseconds: duration },
        phrases,
        analytics: {
          sentiment: phrases.map((p, i) => ({
            participant: p.participantPurpose,
            phrase: p.text,
            startTimeMs: p.startTimeMs,
            duration: p.duration,
            sentiment: i % 5 === 4 ? 1 : 0,
            phraseIndex: i,
          })),
        },
      },
    ],
    participants,
  };
}

/** The STA transcript's participants: customer, IVR, queue, then each agent until they last spoke. */
function voiceParticipants(plan: ConversationPlan): Record<string, unknown>[] {
  const ani = plan.direction === 'inbound' ? plan.customer.address : plan.customer.peer;
  const dnis = plan.direction === 'inbound' ? plan.customer.peer : plan.customer.address;
  const base = { initialDirection: plan.direction, divisionId: plan.divisionId, ani, dnis };
  const participants: Record<string, unknown>[] = [
    {
      participantPurpose: 'customer',
      ...base,
      queueId: plan.queue.id,
      startTimeMs: plan.startMs,
      endTimeMs: plan.endMs,
    },
  ];
  if (plan.flow)
    participants.push({
      participantPurpose: 'ivr',
      ...base,
      flowId: plan.flow.flowId,
      startTimeMs: plan.flow.window[0],
      endTimeMs: plan.flow.window[1],
    });
  participants.push({
    participantPurpose: 'acd',
    ...base,
    queueId: plan.queue.id,
    startTimeMs: plan.acd.window[0],
    endTimeMs: plan.acd.window[1],
  });
  for (const a of plan.agents) {
    participants.push({
      participantPurpose: 'agent',
      userId: a.userId,
      ...base,
      queueId: plan.queue.id,
      startTimeMs: a.alert[0],
      endTimeMs: a.interact[a.interact.length - 1]![1],
    });
  }
  return participants;
}

export interface DigitalTranscript {
  transcript?: ChatMessage[];
  messagingTranscript?: RecordingMessagingMessage[];
  emailTranscript?: RecordingEmailMessage[];
}

/** The transcript a digital recording carries, in the field the Recording model uses for its media. */
export function digitalTranscript(plan: ConversationPlan, seed: number): DigitalTranscript {
  const timed = timeline(plan, dialogueOf(plan, seed));
  if (plan.kind === 'chat') return { transcript: chatTranscript(plan, seed, timed) };
  if (plan.kind === 'message') return { messagingTranscript: messagingTranscript(plan, seed, timed) };
  return { emailTranscript: emailTranscript(plan, seed, timed) };
}

/** Who said a line, and the agent it concerns (the one speaking, or the one the customer talks to). */
function speakerOf(plan: ConversationPlan, t: Timed) {
  return {
    customer: t.line.speaker === 'customer',
    bot: t.line.speaker === 'bot',
    agent: plan.agents[t.agent ?? 0]!,
  };
}

function chatTranscript(plan: ConversationPlan, seed: number, timed: Timed[]): ChatMessage[] {
  const joined = new Set<number>();
  const transcript: ChatMessage[] = [];
  timed.forEach((t, i) => {
    const { customer, bot, agent } = speakerOf(plan, t);
    const agentIndex = t.agent ?? 0;
    if (!customer && !bot && !joined.has(agentIndex)) {
      joined.add(agentIndex);
      transcript.push(chatJoin(plan, seed, t, agentIndex));
    }
    transcript.push({
      id: uuidFor(seed, `${plan.index}:chat:${i}`),
      body: t.line.text,
      bodyType: 'STANDARD',
      utc: iso(t.window[0]),
      from: customer ? plan.customer.participantId : bot ? plan.flow!.participantId : agent.participantId,
      to: customer ? agent.participantId : plan.customer.participantId,
      chat: plan.customer.sessionId,
      type: 'message',
      senderCommunicationId: customer
        ? plan.customer.sessionId
        : bot
          ? plan.flow!.sessionId
          : agent.sessionId,
      participantPurpose: customer ? 'customer' : bot ? 'botflow' : 'agent',
      ...(customer || bot ? {} : { user: { id: agent.userId, name: agent.name, displayName: agent.name } }),
    });
  });
  return transcript;
}

/**
 * Genesys chats carry membership events between the messages (bodyType MEMBERJOIN): not something
 * anyone said, so a transcript must not show it as speech.
 */
function chatJoin(plan: ConversationPlan, seed: number, t: Timed, agentIndex: number): ChatMessage {
  const agent = plan.agents[agentIndex]!;
  return {
    id: uuidFor(seed, `${plan.index}:chat-join:${agentIndex}`),
    body: `${agent.name} joined the conversation`,
    bodyType: 'MEMBERJOIN',
    utc: iso(t.window[0]),
    from: agent.participantId,
    chat: plan.customer.sessionId,
    type: 'message',
    senderCommunicationId: agent.sessionId,
    participantPurpose: 'agent',
  };
}

function messagingTranscript(
  plan: ConversationPlan,
  seed: number,
  timed: Timed[],
): RecordingMessagingMessage[] {
  return timed.map((t, i) => {
    const { customer, bot, agent } = speakerOf(plan, t);
    return {
      id: uuidFor(seed, `${plan.index}:message:${i}`),
      // "The message sender session id" (RecordingMessagingMessage.from).
      from: customer ? plan.customer.sessionId : bot ? plan.flow!.sessionId : agent.sessionId,
      to: customer ? 'web-messaging' : plan.customer.address,
      timestamp: iso(t.window[0]),
      purpose: customer ? 'customer' : bot ? 'botflow' : 'agent',
      participantId: customer
        ? plan.customer.participantId
        : bot
          ? plan.flow!.participantId
          : agent.participantId,
      // Plain text carries no contentType: the model's enum (QuickReply, Card, Attachment …) has no "Text".
      messageText: t.line.text,
      ...(customer || bot ? {} : { fromUser: { id: agent.userId, name: agent.name, version: 1 } }),
      ...(bot ? { workflow: { id: plan.flow!.flowId } } : {}),
      ...(customer ? {} : { queue: { id: plan.queue.id } }),
    };
  });
}

/** E-mail: the dialogue grouped into a thread of a few messages, customer and agent alternating. */
function emailTranscript(plan: ConversationPlan, seed: number, timed: Timed[]): RecordingEmailMessage[] {
  const runs: { customer: boolean; lines: Timed[] }[] = [];
  for (const t of timed) {
    const customer = t.line.speaker === 'customer';
    const current = runs[runs.length - 1];
    if (current && current.customer === customer) current.lines.push(t);
    else runs.push({ customer, lines: [t] });
  }
  return runs.map((run, i) => emailMessage(plan, seed, run, i));
}

function emailMessage(
  plan: ConversationPlan,
  seed: number,
  run: { customer: boolean; lines: Timed[] },
  i: number,
): RecordingEmailMessage {
  const customerMail = { email: plan.customer.address, name: plan.customer.name };
  const supportMail = { email: plan.customer.peer, name: 'Support' };
  return {
    id: uuidFor(seed, `${plan.index}:email:${i}`),
    from: run.customer ? customerMail : supportMail,
    to: [run.customer ? supportMail : customerMail],
    subject: i === 0 ? `Billing question #${plan.index}` : `RE: Billing question #${plan.index}`,
    textBody: run.lines.map((t) => t.line.text).join('\n\n'),
    htmlBody: `<html><body>${run.lines.map((t) => `<p>${escapeHtml(t.line.text)}</p>`).join('')}</body></html>`,
    time: iso(run.lines[0]!.window[0]),
    attachments: [],
  };
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
