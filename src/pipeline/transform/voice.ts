// Voice: a Speech & Text Analytics transcript file (genesys-api.md §5) → the canonical Transcript.
//
// - Times in the file are epoch milliseconds; the model counts from `startedAt`, which is the
//   file's own `startTime` (the start of the transcribed media, so captions line up with the
//   recording), moved earlier if a phrase or word starts before it.
// - Several `transcripts[]` entries (a language switch, several engines) are merged in time order.
//   `language` is the one with the most speech; segments in another language carry meta.language.
// - Segment text is `decoratedText` (casing, punctuation, "$1,200") when present, else `text`;
//   words always come from `words[]`.
// - Hostile input: a malformed envelope throws INVALID_RESPONSE; a malformed phrase or word is
//   dropped and counted (opts.onWarnings); text is cleaned and capped (text.ts).
// - ANI/DNIS and every other field not listed in schemas.ts are never read.
import type { AnalyticsConversationWithoutAttributes } from '../../sdk/models.ts';
import { GtError } from '../../errors.ts';
import { TRANSCRIPT_SCHEMA_VERSION, type Segment, type Transcript, type Word } from './model.ts';
import {
  describeIssues,
  staEnvelopeSchema,
  staParticipantSchema,
  staPhraseSchema,
  staTranscriptSchema,
  staWordSchema,
  type StaEnvelope,
  type StaParticipant,
} from './schemas.ts';
import { buildSpeakerIndex, resolveSpeaker, windowsFromSta, type SpeakerIndex } from './speakers.ts';
import { cleanText } from './text.ts';
import { emptyWarnings, reportWarnings, type TransformWarnings, type WarningSink } from './warnings.ts';

export interface VoiceOptions {
  communicationId?: string;
  recordingId?: string;
  /** Called once with the counts of dropped/cleaned items, when there were any. */
  onWarnings?: WarningSink;
}

interface RawSegment {
  startAbs: number;
  endAbs: number;
  purpose: string | undefined;
  text: string;
  language: string | undefined;
  confidence?: number;
  words: RawWord[];
}

interface RawWord {
  text: string;
  startAbs: number;
  endAbs: number;
  confidence?: number;
}

export function normaliseVoiceTranscript(
  raw: unknown,
  conversation: AnalyticsConversationWithoutAttributes,
  opts: VoiceOptions = {},
): Transcript {
  const env = parseEnvelope(raw, conversation, opts);
  const conversationId = conversationIdOf(env, conversation);
  const warnings = emptyWarnings();
  const { segments, speechByLanguage, transcriptStart } = collectSegments(env.transcripts, warnings);
  const base = timeBase(env, conversation, transcriptStart, earliestStart(segments));
  const language = mainLanguage(speechByLanguage);
  const speakers = speakerIndexOf(env, conversation);
  const out = segments.map((s, index) => toSegment(s, index, speakers, base, language));
  const durationMs = Math.max(lastEndOf(out), env.duration?.milliseconds ?? 0);
  reportWarnings(warnings, opts.onWarnings);
  return assembleTranscript({
    conversationId,
    communicationId: opts.communicationId ?? env.communicationId,
    recordingId: opts.recordingId,
    base,
    durationMs,
    segments: out,
    language,
  });
}

/** The validated envelope, or INVALID_RESPONSE (paths and messages only, never the values). */
function parseEnvelope(
  raw: unknown,
  conversation: AnalyticsConversationWithoutAttributes,
  opts: VoiceOptions,
): StaEnvelope {
  const envelope = staEnvelopeSchema.safeParse(raw);
  if (envelope.success) return envelope.data;
  throw new GtError('INVALID_RESPONSE', `voice transcript is malformed: ${describeIssues(envelope.error)}`, {
    conversationId: conversation.conversationId ?? null,
    communicationId: opts.communicationId ?? null,
  });
}

