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
async function analyticsBackend(
  t: TestContext,
  data: Conv[],
  maxRecords: number,
  reportedHits?: number,
  /** the data lake's availability date: jobs return nothing that started after it */
  availability = T0 + 100 * DAY,
  /** the longest filtered sync query interval this backend accepts */
  maxFilteredDays = 31,
) {
  const bodies: Record<string, unknown>[] = [];
  const jobs = new Map<string, Conv[]>();
  const fake = await startFakeGenesys((req, res, raw) => {
    const url = new URL(req.url!, 'http://x');
    if (url.pathname === '/api/v2/analytics/conversations/details/query') {
      const q = JSON.parse(raw) as {
        interval: string;
        paging: { pageSize: number; pageNumber: number };
        segmentFilters?: unknown[];
        conversationFilters?: unknown[];
      };
      bodies.push(q);
      const [a, b] = q.interval.split('/').map(Date.parse) as [number, number];
      const filtered = (q.segmentFilters?.length ?? 0) + (q.conversationFilters?.length ?? 0) > 0;
      if (b - a > (filtered ? maxFilteredDays : 7) * DAY)
        return json(res, 400, { code: 'bad.request', message: 'interval too long' });
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
          (c) =>
            Date.parse(c.conversationStart) < b &&
            Date.parse(c.conversationStart) + 600_000 > a &&
            Date.parse(c.conversationStart) + 600_000 <= availability,
        ),
      );
      return json(res, 202, { jobId: id });
    }
    if (url.pathname === '/api/v2/analytics/conversations/details/jobs/availability')
      return json(res, 200, { dataAvailabilityDate: new Date(availability).toISOString() });
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
      const ids = url.searchParams.getAll('id').flatMap((v) => v.split(','));
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

test('interval over 7 days: one paged query per 7 days (not per day), each conversation exactly once, in start order', async (t) => {
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
  // 9 days and a bit: a 7-day slice and the rest, each paged (the touched days' 50-per-page).
  assert.equal(stats.slices, 2);
  const iso = (ms: number) => new Date(ms).toISOString();
  assert.deepEqual(
    [...new Set(bodies.map((b) => b.interval))],
    [`${iso(start)}/${iso(start + 7 * DAY)}`, `${iso(start + 7 * DAY)}/${iso(end)}`],
  );
  assert.equal(stats.apiCalls, bodies.length);
  assert.equal(stats.availabilityReads, 0, 'no job, no availability read');
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

test('with a filter, one paged query covers up to 31 days', async (t) => {
  const data = makeDataset(300, 20 * DAY);
  const { client, bodies } = await analyticsBackend(t, data, 10_000);
  const stats = newDiscoveryStats();
  const got = await collect(
    discoverConversations(
      client,
      { interval: '2026-11-01T00:00:00.000Z/2026-11-21T00:00:00.000Z', mediaTypes: ['voice'] },
      { stats, now: () => T0 + 22 * DAY },
    ),
  );
  assertExactlyOnce(got, data);
  assert.deepEqual(
    [...new Set(bodies.map((b) => b.interval))],
    ['2026-11-01T00:00:00.000Z/2026-11-21T00:00:00.000Z'],
  );
  // 300 conversations, 100 a page: three full pages, then the empty page that says "no more"
  // (totalHits is approximate while data arrives, so it is not trusted to stop early).
  assert.equal(stats.syncQueries, 4);
});

test('a job is trusted only up to the data availability date (less a margin): a busy day after it is reported incomplete, not silently short', async (t) => {
  const data = makeDataset(400, 2 * DAY);
  const availability = T0 + 36 * 3_600_000; // 12:00 on the second day
  const { client } = await analyticsBackend(t, data, 100, undefined, availability);
  const stats = newDiscoveryStats();
  const reported: { interval: string; reason: string }[] = [];
  const got = await collect(
    discoverConversations(
      client,
      { interval: '2026-11-01T00:00:00.000Z/2026-11-03T00:00:00.000Z' },
      {
        stats,
        pageSize: 25,
        maxRecordsPerQuery: 100,
        jobPollMs: 1,
        now: () => T0 + 2 * DAY,
        onIncomplete: (s) => reported.push(s),
      },
    ),
  );
  const trusted = availability - DAY; // 12:00 on the first day
  assertExactlyOnce(
    got,
    data.filter((c) => Date.parse(c.conversationStart) < trusted),
  );
  assert.equal(stats.availabilityReads, 1, 'read once per run');
  // The reported slices cover exactly what was not served: from 12:00 on the first day to the end.
  const parts = reported.map((r) => r.interval.split('/'));
  assert.equal(parts[0]![0], '2026-11-01T12:00:00.000Z');
  assert.equal(parts.at(-1)![1], '2026-11-03T00:00:00.000Z');
  for (let i = 1; i < parts.length; i += 1) assert.equal(parts[i]![0], parts[i - 1]![1], 'contiguous');
  assert.match(reported[0]!.reason, /availability date 2026-11-02T12:00:00.000Z/);
  assert.deepEqual(stats.incomplete, reported);
});

test('a window from past the sync reach to now: jobs for the old part, the sync query for the rest (after the availability date), each conversation once', async (t) => {
  const now = T0 + 40 * DAY;
  const data = makeDataset(300, 40 * DAY);
  // Some conversations in the last hours, which the data lake does not have yet.
  for (let i = 0; i < 5; i += 1)
    data.push({
      conversationId: `d0000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      conversationStart: new Date(now - (i + 1) * 1_800_000).toISOString(),
      originatingDirection: 'inbound',
    });
  const { client, bodies } = await analyticsBackend(t, data, 10_000, undefined, now - 3 * 3_600_000);
  const stats = newDiscoveryStats();
  const got = await collect(
    discoverConversations(
      client,
      { interval: `${new Date(T0).toISOString()}/${new Date(now).toISOString()}` },
      { stats, jobPageSize: 100, jobPollMs: 1, now: () => now },
    ),
  );
  assertExactlyOnce(got, data);
  assert.ok(stats.jobs >= 1, 'the old part went through jobs');
  assert.deepEqual(stats.incomplete, []);
  const reach = now - 35 * DAY;
  for (const b of bodies)
    assert.ok(Date.parse(String(b.interval).split('/')[0]!) >= reach, 'no sync query past its reach');
});

test('a service that refuses a filtered query over 7 days: the rest goes in 7-day spans, nothing lost or repeated', async (t) => {
  const data = makeDataset(300, 20 * DAY);
  const { client, bodies } = await analyticsBackend(t, data, 10_000, undefined, undefined, 7);
  const got = await collect(
    discoverConversations(
      client,
      { interval: '2026-11-01T00:00:00.000Z/2026-11-21T00:00:00.000Z', mediaTypes: ['voice'] },
      { now: () => T0 + 22 * DAY },
    ),
  );
  assertExactlyOnce(got, data);
  assert.deepEqual(
    [...new Set(bodies.map((b) => b.interval))],
    [
      '2026-11-01T00:00:00.000Z/2026-11-21T00:00:00.000Z',
      '2026-11-01T00:00:00.000Z/2026-11-08T00:00:00.000Z',
      '2026-11-08T00:00:00.000Z/2026-11-15T00:00:00.000Z',
      '2026-11-15T00:00:00.000Z/2026-11-21T00:00:00.000Z',
    ],
  );
});
