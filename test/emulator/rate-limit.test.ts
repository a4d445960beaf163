// Per-client rate limiting with Genesys's headers: counts that add up, a 429 with a truthful
// Retry-After, signed downloads outside the budget, and the stats the budget tests rely on.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { api, json, signedMediaUrl, sleep, start, token, voiceWith } from './helpers.ts';

const PATH = '/api/v2/analytics/conversations/details/jobs/availability';

test('every API response carries consistent inin-ratelimit headers; over budget is a 429 with Retry-After', async (t) => {
  const emu = await start(t, { conversations: 5, rateLimit: { perWindow: 4, windowMs: 1500 } });
  const bearer = await token(emu);
  for (let i = 1; i <= 4; i++) {
    const res = await api(emu, bearer, PATH);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('inin-ratelimit-count'), String(i));
    assert.equal(res.headers.get('inin-ratelimit-allowed'), '4');
    const reset = Number(res.headers.get('inin-ratelimit-reset'));
    assert.ok(reset >= 1 && reset <= 2, `reset ${reset}`);
    assert.match(res.headers.get('inin-correlation-id') ?? '', /^[0-9a-f-]{36}$/);
  }
  const limited = await api(emu, bearer, PATH);
  assert.equal(limited.status, 429);
  const retryAfter = Number(limited.headers.get('retry-after'));
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 2, `Retry-After ${retryAfter}`);
  const body = await json(limited);
  assert.equal(body.code, 'too.many.requests.retry.after');
  assert.equal(body.status, 429);
  assert.equal(body.message, `Rate limit exceeded the maximum. Retry the request in [${retryAfter}] seconds`);
  assert.deepEqual(body.details, []);

  await sleep(retryAfter * 1000);
  const after = await api(emu, bearer, PATH);
  assert.equal(after.status, 200, 'a request sent once Retry-After has elapsed is accepted');
  assert.equal(after.headers.get('inin-ratelimit-count'), '1');

  const s = emu.stats();
  assert.equal(s.rateLimited, 1);
  assert.deepEqual(s.perClient[emu.clientId], { requests: 6, rateLimited: 1, maxInWindow: 4 });
  assert.equal(s.apiRequestTimes[emu.clientId]!.length, 6);
  assert.deepEqual(s.requests['analytics.jobs.availability'], { '200': 5, '429': 1 });
});

test('budgets are per OAuth client, and signed downloads are not rate limited', async (t) => {
  const clients = [
    { clientId: 'a', clientSecret: 'sa' },
    { clientId: 'b', clientSecret: 'sb' },
  ];
  const emu = await start(t, {
    conversations: 20,
    clients,
    mediaMix: { voice: 1 },
    rateLimit: { perWindow: 3, windowMs: 60_000 },
  });
  const a = await token(emu, 'a', 'sa');
  const b = await token(emu, 'b', 'sb');
  const cid = voiceWith(emu, 'AVAILABLE')[0]!;
  const url = await signedMediaUrl(emu, a, cid); // 2 API calls for client a
  assert.equal((await api(emu, a, PATH)).status, 200);
  assert.equal((await api(emu, a, PATH)).status, 429);
  assert.equal((await api(emu, b, PATH)).status, 200, 'client b has its own budget');
  for (let i = 0; i < 5; i++) assert.equal((await fetch(url)).status, 200);
  assert.equal(emu.stats().perClient.a!.rateLimited, 1);
});

test('rateLimit: null turns limiting off (no 429, no budget headers needed)', async (t) => {
  const emu = await start(t, { conversations: 5, rateLimit: null });
  const bearer = await token(emu);
  for (let i = 0; i < 30; i++) assert.equal((await api(emu, bearer, PATH)).status, 200);
  assert.equal(emu.stats().rateLimited, 0);
});
