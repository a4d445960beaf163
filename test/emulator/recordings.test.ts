// Recordings API against the dataset: transcoding 202 then 200, retention stubs, digital
// transcripts inline, metadata, 404s and empty lists, and the batch download flow.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunningEmulator } from '../../src/emulator/index.ts';
import { api, json, sleep, start, token, voiceWith } from './helpers.ts';

const kindOf = (emu: RunningEmulator, media: string, state = 'AVAILABLE') =>
  emu.dataset
    .conversationIds()
    .filter((id) => emu.dataset.recordings(id).some((r) => r.media === media && r.fileState === state));

test('a transcoding recording answers 202 without media until transcodeMs has passed, then 200', async (t) => {
  const emu = await start(t, { conversations: 200, transcodeMs: 600 });
  const bearer = await token(emu);
  const [a, b] = voiceWith(emu, 'AVAILABLE', true);
  assert.ok(a && b, 'the dataset has transcoding recordings');
  const first = await api(emu, bearer, `/api/v2/conversations/${a}/recordings?formatId=WAV&maxWaitMs=50`);
  assert.equal(first.status, 202);
  const pending = await json(first);
  assert.equal(pending.length, 1);
  assert.equal(pending[0].mediaUris, undefined);
  assert.equal(typeof pending[0].estimatedTranscodeTimeMs, 'number');
  await sleep(650);
  const ready = await api(emu, bearer, `/api/v2/conversations/${a}/recordings?formatId=WAV&maxWaitMs=50`);
  assert.equal(ready.status, 200);
  assert.ok((await json(ready))[0].mediaUris.S.mediaUri);

  // The single-recording route waits server-side when maxWaitMs covers the rest of the transcode.
  const rid = emu.dataset.recordings(b)[0]!.recordingId;
  const waited = await api(
    emu,
    bearer,
    `/api/v2/conversations/${b}/recordings/${rid}?formatId=WAV&maxWaitMs=5000`,
  );
  assert.equal(waited.status, 200);
  assert.equal((await json(waited)).id, rid);
  assert.deepEqual(emu.stats().requests['recordings.list'], { '202': 1, '200': 1 });
});

test('archived, deleted and errored recordings are stubs; no recording is []; unknown is 404', async (t) => {
  const emu = await start(t, { conversations: 200 });
  const bearer = await token(emu);
  const get = async (cid: string) =>
    json(await api(emu, bearer, `/api/v2/conversations/${cid}/recordings?formatId=WAV`));
  const [archived] = await get(voiceWith(emu, 'ARCHIVED')[0]!);
  assert.equal(archived.fileState, 'ARCHIVED');
  assert.ok(archived.archiveDate);
  assert.equal(archived.archiveMedium, 'CLOUDARCHIVE');
  assert.equal(archived.mediaUris, undefined);
  const [deleted] = await get(voiceWith(emu, 'DELETED')[0]!);
  assert.equal(deleted.fileState, 'DELETED');
  assert.ok(deleted.deleteDate);
  assert.equal(deleted.mediaUris, undefined);
  const [errored] = await get(voiceWith(emu, 'ERROR')[0]!);
  assert.equal(errored.fileState, 'ERROR');
  assert.equal(errored.mediaUris, undefined);

  const none = emu.dataset.conversationIds().find((id) => emu.dataset.recordings(id).length === 0)!;
  assert.deepEqual(await get(none), []);
  const unknown = await api(
    emu,
    bearer,
    '/api/v2/conversations/ffffffff-0000-4000-8000-000000000000/recordings',
  );
  assert.equal(unknown.status, 404);
  assert.equal((await json(unknown)).code, 'not.found');
});

test('digital recordings carry their transcript in the field the Recording model names', async (t) => {
  const emu = await start(t, { conversations: 120, mediaMix: { chat: 1, message: 1, email: 1 } });
  const bearer = await token(emu);
  const fields: Record<string, [string, string]> = {
    chat: ['transcript', 'body'],
    message: ['messagingTranscript', 'messageText'],
    email: ['emailTranscript', 'textBody'],
  };
  for (const [media, [field, textField]] of Object.entries(fields)) {
    const cid = kindOf(emu, media)[0]!;
    const [rec] = await json(await api(emu, bearer, `/api/v2/conversations/${cid}/recordings`));
    assert.equal(rec.media, media);
    assert.ok(Array.isArray(rec[field]) && rec[field].length > 0, `${media} has ${field}`);
    const text = rec[field].map((m: Record<string, string>) => m[textField]).join('\n');
    for (const p of emu.dataset.planted(cid).pii)
      assert.ok(text.includes(p.text), `${media}: planted ${p.entity} is in the transcript`);
    for (const other of Object.values(fields)) if (other[0] !== field) assert.equal(rec[other[0]], undefined);
  }
  const stub = kindOf(emu, 'chat', 'ARCHIVED')[0]!;
  const [archived] = await json(await api(emu, bearer, `/api/v2/conversations/${stub}/recordings`));
  assert.equal(archived.transcript, undefined);
  assert.deepEqual(
    emu.dataset.planted(stub).pii,
    [],
    'nothing is planted in a transcript that is not served',
  );
});

