// Several worker PROCESSES on one queue: each conversation exported once, and a worker killed
// with SIGKILL mid-job loses nothing (BullMQ's stalled-job recovery gives its jobs to the others).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enqueueConversations, queueStatus } from '../../src/distributed/index.ts';
import { openQueue } from '../../src/distributed/queue.ts';
import { REDIS_URL, testRedis, uniquePrefix } from './helpers.ts';
import { readDeliveries, spawnWorker, stopAll } from './child-workers.ts';

const CONCURRENCY = 4;

test('3 worker processes export 500 conversations; SIGKILL of one mid-job loses nothing', { timeout: 60_000 }, async (t) => {
  const redis = await testRedis(t);
  const prefix = uniquePrefix(t, 'procs');
  const dir = mkdtempSync(join(tmpdir(), 'gt-dist-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'deliveries.txt');
  const ids: string[] = Array.from({ length: 500 }, () => randomUUID());
  const added = await enqueueConversations({ redis, prefix, conversations: ids, chunkSize: 200 });
  assert.equal(added.added, 500);

  const env = (tag: string) => ({
    GT_CHILD_REDIS: REDIS_URL,
    GT_CHILD_PREFIX: prefix,
    GT_CHILD_OUT: out,
    GT_CHILD_TAG: tag,
    GT_CHILD_CONCURRENCY: String(CONCURRENCY),
    GT_CHILD_JOB_MS: '30',
    // Short lock/stall so the killed worker's jobs come back within ~3 s (production: 30 s).
    GT_CHILD_LOCK_MS: '1500',
    GT_CHILD_STALL_MS: '750',
  });
  const workers = await Promise.all(['w0', 'w1', 'w2'].map((tag) => spawnWorker(env(tag))));
  t.after(() => stopAll(workers));

  // Kill w0 while it is busy: it has delivered some, and more are in flight (jobs keep coming).
  const deadline = Date.now() + 20_000;
  while (readDeliveries(out).filter((d) => d.tag === 'w0').length < 20) {
    assert.ok(Date.now() < deadline, 'w0 never got going');
    await new Promise((r) => setTimeout(r, 10));
  }
  workers[0]!.proc.kill('SIGKILL');
  assert.equal(await workers[0]!.exited, null, 'w0 died of SIGKILL');

  while ((await queueStatus({ redis, prefix })).counts.completed < 500) {
    assert.ok(Date.now() < deadline + 20_000, `not all completed: ${JSON.stringify((await queueStatus({ redis, prefix })).counts)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const status = await queueStatus({ redis, prefix });
  assert.equal(status.counts.failed, 0, JSON.stringify(status.failed));

  // w0's in-flight jobs were recovered by the stalled check, not lost and not failed.
  const q = await openQueue({ redis, prefix });
  const completed = await q.queue.getCompleted(0, 999);
  await q.close();
  const recovered = completed.filter((j) => j.stalledCounter > 0).length;
  assert.ok(recovered >= 1 && recovered <= CONCURRENCY, `${recovered} jobs recovered from w0's stall`);

  const deliveries = readDeliveries(out);
  const distinct = new Set(deliveries.map((d) => d.id));
  assert.equal(distinct.size, 500, 'every conversation was delivered');
  assert.ok([...distinct].every((id) => ids.includes(id)));
  // Exactly-once holds at the job level (500 completed, no job twice in the completed set). At the
  // sink, a conversation can be delivered twice only if w0 died between writing it and BullMQ
  // marking it complete: at most its in-flight jobs. Idempotent sinks (same path, same bytes) make
  // such a second delivery harmless; this counts them.
  const duplicates = deliveries.length - distinct.size;
  assert.ok(duplicates <= CONCURRENCY, `${duplicates} duplicate deliveries, more than w0 had in flight`);
  const byWorker = Object.groupBy(deliveries, (d) => d.tag);
  assert.ok((byWorker.w1?.length ?? 0) > 0 && (byWorker.w2?.length ?? 0) > 0, 'the survivors shared the work');
  t.diagnostic(`deliveries: ${deliveries.length} (${duplicates} duplicate), ${recovered} recovered after the stall, w0 ${byWorker.w0?.length}, w1 ${byWorker.w1?.length}, w2 ${byWorker.w2?.length}`);

  // The survivors stop gracefully on SIGTERM.
  workers[1]!.proc.kill('SIGTERM');
  workers[2]!.proc.kill('SIGTERM');
  assert.equal(await workers[1]!.exited, 0, workers[1]!.stderr());
  assert.equal(await workers[2]!.exited, 0, workers[2]!.stderr());
});
