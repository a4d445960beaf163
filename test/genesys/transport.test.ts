// Transport behaviour against a scripted local server: status classification, retries, the retry
// budget, 401 recovery, hostile bodies, ID validation and signed fetches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGenesysClient, type GenesysClient } from '../../src/genesys/transport.ts';
import { InMemoryRateLimiter } from '../../src/genesys/rate-limiter.ts';
import { getConversationDetails, getConversationsDetails } from '../../src/genesys/endpoints/analytics.ts';
import { getTranscriptUrl } from '../../src/genesys/endpoints/transcripts.ts';
import { listRecordings } from '../../src/genesys/endpoints/recordings.ts';
import { isGtError } from '../../src/errors.ts';
import { FAKE_SECRET, json, startFakeGenesys, type FakeGenesys } from '../helpers/fake-genesys.ts';

const CID = '0b6f7d8e-1111-4c2d-9a3b-123456789abc';
const fast = { backoff: { baseMs: 5, capMs: 20 } };

async function withFake(
  t: import('node:test').TestContext,
  handler: Parameters<typeof startFakeGenesys>[0],
  options = {},
) {
  const fake = await startFakeGenesys(handler);
  const client = createGenesysClient(fake.config(), { ...fast, ...options });
  t.after(async () => {
    await client.close();
    await fake.close();
  });
  return { fake, client };
}

function capture(client: GenesysClient) {
  const lines: string[] = [];
  for (const name of ['request', 'retry', 'rateLimited', 'tokenRefresh'] as const) {
    client.events.on(name, (e: unknown) => lines.push(`${name} ${JSON.stringify(e)}`));
  }
  return lines;
}

function assertNoSecrets(lines: string[], fake: FakeGenesys) {
  const text = lines.join('\n');
  assert.ok(!text.includes(FAKE_SECRET), 'secret leaked');
  for (let i = 1; i <= fake.tokensIssued; i += 1) assert.ok(!text.includes(`tok-${i}`), 'token leaked');
}

test('GET with bearer, JSON body, a query array as one comma-separated param (as the SDK sends it)', async (t) => {
  const { fake, client } = await withFake(t, (req, res) =>
    json(res, 200, {
      conversations: [{ conversationId: CID, conversationStart: '2026-11-01T00:00:00Z' }],
      url: req.url,
    }),
  );
  const found = await getConversationsDetails(client, [CID, 'abc']);
  assert.equal(found.length, 1);
  assert.equal(fake.seen[0]!.url, `/api/v2/analytics/conversations/details?id=${CID},abc`);
  assert.equal(fake.seen[0]!.authorization, 'Bearer tok-1');
});

test('5xx and resets are retried with backoff; success after', async (t) => {
  let n = 0;
  const { client } = await withFake(t, (_req, res) => {
    n += 1;
    if (n === 1) return json(res, 502, { message: 'bad gateway', code: 'x', contextId: 'ctx-1' });
    if (n === 2) return res.socket?.destroy();
    if (n === 3) return json(res, 504, {});
    json(res, 200, { conversationId: CID });
  });
  const lines = capture(client);
  const c = await getConversationDetails(client, CID);
  assert.equal(c?.conversationId, CID);
  assert.equal(n, 4);
  const reasons = lines.filter((l) => l.startsWith('retry ')).map((l) => JSON.parse(l.slice(6)).reason);
  assert.deepEqual(reasons, ['server-error', 'network', 'server-error']);
});

test('attempts are capped: HTTP_ERROR with status, contextId and Genesys code', async (t) => {
  const { client, fake } = await withFake(t, (_req, res) =>
    json(res, 500, { message: 'boom', code: 'internal.server.error', contextId: 'ctx-9' }),
  );
  await assert.rejects(getConversationDetails(client, CID), (e) => {
    assert.ok(isGtError(e, 'HTTP_ERROR'));
    assert.equal(e.details.status, 500);
    assert.equal(e.details.contextId, 'ctx-9');
    assert.equal(e.details.genesysCode, 'internal.server.error');
    assert.equal(e.details.method, 'GET');
    return true;
  });
  assert.equal(fake.seen.length, 4); // config default maxAttempts
});

