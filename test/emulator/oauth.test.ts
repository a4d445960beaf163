// OAuth client credentials and bearer checks: the token endpoint's exact error bodies, token
// expiry, revocation, and the Genesys 401 ErrorBody on API routes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { api, json, sleep, start, token, tokenResponse } from './helpers.ts';

test('a good client gets a bearer token that opens API routes', async (t) => {
  const emu = await start(t, { conversations: 5, tokenTtlSeconds: 3600 });
  const res = await tokenResponse(emu);
  assert.equal(res.status, 200);
  const body = await json(res);
  assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'token_type']);
  assert.equal(body.token_type, 'bearer');
  assert.equal(body.expires_in, 3600);
  const me = await api(emu, body.access_token, '/api/v2/tokens/me', { method: 'HEAD' });
  assert.equal(me.status, 200);
  assert.ok(me.headers.get('inin-correlation-id'));
  const info = await json(await api(emu, body.access_token, '/api/v2/tokens/me'));
  assert.equal(info.OAuthClient.id, emu.clientId);
  assert.equal(emu.stats().tokensIssued, 1);
});

test('unknown client and wrong secret get the real invalid_client bodies', async (t) => {
  const emu = await start(t, { conversations: 5 });
  const unknown = await tokenResponse(emu, 'no-such-client', emu.clientSecret);
  assert.equal(unknown.status, 400);
  assert.deepEqual(await json(unknown), {
    error: 'invalid_client',
    description: 'client not found',
    error_description: 'client not found',
  });
  const wrong = await tokenResponse(emu, emu.clientId, `${emu.clientSecret}x`);
  assert.equal(wrong.status, 400);
  assert.deepEqual(await json(wrong), {
    error: 'invalid_client',
    description: 'authentication failed',
    error_description: 'authentication failed',
  });
  const noBasic = await fetch(`${emu.loginUrl}/oauth/token`, {
    method: 'POST',
    body: 'grant_type=client_credentials',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  assert.equal(noBasic.status, 400);
  assert.equal(emu.stats().tokensIssued, 0);
});

test('several configured clients each authenticate with their own secret', async (t) => {
  const clients = [
    { clientId: 'client-a', clientSecret: 'secret-a' },
    { clientId: 'client-b', clientSecret: 'secret-b' },
  ];
  const emu = await start(t, { conversations: 5, clients });
  assert.equal(emu.clientId, 'client-a');
  assert.ok(await token(emu, 'client-b', 'secret-b'));
  assert.equal((await tokenResponse(emu, 'client-b', 'secret-a')).status, 400);
});

test('a missing, expired or revoked token gets a Genesys 401 ErrorBody', async (t) => {
  const emu = await start(t, { conversations: 5, tokenTtlSeconds: 1 });
  const check401 = async (bearer: string) => {
    const res = await api(emu, bearer, '/api/v2/analytics/conversations/details/jobs/availability');
    assert.equal(res.status, 401);
    const body = await json(res);
    assert.equal(body.code, 'bad.credentials');
    assert.equal(body.status, 401);
    assert.equal(typeof body.message, 'string');
    assert.equal(typeof body.contextId, 'string');
    assert.deepEqual(body.details, []);
    assert.deepEqual(body.errors, []);
  };
  await check401('not-a-token');
  const short = await token(emu);
  assert.equal(
    (await api(emu, short, '/api/v2/analytics/conversations/details/jobs/availability')).status,
    200,
  );
  await sleep(1100);
  await check401(short);

  const fresh = await token(emu);
  assert.equal((await api(emu, fresh, '/api/v2/tokens/me', { method: 'HEAD' })).status, 200);
  emu.revokeTokens();
  await check401(fresh);
  assert.ok(await token(emu), 'a new token works after revocation');
  assert.equal(emu.stats().requests['analytics.jobs.availability']?.['401'], 3);
});
