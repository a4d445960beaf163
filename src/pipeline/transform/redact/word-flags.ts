// What the detector's word lists say about one word, as bits, computed once per distinct word
// (the tokenizer caches them with the word's normal form). The scans test a bit instead of
// asking several lists per token: on contact-centre text, where most words are none of these,
// those lookups were a large share of redaction time.
import {
  AT_WORDS,
  CONTEXT_BY_LAST_WORD,
  FILLERS,
  HUNDRED,
  LOCALES,
  PLUS_WORDS,
  QUANTITY_AFTER,
  QUANTITY_BEFORE,
  REPEATERS,
  RUN_PUNCT,
  ORDINALS,
  numberWords,
  ownNumberWords,
  type ContextKind,
  type NumberWord,
} from './lexicon.ts';

/** Numbers said as words in a date besides the number words ("mil novecientos", "two thousand"). */
export const DATE_EXTRA_NUMBERS = new Set([
  'mil',
  'mille',
  'thousand',
  'hundred',
  'novecientos',
  'cent',
  'neuf-cent',
  'dos',
  'two',
]);

export const F_NUMBER_WORD = 1 << 0; // a number word of some locale (the locale's list decides)
export const F_REPEATER = 1 << 1; // "double", "triple"
export const F_AT = 1 << 2; // "at", "arroba", '@'
export const F_DATE_WORD = 1 << 3; // ordinals and DATE_EXTRA_NUMBERS
export const F_HYPHENATED_NUMBER = 1 << 4; // "four-one-one": a hyphenated word with a number-word part
export const F_CUE = 1 << 5; // the last word of a context phrase
export const F_DATE_CUE = 1 << 6; // … of a date-of-birth or expiry phrase
export const F_PLUS = 1 << 7; // "plus", "más", '+'
export const F_FILLER = 1 << 8;
export const F_NUM = 1 << 9; // written digits (num tokens)
export const F_QUANTITY_BEFORE = 1 << 10; // "$", "usd": what precedes an amount
export const F_QUANTITY_AFTER = 1 << 11; // "dollars", "%", "days": what follows a quantity
export const F_RUN_PUNCT = 1 << 12; // punctuation allowed between the digit groups of a number
/** Digits right after two ASCII letters that follow a word boundary ("DE89…"): where IBAN_RE can match. */
export const F_IBAN_HEAD = 1 << 13;
export const F_HUNDRED = 1 << 14; // "hundred": adds two zeros to a spoken group
// (punctFlags keeps flags + 1 in a Uint16Array: flags stay below 1 << 15.)

/** A token that can start a detection: digits, number words, "double", "at", date words. */
export const F_TRIGGER = F_NUM | F_NUMBER_WORD | F_REPEATER | F_AT | F_DATE_WORD | F_HYPHENATED_NUMBER;

const ANY_LOCALE_NUMBER_WORDS = new Set(LOCALES.flatMap((l) => [...ownNumberWords(l).keys()]));

/** The flags of a word in its normal form (lower case, no accents). */
export function wordFlags(norm: string): number {
  let f = 0;
  if (ANY_LOCALE_NUMBER_WORDS.has(norm)) f |= F_NUMBER_WORD;
  if (REPEATERS.has(norm)) f |= F_REPEATER;
  if (AT_WORDS.has(norm)) f |= F_AT;
  if (ORDINALS.has(norm) || DATE_EXTRA_NUMBERS.has(norm)) f |= F_DATE_WORD;
  if (norm.includes('-') && norm.split('-').some((p) => ANY_LOCALE_NUMBER_WORDS.has(p)))
    f |= F_HYPHENATED_NUMBER;
  const cues = CONTEXT_BY_LAST_WORD.get(norm);
  if (cues) f |= F_CUE;
  if (cues?.some((c) => c.kind === 'DOB' || c.kind === 'EXPIRY')) f |= F_DATE_CUE;
  if (PLUS_WORDS.has(norm)) f |= F_PLUS;
  if (FILLERS.has(norm)) f |= F_FILLER;
  if (HUNDRED.has(norm)) f |= F_HUNDRED;
  return f | quantityFlags(norm);
}

function quantityFlags(norm: string): number {
  return (
    (QUANTITY_BEFORE.has(norm) ? F_QUANTITY_BEFORE : 0) | (QUANTITY_AFTER.has(norm) ? F_QUANTITY_AFTER : 0)
  );
}

/** Flags of each BMP punctuation character, plus one (0: not yet computed). */
const punctFlagTable = new Uint16Array(0x10000);

/** Flags of a punctuation token. */
export function punctFlags(ch: string): number {
  if (ch.length !== 1) return punctFlagsOf(ch);
  const c = ch.charCodeAt(0);
  const known = punctFlagTable[c]!;
  if (known !== 0) return known - 1;
  const f = punctFlagsOf(ch);
  punctFlagTable[c] = f + 1;
  return f;
}

function punctFlagsOf(ch: string): number {
  let f = quantityFlags(ch);
  if (ch === '@') f |= F_AT;
  if (ch === '+') f |= F_PLUS;
  if (RUN_PUNCT.has(ch)) f |= F_RUN_PUNCT;
  return f;
}

/** What the lexicon's maps hold for one word, looked up once per distinct word (the word cache
 * keeps it next to the flags) instead of once per question about a token: Map lookups by word
 * were a large share of the number reader's and the cue scans' time. */
export interface WordInfo {
  /** The context phrases ending with the word (its CONTEXT_BY_LAST_WORD list), if any. */
  readonly cues: readonly { words: string[]; kind: ContextKind }[] | undefined;
  /** The word in numberWords() of each locale, by index in LOCALES; undefined when in none. */
  readonly numberWords: readonly (NumberWord | undefined)[] | undefined;
}

/** Most words: no cue, no number word (also every token that is not a word). */
export const NO_WORD_INFO: WordInfo = { cues: undefined, numberWords: undefined };

/** WordInfo of the lexicon's words, made once each: words the cache does not keep (the parts of
 * "four-one-four-…", long words) would otherwise make theirs every time. Bounded by the lexicon. */
const infoOfLexiconWord = new Map<string, WordInfo>();

/** The WordInfo of a word in its normal form, given its flags (wordFlags). */
export function wordInfo(norm: string, flags: number): WordInfo {
  // F_CUE is exactly "a key of CONTEXT_BY_LAST_WORD"; F_NUMBER_WORD "in some locale's list", and
  // every numberWords() is made of those lists: without either flag both lookups miss.
  if ((flags & (F_CUE | F_NUMBER_WORD)) === 0) return NO_WORD_INFO;
  let info = infoOfLexiconWord.get(norm);
  if (info === undefined) {
    info = {
      cues: CONTEXT_BY_LAST_WORD.get(norm),
      numberWords: (flags & F_NUMBER_WORD) !== 0 ? LOCALES.map((l) => numberWords(l).get(norm)) : undefined,
    };
    infoOfLexiconWord.set(norm, info);
  }
  return info;
}
