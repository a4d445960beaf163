// Three worker processes, one OAuth client, one budget: the emulator's own request log shows the
// combined rate never above the budget, and no 429 at all (the limiter knows the budget).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enqueueConversations, queueStatus } from '../../src/distributed/index.ts';
import { maxInSlidingWindow, REDIS_URL, testRedis, uniquePrefix } from './helpers.ts';
import { readDeliveries, spawnWorker, stopAll } from './child-workers.ts';
import { startBudgetOracle } from './budget-oracle.ts';

const PER_WINDOW = 30;
const WINDOW_MS = 2000;

test('3 workers on one client stay within the shared budget: zero 429s', { timeout: 60_000 }, async (t) => {
  const emu = await startBudgetOracle({ conversations: 75, rateLimit: { perWindow: PER_WINDOW, windowMs: WINDOW_MS } });
  t.after(() => emu.close());
  t.diagnostic(`rate oracle: ${emu.kind}`);
  const redis = await testRedis(t);
  const prefix = uniquePrefix(t, 'budget');
  const dir = mkdtempSync(join(tmpdir(), 'gt-budget-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'deliveries.txt');
  const ids = emu.dataset.conversationIds().slice(0, 75);
  await enqueueConversations({ redis, prefix, conversations: ids });

  const env = (tag: string) => ({
    GT_CHILD_REDIS: REDIS_URL,
    GT_CHILD_PREFIX: prefix,
    GT_CHILD_OUT: out,
    GT_CHILD_TAG: tag,
    GT_CHILD_CONCURRENCY: '4',
    GT_CHILD_API_URL: emu.baseUrl,
    GT_CHILD_LOGIN_URL: emu.loginUrl,
    GT_CHILD_CLIENT_ID: emu.clientId,
    GT_CHILD_CLIENT_SECRET: emu.clientSecret,
    GT_CHILD_PER_WINDOW: String(PER_WINDOW),
    GT_CHILD_WINDOW_MS: String(WINDOW_MS),
  });
  const workers = await Promise.all(['w0', 'w1', 'w2'].map((tag) => spawnWorker(env(tag))));
  t.after(() => stopAll(workers));

  const deadline = Date.now() + 40_000;
  for (;;) {
    const s = await queueStatus({ redis, prefix });
    if (s.counts.completed + s.counts.failed >= ids.length) break;
    assert.ok(Date.now() < deadline, `not finished: ${JSON.stringify(s.counts)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  await stopAll(workers);
  const status = await queueStatus({ redis, prefix });
  assert.equal(status.counts.completed, ids.length, JSON.stringify(status.failed));
  assert.equal(new Set(readDeliveries(out).map((d) => d.id)).size, ids.length);

  const stats = emu.stats();
  const times = stats.apiRequestTimes[emu.clientId] ?? [];
  assert.ok(times.length >= ids.length, `the emulator saw ${times.length} API requests`);
  const peak = maxInSlidingWindow(times, WINDOW_MS);
  assert.ok(peak <= PER_WINDOW, `${peak} requests in one ${WINDOW_MS} ms window (budget ${PER_WINDOW})`);
  // The limiter was binding, not idle: 75 requests need at least two windows at this budget.
  assert.ok(peak >= PER_WINDOW * 0.8, `peak ${peak}: the workers never pressed against the budget`);
  assert.equal(stats.rateLimited, 0, 'no 429: the budget was known and shared');
  const spread = Object.groupBy(readDeliveries(out), (d) => d.tag);
  assert.ok(Object.keys(spread).length >= 2, 'work was spread over the workers');
});