test('the retry token bucket stops a retry stampede', async (t) => {
  const { client, fake } = await withFake(t, (_req, res) => json(res, 503, {}), {
    retryBucket: { capacity: 10, retryCost: 5 },
  });
  const results = await Promise.allSettled(
    Array.from({ length: 6 }, () => getConversationDetails(client, CID)),
  );
  const codes = results.map((r) => (r.status === 'rejected' && isGtError(r.reason) ? r.reason.code : 'ok'));
  // 10 tokens pay for exactly 2 retries in total, whatever the concurrency.
  assert.equal(fake.seen.length, 6 + 2);
  assert.ok(codes.includes('RETRY_BUDGET_EXHAUSTED'));
});

test('429 with Retry-After pauses the client exactly that long, costs no retry tokens', async (t) => {
  let n = 0;
  const { client, fake } = await withFake(
    t,
    (_req, res) => {
      n += 1;
      if (n === 1)
        return json(res, 429, { code: 'too.many.requests.retry.after', status: 429 }, { 'retry-after': '1' });
      json(res, 200, { conversationId: CID });
    },
    { retryBucket: { capacity: 0 } },
  );
  const lines = capture(client);
  await getConversationDetails(client, CID);
  const [first, second] = fake.seen;
  assert.ok(second!.at - first!.at >= 1000, `retried after ${second!.at - first!.at} ms`);
  assert.ok(lines.some((l) => l.startsWith('rateLimited ') && JSON.parse(l.slice(12)).retryAfterMs === 1000));
});

test('401 with a revoked token: one refresh, one retry; a second 401 is AUTH_FAILED', async (t) => {
  let revoked = true;
  const { client, fake } = await withFake(t, (req, res) => {
    if (req.headers.authorization === 'Bearer tok-1' && revoked)
      return json(res, 401, { message: 'Invalid login credentials.', code: 'bad.credentials', status: 401 });
    json(res, 200, { conversationId: CID });
  });
  await Promise.all(Array.from({ length: 10 }, () => getConversationDetails(client, CID)));
  assert.equal(fake.tokensIssued, 2, 'a burst of 401s on the same token causes one refresh');
  revoked = false;
  fake.setHandler((_req, res) => json(res, 401, { code: 'bad.credentials', status: 401 }));
  await assert.rejects(
    getConversationDetails(client, CID),
    (e) => isGtError(e, 'AUTH_FAILED') && e.details.genesysCode === 'bad.credentials',
  );
});

test('hostile responses: wrong content-type, non-JSON, wrong shape, oversized → INVALID_RESPONSE', async (t) => {
  const fake = await startFakeGenesys((_req, res) => json(res, 200, {}));
  const client = createGenesysClient(fake.config(), { ...fast, maxBodyBytes: 10_000 });
  t.after(async () => {
    await client.close();
    await fake.close();
  });
  const cases: [string, (res: import('node:http').ServerResponse) => void][] = [
    ['html', (res) => (res.writeHead(200, { 'content-type': 'text/html' }), res.end('<html>login</html>'))],
    [
      'not json',
      (res) => (res.writeHead(200, { 'content-type': 'application/json' }), res.end('{"conversationId": ')),
    ],
    ['wrong type', (res) => json(res, 200, { conversationId: 42 })],
    ['huge', (res) => json(res, 200, { conversationId: CID, pad: 'x'.repeat(50_000) })],
  ];
  for (const [name, h] of cases) {
    fake.setHandler((_req, res) => h(res));
    await assert.rejects(getConversationDetails(client, CID), (e) => isGtError(e, 'INVALID_RESPONSE'), name);
  }
});

test('404 is NOT_FOUND for the transport and undefined/empty for lookups', async (t) => {
  const { client } = await withFake(t, (_req, res) => json(res, 404, { code: 'not.found', status: 404 }));
  assert.equal(await getConversationDetails(client, CID), undefined);
  assert.equal(await getTranscriptUrl(client, CID, CID), undefined);
  await assert.rejects(
    client.request({ method: 'GET', path: '/api/v2/x' }),
    (e) => isGtError(e, 'NOT_FOUND') && e.details.status === 404,
  );
});

