// Digital: the transcripts Genesys keeps inside a `Recording` of a chat (`transcript`), a
// messaging conversation (`messagingTranscript`) or an email thread (`emailTranscript`) → the
// canonical Transcript. Each message becomes one segment with startMs === endMs (a message is an
// instant); captions give them a display duration (formats/cues.ts).
//
// - Speakers: participantId, then session (senderCommunicationId), then the Genesys user, then a
//   customer address match (email), then the purpose (speakers.ts). Customer names, addresses and
//   external contacts are never copied.
// - Email bodies: textBody (keeps line breaks), else htmlBody reduced to text. Subject and
//   attachment names go to meta. Attachment URLs are not copied (they are signed links).
// - Hostile input: a message that is not an object is dropped and counted; a message with an
//   unparseable time takes the previous message's time, so order is kept.
import type {
  AnalyticsConversationWithoutAttributes,
  ChatMessage,
  Recording,
  RecordingEmailMessage,
  RecordingMessagingMessage,
} from '../../sdk/models.ts';
import { GtError } from '../../errors.ts';
import {
  TRANSCRIPT_SCHEMA_VERSION,
  type Segment,
  type Speaker,
  type Transcript,
  type TranscriptMediaType,
} from './model.ts';
import { buildSpeakerIndex, resolveSpeaker, type SpeakerIndex } from './speakers.ts';
import { cleanLabel, cleanText, htmlToText, MAX_EMAIL_BODY_CHARS } from './text.ts';
import { emptyWarnings, reportWarnings, type TransformWarnings, type WarningSink } from './warnings.ts';

export interface DigitalOptions {
  onWarnings?: WarningSink;
}

