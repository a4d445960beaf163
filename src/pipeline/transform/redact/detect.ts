// Finds PII in text and returns it as character ranges of the ORIGINAL text. Written forms with a
// shape of their own (e-mails, IBANs) are found by pattern first; everything else works on the
// token stream: spoken e-mails, dates after a date keyword, and digit runs classified by checksum
// (Luhn, ABA) and by the context phrase that precedes them.
import type { PiiEntity } from '../model.ts';
import { abaValid, ibanValid, luhnValid } from './checksums.ts';
import {
  AMBIGUOUS_STARTERS,
  DigitRunReader,
  digitRun,
  runDigits,
  splitHyphenatedNumbers,
  type DigitGroup,
  type DigitRun,
} from './digit-runs.ts';
import {
  AT_WORDS,
  DATE_JOINERS,
  DOT_WORDS,
  EMAIL_JOINERS,
  EMAIL_STOP,
  FILLERS,
  LOCALES,
  MONTHS,
  QUANTITY_AFTER,
  QUANTITY_BEFORE,
  COPULAS,
  REPEATERS,
  SEND_VERBS,
  TLDS,
  numberWords,
  type ContextKind,
  type Locale,
  type NumberWord,
} from './lexicon.ts';
import { maskRanges, tokenize, type Token } from './tokenize.ts';
import type { RedactionBudget } from './budget.ts';
import { fromOriginal, normaliseForDetection, toOriginal } from './normalize.ts';
import {
  F_AT,
  F_CUE,
  F_DATE_CUE,
  F_DATE_WORD,
  F_FILLER,
  F_HYPHENATED_NUMBER,
  F_IBAN_HEAD,
  F_NUMBER_WORD,
  F_REPEATER,
  F_TRIGGER,
} from './word-flags.ts';

export interface Detection {
  entity: PiiEntity;
  /** Original character offsets, end exclusive. */
  start: number;
  end: number;
}

export interface DetectOptions {
  locale: Locale;
  /** Offsets where a new segment starts in a concatenated transcript: a number that matches
   * nothing as a whole is retried piece by piece at these boundaries (agent read-backs). */
  breaks?: readonly number[];
  /** Time budget of the item; detection throws a TIMEOUT GtError when it runs out. */
  budget?: RedactionBudget;
  /** Context assumed when no phrase precedes a number (redactValue: ANI/DNIS are phones). */
  defaultContext?: ContextKind;
}

/**
 * DetectOptions with every field present, always in this order. The scans read these fields for
 * every token and run; options made with different fields (a line, a transcript with its breaks,
 * a metadata value with a default context) are objects of different shapes, and V8 then
 * deoptimises and recompiles the scans whenever the kind of caller changes, and reads the fields
 * through polymorphic caches.
 */
export function detectOptions(
  locale: Locale,
  budget: RedactionBudget | undefined,
  breaks?: readonly number[],
  defaultContext?: ContextKind,
): DetectOptions {
  return { locale, breaks, budget, defaultContext };
}

const IBAN_RE = /\b[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){11,30}\b/g;
/** Card lengths in order of how common they are: a long run keeps the most likely card. */
const CARD_LENGTH_PREFERENCE = [16, 15, 14, 13, 19, 18, 17];
const MIN_CARD_DIGITS = 13;
/** Lower wins when two detections overlap: exact shapes, then keyword-anchored dates, then cards. */
const PRIORITY: Record<PiiEntity, number> = {
  EMAIL: 0,
  IBAN: 0,
  DOB: 1,
  EXPIRY: 1,
  CARD: 2,
  SSN: 3,
  ROUTING_NUMBER: 3,
  BANK_ACCOUNT: 4,
  CVV: 4,
  PHONE: 5,
  UNSCANNED: 6,
};
const CONTEXT_WINDOW_WORDS = 8;
const CONTEXT_WINDOW_TOKENS = 32;
const CONTEXT_AFTER_WORDS = 7;
const CONTEXT_AFTER_TOKENS = 16;
/** How far after a cue its own number may stand ("sort code of my British bank is …"). */
const CUE_OWN_NUMBER_TOKENS = 10;
const NO_GROUPS: DigitGroup[] = [];
/** Homophones of digits taken at either edge of a spoken number. */
const MAX_EDGE_HOMOPHONES = 2;
/** Tokens of a spoken address on either side of "at" (64 characters of local part, spelled). */
const MAX_EMAIL_TOKENS = 128;
const TENS_JOINER_WORDS = new Set(['y', 'et', 'e', 'und']);
const MAX_DATE_TOKENS = 16;
/** Punctuation that ends what a cue can say about a number: a sentence, or a clause set off by a
 * spaced em dash or a semicolon ("since 2024 — nacido el …"). */
const SENTENCE_END = new Set(['.', '?', '!', '…', '—', '―', ';']);
const DATE_LOOKAHEAD = 7;
const MAX_DATE_DIGITS = 8;

function written(
  text: string,
  re: RegExp,
  entity: PiiEntity,
  valid: (s: string) => boolean,
  out: Detection[],
): void {
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    let value = m[0];
    // IBAN_RE may swallow a short word after the number: shrink from the right until valid.
    let ok = valid(value);
    while (!ok && value.length >= 15) {
      const cut = value.lastIndexOf(' ');
      if (cut < 0) {
        value = '';
        break;
      }
      value = value.slice(0, cut);
      ok = valid(value);
    }
    if (ok && value.length >= 5) out.push({ entity, start: m.index, end: m.index + value.length });
    // Resume right after what was kept: the swallowed tail may start the next match.
    re.lastIndex = m.index + Math.max(value.length, 1);
  }
}

/** PII in `text` as ranges of `text` itself. The text is normalised first (./normalize.ts), so
 * every caller sees full-width digits, Unicode dashes and hidden format characters the same way. */
