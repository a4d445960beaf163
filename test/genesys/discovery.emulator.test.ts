// Discovery against the emulator: 10,000 conversations over a 10-day interval (more than the
// 7-day query limit) come out exactly once; a records cap that forces the async jobs fallback
// gives the same set; explicit IDs report unknown ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGenesysClient } from '../../src/genesys/transport.ts';
import { discoverConversations, newDiscoveryStats } from '../../src/genesys/discovery.ts';
import { isGtError } from '../../src/errors.ts';
import { startTestEmulator } from '../helpers/emulator.ts';

const INTERVAL = '2026-11-01T00:00:00.000Z/2026-11-11T00:00:00.000Z';

test('10,000 conversations across a split interval are yielded exactly once', async (t) => {
  const { emu, config } = await startTestEmulator(t, {
    conversations: 10_000,
    interval: INTERVAL,
    rateLimit: null,
  });
  const client = createGenesysClient(config);
  t.after(() => client.close());
  const stats = newDiscoveryStats();
  const seen = new Set<string>();
  let duplicates = 0;
  let lastStart = '';
  let outOfOrder = 0;
  for await (const c of discoverConversations(
    client,
    { interval: INTERVAL },
    { stats, now: () => Date.parse('2026-11-12T00:00:00Z') },
  )) {
    if (seen.has(c.conversationId!)) duplicates += 1;
    seen.add(c.conversationId!);
    if (c.conversationStart! < lastStart) outOfOrder += 1;
    lastStart = c.conversationStart!;
  }
  const want = emu.dataset.conversationIds();
  assert.equal(duplicates, 0);
  assert.equal(seen.size, want.length);
  assert.deepEqual([...seen].sort(), [...want].sort());
  assert.equal(outOfOrder, 0);
  const served = emu.stats().requests['analytics.details.query'] ?? {};
  assert.equal(stats.syncQueries, served['200'], 'discovery reports the API calls it made');
  assert.equal(Object.keys(served).filter((s) => s !== '200').length, 0, 'no query broke a limit');
  // One paged query per 7 days: a 7-day slice and a 3-day one (not one per day).
  assert.equal(stats.slices, 2);
  assert.ok(stats.syncQueries <= 10_000 / 100 + 2, `${stats.syncQueries} queries for 10,000 conversations`);
});

test("a records-per-query cap below a day's volume falls back to async jobs, same set", async (t) => {
  const interval = '2026-11-01T00:00:00.000Z/2026-11-03T00:00:00.000Z';
  const { emu, config } = await startTestEmulator(t, {
    conversations: 1500,
    interval,
    // The data lake has caught up with these days: jobs may serve all of them.
    now: '2026-11-05T00:00:00Z',
    rateLimit: null,
    jobDelayMs: 50,
    limits: { maxRecordsPerQuery: 300 },
  });
  const client = createGenesysClient(config);
  t.after(() => client.close());
  const stats = newDiscoveryStats();
  const got: string[] = [];
  for await (const c of discoverConversations(
    client,
    { interval },
    { stats, maxRecordsPerQuery: 300, jobPollMs: 25, now: () => Date.parse('2026-11-05T00:00:00Z') },
  ))
    got.push(c.conversationId!);
  assert.equal(new Set(got).size, got.length);
  assert.deepEqual([...got].sort(), [...emu.dataset.conversationIds()].sort());
  assert.ok(stats.jobs > 0);
  assert.equal(
    Object.keys(emu.stats().requests['analytics.details.query'] ?? {}).filter((s) => s !== '200').length,
    0,
  );
});

test('explicit IDs: found ones yielded, unknown ones reported, invalid ones refused', async (t) => {
  const { emu, config } = await startTestEmulator(t, { conversations: 150, rateLimit: null });
  const client = createGenesysClient(config);
  t.after(() => client.close());
  const ids = emu.dataset.conversationIds();
  const unknown = 'ffffffff-0000-4000-8000-000000000000';
  const missing: string[] = [];
  const got: string[] = [];
  for await (const c of discoverConversations(
    client,
    { conversationIds: [...ids, unknown] },
    { onMissing: (id) => missing.push(id) },
  ))
    got.push(c.conversationId!);
  assert.deepEqual(got, ids);
  assert.deepEqual(missing, [unknown]);
  assert.equal(emu.stats().requests['analytics.details.multiget']?.['200'], 2);
  await assert.rejects(
    (async () => {
      for await (const _ of discoverConversations(client, { conversationIds: ['bad id'] })) void _;
    })(),
    (e) => isGtError(e, 'USAGE'),
  );
});

test('an interval the API would refuse is one clear error before any call', async (t) => {
  const { emu, config } = await startTestEmulator(t, { conversations: 5 });
  const client = createGenesysClient(config);
  t.after(() => client.close());
  assert.throws(
    () => discoverConversations(client, { interval: '2026-11-05T00:00:00Z/2026-11-01T00:00:00Z' }),
    (e) => isGtError(e, 'USAGE') && /start must be before/.test(e.message),
  );
  assert.equal(emu.stats().totalRequests, 0);
});
