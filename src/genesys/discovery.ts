// Which conversations to export: an explicit list of IDs, or an interval with filters. Both stream
// (an AsyncIterable), so nothing is held as a whole list.
//
// Interval mode, with the real API's limits (sync query: interval ≤ 7 days, ≤ 31 days with a
// filter, start ≤ 35 days back, ≤ 10,000 records per query; "results include conversations that
// started on a DAY TOUCHED by the interval"; async jobs read the data lake, complete only up to
// GET …/details/jobs/availability → dataAvailabilityDate):
//   - the interval is cut at the sync query's reach (35 days back): older starts go to async jobs
//     (≤ 7 days each), the rest to as few sync queries as the API accepts (one paged query per
//     7 days, or per 31 days with a filter). Each slice keeps only conversations whose
//     conversationStart lies inside it, so slices PARTITION the conversations by start time: a
//     conversation can only be yielded by the one slice containing its start, which makes dedupe
//     across slices exact without remembering IDs. Within a slice, paging can shift while data
//     arrives, so a per-slice Set (≤ maxRecordsPerQuery IDs) removes repeats: bounded memory.
//   - a sync slice whose first page reports (nearly) maxRecordsPerQuery hits is halved (on day
//     boundaries while it spans days), recursively; if halving stops helping (the API answers per
//     touched day), that slice goes through an async job, which has no record cap.
//   - a job is trusted only for conversations that started a margin (default a day) before the
//     data lake's availability date, read once per run when the first job is needed: a job over
//     later data would silently miss conversations. Later starts come from the sync query; what
//     neither can serve (a day over the records cap after that date, or a lag past the sync
//     query's reach) is reported as an incomplete slice (`onIncomplete`, `stats.incomplete`) for
//     the next run, never silently short.
// Languages cannot be filtered here: no analytics dimension carries the transcript language (it
// only exists inside the transcript JSON), so `languages` is left to the pipeline.
import type {
  AnalyticsConversationWithoutAttributes,
  AsyncConversationQuery,
  ConversationDetailQueryFilter,
  SegmentDetailQueryFilter,
} from '../sdk/models.ts';
import { GtError, isGtError } from '../errors.ts';
import type { GenesysClient } from './transport.ts';
import {
  getConversationsDetails,
  MULTI_GET_MAX_IDS,
  queryConversationDetails,
} from './endpoints/analytics.ts';
import {
  createDetailsJob,
  deleteDetailsJob,
  getDetailsJob,
  getDetailsJobResults,
  getJobsDataAvailability,
} from './endpoints/jobs.ts';
import { isValidId } from './endpoints/ids.ts';

export interface DiscoverySelection {
  /** Explicit conversation IDs (from args, a file, stdin). Takes precedence over `interval`. */
  conversationIds?: Iterable<string> | AsyncIterable<string>;
  /** ISO-8601 `start/end`. */
  interval?: string;
  mediaTypes?: readonly string[];
  direction?: 'inbound' | 'outbound';
  queueIds?: readonly string[];
  userIds?: readonly string[];
  divisionIds?: readonly string[];
  /** Not filterable in the details API (see the file comment): ignored here. */
  languages?: readonly string[];
}

export interface DiscoveryStats {
  /** API calls made by discovery (logical calls; transport retries are reported by client events). */
  apiCalls: number;
  syncQueries: number;
  multiGets: number;
  jobs: number;
  slices: number;
  splits: number;
  /** Conversations returned by the API but outside their slice or repeated within it. */
  skippedOverlap: number;
  missing: number;
  yielded: number;
  /** Availability reads (GET …/details/jobs/availability). */
  availabilityReads: number;
  /** Parts of the interval neither the sync query nor a job could serve: for the next run. */
  incomplete: IncompleteSlice[];
}

/** A part of the interval discovery could not cover completely, and why. */
export interface IncompleteSlice {
  /** ISO-8601 `start/end`. */
  interval: string;
  reason: string;
}

