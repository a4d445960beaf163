// Text cleaning for everything that ends up in a transcript. Transcript text comes from outside
// (speech recognition, customers typing in a chat, email bodies) and is later written into text,
// WebVTT and SRT files, where a stray control character, carriage return or bidi override could
// break the file or disguise what was said. So every string is cleaned once, here, on the way in.

/** Longest text kept for one segment; longer text is cut (and counted as a warning by callers). */
export const MAX_SEGMENT_CHARS = 20_000;
/** Email bodies are longer by nature. */
export const MAX_EMAIL_BODY_CHARS = 200_000;

// C0 controls except \t and \n, DEL, C1 controls.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;
// Bidi embeddings/overrides/isolates: they can make text display differently from what it is.
const BIDI = /[\u202A-\u202E\u2066-\u2069]/g;
// Invisible characters that split a token without showing: zero-width space, word joiner, BOM,
// soft hyphen, Mongolian vowel separator, bidi marks. Left in, "4111<ZWSP>1111…" reads as a card
// number while no pattern (PII redaction included) sees one.
const INVISIBLE = /[\u00AD\u180E\u200B\u200E\u200F\u061C\u2060-\u2064\uFEFF]/g;
// ZWNJ/ZWJ shape Persian, Indic and emoji sequences: kept between letters, marks or pictographs,
// dropped elsewhere (between digits, at word edges), where they only hide what is next to them.
const JOINER =
  /(?<![\p{L}\p{M}\p{Extended_Pictographic}])[\u200C\u200D]|[\u200C\u200D](?![\p{L}\p{M}\p{Extended_Pictographic}])/gu;
const LINE_BREAKS = /\r\n?|[\u2028\u2029\u0085]/g;

export interface CleanResult {
  text: string;
  truncated: boolean;
}

/**
 * Cleans one piece of untrusted text. `multiline` keeps line breaks (email bodies, chat messages
 * with several lines), otherwise every whitespace run becomes one space (speech phrases).
 */
export function cleanText(raw: string, opts: { multiline?: boolean; maxChars?: number } = {}): CleanResult {
  const maxChars = opts.maxChars ?? MAX_SEGMENT_CHARS;
  let text = raw
    .toWellFormed()
    .replace(LINE_BREAKS, '\n')
    .replace(BIDI, '')
    .replace(INVISIBLE, '')
    .replace(JOINER, '')
    .replace(/\t/g, ' ')
    .replace(CONTROL, '');
  if (opts.multiline) {
    text = text
      .split('\n')
      .map((line) => line.replace(/ +/g, ' ').trim())
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim();
  } else {
    text = text.replace(/\s+/g, ' ').trim();
  }
  const truncated = text.length > maxChars;
  if (truncated) text = `${text.slice(0, maxChars).replace(/[\uD800-\uDBFF]$/, '')}…`;
  return { text, truncated };
}

/** A short single-line label (names, subjects, attachment names). */
export function cleanLabel(raw: string, maxChars = 200): string {
  return cleanText(raw, { maxChars }).text;
}

/** Crude but safe HTML → text for email bodies that only come as HTML. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style|head)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li|tr|h[1-6])\s*>/gi, '\n')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/gi, ' ')
    .replace(/&lt;/gi, '<')
    .replace(/&gt;/gi, '>')
    .replace(/&quot;/gi, '"')
    .replace(/&#39;|&apos;/gi, "'")
    .replace(/&amp;/gi, '&');
}
