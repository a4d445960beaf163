// Voice: a Speech & Text Analytics transcript file (genesys-api.md §5) → the canonical Transcript.
//
// - Times in the file are epoch milliseconds; the model counts from `startedAt`, which is the
//   file's own `startTime` (the start of the transcribed media, so captions line up with the
//   recording), moved earlier if a phrase starts before it.
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
  type StaParticipant,
} from './schemas.ts';
import { buildSpeakerIndex, resolveSpeaker, windowsFromSta } from './speakers.ts';
import { cleanText } from './text.ts';
import { emptyWarnings, reportWarnings, type WarningSink } from './warnings.ts';

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
  words: { text: string; startAbs: number; endAbs: number; confidence?: number }[];
}

export function normaliseVoiceTranscript(
  raw: unknown,
  conversation: AnalyticsConversationWithoutAttributes,
  opts: VoiceOptions = {},
): Transcript {
  const envelope = staEnvelopeSchema.safeParse(raw);
  if (!envelope.success) {
    throw new GtError(
      'INVALID_RESPONSE',
      `voice transcript is malformed: ${describeIssues(envelope.error)}`,
      {
        conversationId: conversation.conversationId ?? null,
        communicationId: opts.communicationId ?? null,
      },
    );
  }
  const env = envelope.data;
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
  const communicationId = opts.communicationId ?? env.communicationId;

  const warnings = emptyWarnings();
  const segments: RawSegment[] = [];
  const speechByLanguage = new Map<string, number>();
  let transcriptStart: number | undefined;
  for (const entry of env.transcripts) {
    const t = staTranscriptSchema.safeParse(entry);
    if (!t.success) {
      warnings.droppedItems++;
      continue;
    }
    if (t.data.startTime !== undefined)
      transcriptStart = Math.min(transcriptStart ?? Infinity, t.data.startTime);
    const language = t.data.language || undefined;
    for (const rawPhrase of t.data.phrases) {
      const parsed = staPhraseSchema.safeParse(rawPhrase);
      if (!parsed.success) {
        warnings.droppedItems++;
        continue;
      }
      const p = parsed.data;
      const cleaned = cleanText(p.decoratedText ?? p.text);
      if (cleaned.truncated) warnings.truncatedTexts++;
      if (!cleaned.text) {
        warnings.emptyItems++;
        continue;
      }
      const words: RawSegment['words'] = [];
      for (const rawWord of p.words ?? []) {
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
      const lastWordEnd = words.reduce((m, w) => Math.max(m, w.endAbs), p.startTimeMs);
      const endAbs = p.duration ? p.startTimeMs + p.duration.milliseconds : lastWordEnd;
      const confidence = p.confidence ?? meanConfidence(words);
      segments.push({
        startAbs: p.startTimeMs,
        endAbs,
        purpose: p.participantPurpose,
        text: cleaned.text,
        language,
        ...(confidence !== undefined ? { confidence } : {}),
        words,
      });
      if (language)
        speechByLanguage.set(language, (speechByLanguage.get(language) ?? 0) + (endAbs - p.startTimeMs) + 1);
    }
  }
  // Time order across transcripts[]; the sort is stable, so equal starts keep file order.
  segments.sort((a, b) => a.startAbs - b.startAbs);

  const firstPhrase = segments[0]?.startAbs;
  let base =
    env.startTime ??
    transcriptStart ??
    firstPhrase ??
    env.conversationStartTime ??
    Date.parse(conversation.conversationStart ?? '');
  if (!Number.isFinite(base)) base = 0;
  if (firstPhrase !== undefined && firstPhrase < base) base = firstPhrase;

  const language = [...speechByLanguage.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  const staParticipants: StaParticipant[] = [];
  for (const p of env.participants ?? []) {
    const parsed = staParticipantSchema.safeParse(p);
    if (parsed.success) staParticipants.push(parsed.data);
  }
  const speakers = buildSpeakerIndex(conversation, {
    mediaTypes: ['voice'],
    fallbackWindows: windowsFromSta(staParticipants),
  });

  const out: Segment[] = segments.map((s, index) => {
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
  });

  const lastEnd = out.reduce((m, s) => Math.max(m, s.endMs, ...(s.words ?? []).map((w) => w.endMs)), 0);
  const declared = env.duration?.milliseconds ?? 0;
  reportWarnings(warnings, opts.onWarnings);
  const transcript: Transcript = {
    schemaVersion: TRANSCRIPT_SCHEMA_VERSION,
    conversationId,
    mediaType: 'voice',
    source: 'speech-text-analytics',
    startedAt: new Date(base).toISOString(),
    durationMs: Math.max(lastEnd, declared),
    segments: out,
    redaction: { applied: false, counts: {}, spans: [] },
  };
  if (communicationId) transcript.communicationId = communicationId;
  if (opts.recordingId) transcript.recordingId = opts.recordingId;
  if (language) transcript.language = language;
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
