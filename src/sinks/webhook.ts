// Webhook sink: one signed POST per conversation, per the Standard Webhooks spec
// (https://www.standardwebhooks.com). Delivery is AT-LEAST-ONCE: a process killed after the
// receiver's 2xx and before the checkpoint recorded it sends the conversation again on the next
// run. Every send of a conversation carries the same `webhook-id` (= deliveryId, on every retry,
// re-run and replay), so a receiver that dedupes on webhook-id processes each conversation once
// (README: "Webhooks"). The payload is bounded: media are never inlined (the manifest lists them),
// transcript JSON is inlined only while it fits `maxInlineBytes`.
//
// Retries: network errors, timeouts, 408, 429 and 5xx, with exponential backoff + jitter,
// honouring Retry-After. Other 4xx are permanent, and so are 3xx: redirects are never followed
// (a signed payload must not be forwarded to wherever a Location points). A circuit breaker per
// sink stops paying the full retry schedule for every conversation while the receiver is down.
// Whatever cannot be delivered is written to `deadLetterDir` (dead-letters.ts, 0600) and replayed
// by `replayDeadLetters` (`dlq retry`); a letter is removed once its delivery ID is accepted.
// `deliver` then throws SINK_FAILED so the checkpoint does not record a delivery that did not happen.
//
// Plain http:// URLs are refused unless `allowInsecure` (--allow-insecure-webhook), except to
// loopback (127.0.0.0/8, ::1, localhost), where the payload never leaves the machine.
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Webhook } from 'standardwebhooks';
import { request } from 'undici';
import { GtError } from '../errors.ts';
import { CircuitBreaker, type CircuitBreakerOptions } from './circuit-breaker.ts';
import { listDeadLetters, removeDeadLetter, writeDeadLetter } from './dead-letters.ts';
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
  /** Allow plain http:// to a host other than loopback (--allow-insecure-webhook). */
  allowInsecure?: boolean;
  breaker?: CircuitBreakerOptions;
}

export interface WebhookSink extends Sink {
  readonly deadLetterDir: string;
  /** Sends an already-built payload with retries; resolves with the HTTP status of the accepted attempt. */
  send(deliveryId: string, payload: string, signal?: AbortSignal): Promise<number>;
}

export type { DeadLetter } from './dead-letters.ts';

const RETRYABLE_4XX = new Set([408, 429]);

class PermanentFailure extends Error {
  readonly status: number;
  constructor(status: number) {
    super(
      status >= 300 && status < 400
        ? `receiver answered ${status} (redirects are not followed)`
        : `receiver answered ${status}`,
    );
    this.status = status;
  }
}

const isLoopbackHost = (hostname: string) => {
  const h = hostname.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || (isIP(h) === 4 && h.startsWith('127.'));
};

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
    transcripts[f.name] = JSON.parse(f.text ?? (await readFile(f.path, 'utf8'))) as unknown;
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

/** The webhook URL, refused unless http(s), and plain http only to loopback or when allowed. */
function checkedUrl(raw: string, allowInsecure: boolean | undefined): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new GtError('CONFIG_INVALID', 'webhook URL is not a valid URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new GtError('CONFIG_INVALID', 'webhook URL must be http(s)');
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname) && !allowInsecure)
    throw new GtError(
      'CONFIG_INVALID',
      `webhook URL ${url.origin} is plain http: transcripts would cross the network unencrypted; use https, or --allow-insecure-webhook`,
    );
  return url;
}

function signerFor(secret: string): Webhook {
  try {
    return new Webhook(secret);
  } catch {
    throw new GtError(
      'CONFIG_INVALID',
      'webhook secret must be a Standard Webhooks secret (whsec_ + base64)',
    );
  }
}

