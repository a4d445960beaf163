import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CheckpointStore } from '../../src/pipeline/checkpoint.ts';

const CLI = join(import.meta.dirname, '..', '..', 'bin', 'genesys-transcripts.js');

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, [CLI, ...args]).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({
      code: e.code,
      stdout: e.stdout,
      stderr: e.stderr,
    }),
  );
}

test('status prints counts, runs and failures (text and --json); a missing checkpoint is an error', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'gt-status-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'checkpoint.db');
  const store = CheckpointStore.open(path);
  const runId = store.startRun({ formats: ['json'] });
  for (const id of ['a', 'b', 'c', 'd']) store.discovered(id, '2026-01-01T00:00:00.000Z');
  store.claim('a');
  store.markDone('a');
  store.claim('b');
  store.markFailed('b', 'HTTP_ERROR: 503 from recordings');
  store.claim('c');
  store.markSkipped('c', 'language-mismatch');
  store.recordSkips('c', [{ kind: 'conversation', reason: 'language-mismatch' }]);
  store.recordSkips('a', [
    { kind: 'recording', id: 'rec-1', reason: 'archived' },
    { kind: 'recording', id: 'rec-2', reason: 'archived' },
  ]);
  store.finishRun(runId, {
    outcome: 'finished',
    conversations: { done: 1, skipped: 1, failed: 1, deferred: 0, alreadyExported: 0 },
  });
  // A second run that never recorded its end: killed, so interrupted.
  const killed = store.startRun({
    selection: { mediaTypes: ['voice'] },
    interval: '2026-01-02T00:00:00.000Z/2026-01-03T00:00:00.000Z',
  });
  store.close();

  const json = await cli(['status', '--checkpoint', path, '--json']);
  assert.equal(json.code, 1, 'a failed conversation makes the exit code 1');
  const parsed = JSON.parse(json.stdout) as {
    counts: Record<string, number>;
    runs: { runId: string }[];
    failed: { conversationId: string; lastError: string }[];
  };
  assert.deepEqual(parsed.counts, { pending: 1, in_progress: 0, done: 1, failed: 1, skipped: 1 });
  assert.deepEqual(
    parsed.runs.map((r) => [r.runId, (r as unknown as { outcome: string }).outcome]),
    [
      [runId, 'finished'],
      [killed, 'interrupted'],
    ],
  );
  assert.deepEqual(
    parsed.failed.map((f) => [f.conversationId, f.lastError]),
    [['b', 'HTTP_ERROR: 503 from recordings']],
  );

  const text = await cli(['status', '--checkpoint', path]);
  assert.match(text.stdout, /pending 1, in_progress 0, done 1, failed 1, skipped 1/);
  assert.match(text.stdout, new RegExp(`${runId} finished\n    started .*, ended `));
  assert.match(text.stdout, /1 exported, 1 skipped, 1 failed, 0 deferred, 0 already exported/);
  assert.match(text.stdout, new RegExp(`${killed} interrupted\n`));
  assert.match(
    text.stdout,
    /2026-01-02T00:00:00.000Z \(incl.\) to 2026-01-03T00:00:00.000Z \(excl.\), mediaTypes=voice/,
  );
  assert.match(text.stdout, /skipped, by reason .*: archived 2, language-mismatch 1/);

  const archived = await cli(['status', '--checkpoint', path, '--skipped', 'archived']);
  assert.equal(archived.code, 0, archived.stderr);
  assert.equal(archived.stdout, "skipped for 'archived': 2\na recording rec-1\na recording rec-2\n");
  const none = await cli(['status', '--checkpoint', path, '--skipped', 'deleted']);
  assert.match(
    none.stdout,
    /nothing skipped for 'deleted'; reasons on record: archived \(2\), language-mismatch \(1\)/,
  );
  assert.match(text.stdout, /b after 1 attempt\(s\): HTTP_ERROR: 503 from recordings/);

  const missing = await cli(['status', '--checkpoint', join(dir, 'nope.db')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no checkpoint at .*nope\.db \[CHECKPOINT\]/);
});
