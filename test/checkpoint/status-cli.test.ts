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
  store.finishRun(runId, { done: 1 });
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
    parsed.runs.map((r) => r.runId),
    [runId],
  );
  assert.deepEqual(
    parsed.failed.map((f) => [f.conversationId, f.lastError]),
    [['b', 'HTTP_ERROR: 503 from recordings']],
  );

  const text = await cli(['status', '--checkpoint', path]);
  assert.match(text.stdout, /pending 1, in_progress 0, done 1, failed 1, skipped 1/);
  assert.match(text.stdout, new RegExp(`${runId} started .*, finished `));
  assert.match(text.stdout, /b after 1 attempt\(s\): HTTP_ERROR: 503 from recordings/);

  const missing = await cli(['status', '--checkpoint', join(dir, 'nope.db')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no checkpoint at .*nope\.db \[CHECKPOINT\]/);
});
