// Restoring archived recordings (PUT /api/v2/conversations/{cid}/recordings/{rid} with a future
// archiveDate): RESTORING without media for restoreMs, then RESTORED with the archived bytes until
// the date asked; Genesys-style 400s for what cannot be restored; the org's restoration budget.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import type { RunningEmulator } from '../../src/emulator/index.ts';
import { api, json, signedMediaUrl, sleep, start, token, voiceWith } from './helpers.ts';

const recordingOf = (emu: RunningEmulator, cid: string) => emu.dataset.recordings(cid)[0]!;
const path = (emu: RunningEmulator, cid: string) =>
  `/api/v2/conversations/${cid}/recordings/${recordingOf(emu, cid).recordingId}`;
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

async function put(emu: RunningEmulator, bearer: string, cid: string, body: unknown): Promise<Response> {
  return api(emu, bearer, path(emu, cid), { method: 'PUT', body });
}

function assertErrorBody(body: Record<string, unknown>, status: number): void {
  assert.equal(body.status, status);
  assert.equal(typeof body.code, 'string');
  assert.equal(typeof body.message, 'string');
  assert.equal(typeof body.contextId, 'string');
}

test('an archived recording restores: RESTORING without media, then RESTORED with the archived bytes', async (t) => {
  const emu = await start(t, { conversations: 200, restoreMs: 600, restorationsAllowed: 5, batchDelayMs: 0 });
  const bearer = await token(emu);
  const cid = voiceWith(emu, 'ARCHIVED')[0]!;
  const oracle = recordingOf(emu, cid);
  assert.ok(oracle.sizeBytes && oracle.sha256, 'the oracle knows the archived audio');
  const until = inDays(7);

  const res = await put(emu, bearer, cid, { archiveDate: until });
  assert.equal(res.status, 200);
  const answer = await json(res);
  assert.equal(answer.id, oracle.recordingId);
  assert.equal(answer.fileState, 'RESTORING');
  assert.equal(answer.restoreExpirationTime, until);
  assert.equal(answer.archiveDate, until, 'archived again on the date asked for');
  // Deprecated fields: always 10000, whatever was used.
  assert.equal(answer.maxAllowedRestorationsForOrg, 10_000);
  assert.equal(answer.remainingRestorationsAllowedForOrg, 10_000);

  // While restoring: a stub on every read path, and the batch says why.
  const [listed] = await json(await api(emu, bearer, `/api/v2/conversations/${cid}/recordings?formatId=WAV`));
  assert.equal(listed.fileState, 'RESTORING');
  assert.equal(listed.mediaUris, undefined);
  assert.equal(listed.sessionId, undefined);
  const [meta] = await json(await api(emu, bearer, `/api/v2/conversations/${cid}/recordingmetadata`));
  assert.equal(meta.fileState, 'RESTORING');
  assert.equal(meta.restoreExpirationTime, until);
  const batch = async () => {
    const { id } = await json(
      await api(emu, bearer, '/api/v2/recording/batchrequests', {
        body: { batchDownloadRequestList: [{ conversationId: cid }] },
      }),
    );
    return json(await api(emu, bearer, `/api/v2/recording/batchrequests/${id}`));
  };
  const early = await batch();
  assert.equal(early.status, 'Completed');
  assert.match(early.results[0].errorMsg, /being restored/);

  await sleep(650);
  const one = await json(await api(emu, bearer, `${path(emu, cid)}?formatId=WAV`));
  assert.equal(one.fileState, 'RESTORED');
  assert.equal(one.restoreExpirationTime, until);
  assert.equal(one.sessionId, oracle.sessionId);
  assert.equal(one.outputSizeInBytes, oracle.sizeBytes);
  assert.ok(one.mediaUris.S.mediaUri);
  const body = Buffer.from(await (await fetch(await signedMediaUrl(emu, bearer, cid))).arrayBuffer());
  assert.equal(body.length, oracle.sizeBytes);
  assert.equal(createHash('sha256').update(body).digest('hex'), oracle.sha256, 'byte-exact');

  const done = await batch();
  assert.equal(done.results[0].errorMsg, undefined);
  assert.ok(done.results[0].resultUrl);
  assert.deepEqual(emu.stats().requests['recordings.put'], { '200': 1 });
});

