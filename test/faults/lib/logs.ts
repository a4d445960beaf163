// Secrets and PII must never reach a log, an error message, the audit log or a summary. This
// scans captured text for: the OAuth client secret, every access token the emulator issued, a
// bearer header, a signed URL's signature, a webhook secret, and the personal data the emulator
// planted or put in its analytics (customer names and addresses) for the given conversations.
import { Writable } from 'node:stream';
import type { RunningEmulator } from '../../../src/emulator/index.ts';
import { standsIn, visible } from './oracle.ts';

export interface LeakCheck {
  emu: RunningEmulator;
  /** Conversations whose personal data must not appear. */
  ids: readonly string[];
  /** More secrets (e.g. the webhook secret). */
  secrets?: readonly string[];
}

/** Personal data of a conversation long enough to be unmistakable in a log full of numbers. */
export function personalData(emu: RunningEmulator, id: string): string[] {
  const out = new Set<string>();
  for (const p of emu.dataset.planted(id).pii) {
    // A 3-digit CVV or "04/27" would "match" byte counts and durations; names, numbers of 7+
    // significant characters cannot.
    if (p.text.replace(/[\s-]/g, '').length >= 7) out.add(p.text);
  }
  const c = emu.dataset.conversation(id);
  for (const part of c?.participants ?? []) {
    if (part.purpose !== 'customer' && part.purpose !== 'external') continue;
    if (part.participantName) out.add(part.participantName);
    for (const s of part.sessions ?? []) {
      for (const a of [s.ani, s.dnis, s.addressFrom, s.addressTo]) {
        if (a && /\d{7,}|@/.test(a)) out.add(a.replace(/^tel:/, ''));
      }
    }
  }
  return [...out];
}

/** What leaked into `text`, described without repeating the secret itself. */
export function leaksIn(text: string, check: LeakCheck): string[] {
  const found: string[] = [];
  const { emu } = check;
  if (text.includes(emu.clientSecret)) found.push('the OAuth client secret');
  for (const s of check.secrets ?? []) if (s && text.includes(s)) found.push('a configured secret');
  const tokens = emu.issuedTokens();
  const leakedTokens = tokens.filter((t) => text.includes(t)).length;
  if (leakedTokens > 0) found.push(`${leakedTokens} of ${tokens.length} access tokens`);
  if (/bearer\s+[A-Za-z0-9._~+/-]{16,}/i.test(text)) found.push('a bearer header');
  if (/X-Amz-Signature=[0-9a-f]{16,}/i.test(text)) found.push('a signed URL signature');
  const readable = visible(text);
  for (const id of check.ids) {
    for (const v of personalData(emu, id)) {
      if (standsIn(readable, v)) found.push(`personal data of ${id} (${v.length} chars)`);
    }
  }
  return found;
}

/** A writable that keeps everything written to it (a pino destination). */
export class Capture extends Writable {
  private readonly chunks: Buffer[] = [];

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.chunks.push(Buffer.from(chunk));
    cb();
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}
