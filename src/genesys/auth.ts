// OAuth client-credentials tokens: one cached token per client, refreshed a little before it
// expires, with exactly one token request in flight however many API requests are waiting.
// A 401 from the API invalidates the token it was sent with (and only that one), so a burst of
// 401s with the same stale token still causes a single refresh.
import { request, type Dispatcher } from 'undici';
import { z } from 'zod';
import { GtError } from '../errors.ts';
import { fullJitterDelay } from './retry.ts';

export interface TokenManagerOptions {
  loginUrl: string;
  clientId: string;
  clientSecret: () => string;
  dispatcher: Dispatcher;
  timeoutMs: number;
  onRefresh?: (e: { expiresInSeconds: number; durationMs: number }) => void;
  now?: () => number;
  /** Attempts for transient token failures (5xx, network). Bad credentials are never retried. */
  maxAttempts?: number;
}

const tokenSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.number().positive(),
});

/** An OAuth token answer is a few hundred bytes; anything past this is not one (an endless body). */
export const MAX_TOKEN_BODY_BYTES = 64 * 1024;

/** The body up to `cap` bytes and within `deadline` (epoch ms); TOO_LARGE / TIMEOUT past either. */
async function readTokenBody(body: Dispatcher.ResponseData['body'], cap: number, deadline: number) {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).byteLength;
    if (size > cap || Date.now() > deadline) {
      body.destroy();
      throw size > cap
        ? new GtError('TOO_LARGE', `token response larger than ${cap} bytes`, { route: 'oauth.token', cap })
        : new GtError('TIMEOUT', 'token response body too slow', { route: 'oauth.token' });
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const tokenErrorSchema = z.object({
  error: z.string().optional(),
  error_description: z.string().optional(),
  code: z.string().optional(),
});

interface CachedToken {
  value: string;
  /** Epoch ms after which we refresh (expiry minus the skew margin). */
  refreshAt: number;
}

export class TokenManager {
  private cached: CachedToken | undefined;
  private inFlight: Promise<string> | undefined;
  private readonly o: TokenManagerOptions;
  private readonly now: () => number;

  constructor(options: TokenManagerOptions) {
    this.o = options;
    this.now = options.now ?? Date.now;
  }

  /** A valid access token, fetching one if there is none or it is about to expire. */
  async getToken(): Promise<string> {
    const c = this.cached;
    if (c && this.now() < c.refreshAt) return c.value;
    this.inFlight ??= this.fetchToken().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** The API rejected `token` (401): forget it, unless a newer one already replaced it. */
  invalidate(token: string): void {
    if (this.cached?.value === token) this.cached = undefined;
  }

  private async fetchToken(): Promise<string> {
    const maxAttempts = this.o.maxAttempts ?? 3;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.fetchOnce();
      } catch (err) {
        const transient =
          err instanceof GtError &&
          (err.code === 'NETWORK' || err.code === 'TIMEOUT' || err.details.transient === true);
        if (!transient || attempt >= maxAttempts) throw err;
        await new Promise((r) => setTimeout(r, fullJitterDelay(attempt)));
      }
    }
  }

  private async fetchOnce(): Promise<string> {
    const started = this.now();
    const basic = Buffer.from(`${this.o.clientId}:${this.o.clientSecret()}`).toString('base64');
    let res: Dispatcher.ResponseData;
    try {
      res = await request(`${this.o.loginUrl}/oauth/token`, {
        method: 'POST',
        dispatcher: this.o.dispatcher,
        headers: {
          authorization: `Basic ${basic}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: 'grant_type=client_credentials',
        headersTimeout: this.o.timeoutMs,
        bodyTimeout: this.o.timeoutMs,
      });
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'error';
      const timeout = code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT';
      throw new GtError(
        timeout ? 'TIMEOUT' : 'NETWORK',
        `token request to ${this.o.loginUrl} failed (${code})`,
        { route: 'oauth.token', cause: code },
      );
    }
    let json: unknown;
    let text: string;
    try {
      // Capped in size and in time: a trickling body would dodge the idle body timeout.
      text = await readTokenBody(res.body, MAX_TOKEN_BODY_BYTES, Date.now() + 2 * this.o.timeoutMs);
    } catch (err) {
      if (err instanceof GtError) throw err;
      const code = (err as { code?: string }).code ?? 'error';
      throw new GtError('NETWORK', `token response from ${this.o.loginUrl} broke off (${code})`, {
        route: 'oauth.token',
        cause: code,
      });
    }
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (res.statusCode >= 200 && res.statusCode < 300) {
      const ok = tokenSchema.safeParse(json);
      if (!ok.success)
        // Transient: a garbled answer from an intermediary is worth another try or two.
        throw new GtError('INVALID_RESPONSE', 'token response is not an OAuth token', {
          status: res.statusCode,
          route: 'oauth.token',
          transient: true,
        });
      const ttlMs = ok.data.expires_in * 1000;
      // Refresh ahead of expiry so a request never leaves with a token that dies in flight.
      const skewMs = Math.min(60_000, ttlMs * 0.1);
      const issued = this.now();
      this.cached = { value: ok.data.access_token, refreshAt: issued + ttlMs - skewMs };
      this.o.onRefresh?.({ expiresInSeconds: ok.data.expires_in, durationMs: issued - started });
      return ok.data.access_token;
    }
    const e = tokenErrorSchema.safeParse(json);
    const genesysCode = e.success ? (e.data.error ?? e.data.code) : undefined;
    const description = e.success ? e.data.error_description : undefined;
    if (res.statusCode === 429 || res.statusCode >= 500) {
      throw new GtError('HTTP_ERROR', `token request failed with HTTP ${res.statusCode}`, {
        status: res.statusCode,
        route: 'oauth.token',
        transient: true,
      });
    }
    // invalid_client and friends: the message names the client and Genesys' reason, never the secret.
    throw new GtError(
      'AUTH_FAILED',
      `authentication failed for OAuth client ${this.o.clientId}: ${genesysCode ?? `HTTP ${res.statusCode}`}${description ? ` (${description})` : ''}`,
      { status: res.statusCode, genesysCode, route: 'oauth.token' },
    );
  }
}
