// Analytics: the sync details query (day-touched semantics, paging, filters, ordering, every limit
// as a 400), single and multi get, and async jobs with cursor paging.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunningEmulator } from '../../src/emulator/index.ts';
import { api, json, sleep, start, token } from './helpers.ts';

const QUERY = '/api/v2/analytics/conversations/details/query';
const JOBS = '/api/v2/analytics/conversations/details/jobs';

async function query(emu: RunningEmulator, bearer: string, body: unknown) {
  const res = await api(emu, bearer, QUERY, { body });
  return { status: res.status, body: await json(res) };
}

test('sync query pages through every conversation once, in order, and omits conversations past the last page', async (t) => {
  const emu = await start(t, { conversations: 230, rateLimit: null });
  const bearer = await token(emu);
  const seen: string[] = [];
  let totalHits = -1;
  for (let page = 1; ; page++) {
    const { status, body } = await query(emu, bearer, {
      interval: emu.interval,
      paging: { pageSize: 100, pageNumber: page },
      order: 'asc',
      orderBy: 'conversationStart',
    });
    assert.equal(status, 200);
    totalHits = body.totalHits;
    if (!body.conversations) {
      assert.equal(page, 4, 'three full-or-partial pages, then none');
      break;
    }
    seen.push(...body.conversations.map((c: { conversationId: string }) => c.conversationId));
  }
  assert.equal(totalHits, 230);
  assert.deepEqual([...seen].sort(), [...emu.dataset.conversationIds()].sort());
  const starts = seen.map((id) => emu.dataset.conversation(id)!.conversationStart!);
  assert.deepEqual(starts, [...starts].sort());
  const desc = await query(emu, bearer, {
    interval: emu.interval,
    order: 'desc',
    paging: { pageSize: 5, pageNumber: 1 },
  });
  assert.equal(desc.body.conversations[0].conversationStart, starts[starts.length - 1]);
  const defaults = await query(emu, bearer, { interval: emu.interval });
  assert.equal(defaults.body.conversations.length, 25, 'default page size is 25');
});

test('the sync query returns conversations that started on a day touched by the interval', async (t) => {
  const emu = await start(t, { conversations: 300, rateLimit: null });
  const bearer = await token(emu);
  const { body } = await query(emu, bearer, {
    interval: '2026-11-03T10:00:00.000Z/2026-11-03T11:00:00.000Z',
    paging: { pageSize: 100, pageNumber: 1 },
  });
  const want = emu.dataset
    .conversationIds()
    .filter((id) => emu.dataset.conversation(id)!.conversationStart!.startsWith('2026-11-03'));
  assert.ok(want.length > 10);
  assert.equal(body.totalHits, want.length);
  assert.deepEqual(
    body.conversations.map((c: { conversationId: string }) => c.conversationId).sort(),
    [...want].sort(),
  );
});

test('segment and conversation filters select by mediaType, purpose, userId and divisionId', async (t) => {
  const emu = await start(t, { conversations: 150, rateLimit: null });
  const bearer = await token(emu);
  const all = emu.dataset.conversationIds().map((id) => emu.dataset.conversation(id)!);
  const mediaOf = (c: (typeof all)[number]) => c.participants![0]!.sessions![0]!.mediaType;
  const page = { pageSize: 100, pageNumber: 1 };
  const ids = async (body: Record<string, unknown>) => {
    const out: string[] = [];
    for (let n = 1; ; n++) {
      const r = await query(emu, bearer, {
        interval: emu.interval,
        ...body,
        paging: { ...page, pageNumber: n },
      });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      if (!r.body.conversations) return out.sort();
      out.push(...r.body.conversations.map((c: { conversationId: string }) => c.conversationId));
    }
  };
  const voice = await ids({
    segmentFilters: [
      {
        type: 'and',
        clauses: [
          {
            type: 'and',
            predicates: [{ type: 'dimension', dimension: 'mediaType', operator: 'matches', value: 'voice' }],
          },
        ],
      },
    ],
  });
  assert.deepEqual(
    voice,
    all
      .filter((c) => mediaOf(c) === 'voice')
      .map((c) => c.conversationId!)
      .sort(),
  );
  const chatOrEmail = await ids({
    segmentFilters: [
      {
        type: 'or',
        predicates: [
          { dimension: 'mediaType', value: 'chat' },
          { dimension: 'mediaType', value: 'email' },
        ],
      },
    ],
  });
  assert.deepEqual(
    chatOrEmail,
    all
      .filter((c) => ['chat', 'email'].includes(mediaOf(c)!))
      .map((c) => c.conversationId!)
      .sort(),
  );
  const userId = all[0]!.participants!.find((p) => p.purpose === 'agent')!.userId!;
  const byUser = await ids({
    segmentFilters: [
      {
        type: 'and',
        predicates: [
          { dimension: 'userId', value: userId },
          { dimension: 'purpose', value: 'agent' },
        ],
      },
    ],
  });
  assert.deepEqual(
    byUser,
    all
      .filter((c) => c.participants!.some((p) => p.userId === userId))
      .map((c) => c.conversationId!)
      .sort(),
  );
  const division = all[0]!.divisionIds![0]!;
  const byDivision = await ids({
    conversationFilters: [{ type: 'and', predicates: [{ dimension: 'divisionId', value: division }] }],
  });
  assert.deepEqual(
    byDivision,
    all
      .filter((c) => c.divisionIds!.includes(division))
      .map((c) => c.conversationId!)
      .sort(),
  );
  assert.ok(byDivision.length > 0 && byDivision.length < all.length);
  const one = await ids({
    conversationFilters: [
      { type: 'and', predicates: [{ dimension: 'conversationId', value: all[3]!.conversationId }] },
    ],
  });
  assert.deepEqual(one, [all[3]!.conversationId]);
});

