import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RedisRateLimiter } from '../../src/distributed/redis-limiter.ts';
import { connectRedis } from '../../src/distributed/redis.ts';
import { isGtError } from '../../src/errors.ts';
import { maxInSlidingWindow, REDIS_URL, testRedis, uniquePrefix } from './helpers.ts';

// Two limiters on two connections stand for two worker processes.
async function twoLimiters(t: import('node:test').TestContext, perWindow: number, windowMs: number) {
  const a = await testRedis(t);
  const b = await testRedis(t);
  const prefix = uniquePrefix(t, 'limiter');
  const options = { perWindow, windowMs, slackMs: 0, prefix };
  return { a: new RedisRateLimiter(a, options), b: new RedisRateLimiter(b, options), redis: a, prefix };
}

/** `limiter` grants `key` nothing more for `ms`: the request waits until it is aborted. */
async function assertHeld(limiter: RedisRateLimiter, key: string, ms: number): Promise<void> {
  const ac = new AbortController();
  const held = limiter.acquire(key, ac.signal);
  setTimeout(() => ac.abort(), ms);
  await assert.rejects(held, (e) => isGtError(e, 'ABORTED'));
}

test('two processes share one budget per client: never more than perWindow grants in any window', async (t) => {
  const { a, b, prefix } = await twoLimiters(t, 5, 400);
  // Grant times are read from Redis (the sorted set's scores, Redis clock), not taken when the
  // local promise resolves: on a loaded machine a resolve can trail its grant by tens of ms and
  // make a correct schedule look too dense. A grant stays in the set for a whole window, so a
  // snapshot after each resolve and every 25 ms sees every one.
  const spy = await testRedis(t);
  const sentKey = `${prefix}:{client-1}:sent`;
  const grants = new Map<string, number>();
  const snapshot = async () => {
    const flat = await spy.zrange(sentKey, 0, -1, 'WITHSCORES');
    for (let i = 0; i < flat.length; i += 2) grants.set(flat[i]!, Number(flat[i + 1]));
  };
  const poll = setInterval(() => void snapshot(), 25);
  t.after(() => clearInterval(poll));
  const started = Date.now();
  let lastResolve = 0;
  const take = (l: RedisRateLimiter) =>
    l.acquire('client-1:analytics').then(async () => {
      lastResolve = Date.now();
      await snapshot();
    });
  await Promise.all([
    ...Array.from({ length: 8 }, () => take(a)),
    ...Array.from({ length: 7 }, () => take(b)),
  ]);
  clearInterval(poll);
  assert.equal(grants.size, 15, 'every grant was seen in Redis');
  // 15 grants at 5 per 400 ms need at least two full windows after the first five.
  assert.ok(lastResolve - started >= 780, `15 grants took only ${lastResolve - started} ms`);
  const times = [...grants.values()];
  assert.ok(
    maxInSlidingWindow(times, 400) <= 5,
    `max ${maxInSlidingWindow(times, 400)} grants in one window`,
  );
});

test('different OAuth clients have separate budgets; families of one client share it', async (t) => {
  const { a } = await twoLimiters(t, 2, 5000);
  await a.acquire('c1:analytics');
  await a.acquire('c1:recordings');
  await a.acquire('c2:analytics'); // another client: not blocked by c1's spent budget
  await assertHeld(a, 'c1:transcripts', 100);
});

test('a pause (429 Retry-After) seen by one process holds back the others', async (t) => {
  const { a, b } = await twoLimiters(t, 100, 1000);
  const t0 = Date.now();
  a.pauseUntil('client-1:analytics', t0 + 400);
  await new Promise((r) => setTimeout(r, 20)); // pauseUntil is fire-and-forget
  await b.acquire('client-1:recordings');
  assert.ok(Date.now() - t0 >= 380, `granted after ${Date.now() - t0} ms despite a 400 ms pause`);
});

