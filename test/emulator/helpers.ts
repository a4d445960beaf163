// Raw-HTTP helpers for the emulator's own tests: they talk to it the way any client would (fetch),
// so what is asserted is the wire behaviour, not the emulator's internals.
import type { TestContext } from 'node:test';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator/index.ts';

/** The emulator's own tests use one pinned week, so their literal dates hold on any day. */
export const PINNED_INTERVAL = '2026-11-01T00:00:00.000Z/2026-11-08T00:00:00.000Z';

export async function start(t: TestContext, options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const emu = await startEmulator({ interval: PINNED_INTERVAL, ...options });
  t.after(() => emu.close());
  return emu;
}

export function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
}

export async function tokenResponse(
  emu: RunningEmulator,
  id = emu.clientId,
  secret = emu.clientSecret,
): Promise<Response> {
  return fetch(`${emu.loginUrl}/oauth/token`, {
    method: 'POST',
    headers: { authorization: basic(id, secret), 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
}

export async function token(emu: RunningEmulator, id?: string, secret?: string): Promise<string> {
  const res = await tokenResponse(emu, id, secret);
  if (res.status !== 200) throw new Error(`token: HTTP ${res.status}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** An authenticated API call; `body` is sent as JSON. */
export async function api(
  emu: RunningEmulator,
  bearer: string,
  path: string,
  init: { method?: string; body?: unknown; redirect?: 'manual' | 'follow' | 'error' } = {},
): Promise<Response> {
  return fetch(`${emu.baseUrl}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: {
      authorization: `Bearer ${bearer}`,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    redirect: init.redirect ?? 'manual',
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read loosely typed JSON and assert on it
export async function json<T = any>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Conversation ids whose single recording is voice in `state` (and transcoding as asked). */
export function voiceWith(
  emu: RunningEmulator,
  state: 'AVAILABLE' | 'ARCHIVED' | 'DELETED' | 'ERROR',
  transcoding = false,
): string[] {
  return emu.dataset.conversationIds().filter((id) => {
    const r = emu.dataset.recordings(id);
    return (
      r.length === 1 &&
      r[0]!.media === 'audio' &&
      r[0]!.fileState === state &&
      r[0]!.transcoding === transcoding
    );
  });
}

/** The signed URL of the first recording of `cid` in `formatId`, via recordings list → downloads. */
export async function signedMediaUrl(
  emu: RunningEmulator,
  bearer: string,
  cid: string,
  formatId = 'WAV',
): Promise<string> {
  const recs = await json(
    await api(emu, bearer, `/api/v2/conversations/${cid}/recordings?formatId=${formatId}`),
  );
  const link: string = recs[0].mediaUris.S.mediaUri;
  const res = await fetch(`${link}?issueRedirect=false`, { headers: { authorization: `Bearer ${bearer}` } });
  return ((await res.json()) as { url: string }).url;
}
