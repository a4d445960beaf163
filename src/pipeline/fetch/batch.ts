// Bulk mode: recordings of many conversations through recording batch requests, which cost a few
// API calls per 100 conversations instead of a list (plus polls) per conversation.
//   1. submit ≤100 {conversationId} items per request (no recordingId: all recordings of each);
//   2. poll each job with backoff until it completes (resultCount reaches expectedResultCount,
//      which may grow while Genesys discovers recordings) or the deadline passes;
//   3. download every media result; results come in the ORIGINAL codec, so the contentType (not
//      the requested format) decides the extension;
//   4. fall back to the per-conversation lookup for what the batch could not give: results with
//      an errorMsg (archived, deleted …: the lookup confirms the reason), non-media results
//      (digital recordings, whose transcript we need as data), conversations without results, and
//      whatever was not ready at the deadline. The fallback never re-downloads what the batch gave.
import type { BatchDownloadJobStatusResult, BatchDownloadJobResult } from '../../sdk/models.ts';
import { GtError } from '../../errors.ts';
import type { GenesysClient } from '../../genesys/transport.ts';
import { BATCH_MAX_ITEMS, createBatchRequest, getBatchRequest } from '../../genesys/endpoints/batch.ts';
import { downloadIdOf, getDownloadUrl } from '../../genesys/endpoints/downloads.ts';
import { safeName } from '../../util/safe-name.ts';
import { mapConcurrent } from '../../util/concurrency.ts';
import { downloadToFile } from './download.ts';
import { downloadGuards } from './guards.ts';
import { extensionForContentType, recordingFilePath } from './naming.ts';
import {
  fetchConversationRecordings,
  type FetchRecordingsOptions,
  type RecordingOutcome,
} from './recordings.ts';
import { sleep } from '../../util/sleep.ts';

export interface BatchFetchOptions extends Omit<FetchRecordingsOptions, 'dir' | 'only'> {
  /** Where a conversation's media go: one folder for all, or one per conversation. */
  dir: string | ((conversationId: string) => string);
  /** How long to wait for each batch job (default 10 minutes). `deadlineMs` stays the transcode deadline of fallback lookups. */
  batchDeadlineMs?: number;
  /** First poll delay (doubles up to 5 s; default 1 s). */
  batchPollMs?: number;
  /** Parallel downloads (default 4). */
  concurrency?: number;
}

const DEFAULT_BATCH_DEADLINE_MS = 10 * 60_000;
const POLL_CAP_MS = 5_000;

/** Done when Genesys says so, or when every expected result is in (expected > 0, and not still InProgress). */
export function batchDone(s: BatchDownloadJobStatusResult): boolean {
  if (s.status === 'Completed') return true;
  const expected = s.expectedResultCount;
  return (
    s.status !== 'InProgress' && expected !== undefined && expected > 0 && (s.resultCount ?? 0) >= expected
  );
}

/** Media we download from a batch; anything else (JSON, ZIP, EML) is a digital recording. */
const isMediaResult = (r: BatchDownloadJobResult) => /^(audio|video)\//i.test(r.contentType ?? '');

async function pollBatch(
  client: GenesysClient,
  jobId: string,
  opts: BatchFetchOptions,
): Promise<BatchDownloadJobStatusResult> {
  const deadline = Date.now() + (opts.batchDeadlineMs ?? DEFAULT_BATCH_DEADLINE_MS);
  let delay = opts.batchPollMs ?? 1_000;
  const call = opts.signal ? { signal: opts.signal } : {};
  for (;;) {
    const status = await getBatchRequest(client, jobId, call);
    const left = deadline - Date.now();
    if (batchDone(status) || left <= 0) return status;
    await sleep(Math.min(delay, left), opts.signal);
    delay = Math.min(POLL_CAP_MS, delay * 2);
  }
}