test('recording metadata lists and gets without media, with a region', async (t) => {
  const emu = await start(t, { conversations: 30, mediaMix: { voice: 1 } });
  const bearer = await token(emu);
  const cid = voiceWith(emu, 'AVAILABLE')[0]!;
  const rid = emu.dataset.recordings(cid)[0]!.recordingId;
  const list = await json(await api(emu, bearer, `/api/v2/conversations/${cid}/recordingmetadata`));
  assert.equal(list.length, 1);
  assert.equal(list[0].id, rid);
  assert.equal(list[0].region, 'us-east-1');
  assert.equal(list[0].mediaUris, undefined);
  const one = await json(await api(emu, bearer, `/api/v2/conversations/${cid}/recordingmetadata/${rid}`));
  assert.equal(one.id, rid);
  assert.equal((await api(emu, bearer, `/api/v2/conversations/${cid}/recordingmetadata/nope`)).status, 404);
});

test('batch requests: InProgress until batchDelayMs, then results with download links or errorMsg', async (t) => {
  const emu = await start(t, { conversations: 300, batchDelayMs: 300, limits: { batchMaxItems: 5 } });
  const bearer = await token(emu);
  const ok = voiceWith(emu, 'AVAILABLE').slice(0, 2);
  const archived = voiceWith(emu, 'ARCHIVED')[0]!;
  const chat = kindOf(emu, 'chat')[0]!;
  const list = [...ok, archived, chat].map((conversationId) => ({ conversationId }));
  const created = await api(emu, bearer, '/api/v2/recording/batchrequests', {
    body: { batchDownloadRequestList: list },
  });
  assert.equal(created.status, 200);
  const { id, selfUri } = await json(created);
  assert.equal(selfUri, `/api/v2/recording/batchrequests/${id}`);

  const early = await json(await api(emu, bearer, `/api/v2/recording/batchrequests/${id}`));
  assert.equal(early.status, 'InProgress');
  assert.ok(early.resultCount < early.expectedResultCount);
  await sleep(320);
  const done = await json(await api(emu, bearer, `/api/v2/recording/batchrequests/${id}`));
  assert.equal(done.status, 'Completed');
  assert.equal(done.expectedResultCount, 4);
  assert.equal(done.resultCount, 4);
  assert.equal(done.errorCount, 1);
  const byConversation = new Map(done.results.map((r: { conversationId: string }) => [r.conversationId, r]));
  for (const cid of ok) {
    const r = byConversation.get(cid) as Record<string, string>;
    assert.equal(r.recordingId, emu.dataset.recordings(cid)[0]!.recordingId);
    assert.equal(r.contentType, 'audio/wav');
    const media = await fetch(r.resultUrl!, { headers: { authorization: `Bearer ${bearer}` } });
    assert.equal(media.status, 200, 'the result link redirects to the signed media');
    assert.equal(media.headers.get('content-type'), 'audio/wav');
    await media.arrayBuffer();
  }
  assert.match((byConversation.get(archived) as Record<string, string>).errorMsg!, /archived/i);
  assert.equal((byConversation.get(chat) as Record<string, string>).contentType, 'application/json');

  const tooMany = await api(emu, bearer, '/api/v2/recording/batchrequests', {
    body: { batchDownloadRequestList: Array.from({ length: 6 }, () => ({ conversationId: ok[0] })) },
  });
  assert.equal(tooMany.status, 400);
  assert.match((await json(tooMany)).message, /maximum of 5/);
  assert.equal((await api(emu, bearer, '/api/v2/recording/batchrequests', { body: {} })).status, 400);
  assert.equal((await api(emu, bearer, '/api/v2/recording/batchrequests/unknown')).status, 404);
});
