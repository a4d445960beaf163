// The API client against the emulator: token sharing, 401 recovery, a 429 storm, bad credentials,
// and no secret or token in anything we emit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGenesysClient, type GenesysClient } from '../../src/genesys/transport.ts';
import { InMemoryRateLimiter, type RateLimiter } from '../../src/genesys/rate-limiter.ts';
import { getConversationDetails } from '../../src/genesys/endpoints/analytics.ts';
import { getTranscriptUrl } from '../../src/genesys/endpoints/transcripts.ts';
import { listRecordings } from '../../src/genesys/endpoints/recordings.ts';
import { loadConfig } from '../../src/config/index.ts';
import { isGtError } from '../../src/errors.ts';
import { startTestEmulator } from '../helpers/emulator.ts';
import { Agent, type Dispatcher } from 'undici';

function tokensIssued(stats: { requests: Record<string, Record<string, number>> }): number {
  return stats.requests['oauth.token']?.['200'] ?? 0;
}

/** Everything the client tells the outside world, as text. */
function captureEvents(client: GenesysClient): string[] {
  const lines: string[] = [];
  for (const name of ['request', 'retry', 'rateLimited', 'tokenRefresh'] as const)
    client.events.on(name, (e: unknown) => lines.push(`${name} ${JSON.stringify(e)}`));
  return lines;
}

/** A dispatcher that records every bearer token the client sends, to prove none leaks. */
function tokenRecordingDispatcher(seen: Set<string>): Dispatcher {
  return new Agent().compose((dispatch) => (opts, handler) => {
    const h = opts.headers as Record<string, string> | undefined;
    const auth = h && !Array.isArray(h) ? (h.authorization ?? h.Authorization) : undefined;
    if (typeof auth === 'string' && auth.startsWith('Bearer ')) seen.add(auth.slice(7));
    return dispatch(opts, handler);
  });
}

test('50 concurrent requests on an expired token cause exactly one token request', async (t) => {
  const { emu, config } = await startTestEmulator(t, {
    conversations: 20,
    tokenTtlSeconds: 1,
    rateLimit: null,
  });
  const client = createGenesysClient(config);
  t.after(() => client.close());
  const ids = emu.dataset.conversationIds();
  await getConversationDetails(client, ids[0]!);
  assert.equal(tokensIssued(emu.stats()), 1);
  await new Promise((r) => setTimeout(r, 1100)); // the token is now expired
  const results = await Promise.all(
    Array.from({ length: 50 }, (_, i) => getConversationDetails(client, ids[i % ids.length]!)),
  );
  assert.ok(results.every((c) => c?.conversationId));
  assert.equal(tokensIssued(emu.stats()), 2);
  assert.equal(
    emu.stats().requests['analytics.details.get']?.['401'] ?? 0,
    0,
    'refreshed ahead, never sent the stale token',
  );
});

test('a 401 mid-run (revoked tokens) is recovered with one refresh', async (t) => {
  const { emu, config } = await startTestEmulator(t, { conversations: 30, rateLimit: null });
  const client = createGenesysClient(config);
  t.after(() => client.close());
  const ids = emu.dataset.conversationIds();
  const out: unknown[] = [];
  for (let i = 0; i < 10; i += 1) out.push(await getConversationDetails(client, ids[i]!));
  emu.revokeTokens();
  out.push(...(await Promise.all(ids.slice(10, 30).map((id) => getConversationDetails(client, id)))));
  assert.equal(out.filter(Boolean).length, 30);
  assert.equal(tokensIssued(emu.stats()), 2);
  assert.ok(
    (emu.stats().requests['analytics.details.get']?.['401'] ?? 0) >= 1,
    'the revocation was really hit',
  );
});

test('429 storm: every request completes, no request is rejected after a Retry-After was known', async (t) => {
  const { emu, config } = await startTestEmulator(t, {
    conversations: 40,
    rateLimit: { perWindow: 20, windowMs: 1000 },
  });
  // Starts from a generous default (300 per window) so the first burst really overruns the server.
  const inner = new InMemoryRateLimiter({ perWindow: 300, windowMs: 1000 });
  const sends: number[] = [];
  const limiter: RateLimiter = {
    acquire: (k, s, o) => inner.acquire(k, s, o).then(() => void sends.push(Date.now())),
    observe: (k, h) => inner.observe(k, h),
    pauseUntil: (k, e) => inner.pauseUntil(k, e),
  };
  const client = createGenesysClient(config, { limiter });
  t.after(() => client.close());
  const limited: { at: number; retryAfterMs: number }[] = [];
  const statusByAttempt: { status: number; attempt: number }[] = [];
  client.events.on('rateLimited', (e) => limited.push({ at: Date.now(), retryAfterMs: e.retryAfterMs }));
  client.events.on('request', (e) => statusByAttempt.push({ status: e.status, attempt: e.attempt }));
  const ids = emu.dataset.conversationIds();
  const results = await Promise.allSettled(
    Array.from({ length: 120 }, (_, i) => getConversationDetails(client, ids[i % ids.length]!)),
  );
  assert.equal(results.filter((r) => r.status === 'rejected').length, 0);
  const stats = emu.stats();
  assert.ok(stats.rateLimited > 0, 'the storm did hit the limit');
  assert.equal(limited.length, stats.rateLimited, 'every 429 the server sent was seen and honoured');
  // Only first attempts of the initial burst were rejected: no retry was sent before its Retry-After.
  assert.ok(statusByAttempt.filter((s) => s.status === 429).every((s) => s.attempt === 1));
  // Client side: after each 429, nothing went out until Retry-After had elapsed.
  for (const l of limited)
    assert.ok(
      !sends.some((s) => s > l.at && s < l.at + l.retryAfterMs),
      'a request left during a Retry-After pause',
    );
  assert.equal(stats.requests['analytics.details.get']?.['200'], 120);
  // Server side: once paced, no window held more than the budget.
  assert.ok(stats.perClient[emu.clientId]!.maxInWindow <= 20);
});

