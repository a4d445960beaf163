// Analytics conversation details: the sync query with its limits, single and multi get, and the
// async jobs API (QUEUED → PENDING → FULFILLED, cursor-paged results).
import { randomUUID } from 'node:crypto';
import { parseInterval } from '../options.ts';
import type { EmulatorContext } from '../server/context.ts';
import { badRequest, notFound, type Reply } from '../server/http.ts';
import { dayTouchedRange, filterProblem, matchesFilters } from './query.ts';

const DAY = 86_400_000;

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

interface CommonQuery {
  startMs: number;
  endMs: number;
  order?: string;
  orderBy?: string;
  conversationFilters?: never[];
  segmentFilters?: never[];
}

function parseCommon(body: unknown): CommonQuery | Reply {
  if (!isObject(body)) return badRequest('The request body must be a JSON object.');
  if (typeof body.interval !== 'string') return badRequest('interval is required (ISO-8601 start/end).');
  const interval = parseInterval(body.interval);
  if (!interval)
    return badRequest(
      `Invalid interval "${body.interval}": expected ISO-8601 start/end with start before end.`,
    );
  if (body.order !== undefined && !['asc', 'desc', 'unordered'].includes(String(body.order)))
    return badRequest('order must be asc, desc or unordered.');
  if (
    body.orderBy !== undefined &&
    !['conversationStart', 'conversationEnd', 'segmentStart', 'segmentEnd'].includes(String(body.orderBy))
  )
    return badRequest('Invalid orderBy.');
  const problem =
    filterProblem(body.conversationFilters, 'conversationFilters') ??
    filterProblem(body.segmentFilters, 'segmentFilters');
  if (problem) return badRequest(problem);
  return {
    ...interval,
    ...(typeof body.order === 'string' ? { order: body.order } : {}),
    ...(typeof body.orderBy === 'string' ? { orderBy: body.orderBy } : {}),
    ...(Array.isArray(body.conversationFilters)
      ? { conversationFilters: body.conversationFilters as never[] }
      : {}),
    ...(Array.isArray(body.segmentFilters) ? { segmentFilters: body.segmentFilters as never[] } : {}),
  };
}

/**
 * The conversations a query selects, sorted. Without filters only the times are needed, so the
 * analytics objects are built for the requested page alone (`materialize`), which keeps a query
 * over 100,000 conversations cheap.
 */
function select(
  ctx: EmulatorContext,
  q: CommonQuery,
  inRange: (startMs: number, endMs: number) => boolean,
): number[] {
  const d = ctx.dataset;
  const hits: number[] = [];
  const filtered = (q.conversationFilters?.length ?? 0) + (q.segmentFilters?.length ?? 0) > 0;
  for (let i = 0; i < d.size; i++) {
    if (!inRange(d.startMs[i]!, d.endMs[i]!) || !ctx.arrived(i)) continue;
    if (filtered && !matchesFilters(d.conversationAt(i), q.conversationFilters, q.segmentFilters)) continue;
    hits.push(i);
  }
  const key = q.orderBy === 'conversationEnd' ? d.endMs : d.startMs;
  const dir = q.order === 'desc' ? -1 : 1;
  hits.sort((a, b) => (key[a]! - key[b]! || (d.ids[a]! < d.ids[b]! ? -1 : 1)) * dir);
  return hits;
}

const materialize = (ctx: EmulatorContext, indexes: number[]) =>
  indexes.map((i) => ctx.dataset.conversationAt(i));

export function detailsQuery(ctx: EmulatorContext, body: unknown): Reply {
  const q = parseCommon(body);
  if ('status' in q) return q;
  const b = body as Record<string, unknown>;
  const limits = ctx.options.limits;
  const paging = isObject(b.paging) ? b.paging : {};
  const pageSize = paging.pageSize ?? 25;
  const pageNumber = paging.pageNumber ?? 1;
  if (
    !Number.isInteger(pageSize) ||
    !Number.isInteger(pageNumber) ||
    (pageSize as number) < 1 ||
    (pageNumber as number) < 1
  ) {
    return badRequest('paging.pageSize and paging.pageNumber must be positive integers.');
  }
  const size = pageSize as number;
  const page = pageNumber as number;
  // 7 days, or 31 with a filter (a filtered query reads less).
  const filtered = (q.conversationFilters?.length ?? 0) + (q.segmentFilters?.length ?? 0) > 0;
  const maxDays = filtered ? limits.maxIntervalDaysFiltered : limits.maxIntervalDays;
  if (q.endMs - q.startMs > maxDays * DAY)
    return badRequest(
      `The interval exceeds the maximum of ${maxDays} days${filtered ? ' for a filtered query' : ' (31 with a filter)'}.`,
    );
  if (q.startMs < ctx.options.nowMs - limits.maxDaysBack * DAY) {
    return badRequest(
      `The interval start is more than ${limits.maxDaysBack} days in the past; use the async jobs API for historical data.`,
    );
  }
  if (size > limits.maxPageSize)
    return badRequest(`paging.pageSize exceeds the maximum of ${limits.maxPageSize}.`);
  if (size * page > limits.maxRecordsPerQuery)
    return badRequest(`The query exceeds the maximum of ${limits.maxRecordsPerQuery} records per query.`);
  const [from, to] = dayTouchedRange(q.startMs, q.endMs);
  const all = select(ctx, q, (s) => s >= from && s < to);
  const pageItems = materialize(ctx, all.slice((page - 1) * size, page * size));
  // Past the last page Genesys omits `conversations` entirely.
  return {
    status: 200,
    json: { ...(pageItems.length > 0 ? { conversations: pageItems } : {}), totalHits: all.length },
  };
}

