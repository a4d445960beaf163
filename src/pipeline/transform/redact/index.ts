// PII redaction for text and for canonical transcripts. Detection (./detect.ts) returns ranges
// of the original text; this module swaps them for typed placeholders ("[CARD]") and keeps the
// bookkeeping: counts, spans in redacted coordinates, word timings for audio silencing.
import type { PiiEntity, RedactionSpan, Segment, Transcript, Word } from '../model.ts';
import { detect, detectOptions, type Detection } from './detect.ts';
import { resolveLocale } from './lexicon.ts';
import { digitsOf } from './normalize.ts';
import { DEFAULT_ITEM_MAX_MS, RedactionBudget } from './budget.ts';
import { isGtError } from '../../../errors.ts';

export interface RedactOptions {
  /** Entities to redact; default all. */
  entities?: PiiEntity[];
  /** 'en-US' default; number words of every known locale are used as well. */
  locale?: string;
  /** Time cap per item (a text, one transcript), default DEFAULT_ITEM_MAX_MS: past it the whole
   * item is redacted and counted as UNSCANNED (fails closed). */
  maxMsPerItem?: number;
}

export interface TextRedaction {
  text: string;
  counts: Partial<Record<PiiEntity, number>>;
  spans: {
    entity: PiiEntity;
    start: number;
    end: number;
    /* in redacted text */ originalStart: number;
    originalEnd: number;
  }[];
}

export const ALL_PII_ENTITIES: readonly PiiEntity[] = [
  'CARD',
  'CVV',
  'EXPIRY',
  'SSN',
  'PHONE',
  'EMAIL',
  'BANK_ACCOUNT',
  'ROUTING_NUMBER',
  'IBAN',
  'DOB',
];

export function placeholder(entity: PiiEntity): string {
  return entity === 'UNSCANNED' ? '[REDACTED]' : `[${entity}]`;
}

function budgetFor(options: RedactOptions | undefined): RedactionBudget {
  return new RedactionBudget(options?.maxMsPerItem ?? DEFAULT_ITEM_MAX_MS);
}

/** Runs a detection; past the item's budget, `failClosed` redacts the whole item instead. */
function orWhole<T>(run: () => T, failClosed: () => T): T {
  try {
    return run();
  } catch (err) {
    if (isGtError(err, 'TIMEOUT')) return failClosed();
    throw err;
  }
}

/** The whole text as one UNSCANNED span (whitespace-only text has nothing to hide). */
function wholeText(text: string): TextRedaction {
  if (!text.trim()) return { text, counts: {}, spans: [] };
  return applyDetections(text, [{ entity: 'UNSCANNED', start: 0, end: text.length }]);
}

function wanted(options: RedactOptions | undefined): (d: Detection) => boolean {
  if (!options?.entities) return () => true;
  const set = new Set(options.entities);
  return (d) => set.has(d.entity);
}

/** Replaces detections (sorted, disjoint, original offsets) with placeholders. */
function applyDetections(text: string, detections: readonly Detection[]): TextRedaction {
  const counts: TextRedaction['counts'] = {};
  const spans: TextRedaction['spans'] = [];
  let out = '';
  let cursor = 0;
  for (const d of detections) {
    out += text.slice(cursor, d.start);
    const ph = placeholder(d.entity);
    spans.push({
      entity: d.entity,
      start: out.length,
      end: out.length + ph.length,
      originalStart: d.start,
      originalEnd: d.end,
    });
    out += ph;
    cursor = d.end;
    counts[d.entity] = (counts[d.entity] ?? 0) + 1;
  }
  out += text.slice(cursor);
  return { text: out, counts, spans };
}

export function redactText(text: string, options?: RedactOptions): TextRedaction {
  // No closures here: this runs once per chat line or turn, and is measured per line.
  try {
    const detections = detect(text, detectOptions(resolveLocale(options?.locale), budgetFor(options)));
    if (detections.length === 0) return { text, counts: {}, spans: [] };
    return applyDetections(text, options?.entities ? detections.filter(wanted(options)) : detections);
  } catch (err) {
    if (isGtError(err, 'TIMEOUT')) return wholeText(text);
    throw err;
  }
}

// ANI/DNIS and similar: a value that is nothing but a (tel:/sip:) number is a phone number.
const PHONE_LIKE_VALUE = /^\s*(?:(?:tel|sip|sips):)?\s*\+?[\d\s().-]{7,}(?:[@;].*)?$/i;

/** For metadata: ANI/DNIS (tel:+1…), addresses, file names — anything that should never be
 * exported in clear: returns the value redacted (e.g. 'tel:[PHONE]'). */
export function redactValue(value: string, options?: RedactOptions): string {
  return redactValueCounted(value, options).text;
}

