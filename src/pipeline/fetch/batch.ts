// Bulk mode: the recordings of up to 100 conversations through one recording batch request
// (POST /api/v2/recording/batchrequests, then GET …/{jobId} until done), instead of a recordings
// list per conversation (plus its transcoding polls). What each result costs afterwards:
//   - media (audio/video) in the requested codec: its resultUrl (one downloads link when it is an
//     /api/v2/downloads link, nothing when it is already signed) → downloaded like any recording;
//   - a digital recording (JSON): the resultUrl's body IS the transcript ({transcript |
//     messagingTranscript | emailTranscript}), read as data, with no lookup of the recording;
//   - an errorMsg naming the state (archived, deleted, being restored, error): skipped with that
//     reason, no lookup; "not found": the conversation has no recording;
// and only what the batch cannot answer goes to the per-conversation lookup (fetchConversation-
// Recordings): media in another codec than the one asked for (batch results come in the original
// codec; the lookup transcodes), archived recordings when --restore-archived asks to restore them,
// errors we cannot read, bodies that are not a transcript, conversations analytics shows as
// recorded but the batch returned nothing for, and whole jobs not finished by the deadline.
import type { BatchDownloadJobResult, BatchDownloadJobStatusResult, Recording } from '../../sdk/models.ts';
import { GtError } from '../../errors.ts';
import type { GenesysClient } from '../../genesys/transport.ts';
import { BATCH_MAX_ITEMS, createBatchRequest, getBatchRequest } from '../../genesys/endpoints/batch.ts';
import { downloadIdOf, getDownloadUrl } from '../../genesys/endpoints/downloads.ts';
import { safeName } from '../../util/safe-name.ts';
import { mapConcurrent } from '../../util/concurrency.ts';
import { sleep } from '../../util/sleep.ts';
import { rm } from 'node:fs/promises';
import { downloadToFile } from './download.ts';
import {
  extensionForContentType,
  extensionForFormat,
  recordingFilePath,
  type MediaFormat,
} from './naming.ts';
import { downloadGuards } from './guards.ts';
import { RateFloor } from '../../util/rate-floor.ts';
import {
  fetchConversationRecordings,
  type FetchRecordingsOptions,
  type RecordingOutcome,
} from './recordings.ts';
import { MAX_TRANSCRIPT_BYTES, readJsonCapped } from './transcripts.ts';

export interface BatchJobOptions {
  /** How long to wait for a batch job (default 10 minutes); then its conversations are looked up one by one. */
  batchDeadlineMs?: number;
  /** First poll delay (doubles up to 5 s; default 500 ms). */
  batchPollMs?: number;
  signal?: AbortSignal;
}

export interface BatchFetchOptions extends Omit<FetchRecordingsOptions, 'dir' | 'only'>, BatchJobOptions {
  /** Where a conversation's media go: one folder for all, or one per conversation. */
  dir: string | ((conversationId: string) => string);
  /** Conversations worked on in parallel (default 4). */
  concurrency?: number;
}

/** What one batch job answered for one conversation. */
export interface ConversationBatch {
  jobId: string;
  /** False when the job was not finished by the deadline: nothing in it can be trusted to be complete. */
  done: boolean;
  results: BatchDownloadJobResult[];
}

/** A batch answer now, or once its job is done (fetch/batch-prefetch.ts hands out conversations before). */
export type BatchAnswer = ConversationBatch | Promise<ConversationBatch | undefined>;

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

/** Submits one job for ≤ 100 conversations and polls it until done or the deadline; results by conversation. */
export async function runBatchJob(
  client: GenesysClient,
  conversationIds: readonly string[],
  opts: BatchJobOptions = {},
): Promise<Map<string, ConversationBatch>> {
  const call = opts.signal ? { signal: opts.signal } : {};
  const job = await createBatchRequest(
    client,
    conversationIds.map((conversationId) => ({ conversationId })),
    call,
  );
  const deadline = Date.now() + (opts.batchDeadlineMs ?? DEFAULT_BATCH_DEADLINE_MS);
  let delay = opts.batchPollMs ?? 500;
  let status: BatchDownloadJobStatusResult;
  for (;;) {
    await sleep(Math.max(0, Math.min(delay, deadline - Date.now())), opts.signal);
    status = await getBatchRequest(client, job.id, call);
    if (batchDone(status) || Date.now() >= deadline) break;
    delay = Math.min(POLL_CAP_MS, delay * 2);
  }
  const done = batchDone(status);
  const out = new Map<string, ConversationBatch>(
    conversationIds.map((id) => [id, { jobId: job.id, done, results: [] }]),
  );
  for (const r of status.results ?? []) if (r.conversationId) out.get(r.conversationId)?.results.push(r);
  return out;
}

/** Media we download from a batch; anything else (JSON, ZIP, EML) is a digital recording. */
const isMediaResult = (r: BatchDownloadJobResult) => /^(audio|video)\//i.test(r.contentType ?? '');