test('what cannot be restored is a 400 ErrorBody; unknown recordings are 404', async (t) => {
  const emu = await start(t, { conversations: 200 });
  const bearer = await token(emu);
  const archived = voiceWith(emu, 'ARCHIVED')[0]!;
  const cases: [string, string, unknown, RegExp][] = [
    ['past date', archived, { archiveDate: '2020-01-01T00:00:00Z' }, /future/],
    ['not a date', archived, { archiveDate: 'next week' }, /ISO-8601/],
    ['a number', archived, { archiveDate: Date.now() + 86_400_000 }, /ISO-8601/],
    ['no archiveDate', archived, { deleteDate: inDays(30) }, /archiveDate is required/],
    ['not an object', archived, [inDays(1)], /body/],
    ['deleted', voiceWith(emu, 'DELETED')[0]!, { archiveDate: inDays(1) }, /deleted/],
    ['errored', voiceWith(emu, 'ERROR')[0]!, { archiveDate: inDays(1) }, /error/],
    ['available', voiceWith(emu, 'AVAILABLE')[0]!, { archiveDate: inDays(1) }, /not archived/],
  ];
  for (const [label, cid, body, why] of cases) {
    const res = await put(emu, bearer, cid, body);
    assert.equal(res.status, 400, label);
    const err = await json(res);
    assertErrorBody(err, 400);
    assert.match(err.message, why, label);
  }
  const malformed = await fetch(`${emu.baseUrl}${path(emu, archived)}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    body: '{"archiveDate":',
  });
  assert.equal(malformed.status, 400);
  const unknownRecording = await api(emu, bearer, `/api/v2/conversations/${archived}/recordings/nope`, {
    method: 'PUT',
    body: { archiveDate: inDays(1) },
  });
  assert.equal(unknownRecording.status, 404);
  assertErrorBody(await json(unknownRecording), 404);
  const unknownConversation = await api(
    emu,
    bearer,
    `/api/v2/conversations/ffffffff-0000-4000-8000-000000000000/recordings/${recordingOf(emu, archived).recordingId}`,
    { method: 'PUT', body: { archiveDate: inDays(1) } },
  );
  assert.equal(unknownConversation.status, 404);
  // Nothing refused counted as a restoration, and the recording is still archived.
  const [still] = await json(await api(emu, bearer, `/api/v2/conversations/${archived}/recordings`));
  assert.equal(still.fileState, 'ARCHIVED');
  assert.equal(still.remainingRestorationsAllowedForOrg, 10_000);
});

test('an org restoration budget (opt-in: Genesys no longer enforces one): exhausted is a 400; moving a live restoration costs nothing', async (t) => {
  const emu = await start(t, { conversations: 200, restorationsAllowed: 1, restoreMs: 50 });
  const bearer = await token(emu);
  const [a, b] = voiceWith(emu, 'ARCHIVED');
  assert.ok(a && b);
  assert.equal((await put(emu, bearer, a, { archiveDate: inDays(1) })).status, 200);
  const refused = await put(emu, bearer, b, { archiveDate: inDays(1) });
  assert.equal(refused.status, 400);
  const err = await json(refused);
  assertErrorBody(err, 400);
  assert.match(err.message, /no archive restorations left/);
  const [other] = await json(await api(emu, bearer, `/api/v2/conversations/${b}/recordings`));
  assert.equal(other.fileState, 'ARCHIVED');
  assert.equal(other.remainingRestorationsAllowedForOrg, 10_000, 'deprecated: always 10000');

  const later = inDays(3);
  const moved = await put(emu, bearer, a, { archiveDate: later });
  assert.equal(moved.status, 200, 'a live restoration can be moved with the budget spent');
  assert.equal((await json(moved)).restoreExpirationTime, later);
});

test('a restoration ends on its date: archived again, the old media link is gone, a new one counts again', async (t) => {
  const emu = await start(t, { conversations: 200, restoreMs: 20, restorationsAllowed: 10 });
  const bearer = await token(emu);
  const cid = voiceWith(emu, 'ARCHIVED')[0]!;
  assert.equal(
    (await put(emu, bearer, cid, { archiveDate: new Date(Date.now() + 400).toISOString() })).status,
    200,
  );
  await sleep(60);
  const url = await signedMediaUrl(emu, bearer, cid);
  assert.equal((await fetch(url, { method: 'HEAD' })).status, 200);
  await sleep(400);
  const [again] = await json(await api(emu, bearer, `/api/v2/conversations/${cid}/recordings?formatId=WAV`));
  assert.equal(again.fileState, 'ARCHIVED');
  assert.equal(again.restoreExpirationTime, undefined);
  assert.equal(again.mediaUris, undefined);
  assert.equal(
    (await fetch(url, { method: 'HEAD' })).status,
    404,
    'the signed URL no longer serves the audio',
  );
  const second = await json(await put(emu, bearer, cid, { archiveDate: inDays(1) }));
  assert.equal(second.fileState, 'RESTORING');
  assert.equal(second.remainingRestorationsAllowedForOrg, 10_000);
});

test('a restored digital recording serves its transcript again, and the oracle lists its planted PII', async (t) => {
  const emu = await start(t, { conversations: 200, restoreMs: 20 });
  const bearer = await token(emu);
  const cid = emu.dataset
    .conversationIds()
    .find((id) => emu.dataset.recordings(id).some((r) => r.media === 'chat' && r.fileState === 'ARCHIVED'))!;
  assert.ok(cid, 'the dataset has an archived chat');
  assert.deepEqual(emu.dataset.planted(cid).pii, []);
  assert.equal((await put(emu, bearer, cid, { archiveDate: inDays(1) })).status, 200);
  await sleep(50);
  const [rec] = await json(await api(emu, bearer, `/api/v2/conversations/${cid}/recordings`));
  assert.equal(rec.fileState, 'RESTORED');
  assert.ok(Array.isArray(rec.transcript) && rec.transcript.length > 0);
  const text = rec.transcript.map((m: { body: string }) => m.body).join('\n');
  const planted = emu.dataset.planted(cid).pii;
  assert.ok(planted.length > 0);
  for (const p of planted) assert.ok(text.includes(p.text), `planted ${p.entity} is served`);
});