// Around each '@': the local part (at most 64 characters, RFC 5321) and the domain (at most 255)
// are read outward from the '@', never with one regex over the text: /[…]+@/ backtracks over
// every start position of a long run of letters ("aaaa…@" is quadratic).
const EMAIL_DOMAIN_AFTER_AT = /^[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/u;
const MAX_DOMAIN_CHARS = 255;

/**
 * A regex test of one code unit (text[i]), its answer kept per code unit: the regex runs once per
 * distinct character instead of once per character read (an address's local part is read one
 * character at a time).
 */
class UnitTest {
  private readonly re: RegExp;
  /** 0: not yet known, 1: matches, 2: does not. */
  private readonly known = new Uint8Array(0x10000);

  constructor(re: RegExp) {
    this.re = re;
  }

  /** re.test(text[i]), for 0 <= i < text.length. */
  test(text: string, i: number): boolean {
    const c = text.charCodeAt(i);
    return (this.known[c] || (this.known[c] = this.re.test(text[i]!) ? 1 : 2)) === 1;
  }
}

const EMAIL_LOCAL_CHAR = new UnitTest(/[\p{L}\p{N}._%+-]/u);
const EMAIL_DOMAIN_START = new UnitTest(/[\p{L}\p{N}-]/u);

/** Where the local part before the '@' at `at` starts (`at` when there is none). */
function localPartStart(text: string, at: number, floor: number): number {
  let i = at;
  const lowest = Math.max(floor, at - 64);
  while (i > lowest && EMAIL_LOCAL_CHAR.test(text, i - 1)) i--;
  return i;
}

function writtenEmails(text: string, out: Detection[]): void {
  let floor = 0;
  for (let at = text.indexOf('@'); at >= 0; at = text.indexOf('@', at + 1)) {
    const start = localPartStart(text, at, floor);
    if (start === at || at + 1 >= text.length || !EMAIL_DOMAIN_START.test(text, at + 1)) continue;
    const domain = EMAIL_DOMAIN_AFTER_AT.exec(text.slice(at + 1, at + 1 + MAX_DOMAIN_CHARS));
    if (!domain) continue;
    const end = at + 1 + domain[0].length;
    out.push({ entity: 'EMAIL', start, end });
    floor = end;
    at = end - 1;
  }
}

export function detect(text: string, options: DetectOptions): Detection[] {
  const n = normaliseForDetection(text);
  if (n.original === null) return detectNormalised(text, options);
  const breaks = options.breaks?.map((b) => fromOriginal(n, b));
  const found = detectNormalised(
    n.text,
    breaks ? detectOptions(options.locale, options.budget, breaks, options.defaultContext) : options,
  );
  return found.map((d) => {
    const r = toOriginal(n, d.start, d.end);
    return { entity: d.entity, start: r.start, end: r.end };
  });
}

function detectNormalised(text: string, options: DetectOptions): Detection[] {
  const found: Detection[] = [];
  const hasAt = text.includes('@');
  if (hasAt) writtenEmails(text, found);
  const words = numberWords(options.locale);
  const budget = options.budget;
  const read = tokenize(text, budget);
  const flags = read.flags;
  let tokens = read.tokens;
  // Every IBAN_RE match starts with exactly two letters (after a word boundary) right before two
  // digits or more: the tokenizer flags exactly such digits.
  if (flags & F_IBAN_HEAD) written(text, IBAN_RE, 'IBAN', ibanValid, found);
  // Most text has nothing any scan below could start from: no digit, no number word, no "at".
  if (found.length === 0 && !hasAt && (flags & F_TRIGGER) === 0) return [];
  if (found.length > 0)
    maskRanges(
      tokens,
      [...found].sort((a, b) => a.start - b.start),
    );
  if (flags & F_HYPHENATED_NUMBER) tokens = splitHyphenatedNumbers(tokens, words);
  const scan = new TokenScan(text, tokens, options);
  if (flags & F_AT) scan.spokenEmails(found);
  if (flags & F_DATE_CUE) scan.keywordDates(found);
  scan.numbers(new DigitRunReader(tokens, options.locale, budget, options.breaks).readAll(), found);
  budget?.check();
  if (found.length === 0) return found;
  return repeatsOf(text, resolveOverlaps(found));
}

const MAX_REPEATED_VALUES = 32;
const ALNUM = new UnitTest(/[\p{L}\p{N}]/u);

/**
 * A value said again elsewhere in the text ("I have September 28, 1984", a read-back of an
 * address) is redacted wherever it stands as whole words, with its label. Bounded to a few
 * distinct values, each found with one indexOf pass: linear.
 */
function repeatsOf(text: string, found: Detection[]): Detection[] {
  const values: string[] = [];
  const entities: PiiEntity[] = [];
  for (const d of found) {
    if (d.end - d.start < 5 || values.length >= MAX_REPEATED_VALUES) continue;
    const v = text.slice(d.start, d.end);
    if (!hasDigit(v) && !/\s/.test(v)) continue;
    // The same value detected twice keeps the label it was last given.
    const known = values.indexOf(v);
    if (known >= 0) entities[known] = d.entity;
    else {
      values.push(v);
      entities.push(d.entity);
    }
  }
  const added: Detection[] = [];
  for (let k = 0; k < values.length; k++) {
    const v = values[k]!;
    const entity = entities[k]!;
    // `found` is sorted and disjoint, and occurrences come in text order: one cursor skips the
    // occurrences that are already redacted (the value itself, among them).
    let d = 0;
    for (let at = text.indexOf(v); at >= 0; at = text.indexOf(v, at + v.length)) {
      while (d < found.length && found[d]!.end <= at) d++;
      const cover = found[d];
      if (cover && cover.start <= at && at + v.length <= cover.end) continue;
      const after = at + v.length;
      if ((at > 0 && ALNUM.test(text, at - 1)) || (after < text.length && ALNUM.test(text, after))) continue;
      added.push({ entity, start: at, end: at + v.length });
    }
  }
  return added.length === 0 ? found : resolveOverlaps([...found, ...added]);
}

/** /\d/ (ASCII digits) as a loop: cheaper than a regex per value. */
function hasDigit(v: string): boolean {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c >= 48 && c <= 57) return true;
  }
  return false;
}

/** Sorted, disjoint detections; of two overlapping ones the higher priority (then longer) stays. */
function resolveOverlaps(found: Detection[]): Detection[] {
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Detection[] = [];
  for (const d of found) {
    const last = out.at(-1);
    if (!last || d.start >= last.end) {
      out.push(d);
      continue;
    }
    const better =
      PRIORITY[d.entity] < PRIORITY[last.entity] ||
      (PRIORITY[d.entity] === PRIORITY[last.entity] && d.end - d.start > last.end - last.start);
    if (better) out[out.length - 1] = d;
  }
  return out;
}

/** What a token adds to a date being read. Read only: the common answers are shared. */
interface DateToken {
  readonly digits: number;
  readonly month: boolean;
  readonly value: boolean;
}
const DATE_JOINER: DateToken = { digits: 0, month: false, value: false };
const DATE_MONTH: DateToken = { digits: 0, month: true, value: false };
const DATE_VALUES: DateToken[] = Array.from({ length: 16 }, (_, digits) => ({
  digits,
  month: false,
  value: true,
}));

/** A number of `digits` digits, as part of a date. */
function dateValue(digits: number): DateToken {
  return DATE_VALUES[digits] ?? { digits, month: false, value: true };
}

class TokenScan {
  private readonly tokens: readonly Token[];
  private readonly options: DetectOptions;
  private readonly text: string;
  /** Index of the locale in LOCALES: which of a word's number words (WordInfo) counts. */
  private readonly locale: number;

  constructor(text: string, tokens: readonly Token[], options: DetectOptions) {
    this.text = text;
    this.tokens = tokens;
    this.options = options;
    this.locale = LOCALES.indexOf(options.locale);
  }

  /** Token t as a number word of the locale: numberWords(locale).get(t.norm), looked up once per
   * distinct word by the tokenizer (WordInfo). */
  private numberWordOf(t: Token): NumberWord | undefined {
    return t.info.numberWords?.[this.locale];
  }

  /** Token i, or undefined before the first token. Reading tokens[-1] is not just undefined: a
   * negative index is a property lookup by name in V8 (tens of ns), and the site that saw one
   * stays slower for every later read. Past the end is an ordinary, cheap miss. */
  private tokenAt(i: number): Token | undefined {
    return i >= 0 ? this.tokens[i] : undefined;
  }

  /** The nearest context phrase ending before token i, within a few words. */
  contextBefore(i: number): ContextKind | undefined {
    return this.cueBefore(i)?.kind ?? this.options.defaultContext;
  }

  /** The nearest context phrase ending before token i and the token it ends at. */
  private cueBefore(i: number): { kind: ContextKind; at: number } | undefined {
    const tokens = this.tokens;
    let seen = 0;
    // Also bounded in tokens: a thousand numbers split by colons must not each scan all before them.
    const floor = Math.max(0, i - CONTEXT_WINDOW_TOKENS);
    for (let p = i - 1; p >= floor && seen < CONTEXT_WINDOW_WORDS; p--) {
      const t = tokens[p]!;
      // A cue names the number right after it: "the code is 156, customer since 2015" — 2015
      // is not a code. (Only written numbers stop the look-back: a spoken number interrupted by
      // a word, "four one five, okay, five five five", keeps its cue.)
      if (t.kind === 'num' || t.kind === 'opaque') return undefined;
      // A cue in an earlier sentence names a number of that sentence: "… is the sort code. Back
      // in 2022" (only a number right after the full stop still hears it: "CVV. 123").
      if (seen > 0 && t.kind === 'punct' && SENTENCE_END.has(t.norm)) return undefined;
      if (t.kind !== 'word') continue;
      seen++;
      if ((t.flags & F_CUE) === 0) continue;
      for (const c of t.info.cues!) if (this.phraseEndsAt(c.words, p)) return { kind: c.kind, at: p };
    }
    return undefined;
  }

  /** A cue said after the number ("415 555 0132 is my cell", "0151 5531 ist meine Nummer"),
   * within a few words and before any other written number. */
  contextAfter(i: number): ContextKind | undefined {
    return this.cueAfter(i)?.kind;
  }

  private cueAfter(i: number): { kind: ContextKind; at: number } | undefined {
    const tokens = this.tokens;
    let seen = 0;
    const ceiling = Math.min(tokens.length, i + 1 + CONTEXT_AFTER_TOKENS);
    for (let p = i + 1; p < ceiling && seen < CONTEXT_AFTER_WORDS; p++) {
      const t = tokens[p]!;
      if (t.kind === 'num') return undefined;
      // "… the case INC3232102. My social security number is …": the next sentence's cue.
      if (t.kind === 'punct' && SENTENCE_END.has(t.norm)) return undefined;
      if (t.kind !== 'word') continue;
      seen++;
      if ((t.flags & F_CUE) === 0) continue;
      const hit = t.info.cues!.find((c) => c.kind !== 'NEUTRAL' && this.phraseEndsAt(c.words, p));
      // A cue followed by a number of its own in the same clause introduces that one: "in
      // 2015 — CVV nine oh nine", "customer since 2021, and the sort code of my bank is 12-34-56".
      if (hit)
        return this.numberWithin(p + 1, CUE_OWN_NUMBER_TOKENS, hit.kind)
          ? undefined
          : { kind: hit.kind, at: p };
    }
    return undefined;
  }

