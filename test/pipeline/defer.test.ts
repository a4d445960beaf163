// A recording still transcoding at the deadline: the conversation is not delivered half; it stays
// pending (with the reason) and the next run delivers it whole, once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { startTestEmulator, tempWorkdir } from '../helpers/emulator.ts';
import { CheckpointStore } from '../../src/pipeline/checkpoint.ts';
import { listFiles, runExport as run } from '../helpers/export.ts';

test('conversations whose recording is still transcoding are deferred, then delivered whole by the next run', async (t) => {
  const { emu } = await startTestEmulator(t, {
    conversations: 40,
    seed: 21,
    audioBytes: { min: 4096, max: 8192 },
    transcodeMs: 1500,
  });
  const work = await tempWorkdir(t, 'gt-defer-');
  const transcoding = emu.dataset
    .conversationIds()
    .filter((id) => emu.dataset.recordings(id).some((r) => r.fileState === 'AVAILABLE' && r.transcoding));
  assert.ok(transcoding.length > 0, 'the dataset has transcoding recordings');
  const opts = {
    outDir: join(work, 'out'),
    stateDir: join(work, 'state'),
    formats: ['json' as const],
    transcodeDeadlineMs: 100,
    // Per-conversation lookups: batch requests serve the original codec, with no transcoding wait.
    recordingBatches: false,
  };

  const first = await run(emu, opts);
  const deferred = first.results.filter((r) => r.status === 'deferred').map((r) => r.conversationId);
  assert.deepEqual(deferred.sort(), [...transcoding].sort());
  assert.equal(first.summary.conversations.deferred, transcoding.length);
  assert.equal(first.summary.conversations.failed, 0);
  for (const r of first.results.filter((x) => x.status === 'deferred'))
    assert.match(r.reason ?? '', /transcoding-timeout/);
  // Nothing of a deferred conversation was delivered.
  const filesAfterFirst = await listFiles(opts.outDir);
  for (const id of deferred) assert.ok(!filesAfterFirst.some((f) => f.includes(id)), `${id} delivered half`);
  const store = CheckpointStore.open(join(opts.stateDir, 'checkpoint.db'));
  assert.equal(store.get(deferred[0]!)?.state, 'pending');
  store.close();

  await delay(1600); // transcoding done in the emulator
  const second = await run(emu, opts);
  const redone = second.results.filter((r) => r.reason !== 'already-exported');
  assert.deepEqual(
    redone.map((r) => r.conversationId).sort(),
    [...transcoding].sort(),
    'only the deferred ones are redone',
  );
  assert.ok(redone.every((r) => r.status === 'done'));
  for (const id of transcoding) {
    const manifestPath = (await listFiles(opts.outDir)).find(
      (f) => f.includes(id) && f.endsWith('manifest.json'),
    )!;
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
    const oracle = emu.dataset.recordings(id)[0]!;
    assert.ok(
      manifest.files.some((f: { sha256: string }) => f.sha256 === oracle.sha256),
      `recording of ${id} delivered byte-exact`,
    );
  }
});

test('--no-defer semantics: deliver what there is, the recording skipped as transcoding-timeout', async (t) => {
  const { emu } = await startTestEmulator(t, {
    conversations: 40,
    seed: 21,
    audioBytes: { min: 4096, max: 8192 },
    transcodeMs: 5000,
  });
  const work = await tempWorkdir(t, 'gt-nodefer-');
  const { results, summary } = await run(emu, {
    outDir: join(work, 'out'),
    stateDir: join(work, 'state'),
    formats: ['json'],
    transcodeDeadlineMs: 100,
    deferNotReady: false,
    recordingBatches: false,
  });
  assert.equal(summary.conversations.deferred, 0);
  const timedOut = results.filter((r) => r.skipped.some((s) => s.reason === 'transcoding-timeout'));
  assert.ok(timedOut.length > 0);
  assert.ok(timedOut.every((r) => r.status === 'done'));
});

test('--restore-archived: archived recordings are restored, the conversation deferred, then exported whole', async (t) => {
  const { emu } = await startTestEmulator(t, {
    conversations: 60,
    seed: 5,
    audioBytes: { min: 4096, max: 8192 },
    transcodeMs: 0,
    restoreMs: 300,
  });
  const work = await tempWorkdir(t, 'gt-restore-');
  const archived = emu.dataset
    .conversationIds()
    .filter((id) => emu.dataset.recordings(id).some((r) => r.fileState === 'ARCHIVED'));
  const archivedVoice = archived.filter((id) => emu.dataset.recordings(id).some((r) => r.media === 'audio'));
  assert.ok(archivedVoice.length > 0, 'the dataset has archived voice recordings');
  const opts = { outDir: join(work, 'out'), stateDir: join(work, 'state'), formats: ['json' as const] };

  // Without the option: skipped with the reason, delivered without the recording.
  const plain = await run(emu, { ...opts, outDir: join(work, 'plain'), stateDir: join(work, 'plain-state') });
  for (const id of archived) {
    const r = plain.results.find((x) => x.conversationId === id)!;
    assert.equal(r.status, 'done');
    assert.ok(r.skipped.some((s) => s.reason === 'archived'));
  }

  const first = await run(emu, { ...opts, restoreArchivedDays: 7 });
  for (const id of archived) {
    const r = first.results.find((x) => x.conversationId === id)!;
    assert.equal(r.status, 'deferred', `${id}: ${r.reason}`);
    assert.match(r.reason ?? '', /restore-requested/);
  }
  await delay(400);
  const second = await run(emu, { ...opts, restoreArchivedDays: 7 });
  const redone = second.results.filter((r) => r.reason !== 'already-exported');
  assert.deepEqual(redone.map((r) => r.conversationId).sort(), [...archived].sort());
  for (const id of archived) {
    const r = redone.find((x) => x.conversationId === id)!;
    assert.equal(r.status, 'done');
    const oracle = emu.dataset.recordings(id).find((x) => x.media === 'audio');
    if (!oracle) continue; // a restored chat/email: its transcript is checked by the transcript tests
    assert.ok(
      oracle.sha256 && r.files.some((f) => f.sha256 === oracle.sha256),
      `restored recording of ${id} byte-exact`,
    );
  }
  assert.equal(
    emu.stats().requests['recordings.put']?.['200'],
    archived.length,
    'one restore request per archived recording',
  );
});