test('every sync query limit and malformed body is a 400 ErrorBody naming the problem', async (t) => {
  const emu = await start(t, {
    conversations: 20,
    rateLimit: null,
    limits: { maxPageSize: 50, maxRecordsPerQuery: 200 },
  });
  const bearer = await token(emu);
  const bad = async (body: unknown, pattern: RegExp) => {
    const r = await query(emu, bearer, body);
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.equal(r.body.code, 'bad.request');
    assert.equal(r.body.status, 400);
    assert.match(r.body.message, pattern);
  };
  await bad({ interval: '2026-11-01T00:00:00.000Z/2026-11-08T00:00:01.000Z' }, /maximum of 7 days/);
  // With a filter the sync query takes up to 31 days.
  const voice = [{ type: 'or', predicates: [{ dimension: 'mediaType', value: 'voice' }] }];
  await bad(
    { interval: '2026-10-07T00:00:00.000Z/2026-11-08T00:00:00.000Z', segmentFilters: voice },
    /maximum of 31 days for a filtered query/,
  );
  assert.equal(
    (
      await query(emu, bearer, {
        interval: '2026-10-08T00:00:00.000Z/2026-11-08T00:00:00.000Z',
        segmentFilters: voice,
      })
    ).status,
    200,
    '31 days with a filter',
  );
  await bad({ interval: '2026-10-01T00:00:00.000Z/2026-10-02T00:00:00.000Z' }, /35 days/);
  await bad(
    { interval: emu.interval, paging: { pageSize: 51, pageNumber: 1 } },
    /pageSize exceeds the maximum of 50/,
  );
  await bad({ interval: emu.interval, paging: { pageSize: 50, pageNumber: 5 } }, /maximum of 200 records/);
  await bad({ interval: 'yesterday' }, /Invalid interval/);
  await bad({ interval: '2026-11-02T00:00:00.000Z/2026-11-01T00:00:00.000Z' }, /Invalid interval/);
  await bad({ paging: { pageSize: 1, pageNumber: 1 } }, /interval is required/);
  await bad({ interval: emu.interval, segmentFilters: [{ type: 'xor', predicates: [] }] }, /and" or "or/);
  const raw = await fetch(`${emu.baseUrl}${QUERY}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    body: '{not json',
  });
  assert.equal(raw.status, 400);
  assert.equal(
    (await query(emu, bearer, { interval: emu.interval, paging: { pageSize: 50, pageNumber: 4 } })).status,
    200,
    '200 records exactly is allowed',
  );
});

test('single and multi get; unknown single id is a 404', async (t) => {
  const emu = await start(t, { conversations: 10 });
  const bearer = await token(emu);
  const [a, b] = emu.dataset.conversationIds();
  const one = await json(await api(emu, bearer, `/api/v2/analytics/conversations/${a}/details`));
  assert.deepEqual(one, emu.dataset.conversation(a!));
  const multi = await json(
    await api(
      emu,
      bearer,
      `/api/v2/analytics/conversations/details?id=${a}&id=${b}&id=ffffffff-0000-4000-8000-000000000000`,
    ),
  );
  assert.deepEqual(
    multi.conversations.map((c: { conversationId: string }) => c.conversationId),
    [a, b],
  );
  // The SDK's form: one comma-separated id (literal or encoded commas), and a mix of both forms.
  const [, , c] = emu.dataset.conversationIds();
  for (const q of [`id=${a},${b},${c}`, `id=${a}%2C${b}%2C${c}`, `id=${a},${b}&id=${c}`]) {
    const got = await json(await api(emu, bearer, `/api/v2/analytics/conversations/details?${q}`));
    assert.deepEqual(
      got.conversations.map((x: { conversationId: string }) => x.conversationId),
      [a, b, c],
      q,
    );
  }
  const missing = await api(
    emu,
    bearer,
    '/api/v2/analytics/conversations/ffffffff-0000-4000-8000-000000000000/details',
  );
  assert.equal(missing.status, 404);
  assert.equal((await json(missing)).status, 404);
});

test('async jobs: QUEUED then FULFILLED, cursor paging over activity in the interval, cancel, availability', async (t) => {
  const emu = await start(t, {
    conversations: 120,
    jobDelayMs: 200,
    rateLimit: null,
    limits: { maxJobPageSize: 50 },
  });
  const bearer = await token(emu);
  const interval = '2026-11-02T00:00:00.000Z/2026-11-05T00:00:00.000Z';
  const created = await api(emu, bearer, JOBS, { body: { interval } });
  assert.equal(created.status, 202);
  const { jobId } = await json(created);
  const early = await json(await api(emu, bearer, `${JOBS}/${jobId}`));
  assert.equal(early.state, 'QUEUED');
  assert.equal(
    (await api(emu, bearer, `${JOBS}/${jobId}/results`)).status,
    400,
    'no results before FULFILLED',
  );
  await sleep(220);
  const status = await json(await api(emu, bearer, `${JOBS}/${jobId}`));
  assert.equal(status.state, 'FULFILLED');
  assert.ok(status.completionDate && status.submissionDate && status.expirationDate);

  const got: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const r = await json(
      await api(
        emu,
        bearer,
        `${JOBS}/${jobId}/results?pageSize=40${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      ),
    );
    got.push(...r.conversations.map((c: { conversationId: string }) => c.conversationId));
    assert.ok(r.dataAvailabilityDate);
    cursor = r.cursor;
    pages += 1;
  } while (cursor);
  const [s, e] = interval.split('/').map(Date.parse) as [number, number];
  const want = emu.dataset.conversationIds().filter((id) => {
    const c = emu.dataset.conversation(id)!;
    return Date.parse(c.conversationStart!) < e && Date.parse(c.conversationEnd!) > s;
  });
  assert.deepEqual([...got].sort(), [...want].sort());
  assert.equal(pages, Math.ceil(want.length / 40));
  assert.equal((await api(emu, bearer, `${JOBS}/${jobId}/results?pageSize=51`)).status, 400);
  assert.equal((await api(emu, bearer, `${JOBS}/${jobId}/results?cursor=garbage`)).status, 400);

  assert.equal((await api(emu, bearer, `${JOBS}/${jobId}`, { method: 'DELETE' })).status, 204);
  assert.equal((await json(await api(emu, bearer, `${JOBS}/${jobId}`))).state, 'CANCELLED');
  assert.equal((await api(emu, bearer, `${JOBS}/nope`)).status, 404);
  assert.equal((await api(emu, bearer, JOBS, { body: { interval: 'nope' } })).status, 400);
  const avail = await json(await api(emu, bearer, `${JOBS}/availability`));
  assert.ok(Date.parse(avail.dataAvailabilityDate) >= e);
});

