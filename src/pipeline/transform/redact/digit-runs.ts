// Normalises spoken and written numbers into digit runs. A run is what a person says as one
// number: "4111-1111", "four one one one", "4 one 1 1", "oh four twenty seven", "double five",
// with fillers ("uh", "and", "dash") and separators between the groups. Every group keeps the
// original offsets of the words it came from, so a detection on the digits maps back exactly.
import type { Token } from './tokenize.ts';
import type { RedactionBudget } from './budget.ts';
import {
  F_FILLER,
  F_HUNDRED,
  F_HYPHENATED_NUMBER,
  F_NUM,
  F_NUMBER_WORD,
  F_PLUS,
  F_QUANTITY_AFTER,
  F_QUANTITY_BEFORE,
  F_REPEATER,
  F_RUN_PUNCT,
  NO_WORD_INFO,
  punctFlags,
  wordFlags,
  wordInfo,
} from './word-flags.ts';
import { LOCALES, REPEATERS, ownNumberWords, type Locale, type NumberWord } from './lexicon.ts';

export interface DigitGroup {
  digits: string;
  /** Original character offsets of the words/digits this group came from. */
  start: number;
  end: number;
  firstTok: number;
  lastTok: number;
  /** Punctuation/filler said between the previous group and this one ('' when only spaces). */
  sepBefore: string;
  /** Written digits (not spoken words): formats like ddd-dd-dddd only apply to these. */
  written: boolean;
}

export interface DigitRun {
  groups: DigitGroup[];
  /** Offset of a leading '+' or "plus" (international phone numbers), when present. */
  plusStart?: number;
  firstTok: number;
  lastTok: number;
  /** "$1,200", "12 dollars", "3 pm": a quantity, never PII. */
  quantity: boolean;
}

/** A run over `groups` (every run is made here, so all have one shape for the engine). */
export function digitRun(groups: DigitGroup[], plusStart: number | undefined, quantity: boolean): DigitRun {
  return {
    groups,
    plusStart,
    firstTok: groups[0]!.firstTok,
    lastTok: groups.at(-1)!.lastTok,
    quantity,
  };
}

/** The digits a run stands for, e.g. "4111111111111111". */
export function runDigits(groups: readonly DigitGroup[]): string {
  let s = '';
  for (const g of groups) s += g.digits;
  return s;
}

// Ambiguous words may start a run only when they are the usual spoken zero/one.
export const AMBIGUOUS_STARTERS = new Set(['oh', 'o', 'un', 'une', 'uno', 'una', 'um', 'uma']);
const TENS_JOINERS = new Set(['y', 'et', '-', 'e']);
const MAX_SEPARATORS = 5;
const RUN_STARTERS = F_NUM | F_NUMBER_WORD | F_REPEATER | F_PLUS;
const SENTENCE_END = new Set(['.', '?', '!', '…']);
/** Quantity words that need a second word: "por ciento", "pour cent". */
const QUANTITY_PAIRS = new Map([
  ['por', 'ciento'],
  ['pour', 'cent'],
]);

interface Read {
  digits: string;
  lastTok: number;
  ambiguous: boolean;
  written: boolean;
}

export class DigitRunReader {
  private readonly tokens: readonly Token[];
  /** Index of the locale in LOCALES: which of a word's number words (WordInfo) counts. */
  private readonly locale: number;
  private readonly budget: RedactionBudget | undefined;

  /** The locale's own number words (ownNumberWords). */
  private readonly own: ReadonlyMap<string, NumberWord>;

  constructor(
    tokens: readonly Token[],
    locale: Locale,
    budget?: RedactionBudget,
    breaks?: readonly number[],
  ) {
    this.tokens = tokens;
    this.locale = LOCALES.indexOf(locale);
    this.budget = budget;
    this.own = ownNumberWords(locale);
    this.breaks = breaks;
  }