  /** A written or spoken digit within `n` tokens from token i, in the same clause: a comma or
   * another cue ends the search ("… es mi celular, mi número de pedido es 79297269": the order
   * number is not the phone's). */
  private numberWithin(i: number, n: number, kind: ContextKind): boolean {
    for (let k = i; k < i + n && k < this.tokens.length; k++) {
      const t = this.tokens[k]!;
      if (t.kind === 'punct' && (SENTENCE_END.has(t.norm) || t.norm === ',')) return false;
      // Another cue starts another clause ("savings account" is one cue, said in two words).
      if (
        (t.flags & F_CUE) !== 0 &&
        t.info.cues?.some((c) => c.kind !== kind && this.phraseEndsAt(c.words, k))
      )
        return false;
      if (t.kind === 'num' || t.kind === 'opaque') return true;
      if (t.kind === 'word' && (t.flags & F_NUMBER_WORD) !== 0) {
        const w = this.numberWordOf(t);
        if (w && !w.ambiguous) return true;
      }
    }
    return false;
  }

  private phraseEndsAt(words: readonly string[], p: number): boolean {
    let q = p;
    for (let w = words.length - 1; w >= 0; w--) {
      for (
        let skip = 0;
        q >= 0 && skip < 3 && this.tokens[q]!.kind === 'punct' && this.tokens[q]!.norm !== "'";
        skip++
      )
        q--;
      if (q < 0 || this.tokens[q]!.norm !== words[w]) return false;
      q--;
    }
    return true;
  }

  // ---- spoken e-mail: "john dot smith at gmail dot com", "j o h n arroba ejemplo punto org"

  private spelledLetter(t: Token): boolean {
    if (t.kind !== 'word' || t.end - t.start !== 1) return false;
    const c = this.text.charCodeAt(t.start) | 32;
    return c >= 97 && c <= 122;
  }

  private isLabel(t: Token | undefined): boolean {
    return (
      !!t && (t.kind === 'word' || t.kind === 'num') && !AT_WORDS.has(t.norm) && !EMAIL_JOINERS.has(t.norm)
    );
  }

  spokenEmails(out: Detection[]): void {
    const tokens = this.tokens;
    // Nothing of an address is read before the previous address's end, nor further than an
    // address can be long: both keep this scan linear on "a a a … at x dot com" repeated.
    let floor = 0;
    for (let a = 1; a < tokens.length - 3; a++) {
      this.options.budget?.tick();
      const at = tokens[a]!;
      if ((at.flags & F_AT) === 0 || !(at.kind === 'word' || at.norm === '@')) continue;
      // Domain: label (dot label)+ ending in a known top-level domain ("at sign" is "at").
      let k = tokens[a + 1]?.norm === 'sign' ? a + 2 : a + 1;
      if (!this.isLabel(tokens[k])) continue;
      let end = -1;
      // A written '.' between spoken labels is a dot only when it touches both, or when the "at"
      // was said as '@' too ("mei @ orange . fr"); otherwise it ends a sentence ("… fr. ça").
      const symbolic = at.norm === '@';
      const dotAfter = (i: number): boolean => {
        const t = tokens[i + 1];
        if (!t) return false;
        if (DOT_WORDS.has(t.norm)) return true;
        return t.norm === '.' && (symbolic || (tokens[i]!.end === t.start && t.end === tokens[i + 2]?.start));
      };
      while (k - a < MAX_EMAIL_TOKENS && dotAfter(k)) {
        if (!this.isLabel(tokens[k + 2])) break;
        k += 2;
        if (TLDS.has(tokens[k]!.norm)) end = k;
      }
      if (end < 0) continue;
      const first = tokens[a - 1]!;
      // "… is at", "me at" are no address; "l u i s a at" is (a spelled 'a', not the article).
      const spelledEnd = this.spelledLetter(first) && this.spelledLetter(this.tokenAt(a - 2) ?? first);
      // "… brandt one to at …": a homophone after a digit said is a digit, not "to".
      const digitEnd = this.numberWord(first, true) && a >= 2 && this.numberWord(tokens[a - 2]!, false);
      if (!this.isLabel(first) || (EMAIL_STOP.has(first.norm) && !(spelledEnd && a >= 2) && !digitEnd))
        continue;
      const l = this.localPartStart(a - 1, Math.max(floor, a - MAX_EMAIL_TOKENS));
      out.push({ entity: 'EMAIL', start: tokens[l]!.start, end: tokens[end]!.end });
      a = end;
      floor = end + 1;
    }
  }

  /** The first token of an address's local part that ends at token `last`: spelled letters,
   * labels joined by dot/underscore/dash words (one or two: "guion bajo", "tiret bas"), digits
   * said as words ("un deux", "cincuenta y siete"), and at most two bare words in all ("kate
   * haddad at …", "lars oconnor un deux arobase …": first and last name). */
  private localPartStart(last: number, lowest: number): number {
    const tokens = this.tokens;
    let l = last;
    let bareWords = this.bareWord(tokens[last]!) ? 1 : 0;
    let joined = false;
    let spelled = false;
    const usable = (t: Token | undefined): boolean => !!t && this.isLabel(t) && !EMAIL_STOP.has(t.norm);
    for (;;) {
      const cur = tokens[l]!;
      const prev = l - 1 >= lowest ? tokens[l - 1] : undefined;
      if (!prev) break;
      let j = l - 1;
      while (j >= lowest && j > l - 3 && EMAIL_JOINERS.has(tokens[j]!.norm)) j--;
      if (
        j < l - 1 &&
        j >= lowest &&
        (usable(tokens[j]) || (tokens[j]!.kind === 'word' && tokens[j]!.norm.length === 1)) &&
        // Written joiners ("john.smith at …") only count when they touch both labels.
        (prev.kind === 'word' || (tokens[j]!.end === prev.start && prev.end === cur.start))
      ) {
        l = j;
        joined = true;
        continue;
      }
      // Spelled letters: "j o h n", also before a word ("s o p h i e walker at …"). A letter
      // spelled is written plain: "à o m a r", "é a n n a" start at the "o", the "a".
      if (
        this.spelledLetter(prev) &&
        (cur.norm.length === 1 || (l - 2 >= lowest && this.spelledLetter(tokens[l - 2]!))) &&
        // "envíelo a j a m e s …", "mande a o m a r …": after a verb of sending, "a" is "to".
        !(prev.norm === 'a' && l - 2 >= lowest && SEND_VERBS.has(tokens[l - 2]!.norm))
      ) {
        l--;
        spelled = true;
        continue;
      }
      // "cincuenta y siete", "vingt et un": the tens joiner between two number words.
      if (
        TENS_JOINER_WORDS.has(prev.norm) &&
        this.numberWord(cur, true) &&
        l - 2 >= lowest &&
        this.numberWord(tokens[l - 2]!, false)
      ) {
        l -= 2;
        continue;
      }
      // Digits said in the address may be homophones ("silva to one @", "haddad um um arroba"):
      // one next to another number word is a digit when a name or digit comes before it.
      if (
        this.numberWord(prev, true) &&
        this.numberWord(cur, true) &&
        l - 2 >= lowest &&
        (this.bareWord(tokens[l - 2]!) || this.numberWord(tokens[l - 2]!, false)) &&
        !EMAIL_STOP.has(tokens[l - 2]!.norm)
      ) {
        l--;
        continue;
      }
      if (!usable(prev) || this.cueEndsAt(l - 1)) break;
      const touching = prev.end === cur.start;
      // A homophone ("un", "uno") is a digit only next to another number word: "un deux".
      if (this.numberWord(prev, this.numberWord(cur, false)) || (prev.kind === 'num' && touching)) {
        l--; // digits said or written: "haddad thirty at", "john23 at"
        continue;
      }
      // Bare words: two at most, none before a joined or spelled part ("then john dot …",
      // "and k a t e …").
      if (joined || spelled || ++bareWords > 2 || !this.bareWord(prev) || FILLERS.has(prev.norm)) break;
      l--;
    }
    return l;
  }

  /** A context phrase (cue) ends at token p: "au dos", not the Spanish number "dos". */
  private cueEndsAt(p: number): boolean {
    const t = this.tokens[p]!;
    if ((t.flags & F_CUE) === 0) return false;
    for (const c of t.info.cues!) if (this.phraseEndsAt(c.words, p)) return true;
    return false;
  }

