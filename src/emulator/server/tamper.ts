// Hostile responses: what a broken proxy, a misbehaving gateway or a compromised upstream could
// hand a client instead of the real answer. Each kind rewrites one reply body (and content type):
//   malformed      the JSON is syntactically broken (cut short, a bad token, an XSSI prefix) but
//                  framed correctly (full Content-Length, clean end), so only a parser notices;
//   huge           a syntactically valid JSON body of `hugeBodyBytes` (default 80 MiB) of padding;
//   content-type   an HTML "access denied" page with text/html, status unchanged (also for media);
//   hostile-id     one ID in the reply (a conversation, session, recording or transcript ID)
//                  becomes a path: `../../…`, `..\…`, an absolute path, a NUL, a terminal escape,
//                  or 70,000 characters long;
//   control-chars  transcript text (phrases, words, chat/message/email bodies) is sprinkled with
//                  C0/C1 controls, bidi overrides and zero-width characters.
// The dataset is never changed: the oracle keeps describing the untampered data.
import type { FaultKind, RouteName } from '../types.ts';

export type TamperKind = 'malformed' | 'huge' | 'content-type' | 'hostile-id' | 'control-chars';
export const TAMPER_KINDS: readonly TamperKind[] = [
  'malformed',
  'huge',
  'content-type',
  'hostile-id',
  'control-chars',
];

export function isTamper(kind: FaultKind | undefined): kind is TamperKind {
  return kind !== undefined && (TAMPER_KINDS as readonly string[]).includes(kind);
}

/** Routes whose replies carry IDs a client may turn into paths or URLs. */
const ID_ROUTES: ReadonlySet<RouteName> = new Set<RouteName>([
  'analytics.details.query',
  'analytics.details.get',
  'analytics.details.multiget',
  'analytics.jobs.results',
  'recordings.list',
  'recordings.get',
  'recordingmetadata.list',
  'recordingmetadata.get',
  'batch.get',
  'signed.transcript',
]);

/** Routes whose replies carry transcript text. */
const TEXT_ROUTES: ReadonlySet<RouteName> = new Set<RouteName>([
  'recordings.list',
  'recordings.get',
  'signed.transcript',
  'signed.media',
]);

/**
 * Can `kind` change the reply of `route`? `binary` is a signed media download of audio bytes
 * (only a wrong content type applies there). Random faults of a kind that cannot apply are never
 * rolled, so the rates stay meaningful.
 */
export function tamperApplies(kind: TamperKind, route: RouteName, binary: boolean): boolean {
  if (route === 'oauth.token') return false;
  switch (kind) {
    case 'content-type':
      return true;
    case 'malformed':
    case 'huge':
      return !binary;
    case 'hostile-id':
      return !binary && ID_ROUTES.has(route);
    case 'control-chars':
      return !binary && TEXT_ROUTES.has(route);
  }
}

export const HTML_PAGE = Buffer.from(
  '<!DOCTYPE html>\n<html><head><title>Access denied</title></head>' +
    '<body><h1>Access denied</h1><p>This request was blocked by the network policy.</p></body></html>\n',
);
export const HTML_TYPE = 'text/html; charset=utf-8';

/** A reply body ready to send; `huge` is sent as `prefix`, `padding` × 'a', `suffix`. */
export type TamperedBody =
  | { kind: 'bytes'; body: Buffer; contentType: string }
  | { kind: 'huge'; prefix: Buffer; padding: number; suffix: Buffer; contentType: string };

/** Hostile spellings of an ID; `variant` picks one (deterministic per fault). */
export function hostileId(original: string, variant: number): string {
  const short = original.replace(/[^A-Za-z0-9]/g, '').slice(0, 8) || 'x';
  const forms = [
    `../../../../tmp/gt-escape-${short}`,
    `..\\..\\..\\gt-escape-${short}`,
    `/etc/gt-escape-${short}`,
    `${original}/../../../gt-escape-${short}`,
    `%2e%2e%2f%2e%2e%2fgt-escape-${short}`,
    `gt-escape\u0000${short}`,
    `\u001b]0;gt-escape\u0007\u001b[2J${short}`,
    `./../gt-escape-${short}/.`,
    // A 70,000-character ID: echoed in full it floods a terminal and every log line.
    `gt-escape-${short}-${'x'.repeat(70_000)}`,
  ];
  return forms[variant % forms.length]!;
}