export interface DiscoveryOptions {
  /** Sync query page size (the API caps it; the emulator at 100). */
  pageSize?: number;
  maxRecordsPerQuery?: number;
  /** Longest sync query interval without a filter (default 7 days); also the async job span. */
  maxIntervalDays?: number;
  /** Longest sync query interval with a conversation or segment filter (default 31 days). */
  maxIntervalDaysFiltered?: number;
  maxDaysBack?: number;
  /**
   * A job is trusted for conversations that started at least this long before the data lake's
   * availability date (a conversation still going at that date may be missing). Default one day.
   */
  availabilityMarginMs?: number;
  /** Called for every part of the interval that could not be served completely (see the file comment). */
  onIncomplete?: (slice: IncompleteSlice) => void;
  /** Results page size for async jobs. */
  jobPageSize?: number;
  /** Poll interval for async job status. */
  jobPollMs?: number;
  /** Max time to wait for one async job. */
  jobTimeoutMs?: number;
  /**
   * Called for every explicit ID the API does not know. Without it, unknown IDs are only counted
   * in `stats.missing`: pass it to report them (the pipeline should).
   */
  onMissing?: (conversationId: string) => void;
  /** Filled in while iterating: how many API calls discovery made and how. */
  stats?: DiscoveryStats;
  signal?: AbortSignal;
  now?: () => number;
}

export function newDiscoveryStats(): DiscoveryStats {
  return {
    apiCalls: 0,
    syncQueries: 0,
    multiGets: 0,
    jobs: 0,
    slices: 0,
    splits: 0,
    skippedOverlap: 0,
    missing: 0,
    yielded: 0,
    availabilityReads: 0,
    incomplete: [],
  };
}

const DAY = 86_400_000;
const HOUR = 3_600_000;
const MINUTE = 60_000;

export function discoverConversations(
  client: GenesysClient,
  selection: DiscoverySelection,
  options: DiscoveryOptions = {},
): AsyncIterable<AnalyticsConversationWithoutAttributes> {
  const stats = options.stats ?? newDiscoveryStats();
  if (selection.conversationIds !== undefined)
    return byIds(client, selection.conversationIds, options, stats);
  if (selection.interval !== undefined) {
    const [start, end] = parseInterval(selection.interval);
    return byInterval(client, selection, start, end, options, stats);
  }
  throw new GtError('USAGE', 'select conversations by ID or by interval');
}

/** Parses `start/end` (ISO-8601) into epoch ms; one clear USAGE error otherwise. */
export function parseInterval(interval: string): [number, number] {
  const parts = interval.split('/');
  const [a, b] = parts.map((p) => Date.parse(p));
  if (parts.length !== 2 || a === undefined || b === undefined || Number.isNaN(a) || Number.isNaN(b)) {
    throw new GtError(
      'USAGE',
      `invalid interval "${interval.slice(0, 100)}": expected ISO-8601 start/end, e.g. 2026-11-01T00:00:00Z/2026-11-02T00:00:00Z`,
    );
  }
  if (a >= b)
    throw new GtError(
      'USAGE',
      `invalid interval "${interval.slice(0, 100)}": the start must be before the end`,
    );
  return [a, b];
}

const iso = (ms: number) => new Date(ms).toISOString();

