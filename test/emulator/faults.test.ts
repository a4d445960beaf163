// Fault injection as a raw client sees it: 5xx and 503 bodies, a socket reset mid-body, a body cut
// short of its Content-Length, a slow answer, an "expired" fresh signed URL; scripted faults take
// precedence and random ones are deterministic for a fault seed.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { test } from 'node:test';
import type { RunningEmulator } from '../../src/emulator/index.ts';
import { api, json, signedMediaUrl, start, token, voiceWith } from './helpers.ts';

const PATH = '/api/v2/analytics/conversations/details/jobs/availability';

/** A GET that reports how the response ended: complete, or how many body bytes came before the socket broke. */
function rawGet(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; length: number; received: number; error?: string }> {
  return new Promise((resolve) => {
    const out: { status: number; length: number; received: number; error?: string } = {
      status: 0,
      length: 0,
      received: 0,
    };
    const req = request(url, { headers, agent: false }, (res) => {
      out.status = res.statusCode!;
      out.length = Number(res.headers['content-length']);
      res.on('data', (c: Buffer) => (out.received += c.length));
      res.on('error', (e) => (out.error ??= (e as NodeJS.ErrnoException).code ?? e.message));
      res.on('close', () => resolve(out));
    });
    req.on('error', (e) => {
      out.error ??= (e as NodeJS.ErrnoException).code ?? e.message;
      if (out.status === 0) resolve(out);
    });
    req.end();
  });
}

async function setup(t: import('node:test').TestContext, options = {}) {
  const emu = await start(t, {
    conversations: 20,
    mediaMix: { voice: 1 },
    audioBytes: { min: 300_000, max: 300_000 },
    ...options,
  });
  const bearer = await token(emu);
  const cid = voiceWith(emu, 'AVAILABLE')[0]!;
  return { emu, bearer, cid };
}

test('scripted 5xx and 503 answer with ErrorBody (and Retry-After for 503), then the route recovers', async (t) => {
  const { emu, bearer } = await setup(t);
  emu.scriptFault({ route: 'analytics.jobs.availability', count: 1, fault: '5xx', status: 502 });
  emu.scriptFault({ route: 'analytics.jobs.availability', count: 1, fault: '503' });
  const r502 = await api(emu, bearer, PATH);
  assert.equal(r502.status, 502);
  assert.equal((await json(r502)).status, 502);
  const r503 = await api(emu, bearer, PATH);
  assert.equal(r503.status, 503);
  assert.equal(r503.headers.get('retry-after'), '1');
  assert.equal((await json(r503)).status, 503);
  assert.equal((await api(emu, bearer, PATH)).status, 200);
  assert.deepEqual(emu.stats().faultsInjected, { '5xx': 1, '503': 1 });
});

test('reset and truncate break a media body part-way; a JSON body too', async (t) => {
  const { emu, bearer, cid } = await setup(t);
  const url = await signedMediaUrl(emu, bearer, cid);
  emu.scriptFault({ route: 'signed.media', count: 1, fault: 'reset' });
  const reset = await rawGet(url);
  assert.equal(reset.status, 200, JSON.stringify(reset));
  assert.ok(reset.error, 'the reset is seen as an error');
  assert.ok(reset.received < reset.length, `${reset.received} of ${reset.length}`);

  emu.scriptFault({ route: 'signed.media', count: 1, fault: 'truncate' });
  const cut = await rawGet(url);
  assert.ok(cut.received < cut.length, `${cut.received} of ${cut.length}`);
  assert.ok(cut.error, 'a premature close is an error for a client that checks Content-Length');

  const whole = await rawGet(url);
  assert.equal(whole.received, 300_000);
  assert.equal(whole.error, undefined);

  emu.scriptFault({ route: 'analytics.jobs.availability', count: 1, fault: 'truncate' });
  const jsonCut = await rawGet(`${emu.baseUrl}${PATH}`, { authorization: `Bearer ${bearer}` });
  assert.ok(jsonCut.received < jsonCut.length);
  assert.deepEqual(emu.stats().faultsInjected, { reset: 1, truncate: 2 });
});

test('slow delays the answer by about two seconds; expire refuses a fresh signed URL', async (t) => {
  const { emu, bearer, cid } = await setup(t);
  const url = await signedMediaUrl(emu, bearer, cid);
  emu.scriptFault({ route: 'signed.media', count: 1, fault: 'slow' });
  const t0 = Date.now();
  const slow = await rawGet(url);
  assert.ok(Date.now() - t0 >= 1900, 'the slow fault holds the response back');
  assert.equal(slow.received, 300_000);

  emu.scriptFault({ route: 'signed.media', count: 1, fault: 'expire' });
  const expired = await fetch(url);
  assert.equal(expired.status, 403);
  assert.match(await expired.text(), /<Code>AccessDenied<\/Code><Message>Request has expired<\/Message>/);
  assert.equal((await fetch(url)).status, 200, 'the same URL works again once the scripted fault is spent');
});

async function faultSequence(emu: RunningEmulator, bearer: string, n: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) {
    const res = await api(emu, bearer, PATH);
    await res.arrayBuffer().catch(() => undefined);
    statuses.push(res.status);
  }
  return statuses;
}

test('random faults follow the rates and are the same for the same fault seed; never on the token endpoint', async (t) => {
  const spec = '5xx=0.2,503=0.2';
  const a = await start(t, { conversations: 5, faults: spec, faultSeed: 42, rateLimit: null });
  const b = await start(t, { conversations: 5, faults: spec, faultSeed: 42, rateLimit: null });
  const c = await start(t, { conversations: 5, faults: spec, faultSeed: 43, rateLimit: null });
  for (let i = 0; i < 20; i++) assert.ok(await token(a), 'tokens are never faulted at random');
  const sa = await faultSequence(a, await token(a), 60);
  const sb = await faultSequence(b, await token(b), 60);
  const sc = await faultSequence(c, await token(c), 60);
  assert.deepEqual(sa, sb);
  assert.notDeepEqual(sa, sc);
  const failed = sa.filter((s) => s >= 500).length;
  assert.ok(failed >= 10 && failed <= 40, `${failed} of 60 failed at a 40% rate`);
  const injected = a.stats().faultsInjected;
  assert.equal((injected['5xx'] ?? 0) + (injected['503'] ?? 0), failed);
});

test('a bad fault spec is refused', async () => {
  const { startEmulator } = await import('../../src/emulator/index.ts');
  await assert.rejects(startEmulator({ faults: 'boom=0.5' }), /bad fault spec/);
});
