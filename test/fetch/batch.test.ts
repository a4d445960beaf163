// fetchRecordingsBatch against a scripted local API: a growing expectedResultCount, a result in
// the requested codec downloaded straight from its signed URL, an errorMsg read as the skip reason
// without a lookup, and the per-conversation fallback for a digital result whose body is not a
// transcript.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createGenesysClient } from '../../src/genesys/transport.ts';
import { batchDone, fetchRecordingsBatch } from '../../src/pipeline/fetch/batch.ts';
import { json, startFakeGenesys } from '../helpers/fake-genesys.ts';
import { startMediaServer } from './helpers/media-server.ts';

const C1 = 'c1111111-0000-4000-8000-000000000001';
const C2 = 'c2222222-0000-4000-8000-000000000002';
const C3 = 'c3333333-0000-4000-8000-000000000003';

test('batchDone waits for Completed, or a full count when no status says InProgress', () => {
  assert.equal(batchDone({ status: 'InProgress', expectedResultCount: 2, resultCount: 2 }), false);
  assert.equal(batchDone({ status: 'Completed', expectedResultCount: 3, resultCount: 3 }), true);
  assert.equal(batchDone({ expectedResultCount: 2, resultCount: 2 }), true);
  assert.equal(batchDone({ expectedResultCount: 0, resultCount: 0 }), false);
});

test('bulk: polls while the expected count grows, reads errorMsg, falls back only for what the batch cannot answer', async (t) => {
  const media = await startMediaServer({ size: 90_000 });
  let polls = 0;
  let submitted: unknown;
  const listed: string[] = [];
  let api = '';
  const fake = await startFakeGenesys((req, res, body) => {
    const url = new URL(req.url!, api);
    if (req.method === 'POST' && url.pathname === '/api/v2/recording/batchrequests') {
      submitted = JSON.parse(body);
      return json(res, 200, { id: 'job-1' });
    }
    if (url.pathname === '/api/v2/recording/batchrequests/job-1') {
      polls += 1;
      const results = [
        {
          conversationId: C1,
          recordingId: 'r1',
          resultUrl: media.url(),
          contentType: 'audio/ogg; codecs=opus',
        },
        { conversationId: C2, recordingId: 'r2', errorMsg: 'Recording is archived' },
        { conversationId: C3, recordingId: 'r3', resultUrl: media.url(), contentType: 'application/json' },
      ];
      if (polls === 1)
        return json(res, 200, {
          id: 'job-1',
          status: 'InProgress',
          expectedResultCount: 1,
          resultCount: 1,
          results: results.slice(0, 1),
        });
      return json(res, 200, {
        id: 'job-1',
        status: 'Completed',
        expectedResultCount: 3,
        resultCount: 3,
        errorCount: 1,
        results,
      });
    }
    const m = /^\/api\/v2\/conversations\/([^/]+)\/recordings$/.exec(url.pathname);
    if (m) {
      listed.push(m[1]!);
      if (m[1] === C2)
        return json(res, 200, [{ id: 'r2', conversationId: C2, media: 'audio', fileState: 'ARCHIVED' }]);
      if (m[1] === C3)
        return json(res, 200, [
          { id: 'r3', conversationId: C3, media: 'chat', fileState: 'AVAILABLE', transcript: [] },
        ]);
    }
    json(res, 404, {});
  });
  api = fake.baseUrl;
  // The media server is another loopback origin than the API: allowed only with allowPrivateDownloads.
  const client = createGenesysClient(
    { ...fake.config(), allowPrivateDownloads: true },
    { backoff: { baseMs: 5, capMs: 20 } },
  );
  const dir = await mkdtemp(join(tmpdir(), 'gt-batch-'));
  t.after(async () => {
    await client.close();
    await fake.close();
    await media.close();
    await rm(dir, { recursive: true, force: true });
  });

  const out = await fetchRecordingsBatch(client, [C1, C2, C3], {
    format: 'OGG_OPUS',
    dir: (cid) => join(dir, cid),
    batchPollMs: 5,
  });
  assert.deepEqual(submitted, {
    batchDownloadRequestList: [{ conversationId: C1 }, { conversationId: C2 }, { conversationId: C3 }],
  });
  assert.equal(polls, 2);
  const c1 = out.get(C1)!;
  assert.equal(c1.length, 1);
  assert.equal(c1[0]?.kind, 'downloaded');
  if (c1[0]?.kind === 'downloaded') {
    assert.equal(c1[0].file.path, join(dir, C1, 'r1.opus'));
    assert.deepEqual(await readFile(c1[0].file.path), media.data());
  }
  assert.deepEqual(out.get(C2), [{ kind: 'skipped', recordingId: 'r2', reason: 'archived' }]);
  assert.equal(out.get(C3)?.[0]?.kind, 'digital');
  // Only C3, whose JSON result served audio bytes instead of a transcript, was looked up.
  assert.deepEqual(listed, [C3]);
});
