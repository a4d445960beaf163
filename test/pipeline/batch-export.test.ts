// Recordings through batch requests (the default): the same files as per-conversation lookups,
// with fewer API calls, counted by route on the emulator: one batch job per 100 conversations,
// no recordings list at all on a clean dataset (digital transcripts come from the batch results,
// archived/deleted/errored recordings from their errorMsg), and no call for conversations
// analytics shows as unrecorded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { startTestEmulator, tempWorkdir } from '../helpers/emulator.ts';
import { listFiles, runExport } from '../helpers/export.ts';
import { recordedInAnalytics } from '../../src/pipeline/fetch/recorded.ts';
import { recordingsOf } from '../../src/pipeline/fetch/conversation-recordings.ts';
import { createGenesysClient } from '../../src/genesys/transport.ts';
import { configFor } from '../helpers/emulator.ts';

async function snapshot(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const f of await listFiles(dir)) {
    // Review pages are rendered from the manifests (times, skip details): compared through them.
    if (relative(dir, f).startsWith('review/')) continue;
    let bytes: Buffer | string = await readFile(f);
    if (f.endsWith('manifest.json')) {
      // exportedAt differs by design; a skip's detail too: a batch's errorMsg carries no archive
      // or deletion date, a recordings list does.
      const m = JSON.parse(bytes.toString('utf8'));
      delete m.exportedAt;
      for (const s of m.skipped ?? []) delete s.detail;
      bytes = JSON.stringify(m);
    }
    out.set(relative(dir, f), createHash('sha256').update(bytes).digest('hex'));
  }
  return out;
}

test('batch requests: the same files as per-conversation lookups, one job per 100, no recordings list', async (t) => {
  const { emu } = await startTestEmulator(t, {
    conversations: 150,
    seed: 31,
    audioBytes: { min: 4096, max: 8192 },
    // No transcoding wait: each recordings list is asked once, so the count below is exact.
    transcodeMs: 0,
    batchDelayMs: 50,
    rateLimit: null,
  });
  const work = await tempWorkdir(t, 'gt-batch-export-');
  const count = (route: string) =>
    Object.values(emu.stats().requests[route] ?? {}).reduce((a, b) => a + b, 0);

  emu.resetStats();
  const single = await runExport(emu, {
    outDir: join(work, 'single'),
    stateDir: join(work, 'single-state'),
    recordingBatches: false,
  });
  const singleCalls = single.summary.apiCalls;
  const ids = emu.dataset.conversationIds();
  const unrecorded = ids.filter((id) => recordedInAnalytics(emu.dataset.conversation(id)!) === false);
  assert.equal(single.summary.conversations.failed, 0, JSON.stringify(single.summary.failures));
  assert.ok(unrecorded.length > 0, 'the dataset has unrecorded voice conversations');
  // At least one list per recorded conversation (an attempt retried under load lists again).
  assert.ok(count('recordings.list') >= ids.length - unrecorded.length);

  emu.resetStats();
  const bulk = await runExport(emu, { outDir: join(work, 'bulk'), stateDir: join(work, 'bulk-state') });
  assert.equal(bulk.summary.conversations.done, ids.length);
  assert.equal(bulk.summary.conversations.failed, 0);
  const [a, b] = [await snapshot(join(work, 'bulk')), await snapshot(join(work, 'single'))];
  const differ = [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k));
  assert.deepEqual(
    differ.slice(0, 5),
    [],
    `${differ.length} files differ between batch and per-conversation`,
  );
  assert.ok(a.size > ids.length, 'files were written');

  const recorded = ids.length - unrecorded.length;
  assert.equal(count('batch.create'), Math.ceil(recorded / 100), 'one job per 100 recorded conversations');
  assert.ok(count('batch.get') <= 2 * count('batch.create'), `${count('batch.get')} polls`);
  assert.equal(count('recordings.list'), 0, 'no per-conversation lookup');
  assert.equal(count('recordings.get'), 0);
  // One downloads link per available recording (voice media, digital transcripts), nothing for the others.
  const available = ids.filter((id) =>
    emu.dataset.recordings(id).some((r) => r.fileState === 'AVAILABLE'),
  ).length;
  assert.equal(count('downloads.get'), available);
  assert.ok(
    bulk.summary.apiCalls < singleCalls,
    `batch ${bulk.summary.apiCalls} API calls vs per conversation ${singleCalls}`,
  );
  // Analytics' "not recorded" spares every recordings call, batch or not.
  emu.resetStats();
  const client = createGenesysClient(configFor(emu));
  t.after(() => client.close());
  for (const id of unrecorded) {
    const outcomes = await recordingsOf(client, emu.dataset.conversation(id)!, undefined, {
      format: 'WAV',
      dir: join(work, 'unrecorded'),
      wantDigital: true,
    });
    assert.deepEqual(outcomes, []);
  }
  assert.equal(emu.stats().totalRequests, 0, 'no request for an unrecorded conversation');
  t.diagnostic(
    `API calls per conversation: batch ${bulk.summary.apiCallsPerConversation.toFixed(3)}, per conversation ${single.summary.apiCallsPerConversation.toFixed(3)}`,
  );
});