  /** A number word; a homophone of zero/one only when `ambiguousOk`. */
  private numberWord(t: Token, ambiguousOk: boolean): boolean {
    if (t.kind !== 'word') return false;
    const w = this.numberWordOf(t);
    return !!w && (ambiguousOk || !w.ambiguous);
  }

  /** A plain word of an address (a name), not a number word nor a spelled letter. */
  private bareWord(t: Token): boolean {
    return t.kind === 'word' && t.norm.length > 1 && this.numberWordOf(t) === undefined;
  }

  // ---- dates after "date of birth" / "expires": "04/27", "oh four twenty seven", "April 2027",
  // "the fourteenth of March nineteen eighty five", "14 mars 1985".

  keywordDates(out: Detection[]): void {
    const tokens = this.tokens;
    for (let p = 0; p < tokens.length; p++) {
      this.options.budget?.tick();
      const t = tokens[p]!;
      if (t.kind !== 'word' || (t.flags & F_DATE_CUE) === 0) continue;
      const hit = this.dateCueEndingAt(p);
      if (!hit) continue;
      const kind = hit.kind as 'DOB' | 'EXPIRY';
      // The date follows its cue, or precedes it: "ich bin am 17.01.1990 geboren", "12/13/1955,
      // that is my date of birth".
      // A date right after the cue wins; one a few words after it loses to one right before it
      // ("12/13/1955, that is my date of birth, I was charged £1099.56", "am 21. März 1965
      // geboren. nach dem Update auf 12.8.1").
      const after = this.dateAfter(p + 1, kind);
      // A cue with digits right after it names those, even when they are no whole date ("…
      // since 2016, and valid until zero seven…", the rest said in the next turn).
      const before =
        after?.skipped === 0 || this.numberWithin(p + 1, CUE_OWN_NUMBER_TOKENS, kind)
          ? null
          : this.dateBefore(p - hit.words.length, kind);
      // A comma or full stop between the cue and only one of them: the other shares the cue's
      // clause ("08/2029 is when it expires, back in 2015").
      const span =
        before &&
        (!after ||
          (after.comma && !before.comma) ||
          (after.comma === before.comma && before.skipped < after.skipped))
          ? before
          : after;
      if (span) out.push({ entity: kind, start: span.start, end: span.end });
    }
  }

  /** The date-of-birth or expiry phrase that ends at token p (a loop, not `find` with a
   * closure: this runs for every cue word of every line). */
  private dateCueEndingAt(p: number): { kind: ContextKind; words: readonly string[] } | undefined {
    for (const c of this.tokens[p]!.info.cues!)
      if ((c.kind === 'DOB' || c.kind === 'EXPIRY') && this.phraseEndsAt(c.words, p)) return c;
    return undefined;
  }

  private isDateToken(i: number): DateToken | null {
    const t = this.tokens[i];
    if (!t) return null;
    if (t.kind === 'num') {
      // "8:50", "10:20": a clock time next to a date is not part of it.
      if (this.clockTimeAt(i)) return null;
      return dateValue(t.norm.length);
    }
    if (t.kind === 'punct') {
      // "… is 28084337. 1954-11-17, that is my date of birth": a full stop with a space after it
      // ends a sentence, but for a German day ("4. September": one or two digits, then a month).
      const next = this.tokens[i + 1];
      const prev = this.tokenAt(i - 1);
      if (
        t.norm === '.' &&
        next &&
        next.start > t.end &&
        !(
          prev?.kind === 'num' &&
          prev.norm.length <= 2 &&
          MONTHS.has(next.norm) &&
          // … a day on its own, not the end of a version ("after updating to 9.1.7. October …").
          this.tokenAt(i - 2)?.norm !== '.'
        )
      )
        return null;
      return DATE_JOINERS.has(t.norm) ? DATE_JOINER : null;
    }
    if (t.kind !== 'word') return null;
    if (MONTHS.has(t.norm)) return DATE_MONTH;
    // ", and" joins another clause: "back in 2020, and November 10, 1961, that is my …".
    if (CONJUNCTIONS.has(t.norm) && this.tokenAt(i - 1)?.norm === ',') return null;
    // (The word's flags say which lists it is in: most words are in none.)
    const times = (t.flags & F_REPEATER) !== 0 ? REPEATERS.get(t.norm) : undefined;
    if (times) {
      // "oh nine double three": "double" stands for one more copy of the digit after it.
      const next = this.tokens[i + 1];
      const unit = next?.kind === 'word' ? this.numberWordOf(next) : undefined;
      return unit?.digits.length === 1 && (!unit.ambiguous || AMBIGUOUS_STARTERS.has(next!.norm))
        ? dateValue(times - 1)
        : null;
    }
    const nw = (t.flags & F_NUMBER_WORD) !== 0 ? this.numberWordOf(t) : undefined;
    if (nw && !nw.ambiguous) return dateValue(nw.digits.length);
    if (nw && AMBIGUOUS_STARTERS.has(t.norm) && this.spokenZeroOrOneAt(i)) return dateValue(1);
    // An ordinal, or a number word of dates ("mil", "thousand": DATE_EXTRA_NUMBERS).
    if ((t.flags & F_DATE_WORD) !== 0) return dateValue(1);
    if (DATE_JOINERS.has(t.norm) || (t.flags & F_FILLER) !== 0) return DATE_JOINER;
    return null;
  }

  /** Written digits touching a colon that touches other digits: one half of a clock time. */
  private clockTimeAt(i: number): boolean {
    const t = this.tokens[i]!;
    const prev = this.tokenAt(i - 1);
    const next = this.tokens[i + 1];
    const colon = (c: Token | undefined, other: Token | undefined): boolean =>
      c?.norm === ':' && other?.kind === 'num' && (c.start === t.end || c.end === t.start);
    return colon(prev, this.tokenAt(i - 2)) || colon(next, this.tokens[i + 2]);
  }

  /** A homophone of zero/one ("oh", "un", "una") is a digit inside a date when the stretch of
   * such words it belongs to touches a real number word: "oh nine", "zéro un trois un", "un un
   * trois trois". */
  private spokenZeroOrOneAt(i: number): boolean {
    const tokens = this.tokens;
    const [a, b] = this.homophoneStretch(i);
    const strong = (t: Token | undefined): boolean => {
      if (!t) return false;
      if (t.kind === 'num') return true;
      if (t.kind !== 'word') return false;
      const nw = this.numberWordOf(t);
      return (!!nw && !nw.ambiguous) || REPEATERS.has(t.norm);
    };
    const before = this.tokenAt(a - 1);
    return strong(tokens[b + 1]) || (before?.kind === 'word' && strong(before));
  }

  // Per-text caches are created on first use: most texts never need them.
  private stretches: Map<number, [number, number]> | undefined;

  /** First and last token of the stretch of zero/one homophones around i, found once per stretch
   * ("expires oh oh oh …" asks at many of its words). */
  private homophoneStretch(i: number): [number, number] {
    const stretches = (this.stretches ??= new Map());
    const known = stretches.get(i);
    if (known) return known;
    const tokens = this.tokens;
    let a = i;
    while (a > 0 && AMBIGUOUS_STARTERS.has(tokens[a - 1]!.norm)) a--;
    let b = i;
    while (b + 1 < tokens.length && AMBIGUOUS_STARTERS.has(tokens[b + 1]!.norm)) b++;
    const stretch: [number, number] = [a, b];
    for (let k = a; k <= b; k++) stretches.set(k, stretch);
    return stretch;
  }

  private otherKeywordEndsAt(i: number, kind: ContextKind): boolean {
    const t = this.tokens[i];
    // Only a word flagged as a cue's last word can end one (asked for every token a date is
    // looked for in).
    if (!t || (t.flags & F_CUE) === 0) return false;
    for (const c of t.info.cues!) if (c.kind !== kind && this.phraseEndsAt(c.words, i)) return true;
    return false;
  }

  /** A date ending a few words before the cue's first token `last + 1` (none past a written
   * number that is not part of it). */
  private dateBefore(
    last: number,
    kind: 'DOB' | 'EXPIRY',
  ): { start: number; end: number; skipped: number; comma: boolean } | null {
    let e = last;
    let words = 0;
    let comma = false;
    for (let skipped = 0; skipped < 4 && e >= 0; skipped++) {
      const d = this.isDateToken(e);
      if (d?.value || d?.month) break;
      const t = this.tokens[e]!;
      if (t.kind === 'word') words++;
      else if (t.norm === ',') comma = true;
      // A full stop between the number and the cue ends the number's sentence: "customer since
      // 2022. Expiry date 11/27" — the year is another sentence's.
      else if (SENTENCE_END.has(t.norm)) return null;
      e--;
    }
    if (e < 0) return null;
    let b = e;
    while (b - 1 >= 0 && e - b < MAX_DATE_TOKENS && this.isDateToken(b - 1)) b--;
    const span = this.collectDate(b, kind);
    return span && span.end <= this.tokens[e]!.end ? { ...span, skipped: words, comma } : null;
  }

