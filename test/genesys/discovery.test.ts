// Discovery against a scripted analytics backend with the real API's "started on a day touched
// by the interval" semantics and a records-per-query cap, so slicing, halving, the jobs fallback
// and dedupe are exercised precisely. (The 10,000-conversation run is in discovery.emulator.test.ts.)
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createGenesysClient } from '../../src/genesys/transport.ts';
import { discoverConversations, newDiscoveryStats, parseInterval } from '../../src/genesys/discovery.ts';
import { isGtError } from '../../src/errors.ts';
import { json, startFakeGenesys } from '../helpers/fake-genesys.ts';

const DAY = 86_400_000;
const T0 = Date.parse('2026-11-01T00:00:00.000Z');
/** "Now" for discovery: soon after the dataset, so its intervals are recent (sync query) on any day. */
const RECENT = () => T0 + 12 * DAY;

function makeDataset(n: number, spanMs: number, seed = 1) {
  let x = seed;
  const rnd = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: n }, (_, i) => ({
    conversationId: `c0000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    conversationStart: new Date(T0 + Math.floor(rnd() * spanMs)).toISOString(),
    originatingDirection: i % 2 ? 'inbound' : 'outbound',
  })).sort((a, b) => a.conversationStart.localeCompare(b.conversationStart));
}

type Conv = ReturnType<typeof makeDataset>[number];

/** The scripted backend and a client to it, both closed after the test. */
async function analyticsBackend(t: TestContext, data: Conv[], maxRecords: number, reportedHits?: number) {
  const bodies: Record<string, unknown>[] = [];
  const jobs = new Map<string, Conv[]>();
  const fake = await startFakeGenesys((req, res, raw) => {
    const url = new URL(req.url!, 'http://x');
    if (url.pathname === '/api/v2/analytics/conversations/details/query') {
      const q = JSON.parse(raw) as { interval: string; paging: { pageSize: number; pageNumber: number } };
      bodies.push(q);
      const [a, b] = q.interval.split('/').map(Date.parse) as [number, number];
      if (b - a > 7 * DAY) return json(res, 400, { code: 'bad.request', message: 'interval too long' });
      // Whole UTC days touched by the interval.
      const from = Math.floor(a / DAY) * DAY;
      const to = Math.ceil(b / DAY) * DAY;
      const hits = data.filter(
        (c) => Date.parse(c.conversationStart) >= from && Date.parse(c.conversationStart) < to,
      );
      const { pageSize, pageNumber } = q.paging;
      if (pageSize * pageNumber > maxRecords)
        return json(res, 400, { code: 'bad.request', message: 'too many records' });
      const page = hits.slice(pageSize * (pageNumber - 1), pageSize * pageNumber);
      const totalHits = reportedHits ?? hits.length;
      return json(res, 200, page.length ? { conversations: page, totalHits } : { totalHits });
    }
    if (url.pathname === '/api/v2/analytics/conversations/details/jobs' && req.method === 'POST') {
      const q = JSON.parse(raw) as { interval: string };
      const [a, b] = q.interval.split('/').map(Date.parse) as [number, number];
      const id = `job-${jobs.size + 1}`;
      jobs.set(
        id,
        data.filter(
          (c) => Date.parse(c.conversationStart) < b && Date.parse(c.conversationStart) + 600_000 > a,
        ),
      );
      return json(res, 202, { jobId: id });
    }
    const m = /^\/api\/v2\/analytics\/conversations\/details\/jobs\/([\w-]+)(\/results)?$/.exec(url.pathname);
    if (m) {
      const job = jobs.get(m[1]!)!;
      if (req.method === 'DELETE') return (res.writeHead(204), res.end());
      if (!m[2]) return json(res, 200, { state: 'FULFILLED' });
      const start = Number(url.searchParams.get('cursor') ?? 0);
      const size = Number(url.searchParams.get('pageSize'));
      const next = start + size < job.length ? String(start + size) : undefined;
      return json(res, 200, {
        conversations: job.slice(start, start + size),
        ...(next ? { cursor: next } : {}),
      });
    }
    if (url.pathname === '/api/v2/analytics/conversations/details') {
      const ids = url.searchParams.getAll('id');
      return json(res, 200, { conversations: data.filter((c) => ids.includes(c.conversationId)) });
    }
    json(res, 404, {});
  });
  const client = createGenesysClient(fake.config());
  t.after(async () => (await client.close(), await fake.close()));
  return { client, bodies };
}

/** Discovery yielded every conversation of the dataset, each exactly once. */
function assertExactlyOnce(got: string[], data: Conv[]): void {
  assert.equal(new Set(got).size, got.length, 'no conversation yielded twice');
  assert.deepEqual([...got].sort(), data.map((c) => c.conversationId).sort());
}

async function collect(it: AsyncIterable<{ conversationId?: string }>): Promise<string[]> {
  const out: string[] = [];
  for await (const c of it) out.push(c.conversationId!);
  return out;
}

test('interval over 7 days: day slices, each conversation exactly once, in start order', async (t) => {
  const data = makeDataset(600, 9 * DAY + 3_600_000);
  const { client, bodies } = await analyticsBackend(t, data, 10_000);
  const stats = newDiscoveryStats();
  // Starts mid-day and ends mid-day: the touched-day overlap must not leak conversations outside.
  const start = T0 + 6 * 3_600_000;
  const end = T0 + 9 * DAY + 1_800_000;
  const got = await collect(
    discoverConversations(
      client,
      { interval: `${new Date(start).toISOString()}/${new Date(end).toISOString()}` },
      { stats, pageSize: 50, now: RECENT },
    ),
  );
  const want = data
    .filter((c) => Date.parse(c.conversationStart) >= start && Date.parse(c.conversationStart) < end)
    .map((c) => c.conversationId);
  assert.deepEqual(got, want);
  assert.ok(
    bodies.every(
      (b) =>
        (b.paging as { pageSize: number }).pageSize === 50 &&
        b.order === 'asc' &&
        b.orderBy === 'conversationStart',
    ),
  );
  assert.equal(stats.slices, 10);
  assert.equal(stats.apiCalls, bodies.length);
  assert.ok(stats.skippedOverlap > 0, 'the backend did return out-of-slice conversations');
});

test('a slice over the records cap is halved; a day that cannot shrink goes to an async job', async (t) => {
  const data = makeDataset(400, 2 * DAY);
  const { client } = await analyticsBackend(t, data, 100); // cap far below one day's volume
  const stats = newDiscoveryStats();
  const got = await collect(
    discoverConversations(
      client,
      { interval: '2026-11-01T00:00:00Z/2026-11-03T00:00:00Z' },
      { stats, pageSize: 25, maxRecordsPerQuery: 100, jobPollMs: 5, now: RECENT },
    ),
  );
  assertExactlyOnce(got, data);
  // This backend answers per touched day, so halving never shrinks a day: jobs take over.
  assert.ok(stats.jobs >= 1);
});

test('old intervals (> maxDaysBack) use the async jobs flow', async (t) => {
  const data = makeDataset(120, 3 * DAY);
  const { client, bodies } = await analyticsBackend(t, data, 10_000);
  const stats = newDiscoveryStats();
  const got = await collect(
    discoverConversations(
      client,
      { interval: '2026-11-01T00:00:00Z/2026-11-04T00:00:00Z' },
      { stats, now: () => T0 + 60 * DAY, jobPageSize: 50, jobPollMs: 1 },
    ),
  );
  assertExactlyOnce(got, data);
  assert.equal(bodies.length, 0, 'no sync query');
  assert.equal(stats.jobs, 1);
});

test('explicit IDs: multi-get chunks of 100, duplicates once, unknown IDs reported, invalid IDs refused', async (t) => {
  const data = makeDataset(250, DAY);
  const { client } = await analyticsBackend(t, data, 10_000);
  const missing: string[] = [];
  const stats = newDiscoveryStats();
  async function* ids() {
    for (const c of data) yield c.conversationId;
    yield data[0]!.conversationId; // duplicate
    yield 'ffffffff-0000-4000-8000-000000000000'; // unknown
  }
  const got = await collect(
    discoverConversations(client, { conversationIds: ids() }, { stats, onMissing: (id) => missing.push(id) }),
  );
  assert.deepEqual(
    got,
    data.map((c) => c.conversationId),
  );
  assert.deepEqual(missing, ['ffffffff-0000-4000-8000-000000000000']);
  assert.equal(stats.multiGets, 3);
  await assert.rejects(
    collect(discoverConversations(client, { conversationIds: ['ok-1', '../etc/passwd'] })),
    (e) => isGtError(e, 'USAGE') && /#2/.test(e.message),
  );
});

test('filters become analytics predicates; an invalid interval is one clear error', async (t) => {
  const { client, bodies } = await analyticsBackend(t, [], 10_000);
  await collect(
    discoverConversations(
      client,
      {
        interval: '2026-11-01T00:00:00Z/2026-11-01T12:00:00Z',
        mediaTypes: ['voice', 'chat'],
        direction: 'inbound',
        queueIds: ['q-1'],
        divisionIds: ['d-1'],
      },
      { now: RECENT },
    ),
  );
  const q = bodies[0] as {
    segmentFilters: { type: string; predicates: { dimension: string; value: string }[] }[];
    conversationFilters: { predicates: { dimension: string; value: string }[] }[];
  };
  assert.deepEqual(
    q.segmentFilters[0]!.predicates.map((p) => `${p.dimension}=${p.value}`),
    ['mediaType=voice', 'mediaType=chat'],
  );
  assert.equal(q.segmentFilters[0]!.type, 'or');
  assert.deepEqual(
    q.segmentFilters[1]!.predicates.map((p) => `${p.dimension}=${p.value}`),
    ['queueId=q-1'],
  );
  assert.deepEqual(
    q.conversationFilters.map((f) => `${f.predicates[0]!.dimension}=${f.predicates[0]!.value}`),
    ['divisionId=d-1', 'originatingDirection=inbound'],
  );
  for (const bad of ['2026-11-02/2026-11-01', 'yesterday/today', '2026-11-01']) {
    assert.throws(
      () => parseInterval(bad),
      (e) => isGtError(e, 'USAGE') && /invalid interval/.test(e.message),
    );
  }
});

test('under-reported totalHits: reaching the records cap mid-slice hands over to a job, nothing dropped or repeated', async (t) => {
  const data = makeDataset(260, DAY);
  const { client } = await analyticsBackend(t, data, 100, 5); // claims 5 hits, holds 260
  const stats = newDiscoveryStats();
  const got = await collect(
    discoverConversations(
      client,
      { interval: '2026-11-01T00:00:00Z/2026-11-02T00:00:00Z' },
      { stats, pageSize: 50, maxRecordsPerQuery: 100, jobPollMs: 1, now: RECENT },
    ),
  );
  assertExactlyOnce(got, data);
  assert.equal(stats.jobs, 1, JSON.stringify(stats));
});
