// fetchConversationRecordings against a scripted local API (exact 202 sequences, every retention
// state) and the loopback media host. The emulator-backed end-to-end tests are in
// recordings.emulator.test.ts.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { createGenesysClient } from '../../src/genesys/transport.ts';
import {
  fetchConversationRecordings,
  mediaFilesOf,
  type RecordingOutcome,
} from '../../src/pipeline/fetch/recordings.ts';
import { recordingFilePath } from '../../src/pipeline/fetch/naming.ts';
import type { Recording } from '../../src/sdk/models.ts';
import { json, startFakeGenesys, type Handler } from '../helpers/fake-genesys.ts';
import { startMediaServer, type MediaServer } from './helpers/media-server.ts';

const CID = '0b6f7d8e-1111-4c2d-9a3b-123456789abc';

async function setup(t: TestContext, handler: (media: MediaServer, api: string) => Handler) {
  const media = await startMediaServer({ size: 120_000 });
  let api = '';
  const fake = await startFakeGenesys((req, res, body) => handler(media, api)(req, res, body));
  api = fake.baseUrl;
  // Media comes from another loopback server than the API: allowed with allowPrivateDownloads only.
  const client = createGenesysClient(
    { ...fake.config(), allowPrivateDownloads: true },
    { backoff: { baseMs: 5, capMs: 20 } },
  );
  const dir = await mkdtemp(join(tmpdir(), 'gt-rec-'));
  t.after(async () => {
    await client.close();
    await fake.close();
    await media.close();
    await rm(dir, { recursive: true, force: true });
  });
  return { media, fake, client, dir };
}

const byId = (out: RecordingOutcome[]) => Object.fromEntries(out.map((o) => [o.recordingId, o]));

test('each retention state ends in its documented outcome; available voice is downloaded via the downloads link', async (t) => {
  const { media, fake, client, dir } = await setup(t, (media, api) => (req, res) => {
    const url = new URL(req.url!, api);
    if (url.pathname === `/api/v2/conversations/${CID}/recordings`) {
      return json(res, 200, [
        {
          id: 'r-ok',
          conversationId: CID,
          media: 'audio',
          fileState: 'AVAILABLE',
          mediaUris: { S: { mediaUri: `${api}/api/v2/downloads/d-1` } },
        },
        {
          id: 'r-arch',
          conversationId: CID,
          media: 'audio',
          fileState: 'ARCHIVED',
          archiveDate: '2024-01-01T00:00:00Z',
        },
        {
          id: 'r-del',
          conversationId: CID,
          media: 'audio',
          fileState: 'DELETED',
          deleteDate: '2024-02-01T00:00:00Z',
        },
        {
          id: 'r-err',
          conversationId: CID,
          media: 'email',
          fileState: 'AVAILABLE',
          recordingErrorStatus: 'EMAIL_TRANSCRIPT_TOO_LARGE',
        },
        {
          id: 'r-chat',
          conversationId: CID,
          media: 'chat',
          fileState: 'AVAILABLE',
          transcript: [{ body: 'hi' }],
        },
      ]);
    }
    if (url.pathname === '/api/v2/downloads/d-1') {
      assert.equal(url.searchParams.get('issueRedirect'), 'false');
      return json(res, 200, { url: media.url() });
    }
    json(res, 404, { code: 'not.found' });
  });
  const out = byId(await fetchConversationRecordings(client, CID, { format: 'WAV', dir }));
  const ok = out['r-ok'];
  assert.equal(ok?.kind, 'downloaded');
  if (ok?.kind === 'downloaded') {
    assert.equal(ok.file.path, recordingFilePath(dir, 'r-ok', 'wav'));
    assert.equal(ok.file.sha256, media.sha256());
    assert.deepEqual(await readFile(ok.file.path), media.data());
  }
  assert.deepEqual(out['r-arch'], {
    kind: 'skipped',
    recordingId: 'r-arch',
    reason: 'archived',
  });
  assert.deepEqual(out['r-del'], {
    kind: 'skipped',
    recordingId: 'r-del',
    reason: 'deleted',
  });
  assert.deepEqual(out['r-err'], {
    kind: 'skipped',
    recordingId: 'r-err',
    reason: 'error',
    detail: 'EMAIL_TRANSCRIPT_TOO_LARGE',
  });
  assert.equal(out['r-chat']?.kind, 'digital');
  // The bearer token went to the API only, never to the signed host.
  assert.ok(media.requests.every((q) => q.authorization === undefined));
  assert.ok(fake.seen.every((s) => s.authorization?.startsWith('Bearer ')));
});