// Single code points (never a printable tail, so cleaning them away leaves the words intact).
const CONTROLS = [
  '\u0000',
  '\u0007',
  '\u0008',
  '\u001b',
  '\r',
  '\u000b',
  '\u000c',
  '\u007f',
  '\u0085',
  '\u009b',
  '\u202e',
  '\u202d',
  '\u2066',
  '\u2069',
  '\u200b',
  '\ufeff',
  '\u2028',
];

/** A small string hash, so the same token gets the same characters wherever it appears. */
function hashOf(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/**
 * Puts a control before or after every token and one inside every 4+ digit run. The characters
 * depend on the token itself (and the variant), not on its position, so a phrase's text and its
 * word list get the same hostile bytes, as they would from one upstream source.
 */
export function sprinkleControls(text: string, variant: number): string {
  return text
    .split(' ')
    .map((token, i) => {
      const h = hashOf(token) + variant;
      let t = token;
      const digits = /\d{4,}/.exec(t);
      if (digits) {
        const mid = digits.index + Math.floor(digits[0].length / 2);
        t = `${t.slice(0, mid)}${CONTROLS[h % CONTROLS.length]!}${t.slice(mid)}`;
      }
      const edge = CONTROLS[(h + 7) % CONTROLS.length]!;
      return i % 2 === 0 ? `${edge}${t}` : `${t}${edge}`;
    })
    .join(' ');
}

const TEXT_KEYS = new Set(['text', 'word', 'phrase', 'body', 'messageText', 'textBody', 'subject']);

function sprinkleTree(value: unknown, variant: number): boolean {
  let changed = false;
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {
      v.forEach(walk);
      return;
    }
    if (typeof v !== 'object' || v === null) return;
    const o = v as Record<string, unknown>;
    for (const [k, x] of Object.entries(o)) {
      if (typeof x === 'string' && TEXT_KEYS.has(k) && x.length > 0) {
        o[k] = sprinkleControls(x, variant);
        changed = true;
      } else walk(x);
    }
  };
  walk(value);
  return changed;
}

// A recording's own `id` before the conversation it belongs to; a transcript has no `id`.
const ID_KEYS = ['id', 'conversationId', 'communicationId', 'recordingId', 'transcriptId', 'sessionId'];

/** Replaces the first ID found depth-first (object keys in ID_KEYS order at each level). */
function replaceFirstId(value: unknown, variant: number): boolean {
  if (Array.isArray(value)) return value.some((v) => replaceFirstId(v, variant));
  if (typeof value !== 'object' || value === null) return false;
  const o = value as Record<string, unknown>;
  for (const k of ID_KEYS) {
    if (typeof o[k] === 'string') {
      o[k] = hostileId(o[k], variant);
      return true;
    }
  }
  return Object.values(o).some((v) => replaceFirstId(v, variant));
}

/** A conversation's ID (even variants) or its customer's recorded voice session ID (odd ones). */
function hostileConversation(c: unknown, variant: number): boolean {
  if (typeof c !== 'object' || c === null) return false;
  const conv = c as {
    conversationId?: string;
    participants?: { purpose?: string; sessions?: { sessionId?: string; mediaType?: string }[] }[];
  };
  if (variant % 2 === 1) {
    for (const p of conv.participants ?? []) {
      if (p.purpose !== 'customer' && p.purpose !== 'external') continue;
      const s = p.sessions?.find((x) => typeof x.sessionId === 'string');
      if (s) {
        s.sessionId = hostileId(s.sessionId!, variant >> 1);
        return true;
      }
    }
  }
  if (typeof conv.conversationId !== 'string') return false;
  conv.conversationId = hostileId(conv.conversationId, variant >> 1);
  return true;
}