function redactValueCounted(value: string, options?: RedactOptions): TextRedaction {
  return orWhole(
    () => {
      const detections = detect(
        value,
        detectOptions(
          resolveLocale(options?.locale),
          budgetFor(options),
          undefined,
          PHONE_LIKE_VALUE.test(value) ? 'PHONE' : undefined,
        ),
      ).filter(wanted(options));
      return applyDetections(value, detections);
    },
    () => wholeText(value),
  );
}

// Segments are joined with a newline: the tokeniser treats it as plain whitespace, so a number
// read over two phrases is still one digit run.
const SEGMENT_SEPARATOR = '\n';

/** How far past the previous word the next one is looked for: words follow each other in the
 * text, and searching the whole rest of a long segment for every missing word is quadratic. */
const WORD_SEARCH_WINDOW = 256;

/** Character offsets of each word inside the segment text (-1 when a word is not found there). */
function wordOffsets(text: string, words: readonly Word[]): { start: number; end: number }[] {
  const lower = text.toLowerCase();
  let cursor = 0;
  return words.map((w) => {
    const needle = w.text.toLowerCase();
    const found = needle
      ? lower.slice(cursor, cursor + WORD_SEARCH_WINDOW + needle.length).indexOf(needle)
      : -1;
    if (found < 0) return { start: -1, end: -1 };
    const at = cursor + found;
    cursor = at + needle.length;
    return { start: at, end: at + needle.length };
  });
}

interface Piece {
  entity: PiiEntity;
  start: number;
  end: number;
}

function redactSegment(
  segment: Segment,
  pieces: Piece[],
  options: RedactOptions | undefined,
  counts: Partial<Record<PiiEntity, number>>,
): { segment: Segment; spans: RedactionSpan[] } {
  const result = applyDetections(segment.text, pieces);
  const out: Segment = { ...segment, speaker: { ...segment.speaker }, text: result.text };
  const spans: RedactionSpan[] = result.spans.map((s) => ({
    segmentIndex: segment.index,
    entity: s.entity,
    start: s.start,
    end: s.end,
  }));
  if (segment.words) {
    const offsets = wordOffsets(segment.text, segment.words);
    const words = segment.words.map((w) => ({ ...w }));
    // Spans and found words are both in text order: one sweep pairs them.
    const found = offsets.flatMap((o, wi) => (o.start < 0 ? [] : [{ ...o, wi }]));
    let from = 0;
    result.spans.forEach((s, spanIdx) => {
      while (from < found.length && found[from]!.end <= s.originalStart) from++;
      let first = true;
      for (let k = from; k < found.length && found[k]!.start < s.originalEnd; k++) {
        const w = words[found[k]!.wi]!;
        const span = spans[spanIdx]!;
        span.startMs = Math.min(span.startMs ?? w.startMs, w.startMs);
        span.endMs = Math.max(span.endMs ?? w.endMs, w.endMs);
        w.text = first ? placeholder(s.entity) : '';
        first = false;
      }
    });
    // Words the text did not contain (speech engines differ, e.g. text "4111 1111" for the word
    // "41111111"). A word whose digits are part of a redacted span's digits is that span: the
    // detector's context (cue words, checksums) lives in the text, not in a lone word.
    const spanDigits = result.spans.map((s) => ({
      entity: s.entity,
      digits: digitsOf(segment.text.slice(s.originalStart, s.originalEnd)),
    }));
    offsets.forEach((o, wi) => {
      if (o.start >= 0) return;
      const w = words[wi]!;
      const digits = digitsOf(w.text);
      const owner = digits.length >= 2 ? spanDigits.find((s) => s.digits.includes(digits)) : undefined;
      if (owner) {
        w.text = placeholder(owner.entity);
        return;
      }
      const r = redactText(w.text, options);
      if (r.spans.length) {
        w.text = r.text;
        for (const [e, c] of Object.entries(r.counts))
          counts[e as PiiEntity] = (counts[e as PiiEntity] ?? 0) + (c ?? 0);
      }
    });
    out.words = words;
  }
  if (segment.meta) {
    const meta: Record<string, string> = {};
    for (const [k, v] of Object.entries(segment.meta)) {
      const r = redactValueCounted(v, options);
      meta[k] = r.text;
      for (const [e, c] of Object.entries(r.counts))
        counts[e as PiiEntity] = (counts[e as PiiEntity] ?? 0) + (c ?? 0);
    }
    out.meta = meta;
  }
  return { segment: out, spans };
}

/** Redacts every place text lives in the canonical model: segment text, words[] (a redacted
 * word's text becomes the placeholder, or '' for the following words of the same span, timings
 * kept), segment meta values; fills transcript.redaction {applied, counts, spans with
 * segmentIndex and startMs/endMs from the words}. Detects PII that is split across consecutive
 * segments (a card read in two phrases, the agent reading a number back) by running detection
 * over the concatenated stream of segments with a separator that allows continuation. Returns a
 * new object; does not mutate the input. */