const CODEC_EXTENSIONS: Record<MediaFormat, readonly string[]> = {
  WAV: ['wav'],
  WEBM: ['webm'],
  OGG_OPUS: ['ogg', 'opus'],
  MP3: ['mp3'],
};

/** Is a batch result (original codec) already in the format the user asked for? */
export function inRequestedCodec(contentType: string | undefined, format: MediaFormat): boolean {
  return CODEC_EXTENSIONS[format].includes(extensionForContentType(contentType));
}

/** The skip a batch errorMsg stands for; 'none' = the conversation has no recording; undefined = unreadable. */
export function errorOutcome(errorMsg: string): { reason: string; detail?: string } | 'none' | undefined {
  if (/not found/i.test(errorMsg)) return 'none';
  if (/archiv/i.test(errorMsg)) return { reason: 'archived' };
  if (/restor/i.test(errorMsg)) return { reason: 'restoring' };
  if (/delet/i.test(errorMsg)) return { reason: 'deleted' };
  // The state alone, as the recordings list reports it (fetch/recordings.ts unavailableReason).
  if (/error/i.test(errorMsg)) return { reason: 'error' };
  return undefined;
}

interface Ctx {
  client: GenesysClient;
  conversationId: string;
  batch: ConversationBatch;
  opts: FetchRecordingsOptions;
  /**
   * What a recordings list would say about a digital recording of this media type beside its
   * transcript (sessionId, startTime, endTime: they name the transcript file and anchor its
   * times), taken from analytics: a body read from a batch result lacks them, and a re-run that
   * falls back to the list must write the same files.
   */
  hints?: ((media: string) => Partial<Recording>) | undefined;
}

/** A signed URL for a result: a downloads link is resolved (an expired one via a fresh job status). */
function resultUrlResolver(ctx: Ctx, result: BatchDownloadJobResult & { resultUrl: string }, nth: number) {
  const call = ctx.opts.signal ? { signal: ctx.opts.signal } : {};
  let url = result.resultUrl;
  return async (reason: 'initial' | 'expired'): Promise<string> => {
    if (reason === 'expired') {
      // A fresh status carries freshly signed result URLs.
      const again = (await getBatchRequest(ctx.client, ctx.batch.jobId, call)).results ?? [];
      const same = again.filter(
        (r) => r.conversationId === result.conversationId && r.recordingId === result.recordingId,
      )[nth];
      if (!same?.resultUrl)
        throw new GtError(
          'DOWNLOAD_FAILED',
          `batch result for recording ${safeName(result.recordingId ?? '')} is gone`,
          {
            jobId: ctx.batch.jobId,
          },
        );
      url = same.resultUrl;
    }
    const downloadId = downloadIdOf(url, ctx.client.apiUrl);
    return downloadId ? (await getDownloadUrl(ctx.client, downloadId, call)).url : url;
  };
}

