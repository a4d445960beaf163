// Splits text into tokens that keep their original character offsets. Every later step works on
// tokens, and every redaction maps back to the original text through `start`/`end`.

import type { RedactionBudget } from './budget.ts';
import {
  F_IBAN_HEAD,
  F_NUM,
  NO_WORD_INFO,
  punctFlags,
  wordFlags,
  wordInfo,
  type WordInfo,
} from './word-flags.ts';
import { addWord, findWord, flagsAt, infoAt, normAt } from './word-cache.ts';

export type TokenKind = 'word' | 'num' | 'punct' | 'opaque';

export interface Token {
  kind: TokenKind;
  /** Lower case, accents removed (words); the digits (num); the character (punct). */
  norm: string;
  start: number;
  end: number;
  /** What the word lists say about it (./word-flags.ts); 0 for most tokens. */
  flags: number;
  /** The word's cue phrases and number words (NO_WORD_INFO for most tokens). */
  info: WordInfo;
}

// Genesys' own masks ("[card number]") and our placeholders are one opaque token; then digits,
// words (with inner apostrophes and hyphens: "it's", "dix-sept"), any other visible character.
// (Formerly /(\[[^[\]\n]{1,40}\])|(\d+)|([\p{L}\p{M}]+(?:['’-][\p{L}\p{M}]+)*)|(\S)/gu: a
// regex match per token cost a fifth of all redaction time.)
const NON_ASCII = /[\u0080-\uffff]/;
const FRENCH_ELISION = /^(?:d|l|c|j|qu|n|s|m|t)'(?=\p{L}{2})/u;

// Words repeat: a conversation says "the", "número" and "quatre" many times. The normal form of
// each word seen is kept (bounded: cleared when full, so memory stays flat).
const NORM_CACHE_MAX = 50_000;
const normCache = new Map<string, string>();

export function normWord(word: string): string {
  const cached = normCache.get(word);
  if (cached !== undefined) return cached;
  const w = normWordUncached(word);
  if (normCache.size >= NORM_CACHE_MAX) normCache.clear();
  if (word.length <= 32) normCache.set(word, w);
  return w;
}

function normWordUncached(word: string): string {
  let w = word.toLowerCase();
  if (NON_ASCII.test(w)) w = w.normalize('NFD').replace(/\p{M}/gu, '').replace(/’/g, "'").replace(/ß/g, 'ss');
  // French elision: "d'assurance" is the word "assurance" for context phrases.
  if (w[1] === "'" || w[2] === "'") w = w.replace(FRENCH_ELISION, '');
  return w;
}

const LETTER_OR_MARK = /[\p{L}\p{M}]/u;
const WHITESPACE = /\s/u;
/** Per BMP code unit: 0 not yet known, 1 a letter or mark, 2 not. */
const letterTable = new Uint8Array(0x10000);

/** A letter or combining mark (ASCII answered directly, the rest once per code unit). */
function isLetter(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 128) return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
  // A surrogate pair is tested whole (its high half stands for the pair).
  if (c >= 0xd800 && c <= 0xdbff) return LETTER_OR_MARK.test(String.fromCodePoint(text.codePointAt(i)!));
  let known = letterTable[c]!;
  if (known === 0) known = letterTable[c] = LETTER_OR_MARK.test(String.fromCharCode(c)) ? 1 : 2;
  return known === 1;
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
/** What /\s/ matches below 32 (tab, line feed, vertical tab, form feed, carriage return). */
const isAsciiSpace = (c: number): boolean => c >= 9 && c <= 13;
/** Each ASCII character as a one-character string, made once. */
const ASCII_STRINGS = Array.from({ length: 128 }, (_, c) => String.fromCharCode(c));

/** The end of an opaque "[…]" starting at i (1–40 characters, no bracket or line break
 * inside), or -1. */
function opaqueEnd(text: string, i: number): number {
  for (let j = i + 1; j <= i + 41 && j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 93) return j - i >= 2 ? j + 1 : -1; // ]
    if (c === 91 || c === 10) return -1; // [ or \n
  }
  return -1;
}

const isAsciiLetter = (c: number): boolean => (c | 32) >= 97 && (c | 32) <= 122;
/** What IBAN_RE's `\b` counts as a word character (ASCII letters, digits, '_'). */
const isRegexWordChar = (c: number): boolean => isAsciiLetter(c) || isDigit(c) || c === 95;

/** Exactly what IBAN_RE (/\b[A-Za-z]{2}\d{2}…/) needs before digits at `at`: two ASCII letters
 * with a word boundary before them. A ticket ("INC1799967") or a word ending in letters before
 * digits ("ref12") has none, so most numbers leave the regex unrun. */