  /** Token t as a number word of the locale (numberWords(locale).get(t.norm), looked up once per
   * distinct word by the tokenizer). */
  private numberWord(t: Token): NumberWord | undefined {
    return t.info.numberWords?.[this.locale];
  }

  /** Offsets where a new segment (turn) starts, sorted. */
  private readonly breaks: readonly number[] | undefined;

  /** True when a segment break lies between tokens i and i + 1 (binary search). */
  private breakAfter(i: number): boolean {
    const b = this.breaks;
    const t = this.tokens[i];
    const next = this.tokens[i + 1];
    if (!b?.length || !t || !next) return false;
    let lo = 0;
    let hi = b.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (b[mid]! < t.end) lo = mid + 1;
      else hi = mid;
    }
    return lo < b.length && b[lo]! <= next.start;
  }

  /** Token i ends what was said: the text, the turn, or a sentence ("… seis um.", "neuf un ?"). */
  private endsUtterance(i: number): boolean {
    const next = this.tokens[i + 1];
    if (!next) return true;
    if (next.kind === 'punct' && SENTENCE_END.has(next.norm)) return true;
    return this.breakAfter(i);
  }

  /** The number said at token i (one digit word, "twenty seven", "double five", "4111"). The
   * reader asks about a token again (a run's next group, strongAt, endsRun …), but only a few
   * times and a few tokens ahead: reading again is cheaper than keeping an array of reads per
   * text, and stays linear. */
  readAt(i: number, repeat = true): Read | null {
    return this.read(i, repeat);
  }

  private read(i: number, repeat: boolean): Read | null {
    const t = this.tokens[i];
    if (!t) return null;
    if (t.kind === 'num') return { digits: t.norm, lastTok: i, ambiguous: false, written: true };
    if (t.kind !== 'word' || (t.flags & (F_NUMBER_WORD | F_REPEATER)) === 0) return null;
    const times = repeat && (t.flags & F_REPEATER) !== 0 ? REPEATERS.get(t.norm) : undefined;
    if (times) {
      // One repeater per digit: "double double double …" must not recurse through the whole text.
      const next = this.readAt(i + 1, false);
      if (!next || next.digits.length !== 1) return null;
      return { digits: next.digits.repeat(times), lastTok: next.lastTok, ambiguous: false, written: false };
    }
    const nw = this.numberWord(t);
    if (!nw) return null;
    if (nw.tens) {
      // "twenty seven", "treinta y cinco", "vingt et un": one two-digit group.
      let j = i + 1;
      if (TENS_JOINERS.has(this.tokens[j]?.norm ?? '')) j++;
      const unit = this.tokens[j];
      const u = unit?.kind === 'word' ? this.numberWord(unit) : undefined;
      // French 70–79 said apart: "soixante et onze" (71). Only joined: "sixty eleven", "soixante
      // onze" are the pairs 60 11 of a card.
      const joined = j > i + 1 && this.tokens[i + 1]!.norm === 'et';
      const teen =
        joined &&
        !!u &&
        u.digits.length === 2 &&
        u.digits[0] === '1' &&
        (nw.digits === '60' || nw.digits === '80');
      if (
        u &&
        (teen || (u.digits.length === 1 && u.digits !== '0')) &&
        !(u.ambiguous && !AMBIGUOUS_STARTERS.has(unit!.norm))
      ) {
        return {
          digits: String(Number(nw.digits) + Number(u.digits)),
          lastTok: j,
          ambiguous: false,
          written: false,
        };
      }
    }
    return { digits: nw.digits, lastTok: i, ambiguous: nw.ambiguous === true, written: false };
  }

  /** Reads a number at i that is not a homophone ("four", not "for"), or a homophone followed by one. */
  private strongAt(i: number, depth = 0): boolean {
    const r = this.readAt(i);
    if (!r) return false;
    if (!r.ambiguous) return true;
    return depth < 3 && this.strongAt(r.lastTok + 1, depth + 1);
  }

  private isPlus(t: Token | undefined): boolean {
    return !!t && (t.flags & F_PLUS) !== 0 && (t.kind === 'punct' || t.kind === 'word');
  }

  /** All runs in the token stream, left to right. */
  readAll(): DigitRun[] {
    const runs: DigitRun[] = [];
    const tokens = this.tokens;
    let i = 0;
    while (i < tokens.length) {
      this.budget?.tick();
      // Only digits, number words, "double" and a plus sign can start a run.
      if ((tokens[i]!.flags & RUN_STARTERS) === 0) {
        i++;
        continue;
      }
      let first = i;
      let plusStart: number | undefined;
      if (this.isPlus(tokens[i]) && this.strongAt(i + 1)) {
        plusStart = tokens[i]!.start;
        first = i + 1;
      }
      const head = this.readAt(first);
      // A homophone starts a run when a real number follows it ("oh four …"), or when it is one
      // of three or more zeros/ones said in a row with nothing after ("un un un", "oh oh one").
      if (
        !head ||
        (head.ambiguous &&
          !(
            AMBIGUOUS_STARTERS.has(tokens[first]!.norm) &&
            (this.strongAt(head.lastTok + 1) || this.endsRun(first, 0) || this.wholeTurnOfDigits(first))
          ) &&
          // A misheard digit ("card for six three four …") before two digits said plainly.
          !this.spokenDigitsFrom(head.lastTok + 1, 2))
      ) {
        i++;
        continue;
      }
      const groups: DigitGroup[] = [this.group(head, first, '')];
      let digitCount = head.digits.length;
      let k = head.lastTok + 1;
      for (;;) {
        this.budget?.tick();
        const t = tokens[k];
        if (t !== undefined && (t.flags & F_HUNDRED) !== 0 && t.kind === 'word' && !groups.at(-1)!.written) {
          const last = groups.at(-1)!;
          last.digits += '00';
          digitCount += 2;
          last.end = t.end;
          last.lastTok = k;
          k++;
          continue;
        }
        let s = k;
        let sep = '';
        // Up to five separators: "…nine nine, let me see, six eight …".
        while (s - k < MAX_SEPARATORS && tokens[s] && (this.isSeparator(s) || this.areaCodeSlash(s, groups)))
          sep += tokens[s++]!.norm;
        let next = this.readAt(s);
        if (!next) {
          // A filler that is a digit too ("um": Portuguese one) ending the number is the digit.
          const q = this.firstNumberWord(k, s);
          if (q < 0) break;
          s = q;
          sep = '';
          next = this.readAt(s)!;
        }
        // "order 4947245. 672.389.2853 is my cell": a full stop and a space after or before
        // written digits end a sentence ("im Jahr 2015. Also fünf eins …" is a year, then a
        // number); only spoken digits punctuated as sentences are one number.
        if (
          (next.written || groups.at(-1)!.written) &&
          sep.includes('.') &&
          tokens[s]!.start > tokens[s - 1]!.end
        )
          break;
        // A homophone that ends the utterance right after a number is its last digit: "seis um.",
        // "neuf un ?" (the caller finishing a code).
        if (
          next.ambiguous &&
          !this.strongAt(next.lastTok + 1) &&
          // "zero five for, um, seven seven …": a number goes on after the homophone.
          !this.strongAfterSeparators(next.lastTok + 1) &&
          // "… zero six six to please": the last digit of a card-length number, misheard.
          !(digitCount >= 12 && digitCount <= 18 && !next.written) &&
          !this.endsRun(s, digitCount) &&
          !(AMBIGUOUS_STARTERS.has(tokens[s]!.norm) && !groups.at(-1)!.written && this.endsUtteranceAfter(s))
        )
          break;
        groups.push(this.group(next, s, sep));
        digitCount += next.digits.length;
        k = next.lastTok + 1;
      }
      const lastTok = groups.at(-1)!.lastTok;
      // "(555) 010-1234": the opening parenthesis belongs to the number.
      // (first > 0: reading tokens[-1] is a slow lookup by name in V8, see quantitySide.)
      if (plusStart === undefined && first > 0 && tokens[first - 1]!.norm === '(')
        groups[0]!.start = tokens[first - 1]!.start;
      const quantity = this.quantitySide(first, lastTok);
      let kept = groups;
      if (quantity && runDigits(groups).length > 6 && groups.length > 1) {
        // A long run ending in "two items" / starting after "$": only that end group is a quantity.
        kept = quantity === 'after' ? groups.slice(0, -1) : groups.slice(1);
      }
      const isQuantity = quantity !== undefined && kept === groups;
      runs.push(digitRun(kept, quantity !== 'before' ? plusStart : undefined, isQuantity));
      i = lastTok + 1;
    }
    return runs;
  }

  private group(r: Read, firstTok: number, sepBefore: string): DigitGroup {
    const tokens = this.tokens;
    return {
      digits: r.digits,
      start: tokens[firstTok]!.start,
      end: tokens[r.lastTok]!.end,
      firstTok,
      lastTok: r.lastTok,
      sepBefore,
      written: r.written,
    };
  }

  /** "um um." said as a whole turn (after the agent's "and the rest?"): two or more homophones
   * of zero/one and nothing else are digits ("oh oh" is an exclamation, so not "oh"/"o"). */
  private wholeTurnOfDigits(s: number): boolean {
    const t = this.tokens[s]!;
    if (t.norm === 'oh' || t.norm === 'o') return false;
    if (s > 0 && !this.breakAfter(s - 1)) return false;
    return (
      this.stretchEnd(s) - s >= 2 &&
      this.endsUtteranceAfter(s) &&
      this.tokens[this.stretchEnd(s)]?.norm !== ','
    );
  }

  /** `n` plain (not homophone) spoken digits in a row from token i. */
  private spokenDigitsFrom(i: number, n: number): boolean {
    for (let k = 0; k < n; k++) {
      const r = this.readAt(i);
      if (!r || r.ambiguous || r.written) return false;
      i = r.lastTok + 1;
    }
    return true;
  }

  /** A plain number after a few separators from token i ("…, um, seven"). */
  private strongAfterSeparators(i: number): boolean {
    let s = i;
    while (s - i < MAX_SEPARATORS && this.tokens[s] && this.isSeparator(s)) s++;
    return s > i && this.strongAt(s);
  }

  /** The homophones from token s on ("um", "un un") end the utterance. */
  private endsUtteranceAfter(s: number): boolean {
    const k = this.stretchEnd(s);
    return k > s && this.endsUtterance(k - 1);
  }

  /** The first separator token in [from, to) that reads as a number, or -1. */
  private firstNumberWord(from: number, to: number): number {
    for (let q = from; q < to; q++) if (this.tokens[q]!.kind === 'word' && this.readAt(q)) return q;
    return -1;
  }

  /** "0176/58574529": a slash after a written area code (a leading zero, three to five digits)
   * and before the subscriber number is a phone separator, not a date's. */
  private areaCodeSlash(i: number, groups: readonly DigitGroup[]): boolean {
    const t = this.tokens[i]!;
    const last = groups.at(-1)!;
    const next = this.tokens[i + 1];
    return (
      t.norm === '/' &&
      groups.length === 1 &&
      last.written &&
      last.digits[0] === '0' &&
      last.digits.length >= 3 &&
      last.digits.length <= 5 &&
      next?.kind === 'num' &&
      next.norm.length >= 5
    );
  }

  /** Speech engines punctuate digit groups as sentences ("five five five. Zero one zero."), so
   * a full stop does not end a number. */
  private isSeparator(i: number): boolean {
    const t = this.tokens[i]!;
    return (
      (t.kind === 'punct' && (t.flags & F_RUN_PUNCT) !== 0) ||
      (t.kind === 'word' &&
        (t.flags & F_FILLER) !== 0 &&
        // (Own number words are number words: most fillers need no lookup.)
        !((t.flags & F_NUMBER_WORD) !== 0 && this.own.has(t.norm)))
    );
  }

  /** The end of a run that makes it a quantity ("$1,200", "12 dollars", "3:30"), if any. */
  private quantitySide(firstTok: number, lastTok: number): 'before' | 'after' | undefined {
    // Never tokens[-1]: a negative index is a property lookup by name in V8 (tens of ns), and
    // the site that saw one stays slower for every later read.
    const before = firstTok > 0 ? this.tokens[firstTok - 1] : undefined;
    if (before && (before.flags & F_QUANTITY_BEFORE) !== 0) return 'before';
    // "3:30" and "10:45" are times: the colon sits right between digits.
    if (before?.norm === ':' && firstTok >= 2 && this.tokens[firstTok - 2]!.kind === 'num') return 'before';
    const after = this.tokens[lastTok + 1];
    if (after?.norm === ':' && this.tokens[lastTok + 2]?.kind === 'num') return 'after';
    if (after && (after.flags & F_QUANTITY_AFTER) !== 0) {
      const pair = QUANTITY_PAIRS.get(after.norm);
      if (!pair || this.tokens[lastTok + 2]?.norm === pair) return 'after';
    }
    // "508,30 $" (fr-CA, es): the currency sign follows the amount. A sign that starts the next
    // amount ("… 1111 $45") belongs to that one, not to this run.
    if (
      after &&
      (after.flags & F_QUANTITY_BEFORE) !== 0 &&
      after.kind === 'punct' &&
      this.tokens[lastTok + 2]?.kind !== 'num'
    )
      return 'after';
    return undefined;
  }

  /** True when the homophones from token s on ("… five one oh oh", "… un un", "double three
   * oh") end the number. */
  private endsRun(s: number, digitsSoFar: number): boolean {
    const k = this.stretchEnd(s);
    // One trailing "oh" after a single digit ("five oh") is too weak; a longer number is not.
    return k > s && !this.readAt(k) && digitsSoFar + (k - s) >= 3;
  }

  /** Stretch ends of homophones of zero/one, found once per stretch: "oh oh oh …" asks at every
   * word, and scanning to the end each time would be quadratic. */
  private stretchEnds: Map<number, number> | undefined;

  /** The first token at or after s that is not a homophone of zero/one. */
  private stretchEnd(s: number): number {
    // Created on first use: most texts never ask, and a Map per text is not free.
    const ends = (this.stretchEnds ??= new Map<number, number>());
    const known = ends.get(s);
    if (known !== undefined) return known;
    let k = s;
    while (this.tokens[k] && AMBIGUOUS_STARTERS.has(this.tokens[k]!.norm)) k++;
    for (let j = s; j <= k; j++) ends.set(j, k);
    return k;
  }
}

/** Splits "four-one-one-one" (one hyphenated token) into its number words; leaves "dix-sept". */
export function splitHyphenatedNumbers(tokens: Token[], words: ReadonlyMap<string, NumberWord>): Token[] {
  const splits = (t: Token): boolean =>
    t.kind === 'word' && (t.flags & F_HYPHENATED_NUMBER) !== 0 && !words.has(t.norm);
  if (!tokens.some(splits)) return tokens;
  const out: Token[] = [];
  for (const t of tokens) {
    if (!splits(t)) {
      out.push(t);
      continue;
    }
    const parts = t.norm.split('-');
    if (!parts.some((p) => words.has(p))) {
      out.push(t);
      continue;
    }
    let pos = t.start;
    parts.forEach((p, idx) => {
      if (idx > 0) {
        out.push({
          kind: 'punct',
          norm: '-',
          start: pos,
          end: pos + 1,
          flags: punctFlags('-'),
          info: NO_WORD_INFO,
        });
        pos++;
      }
      const flags = wordFlags(p);
      out.push({ kind: 'word', norm: p, start: pos, end: pos + p.length, flags, info: wordInfo(p, flags) });
      pos += p.length;
    });
  }
  return out;
}
