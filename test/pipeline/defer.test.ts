// A recording still transcoding at the deadline: the conversation is not delivered half; it stays
// pending (with the reason) and the next run delivers it whole, once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.ts';
import { Exporter } from '../../src/pipeline/exporter.ts';
import type { ExportOptionsInput } from '../../src/pipeline/options.ts';
import { CheckpointStore } from '../../src/pipeline/checkpoint.ts';
import { configFor, listFiles } from '../helpers/export.ts';

async function run(
  emu: RunningEmulator,
  options: Partial<ExportOptionsInput> & { outDir: string; stateDir: string },
) {
  const exporter = new Exporter(
    { selection: { interval: emu.interval }, ...options },
    { config: configFor(emu) },
  );
  const results = [];
  for await (const r of exporter.run()) results.push(r);
  return { results, summary: exporter.summary() };
}

test('conversations whose recording is still transcoding are deferred, then delivered whole by the next run', async (t) => {
  const emu = await startEmulator({
    conversations: 40,
    seed: 21,
    audioBytes: { min: 4096, max: 8192 },
    transcodeMs: 1500,
  });
  const work = await mkdtemp(join(tmpdir(), 'gt-defer-'));
  t.after(async () => {
    await emu.close();
    await rm(work, { recursive: true, force: true });
  });
  const transcoding = emu.dataset
    .conversationIds()
    .filter((id) => emu.dataset.recordings(id).some((r) => r.fileState === 'AVAILABLE' && r.transcoding));
  assert.ok(transcoding.length > 0, 'the dataset has transcoding recordings');
  const opts = {
    outDir: join(work, 'out'),
    stateDir: join(work, 'state'),
    formats: ['json' as const],
    transcodeDeadlineMs: 100,
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
  const emu = await startEmulator({
    conversations: 40,
    seed: 21,
    audioBytes: { min: 4096, max: 8192 },
    transcodeMs: 5000,
  });
  const work = await mkdtemp(join(tmpdir(), 'gt-nodefer-'));
  t.after(async () => {
    await emu.close();
    await rm(work, { recursive: true, force: true });
  });
  const { results, summary } = await run(emu, {
    outDir: join(work, 'out'),
    stateDir: join(work, 'state'),
    formats: ['json'],
    transcodeDeadlineMs: 100,
    deferNotReady: false,
  });
  assert.equal(summary.conversations.deferred, 0);
  const timedOut = results.filter((r) => r.skipped.some((s) => s.reason === 'transcoding-timeout'));
  assert.ok(timedOut.length > 0);
  assert.ok(timedOut.every((r) => r.status === 'done'));
});