interface Message {
  atMs: number | undefined;
  speaker: Speaker;
  text: string;
  meta?: Record<string, string>;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function time(v: unknown): number | undefined {
  const s = str(v);
  if (!s) return undefined;
  const ms = Date.parse(s);
  return Number.isFinite(ms) ? ms : undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Names of attachments, comma-separated, cleaned; undefined when there are none. */
function names(list: unknown): string | undefined {
  if (!Array.isArray(list)) return undefined;
  const n = list
    .filter(isObject)
    .map((a) => cleanLabel(str(a.name) ?? str(a.mediaType) ?? 'attachment'))
    .filter(Boolean);
  return n.length ? n.join(', ') : undefined;
}

/** The items of a transcript list that are objects; anything else is dropped and counted. */
function* objectsOf(list: readonly unknown[], w: TransformWarnings): Generator<Record<string, unknown>> {
  for (const m of list) {
    if (isObject(m)) yield m;
    else w.droppedItems++;
  }
}

function message(
  atMs: number | undefined,
  speaker: Speaker,
  text: string,
  meta: Record<string, string>,
): Message {
  return { atMs, speaker, text, ...(Object.keys(meta).length ? { meta } : {}) };
}

function withText(text: string, w: TransformWarnings, multiline: boolean, maxChars?: number): string {
  const c = cleanText(text, { multiline, ...(maxChars ? { maxChars } : {}) });
  if (c.truncated) w.truncatedTexts++;
  return c.text;
}

/**
 * ChatMessage.bodyType is an enum, STANDARD, ACTIVITY, TYPING, NOTICE, MEMBERJOIN, MEMBERLEAVE,
 * MEDIAREQUEST (the SDK models; compared case-insensitively, as the SDK's own models do). Only
 * STANDARD bodies are what someone wrote. Typing indicators and joins/leaves are events, not
 * transcript; notices, activity and media requests are kept as system lines, never as speech.
 */
const CHAT_EVENTS = new Set(['TYPING', 'MEMBERJOIN', 'MEMBERLEAVE']);

function chatMessages(list: ChatMessage[], speakers: SpeakerIndex, w: TransformWarnings): Message[] {
  const out: Message[] = [];
  for (const m of objectsOf(list, w)) {
    const bodyType = (str(m.bodyType) ?? 'STANDARD').toUpperCase();
    if (CHAT_EVENTS.has(bodyType)) {
      w.emptyItems++;
      continue;
    }
    const text = withText(str(m.body) ?? '', w, true);
    if (!text) {
      // typing indicators, joins/leaves without a body
      w.emptyItems++;
      continue;
    }
    const atMs = time(m.utc);
    const meta: Record<string, string> = {};
    if (bodyType !== 'STANDARD') meta.bodyType = cleanLabel(bodyType, 64);
    const speaker: Speaker =
      bodyType === 'STANDARD'
        ? senderOf(speakers, atMs, {
            sessionId: m.senderCommunicationId,
            purpose: m.participantPurpose,
            user: m.user,
          })
        : { role: 'system' };
    out.push(message(atMs, speaker, text, meta));
  }
  return out;
}

function messagingText(m: Record<string, unknown>): string {
  const parts: string[] = [];
  if (str(m.messageText)) parts.push(str(m.messageText)!);
  // Structured replies carry their visible text elsewhere.
  if (isObject(m.buttonResponse) && str(m.buttonResponse.text)) parts.push(str(m.buttonResponse.text)!);
  if (Array.isArray(m.buttonResponses))
    for (const b of m.buttonResponses) if (isObject(b) && str(b.text)) parts.push(str(b.text)!);
  if (Array.isArray(m.cards))
    for (const c of m.cards) if (isObject(c) && str(c.title)) parts.push(str(c.title)!);
  return parts.join('\n');
}

function messagingMessages(
  list: RecordingMessagingMessage[],
  speakers: SpeakerIndex,
  w: TransformWarnings,
): Message[] {
  const out: Message[] = [];
  for (const m of objectsOf(list, w)) {
    const meta: Record<string, string> = {};
    const attachments = names(m.messageMediaAttachments);
    if (attachments) meta.attachments = attachments;
    if (Array.isArray(m.messageStickerAttachments) && m.messageStickerAttachments.length)
      meta.stickers = String(m.messageStickerAttachments.length);
    if (Array.isArray(m.quickReplies)) {
      const q = m.quickReplies
        .filter(isObject)
        .map((r) => cleanLabel(str(r.text) ?? '', 100))
        .filter(Boolean);
      if (q.length) meta.quickReplies = q.join(' | ');
    }
    const text = withText(messagingText(m), w, true);
    if (!text && !Object.keys(meta).length) {
      w.emptyItems++;
      continue;
    }
    const atMs = time(m.timestamp);
    const speaker = senderOf(speakers, atMs, {
      participantId: m.participantId,
      // `from` is "the message sender session id" (RecordingMessagingMessage).
      sessionId: m.from,
      purpose: m.purpose,
      user: m.fromUser,
    });
    const contentType = str(m.contentType);
    if (contentType && contentType !== 'Text') meta.contentType = cleanLabel(contentType, 64);
    out.push(message(atMs, speaker, text, meta));
  }
  return out;
}

function emailMessages(
  list: RecordingEmailMessage[],
  speakers: SpeakerIndex,
  w: TransformWarnings,
): Message[] {
  const out: Message[] = [];
  for (const m of objectsOf(list, w)) {
    const body = str(m.textBody) ?? (str(m.htmlBody) ? htmlToText(str(m.htmlBody)!) : '');
    const text = withText(body, w, true, MAX_EMAIL_BODY_CHARS);
    const meta: Record<string, string> = {};
    const subject = str(m.subject) ? cleanLabel(str(m.subject)!, 500) : '';
    if (subject) meta.subject = subject;
    const attachments = names(m.attachments);
    if (attachments) meta.attachments = attachments;
    if (!text && !subject && !attachments) {
      w.emptyItems++;
      continue;
    }
    const atMs = time(m.time);
    const from = isObject(m.from) ? str(m.from.email) : undefined;
    const speaker = resolveSpeaker(speakers, {
      kind: 'message',
      ...(atMs !== undefined ? { atMs } : {}),
      ...(from ? { address: from } : {}),
    });
    // An address that is not the customer's is the organisation's (a queue or an agent).
    const resolved: Speaker =
      speaker.role === 'unknown' && from && speakers.customerAddresses.size > 0
        ? internalSender(speakers, atMs)
        : speaker;
    out.push(message(atMs, resolved, text, meta));
  }
  return out;
}

/**
 * The speaker of a chat or messaging message from whatever it names (each unvalidated: API data);
 * chat names the sender's session, messaging its participant, both a purpose and maybe a user.
 */
function senderOf(
  speakers: SpeakerIndex,
  atMs: number | undefined,
  from: { sessionId?: unknown; participantId?: unknown; purpose?: unknown; user?: unknown },
): Speaker {
  const user = isObject(from.user) ? from.user : undefined;
  const sessionId = str(from.sessionId);
  const participantId = str(from.participantId);
  const purpose = str(from.purpose);
  const userId = user ? str(user.id) : undefined;
  const userName = user ? str(user.name) : undefined;
  return resolveSpeaker(speakers, {
    kind: 'message',
    ...(atMs !== undefined ? { atMs } : {}),
    ...(sessionId ? { sessionId } : {}),
    ...(participantId ? { participantId } : {}),
    ...(purpose ? { purpose } : {}),
    ...(userId ? { userId } : {}),
    ...(userName ? { userName } : {}),
  });
}

function internalSender(speakers: SpeakerIndex, atMs: number | undefined): Speaker {
  return resolveSpeaker(speakers, {
    kind: 'message',
    purpose: 'agent',
    ...(atMs !== undefined ? { atMs } : {}),
  });
}

function mediaTypeOf(recording: Recording): TranscriptMediaType | undefined {
  const media = (recording.media ?? '').toLowerCase();
  if (media === 'chat' || media === 'message' || media === 'email') return media;
  if (Array.isArray(recording.emailTranscript) && recording.emailTranscript.length) return 'email';
  if (Array.isArray(recording.messagingTranscript) && recording.messagingTranscript.length) return 'message';
  if (Array.isArray(recording.transcript) && recording.transcript.length) return 'chat';
  return undefined;
}

export function normaliseDigitalRecording(
  recording: Recording,
  conversation: AnalyticsConversationWithoutAttributes,
  opts: DigitalOptions = {},
): Transcript | undefined {
  if (!isObject(recording)) throw new GtError('INVALID_RESPONSE', 'recording is not an object', {});
  const mediaType = mediaTypeOf(recording);
  if (!mediaType) return undefined;
  const list =
    mediaType === 'email'
      ? recording.emailTranscript
      : mediaType === 'message'
        ? recording.messagingTranscript
        : recording.transcript;
  if (list === undefined || list === null) return undefined;
  if (!Array.isArray(list))
    throw new GtError('INVALID_RESPONSE', `recording ${mediaType} transcript is not an array`, { mediaType });
  if (list.length === 0) return undefined;

  const conversationId = conversation.conversationId ?? str(recording.conversationId);
  if (!conversationId) throw new GtError('INVALID_RESPONSE', 'digital recording has no conversation ID', {});
  if (
    conversation.conversationId &&
    str(recording.conversationId) &&
    recording.conversationId !== conversation.conversationId
  ) {
    throw new GtError('INVALID_RESPONSE', 'recording belongs to another conversation', { conversationId });
  }

  const warnings = emptyWarnings();
  const speakers = buildSpeakerIndex(conversation, { mediaTypes: [mediaType] });
  const messages =
    mediaType === 'email'
      ? emailMessages(list as RecordingEmailMessage[], speakers, warnings)
      : mediaType === 'message'
        ? messagingMessages(list as RecordingMessagingMessage[], speakers, warnings)
        : chatMessages(list as ChatMessage[], speakers, warnings);

  // Messages without a usable time take their predecessor's, so the thread order is kept.
  let previous: number | undefined;
  const timed = messages.map((m) => {
    const at = m.atMs ?? previous;
    previous = at;
    return { ...m, atMs: at };
  });
  const known = timed.map((m) => m.atMs).filter((t): t is number => t !== undefined);
  const firstKnown = known.length ? Math.min(...known) : undefined;
  let base = time(recording.startTime) ?? firstKnown ?? time(conversation.conversationStart) ?? 0;
  if (firstKnown !== undefined && firstKnown < base) base = firstKnown;
  // Stable sort by time: messages with the same time keep their order in the recording.
  const ordered = timed.map((m) => ({ ...m, atMs: m.atMs ?? base })).sort((a, b) => a.atMs - b.atMs);

  const segments: Segment[] = ordered.map((m, index) => {
    const seg: Segment = {
      index,
      speaker: m.speaker,
      startMs: m.atMs - base,
      endMs: m.atMs - base,
      text: m.text,
    };
    if (m.meta) seg.meta = m.meta;
    return seg;
  });
  const end = time(recording.endTime);
  const lastMessage = segments.at(-1)?.endMs ?? 0;
  reportWarnings(warnings, opts.onWarnings);
  const transcript: Transcript = {
    schemaVersion: TRANSCRIPT_SCHEMA_VERSION,
    conversationId,
    mediaType,
    source: 'recording-transcript',
    startedAt: new Date(base).toISOString(),
    durationMs: Math.max(lastMessage, end !== undefined ? end - base : 0),
    segments,
    redaction: { applied: false, counts: {}, spans: [] },
  };
  const sessionId = str(recording.sessionId);
  const recordingId = str(recording.id);
  if (sessionId) transcript.communicationId = sessionId;
  if (recordingId) transcript.recordingId = recordingId;
  return transcript;
}