async function downloadMedia(
  ctx: Ctx,
  result: BatchDownloadJobResult & { resultUrl: string; recordingId: string },
  nth: number,
  format: MediaFormat,
): Promise<RecordingOutcome> {
  const name = nth === 0 ? result.recordingId : `${result.recordingId}-${nth + 1}`;
  const path = recordingFilePath(ctx.opts.dir, name, extensionForFormat(format));
  const file = await downloadToFile(
    { path },
    {
      resolveUrl: resultUrlResolver(ctx, result, nth),
      // URL policy, minimum rate; no size in a batch result: the conversation's duration caps it.
      ...downloadGuards(ctx.client, ctx.hints?.('audio') ?? {}),
      ...(ctx.opts.signal ? { signal: ctx.opts.signal } : {}),
      ...ctx.opts.download,
    },
  );
  const served = (file.contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (served && !/^(audio|video)\/|^application\/octet-stream$/.test(served)) {
    // An error page where the audio should be: not the recording. The conversation is retried.
    await rm(file.path, { force: true });
    throw new GtError(
      'INVALID_RESPONSE',
      `media URL of recording ${safeName(result.recordingId)} returned ${served.slice(0, 80)}, not media`,
      { conversationId: ctx.conversationId, contentType: served.slice(0, 80) },
    );
  }
  return {
    kind: 'downloaded',
    recordingId: result.recordingId,
    file,
    contentType: result.contentType ?? file.contentType ?? 'application/octet-stream',
    media: 'audio',
    channel: 'merged', // a batch result is the original recording, every channel in one file
  };
}

const TRANSCRIPT_FIELDS = {
  transcript: 'chat',
  messagingTranscript: 'message',
  emailTranscript: 'email',
} as const;

/** A digital result's body (the transcript) as a Recording, or undefined when it is not one. */
async function readDigital(
  ctx: Ctx,
  result: BatchDownloadJobResult & { resultUrl: string; recordingId: string },
  nth: number,
): Promise<Recording | undefined> {
  const url = await resultUrlResolver(ctx, result, nth)('initial');
  const res = await ctx.client.fetchSigned(url, ctx.opts.signal ? { signal: ctx.opts.signal } : {});
  if (res.statusCode !== 200) {
    await res.body.dump?.();
    return undefined;
  }
  const { minTransferRate, rateWindowMs } = ctx.client.transferLimits;
  const floor = new RateFloor({ minBytesPerSecond: minTransferRate, windowMs: rateWindowMs });
  const body = await readJsonCapped(res.body, MAX_TRANSCRIPT_BYTES, floor).catch(() => undefined);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  for (const [field, media] of Object.entries(TRANSCRIPT_FIELDS)) {
    const list = (body as Record<string, unknown>)[field];
    if (Array.isArray(list)) {
      return {
        ...ctx.hints?.(media),
        id: result.recordingId,
        conversationId: ctx.conversationId,
        media,
        fileState: 'AVAILABLE',
        [field]: list,
      };
    }
  }
  return undefined;
}

/**
 * One conversation's recordings from its batch answer; what the batch cannot answer is looked up
 * per conversation (see the file comment). `recorded`: what analytics says (a voice session's
 * `recording` flag), so a recorded conversation the batch says nothing about is looked up.
 */
export async function outcomesFromBatch(
  client: GenesysClient,
  conversationId: string,
  batch: ConversationBatch,
  opts: FetchRecordingsOptions & {
    recorded?: boolean | undefined;
    wantDigital?: boolean;
    hints?: Ctx['hints'];
  },
): Promise<RecordingOutcome[]> {
  const ctx: Ctx = { client, conversationId, batch, opts, hints: opts.hints };
  if (!batch.done || (batch.results.length === 0 && opts.recorded === true))
    return fetchConversationRecordings(client, conversationId, opts);
  const out: RecordingOutcome[] = [];
  const lookup = new Set<string>(); // recording IDs the batch could not answer
  let lookupAll = false;
  const seen = new Map<string, number>();
  for (const r of batch.results) {
    const rid = r.recordingId;
    if (r.errorMsg) {
      const o = errorOutcome(r.errorMsg);
      if (o === 'none') continue;
      if (!o || !rid || (o.reason === 'archived' && opts.restoreArchived)) {
        if (rid) lookup.add(rid);
        else lookupAll = true;
        continue;
      }
      out.push({ kind: 'skipped', recordingId: rid, ...o });
      continue;
    }
    if (!rid || !r.resultUrl) {
      lookupAll = true;
      continue;
    }
    const nth = seen.get(rid) ?? 0;
    seen.set(rid, nth + 1);
    const result = { ...r, recordingId: rid, resultUrl: r.resultUrl };
    if (isMediaResult(r)) {
      if (opts.format === 'NONE') {
        if (nth === 0)
          out.push({
            kind: 'skipped',
            recordingId: rid,
            reason: 'not-requested',
            detail: 'media format NONE',
          });
      } else if (inRequestedCodec(r.contentType, opts.format)) {
        out.push(await downloadMedia(ctx, result, nth, opts.format));
      } else lookup.add(rid);
    } else if (opts.wantDigital !== false) {
      const recording = await readDigital(ctx, result, nth);
      if (recording) out.push({ kind: 'digital', recordingId: rid, recording });
      else lookup.add(rid);
    }
  }
  if (lookupAll || lookup.size > 0) {
    // The whole list, less what the batch already answered: the list may name a recording
    // differently from the batch (it is the list's word that counts for what is left).
    const answered = new Set(out.map((o) => o.recordingId));
    out.push(
      ...(await fetchConversationRecordings(client, conversationId, {
        ...opts,
        only: (rid) => !answered.has(rid),
      })),
    );
  }
  return out;
}

/** Recordings of many conversations: one batch job per 100, then each conversation's outcomes. */
export async function fetchRecordingsBatch(
  client: GenesysClient,
  conversationIds: string[],
  opts: BatchFetchOptions,
): Promise<Map<string, RecordingOutcome[]>> {
  const dirOf = (cid: string) => (typeof opts.dir === 'string' ? opts.dir : opts.dir(cid));
  const ids = [...new Set(conversationIds)];
  const answers = new Map<string, ConversationBatch>();
  for (let i = 0; i < ids.length; i += BATCH_MAX_ITEMS)
    for (const [cid, b] of await runBatchJob(client, ids.slice(i, i + BATCH_MAX_ITEMS), opts))
      answers.set(cid, b);
  const out = new Map<string, RecordingOutcome[]>();
  for await (const [cid, outcomes] of mapConcurrent(ids, opts.concurrency ?? 4, async (cid) => {
    const outcomes = await outcomesFromBatch(client, cid, answers.get(cid)!, { ...opts, dir: dirOf(cid) });
    return [cid, outcomes] as const;
  }))
    out.set(cid, outcomes);
  return out;
}
