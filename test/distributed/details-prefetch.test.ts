// The worker's conversation lookups: one multi-get shared with the next jobs of the queue.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DetailsPrefetcher } from '../../src/distributed/details-prefetch.ts';

const conv = (id: string) => ({ conversationId: id, conversationStart: '2026-11-01T10:00:00.000Z' });

function fake(known: readonly string[], queue: string[] = []) {
  const calls: string[][] = [];
  let failNext = false;
  return {
    calls,
    failNext: () => (failNext = true),
    fetchMany: async (ids: string[]) => {
      calls.push([...ids]);
      await new Promise((r) => setTimeout(r, 5));
      if (failNext) {
        failNext = false;
        throw new Error('503');
      }
      return ids.filter((id) => known.includes(id)).map(conv);
    },
    upcoming: async (n: number) => queue.slice(0, n),
  };
}

test('the next jobs of the queue ride on one multi-get; each is taken once', async () => {
  const f = fake(['a', 'b', 'c', 'd'], ['b', 'c', 'd']);
  const p = new DetailsPrefetcher({ fetchMany: f.fetchMany, upcoming: f.upcoming });
  assert.equal((await p.get('a'))?.conversationId, 'a');
  assert.deepEqual(f.calls, [['a', 'b', 'c', 'd']]);
  assert.deepEqual(await Promise.all(['b', 'c', 'd'].map(async (id) => (await p.get(id))?.conversationId)), [
    'b',
    'c',
    'd',
  ]);
  assert.equal(f.calls.length, 1, 'no further call for prefetched conversations');
  // Taken means gone: a second job for the same conversation looks it up again.
  await p.get('b');
  assert.equal(f.calls.length, 2);
  assert.deepEqual(p.stats, { hits: 5, misses: 0, batches: 2 });
});

test('a job whose ID is in a batch still in flight waits for it instead of sending its own', async () => {
  const f = fake(['a', 'b'], ['b']);
  const p = new DetailsPrefetcher({ fetchMany: f.fetchMany, upcoming: f.upcoming });
  const first = p.get('a');
  await new Promise((r) => setImmediate(r)); // the batch has read the queue
  const [a, b] = await Promise.all([first, p.get('b')]);
  assert.deepEqual([a?.conversationId, b?.conversationId], ['a', 'b']);
  assert.equal(f.calls.length, 1);
});

test('batches hold at most batchSize IDs, the requested one first, without IDs already cached', async () => {
  const ids = Array.from({ length: 30 }, (_, i) => `id-${i}`);
  const f = fake(ids, ids.slice(1));
  const p = new DetailsPrefetcher({ fetchMany: f.fetchMany, upcoming: f.upcoming, batchSize: 10 });
  await p.get('id-0');
  assert.deepEqual(f.calls[0], ids.slice(0, 10));
  await p.get('id-20');
  assert.equal(f.calls[1]![0], 'id-20');
  assert.ok(
    !f.calls[1]!.slice(1).some((id) => ids.slice(1, 10).includes(id)),
    'cached IDs are not fetched again',
  );
  assert.equal(f.calls[1]!.length, 10);
});

test('unknown IDs and failed multi-gets leave the lookup to the caller', async () => {
  const f = fake(['a'], []);
  const p = new DetailsPrefetcher({ fetchMany: f.fetchMany, upcoming: f.upcoming });
  assert.equal(await p.get('missing'), undefined);
  f.failNext();
  assert.equal(await p.get('a'), undefined, 'a failed multi-get is a miss, not an error');
  assert.equal((await p.get('a'))?.conversationId, 'a', 'the next lookup tries again');
  const broken = new DetailsPrefetcher({
    fetchMany: f.fetchMany,
    upcoming: async () => {
      throw new Error('Redis down');
    },
  });
  assert.equal((await broken.get('a'))?.conversationId, 'a', 'without the queue: a batch of one');
  assert.deepEqual(f.calls.at(-1), ['a']);
});

test('prefetched conversations expire after ttlMs and never exceed maxEntries', async () => {
  let now = 1000;
  const ids = Array.from({ length: 20 }, (_, i) => `id-${i}`);
  const f = fake(ids, ids.slice(1));
  const p = new DetailsPrefetcher({
    fetchMany: f.fetchMany,
    upcoming: f.upcoming,
    ttlMs: 100,
    maxEntries: 5,
    now: () => now,
  });
  await p.get('id-0');
  // 19 fetched, 5 kept (the newest); id-1 was evicted, so it costs a call.
  assert.equal((p as unknown as { cache: Map<string, unknown> }).cache.size, 5);
  await p.get('id-1');
  assert.equal(f.calls.length, 2);
  now += 101;
  await p.get('id-19');
  assert.equal(f.calls.length, 3, 'an expired entry is fetched again');
});