/** The conversation's ID, from analytics or else the file; the two must agree when both are set. */
function conversationIdOf(env: StaEnvelope, conversation: AnalyticsConversationWithoutAttributes): string {
  const conversationId = conversation.conversationId ?? env.conversationId;
  if (!conversationId) throw new GtError('INVALID_RESPONSE', 'voice transcript has no conversation ID', {});
  if (
    conversation.conversationId &&
    env.conversationId &&
    env.conversationId !== conversation.conversationId
  ) {
    // A transcript of another conversation must never be archived under this one.
    throw new GtError('INVALID_RESPONSE', 'voice transcript belongs to another conversation', {
      conversationId,
    });
  }
  return conversationId;
}

interface Collected {
  /** In time order. */
  segments: RawSegment[];
  /** Speech per language, in ms (+1 per phrase, so zero-length phrases count). */
  speechByLanguage: Map<string, number>;
  /** The earliest `startTime` of the valid transcripts[] entries. */
  transcriptStart: number | undefined;
}

/** Every valid phrase of every valid transcripts[] entry; what is dropped is counted in `warnings`. */
function collectSegments(transcripts: unknown[], warnings: TransformWarnings): Collected {
  const segments: RawSegment[] = [];
  const speechByLanguage = new Map<string, number>();
  let transcriptStart: number | undefined;
  for (const entry of transcripts) {
    const t = staTranscriptSchema.safeParse(entry);
    if (!t.success) {
      warnings.droppedItems++;
      continue;
    }
    if (t.data.startTime !== undefined)
      transcriptStart = Math.min(transcriptStart ?? Infinity, t.data.startTime);
    const language = t.data.language || undefined;
    for (const rawPhrase of t.data.phrases) {
      const segment = collectPhrase(rawPhrase, language, warnings);
      if (!segment) continue;
      segments.push(segment);
      if (language)
        speechByLanguage.set(
          language,
          (speechByLanguage.get(language) ?? 0) + (segment.endAbs - segment.startAbs) + 1,
        );
    }
  }
  // Time order across transcripts[]; the sort is stable, so equal starts keep file order.
  segments.sort((a, b) => a.startAbs - b.startAbs);
  return { segments, speechByLanguage, transcriptStart };
}

/** One phrase as a raw segment, or undefined when it is malformed or has no text (counted). */
function collectPhrase(
  rawPhrase: unknown,
  language: string | undefined,
  warnings: TransformWarnings,
): RawSegment | undefined {
  const parsed = staPhraseSchema.safeParse(rawPhrase);
  if (!parsed.success) {
    warnings.droppedItems++;
    return undefined;
  }
  const p = parsed.data;
  const cleaned = cleanText(p.decoratedText ?? p.text);
  if (cleaned.truncated) warnings.truncatedTexts++;
  if (!cleaned.text) {
    warnings.emptyItems++;
    return undefined;
  }
  const words = collectWords(p.words ?? [], warnings);
  const lastWordEnd = words.reduce((m, w) => Math.max(m, w.endAbs), p.startTimeMs);
  const endAbs = p.duration ? p.startTimeMs + p.duration.milliseconds : lastWordEnd;
  const confidence = p.confidence ?? meanConfidence(words);
  return {
    startAbs: p.startTimeMs,
    endAbs,
    purpose: p.participantPurpose,
    text: cleaned.text,
    language,
    ...(confidence !== undefined ? { confidence } : {}),
    words,
  };
}

/** A phrase's valid words (hot: thousands per transcript); a bad or empty word is dropped and counted. */
function collectWords(rawWords: unknown[], warnings: TransformWarnings): RawWord[] {
  const words: RawWord[] = [];
  for (const rawWord of rawWords) {
    const w = staWordSchema.safeParse(rawWord);
    const text = w.success ? cleanText(w.data.word, { maxChars: 200 }).text : '';
    if (!w.success || !text) {
      warnings.droppedWords++;
      continue;
    }
    words.push({
      text,
      startAbs: w.data.startTimeMs,
      endAbs: w.data.startTimeMs + (w.data.duration?.milliseconds ?? 0),
      ...(w.data.confidence !== undefined ? { confidence: w.data.confidence } : {}),
    });
  }
  return words;
}

/** The epoch ms the model's times count from (see the header), moved back to the first phrase. */
/**
 * The earliest phrase or word start. Words come from the file as they are: one that starts before
 * its phrase (hostile or broken input) would otherwise get a negative time in the model.
 */
