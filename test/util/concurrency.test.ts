import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { mapConcurrent } from '../../src/util/concurrency.ts';

test('never runs more than the limit and pulls the source lazily', async () => {
  let active = 0;
  let maxActive = 0;
  let pulled = 0;
  async function* source() {
    for (let i = 0; i < 50; i += 1) {
      pulled += 1;
      yield i;
    }
  }
  const seen: number[] = [];
  for await (const v of mapConcurrent(source(), 3, async (i) => {
    active += 1;
    maxActive = Math.max(maxActive, active);
    await sleep(i % 3);
    active -= 1;
    return i * 2;
  })) {
    seen.push(v);
    // Backpressure: the source is never more than `limit` items ahead of what was consumed.
    assert.ok(pulled - seen.length <= 3, `pulled ${pulled}, consumed ${seen.length}`);
  }
  assert.equal(maxActive, 3);
  assert.deepEqual(
    seen.sort((a, b) => a - b),
    Array.from({ length: 50 }, (_, i) => i * 2),
  );
});

test('a task error reaches the consumer', async () => {
  const run = async () => {
    for await (const _ of mapConcurrent([1, 2, 3], 2, async (i) => {
      if (i === 2) throw new Error('boom');
      return i;
    })) {
      // consume
    }
  };
  await assert.rejects(run, /boom/);
});
