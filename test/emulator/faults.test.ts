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

// ---- hostile responses (server/tamper.ts) ----

const DETAILS_QUERY = '/api/v2/analytics/conversations/details/query';

/** The hostile characters the control-chars fault inserts (and nothing else it adds). */
const INSERTED = new RegExp(
  // eslint-disable-next-line no-control-regex -- the point is to find control characters
  '[\\u0000\\u0007\\u0008\\u001b\\r\\u000b\\u000c\\u007f\\u0085\\u009b\\u202e\\u202d\\u2066\\u2069\\u200b\\ufeff\\u2028]',
  'g',
);

async function transcriptUrlOf(emu: RunningEmulator, bearer: string, cid: string): Promise<string> {
  const session = emu.dataset.recordings(cid)[0]!.sessionId!;
  const res = await api(
    emu,
    bearer,
    `/api/v2/speechandtextanalytics/conversations/${cid}/communications/${session}/transcripturl`,
  );
  return ((await json(res)) as { url: string }).url;
}

function transcribed(emu: RunningEmulator): string {
  return voiceWith(emu, 'AVAILABLE').find(
    (id) => emu.dataset.transcript(id, emu.dataset.recordings(id)[0]!.sessionId!) !== undefined,
  )!;
}

test('malformed: a 200 with honest framing and a JSON body no parser accepts, in four forms', async (t) => {
  const { emu, bearer } = await setup(t);
  emu.scriptFault({ route: 'analytics.jobs.availability', count: 4, fault: 'malformed' });
  for (let i = 0; i < 4; i++) {
    const res = await api(emu, bearer, PATH);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    const text = await res.text();
    assert.equal(Buffer.byteLength(text), Number(res.headers.get('content-length')), 'framing is honest');
    assert.throws(() => JSON.parse(text), SyntaxError, `variant ${i}: ${text}`);
  }
  const good = await api(emu, bearer, PATH);
  assert.ok((await json(good)).dataAvailabilityDate, 'the route recovers');
  assert.deepEqual(emu.stats().faultsInjected, { malformed: 4 });
});

test('huge: a valid JSON body of hugeBodyBytes padding; a client that gives up early does no harm', async (t) => {
  const { emu, bearer } = await setup(t, { hugeBodyBytes: 3 * 1024 * 1024 });
  const cid = emu.dataset.conversationIds()[0]!;
  emu.scriptFault({ route: 'analytics.details.get', count: 2, fault: 'huge' });
  const whole = await api(emu, bearer, `/api/v2/analytics/conversations/${cid}/details`);
  assert.equal(whole.status, 200);
  const length = Number(whole.headers.get('content-length'));
  assert.ok(length > 3 * 1024 * 1024, `${length} bytes announced`);
  const body = (await json(whole)) as { padding: string };
  assert.equal(body.padding.length, 3 * 1024 * 1024);
  // Read the start of the second one, then hang up, as a client with a body cap would.
  const gotSome = await new Promise<number>((resolve, reject) => {
    const req = request(
      `${emu.baseUrl}/api/v2/analytics/conversations/${cid}/details`,
      { headers: { authorization: `Bearer ${bearer}` }, agent: false },
      (res) => {
        res.once('data', (c: Buffer) => {
          req.destroy();
          resolve(c.length);
        });
      },
    );
    req.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(e)));
    req.end();
  });
  assert.ok(gotSome > 0);
  const after = await api(emu, bearer, `/api/v2/analytics/conversations/${cid}/details`);
  assert.equal((await json(after)).conversationId, cid, 'the server still answers normally');
  assert.equal(emu.stats().faultsInjected.huge, 2);
});

test('content-type: an HTML page with text/html, on an API route and instead of audio', async (t) => {
  const { emu, bearer, cid } = await setup(t);
  emu.scriptFault({ route: 'recordings.list', count: 1, fault: 'content-type' });
  const list = await api(emu, bearer, `/api/v2/conversations/${cid}/recordings?formatId=WAV`);
  assert.equal(list.status, 200);
  assert.match(list.headers.get('content-type') ?? '', /^text\/html/);
  assert.match(await list.text(), /<html>.*Access denied/s);

  const url = await signedMediaUrl(emu, bearer, cid);
  emu.scriptFault({ route: 'signed.media', count: 1, fault: 'content-type' });
  const media = await fetch(url, { headers: { range: 'bytes=0-99' } });
  assert.equal(media.status, 200, 'a proxy page ignores Range');
  assert.match(media.headers.get('content-type') ?? '', /^text\/html/);
  assert.match(await media.text(), /Access denied/);
  const audio = await fetch(url);
  assert.equal(audio.headers.get('content-type'), 'audio/wav');
  assert.equal((await audio.arrayBuffer()).byteLength, 300_000);
  assert.deepEqual(emu.stats().faultsInjected, { 'content-type': 2 });
});