export async function fetchRecordingsBatch(
  client: GenesysClient,
  conversationIds: string[],
  opts: BatchFetchOptions,
): Promise<Map<string, RecordingOutcome[]>> {
  const dirOf = (cid: string) => (typeof opts.dir === 'string' ? opts.dir : opts.dir(cid));
  const call = opts.signal ? { signal: opts.signal } : {};
  const ids = [...new Set(conversationIds)];
  const out = new Map<string, RecordingOutcome[]>(ids.map((id) => [id, []]));
  const needsLookup = new Set<string>();
  const delivered = new Set<string>(); // `${cid}/${rid}` the batch delivered

  // Submit every chunk first, so Genesys works on all of them while we poll the first.
  const jobs: { id: string; items: string[] }[] = [];
  for (let i = 0; i < ids.length; i += BATCH_MAX_ITEMS) {
    const items = ids.slice(i, i + BATCH_MAX_ITEMS);
    const job = await createBatchRequest(
      client,
      items.map((conversationId) => ({ conversationId })),
      call,
    );
    jobs.push({ id: job.id, items });
  }

  for (const job of jobs) {
    const status = await pollBatch(client, job.id, opts);
    const results = status.results ?? [];
    const withResults = new Set<string>();
    const downloads: {
      result: BatchDownloadJobResult & { conversationId: string; recordingId: string; resultUrl: string };
      index: number;
    }[] = [];
    const perRecording = new Map<string, number>();
    for (const r of results) {
      if (!r.conversationId || !out.has(r.conversationId)) continue;
      withResults.add(r.conversationId);
      if (r.errorMsg || !r.resultUrl || !r.recordingId || !isMediaResult(r)) {
        needsLookup.add(r.conversationId);
        continue;
      }
      // One recording may map to several results: the 2nd, 3rd … get a numbered name.
      const key = `${r.conversationId}/${r.recordingId}`;
      const index = (perRecording.get(key) ?? 0) + 1;
      perRecording.set(key, index);
      downloads.push({
        result: {
          ...r,
          conversationId: r.conversationId,
          recordingId: r.recordingId,
          resultUrl: r.resultUrl,
        },
        index,
      });
    }
    // Not finished (deadline), or nothing for a conversation: ask per conversation.
    for (const cid of job.items) if (!withResults.has(cid) || !batchDone(status)) needsLookup.add(cid);

    for await (const outcome of mapConcurrent(downloads, opts.concurrency ?? 4, async ({ result, index }) => {
      const ext = extensionForContentType(result.contentType);
      const name = index === 1 ? result.recordingId : `${result.recordingId}-${index}`;
      const path =
        index === 1
          ? recordingFilePath(dirOf(result.conversationId), result.recordingId, ext)
          : recordingFilePath(dirOf(result.conversationId), name, ext);
      let resultUrl = result.resultUrl;
      const file = await downloadToFile(
        { path },
        {
          resolveUrl: async (reason) => {
            if (reason === 'expired') {
              // A fresh status carries freshly signed result URLs.
              const again = (await getBatchRequest(client, job.id, call)).results ?? [];
              const same = again.filter(
                (r) => r.conversationId === result.conversationId && r.recordingId === result.recordingId,
              )[index - 1];
              if (!same?.resultUrl)
                throw new GtError(
                  'DOWNLOAD_FAILED',
                  `batch result for recording ${safeName(result.recordingId)} is gone`,
                  { jobId: job.id },
                );
              resultUrl = same.resultUrl;
            }
            const downloadId = downloadIdOf(resultUrl, client.apiUrl);
            return downloadId ? (await getDownloadUrl(client, downloadId, call)).url : resultUrl;
          },
          // URL policy, absolute size cap, minimum rate (batch results carry no size to check against).
          ...downloadGuards(client, {}),
          ...call,
          ...opts.download,
        },
      );
      const outcome: RecordingOutcome = {
        kind: 'downloaded',
        recordingId: result.recordingId,
        file,
        contentType: result.contentType ?? file.contentType ?? 'application/octet-stream',
        media: 'audio',
      };
      return { conversationId: result.conversationId, outcome };
    })) {
      out.get(outcome.conversationId)!.push(outcome.outcome);
      delivered.add(`${outcome.conversationId}/${outcome.outcome.recordingId}`);
    }
  }

  for await (const { cid, outcomes } of mapConcurrent(needsLookup, opts.concurrency ?? 4, async (cid) => ({
    cid,
    outcomes: await fetchConversationRecordings(client, cid, {
      ...opts,
      dir: dirOf(cid),
      only: (rid) => !delivered.has(`${cid}/${rid}`),
    }),
  }))) {
    out.get(cid)!.push(...outcomes);
  }
  return out;
}