test('the data lake lags: availability is the real clock less dataLagMs (never in the future), and jobs hold only conversations ended before it', async (t) => {
  const now = Date.now();
  const interval = `${new Date(now - 2 * 86_400_000).toISOString()}/${new Date(now).toISOString()}`;
  const lag = 6 * 3_600_000;
  const emu = await start(t, {
    conversations: 200,
    interval,
    dataLagMs: lag,
    jobDelayMs: 0,
    rateLimit: null,
  });
  const bearer = await token(emu);
  const { dataAvailabilityDate } = await json(await api(emu, bearer, `${JOBS}/availability`));
  const at = Date.parse(dataAvailabilityDate);
  assert.ok(at <= Date.now() - lag && at >= now - lag, dataAvailabilityDate);
  const { jobId } = await json(await api(emu, bearer, JOBS, { body: { interval } }));
  const page = await json(await api(emu, bearer, `${JOBS}/${jobId}/results?pageSize=1000`));
  assert.ok(Math.abs(Date.parse(page.dataAvailabilityDate) - at) < 10_000, 'results say the same date');
  const inJob = new Set(page.conversations.map((c: { conversationId: string }) => c.conversationId));
  const ended = (id: string) => Date.parse(emu.dataset.conversation(id)!.conversationEnd!);
  const ids = emu.dataset.conversationIds();
  assert.ok(
    ids.some((id) => ended(id) > at),
    'some conversations ended after the availability date',
  );
  // (Ignoring the few seconds the clock moved between the two calls.)
  for (const id of ids)
    if (Math.abs(ended(id) - at) > 10_000) assert.equal(inJob.has(id), ended(id) <= at, id);
});
