// The one text normaliser in front of PII detection, used by every caller (the export's
// transcripts, the `redact` command, metadata values): text comes from people and machines no one
// here controls, so the detector must see "４１１１", "4111", "٤١١١" and "4\u200B111" as the same
// digits, and "123‐45‐6789" (U+2010) or "415−555−0132" (U+2212) as hyphenated numbers.
//
//   - Unicode NFKC (full-width letters and digits, ligatures, compatibility spaces …)
//   - every Unicode decimal digit (\p{Nd}: Arabic-Indic, Devanagari, mathematical …) → 0-9
//   - every dash and minus (\p{Pd}, U+2212 minus, U+FE63, U+FF0D, U+2796 …) → '-'
//   - format characters (\p{Cf}: zero-width space/joiners, soft hyphen, bidi marks, BOM), NUL and
//     other non-space control characters → removed
//
// Detection runs on the normalised text; `toOriginal` maps every range back to the original
// text, so a redaction replaces exactly the characters the speaker or writer produced (and the
// word timings found from the original text stay right).

export interface Normalised {
  /** What the detector reads. */
  text: string;
  /** The original text when normalisation changed it (null: `text` is the original, offsets are
   * the same). */
  original: string | null;
  /** Built from `original` on first use (toOriginal, fromOriginal): most texts that change have
   * nothing detected, so their maps were made for nothing. */
  maps: OffsetMaps | null;
}

interface OffsetMaps {
  /** Original offset where normalised code unit i came from. */
  from: number[];
  /** Original end offset (exclusive) of the character normalised code unit i came from. */
  to: number[];
}

const FORMAT_OR_CONTROL = /[\p{Cf}\p{Cc}]/u;
const SPACE_CONTROL = /\s/;
const DASH = /[\p{Pd}\u2212\u2796\u02D7\u2043]/u;
const DECIMAL_DIGIT = /\p{Nd}/u;

const digitValueCache = new Map<number, string>();

/** The value of a decimal digit: Unicode encodes them in runs of ten ascending from zero (some
 * runs are adjacent, e.g. the mathematical digits), so the value is the distance from the start
 * of the run, modulo ten. */
export function digitValue(cp: number): string {
  const cached = digitValueCache.get(cp);
  if (cached !== undefined) return cached;
  let start = cp;
  while (DECIMAL_DIGIT.test(String.fromCodePoint(start - 1))) start--;
  const value = String((cp - start) % 10);
  digitValueCache.set(cp, value);
  return value;
}

// An em dash or horizontal bar with a space on either side punctuates a sentence ("in 2023 —
// four one …"): folded to '-' it would join two numbers into one.
const SENTENCE_DASH = new Set([0x2014, 0x2015]);

function sentenceDash(text: string, i: number, cp: number): boolean {
  return (
    SENTENCE_DASH.has(cp) && (i === 0 || spaceAt(text, i - 1) || i + 1 >= text.length || spaceAt(text, i + 1))
  );
}

/** Per code unit: 0 not yet known, 1 what /\s/ matches, 2 not. */
const spaceUnit = new Uint8Array(0x10000);

/** /\s/.test(text[i]), with the answer kept per code unit (two regex runs per dash were most of
 * the cost of a line with one). */
function spaceAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return (spaceUnit[c] || (spaceUnit[c] = /\s/.test(text[i]!) ? 1 : 2)) === 1;
}

/** What each BMP code unit becomes, filled as characters are met (the answer depends on the
 * character alone; several regexes and an NFKC per character were most of the slow path). */
const pieceOfUnit: (string | undefined)[] = new Array<string | undefined>(0x10000).fill(undefined);

/** What one code point becomes: '' (dropped), or its normalised form. */
function normaliseChar(ch: string, cp: number): string {
  if (cp > 0xffff) return normaliseCharUncached(ch, cp);
  return (pieceOfUnit[cp] ??= normaliseCharUncached(ch, cp));
}

function normaliseCharUncached(ch: string, cp: number): string {
  if (cp < 0x7f) return cp === 0 || (cp < 0x20 && !SPACE_CONTROL.test(ch)) ? '' : ch;
  if (FORMAT_OR_CONTROL.test(ch)) return SPACE_CONTROL.test(ch) ? ' ' : '';
  if (DECIMAL_DIGIT.test(ch)) return digitValue(cp);
  if (DASH.test(ch)) return '-';
  const n = ch.normalize('NFKC');
  // NFKC may produce digits or dashes of its own ("①" → "1", "﹘" → "—"): fold them again.
  if (n === ch) return n;
  let out = '';
  for (const c of n) out += DASH.test(c) ? '-' : DECIMAL_DIGIT.test(c) ? digitValue(c.codePointAt(0)!) : c;
  return out;
}