test('202 from recordings is an answer, not an error', async (t) => {
  const { client } = await withFake(t, (_req, res) => {
    res.writeHead(202);
    res.end();
  });
  assert.deepEqual(await listRecordings(client, CID, { formatId: 'WAV', maxWaitMs: 0 }), {
    status: 202,
    recordings: [],
  });
});

test('IDs are validated before any request', async (t) => {
  const { client, fake } = await withFake(t, (_req, res) => json(res, 200, {}));
  for (const bad of ['../../users/me', 'a/b', 'x?y=1', '', 'a'.repeat(65), 'é']) {
    await assert.rejects(getConversationDetails(client, bad), (e) => isGtError(e, 'USAGE'), bad);
  }
  assert.equal(fake.seen.length, 0);
});

test('fetchSigned sends no Authorization and is not rate limited', async (t) => {
  const limiter = new InMemoryRateLimiter({ perWindow: 1, windowMs: 60_000 });
  const { client, fake } = await withFake(t, (_req, res) => json(res, 200, { ok: true }), { limiter });
  await getConversationDetails(client, CID).catch(() => undefined); // spends the one API slot (and gets a token)
  for (let i = 0; i < 3; i += 1) {
    const res = await client.fetchSigned(`${fake.baseUrl}/signed/transcript.json?X-Amz-Signature=abc`);
    assert.equal(res.statusCode, 200);
    assert.deepEqual(await res.body.json(), { ok: true });
  }
  const signed = fake.seen.filter((s) => s.url.startsWith('/signed/'));
  assert.equal(signed.length, 3);
  assert.ok(signed.every((s) => s.authorization === undefined));
  await assert.rejects(
    client.fetchSigned(`${fake.baseUrl}/x`, { headers: { Authorization: 'Bearer x' } }),
    (e) => isGtError(e, 'USAGE'),
  );
});

test('bad credentials: AUTH_FAILED with the Genesys code, never the secret', async (t) => {
  const fake = await startFakeGenesys((_req, res) => json(res, 200, {}));
  t.after(() => fake.close());
  const { loadConfig } = await import('../../src/config/index.ts');
  const wrong = 'wrong-secret-77';
  const client = createGenesysClient(
    loadConfig({
      flags: { apiUrl: fake.baseUrl, loginUrl: fake.baseUrl, clientId: 'client-1' },
      env: { GENESYSCLOUD_OAUTHCLIENT_SECRET: wrong },
    }),
  );
  t.after(() => client.close());
  await assert.rejects(getConversationDetails(client, CID), (e) => {
    assert.ok(isGtError(e, 'AUTH_FAILED'));
    assert.equal(e.details.genesysCode, 'invalid_client');
    const text = `${e.message} ${JSON.stringify(e.details)}`;
    assert.ok(!text.includes(wrong));
    assert.match(e.message, /client-1/);
    return true;
  });
  assert.equal(fake.seen.length, 0, 'no API request without a token');
});

test('events never carry the token or the secret', async (t) => {
  let n = 0;
  const { client, fake } = await withFake(t, (_req, res) =>
    ++n % 3 === 0 ? json(res, 500, {}) : json(res, 200, { conversationId: CID }),
  );
  const lines = capture(client);
  for (let i = 0; i < 6; i += 1) await getConversationDetails(client, CID);
  assert.ok(lines.some((l) => l.startsWith('tokenRefresh')));
  assert.ok(lines.filter((l) => l.startsWith('request')).length >= 6);
  assertNoSecrets(lines, fake);
});

test('a 400 names the Genesys code and message and is not retried', async (t) => {
  const { client, fake } = await withFake(t, (_req, res) =>
    json(res, 400, {
      message: 'interval exceeds 7 days',
      code: 'bad.request',
      status: 400,
      contextId: 'ctx-4',
    }),
  );
  await assert.rejects(
    client.request({
      method: 'POST',
      path: '/api/v2/analytics/conversations/details/query',
      body: {},
      idempotent: true,
    }),
    (e) => {
      assert.ok(isGtError(e, 'HTTP_ERROR'));
      assert.match(e.message, /HTTP 400 bad\.request: interval exceeds 7 days/);
      assert.equal(e.details.contextId, 'ctx-4');
      return true;
    },
  );
  assert.equal(fake.seen.length, 1);
});