test('the budget learnt from inin-ratelimit-allowed is shared', async (t) => {
  const { a, b } = await twoLimiters(t, 100, 60_000);
  a.observe('client-1:api', {
    'inin-ratelimit-allowed': '3',
    'inin-ratelimit-count': '1',
    'inin-ratelimit-reset': '60',
  });
  await new Promise((r) => setTimeout(r, 20));
  for (let i = 0; i < 3; i += 1) await b.acquire('client-1:api');
  await assertHeld(b, 'client-1:api', 150);
  assert.equal(b.waiting, 0);
});

test('a full server window our grants do not explain (another consumer of the client) pauses everyone until its reset', async (t) => {
  const { a, b } = await twoLimiters(t, 100, 60_000);
  const t0 = Date.now();
  a.observe('client-1:api', {
    'inin-ratelimit-allowed': '100',
    'inin-ratelimit-count': '100',
    'inin-ratelimit-reset': '1',
  });
  await new Promise((r) => setTimeout(r, 20));
  await b.acquire('client-1:api');
  assert.ok(Date.now() - t0 >= 950, `granted after ${Date.now() - t0} ms despite a 1 s reset`);
});

test('a full server window our own grants explain is no reason to pause: the limiter already paces for it', async (t) => {
  const { a, b, redis, prefix } = await twoLimiters(t, 3, 60_000);
  for (let i = 0; i < 3; i += 1) await a.acquire('client-1:api');
  // The server counted exactly our 3 requests: the window is full, as the limiter knows.
  b.observe('client-1:api', {
    'inin-ratelimit-allowed': '3',
    'inin-ratelimit-count': '3',
    'inin-ratelimit-reset': '60',
  });
  await new Promise((r) => setTimeout(r, 20));
  const pause = await redis.get(`${prefix}:{client-1}:pause`);
  assert.equal(pause, null, 'no pause recorded');
  // One more than we sent: someone else uses the client too.
  b.observe('client-1:api', {
    'inin-ratelimit-allowed': '3',
    'inin-ratelimit-count': '4',
    'inin-ratelimit-reset': '60',
  });
  await new Promise((r) => setTimeout(r, 20));
  assert.ok(Number(await redis.get(`${prefix}:{client-1}:pause`)) > 0, 'pause recorded');
});

test('Redis going away fails waiting requests with REDIS_UNAVAILABLE instead of guessing', async () => {
  const redis = await connectRedis(REDIS_URL);
  const limiter = new RedisRateLimiter(redis, { prefix: 'gt-test-gone' });
  redis.disconnect();
  await assert.rejects(limiter.acquire('c:api'), (e) => isGtError(e, 'REDIS_UNAVAILABLE'));
});

test('a server that answers without announcing a budget is paced by the ceiling alone, as in one process', async (t) => {
  // The assumed budget (3 per minute here) holds until the first answer...
  const { a, b } = await twoLimiters(t, 3, 60_000);
  for (let i = 0; i < 3; i += 1) await a.acquire('client-1:api');
  a.observe('client-1:api', {}); // ...which announces nothing: no pacing to a guess.
  await new Promise((r) => setTimeout(r, 20));
  for (let i = 0; i < 20; i += 1) await b.acquire('client-1:api');
  // A budget announced later is the budget again (3 − 5 % headroom → 3, all spent above).
  b.observe('client-1:api', {
    'inin-ratelimit-allowed': '3',
    'inin-ratelimit-count': '1',
    'inin-ratelimit-reset': '60',
  });
  a.observe('client-1:api', {}); // an answer without headers does not undo it
  await new Promise((r) => setTimeout(r, 20));
  await assertHeld(a, 'client-1:api', 150);
});

test('with a ceiling, a server that announces nothing is paced to the ceiling', async (t) => {
  const redis = await testRedis(t);
  const limiter = new RedisRateLimiter(redis, {
    perWindow: 100,
    windowMs: 60_000,
    slackMs: 0,
    ceiling: 4,
    prefix: uniquePrefix(t, 'limiter'),
  });
  limiter.observe('client-1:api', {});
  await new Promise((r) => setTimeout(r, 20));
  for (let i = 0; i < 4; i += 1) await limiter.acquire('client-1:api');
  await assertHeld(limiter, 'client-1:api', 150);
});
