// Scores a redactor against a labelled corpus (bench/data/utterances.jsonl). Shared by the
// recall/precision test and the benchmark, so both measure exactly the same thing.
//   recall:    labelled PII values fully covered by redacted ranges / labelled PII values
//   precision: redacted ranges that overlap a labelled value / (all redacted ranges + `keep`
//              strings that did not survive)
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { PiiEntity } from '../model.ts';

const UtteranceSchema = z.object({
  text: z.string(),
  locale: z.string(),
  pii: z.array(z.object({ entity: z.string(), value: z.string().min(1) })),
  keep: z.array(z.string().min(1)).default([]),
});
export type Utterance = z.infer<typeof UtteranceSchema>;

export function loadCorpus(path: string): Utterance[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l, i) => {
      const parsed = UtteranceSchema.safeParse(JSON.parse(l));
      if (!parsed.success) throw new Error(`corpus line ${i + 1}: ${parsed.error.message}`);
      for (const p of parsed.data.pii)
        if (!parsed.data.text.includes(p.value)) throw new Error(`corpus line ${i + 1}: value not in text`);
      return parsed.data;
    });
}

/** A redactor under test: the original-text ranges it redacted. */
export type RangeRedactor = (text: string, locale: string) => { start: number; end: number }[];

export interface Score {
  items: number;
  found: number;
  spans: number;
  truePositiveSpans: number;
  falsePositiveSpans: number;
  keepsDestroyed: number;
  recall: number;
  precision: number;
  /** Labelled values that were missed, by entity (for reading the failures). */
  missed: { entity: string; value: string; text: string }[];
  /** Redacted text that was not PII. */
  wrong: { text: string; redacted: string }[];
}

function ranges(text: string, values: readonly string[]): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  for (const v of values) {
    let at = text.indexOf(v);
    // The same value twice in one utterance: take the next unused occurrence.
    while (at >= 0 && out.some((r) => r.start === at)) at = text.indexOf(v, at + 1);
    if (at >= 0) out.push({ start: at, end: at + v.length });
  }
  return out;
}

const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }): boolean =>
  a.start < b.end && b.start < a.end;

function covered(
  text: string,
  r: { start: number; end: number },
  spans: readonly { start: number; end: number }[],
): boolean {
  // Whitespace inside the value may fall between two redacted ranges; only non-space must be covered.
  for (let pos = r.start; pos < r.end; pos++) {
    if (/\s/.test(text[pos]!)) continue;
    if (!spans.some((s) => s.start <= pos && pos < s.end)) return false;
  }
  return true;
}

export function score(corpus: readonly Utterance[], redactor: RangeRedactor): Score {
  const s: Score = {
    items: 0,
    found: 0,
    spans: 0,
    truePositiveSpans: 0,
    falsePositiveSpans: 0,
    keepsDestroyed: 0,
    recall: 0,
    precision: 0,
    missed: [],
    wrong: [],
  };
  for (const u of corpus) {
    const spans = redactor(u.text, u.locale);
    const pii = ranges(
      u.text,
      u.pii.map((p) => p.value),
    );
    u.pii.forEach((p, i) => {
      s.items++;
      const r = pii[i];
      if (r && covered(u.text, r, spans)) s.found++;
      else s.missed.push({ entity: p.entity, value: p.value, text: u.text });
    });
    for (const span of spans) {
      s.spans++;
      if (pii.some((r) => overlaps(r, span))) s.truePositiveSpans++;
      else {
        s.falsePositiveSpans++;
        s.wrong.push({ text: u.text, redacted: u.text.slice(span.start, span.end) });
      }
    }
    for (const k of ranges(u.text, u.keep)) {
      if (spans.some((span) => overlaps(span, k))) s.keepsDestroyed++;
    }
  }
  s.recall = s.items ? s.found / s.items : 1;
  const denominator = s.spans + s.keepsDestroyed;
  s.precision = denominator ? s.truePositiveSpans / denominator : 1;
  return s;
}

/** Entities of the corpus, for per-entity tables. */
export function entitiesOf(corpus: readonly Utterance[]): PiiEntity[] {
  return [...new Set(corpus.flatMap((u) => u.pii.map((p) => p.entity as PiiEntity)))];
}