  private dateAfter(
    from: number,
    kind: 'DOB' | 'EXPIRY',
  ): { start: number; end: number; skipped: number; comma: boolean } | null {
    let i = from;
    // "expiration date on the card is oh nine …": skip a few words to the date, but never past
    // another keyword ("expiration date and the cvv 123" is not a date).
    for (let skipped = 0; skipped < DATE_LOOKAHEAD; skipped++) {
      const t = this.tokens[i];
      const d = this.isDateToken(i);
      if (!t || d?.value || d?.month || this.otherKeywordEndsAt(i, kind)) break;
      i++;
    }
    const span = this.collectDate(i, kind);
    let skipped = 0;
    let comma = false;
    for (let k = from; k < i; k++) {
      const t = this.tokens[k]!;
      if (t.kind === 'word') skipped++;
      else if (t.norm === '.' || t.norm === '?' || t.norm === '!') {
        skipped += 3; // another sentence
        comma = true;
      } else if (t.norm === ',') {
        skipped += 2; // another clause
        comma = true;
      }
    }
    return span && { ...span, skipped, comma };
  }

  /** The date whose tokens start at i, if what is there reads as one. */
  private collectDate(from: number, kind: 'DOB' | 'EXPIRY'): { start: number; end: number } | null {
    const minDigits = kind === 'DOB' ? 4 : 3;
    let i = from;
    let digits = 0;
    let values = 0;
    let month = false;
    let firstValue = -1;
    let lastValue = -1;
    const breaks = this.options.breaks;
    for (let n = 0; n < MAX_DATE_TOKENS; n++, i++) {
      const d = this.isDateToken(i);
      if (!d) break;
      // A date is said in one turn: the next segment (a read-back) is a date of its own.
      if (breaks && i > 0 && breakBetween(breaks, this.tokens[i - 1]!.end, this.tokens[i]!.start)) break;
      if (d.value || d.month) {
        if (firstValue < 0) firstValue = i;
        lastValue = i;
      }
      if (d.value) values++;
      if (d.month) month = true;
      digits += d.digits;
    }
    if (firstValue < 0) return null;
    // "… date of birth, I paid $1200.50": an amount, not a date.
    if (QUANTITY_BEFORE.has(this.tokenAt(firstValue - 1)?.norm ?? '')) return null;
    // "the offer expires in thirty three days": a quantity, not a date.
    const after = this.tokens[lastValue + 1];
    if (after && QUANTITY_AFTER.has(after.norm)) return null;
    // No date has more than 8 digits (03141985): a longer number after "born …" is something else.
    if (digits > MAX_DATE_DIGITS) return null;
    if (!((month && values >= 1) || digits >= minDigits)) return null;
    return { start: this.tokens[firstValue]!.start, end: this.tokens[lastValue]!.end };
  }

  // ---- numbers

  numbers(read: readonly DigitRun[], out: Detection[]): void {
    // No run, and no turn borders whose edges could make one: nothing to read.
    if (read.length === 0 && !this.options.breaks?.length) return;
    const runs = splitAtClauses(read, this.tokens);
    // A cue names one number: once a number after it is redacted under it, a later number
    // ("the CVC is six oh one, back in 2018") is not read under the same cue again.
    let usedCue = -1;
    const chosen: DigitRun[] = [];
    for (const run of runs) {
      this.options.budget?.tick();
      // Every entity has three digits or more (a CVV): shorter runs ("2 weeks", "in 5") are
      // nothing, unless a homophone at an edge may complete one ("zero nine for").
      if (
        run.quantity ||
        (digitCount(run.groups) < 3 &&
          !this.isHomophone(run.lastTok + 1) &&
          !this.isHomophone(run.firstTok - 1))
      ) {
        chosen.push(run);
        continue;
      }
      const cueBefore = this.cueBefore(run.plusStart !== undefined ? run.firstTok - 1 : run.firstTok);
      const before = cueBefore
        ? cueBefore.at === usedCue
          ? undefined
          : cueBefore
        : this.options.defaultContext && { kind: this.options.defaultContext, at: -1 };
      // A cue after the number is counted from after its trailing homophones ("eight one for,
      // that is the code on the back").
      const cue =
        before ??
        (cueBefore ? undefined : this.cueAfter(run.lastTok + this.homophonesAfterCount(run.lastTok)));
      const context = cue?.kind;
      const { run: taken, found } = this.withEdgeHomophones(run, context);
      chosen.push(taken);
      for (const d of found) out.push(d);
      if (cue && cue.at >= 0 && found.length > 0) usedCue = cue.at;
    }
    // Joining runs across an agent's prompt needs turn borders: a single text has none.
    if (this.options.breaks?.length) this.acrossAPrompt(this.promptViews(chosen), out);
    this.readBacks(chosen, out);
  }

  /** What a run is, under its context. */
  private runDetections(run: DigitRun, context: ContextKind | undefined): Detection[] {
    const out: Detection[] = [];
    // Formatted SSNs (ddd-dd-dddd) are unambiguous: take them out before looking for cards, so
    // a card window can never start inside one. One pass cuts the run at every SSN.
    let from = 0;
    let plus = run.plusStart;
    for (let i = 0; i + 2 < run.groups.length; i++) {
      const g = run.groups;
      if (
        !isFormattedSsnAt(g, i) ||
        g[i + 3]?.sepBefore === '-' ||
        (i > 0 && g[i]!.sepBefore === '-') ||
        g.length === 3
      )
        continue;
      out.push({ entity: 'SSN', start: g[i]!.start, end: g[i + 2]!.end });
      if (i > from) out.push(...this.acrossSegments(this.splitAtBreaks(g.slice(from, i)), context, plus));
      from = i + 3;
      plus = undefined;
      i += 2;
    }
    // The common case, one text with no SSN in the run: the run is one part.
    if (from === 0 && !this.options.breaks?.length) return this.runPart(run.groups, context, plus);
    if (from < run.groups.length)
      out.push(...this.acrossSegments(this.splitAtBreaks(run.groups.slice(from)), context, plus));
    return out;
  }

  /**
   * Speech engines hear a digit at the edge of a spoken number as its homophone: "the three
   * digits on the back are zero nine for.", "my social security number is to oh five …". A
   * homophone ("for", "to", "oh", "un", "um") right after the number that ends the clause is its
   * last digit when the longer number is still wholly PII; one right before it is its first digit
   * only when the number alone is nothing and with it is wholly PII.
   */
  private withEdgeHomophones(
    run: DigitRun,
    context: ContextKind | undefined,
  ): { run: DigitRun; found: Detection[] } {
    const found = this.runDetections(run, context);
    const lead =
      run.groups[0]!.written || run.plusStart !== undefined ? [] : this.homophonesBefore(run.firstTok);
    const trail =
      run.groups.at(-1)!.written || !this.endsClauseAfterHomophones(run.lastTok)
        ? []
        : this.homophonesAfter(run.lastTok);
    if (!lead.length && !trail.length) return { run, found };
    const alone = fullyCovered(run.groups, found);
    for (const [l, t] of [
      [lead, trail],
      [[], trail],
      [lead, []],
    ] as const) {
      if (!t.length && !l.length) continue;
      const extended = withGroups(run, [...l, ...run.groups, ...t]);
      const d = this.runDetections(extended, context);
      if (!d.length || !fullyCovered(extended.groups, d)) continue;
      // A leading homophone completes a number that alone is nothing, or is only pieces ("to oh
      // five two nine three nine oh one": not two last-fours of an SSN, one SSN), or starts the
      // clause or follows "is" ("my mobile is to oh eight, sorry, two oh seven …").
      if (l.length && alone && d.length >= found.length && !this.opensNumber(l[0]!.firstTok)) continue;
      return { run: extended, found: d };
    }
    return { run, found };
  }

