import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { InMemoryRateLimiter, clientOfKey, rateLimitKey } from '../../src/genesys/rate-limiter.ts';
import { isGtError } from '../../src/errors.ts';

test('keys are clientId:family; the budget belongs to the client', () => {
  assert.equal(rateLimitKey('abc-1', 'analytics'), 'abc-1:analytics');
  assert.equal(clientOfKey('abc-1:analytics'), 'abc-1');
});

test('paces to perWindow per window, across families of one client', async (t) => {
  // The limiter's clock is the test's: grants are checked against the exact window edge, and a
  // loaded machine (callbacks running late) cannot make a correct schedule look wrong.
  let clock = 0;
  const l = new InMemoryRateLimiter({ perWindow: 5, windowMs: 200, slackMs: 0, now: () => clock });
  const stop = new AbortController(); // a failed assertion must not leave waiters (and timers) behind
  t.after(() => stop.abort());
  let granted = 0;
  const all = Promise.allSettled(
    Array.from({ length: 12 }, (_, i) =>
      l.acquire(rateLimitKey('c', i % 2 ? 'a' : 'b'), stop.signal).then(() => granted++),
    ),
  );
  const grantedAt = async (ms: number) => {
    clock = ms;
    await sleep(260); // past the limiter's wake-up timer (≤ 200 ms), whatever the load
    return granted;
  };
  assert.equal(await grantedAt(0), 5, 'the first window: 5 sends');
  assert.equal(await grantedAt(199), 5, '1 ms before the window slides: still 5');
  assert.equal(await grantedAt(200), 10, 'the window slid: 5 more');
  assert.equal(await grantedAt(399), 10);
  assert.equal(await grantedAt(400), 12);
  await all;
  assert.equal(l.waiting, 0);
});

test('another client has its own budget', async () => {
  const l = new InMemoryRateLimiter({ perWindow: 1, windowMs: 10_000 });
  await l.acquire('one:x');
  await l.acquire('two:x'); // would hang 10 s if budgets were shared
});

test('learns the budget from inin-ratelimit-allowed', async () => {
  const l = new InMemoryRateLimiter({ perWindow: 100, windowMs: 10_000 });
  l.observe('c:x', {
    'inin-ratelimit-allowed': '2',
    'inin-ratelimit-count': '1',
    'inin-ratelimit-reset': '10',
  });
  await l.acquire('c:x');
  await l.acquire('c:x');
  let third = false;
  const ac = new AbortController();
  const p = l.acquire('c:x', ac.signal).then(() => (third = true));
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(third, false, 'third request must wait for the window');
  ac.abort();
  await assert.rejects(p);
});

test('pauseUntil holds every family of the client until the instant; retries go first', async () => {
  const l = new InMemoryRateLimiter({ perWindow: 100, windowMs: 1000 });
  const until = Date.now() + 150;
  l.pauseUntil('c:analytics', until);
  const order: string[] = [];
  const sent: number[] = [];
  const a = l.acquire('c:recordings').then(() => (order.push('new'), sent.push(Date.now())));
  const b = l
    .acquire('c:analytics', undefined, { priority: 'retry' })
    .then(() => (order.push('retry'), sent.push(Date.now())));
  await Promise.all([a, b]);
  assert.deepEqual(order, ['retry', 'new']);
  assert.ok(
    sent.every((t) => t >= until),
    'nothing before the pause ends',
  );
});

test('server says the window is spent → pause until its reset', async () => {
  const l = new InMemoryRateLimiter({ perWindow: 100, windowMs: 60_000 });
  const t0 = Date.now();
  l.observe('c:x', {
    'inin-ratelimit-allowed': '10',
    'inin-ratelimit-count': '10',
    'inin-ratelimit-reset': '0.2',
  });
  await l.acquire('c:x');
  assert.ok(Date.now() - t0 >= 195);
});

test('abort while waiting rejects with ABORTED and frees the slot', async () => {
  const l = new InMemoryRateLimiter({ perWindow: 1, windowMs: 60_000 });
  await l.acquire('c:x');
  const ac = new AbortController();
  const p = l.acquire('c:x', ac.signal);
  ac.abort();
  await assert.rejects(p, (e) => isGtError(e, 'ABORTED'));
  assert.equal(l.waiting, 0);
});

test('the budget is a ceiling: the smaller of --rate-limit and the announced budget less the headroom', async () => {
  const { effectiveBudget } = await import('../../src/genesys/budget.ts');
  assert.equal(effectiveBudget(600, { ceiling: 540 }), 540, 'the ceiling binds below 600 − 5 %');
  assert.equal(effectiveBudget(600), 570, 'no ceiling: 5 % headroom');
  assert.equal(effectiveBudget(300, { ceiling: 1000 }), 285, 'a ceiling never raises the budget');
  assert.equal(effectiveBudget(600, { headroom: 0.2 }), 480);
  assert.equal(effectiveBudget(2), 2, 'the headroom rounds down: tiny budgets stay usable');
});

test('an announced 600 with a ceiling of 3 grants 3 per window, not 600', async () => {
  const l = new InMemoryRateLimiter({ ceiling: 3, windowMs: 10_000 });
  l.observe('c:x', {
    'inin-ratelimit-allowed': '600',
    'inin-ratelimit-count': '1',
    'inin-ratelimit-reset': '10',
  });
  for (let i = 0; i < 3; i += 1) await l.acquire('c:x');
  const ac = new AbortController();
  const fourth = l.acquire('c:x', ac.signal);
  setTimeout(() => ac.abort(), 50);
  await assert.rejects(fourth, (e) => isGtError(e, 'ABORTED'));
});

test('a server that announces no budget is not paced to a guess (no ceiling), or paced to the ceiling', async () => {
  const free = new InMemoryRateLimiter({ perWindow: 2, windowMs: 60_000 });
  await free.acquire('c:x');
  free.observe('c:x', {});
  for (let i = 0; i < 50; i += 1) await free.acquire('c:x'); // would wait a minute at the assumed 2
  const capped = new InMemoryRateLimiter({ perWindow: 2, ceiling: 2, windowMs: 60_000 });
  await capped.acquire('c:x');
  capped.observe('c:x', {});
  await capped.acquire('c:x');
  const ac = new AbortController();
  const third = capped.acquire('c:x', ac.signal);
  setTimeout(() => ac.abort(), 50);
  await assert.rejects(third, (e) => isGtError(e, 'ABORTED'));
});