async function* byIds(
  client: GenesysClient,
  ids: Iterable<string> | AsyncIterable<string>,
  options: DiscoveryOptions,
  stats: DiscoveryStats,
): AsyncGenerator<AnalyticsConversationWithoutAttributes> {
  // IDs the caller gave twice are fetched and yielded once. This Set grows with the input list,
  // which the caller already holds; it stores IDs only, never conversations.
  const seen = new Set<string>();
  let chunk: string[] = [];
  async function* flush(): AsyncGenerator<AnalyticsConversationWithoutAttributes> {
    const wanted = chunk;
    chunk = [];
    stats.apiCalls += 1;
    stats.multiGets += 1;
    const found = await getConversationsDetails(
      client,
      wanted,
      options.signal ? { signal: options.signal } : {},
    );
    const byId = new Map(found.map((c) => [c.conversationId, c]));
    for (const id of wanted) {
      const c = byId.get(id);
      if (c) {
        stats.yielded += 1;
        yield c;
      } else {
        stats.missing += 1;
        options.onMissing?.(id);
      }
    }
  }
  let line = 0;
  for await (const raw of ids) {
    line += 1;
    const id = raw.trim();
    if (!isValidId(id)) {
      throw new GtError(
        'USAGE',
        `invalid conversation ID #${line} ${JSON.stringify(raw.trim().slice(0, 80))}: expected letters, digits and dashes (a UUID)`,
      );
    }
    if (seen.has(id)) continue;
    seen.add(id);
    chunk.push(id);
    if (chunk.length >= MULTI_GET_MAX_IDS) yield* flush();
  }
  if (chunk.length > 0) yield* flush();
}

function filtersOf(s: DiscoverySelection): {
  conversationFilters?: ConversationDetailQueryFilter[];
  segmentFilters?: SegmentDetailQueryFilter[];
} {
  const conv: ConversationDetailQueryFilter[] = [];
  const seg: SegmentDetailQueryFilter[] = [];
  const anyOf = (dimension: string, values: readonly string[] | undefined) =>
    values && values.length > 0
      ? {
          type: 'or',
          predicates: values.map((value) => ({ type: 'dimension', dimension, operator: 'matches', value })),
        }
      : undefined;
  // Filters in one array are ANDed; predicates inside one filter are ORed.
  const division = anyOf('divisionId', s.divisionIds);
  const direction = anyOf('originatingDirection', s.direction ? [s.direction] : undefined);
  if (division) conv.push(division);
  if (direction) conv.push(direction);
  for (const f of [
    anyOf('mediaType', s.mediaTypes),
    anyOf('queueId', s.queueIds),
    anyOf('userId', s.userIds),
  ])
    if (f) seg.push(f);
  return {
    ...(conv.length ? { conversationFilters: conv } : {}),
    ...(seg.length ? { segmentFilters: seg } : {}),
  };
}

/** Consecutive slices of at most `span` ms covering [start, end). */
function spans(start: number, end: number, span: number): [number, number][] {
  const out: [number, number][] = [];
  for (let a = start; a < end; a += span) out.push([a, Math.min(end, a + span)]);
  return out;
}

/**
 * What one discovery run shares across its slices: the filters, the options, the stats, and the
 * data lake's availability date (read once, when the first job is about to be created).
 */
interface Run {
  client: GenesysClient;
  filters: ReturnType<typeof filtersOf>;
  o: DiscoveryOptions;
  stats: DiscoveryStats;
  /** Jobs are trusted for conversations that started before this (epoch ms). */
  trustedUntil(): Promise<{ until: number; availability: number }>;
}

function newRun(
  client: GenesysClient,
  selection: DiscoverySelection,
  o: DiscoveryOptions,
  stats: DiscoveryStats,
): Run {
  let read: Promise<{ until: number; availability: number }> | undefined;
  return {
    client,
    filters: filtersOf(selection),
    o,
    stats,
    trustedUntil: () =>
      (read ??= (async () => {
        stats.apiCalls += 1;
        stats.availabilityReads += 1;
        const availability = await getJobsDataAvailability(client, o.signal ? { signal: o.signal } : {});
        return { availability, until: availability - (o.availabilityMarginMs ?? DAY) };
      })()),
  };
}

function incomplete(run: Run, a: number, b: number, reason: string): void {
  const slice = { interval: `${iso(a)}/${iso(b)}`, reason };
  run.stats.incomplete.push(slice);
  run.o.onIncomplete?.(slice);
}

