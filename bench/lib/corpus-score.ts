// Scores a redactor on the independent labelled corpus (bench/corpus/*.jsonl, made by
// bench/corpus/generate.ts). A redactor returns, per turn, the character ranges it redacted.
//   recall    per category and per language: a labelled value counts as found when every letter
//             and digit of each of its pieces is inside a redacted range
//   keep-rate look-alikes (amounts, times, order/ticket numbers, versions …) left wholly intact
//   spills    redactions that cover a value AND letters/digits of a neighbouring word
//   strays    redactions that touch no labelled value (false positives outside the look-alikes)
import { readFileSync } from 'node:fs';
import type { Item } from '../corpus/generate.ts';

export type { Item };
export interface Span {
  start: number;
  end: number;
}
/** Ranges redacted in each turn of an item. */
export type CorpusRedactor = (item: Item) => Span[][];

export function loadItems(url: URL): Item[] {
  return readFileSync(url, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Item);
}

export interface Tally {
  found: number;
  total: number;
}

export interface CorpusScore {
  byCategory: Map<string, Tally>;
  byLang: Map<string, Tally>;
  byForm: Map<string, Tally>;
  keep: Tally;
  keepByCategory: Map<string, Tally>;
  spills: number;
  strays: number;
  missed: { id: string; category: string; form: string; value: string; text: string }[];
  destroyed: { id: string; category: string; value: string; text: string }[];
  spilled: { id: string; text: string; redacted: string }[];
}

const SIGNIFICANT = /[\p{L}\p{N}]/u;

function tally(map: Map<string, Tally>, key: string, ok: boolean): void {
  const t = map.get(key) ?? { found: 0, total: 0 };
  t.total++;
  if (ok) t.found++;
  map.set(key, t);
}

function covered(text: string, r: Span, spans: readonly Span[]): boolean {
  for (let pos = r.start; pos < r.end; pos++) {
    if (!SIGNIFICANT.test(text[pos]!)) continue;
    if (!spans.some((s) => s.start <= pos && pos < s.end)) return false;
  }
  return true;
}

const overlaps = (a: Span, b: Span): boolean => a.start < b.end && b.start < a.end;

export function scoreCorpus(items: readonly Item[], redactor: CorpusRedactor): CorpusScore {
  const s: CorpusScore = {
    byCategory: new Map(),
    byLang: new Map(),
    byForm: new Map(),
    keep: { found: 0, total: 0 },
    keepByCategory: new Map(),
    spills: 0,
    strays: 0,
    missed: [],
    destroyed: [],
    spilled: [],
  };
  for (const item of items) {
    const redacted = redactor(item);
    for (const p of item.pii) {
      const ok = p.pieces.every((r) => covered(item.turns[r.turn]!.text, r, redacted[r.turn] ?? []));
      tally(s.byCategory, p.category, ok);
      tally(s.byLang, item.lang, ok);
      tally(s.byForm, p.form.replace(/\+.*/, ''), ok);
      if (!ok)
        s.missed.push({
          id: item.id,
          category: p.category,
          form: p.form,
          value: p.pieces.map((r) => item.turns[r.turn]!.text.slice(r.start, r.end)).join(' | '),
          text: item.turns.map((t) => t.text).join(' // '),
        });
    }
    for (const k of item.keep) {
      const text = item.turns[k.range.turn]!.text;
      const kept = !(redacted[k.range.turn] ?? []).some((r) => overlaps(r, k.range));
      s.keep.total++;
      if (kept) s.keep.found++;
      tally(s.keepByCategory, k.category, kept);
      if (!kept)
        s.destroyed.push({
          id: item.id,
          category: k.category,
          value: text.slice(k.range.start, k.range.end),
          text,
        });
    }
    item.turns.forEach((turn, ti) => {
      // A value's zone: from its first to its last piece in this turn (fillers in between may go).
      const zones: Span[] = [];
      for (const p of item.pii) {
        const rs = p.pieces.filter((r) => r.turn === ti);
        if (rs.length) zones.push({ start: rs[0]!.start, end: rs.at(-1)!.end });
      }
      for (const r of redacted[ti] ?? []) {
        if (!zones.some((z) => overlaps(z, r))) {
          s.strays++;
          continue;
        }
        for (let pos = r.start; pos < r.end; pos++) {
          if (!SIGNIFICANT.test(turn.text[pos]!)) continue;
          if (zones.some((z) => z.start <= pos && pos < z.end)) continue;
          s.spills++;
          s.spilled.push({ id: item.id, text: turn.text, redacted: turn.text.slice(r.start, r.end) });
          break;
        }
      }
    });
  }
  return s;
}

/** Recovers redacted ranges from a redactor that only returns text, given a placeholder that does
 * not occur in the input: the literal text between placeholders is found again in the original. */
export function rangesFromPlaceholders(original: string, redacted: string, placeholder: string): Span[] {
  const parts = redacted.split(placeholder);
  if (parts.length === 1) return [];
  const ranges: Span[] = [];
  let cursor = parts[0]!.length;
  for (let i = 1; i < parts.length; i++) {
    const literal = parts[i]!;
    const at =
      i === parts.length - 1 ? original.length - literal.length : original.indexOf(literal, cursor + 1);
    if (at < cursor) break;
    ranges.push({ start: cursor, end: at });
    cursor = at + literal.length;
  }
  return ranges;
}

export const ratio = (t: Tally | undefined): number => (t && t.total ? t.found / t.total : 1);
