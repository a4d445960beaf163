// Everything written into a review page comes from the API or a transcript: escaped on the way in.

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text content and attribute values. */
export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => HTML[c]!);
}

/** JSON that is safe inside <script> (no "</script>", "<!--", or line separators that break old parsers). */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** A relative URL from path segments, each segment percent-encoded (file names may hold spaces or '#'). */
export function href(...segments: string[]): string {
  return segments.map((s) => (s === '..' ? s : encodeURIComponent(s))).join('/');
}

/** HH:MM:SS for offsets; hours grow rather than wrap. */
export function clock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor(total / 60) % 60;
  const s = total % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(h)}:${two(m)}:${two(s)}`;
}

/** "12 min 5 s", "48 s", "1 h 2 min". */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor(s / 60) % 60} min`;
}

/** Page-wide policy: nothing but this page, its inline code and the export's own files. */
export const CSP =
  "default-src 'none'; style-src 'unsafe-inline'; script-src 'self' 'unsafe-inline' file:; media-src 'self' file: blob:; img-src 'self' data:; base-uri 'none'; form-action 'none'";