  /** Up to two homophones of digits from token `last + 1` on, each as a one-digit group. */
  private homophonesAfter(last: number): DigitGroup[] {
    if (!this.isHomophone(last + 1)) return NO_GROUPS;
    const groups: DigitGroup[] = [];
    for (let k = last + 1; groups.length < MAX_EDGE_HOMOPHONES; k++) {
      const g = this.homophoneGroup(k);
      if (!g || this.breakBefore(k)) break;
      groups.push(g);
    }
    return groups;
  }

  /** The homophones after token `last` (up to two) end a clause, the turn or the text. */
  private endsClauseAfterHomophones(last: number): boolean {
    const k = last + 1 + this.homophonesAfterCount(last);
    if (k === last + 1) return false;
    const next = this.tokens[k];
    return (
      !next ||
      (next.kind === 'punct' && (SENTENCE_END.has(next.norm) || next.norm === ',')) ||
      this.breakBefore(k)
    );
  }

  /** Up to two homophones of digits right before token `first`, in its turn. */
  private homophonesBefore(first: number): DigitGroup[] {
    if (!this.isHomophone(first - 1)) return NO_GROUPS;
    const groups: DigitGroup[] = [];
    for (let k = first - 1; k >= 0 && groups.length < MAX_EDGE_HOMOPHONES; k--) {
      const g = this.homophoneGroup(k);
      if (!g || this.breakBefore(k + 1)) break;
      groups.unshift(g);
    }
    return groups;
  }

  /** Token k as a one-digit group when it is a homophone of a digit ("for", "to", "oh", "un"). */
  /** How many homophones (up to two) follow token `last` in its turn. */
  private homophonesAfterCount(last: number): number {
    let k = last + 1;
    while (k - last <= MAX_EDGE_HOMOPHONES && this.isHomophone(k) && !this.breakBefore(k)) k++;
    return k - last - 1;
  }

  private isHomophone(k: number): boolean {
    const t = this.tokenAt(k);
    if (!t || t.kind !== 'word' || (t.flags & F_NUMBER_WORD) === 0) return false;
    const nw = this.numberWordOf(t);
    return !!nw?.ambiguous && nw.digits.length === 1;
  }

  private homophoneGroup(k: number): DigitGroup | undefined {
    if (!this.isHomophone(k)) return undefined;
    const t = this.tokens[k]!;
    const nw = this.numberWordOf(t)!;
    return {
      digits: nw.digits,
      start: t.start,
      end: t.end,
      firstTok: k,
      lastTok: k,
      sepBefore: '',
      written: false,
    };
  }

  /** A segment (turn) starts at token k. */
  private breakBefore(k: number): boolean {
    const breaks = this.options.breaks;
    const t = this.tokens[k];
    const prev = this.tokenAt(k - 1);
    return !!breaks?.length && !!t && !!prev && breakBetween(breaks, prev.end, t.start);
  }

  /**
   * The runs as acrossAPrompt joins them: each with the homophones that end its turn ("account
   * number one six four nine for… / and the rest? / …") or start it ("… / to eight."), a "double"
   * cut off by the prompt ("… nine double… / go ahead / four two …": it doubles the next turn's
   * first digit), and turns that end in nothing but such words ("security code oh…", "un un…",
   * "Yes, double…") as runs of their own.
   */
  private promptViews(runs: readonly DigitRun[]): DigitRun[] {
    const breaks = this.options.breaks;
    if (!breaks?.length) return [...runs];
    const views: DigitRun[] = [];
    let r = 0;
    const tokens = this.tokens;
    let t = 0;
    for (const br of breaks) {
      // The last token before the turn that starts at `br`.
      while (t < tokens.length && tokens[t]!.start < br) t++;
      const last = t - 1;
      while (r < runs.length && runs[r]!.lastTok <= last) views.push(this.edgeView(runs[r++]!));
      const tail = this.turnTail(last);
      if (!tail) continue;
      const prev = views.at(-1);
      if (prev && prev.lastTok === tail.firstTok - 1) {
        if (!prev.quantity && !prev.groups.at(-1)!.written)
          views[views.length - 1] = withGroups(prev, [...prev.groups, ...tail.groups]);
      } else if (!prev || prev.lastTok < tail.firstTok) {
        const stretch = tail.groups;
        const strong =
          stretch.some((g) => this.pendingRepeat?.has(g) === true || g.digits.length > 1) ||
          stretch.length >= 2 ||
          this.cueBefore(tail.firstTok)?.kind !== undefined;
        if (strong && this.cueBefore(tail.firstTok)?.kind !== 'NEUTRAL') views.push(tail);
      }
    }
    while (r < runs.length) views.push(this.edgeView(runs[r++]!));
    // The last turn's own tail: "… / three five six nine eight one eight for."
    const last = views.at(-1);
    const tail =
      last && !last.quantity && !last.groups.at(-1)!.written ? this.turnTail(tokens.length - 1) : undefined;
    if (last && tail && last.lastTok === tail.firstTok - 1)
      views[views.length - 1] = withGroups(last, [...last.groups, ...tail.groups]);
    return views;
  }

  /** A run with the homophones that open it before it (at the start of its turn or clause, or
   * after "is"). */
  private edgeView(run: DigitRun): DigitRun {
    if (run.quantity || run.groups[0]!.written || run.plusStart !== undefined) return run;
    const k = run.firstTok;
    const lead = this.homophonesBefore(k);
    if (!lead.length || !this.opensNumber(lead[0]!.firstTok)) return run;
    return withGroups(run, [...lead, ...run.groups]);
  }

  /** Token k starts the text, a turn or a clause, or follows a copula ("is", "es", "ist"): a
   * homophone there starts what is said, not a phrase ("talk to", "pay for"). */
  private opensNumber(k: number): boolean {
    const prev = this.tokenAt(k - 1);
    if (!prev || this.breakBefore(k)) return true;
    if (prev.kind === 'punct') return prev.norm === ',' || SENTENCE_END.has(prev.norm) || prev.norm === ':';
    return prev.kind === 'word' && COPULAS.has(prev.norm);
  }

  /** Repeaters cut off at the end of a turn, and how many copies of the next digit they stand for. */
  private pendingRepeat: Map<DigitGroup, number> | undefined;

  /** The homophones and repeaters (up to three words) that end the turn whose last token is
   * `last` (trailing punctuation skipped), as groups; undefined when there are none. */
  private turnTail(last: number): DigitRun | undefined {
    let e = last;
    while (e >= 0 && last - e < 3 && this.tokens[e]!.kind === 'punct') e--;
    let b = e + 1;
    while (b - 1 >= 0 && e - b < 2) {
      const t = this.tokens[b - 1]!;
      if (!(this.homophoneGroup(b - 1) || (t.kind === 'word' && REPEATERS.has(t.norm)))) break;
      b--;
    }
    if (b > e) return undefined;
    const groups: DigitGroup[] = [];
    for (let k = b; k <= e; k++) {
      const t = this.tokens[k]!;
      const times = t.kind === 'word' ? REPEATERS.get(t.norm) : undefined;
      if (times) {
        const next = k < e ? this.homophoneGroup(k + 1) : undefined;
        const g: DigitGroup = {
          digits: next ? next.digits.repeat(times) : '',
          start: t.start,
          end: next ? next.end : t.end,
          firstTok: k,
          lastTok: next ? k + 1 : k,
          sepBefore: '',
          written: false,
        };
        if (!next) (this.pendingRepeat ??= new Map()).set(g, times);
        groups.push(g);
        if (next) k++;
      } else groups.push(this.homophoneGroup(k)!);
    }
    return { groups, plusStart: undefined, firstTok: b, lastTok: e, quantity: false };
  }

