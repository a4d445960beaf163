// Webhook sink: one signed POST per conversation, per the Standard Webhooks spec
// (https://www.standardwebhooks.com): `webhook-id` = deliveryId on every retry and re-run, so a
// receiver that dedupes by webhook-id sees each conversation once even when we resend after a
// crash. The payload is bounded: media are never inlined (the manifest lists them), transcript
// JSON is inlined only while it fits `maxInlineBytes`.
//
// Retries: network errors, timeouts, 408, 429 and 5xx, with exponential backoff + jitter,
// honouring Retry-After. Other 4xx are permanent. Whatever cannot be delivered is written to
// `deadLetterDir` (one JSON file per deliveryId) and `replayDeadLetters` resends it later;
// `deliver` then throws SINK_FAILED so the checkpoint does not record a delivery that did not happen.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Webhook } from 'standardwebhooks';
import { request } from 'undici';
import { GtError } from '../errors.ts';
import { safeName } from '../util/safe-name.ts';
import { MANIFEST_NAME } from './layout.ts';
import type { ConversationBundle, DeliveryReceipt, Sink } from './types.ts';

export interface WebhookSinkOptions {
  url: string;
  /** Standard Webhooks secret: `whsec_` + base64. */
  secret: string;
  /** Per attempt (connect + response). Default 10 s. */
  timeoutMs?: number;
  /** Attempts per delivery, including the first. Default 6. */
  maxAttempts?: number;
  deadLetterDir: string;
  /** Budget for transcript JSON inlined in the payload. Default 256 KiB. */
  maxInlineBytes?: number;
  /** First backoff delay; doubles per attempt up to maxDelayMs. Defaults 500 ms / 30 s. */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export interface WebhookSink extends Sink {
  readonly deadLetterDir: string;
  /** Sends an already-built payload with retries; resolves with the HTTP status of the accepted attempt. */
  send(deliveryId: string, payload: string, signal?: AbortSignal): Promise<number>;
}

export interface DeadLetter {
  deliveryId: string;
  conversationId: string;
  /** The exact JSON body, so a replay signs and sends the same bytes. */
  payload: string;
  failedAt: string;
  attempts: number;
  lastStatus: number | null;
  lastError: string;
}

const RETRYABLE_4XX = new Set([408, 429]);

class PermanentFailure extends Error {
  readonly status: number;
  constructor(status: number) {
    super(`receiver answered ${status}`);
    this.status = status;
  }
}

/** Retry-After in ms (seconds or HTTP date), or undefined. */
function retryAfterMs(header: string | string[] | undefined): number | undefined {
  const v = Array.isArray(header) ? header[0] : header;
  if (!v) return undefined;
  const seconds = Number(v);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

async function buildPayload(bundle: ConversationBundle, maxInlineBytes: number): Promise<string> {
  const transcripts: Record<string, unknown> = {};
  let budget = maxInlineBytes;
  let complete = true;
  for (const f of bundle.files) {
    if (f.name === MANIFEST_NAME || !f.name.endsWith('.json') || f.contentType !== 'application/json')
      continue;
    if (f.size > budget) {
      complete = false;
      continue;
    }
    budget -= f.size;
    transcripts[f.name] = JSON.parse(await readFile(f.path, 'utf8')) as unknown;
  }
  const data: Record<string, unknown> = {
    conversationId: bundle.conversationId,
    deliveryId: bundle.deliveryId,
    manifest: bundle.manifest,
  };
  // All or nothing: a receiver should not have to guess which transcripts were left out.
  if (complete && Object.keys(transcripts).length > 0) data.transcripts = transcripts;
  return JSON.stringify({ type: 'conversation.exported', data });
}

async function writeDeadLetter(dir: string, letter: DeadLetter): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${safeName(letter.deliveryId)}.json`);
  const tmp = `${path}.tmp-${randomBytes(4).toString('hex')}`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(`${JSON.stringify(letter, null, 2)}\n`);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  return path;
}

export function createWebhookSink(options: WebhookSinkOptions): WebhookSink {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new GtError('CONFIG_INVALID', 'webhook URL is not a valid URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new GtError('CONFIG_INVALID', 'webhook URL must be http(s)');
  let signer: Webhook;
  try {
    signer = new Webhook(options.secret);
  } catch {
    throw new GtError(
      'CONFIG_INVALID',
      'webhook secret must be a Standard Webhooks secret (whsec_ + base64)',
    );
  }
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxAttempts = Math.max(1, options.maxAttempts ?? 6);
  const baseDelayMs = options.baseDelayMs ?? 500;
  const maxDelayMs = options.maxDelayMs ?? 30_000;
  const maxInlineBytes = options.maxInlineBytes ?? 256 * 1024;
  // The name identifies the endpoint without its query string, which may carry a token.
  const name = `webhook:${url.origin}${url.pathname}`;

  async function attempt(
    deliveryId: string,
    payload: string,
    signal?: AbortSignal,
  ): Promise<{ status: number; retryAfter?: number }> {
    const now = new Date();
    const timeout = AbortSignal.timeout(timeoutMs);
    const res = await request(url, {
      method: 'POST',
      body: payload,
      headers: {
        'content-type': 'application/json',
        'webhook-id': deliveryId,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': signer.sign(deliveryId, now, payload),
      },
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    await res.body.dump();
    const ra = retryAfterMs(res.headers['retry-after']);
    return { status: res.statusCode, ...(ra !== undefined ? { retryAfter: ra } : {}) };
  }

  async function send(deliveryId: string, payload: string, signal?: AbortSignal): Promise<number> {
    let last = '';
    let lastStatus: number | null = null;
    for (let n = 1; n <= maxAttempts; n += 1) {
      signal?.throwIfAborted();
      let wait: number | undefined;
      try {
        const { status, retryAfter } = await attempt(deliveryId, payload, signal);
        lastStatus = status;
        if (status >= 200 && status < 300) return status;
        if (status >= 400 && status < 500 && !RETRYABLE_4XX.has(status)) throw new PermanentFailure(status);
        last = `receiver answered ${status}`;
        wait = retryAfter;
      } catch (err) {
        if (err instanceof PermanentFailure) throw err;
        if (signal?.aborted) throw new GtError('ABORTED', 'webhook delivery aborted', { sink: name });
        last =
          (err as Error).name === 'TimeoutError' || (err as { code?: string }).code?.startsWith('UND_ERR_')
            ? 'timeout or connection error'
            : 'network error';
        lastStatus = null;
      }
      if (n === maxAttempts) break;
      const backoff = Math.min(maxDelayMs, baseDelayMs * 2 ** (n - 1));
      // Jitter spreads retries of many workers; Retry-After (capped) wins when the receiver sets it.
      const delay =
        wait !== undefined ? Math.min(wait, maxDelayMs) : backoff / 2 + Math.random() * (backoff / 2);
      await sleep(delay, undefined, signal ? { signal } : {}).catch(() => {
        throw new GtError('ABORTED', 'webhook delivery aborted', { sink: name });
      });
    }
    throw new GtError('SINK_FAILED', `webhook delivery failed after ${maxAttempts} attempts: ${last}`, {
      sink: name,
      status: lastStatus,
      attempts: maxAttempts,
    });
  }

  async function deliver(bundle: ConversationBundle, signal?: AbortSignal): Promise<DeliveryReceipt> {
    const payload = await buildPayload(bundle, maxInlineBytes);
    try {
      await send(bundle.deliveryId, payload, signal);
    } catch (err) {
      if (isGtAbort(err)) throw err;
      const permanent = err instanceof PermanentFailure;
      const status = permanent
        ? err.status
        : (((err as GtError).details?.status as number | null | undefined) ?? null);
      const path = await writeDeadLetter(options.deadLetterDir, {
        deliveryId: bundle.deliveryId,
        conversationId: bundle.conversationId,
        payload,
        failedAt: new Date().toISOString(),
        attempts: permanent ? 1 : maxAttempts,
        lastStatus: status,
        lastError: (err as Error).message,
      });
      throw new GtError(
        'SINK_FAILED',
        `webhook delivery failed (${(err as Error).message}); dead-lettered for replay`,
        {
          sink: name,
          status,
          permanent,
          deadLetter: path,
        },
      );
    }
    return {
      sink: name,
      deliveryId: bundle.deliveryId,
      location: name,
      deliveredAt: new Date().toISOString(),
    };
  }

  return { name, deadLetterDir: options.deadLetterDir, send, deliver, close: async () => {} };
}

function isGtAbort(err: unknown): boolean {
  return err instanceof GtError && err.code === 'ABORTED';
}

/**
 * Resends every dead letter in the sink's folder with the same webhook-id and payload; a letter
 * is deleted once the receiver accepts it. Letters that fail again stay for the next replay.
 */
export async function replayDeadLetters(
  sink: WebhookSink,
  signal?: AbortSignal,
): Promise<{ replayed: string[]; failed: { deliveryId: string; reason: string }[] }> {
  const replayed: string[] = [];
  const failed: { deliveryId: string; reason: string }[] = [];
  let names: string[];
  try {
    names = (await readdir(sink.deadLetterDir)).filter((n) => n.endsWith('.json')).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { replayed, failed };
    throw err;
  }
  for (const file of names) {
    const path = join(sink.deadLetterDir, file);
    const letter = JSON.parse(await readFile(path, 'utf8')) as DeadLetter;
    try {
      await sink.send(letter.deliveryId, letter.payload, signal);
      await rm(path, { force: true });
      replayed.push(letter.deliveryId);
    } catch (err) {
      if (isGtAbort(err)) throw err;
      failed.push({ deliveryId: letter.deliveryId, reason: (err as Error).message });
    }
  }
  return { replayed, failed };
}