async function* byInterval(
  client: GenesysClient,
  selection: DiscoverySelection,
  start: number,
  end: number,
  o: DiscoveryOptions,
  stats: DiscoveryStats,
): AsyncGenerator<AnalyticsConversationWithoutAttributes> {
  const run = newRun(client, selection, o, stats);
  const now = (o.now ?? Date.now)();
  // The sync query's reach: starts up to maxDaysBack ago, with an hour's margin for the time the
  // run takes to get there.
  const reach = now - (o.maxDaysBack ?? 35) * DAY + HOUR;
  const filtered = run.filters.conversationFilters !== undefined || run.filters.segmentFilters !== undefined;
  const plainSpan = (o.maxIntervalDays ?? 7) * DAY;
  const cut = Math.min(Math.max(start, reach), end);
  // Too old for the sync query: async jobs, ≤ maxIntervalDays each.
  for (const [a, b] of spans(start, cut, plainSpan))
    yield* jobOrIncomplete(run, a, b, 'older than the sync query reaches');
  if (!filtered) {
    for (const [a, b] of spans(cut, end, plainSpan)) yield* syncSlice(run, a, b, undefined);
    return;
  }
  // With a filter the query takes up to 31 days. Should the service refuse a span that long (a 400
  // before anything of it was yielded), the rest goes in 7-day spans: fewer calls when it can,
  // never a failed run for trying.
  let span = (o.maxIntervalDaysFiltered ?? 31) * DAY;
  for (let a = cut; a < end;) {
    const b = Math.min(end, a + span);
    let yielded = false;
    try {
      for await (const c of syncSlice(run, a, b, undefined)) {
        yielded = true;
        yield c;
      }
    } catch (err) {
      const refused = isGtError(err, 'HTTP_ERROR') && Number(err.details.status) === 400;
      if (!refused || yielded || span <= plainSpan || b - a <= plainSpan) throw err;
      span = plainSpan;
      continue;
    }
    a = b;
  }
}

/**
 * [a, b) through an async job as far as the data lake is complete; the rest, which no job can be
 * trusted with and the sync query could not serve, is reported incomplete.
 */
async function* jobOrIncomplete(
  run: Run,
  a: number,
  b: number,
  why: string,
  seen?: Set<string>,
): AsyncGenerator<AnalyticsConversationWithoutAttributes> {
  const { until, availability } = await run.trustedUntil();
  if (a < Math.min(b, until)) yield* jobSlice(run, a, Math.min(b, until), seen);
  if (b > until)
    incomplete(
      run,
      Math.max(a, until),
      b,
      `${why}, and after the data lake's availability date ${iso(availability)} (less a margin) no async job can be trusted with it`,
    );
}

function inSlice(c: AnalyticsConversationWithoutAttributes, a: number, b: number): boolean {
  const t = c.conversationStart ? Date.parse(c.conversationStart) : Number.NaN;
  return t >= a && t < b;
}

/** The conversations of a page that start in [a, b) and were not yielded yet; the rest are counted as overlap. */
function* newInSlice(
  page: readonly AnalyticsConversationWithoutAttributes[],
  a: number,
  b: number,
  seen: Set<string>,
  stats: DiscoveryStats,
): Generator<AnalyticsConversationWithoutAttributes> {
  for (const c of page) {
    const id = c.conversationId!;
    if (!inSlice(c, a, b) || seen.has(id)) {
      stats.skippedOverlap += 1;
      continue;
    }
    seen.add(id);
    stats.yielded += 1;
    yield c;
  }
}

/** A split point of [a, b): on a UTC day boundary while the slice spans days (the API answers per touched day), else on a minute. */
function midpoint(a: number, b: number): number {
  const dayMid = Math.round((a + (b - a) / 2) / DAY) * DAY;
  if (b - a > 2 * DAY && dayMid > a && dayMid < b) return dayMid;
  return a + Math.floor((b - a) / 2 / MINUTE) * MINUTE;
}