test('hostile-id: conversation, session, recording and transcript IDs become paths; the oracle keeps the real ones', async (t) => {
  const { emu, bearer, cid } = await setup(t, { conversations: 60 });
  const body = { interval: emu.interval, paging: { pageSize: 5, pageNumber: 1 } };
  const clean = await json(await api(emu, bearer, DETAILS_QUERY, { body }));
  emu.scriptFault({ route: 'analytics.details.query', count: 1, fault: 'hostile-id', variant: 0 });
  const byId = await json(await api(emu, bearer, DETAILS_QUERY, { body }));
  const first = clean.conversations[0].conversationId as string;
  assert.equal(
    byId.conversations[0].conversationId,
    `../../../../tmp/gt-escape-${first.replace(/-/g, '').slice(0, 8)}`,
  );
  assert.deepEqual(byId.conversations.slice(1), clean.conversations.slice(1), 'one conversation only');

  emu.scriptFault({ route: 'analytics.details.query', count: 1, fault: 'hostile-id', variant: 3 });
  const bySession = await json(await api(emu, bearer, DETAILS_QUERY, { body }));
  const customer = (c: { participants: { purpose: string; sessions: { sessionId: string }[] }[] }) =>
    c.participants.find((p) => p.purpose === 'customer' || p.purpose === 'external')!.sessions[0]!.sessionId;
  assert.equal(bySession.conversations[0].conversationId, clean.conversations[0].conversationId);
  assert.match(customer(bySession.conversations[0]), /\.\.\\/, 'variant 3: the session ID, Windows style');

  emu.scriptFault({ route: 'recordings.list', count: 1, fault: 'hostile-id', variant: 2 });
  const recs = await json(await api(emu, bearer, `/api/v2/conversations/${cid}/recordings?formatId=WAV`));
  assert.match(recs[0].id, /^\/etc\/gt-escape-/);
  assert.ok(recs[0].mediaUris.S.mediaUri, 'the rest of the recording is intact');

  const tid = transcribed(emu);
  const url = await transcriptUrlOf(emu, bearer, tid);
  emu.scriptFault({ route: 'signed.transcript', count: 1, fault: 'hostile-id', variant: 5 });
  const transcript = await json(await fetch(url));
  assert.ok(transcript.conversationId.includes('\u0000'), 'variant 5: a NUL');
  assert.equal(
    emu.dataset.conversation(clean.conversations[0].conversationId)?.conversationId,
    clean.conversations[0].conversationId,
  );
  assert.equal(emu.stats().faultsInjected['hostile-id'], 4);
});

test('control-chars: controls, bidi overrides and zero-width characters in transcript text, nothing else changed', async (t) => {
  const { emu, bearer } = await setup(t, { conversations: 60, mediaMix: { voice: 0.7, chat: 0.3 } });
  const tid = transcribed(emu);
  const url = await transcriptUrlOf(emu, bearer, tid);
  const clean = await json(await fetch(url));
  emu.scriptFault({ route: 'signed.transcript', count: 1, fault: 'control-chars' });
  const dirty = await json(await fetch(url));
  const phrases = (x: { transcripts: { phrases: { text: string; words: { word: string }[] }[] }[] }) =>
    x.transcripts[0]!.phrases;
  const a = phrases(clean);
  const b = phrases(dirty);
  assert.equal(b.length, a.length);
  let controls = 0;
  for (let i = 0; i < a.length; i++) {
    controls += (b[i]!.text.match(INSERTED) ?? []).length;
    assert.equal(
      b[i]!.text.replace(INSERTED, ''),
      a[i]!.text,
      'removing the inserted characters restores the text',
    );
    assert.deepEqual(
      b[i]!.words.map((w) => w.word.replace(INSERTED, '')),
      a[i]!.words.map((w) => w.word),
    );
  }
  assert.ok(controls > a.length, `${controls} characters inserted`);
  assert.match(JSON.stringify(dirty), /\\u202e|\u202e/, 'a bidi override is among them');

  // Digital transcripts ride inside the recording: chat bodies get the same treatment.
  const chat = emu.dataset
    .conversationIds()
    .find(
      (id) =>
        emu.dataset.recordings(id)[0]?.media === 'chat' &&
        emu.dataset.recordings(id)[0]?.fileState === 'AVAILABLE',
    );
  assert.ok(chat, 'the dataset has an available chat');
  {
    emu.scriptFault({ route: 'recordings.list', count: 1, fault: 'control-chars' });
    const recs = await json(await api(emu, bearer, `/api/v2/conversations/${chat}/recordings?formatId=NONE`));
    assert.ok(recs[0].transcript.some((m: { body: string }) => INSERTED.test(m.body)));
  }
});

