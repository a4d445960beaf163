// Enqueue → worker → queue-status, in one process against the real Redis.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  enqueueConversations,
  queueStatus,
  startWorker,
  type ConversationProcessor,
} from '../../src/distributed/index.ts';
import { testRedis, uniquePrefix } from './helpers.ts';

const ids = (n: number) => Array.from({ length: n }, () => randomUUID());

async function waitFor(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the queue');
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('enqueue is idempotent: job ID = conversation ID, a second run adds nothing', async (t) => {
  const redis = await testRedis(t);
  const prefix = uniquePrefix(t, 'enqueue');
  const list = ids(120);
  const first = await enqueueConversations({ redis, prefix, conversations: list, chunkSize: 50 });
  assert.deepEqual(first, { seen: 120, added: 120, alreadyQueued: 0 });
  // Overlapping second run, with objects as discovery yields them, and a repeat inside the input.
  const second = await enqueueConversations({
    redis,
    prefix,
    conversations: [...list.slice(100).map((conversationId) => ({ conversationId })), ...ids(5), list[0]!],
    chunkSize: 50,
  });
  assert.deepEqual(second, { seen: 26, added: 5, alreadyQueued: 21 });
  const status = await queueStatus({ redis, prefix });
  assert.equal(status.counts.waiting, 125);
});

test('enqueue rejects something that is not a conversation ID', async (t) => {
  const redis = await testRedis(t);
  const prefix = uniquePrefix(t, 'enqueue-bad');
  await assert.rejects(
    enqueueConversations({ redis, prefix, conversations: ['ok-id', 'bad:id'] }),
    /not a conversation ID/,
  );
});

test('a worker completes jobs, retries failures with backoff, and queue-status lists final failures with reasons', async (t) => {
  const redis = await testRedis(t);
  const prefix = uniquePrefix(t, 'worker');
  const [ok1, ok2, flaky, broken, missing] = ids(5) as [string, string, string, string, string];
  const attempts = new Map<string, number>();
  const processor: ConversationProcessor = async (id, ctx) => {
    attempts.set(id, ctx.attempt);
    if (id === flaky && ctx.attempt < 3)
      return { status: 'failed', errorCode: 'HTTP_ERROR', reason: 'server said 500' };
    if (id === broken) throw new Error('disk on fire');
    if (id === missing) return { status: 'failed', errorCode: 'NOT_FOUND', reason: 'no such conversation' };
    return { status: id === ok2 ? 'skipped' : 'done', reason: id === ok2 ? 'no recording' : undefined };
  };
  await enqueueConversations({
    redis,
    prefix,
    conversations: [ok1, ok2, flaky, broken, missing],
    jobOptions: { attempts: 3, backoff: { type: 'exponential', delay: 20 } },
  });
  const w = await startWorker({ redis, prefix, processor, concurrency: 2 });
  t.after(() => w.close());
  await waitFor(async () => {
    const s = await queueStatus({ redis, prefix });
    return s.counts.completed + s.counts.failed === 5;
  });
  const s = await queueStatus({ redis, prefix });
  assert.equal(s.counts.completed, 3);
  assert.equal(s.counts.failed, 2);
  assert.equal(attempts.get(flaky), 3, 'the flaky one succeeded on its third attempt');
  assert.equal(attempts.get(broken), 3, 'a thrown error is retried until attempts run out');
  assert.equal(attempts.get(missing), 1, 'NOT_FOUND is permanent: no retry');
  const reasons = Object.fromEntries(s.failed.map((f) => [f.conversationId, f.reason]));
  assert.equal(reasons[broken], 'disk on fire');
  assert.equal(reasons[missing], 'NOT_FOUND: no such conversation');
  assert.equal(s.failed.find((f) => f.conversationId === broken)?.attempts, 3);
});

test('close() lets in-flight jobs finish (graceful shutdown)', async (t) => {
  const redis = await testRedis(t);
  const prefix = uniquePrefix(t, 'graceful');
  const list = ids(4);
  await enqueueConversations({ redis, prefix, conversations: list });
  const finished: string[] = [];
  let started = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const w = await startWorker({
    redis,
    prefix,
    concurrency: 2,
    processor: async (id) => {
      started += 1;
      await gate;
      finished.push(id);
      return { status: 'done' };
    },
  });
  await waitFor(async () => started === 2);
  const closing = w.close();
  setTimeout(release, 100);
  await closing;
  assert.equal(finished.length, 2, 'both in-flight jobs finished before close() resolved');
  const s = await queueStatus({ redis, prefix });
  assert.equal(s.counts.completed, 2);
  assert.equal(s.counts.waiting, 2, 'no new job was taken after close()');
  assert.equal(s.counts.active, 0);
});
