// Bulk recording downloads: submit up to 100 {conversationId, recordingId?} items, then poll the
// job until resultCount reaches expectedResultCount; each result has a signed resultUrl.
import type {
  BatchDownloadJobStatusResult,
  BatchDownloadJobSubmissionResult,
  BatchDownloadRequest,
} from '../../sdk/models.ts';
import { GtError } from '../../errors.ts';
import type { GenesysClient } from '../transport.ts';
import { pathId } from './ids.ts';
import { batchCreatedSchema, batchStatusSchema } from './schemas.ts';
import { parseResponse, withSignal, type CallOptions } from './validate.ts';

const FAMILY = 'recordings-batch';
export const BATCH_MAX_ITEMS = 100;

export async function createBatchRequest(
  client: GenesysClient,
  items: readonly BatchDownloadRequest[],
  opts?: CallOptions,
): Promise<BatchDownloadJobSubmissionResult & { id: string }> {
  if (items.length === 0 || items.length > BATCH_MAX_ITEMS) {
    throw new GtError('USAGE', `a batch request takes 1 to ${BATCH_MAX_ITEMS} items (got ${items.length})`);
  }
  const batchDownloadRequestList = items.map((i) => ({
    conversationId: decodeURIComponent(pathId(i.conversationId, 'conversation ID')),
    ...(i.recordingId !== undefined
      ? { recordingId: decodeURIComponent(pathId(i.recordingId, 'recording ID')) }
      : {}),
  }));
  const res = await client.request({
    method: 'POST',
    path: '/api/v2/recording/batchrequests',
    body: { batchDownloadRequestList },
    family: FAMILY,
    ...withSignal(opts),
  });
  return parseResponse(batchCreatedSchema, res.body, 'batch request creation');
}

export async function getBatchRequest(
  client: GenesysClient,
  jobId: string,
  opts?: CallOptions,
): Promise<BatchDownloadJobStatusResult> {
  const res = await client.request({
    method: 'GET',
    path: `/api/v2/recording/batchrequests/${pathId(jobId, 'batch job ID')}`,
    family: FAMILY,
    ...withSignal(opts),
  });
  return parseResponse(batchStatusSchema, res.body, 'batch request status');
}