/** A sink's fixed settings, resolved once. */
interface Endpoint {
  url: URL;
  /** The name identifies the endpoint without its query string, which may carry a token. */
  name: string;
  signer: Webhook;
  timeoutMs: number;
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** One signed POST; the receiver's status and Retry-After. */
async function attempt(
  e: Endpoint,
  deliveryId: string,
  payload: string,
  signal?: AbortSignal,
): Promise<{ status: number; retryAfter?: number }> {
  const now = new Date();
  const timeout = AbortSignal.timeout(e.timeoutMs);
  const res = await request(e.url, {
    method: 'POST',
    body: payload,
    headers: {
      'content-type': 'application/json',
      'webhook-id': deliveryId,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': e.signer.sign(deliveryId, now, payload),
    },
    signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    headersTimeout: e.timeoutMs,
    bodyTimeout: e.timeoutMs,
  });
  await res.body.dump();
  const ra = retryAfterMs(res.headers['retry-after']);
  return { status: res.statusCode, ...(ra !== undefined ? { retryAfter: ra } : {}) };
}

/** An attempt that can be retried: what went wrong, and the receiver's Retry-After if any. */
interface Retryable {
  last: string;
  lastStatus: number | null;
  wait?: number;
}

/** One attempt: the accepted status, a Retryable, or a throw (PermanentFailure, ABORTED). */
async function tryOnce(
  e: Endpoint,
  deliveryId: string,
  payload: string,
  signal?: AbortSignal,
): Promise<number | Retryable> {
  try {
    const { status, retryAfter } = await attempt(e, deliveryId, payload, signal);
    if (status >= 200 && status < 300) return status;
    if (status >= 300 && status < 400) throw new PermanentFailure(status);
    if (status >= 400 && status < 500 && !RETRYABLE_4XX.has(status)) throw new PermanentFailure(status);
    return {
      last: `receiver answered ${status}`,
      lastStatus: status,
      ...(retryAfter !== undefined ? { wait: retryAfter } : {}),
    };
  } catch (err) {
    if (err instanceof PermanentFailure) throw err;
    if (signal?.aborted) throw new GtError('ABORTED', 'webhook delivery aborted', { sink: e.name });
    const last =
      (err as Error).name === 'TimeoutError' || (err as { code?: string }).code?.startsWith('UND_ERR_')
        ? 'timeout or connection error'
        : 'network error';
    return { last, lastStatus: null };
  }
}

/** The wait before attempt n + 1. */
function retryDelay(e: Endpoint, n: number, wait: number | undefined): number {
  const backoff = Math.min(e.maxDelayMs, e.baseDelayMs * 2 ** (n - 1));
  // Jitter spreads retries of many workers; Retry-After (capped) wins when the receiver sets it.
  return wait !== undefined ? Math.min(wait, e.maxDelayMs) : backoff / 2 + Math.random() * (backoff / 2);
}

/** Sends with retries; resolves with the accepted status, else throws SINK_FAILED (or PermanentFailure, ABORTED). */
async function sendWithRetries(
  e: Endpoint,
  deliveryId: string,
  payload: string,
  signal?: AbortSignal,
): Promise<number> {
  let outcome: Retryable = { last: '', lastStatus: null };
  for (let n = 1; n <= e.maxAttempts; n += 1) {
    signal?.throwIfAborted();
    const r = await tryOnce(e, deliveryId, payload, signal);
    if (typeof r === 'number') return r;
    outcome = r;
    if (n === e.maxAttempts) break;
    await sleep(retryDelay(e, n, r.wait), undefined, signal ? { signal } : {}).catch(() => {
      throw new GtError('ABORTED', 'webhook delivery aborted', { sink: e.name });
    });
  }
  throw new GtError(
    'SINK_FAILED',
    `webhook delivery failed after ${e.maxAttempts} attempts: ${outcome.last}`,
    {
      sink: e.name,
      status: outcome.lastStatus,
      attempts: e.maxAttempts,
    },
  );
}

/** Sends through the circuit breaker, telling it how the receiver did. */
async function sendThroughBreaker(
  e: Endpoint,
  breaker: CircuitBreaker,
  deliveryId: string,
  payload: string,
  signal?: AbortSignal,
): Promise<void> {
  if (!breaker.allow())
    throw new GtError(
      'SINK_FAILED',
      `circuit open: the receiver failed repeatedly; next try in ${Math.ceil(breaker.retryInMs() / 1000)} s`,
      { sink: e.name, circuitOpen: true },
    );
  try {
    await sendWithRetries(e, deliveryId, payload, signal);
  } catch (err) {
    if (isGtAbort(err)) {
      breaker.release();
      throw err;
    }
    // A payload the receiver rejects (a 4xx) says nothing about the receiver being down.
    const rejected = err instanceof PermanentFailure && err.status >= 400;
    if (rejected) breaker.success();
    else breaker.failure();
    throw err;
  }
  breaker.success();
}

/** Writes the undelivered payload to the dead-letter folder; the SINK_FAILED error to throw. */
async function deadLetter(
  e: Endpoint,
  deadLetterDir: string,
  bundle: ConversationBundle,
  payload: string,
  err: unknown,
): Promise<GtError> {
  const permanent = err instanceof PermanentFailure;
  const circuitOpen = Boolean((err as GtError).details?.circuitOpen);
  const status = permanent
    ? err.status
    : (((err as GtError).details?.status as number | null | undefined) ?? null);
  const path = await writeDeadLetter(deadLetterDir, {
    deliveryId: bundle.deliveryId,
    conversationId: bundle.conversationId,
    sink: e.name,
    payload,
    failedAt: new Date().toISOString(),
    attempts: permanent ? 1 : circuitOpen ? 0 : e.maxAttempts,
    lastStatus: status,
    lastError: (err as Error).message,
  });
  return new GtError(
    'SINK_FAILED',
    `webhook delivery failed (${(err as Error).message}); dead-lettered for replay`,
    {
      sink: e.name,
      status,
      permanent,
      deadLetter: path,
      ...(circuitOpen ? { circuitOpen: true } : {}),
    },
  );
}

export function createWebhookSink(options: WebhookSinkOptions): WebhookSink {
  const url = checkedUrl(options.url, options.allowInsecure);
  const e: Endpoint = {
    url,
    name: `webhook:${url.origin}${url.pathname}`,
    signer: signerFor(options.secret),
    timeoutMs: options.timeoutMs ?? 10_000,
    maxAttempts: Math.max(1, options.maxAttempts ?? 6),
    baseDelayMs: options.baseDelayMs ?? 500,
    maxDelayMs: options.maxDelayMs ?? 30_000,
  };
  const maxInlineBytes = options.maxInlineBytes ?? 256 * 1024;
  const breaker = new CircuitBreaker(options.breaker);

  async function deliver(bundle: ConversationBundle, signal?: AbortSignal): Promise<DeliveryReceipt> {
    const payload = await buildPayload(bundle, maxInlineBytes);
    try {
      await sendThroughBreaker(e, breaker, bundle.deliveryId, payload, signal);
    } catch (err) {
      if (isGtAbort(err)) throw err;
      throw await deadLetter(e, options.deadLetterDir, bundle, payload, err);
    }
    // Delivered: an earlier failure's dead letter is settled.
    await removeDeadLetter(options.deadLetterDir, bundle.deliveryId);
    return {
      sink: e.name,
      deliveryId: bundle.deliveryId,
      location: e.name,
      deliveredAt: new Date().toISOString(),
    };
  }

  const send = (deliveryId: string, payload: string, signal?: AbortSignal) =>
    sendWithRetries(e, deliveryId, payload, signal);
  return { name: e.name, deadLetterDir: options.deadLetterDir, send, deliver, close: async () => {} };
}

function isGtAbort(err: unknown): boolean {
  return err instanceof GtError && err.code === 'ABORTED';
}

export interface ReplayResult {
  replayed: string[];
  failed: { deliveryId: string; reason: string }[];
  /** Letters meant for another sink (another URL): left alone. */
  otherSinks: number;
}

/**
 * Resends every dead letter of this sink (same webhook-id, same payload bytes, signed afresh); a
 * letter is deleted once the receiver accepts it. Letters that fail again stay for the next replay.
 */
export async function replayDeadLetters(
  sink: WebhookSink,
  signal?: AbortSignal,
  /** Resend the letters of every sink to this one (the receiver moved). */
  o: { allSinks?: boolean } = {},
): Promise<ReplayResult> {
  const replayed: string[] = [];
  const failed: { deliveryId: string; reason: string }[] = [];
  let otherSinks = 0;
  for (const { letter } of await listDeadLetters(sink.deadLetterDir)) {
    if (!o.allSinks && letter.sink !== undefined && letter.sink !== sink.name) {
      otherSinks += 1;
      continue;
    }
    try {
      await sink.send(letter.deliveryId, letter.payload, signal);
      await removeDeadLetter(sink.deadLetterDir, letter.deliveryId);
      replayed.push(letter.deliveryId);
    } catch (err) {
      if (isGtAbort(err)) throw err;
      failed.push({ deliveryId: letter.deliveryId, reason: (err as Error).message });
    }
  }
  return { replayed, failed, otherSinks };
}
