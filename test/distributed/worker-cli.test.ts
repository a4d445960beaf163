// The worker's guards around the real pipeline: a failure no later job can survive stops the
// worker; one conversation twice in flight in one process is refused; a test without Redis says
// how to start it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../../src/emulator/index.ts';
import { enqueueConversations, queueStatus } from '../../src/distributed/index.ts';
import { createPipelineProcessor } from '../../src/distributed/pipeline-processor.ts';
import { InMemoryRateLimiter } from '../../src/genesys/rate-limiter.ts';
import { configFor } from '../helpers/export.ts';
import { REDIS_URL, testRedis, uniquePrefix } from './helpers.ts';
import { spawnCliWorker, stopWorkers } from './cli-workers.ts';
import { connectionArgs } from '../helpers/emulator.ts';

function tempDir(t: import('node:test').TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'gt-worker-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A small emulator (3 conversations, tiny audio), closed after the test. */
async function smallEmulator(t: import('node:test').TestContext) {
  const emu = await startEmulator({
    seed: 4,
    conversations: 3,
    rateLimit: null,
    audioBytes: { min: 1024, max: 2048 },
  });
  t.after(() => emu.close());
  return emu;
}

/** A job context for `id`, as BullMQ hands it to the processor. */
const jobFor = (id: string) => ({
  signal: new AbortController().signal,
  attempt: 1,
  data: { conversationId: id },
});

test(
  'a worker whose credentials are refused stops (exit 1, AUTH_FAILED) and leaves the jobs to retry',
  { timeout: 30_000 },
  async (t) => {
    const redis = await testRedis(t);
    const prefix = uniquePrefix(t, 'fatal');
    const emu = await startEmulator({ seed: 3, conversations: 10, rateLimit: null });
    t.after(() => emu.close());
    const dir = tempDir(t);
    const ids = emu.dataset.conversationIds();
    await enqueueConversations({ redis, prefix, conversations: ids });
    const wrongSecret = 'not-the-secret-0123456789';
    const w = await spawnCliWorker(
      'w',
      [
        ...connectionArgs(emu),
        '--redis',
        REDIS_URL,
        '--prefix',
        prefix,
        '--out',
        join(dir, 'out'),
        '--state-dir',
        join(dir, 'state'),
        '--concurrency',
        '2',
      ],
      { GENESYSCLOUD_OAUTHCLIENT_SECRET: wrongSecret },
    );
    t.after(() => stopWorkers([w]));
    const { code } = await w.exited;
    assert.equal(code, 1, w.stderrTail());
    assert.match(w.stderrTail(), /AUTH_FAILED/);
    assert.ok(!w.stderrTail().includes(wrongSecret), 'the secret is never printed');
    // It stopped at the first failures: at most its in-flight jobs used an attempt, none failed for good.
    const s = await queueStatus({ redis, prefix });
    assert.equal(s.counts.failed, 0);
    assert.equal(s.counts.completed, 0);
    assert.ok(s.counts.waiting + s.counts.delayed === ids.length, JSON.stringify(s.counts));
    assert.ok(
      s.counts.delayed <= 2,
      `${s.counts.delayed} jobs used an attempt, more than the worker had in flight`,
    );
  },
);

test('one conversation twice in flight in one worker: the second attempt fails as retryable, the first exports it', async (t) => {
  const emu = await smallEmulator(t);
  const dir = tempDir(t);
  const p = await createPipelineProcessor({
    configs: [configFor(emu)],
    limiter: new InMemoryRateLimiter(),
    exportOptions: { outDir: join(dir, 'out'), stateDir: join(dir, 'state') },
  });
  t.after(() => p.close());
  const id = emu.dataset.conversationIds()[0]!;
  const ctx = jobFor(id);
  const [first, second] = await Promise.all([p.processor(id, ctx), p.processor(id, ctx)]);
  assert.equal(first.status, 'done', JSON.stringify(first));
  assert.deepEqual([second.status, second.errorCode], ['failed', 'IN_PROGRESS']);
  // Once the first finished, the conversation is this worker's to answer for again.
  assert.equal((await p.processor(id, ctx)).status, 'done');
});

test('a test that needs Redis and cannot reach it says how to start it', async (t) => {
  await assert.rejects(testRedis(t, 'redis://127.0.0.1:1'), (err: Error) => {
    assert.match(err.message, /this test needs Redis/);
    assert.match(err.message, /redis-server --daemonize yes --bind 127\.0\.0\.1 --port 6379/);
    assert.match(err.message, /GT_TEST_REDIS_URL/);
    return true;
  });
});

test('an export folder that refuses every write stops the worker (onFatal), as it stops an export', async (t) => {
  const emu = await smallEmulator(t);
  const dir = tempDir(t);
  const out = join(dir, 'out');
  // A file where the year folders go: every filesystem delivery fails (ENOTDIR), flagged fatal.
  mkdirSync(out, { recursive: true });
  for (const y of new Set(emu.interval.split('/').map((iso) => iso.slice(0, 4))))
    writeFileSync(join(out, y), 'in the way\n');
  const fatal: string[] = [];
  const p = await createPipelineProcessor({
    configs: [configFor(emu)],
    limiter: new InMemoryRateLimiter(),
    exportOptions: { outDir: out, stateDir: join(dir, 'state'), review: false },
    onFatal: (err) => fatal.push(err.code),
  });
  t.after(() => p.close());
  const id = emu.dataset.conversationIds()[0]!;
  const ctx = jobFor(id);
  await assert.rejects(p.processor(id, ctx), (err: Error & { code?: string }) => err.code === 'SINK_FAILED');
  assert.deepEqual(fatal, ['SINK_FAILED']);
});