test('bad credentials: one AUTH_FAILED naming the Genesys error, never the secret', async (t) => {
  const { emu } = await startTestEmulator(t, { conversations: 5 });
  const wrong = `${emu.clientSecret}-wrong`;
  const client = createGenesysClient(
    loadConfig({
      flags: { apiUrl: emu.baseUrl, loginUrl: emu.loginUrl, clientId: emu.clientId },
      env: { GENESYSCLOUD_OAUTHCLIENT_SECRET: wrong },
    }),
  );
  t.after(() => client.close());
  await assert.rejects(getConversationDetails(client, emu.dataset.conversationIds()[0]!), (e) => {
    assert.ok(isGtError(e, 'AUTH_FAILED'));
    assert.equal(e.details.genesysCode, 'invalid_client');
    const text = `${e.message}\n${JSON.stringify(e.details)}\n${String(e.stack)}`;
    assert.ok(!text.includes(wrong) && !text.includes(emu.clientSecret));
    return true;
  });
  assert.equal(emu.stats().requests['oauth.token']?.['200'] ?? 0, 0);
});

test('no event, error or config print contains the secret or a token', async (t) => {
  const { emu, config } = await startTestEmulator(t, {
    conversations: 15,
    rateLimit: { perWindow: 10, windowMs: 1000 },
    tokenTtlSeconds: 2,
  });
  const tokens = new Set<string>();
  const dispatcher = tokenRecordingDispatcher(tokens);
  const client = createGenesysClient(config, {
    limiter: new InMemoryRateLimiter({ perWindow: 300, windowMs: 1000 }),
    dispatcher,
  });
  t.after(async () => (await client.close(), await dispatcher.close()));
  const lines = captureEvents(client);
  const ids = emu.dataset.conversationIds();
  emu.scriptFault({ route: 'analytics.details.get', count: 2, fault: '5xx', status: 502 });
  await Promise.all(ids.map((id) => getConversationDetails(client, id)));
  for (const id of ids.slice(0, 5)) {
    const recs = await listRecordings(client, id, { formatId: 'WAV', maxWaitMs: 0 });
    for (const r of recs.recordings) if (r.sessionId) await getTranscriptUrl(client, id, r.sessionId);
  }
  emu.revokeTokens();
  await getConversationDetails(client, ids[0]!);
  await getConversationDetails(client, 'ffffffff-0000-4000-8000-000000000000');
  await client
    .request({ method: 'GET', path: '/api/v2/no/such/route' })
    .catch((e: Error & { details?: unknown }) => lines.push(e.message, JSON.stringify(e.details)));
  lines.push(JSON.stringify(config), String(config));
  const text = lines.join('\n');
  assert.ok(lines.some((l) => l.startsWith('retry ')) && lines.some((l) => l.startsWith('tokenRefresh ')));
  assert.ok(!text.includes(emu.clientSecret), 'secret leaked');
  assert.ok(tokens.size >= 2, 'the run used a refreshed token too');
  for (const token of tokens) assert.ok(!text.includes(token), 'token leaked');
  assert.ok(!/Bearer /i.test(text));
});

test('scripted faults (reset, truncate, 5xx, 503, slow past the timeout) are all recovered', async (t) => {
  const { emu } = await startTestEmulator(t, { conversations: 10, rateLimit: null });
  const config = loadConfig({
    flags: {
      apiUrl: emu.baseUrl,
      loginUrl: emu.loginUrl,
      clientId: emu.clientId,
      requestTimeoutMs: 500,
      maxAttempts: 3,
    },
    env: { GENESYSCLOUD_OAUTHCLIENT_SECRET: emu.clientSecret },
  });
  const client = createGenesysClient(config, { backoff: { baseMs: 10, capMs: 50 } });
  t.after(() => client.close());
  const reasons: string[] = [];
  client.events.on('retry', (e) => reasons.push(e.reason));
  const id = emu.dataset.conversationIds()[0]!;
  for (const fault of ['reset', 'truncate', '5xx', '503', 'slow'] as const) {
    emu.scriptFault({ route: 'analytics.details.get', count: 1, fault });
    const c = await getConversationDetails(client, id);
    assert.equal(c?.conversationId, id, fault);
  }
  assert.equal(reasons.length, 5, reasons.join(','));
  assert.ok(reasons.includes('timeout') && reasons.includes('network'), reasons.join(','));
});