  /**
   * "nine seven double three six… / Okay, and the rest? / seven four nine five one": a number
   * the caller splits around the agent's prompt. Two undetected runs, the first ending one turn and
   * the second starting the turn after next, with a short turn without digits between them, are
   * judged as one number; each part is redacted in its own turn.
   */
  private acrossAPrompt(runs: readonly DigitRun[], out: Detection[]): void {
    const breaks = this.options.breaks;
    if (!breaks?.length || runs.length < 2) return;
    const touched = touchedRuns(runs, out);
    for (let i = 0; i + 1 < runs.length; i++) {
      const a = runs[i]!;
      const b = runs[i + 1]!;
      if (a.quantity || b.quantity) continue;
      const aEnd = a.groups.at(-1)!.end;
      const bStart = b.groups[0]!.start;
      if (breaksBetween(breaks, aEnd, bStart) !== 2 || b.firstTok - a.lastTok > 16) continue;
      let digitsBetween = false;
      for (let k = a.lastTok + 1; k < b.firstTok; k++)
        if (this.tokens[k]!.kind === 'num') digitsBetween = true;
      // The first part may already be redacted on its own ("SSN four three one two…" reads as
      // the last four): the rest still belongs to it.
      if (digitsBetween || touched[i + 1]) continue;
      const context = this.contextBefore(a.firstTok) ?? this.contextAfter(b.lastTok);
      const aGroups = a.groups.map((g) => {
        const times = this.pendingRepeat?.get(g);
        return times ? { ...g, digits: b.groups[0]!.digits[0]!.repeat(times - 1) } : g;
      });
      const both = [...aGroups, ...b.groups];
      const joined = this.runPart(both, context, a.plusStart);
      // People split codes, not amounts, around "and the rest?": without a cue, a number of a
      // code's length split this way is still one (labelled by its length).
      const entity = fullyCovered(both, joined)
        ? joined[0]!.entity
        : context === 'NEUTRAL'
          ? undefined
          : splitCodeEntity(runDigits(both));
      if (!entity) continue;
      if (!touched[i]) out.push({ entity, start: a.plusStart ?? a.groups[0]!.start, end: aEnd });
      else {
        // Only what was added to the already redacted part: the homophones ending its turn.
        const extra = a.groups.filter((g) => !out.some((d) => d.start <= g.start && g.end <= d.end));
        if (extra.length) out.push({ entity, start: extra[0]!.start, end: aEnd });
      }
      out.push({ entity, start: bStart, end: b.groups.at(-1)!.end });
      i++;
    }
  }

  /**
   * A number said again without its cue ("227. — Je répète : 227, c'est bien ça ?", a date read
   * back) is what it was the first time: a run left undetected whose digits (at least three)
   * equal those of a detected number is redacted with the same label.
   */
  private readBacks(runs: readonly DigitRun[], out: Detection[]): void {
    // A read-back is a run of three digits or more (not a quantity) left undetected, repeating
    // the digits of a detected one: without two runs and such a candidate there is none.
    if (out.length === 0 || runs.length < 2) return;
    const detections = [...out].sort((a, b) => a.start - b.start);
    /** Digits of the groups inside each detection (index of `detections`). */
    const digitsOf: string[] = [];
    const untouched: DigitRun[] = [];
    let d = 0;
    for (const run of runs) {
      let touched = false;
      for (const g of run.groups) {
        while (d < detections.length && detections[d]!.end <= g.start) d++;
        const det = detections[d];
        if (det && det.start <= g.start && g.end <= det.end) {
          digitsOf[d] = (digitsOf[d] ?? '') + g.digits;
          touched = true;
        } else if (det && det.start < g.end) touched = true;
      }
      if (!touched && !run.quantity && digitCount(run.groups) >= 3) untouched.push(run);
    }
    if (untouched.length === 0) return;
    // A line has a few detections: each candidate is compared with them directly (the last one
    // with the same digits gives the label), no map per line.
    for (const run of untouched) {
      const digits = runDigits(run.groups);
      for (let k = detections.length - 1; k >= 0; k--) {
        if (digitsOf[k] !== digits) continue;
        out.push({ entity: detections[k]!.entity, start: run.groups[0]!.start, end: run.groups.at(-1)!.end });
        break;
      }
    }
  }

  /**
   * A run may continue over segment borders. Each segment's part is judged on its own first (a
   * phone, then its read-back, then a card: each keeps its label). Parts that are nothing alone
   * are joined with each other, and with a neighbour when the joined digits are then fully
   * redacted (a card read in two phrases, whose second half alone looks like a phone number).
   */
  private acrossSegments(
    parts: DigitGroup[][],
    context: ContextKind | undefined,
    plusStart: number | undefined,
  ): Detection[] {
    const plusOf = (i: number): number | undefined => (i === 0 ? plusStart : undefined);
    if (parts.length === 1) return this.runPart(parts[0]!, context, plusStart);
    const alone = parts.map((p, i) => this.runPart(p, context, plusOf(i)));
    const joined = (from: number, to: number): Detection[] =>
      this.runPart(parts.slice(from, to + 1).flat(), context, plusOf(from));
    const out: Detection[] = [];
    let i = 0;
    while (i < parts.length) {
      // The stretch of parts after i that are nothing on their own.
      let j = i;
      while (j + 1 < parts.length && alone[j + 1]!.length === 0) j++;
      if (alone[i]!.length > 0 && j === i) {
        out.push(...alone[i]!);
        i++;
        continue;
      }
      const last = alone[i]!.length === 0 && j + 1 < parts.length ? j + 1 : j;
      const withNeighbour = last > j || alone[i]!.length > 0 ? joined(i, last) : [];
      if (withNeighbour.length && fullyCovered(parts.slice(i, last + 1).flat(), withNeighbour)) {
        out.push(...withNeighbour);
        i = last + 1;
      } else if (alone[i]!.length > 0) {
        out.push(...alone[i]!);
        i++;
      } else {
        out.push(...joined(i, j));
        i = j + 1;
      }
    }
    return out;
  }

  /** Cards (by Luhn) anywhere in the groups, then what lies between them by context. */
  private runPart(
    groups: DigitGroup[],
    context: ContextKind | undefined,
    plusStart: number | undefined,
  ): Detection[] {
    // A Luhn-valid 13–19 digit number is a card even after "account" (both get redacted anyway).
    const cards =
      context === 'ROUTING_NUMBER' || digitCount(groups) < MIN_CARD_DIGITS ? [] : findCards(groups);
    // Most numbers hold no card: the whole run is one piece.
    if (cards.length === 0) return groups.length > 0 ? classifyPiece(groups, context, plusStart) : [];
    const out: Detection[] = [];
    let from = 0;
    cards.push({ i: groups.length, j: groups.length });
    for (const c of cards) {
      if (c.i > from) {
        const piece = groups.slice(from, c.i);
        const plus = from === 0 ? plusStart : undefined;
        out.push(...classifyPiece(piece, context, plus));
      }
      if (c.i < groups.length) out.push({ entity: 'CARD', start: groups[c.i]!.start, end: groups[c.j]!.end });
      from = c.j + 1;
    }
    return out;
  }

  private splitAtBreaks(groups: DigitGroup[]): DigitGroup[][] {
    const breaks = this.options.breaks;
    if (!breaks?.length) return [groups];
    const parts: DigitGroup[][] = [[]];
    for (const g of groups) {
      const cur = parts.at(-1)!;
      const prev = cur.at(-1);
      if (prev && breakBetween(breaks, prev.end, g.start)) parts.push([g]);
      else cur.push(g);
    }
    return parts;
  }
}

function withGroups(run: DigitRun, groups: DigitGroup[]): DigitRun {
  return digitRun(groups, run.plusStart, run.quantity);
}

/** A comma and a conjunction between two groups, one of them written: "since 2016, and 01 95 50
 * is the sort code", "en 2017, y cuarenta y nueve …" — two clauses, each with its own number. */
const CONJUNCTIONS = new Set(['and', 'y', 'et', 'und', 'e', 'or', 'o', 'ou', 'oder']);
const CLAUSE_JOIN = /^,(?:and|y|et|und|e|or|o|ou|oder)$/;

function splitAtClauses(runs: readonly DigitRun[], tokens: readonly Token[]): readonly DigitRun[] {
  // Most runs have no such joint: then the runs are returned as they are, not copied.
  if (!runs.some(hasClauseJoint)) return runs;
  const out: DigitRun[] = [];
  for (const run of runs) {
    const g = run.groups;
    let parts: [number, number][] | undefined;
    let from = 0;
    for (let k = 1; k < g.length; k++) {
      const sep = g[k]!.sepBefore;
      if (!startsWithComma(sep) || !CLAUSE_JOIN.test(sep) || !(g[k - 1]!.written || g[k]!.written)) continue;
      (parts ??= []).push([from, k]);
      from = k;
    }
    if (!parts) {
      out.push(run);
      continue;
    }
    parts.push([from, g.length]);
    // A quantity ("at 9:05, and eight five six one, that is the code") is only the part at the
    // end the quantity word or sign stands at.
    const before = run.firstTok > 0 ? tokens[run.firstTok - 1] : undefined;
    const quantityFirst = !!before && (before.norm === ':' || QUANTITY_BEFORE.has(before.norm));
    parts.forEach(([f, t], i) => {
      const quantity = run.quantity && (quantityFirst ? i === 0 : i === parts.length - 1);
      out.push(subRun(run, f, t, quantity));
    });
  }
  return out;
}