function hostileIds(route: RouteName, json: unknown, variant: number): boolean {
  switch (route) {
    case 'analytics.details.query':
    case 'analytics.details.multiget':
    case 'analytics.jobs.results': {
      const list = (json as { conversations?: unknown[] } | null)?.conversations;
      return Array.isArray(list) && list.length > 0 && hostileConversation(list[0], variant);
    }
    case 'analytics.details.get':
      return hostileConversation(json, variant);
    case 'batch.get': {
      const first = (json as { results?: Record<string, unknown>[] } | null)?.results?.[0];
      const key = variant % 2 === 0 ? 'recordingId' : 'conversationId';
      if (!first || typeof first[key] !== 'string') return false;
      first[key] = hostileId(first[key], variant >> 1);
      return true;
    }
    default:
      return replaceFirstId(json, variant);
  }
}

/** Breaks JSON syntax while keeping the framing honest. */
export function malformJson(body: string, variant: number): string {
  switch (variant % 4) {
    case 0:
      return body.slice(0, Math.max(1, Math.floor((body.length * 2) / 3)));
    case 1: {
      // A key's colon becomes a semicolon: `{"a";1}`.
      const at = body.lastIndexOf('":');
      return at < 0 ? `${body}}` : `${body.slice(0, at + 1)};${body.slice(at + 2)}`;
    }
    case 2:
      return `)]}',\n${body}`;
    default:
      return `${body.slice(0, -1)},NaN,}`;
  }
}

/**
 * The tampered body for a JSON reply, or undefined when the fault finds nothing to change (an
 * empty body, a reply without IDs or text). `json` may be mutated: pass a fresh value.
 */
export function tamperJson(
  kind: TamperKind,
  route: RouteName,
  json: unknown,
  variant: number,
  hugeBodyBytes: number,
): TamperedBody | undefined {
  const type = 'application/json';
  switch (kind) {
    case 'content-type':
      return { kind: 'bytes', body: HTML_PAGE, contentType: HTML_TYPE };
    case 'huge':
      return {
        kind: 'huge',
        prefix: Buffer.from('{"padding":"'),
        padding: hugeBodyBytes,
        suffix: Buffer.from('"}'),
        contentType: type,
      };
    case 'malformed':
      if (json === undefined) return undefined;
      return {
        kind: 'bytes',
        body: Buffer.from(malformJson(JSON.stringify(json), variant)),
        contentType: type,
      };
    case 'hostile-id':
      if (json === undefined || !hostileIds(route, json, variant)) return undefined;
      return { kind: 'bytes', body: Buffer.from(JSON.stringify(json)), contentType: type };
    case 'control-chars':
      if (json === undefined || !sprinkleTree(json, variant)) return undefined;
      return { kind: 'bytes', body: Buffer.from(JSON.stringify(json)), contentType: type };
  }
}

/**
 * Streams a `huge` body with backpressure, one reused 64 KiB slab of padding at a time; stops as
 * soon as the client goes away (it is expected to give up at its own cap).
 */
export async function streamHuge(
  res: import('node:http').ServerResponse,
  body: Extract<TamperedBody, { kind: 'huge' }>,
): Promise<number> {
  const slab = Buffer.alloc(64 * 1024, 'a');
  let written = 0;
  const write = (chunk: Buffer) =>
    new Promise<void>((resolve) => {
      if (res.destroyed) return resolve();
      written += chunk.length;
      if (res.write(chunk)) return resolve();
      const done = () => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.on('drain', done);
      res.on('close', done);
    });
  await write(body.prefix);
  for (let left = body.padding; left > 0 && !res.destroyed; left -= slab.length)
    await write(left >= slab.length ? slab : slab.subarray(0, left));
  if (res.destroyed) return written;
  await write(body.suffix);
  res.end();
  return written;
}

export function hugeLength(body: Extract<TamperedBody, { kind: 'huge' }>): number {
  return body.prefix.length + body.padding + body.suffix.length;
}