async function* syncSlice(
  run: Run,
  a: number,
  b: number,
  parentHits: number | undefined,
): AsyncGenerator<AnalyticsConversationWithoutAttributes> {
  const { client, filters, o, stats } = run;
  const pageSize = o.pageSize ?? 100;
  const maxRecords = o.maxRecordsPerQuery ?? 10_000;
  const seen = new Set<string>();
  stats.slices += 1;
  for (let pageNumber = 1; ; pageNumber += 1) {
    stats.apiCalls += 1;
    stats.syncQueries += 1;
    const page = await queryConversationDetails(
      client,
      {
        interval: `${iso(a)}/${iso(b)}`,
        order: 'asc',
        orderBy: 'conversationStart',
        paging: { pageSize, pageNumber },
        ...filters,
      },
      o.signal ? { signal: o.signal } : {},
    );
    if (pageNumber === 1 && (page.totalHits ?? 0) > maxRecords * 0.9) {
      // Too many to page through in one query (totalHits is approximate, hence the margin).
      const hits = page.totalHits ?? 0;
      const shrinking = parentHits === undefined || hits < parentHits;
      if (b - a >= 2 * MINUTE && shrinking) {
        stats.splits += 1;
        const mid = midpoint(a, b);
        yield* syncSlice(run, a, mid, hits);
        yield* syncSlice(run, mid, b, hits);
      } else {
        yield* jobOrIncomplete(run, a, b, `over ${maxRecords} conversations for one sync query`);
      }
      return;
    }
    const conversations = page.conversations ?? [];
    yield* newInSlice(conversations, a, b, seen, stats);
    if (conversations.length < pageSize) return;
    if ((pageNumber + 1) * pageSize > maxRecords) {
      // totalHits under-reported and the cap is reached with pages still full: never drop the
      // rest. An async job covers the slice; `seen` keeps what was already yielded from repeating.
      yield* jobOrIncomplete(run, a, b, `over ${maxRecords} conversations for one sync query`, seen);
      return;
    }
  }
}

const JOB_FAILED = new Set(['FAILED', 'CANCELLED', 'EXPIRED']);

async function* jobSlice(
  run: Run,
  a: number,
  b: number,
  /** IDs of this slice already yielded (when a sync slice hands over mid-way). */
  seen: Set<string> = new Set<string>(),
): AsyncGenerator<AnalyticsConversationWithoutAttributes> {
  const { client, filters, o, stats } = run;
  const call = o.signal ? { signal: o.signal } : {};
  const query: AsyncConversationQuery = {
    interval: `${iso(a)}/${iso(b)}`,
    order: 'asc',
    orderBy: 'conversationStart',
    ...filters,
  };
  stats.apiCalls += 1;
  stats.jobs += 1;
  stats.slices += 1;
  const { jobId } = await createDetailsJob(client, query, call);
  try {
    const deadline = Date.now() + (o.jobTimeoutMs ?? 30 * MINUTE);
    for (;;) {
      stats.apiCalls += 1;
      const status = await getDetailsJob(client, jobId, call);
      if (status.state === 'FULFILLED') break;
      if (JOB_FAILED.has(status.state)) {
        throw new GtError(
          'HTTP_ERROR',
          `analytics job ${jobId} ended ${status.state}${status.errorMessage ? `: ${status.errorMessage.slice(0, 200)}` : ''}`,
          { jobId, state: status.state },
        );
      }
      if (Date.now() > deadline)
        throw new GtError(
          'TIMEOUT',
          `analytics job ${jobId} not done after ${o.jobTimeoutMs ?? 30 * MINUTE} ms`,
          { jobId },
        );
      await new Promise((r) => setTimeout(r, o.jobPollMs ?? 2000));
    }
    // One job covers a slice once, with stable cursor paging; the Set guards against a repeated
    // page (or IDs a sync query already yielded for this slice) and holds IDs of this slice alone.
    let cursor: string | undefined;
    do {
      stats.apiCalls += 1;
      const page = await getDetailsJobResults(client, jobId, cursor, o.jobPageSize ?? 1000, call);
      yield* newInSlice(page.conversations ?? [], a, b, seen, stats);
      cursor = page.cursor;
    } while (cursor);
  } finally {
    // Best effort: a finished job's results expire on their own anyway.
    stats.apiCalls += 1;
    await deleteDetailsJob(client, jobId).catch(() => undefined);
  }
}