export function detailsGet(ctx: EmulatorContext, conversationId: string): Reply {
  const c = ctx.dataset.conversation(conversationId);
  return c ? { status: 200, json: c } : notFound(`Conversation ${conversationId} was not found.`);
}

/**
 * The `id` parameter of the multi-get in both forms a client may send: the SDK's one
 * comma-separated value (`id=a,b`) and repeated parameters (`id=a&id=b`), or a mix.
 */
export function idList(search: URLSearchParams): string[] {
  return search
    .getAll('id')
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}

export function detailsMultiGet(ctx: EmulatorContext, ids: string[]): Reply {
  if (ids.length === 0) return badRequest('At least one id is required.');
  if (ids.length > 100) return badRequest('A maximum of 100 ids may be requested.');
  const conversations = ids.map((id) => ctx.dataset.conversation(id)).filter((c) => c !== undefined);
  return { status: 200, json: { conversations } };
}

// ---- async jobs ----

export function jobCreate(ctx: EmulatorContext, body: unknown): Reply {
  const q = parseCommon(body);
  if ('status' in q) return q;
  const b = body as Record<string, unknown>;
  if (b.limit !== undefined && (!Number.isInteger(b.limit) || (b.limit as number) < 1))
    return badRequest('limit must be a positive integer.');
  // Jobs: "all conversations that had activity during the interval", as far as the data lake has
  // them: conversations that ended before its availability date.
  const available = dataAvailability(ctx);
  let list = select(ctx, q, (s, e) => s < q.endMs && e > q.startMs && e <= available);
  if (typeof b.limit === 'number') list = list.slice(0, b.limit);
  const id = randomUUID();
  ctx.jobs.set(id, {
    id,
    createdAt: Date.now(),
    cancelled: false,
    conversationIds: list.map((i) => ctx.dataset.ids[i]!),
  });
  return { status: 202, json: { jobId: id } };
}

function jobState(
  ctx: EmulatorContext,
  id: string,
): { state: string; job: NonNullable<ReturnType<EmulatorContext['jobs']['get']>> } | undefined {
  const job = ctx.jobs.get(id);
  if (!job) return undefined;
  const age = Date.now() - job.createdAt;
  const state = job.cancelled
    ? 'CANCELLED'
    : age >= ctx.options.jobDelayMs
      ? 'FULFILLED'
      : age >= ctx.options.jobDelayMs / 2
        ? 'PENDING'
        : 'QUEUED';
  return { state, job };
}

export function jobStatus(ctx: EmulatorContext, id: string): Reply {
  const s = jobState(ctx, id);
  if (!s) return notFound(`Job ${id} was not found.`);
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    status: 200,
    json: {
      state: s.state,
      submissionDate: iso(s.job.createdAt),
      expirationDate: iso(s.job.createdAt + DAY),
      ...(s.state === 'FULFILLED' ? { completionDate: iso(s.job.createdAt + ctx.options.jobDelayMs) } : {}),
    },
  };
}

export function jobResults(ctx: EmulatorContext, id: string, search: URLSearchParams): Reply {
  const s = jobState(ctx, id);
  if (!s) return notFound(`Job ${id} was not found.`);
  if (s.state !== 'FULFILLED')
    return badRequest(`Job ${id} is ${s.state}; results are available once it is FULFILLED.`);
  const pageSize = search.has('pageSize')
    ? Number(search.get('pageSize'))
    : Math.min(1000, ctx.options.limits.maxJobPageSize);
  if (!Number.isInteger(pageSize) || pageSize < 1) return badRequest('pageSize must be a positive integer.');
  if (pageSize > ctx.options.limits.maxJobPageSize)
    return badRequest(`pageSize exceeds the maximum of ${ctx.options.limits.maxJobPageSize}.`);
  const cursor = search.get('cursor');
  let offset = 0;
  if (cursor) {
    const m = /^o(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!m) return badRequest('Invalid cursor.');
    offset = Number(m[1]);
  }
  const ids = s.job.conversationIds.slice(offset, offset + pageSize);
  const next =
    offset + pageSize < s.job.conversationIds.length
      ? Buffer.from(`o${offset + pageSize}`).toString('base64url')
      : undefined;
  return {
    status: 200,
    json: {
      conversations: ids.map((cid) => ctx.dataset.conversation(cid)!),
      ...(next ? { cursor: next } : {}),
      dataAvailabilityDate: new Date(dataAvailability(ctx)).toISOString(),
    },
  };
}

export function jobDelete(ctx: EmulatorContext, id: string): Reply {
  const job = ctx.jobs.get(id);
  if (!job) return notFound(`Job ${id} was not found.`);
  job.cancelled = true;
  return { status: 204 };
}

/**
 * The data lake is complete up to the real clock less dataLagMs: never a date in the future, and
 * a dataset pinned in the past is all there. (The emulator's `now` only moves its sync query
 * limits, so that a pinned dataset stays queryable on any day.)
 */
export function dataAvailability(ctx: EmulatorContext): number {
  return Date.now() - ctx.options.dataLagMs;
}

export function jobsAvailability(ctx: EmulatorContext): Reply {
  return { status: 200, json: { dataAvailabilityDate: new Date(dataAvailability(ctx)).toISOString() } };
}