/** Most separators are '' (spaces only): charCodeAt(0) of '' reads past the end, and a site that
 * has seen such a read is compiled to V8's slow, generic path for every later call. */
function startsWithComma(sep: string): boolean {
  return sep.length > 0 && sep.charCodeAt(0) === 44;
}

/** A group of the run follows a comma and a conjunction, next to a written group. */
function hasClauseJoint(run: DigitRun): boolean {
  const g = run.groups;
  for (let k = 1; k < g.length; k++) {
    const sep = g[k]!.sepBefore;
    if (startsWithComma(sep) && CLAUSE_JOIN.test(sep) && (g[k - 1]!.written || g[k]!.written)) return true;
  }
  return false;
}

function subRun(run: DigitRun, from: number, to: number, quantity: boolean): DigitRun {
  return digitRun(run.groups.slice(from, to), from === 0 ? run.plusStart : undefined, quantity);
}

/**
 * One number between cards. When the whole is nothing, two numbers said back to back ("phone
 * 555 010 1234 555 010 9999") are tried: the first split where both halves are PII wins.
 */
function classifyPiece(
  piece: DigitGroup[],
  context: ContextKind | undefined,
  plusStart: number | undefined,
): Detection[] {
  const entity = classifyRange(piece, 0, piece.length, context, plusStart !== undefined);
  if (entity) return [{ entity, start: plusStart ?? piece[0]!.start, end: piece.at(-1)!.end }];
  // Both halves must be classifiable, so neither holds more than MAX_CLASSIFIED_DIGITS: a longer
  // piece (a thousand "1 "s) is no two numbers, and trying every split of it would be quadratic.
  const total = digitCount(piece);
  if (total > 2 * MAX_CLASSIFIED_DIGITS || total < 2 * MIN_ENTITY_DIGITS) return [];
  let leftDigits = 0;
  for (let k = 1; k < piece.length; k++) {
    leftDigits += piece[k - 1]!.digits.length;
    // Each half must be a number `classify` names: three digits at least.
    if (leftDigits < MIN_ENTITY_DIGITS || total - leftDigits < MIN_ENTITY_DIGITS) continue;
    // Halves as index ranges of the piece: most splits are tried and dropped.
    const a = classifyRange(piece, 0, k, context, plusStart !== undefined);
    const b = a && classifyRange(piece, k, piece.length, context, false);
    if (a && b) {
      return [
        { entity: a, start: plusStart ?? piece[0]!.start, end: piece[k - 1]!.end },
        { entity: b, start: piece[k]!.start, end: piece.at(-1)!.end },
      ];
    }
  }
  return [];
}

function fullyCovered(groups: readonly DigitGroup[], found: readonly Detection[]): boolean {
  return groups.every((g) => found.some((d) => d.start <= g.start && g.end <= d.end));
}

/** Which runs (in text order) overlap a detection: one sweep over the sorted detections. */
function touchedRuns(runs: readonly DigitRun[], found: readonly Detection[]): boolean[] {
  const sorted = [...found].sort((x, y) => x.start - y.start);
  let d = 0;
  let reach = -1; // furthest end of the detections passed so far
  return runs.map((r) => {
    const start = r.groups[0]!.start;
    const end = r.groups.at(-1)!.end;
    while (d < sorted.length && sorted[d]!.start < end) reach = Math.max(reach, sorted[d++]!.end);
    return reach > start;
  });
}

/** What a number read over an agent's prompt without any cue most likely is, by its length:
 * a CVV (3), an expiry MMYY (4, a month first) or a 4-digit CID, a sort code (6, a bank account), an SSN (9). */
function splitCodeEntity(d: string): PiiEntity | undefined {
  if (d.length === 3) return 'CVV';
  if (d.length === 4) return Number(d.slice(0, 2)) >= 1 && Number(d.slice(0, 2)) <= 12 ? 'EXPIRY' : 'CVV';
  if (d.length === 6) return 'BANK_ACCOUNT';
  if (d.length === 9) return 'SSN';
  // A national number with its trunk zero ("null eins sieben sechs … / bitte / null acht …").
  if (d.length >= 10 && d.length <= 12 && d[0] === '0') return 'PHONE';
  return undefined;
}

/** How many (sorted) segment breaks lie in [from, to]. */
function breaksBetween(breaks: readonly number[], from: number, to: number): number {
  const firstAtOrAfter = (x: number): number => {
    let lo = 0;
    let hi = breaks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (breaks[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return firstAtOrAfter(to + 1) - firstAtOrAfter(from);
}

/** True when a (sorted) segment break lies in [from, to]. */
function breakBetween(breaks: readonly number[], from: number, to: number): boolean {
  let lo = 0;
  let hi = breaks.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (breaks[mid]! < from) lo = mid + 1;
    else hi = mid;
  }
  return lo < breaks.length && breaks[lo]! <= to;
}

/** Luhn-valid windows of 13–19 digits, left to right, starting on a group boundary. */
function findCards(groups: readonly DigitGroup[]): { i: number; j: number }[] {
  const found: { i: number; j: number }[] = [];
  let i = 0;
  while (i < groups.length) {
    let best: { j: number; rank: number } | undefined;
    let digits = '';
    const lead = groups[i]!.digits.charCodeAt(0);
    if (lead >= 50 && lead <= 54) {
      // '2'–'6': the first digit of every card network's numbers.
      for (let j = i; j < groups.length; j++) {
        digits += groups[j]!.digits;
        if (digits.length > 19) break;
        const rank = CARD_LENGTH_PREFERENCE.indexOf(digits.length);
        if (rank >= 0 && (!best || rank < best.rank) && luhnValid(digits)) best = { j, rank };
      }
    }
    if (best) {
      found.push({ i, j: best.j });
      i = best.j + 1;
    } else i++;
  }
  return found;
}

/** groups[i..i+2] read ddd-dd-dddd, written. */
function isFormattedSsnAt(groups: readonly DigitGroup[], i: number): boolean {
  const a = groups[i];
  const b = groups[i + 1];
  const c = groups[i + 2];
  return (
    !!a &&
    !!b &&
    !!c &&
    a.written &&
    b.written &&
    c.written &&
    a.digits.length === 3 &&
    b.digits.length === 2 &&
    c.digits.length === 4 &&
    b.sepBefore === '-' &&
    c.sepBefore === '-'
  );
}

/** What a digit run is, given the phrase before it. Undefined: not PII (kept). */
/** The shortest number `classify` gives a name (a CVV). */
const MIN_ENTITY_DIGITS = 3;
/** The longest number `classify` gives a name (a 17-digit bank account). */
const MAX_CLASSIFIED_DIGITS = 17;

function digitCount(groups: readonly DigitGroup[]): number {
  let n = 0;
  for (const g of groups) n += g.digits.length;
  return n;
}

export function classify(
  groups: readonly DigitGroup[],
  context: ContextKind | undefined,
  plus: boolean,
): PiiEntity | undefined {
  return classifyRange(groups, 0, groups.length, context, plus);
}

/** `classify` of groups[from, to). */
function classifyRange(
  groups: readonly DigitGroup[],
  from: number,
  to: number,
  context: ContextKind | undefined,
  plus: boolean,
): PiiEntity | undefined {
  let d = '';
  for (let k = from; k < to; k++) {
    d += groups[k]!.digits;
    if (d.length > MAX_CLASSIFIED_DIGITS) return undefined;
  }
  const n = d.length;
  if (context === 'SSN' && (n === 9 || n === 4)) return 'SSN';
  if (to - from === 3 && isFormattedSsnAt(groups, from)) return 'SSN';
  if (context === 'ROUTING_NUMBER' && n === 9 && abaValid(d)) return 'ROUTING_NUMBER';
  if (context === 'BANK_ACCOUNT' && n >= 4 && n <= 17) return 'BANK_ACCOUNT';
  if (context === 'CVV' && (n === 3 || n === 4)) return 'CVV';
  // MMYY / MMYYYY after "expires" that the date scan did not take (a run it could not read).
  if (
    context === 'EXPIRY' &&
    (n === 4 || n === 6) &&
    Number(d.slice(0, 2)) >= 1 &&
    Number(d.slice(0, 2)) <= 12
  )
    return 'EXPIRY';
  if (context === 'PHONE' && n >= 7 && n <= 15) return 'PHONE';
  if (plus && n >= 8 && n <= 15) return 'PHONE';
  if (context !== 'NEUTRAL' && ((n === 10 && d.charCodeAt(0) >= 50) || (n === 11 && d[0] === '1')))
    return 'PHONE';
  return undefined;
}