test('202 while transcoding: waits server-side (maxWaitMs), polls, then downloads once ready', async (t) => {
  let calls = 0;
  const waits: string[] = [];
  const { client, dir } = await setup(t, (media, api) => (req, res) => {
    const url = new URL(req.url!, api);
    if (url.pathname === `/api/v2/conversations/${CID}/recordings`) {
      calls += 1;
      waits.push(url.searchParams.get('maxWaitMs') ?? '');
      assert.equal(url.searchParams.get('formatId'), 'MP3');
      if (calls < 3)
        return json(res, 202, [{ id: 'r1', conversationId: CID, media: 'audio', fileState: 'AVAILABLE' }]);
      return json(res, 200, [
        {
          id: 'r1',
          conversationId: CID,
          media: 'audio',
          fileState: 'AVAILABLE',
          mediaUris: { S: { mediaUri: media.url() } },
        },
      ]);
    }
    json(res, 404, {});
  });
  const out = await fetchConversationRecordings(client, CID, {
    format: 'MP3',
    dir,
    pollMs: 5,
    maxWaitMs: 2000,
  });
  assert.equal(calls, 3);
  assert.deepEqual(waits, ['2000', '2000', '2000']);
  assert.equal(out[0]?.kind, 'downloaded');
  assert.ok(out[0]?.kind === 'downloaded' && out[0].file.path.endsWith('r1.mp3'));
});

test('still transcoding at the deadline → skipped transcoding-timeout (IDs from metadata when the 202 list is empty)', async (t) => {
  let calls = 0;
  const { client, dir } = await setup(t, (_media, api) => (req, res) => {
    const url = new URL(req.url!, api);
    if (url.pathname === `/api/v2/conversations/${CID}/recordings`) {
      calls += 1;
      return json(res, 202, []);
    }
    if (url.pathname === `/api/v2/conversations/${CID}/recordingmetadata`)
      return json(res, 200, [{ id: 'r9', conversationId: CID }]);
    json(res, 404, {});
  });
  const started = Date.now();
  const out = await fetchConversationRecordings(client, CID, {
    format: 'WAV',
    dir,
    deadlineMs: 150,
    pollMs: 20,
    maxWaitMs: 5000,
  });
  assert.ok(Date.now() - started < 3000, 'the deadline bounds the wait');
  assert.ok(calls >= 2);
  assert.equal(out.length, 1);
  assert.equal(out[0]?.kind, 'skipped');
  assert.equal(out[0]?.kind === 'skipped' && out[0].reason, 'transcoding-timeout');
});

test('format NONE returns digital data and downloads nothing', async (t) => {
  const { media, client, dir } = await setup(t, (media, api) => (req, res) => {
    const url = new URL(req.url!, api);
    if (url.pathname === `/api/v2/conversations/${CID}/recordings`) {
      assert.equal(url.searchParams.get('formatId'), 'NONE');
      return json(res, 200, [
        {
          id: 'v',
          conversationId: CID,
          media: 'audio',
          fileState: 'AVAILABLE',
          mediaUris: { S: { mediaUri: media.url() } },
        },
        { id: 'm', conversationId: CID, media: 'message', fileState: 'AVAILABLE', messagingTranscript: [] },
      ]);
    }
    json(res, 404, {});
  });
  const out = byId(await fetchConversationRecordings(client, CID, { format: 'NONE', dir }));
  assert.equal(out.v?.kind, 'skipped');
  assert.equal(out.m?.kind, 'digital');
  assert.equal(media.requests.length, 0);
});

test('mediaUris: the merged S file when offered, else every channel; never one speaker alone', () => {
  const uri = (u: string) => ({ mediaUri: u });
  assert.deepEqual(mediaFilesOf({ mediaUris: { S: uri('s'), '0': uri('a'), '1': uri('b') } }), [
    { channel: 'S', uri: 's' },
  ]);
  assert.deepEqual(mediaFilesOf({ mediaUris: { '1': uri('b'), '0': uri('a') } }), [
    { channel: '0', uri: 'a' },
    { channel: '1', uri: 'b' },
  ]);
  assert.deepEqual(mediaFilesOf({ mediaUris: { '0': uri('a'), '1': {} } }), [{ channel: '0', uri: 'a' }]);
  assert.deepEqual(mediaFilesOf({ mediaUris: null } as unknown as Recording), [], 'null (no playable media)');
  assert.deepEqual(mediaFilesOf({}), []);
});
