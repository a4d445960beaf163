// Analytics async details jobs, for intervals older than the sync query's 35 days: create a job,
// poll its state until FULFILLED, read results with a cursor, delete it when done.
import type {
  AnalyticsConversationAsyncQueryResponse,
  AsyncConversationQuery,
  AsyncQueryResponse,
  AsyncQueryStatus,
  DataAvailabilityResponse,
} from '../../sdk/models.ts';
import { GtError } from '../../errors.ts';
import type { GenesysClient } from '../transport.ts';
import { pathId } from './ids.ts';
import { availabilitySchema, jobCreatedSchema, jobResultsSchema, jobStatusSchema } from './schemas.ts';
import { parseResponse, withSignal, type CallOptions } from './validate.ts';

const FAMILY = 'analytics-jobs';
const BASE = '/api/v2/analytics/conversations/details/jobs';

export async function createDetailsJob(
  client: GenesysClient,
  body: AsyncConversationQuery,
  opts?: CallOptions,
): Promise<AsyncQueryResponse & { jobId: string }> {
  // Not idempotent: a retried create after a lost answer would start a second job.
  const res = await client.request({ method: 'POST', path: BASE, body, family: FAMILY, ...withSignal(opts) });
  return parseResponse(jobCreatedSchema, res.body, 'details job creation');
}

export async function getDetailsJob(
  client: GenesysClient,
  jobId: string,
  opts?: CallOptions,
): Promise<AsyncQueryStatus & { state: string }> {
  const res = await client.request({
    method: 'GET',
    path: `${BASE}/${pathId(jobId, 'job ID')}`,
    family: FAMILY,
    ...withSignal(opts),
  });
  return parseResponse(jobStatusSchema, res.body, 'details job status');
}

/** One page of results; an absent `cursor` in the answer means the last page. */
export async function getDetailsJobResults(
  client: GenesysClient,
  jobId: string,
  cursor?: string,
  pageSize?: number,
  opts?: CallOptions,
): Promise<AnalyticsConversationAsyncQueryResponse> {
  const res = await client.request({
    method: 'GET',
    path: `${BASE}/${pathId(jobId, 'job ID')}/results`,
    query: { cursor, pageSize },
    family: FAMILY,
    ...withSignal(opts),
  });
  return parseResponse(jobResultsSchema, res.body ?? {}, 'details job results');
}

export async function deleteDetailsJob(
  client: GenesysClient,
  jobId: string,
  opts?: CallOptions,
): Promise<void> {
  await client.request({
    method: 'DELETE',
    path: `${BASE}/${pathId(jobId, 'job ID')}`,
    family: FAMILY,
    ...withSignal(opts),
  });
}

/**
 * GET …/details/jobs/availability: the date "before which data is guaranteed to be available in
 * the datalake" that jobs read (it can lag by hours). Epoch ms; an unparseable date is an
 * INVALID_RESPONSE (a job must not be trusted on a guess).
 */
export async function getJobsDataAvailability(client: GenesysClient, opts?: CallOptions): Promise<number> {
  const res = await client.request({
    method: 'GET',
    path: `${BASE}/availability`,
    family: FAMILY,
    ...withSignal(opts),
  });
  const body = parseResponse<DataAvailabilityResponse>(
    availabilitySchema,
    res.body ?? {},
    'data availability',
  );
  const at = Date.parse(body.dataAvailabilityDate ?? '');
  if (!Number.isFinite(at))
    throw new GtError(
      'INVALID_RESPONSE',
      'data availability answer without a valid dataAvailabilityDate',
      {},
    );
  return at;
}
