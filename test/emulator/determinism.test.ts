// Same seed, same emulator: identical analytics JSON, recordings and media bytes; a different seed
// gives different data; 10,000 conversations start without generating transcripts or media.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import type { RunningEmulator } from '../../src/emulator/index.ts';
import { api, signedMediaUrl, start, token, voiceWith } from './helpers.ts';

async function snapshot(emu: RunningEmulator) {
  const bearer = await token(emu);
  const res = await api(emu, bearer, '/api/v2/analytics/conversations/details/query', {
    body: { interval: emu.interval, paging: { pageSize: 100, pageNumber: 1 } },
  });
  const queryJson = await res.text();
  const cid = voiceWith(emu, 'AVAILABLE')[0]!;
  const media = Buffer.from(await (await fetch(await signedMediaUrl(emu, bearer, cid))).arrayBuffer());
  const comm = emu.dataset.recordings(cid)[0]!.sessionId!;
  return {
    queryJson,
    ids: emu.dataset.conversationIds(),
    mediaSha: createHash('sha256').update(media).digest('hex'),
    oracleSha: emu.dataset.recordings(cid)[0]!.sha256,
    transcript: JSON.stringify(emu.dataset.transcript(cid, comm) ?? null),
    planted: JSON.stringify(emu.dataset.planted(cid)),
    client: [emu.clientId, emu.clientSecret],
  };
}

test('two emulators with the same seed serve identical JSON and media; another seed differs', async (t) => {
  const opts = { seed: 77, conversations: 80, audioBytes: { min: 20_000, max: 90_000 } };
  const a = await snapshot(await start(t, opts));
  const b = await snapshot(await start(t, opts));
  assert.equal(a.queryJson, b.queryJson);
  assert.deepEqual(a, b);
  assert.equal(a.mediaSha, a.oracleSha);
  const c = await snapshot(await start(t, { ...opts, seed: 78 }));
  assert.notEqual(c.queryJson, a.queryJson);
  assert.notDeepEqual(c.ids, a.ids);
  assert.notDeepEqual(c.client, a.client);
});

test('10,000 conversations start, with unique UUIDs spread over the interval and every media kind', async (t) => {
  const emu = await start(t, { conversations: 10_000, rateLimit: null });
  const ids = emu.dataset.conversationIds();
  assert.equal(ids.length, 10_000);
  assert.equal(new Set(ids).size, 10_000);
  for (const id of ids.slice(0, 50))
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const [s, e] = emu.interval.split('/').map(Date.parse) as [number, number];
  const days = new Set<string>();
  const kinds = new Map<string, number>();
  for (const id of ids) {
    const c = emu.dataset.conversation(id)!;
    const start = Date.parse(c.conversationStart!);
    assert.ok(start >= s && start < e);
    days.add(c.conversationStart!.slice(0, 10));
    const media = c.participants![0]!.sessions![0]!.mediaType!;
    kinds.set(media, (kinds.get(media) ?? 0) + 1);
  }
  assert.equal(days.size, 7);
  // default mix: voice .6, chat .15, message .15, email .1
  assert.ok(Math.abs(kinds.get('voice')! / 10_000 - 0.6) < 0.03, JSON.stringify([...kinds]));
  assert.ok(Math.abs(kinds.get('email')! / 10_000 - 0.1) < 0.02);
  const states = new Map<string, number>();
  for (const id of ids)
    for (const r of emu.dataset.recordings(id)) states.set(r.fileState, (states.get(r.fileState) ?? 0) + 1);
  // Awkward cases come in fixed proportions per 100 conversations.
  assert.equal(states.get('ARCHIVED'), 500);
  assert.equal(states.get('DELETED'), 400);
  assert.equal(states.get('ERROR'), 300);
});
