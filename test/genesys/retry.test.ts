import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fullJitterDelay, parseRetryAfter, RetryTokenBucket } from '../../src/genesys/retry.ts';

test('full jitter: delay spans [0, min(cap, base·2^(n-1))) and follows the random draw', () => {
  const o = { baseMs: 100, capMs: 1000 };
  assert.equal(fullJitterDelay(1, { ...o, random: () => 0 }), 0);
  assert.equal(fullJitterDelay(1, { ...o, random: () => 0.999 }), 99);
  assert.equal(fullJitterDelay(3, { ...o, random: () => 0.5 }), 200);
  assert.equal(fullJitterDelay(10, { ...o, random: () => 0.5 }), 500); // capped at 1000
  const draws = Array.from({ length: 200 }, () => fullJitterDelay(4, o));
  assert.ok(draws.every((d) => d >= 0 && d < 800));
  assert.ok(new Set(draws).size > 50, 'jitter spreads retries');
});

test('Retry-After: seconds, fractional seconds, HTTP date, garbage', () => {
  assert.equal(parseRetryAfter('3'), 3000);
  assert.equal(parseRetryAfter(['2']), 2000);
  assert.equal(parseRetryAfter('0.5'), 500);
  const now = Date.parse('2026-11-01T00:00:00Z');
  assert.equal(parseRetryAfter('Sun, 01 Nov 2026 00:00:07 GMT', now), 7000);
  assert.equal(parseRetryAfter('Sun, 01 Nov 2026 00:00:00 GMT', now + 5000), 0);
  assert.equal(parseRetryAfter(undefined), undefined);
  assert.equal(parseRetryAfter('soon'), undefined);
});

test('retry token bucket: retries drain it, timeouts cost more, successes refund', () => {
  const b = new RetryTokenBucket({ capacity: 20, retryCost: 5, timeoutCost: 10, noRetryIncrement: 1 });
  assert.equal(b.acquire('other'), 5);
  assert.equal(b.acquire('timeout'), 10);
  assert.equal(b.available, 5);
  assert.equal(b.acquire('timeout'), undefined, 'not enough for a timeout retry');
  assert.equal(b.acquire('other'), 5);
  assert.equal(b.acquire('other'), undefined, 'empty: no more retries');
  b.release(15); // the request that spent 15 finally succeeded
  assert.equal(b.available, 15);
  b.release(0); // a first-try success adds 1
  assert.equal(b.available, 16);
  for (let i = 0; i < 50; i += 1) b.release(0);
  assert.equal(b.available, 20, 'never above capacity');
});
