// Text from outside (API strings: IDs, reasons, Genesys messages) made safe for a terminal:
// control and format characters escaped as \uXXXX, never interpreted (an ID like
// "\x1b]0;…\x07\x1b[2J" would retitle and clear the user's terminal; C1 controls and bidi
// overrides too), and a long string cut to `max` characters with its length said (a
// 70,000-character ID is not echoed in full). Used by the CLI (src/cli/terminal.ts) and the logger.
export const DEFAULT_PRINTABLE_MAX = 200;

export function printable(text: string, max = DEFAULT_PRINTABLE_MAX): string {
  const cut = text.length > max ? `${text.slice(0, max)}…[${text.length} chars]` : text;
  return cut.replace(
    /[\p{Cc}\p{Cf}\u2028\u2029]/gu,
    (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`,
  );
}

/** `value` with every string in it (to `depth` levels) made printable; for log records. */
export function printableDeep(value: unknown, max: number, depth = 4): unknown {
  if (typeof value === 'string') return printable(value, max);
  if (depth <= 0 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => printableDeep(v, max, depth - 1));
  if (value instanceof Error) return value;
  // What an object chose to show (a config hides its secret behind toJSON) is what gets logged.
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return printableDeep(toJSON.call(value), max, depth - 1);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = printableDeep(v, max, depth - 1);
  return out;
}
