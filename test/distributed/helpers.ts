// Shared by the distributed tests: a real Redis at 127.0.0.1:6379 (a test fails, with the command
// to start it, when it is unreachable), a unique prefix per test, and cleanup of every key under it.
import { randomUUID } from 'node:crypto';
import type { TestContext } from 'node:test';
import type { Redis } from 'ioredis';
import { connectRedis } from '../../src/distributed/redis.ts';

export const REDIS_URL = process.env.GT_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * A connected client, closed after the test. Without Redis the test fails with REDIS_UNAVAILABLE,
 * the command that starts one, and the variable that points the tests at another.
 */
export async function testRedis(t: TestContext, url = REDIS_URL): Promise<Redis> {
  let redis: Redis;
  try {
    redis = await connectRedis(url, { connectTimeoutMs: 2000 });
  } catch (err) {
    throw new Error(`this test needs Redis: ${(err as Error).message} (or set GT_TEST_REDIS_URL)`, {
      cause: err,
    });
  }
  t.after(() => redis.quit().catch(() => {}));
  return redis;
}

/** A unique prefix; every key under it is deleted after the test. */
export function uniquePrefix(t: TestContext, label: string): string {
  const prefix = `gt-test-${label}-${randomUUID().slice(0, 8)}`;
  // Its own connection: after-hooks run in registration order, so the test's clients may be gone.
  t.after(async () => {
    const redis = await connectRedis(REDIS_URL);
    try {
      await deleteKeys(redis, `${prefix}*`);
    } finally {
      await redis.quit();
    }
  });
  return prefix;
}

export async function deleteKeys(redis: Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
}

/** Max number of times in any window [t, t+windowMs). */
export function maxInSlidingWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let max = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end += 1) {
    while (sorted[end]! - sorted[start]! >= windowMs) start += 1;
    max = Math.max(max, end - start + 1);
  }
  return max;
}