function ibanHeadBefore(text: string, at: number): boolean {
  return (
    at >= 2 &&
    isAsciiLetter(text.charCodeAt(at - 1)) &&
    isAsciiLetter(text.charCodeAt(at - 2)) &&
    (at === 2 || !isRegexWordChar(text.charCodeAt(at - 3)))
  );
}

export interface Tokens {
  tokens: Token[];
  /** Every token's flags together: which scans have anything to start from. */
  flags: number;
}

/** One pass over the text (the same tokens as TOKEN_RE, without a regex match per token). */
export function tokenize(text: string, budget?: RedactionBudget): Tokens {
  const tokens: Token[] = [];
  let flags = 0;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 10 || c === 9 || c === 13) {
      i++;
      continue;
    }
    const start = i;
    if (c === 91) {
      const end = opaqueEnd(text, i);
      if (end > 0) {
        // What a bracket holds is not tokenised, but IBAN_RE still reads it: "[DE89 3704 …]".
        tokens.push({
          kind: 'opaque',
          norm: text.slice(start, end),
          start,
          end,
          flags: F_IBAN_HEAD,
          info: NO_WORD_INFO,
        });
        flags |= F_IBAN_HEAD;
        i = end;
        continue;
      }
    }
    if (isDigit(c)) {
      while (i < n && isDigit(text.charCodeAt(i))) i++;
      const f = i - start >= 2 && ibanHeadBefore(text, start) ? F_NUM | F_IBAN_HEAD : F_NUM;
      tokens.push({ kind: 'num', norm: text.slice(start, i), start, end: i, flags: f, info: NO_WORD_INFO });
      flags |= f;
      continue;
    }
    if (isLetter(text, i)) {
      // The word's hash (for the word cache) is computed while its letters are read.
      let h = 0;
      for (;;) {
        while (i < n) {
          const d = text.charCodeAt(i);
          if (d < 128) {
            const lower = d | 32; // 'A'–'Z' → 'a'–'z'; no other ASCII character lands there
            if (lower < 97 || lower > 122) break;
            h = (Math.imul(h, 31) + d) | 0;
            i++;
            continue;
          }
          if (!isLetter(text, i)) break;
          h = (Math.imul(h, 31) + d) | 0;
          i++;
          // The low half of a surrogate pair belongs to the letter.
          if (d >= 0xd800 && d <= 0xdbff && i < n) h = (Math.imul(h, 31) + text.charCodeAt(i++)) | 0;
        }
        // (Not charCodeAt(n): a read past the end makes V8 compile the site's slow, generic path.)
        const j = i < n ? text.charCodeAt(i) : -1;
        // Inner apostrophes and hyphens join words: "it's", "dix-sept".
        if ((j === 39 || j === 0x2019 || j === 45) && i + 1 < n && isLetter(text, i + 1)) {
          h = (Math.imul(h, 31) + j) | 0;
          i++;
          continue;
        }
        break;
      }
      const slot = findWord(text, start, i, h);
      let norm: string;
      let f: number;
      let info: WordInfo;
      if (slot >= 0) {
        norm = normAt(slot);
        f = flagsAt(slot);
        info = infoAt(slot);
      } else {
        norm = normWord(text.slice(start, i));
        f = wordFlags(norm);
        info = wordInfo(norm, f);
        addWord(text, start, i, h, norm, f, info);
      }
      tokens.push({ kind: 'word', norm, start, end: i, flags: f, info });
      flags |= f;
      continue;
    }
    if (c < 128) {
      // ASCII punctuation (control characters other than the spaces above are not tokens).
      i++;
      if (c < 32 && isAsciiSpace(c)) continue;
      const f = punctFlags(ASCII_STRINGS[c]!);
      tokens.push({ kind: 'punct', norm: ASCII_STRINGS[c]!, start, end: i, flags: f, info: NO_WORD_INFO });
      flags |= f;
      continue;
    }
    const cp = text.codePointAt(i)!;
    const width = cp > 0xffff ? 2 : 1;
    const ch = text.slice(i, i + width);
    i += width;
    if (WHITESPACE.test(ch)) continue;
    const f = punctFlags(ch);
    tokens.push({ kind: 'punct', norm: ch, start, end: i, flags: f, info: NO_WORD_INFO });
    flags |= f;
  }
  // Tokenizing is linear and cheap: the budget is checked once, not per token.
  budget?.check();
  return { tokens, flags };
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
