// Everything the CLI prints that came from outside (API strings: IDs, reasons, Genesys messages;
// file contents) goes through printable(): control and format characters are escaped, never
// interpreted (an ID like "\x1b]0;…\x07\x1b[2J" would retitle and clear the user's terminal), and
// a long string is cut to `max` characters with its length said (a 70,000-character ID is not
// echoed in full). Used by the summary, status, dlq and the top-level error line.
export const DEFAULT_PRINTABLE_MAX = 200;

export function printable(text: string, max = DEFAULT_PRINTABLE_MAX): string {
  const cut = text.length > max ? `${text.slice(0, max)}…[${text.length} chars]` : text;
  return cut.replace(
    /[\p{Cc}\p{Cf}\u2028\u2029]/gu,
    (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`,
  );
}