// Characters that change even when the text is already in NFKC: other-script digits, dashes and
// minus signs, format and control characters (tab, line feed and carriage return are kept).
const FOLDED =
  // eslint-disable-next-line no-control-regex -- control characters are what this finds
  /[\p{Cf}\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u2212\u2796\u02D7\u2043]|(?![0-9])\p{Nd}|(?!-)\p{Pd}/u;

/** Per UTF-16 code unit: 0 not yet known, 1 left unchanged by normalisation, 2 may change. */
const unitClass = new Uint8Array(0x10000);

/** Code units whose normal form can be decided alone: Latin (accented letters included),
 * general punctuation and currency signs. Elsewhere (combining marks, Hangul jamo, Indic vowel
 * signs …) a character may compose with its neighbour, so the whole text is checked. */
function decidedAlone(c: number): boolean {
  return c < 0x0300 || (c >= 0x2000 && c < 0x20d0);
}

function classOf(c: number): number {
  if (c < 0x80) return (c >= 0x20 && c < 0x7f) || c === 9 || c === 10 || c === 13 ? 1 : 2;
  if (!decidedAlone(c)) return 2;
  const ch = String.fromCharCode(c);
  return !FOLDED.test(ch) && ch.normalize('NFKC') === ch ? 1 : 2;
}

/** The first code unit that normalisation may change, or -1 when there is none: most text
 * (English, and the accented letters of Spanish, French, German, Portuguese) is answered by one
 * table lookup per character instead of a regex and a whole-text NFKC. */
function firstChanged(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let k = unitClass[c]!;
    if (k === 0) k = unitClass[c] = classOf(c);
    if (k !== 1) return i;
  }
  return -1;
}

export function normaliseForDetection(text: string): Normalised {
  const first = firstChanged(text);
  if (first < 0) return { text, original: null, maps: null };
  // The pieces are joined once: a string grown by `+=` is a rope, which every later read of the
  // detector (charCodeAt, slice, indexOf) would first have to flatten.
  const parts: string[] = [];
  // Characters normalisation leaves alone are copied in slices, not one by one.
  let copied = 0;
  // Every unit before `first` is left alone.
  for (let i = first; i < text.length;) {
    const c = text.charCodeAt(i);
    if ((unitClass[c] || (unitClass[c] = classOf(c))) === 1) {
      i++;
      continue;
    }
    if (i > copied) parts.push(text.slice(copied, i));
    const width = unitWidth(text, i);
    parts.push(pieceAt(text, i, width));
    i += width;
    copied = i;
  }
  if (copied < text.length) parts.push(text.slice(copied));
  const out = parts.join('');
  // Characters outside the table's ranges (other scripts) often change nothing either.
  if (out === text) return { text, original: null, maps: null };
  return { text: out, original: text, maps: null };
}

/** 2 for a surrogate pair at i, else 1. */
function unitWidth(text: string, i: number): number {
  return text.codePointAt(i)! > 0xffff ? 2 : 1;
}

/** What the character of `width` code units at i becomes. */
function pieceAt(text: string, i: number, width: number): string {
  const cp = text.codePointAt(i)!;
  const ch = width === 2 ? text.slice(i, i + 2) : text[i]!;
  return sentenceDash(text, i, cp) ? ';' : normaliseChar(ch, cp);
}

/** Where each normalised code unit came from (the pieces normaliseForDetection joined). */
function offsetMaps(n: Normalised, text: string): OffsetMaps {
  if (n.maps) return n.maps;
  // Plain arrays: two typed arrays per text cost more to create than this whole loop on a line.
  const from: number[] = [];
  const to: number[] = [];
  for (let i = 0; i < text.length;) {
    const c = text.charCodeAt(i);
    if ((unitClass[c] || (unitClass[c] = classOf(c))) === 1) {
      from.push(i);
      to.push(i + 1);
      i++;
      continue;
    }
    const width = unitWidth(text, i);
    // NFKC can expand one character into several ("㎒" → "MHz"): each comes from it.
    for (let k = pieceAt(text, i, width).length; k > 0; k--) {
      from.push(i);
      to.push(i + width);
    }
    i += width;
  }
  from.push(text.length);
  to.push(text.length);
  return (n.maps = { from, to });
}

/** A range of the normalised text as a range of the original text. */
export function toOriginal(n: Normalised, start: number, end: number): { start: number; end: number } {
  if (n.original === null) return { start, end };
  const { from, to } = offsetMaps(n, n.original);
  return { start: from[start]!, end: end > start ? to[end - 1]! : from[start]! };
}

/** The normalised offset of an original offset (the first normalised unit at or after it). */
export function fromOriginal(n: Normalised, offset: number): number {
  if (n.original === null) return offset;
  const { from } = offsetMaps(n, n.original);
  let lo = 0;
  let hi = from.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (from[mid]! < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The digits a piece of text stands for, in any script ("４１１１" → "4111"). */
export function digitsOf(text: string): string {
  return normaliseForDetection(text).text.replace(/\D+/g, '');
}