test('random hostile faults only roll where they can apply; counted only when they changed a reply', async (t) => {
  const emu = await start(t, {
    conversations: 20,
    mediaMix: { voice: 1 },
    audioBytes: { min: 5000, max: 5000 },
    faults: 'hostile-id=1,malformed=0',
    rateLimit: null,
  });
  const bearer = await token(emu);
  const cid = voiceWith(emu, 'AVAILABLE')[0]!;
  assert.equal((await api(emu, bearer, PATH)).status, 200);
  assert.equal(emu.stats().faultsInjected['hostile-id'], undefined, 'no IDs in an availability answer');
  const recs = await json(await api(emu, bearer, `/api/v2/conversations/${cid}/recordings?formatId=WAV`));
  assert.match(recs[0].id, /gt-escape/);
  assert.equal(emu.stats().faultsInjected['hostile-id'], 1);

  // Neither the downloads lookup (no IDs) nor the audio (binary) is ever picked.
  const url = await signedMediaUrl(emu, bearer, cid);
  assert.equal((await (await fetch(url)).arrayBuffer()).byteLength, 5000);
  assert.equal(emu.stats().faultsInjected['hostile-id'], 2, 'the list call inside signedMediaUrl only');

  const text = await start(t, {
    conversations: 20,
    mediaMix: { voice: 1 },
    audioBytes: { min: 5000, max: 5000 },
    faults: 'control-chars=1',
    rateLimit: null,
  });
  const b2 = await token(text);
  const cid2 = voiceWith(text, 'AVAILABLE')[0]!;
  const clean = await json(await api(text, b2, `/api/v2/conversations/${cid2}/recordings?formatId=WAV`));
  assert.ok(clean[0].mediaUris.S.mediaUri, 'a voice recording has no text to tamper with');
  assert.equal(text.stats().faultsInjected['control-chars'], undefined);
});

test('tokens can die before the expires_in they announce (a skewed clock); issued tokens are listed', async (t) => {
  const emu = await start(t, { conversations: 5, tokenTtlSeconds: 3600, tokenLifetimeSeconds: 1 });
  const res = await fetch(`${emu.loginUrl}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${emu.clientId}:${emu.clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  const tok = (await res.json()) as { access_token: string; expires_in: number };
  assert.equal(tok.expires_in, 3600, 'the announced lifetime');
  assert.equal((await api(emu, tok.access_token, PATH)).status, 200);
  await new Promise((r) => setTimeout(r, 2100));
  const late = await api(emu, tok.access_token, PATH);
  assert.equal(late.status, 401, 'the real lifetime');
  assert.equal((await json(late)).code, 'bad.credentials');
  assert.deepEqual(emu.issuedTokens(), [tok.access_token]);
});

test('the fault spec accepts the hostile kinds', async () => {
  const { parseFaultSpec } = await import('../../src/emulator/index.ts');
  assert.deepEqual(
    parseFaultSpec('malformed=0.1,huge=0.01,content-type=0.02,hostile-id=0.03,control-chars=0.5'),
    {
      malformed: 0.1,
      huge: 0.01,
      'content-type': 0.02,
      'hostile-id': 0.03,
      'control-chars': 0.5,
    },
  );
});

test('a HEAD on a signed URL under an endless or trickle fault answers its headers at once and counts no bytes', async (t) => {
  const emu = await start(t, { seed: 5, conversations: 30, trickleIntervalMs: 1000 });
  const bearer = await token(emu);
  const url = await signedMediaUrl(emu, bearer, voiceWith(emu, 'AVAILABLE')[0]!);
  for (const fault of ['endless', 'trickle'] as const) {
    emu.resetStats();
    emu.scriptFault({ route: 'signed.media', count: 1, fault });
    const started = Date.now();
    const res = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(5000) });
    assert.equal(res.status, 200, fault);
    assert.ok(Date.now() - started < 2000, `${fault}: ${Date.now() - started} ms`);
    // A HEAD has no body: nothing was served, whatever the fault would have done to one.
    assert.equal(emu.stats().bytesServed, 0, fault);
    assert.deepEqual(emu.stats().requests['signed.media'], { '200': 1 }, fault);
  }
});