export function redactTranscript(transcript: Transcript, options?: RedactOptions): Transcript {
  return orWhole(
    () => redactTranscriptWithin(transcript, options, budgetFor(options)),
    () => redactTranscriptWhole(transcript),
  );
}

/** Fail closed: every segment's text, words and meta values become one [REDACTED] each, with the
 * segment's time range, so the audio is silenced over the whole segment too. */
function redactTranscriptWhole(transcript: Transcript): Transcript {
  const counts: Partial<Record<PiiEntity, number>> = {};
  const spans: RedactionSpan[] = [];
  const segments = transcript.segments.map((s): Segment => {
    const r = wholeText(s.text);
    const out: Segment = { ...s, speaker: { ...s.speaker }, text: r.text };
    if (r.spans.length) {
      counts.UNSCANNED = (counts.UNSCANNED ?? 0) + 1;
      spans.push({
        segmentIndex: s.index,
        entity: 'UNSCANNED',
        start: 0,
        end: r.text.length,
        startMs: s.startMs,
        endMs: s.endMs,
      });
    }
    if (s.words) out.words = s.words.map((w, i) => ({ ...w, text: i === 0 ? placeholder('UNSCANNED') : '' }));
    if (s.meta) out.meta = Object.fromEntries(Object.entries(s.meta).map(([k, v]) => [k, wholeText(v).text]));
    return out;
  });
  return { ...transcript, segments, redaction: { applied: true, counts, spans } };
}

/** Where the PII of each segment is (original segment offsets), found over the concatenated
 * segments so a number read over several phrases or turns is one; and each detection's count. */
function segmentPieces(
  segments: readonly Segment[],
  locale: ReturnType<typeof resolveLocale>,
  options: RedactOptions | undefined,
  budget: RedactionBudget,
): { pieces: Piece[][]; counts: Partial<Record<PiiEntity, number>> } {
  const starts: number[] = [];
  let combined = '';
  segments.forEach((s, i) => {
    if (i > 0) combined += SEGMENT_SEPARATOR;
    starts.push(combined.length);
    combined += s.text;
  });
  const detections = detect(combined, detectOptions(locale, budget, starts.slice(1))).filter(wanted(options));

  // Cut each detection at segment borders: every segment gets its own placeholder for its part.
  const counts: Partial<Record<PiiEntity, number>> = {};
  const pieces: Piece[][] = segments.map(() => []);
  let seg = 0;
  for (const d of detections) {
    counts[d.entity] = (counts[d.entity] ?? 0) + 1;
    while (seg + 1 < segments.length && starts[seg + 1]! <= d.start) seg++;
    for (let s = seg; s < segments.length && starts[s]! < d.end; s++) {
      const segStart = starts[s]!;
      const text = segments[s]!.text;
      let start = Math.max(d.start, segStart) - segStart;
      let end = Math.min(d.end, segStart + text.length) - segStart;
      while (start < end && /\s/.test(text[start]!)) start++;
      while (end > start && /\s/.test(text[end - 1]!)) end--;
      if (end > start) pieces[s]!.push({ entity: d.entity, start, end });
    }
  }
  return { pieces, counts };
}

/** The PII `redactTranscript` would redact in each segment's text, as original offsets (for
 * scoring against labelled corpora, where the redacted text alone cannot say what was covered). */
export function findTranscriptPii(
  transcript: Transcript,
  options?: RedactOptions,
): { segmentIndex: number; entity: PiiEntity; start: number; end: number }[][] {
  const locale = resolveLocale(options?.locale ?? transcript.language);
  return orWhole(
    () =>
      segmentPieces(transcript.segments, locale, options, budgetFor(options)).pieces.map((ps, i) =>
        ps.map((p) => ({ segmentIndex: i, ...p })),
      ),
    () =>
      transcript.segments.map((s, i) => [
        { segmentIndex: i, entity: 'UNSCANNED' as const, start: 0, end: s.text.length },
      ]),
  );
}

function redactTranscriptWithin(
  transcript: Transcript,
  options: RedactOptions | undefined,
  budget: RedactionBudget,
): Transcript {
  const locale = resolveLocale(options?.locale ?? transcript.language);
  const segments = transcript.segments;
  const { pieces, counts } = segmentPieces(segments, locale, options, budget);

  const spans: RedactionSpan[] = [];
  const outSegments = segments.map((s, i) => {
    budget.check();
    const r = redactSegment(s, pieces[i]!, { ...options, locale }, counts);
    spans.push(...r.spans);
    return r.segment;
  });
  return {
    ...transcript,
    segments: outSegments,
    redaction: { applied: true, counts, spans },
  };
}
