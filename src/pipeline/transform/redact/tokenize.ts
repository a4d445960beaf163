// Splits text into tokens that keep their original character offsets. Every later step works on
// tokens, and every redaction maps back to the original text through `start`/`end`.

import type { RedactionBudget } from './budget.ts';

export type TokenKind = 'word' | 'num' | 'punct' | 'opaque';

export interface Token {
  kind: TokenKind;
  /** Lower case, accents removed (words); the digits (num); the character (punct). */
  norm: string;
  start: number;
  end: number;
}

// Genesys' own masks ("[card number]") and our placeholders are one opaque token; then digits,
// words (with inner apostrophes and hyphens: "it's", "dix-sept"), any other visible character.
const TOKEN_RE = /(\[[^[\]\n]{1,40}\])|(\d+)|([\p{L}\p{M}]+(?:['’-][\p{L}\p{M}]+)*)|(\S)/gu;
const NON_ASCII = /[\u0080-\uffff]/;
const FRENCH_ELISION = /^(?:d|l|c|j|qu|n|s|m|t)'(?=\p{L}{2})/u;

export function normWord(word: string): string {
  let w = word.toLowerCase();
  if (NON_ASCII.test(w)) w = w.normalize('NFD').replace(/\p{M}/gu, '').replace(/’/g, "'");
  // French elision: "d'assurance" is the word "assurance" for context phrases.
  if (w[1] === "'" || w[2] === "'") w = w.replace(FRENCH_ELISION, '');
  return w;
}

export function tokenize(text: string, budget?: RedactionBudget): Token[] {
  const tokens: Token[] = [];
  for (const m of text.matchAll(TOKEN_RE)) {
    budget?.tick();
    const start = m.index;
    const end = start + m[0].length;
    if (m[1]) tokens.push({ kind: 'opaque', norm: m[0], start, end });
    else if (m[2]) tokens.push({ kind: 'num', norm: m[0], start, end });
    else if (m[3]) tokens.push({ kind: 'word', norm: normWord(m[0]), start, end });
    else tokens.push({ kind: 'punct', norm: m[0], start, end });
  }
  return tokens;
}

/** Marks tokens inside already-detected ranges (written e-mails, IBANs) as opaque, so their
 * digits never start a number run. Ranges are sorted and disjoint. */
export function maskRanges(tokens: Token[], ranges: readonly { start: number; end: number }[]): void {
  if (ranges.length === 0) return;
  let r = 0;
  for (const t of tokens) {
    while (r < ranges.length && ranges[r]!.end <= t.start) r++;
    const range = ranges[r];
    if (range && t.start < range.end && t.end > range.start) t.kind = 'opaque';
  }
}