function earliestStart(segments: RawSegment[]): number | undefined {
  let first = segments[0]?.startAbs;
  if (first === undefined) return undefined;
  for (const s of segments) for (const w of s.words) if (w.startAbs < first) first = w.startAbs;
  return first;
}

function timeBase(
  env: StaEnvelope,
  conversation: AnalyticsConversationWithoutAttributes,
  transcriptStart: number | undefined,
  firstPhrase: number | undefined,
): number {
  let base =
    env.startTime ??
    transcriptStart ??
    firstPhrase ??
    env.conversationStartTime ??
    Date.parse(conversation.conversationStart ?? '');
  if (!Number.isFinite(base)) base = 0;
  if (firstPhrase !== undefined && firstPhrase < base) base = firstPhrase;
  return base;
}

/** The language with the most speech (the first of equals, in first-seen order). */
function mainLanguage(speechByLanguage: Map<string, number>): string | undefined {
  return [...speechByLanguage.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}

/** Who was talking when: analytics voice participants, with the file's own participants as fallback. */
function speakerIndexOf(
  env: StaEnvelope,
  conversation: AnalyticsConversationWithoutAttributes,
): SpeakerIndex {
  const staParticipants: StaParticipant[] = [];
  for (const p of env.participants ?? []) {
    const parsed = staParticipantSchema.safeParse(p);
    if (parsed.success) staParticipants.push(parsed.data);
  }
  return buildSpeakerIndex(conversation, {
    mediaTypes: ['voice'],
    fallbackWindows: windowsFromSta(staParticipants),
  });
}

/** A raw segment in the model: times from `base`, never ending before they start. */
function toSegment(
  s: RawSegment,
  index: number,
  speakers: SpeakerIndex,
  base: number,
  language: string | undefined,
): Segment {
  const seg: Segment = {
    index,
    speaker: resolveSpeaker(speakers, {
      kind: 'phrase',
      purpose: s.purpose,
      startMs: s.startAbs,
      endMs: s.endAbs,
    }),
    startMs: s.startAbs - base,
    endMs: Math.max(s.endAbs, s.startAbs) - base,
    text: s.text,
  };
  if (s.confidence !== undefined) seg.confidence = s.confidence;
  if (s.words.length)
    seg.words = s.words.map((w): Word => ({
      text: w.text,
      startMs: w.startAbs - base,
      endMs: Math.max(w.endAbs, w.startAbs) - base,
      ...(w.confidence !== undefined ? { confidence: w.confidence } : {}),
    }));
  if (s.language && language && s.language !== language) seg.meta = { language: s.language };
  return seg;
}

/** The latest end of any segment or word, in model ms (0 for none). */
function lastEndOf(segments: Segment[]): number {
  // Loops, not Math.max(...words): a phrase's words are unbounded, and spreading ~100k+ arguments
  // overflows the stack.
  let last = 0;
  for (const s of segments) {
    last = Math.max(last, s.endMs);
    for (const w of s.words ?? []) last = Math.max(last, w.endMs);
  }
  return last;
}

interface TranscriptParts {
  conversationId: string;
  communicationId: string | undefined;
  recordingId: string | undefined;
  base: number;
  durationMs: number;
  segments: Segment[];
  language: string | undefined;
}

/** The Transcript, its optional fields set only when known. */
function assembleTranscript(parts: TranscriptParts): Transcript {
  const transcript: Transcript = {
    schemaVersion: TRANSCRIPT_SCHEMA_VERSION,
    conversationId: parts.conversationId,
    mediaType: 'voice',
    source: 'speech-text-analytics',
    startedAt: new Date(parts.base).toISOString(),
    durationMs: parts.durationMs,
    segments: parts.segments,
    redaction: { applied: false, counts: {}, spans: [] },
  };
  if (parts.communicationId) transcript.communicationId = parts.communicationId;
  if (parts.recordingId) transcript.recordingId = parts.recordingId;
  if (parts.language) transcript.language = parts.language;
  return transcript;
}

function meanConfidence(words: { confidence?: number }[]): number | undefined {
  const known = words.filter((w) => w.confidence !== undefined);
  if (!known.length) return undefined;
  return round3(known.reduce((sum, w) => sum + w.confidence!, 0) / known.length);
}

export function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
