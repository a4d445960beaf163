// Recordings of a conversation (RecordingApi): list, single, metadata, restoration (PUT) and bulk
// batch requests. Voice recordings may be transcoding (202 until ready), archived or deleted (stubs
// without media) or errored; digital ones carry their transcript inline. An archived recording
// can be restored (RESTORING for restoreMs, then RESTORED with its media until the date asked).
import type { Recording, RecordingMetadata } from '../../sdk/models.ts';
import type { ConversationPlan } from '../dataset/index.ts';
import { iso } from '../dataset/plan.ts';
import { contentTypeOf } from '../dataset/media.ts';
import type { EmulatorContext, RestoreState } from '../server/context.ts';
import { badRequest, notFound, sleep, type Reply } from '../server/http.ts';
import { createHash, randomUUID } from 'node:crypto';

const FORMATS = ['WAV', 'WEBM', 'WAV_ULAW', 'OGG_VORBIS', 'OGG_OPUS', 'MP3', 'NONE'];
const DAY = 86_400_000;

function formatOf(search: URLSearchParams): string | Reply {
  const f = search.get('formatId') ?? 'WEBM';
  return FORMATS.includes(f) ? f : badRequest(`Invalid formatId "${f}".`);
}

function mediaName(plan: ConversationPlan): string {
  return plan.kind === 'voice' ? 'audio' : plan.kind;
}

function selfUri(plan: ConversationPlan, recordingId: string): string {
  return `/api/v2/conversations/${plan.id}/recordings/${recordingId}`;
}

type FileState = 'AVAILABLE' | 'ARCHIVED' | 'DELETED' | 'ERROR' | 'RESTORING' | 'RESTORED';

/**
 * A recording as a client sees it at one instant: the dataset's state, with a live restoration of
 * an archived recording on top (restorations live in the context, not in the dataset).
 */
interface View {
  fileState: FileState;
  /** has media a client may download now (AVAILABLE or RESTORED) */
  playable: boolean;
  restore?: RestoreState;
}

function viewOf(ctx: EmulatorContext, plan: ConversationPlan, now = Date.now()): View {
  const r = plan.recording!;
  const restore = r.fileState === 'ARCHIVED' ? ctx.restoreState(r.id, now) : undefined;
  const fileState = restore?.state ?? r.fileState;
  return {
    fileState,
    playable: fileState === 'AVAILABLE' || fileState === 'RESTORED',
    ...(restore ? { restore } : {}),
  };
}

/** The shared head of Recording and RecordingMetadata. */
function head(ctx: EmulatorContext, plan: ConversationPlan, view: View) {
  const r = plan.recording!;
  const archivedAt = plan.endMs + 2 * DAY;
  return {
    id: r.id,
    conversationId: plan.id,
    ...(r.fileState === 'AVAILABLE' || r.fileState === 'ARCHIVED'
      ? { startTime: iso(plan.startMs), endTime: iso(plan.endMs) }
      : {}),
    media: mediaName(plan),
    ...(plan.kind === 'voice' ? { mediaSubtype: 'Trunk' } : {}),
    fileState: view.fileState,
    // A restored recording is archived again on the date the restoration asked for.
    ...(view.restore ? { restoreExpirationTime: iso(view.restore.expiresAt) } : {}),
    ...(r.fileState === 'ARCHIVED'
      ? { archiveDate: iso(view.restore?.expiresAt ?? archivedAt), archiveMedium: 'CLOUDARCHIVE' }
      : {}),
    ...(r.fileState === 'DELETED' ? { deleteDate: iso(archivedAt) } : {}),
    // Deprecated in the model: "always 10000", the limit is no longer enforced.
    maxAllowedRestorationsForOrg: 10_000,
    remainingRestorationsAllowedForOrg: 10_000,
    ...(view.playable ? { sessionId: plan.customer.sessionId } : {}),
  };
}

/**
 * One Recording. `ready` is false while a voice recording is still transcoding: it is then listed
 * without mediaUris, as Genesys does.
 */
/**
 * The mediaUris of a ready voice recording: the merged file under "S"; with the perChannel
 * variant one file per channel ("0", "1") unless a download format was asked (download=true),
 * which is merged.
 */
function mediaUrisOf(
  ctx: EmulatorContext,
  plan: ConversationPlan,
  formatId: string,
  download: boolean,
): NonNullable<Recording['mediaUris']> {
  const target = {
    kind: 'media' as const,
    conversationId: plan.id,
    recordingId: plan.recording!.id,
    formatId,
  };
  if (ctx.options.variants.mediaUris === 'perChannel' && !download)
    return Object.fromEntries(
      ['0', '1'].map((channel) => [channel, { mediaUri: ctx.mediaLink({ ...target, channel }) }]),
    );
  return { S: { mediaUri: ctx.mediaLink(target) } };
}

function recordingJson(
  ctx: EmulatorContext,
  plan: ConversationPlan,
  formatId: string,
  ready: boolean,
  view: View = viewOf(ctx, plan),
  download = false,
): Recording {
  const r = plan.recording!;
  const out: Recording = { ...head(ctx, plan, view), selfUri: selfUri(plan, r.id) };
  // Archived (or restoring), deleted and errored recordings are stubs: no media, no transcript.
  if (!view.playable) return out;
  out.creationTime = iso(plan.endMs + 1000);
  out.recordingFileRole = 'CUSTOMER_EXPERIENCE';
  if (plan.kind === 'voice') {
    const media = ctx.dataset.storedMediaOf(plan)!;
    out.outputDurationMs = plan.endMs - plan.startMs;
    if (!ready) {
      out.estimatedTranscodeTimeMs = ctx.options.transcodeMs;
      return out;
    }
    out.actualTranscodeTimeMs = r.transcoding ? ctx.options.transcodeMs : 0;
    if (formatId !== 'NONE') {
      out.outputSizeInBytes = media.size;
      out.mediaUris = mediaUrisOf(ctx, plan, formatId, download);
    }
    return out;
  }
  return { ...out, ...ctx.dataset.digitalTranscript(plan) };
}

/** Waits server-side (up to maxWaitMs) for a transcoding recording; true when it is ready. */
async function awaitTranscode(
  ctx: EmulatorContext,
  plan: ConversationPlan,
  search: URLSearchParams,
): Promise<boolean> {
  const r = plan.recording;
  if (!r || !r.transcoding || r.fileState !== 'AVAILABLE') return true;
  const remaining = ctx.transcodeRemaining(r.id);
  if (remaining === 0) return true;
  const maxWait = Math.max(0, Number(search.get('maxWaitMs') ?? 5000) || 0);
  if (maxWait >= remaining) {
    await sleep(remaining);
    return true;
  }
  await sleep(maxWait);
  return ctx.transcodeRemaining(r.id) === 0;
}

export async function recordingsList(
  ctx: EmulatorContext,
  conversationId: string,
  search: URLSearchParams,
): Promise<Reply> {
  const plan = ctx.dataset.plan(conversationId);
  if (!plan) return notFound(`Conversation ${conversationId} was not found.`);
  const formatId = formatOf(search);
  if (typeof formatId !== 'string') return formatId;
  if (!plan.recording) return { status: 200, json: [] };
  const ready = await awaitTranscode(ctx, plan, search);
  return { status: ready ? 200 : 202, json: [recordingJson(ctx, plan, formatId, ready)] };
}

export async function recordingGet(
  ctx: EmulatorContext,
  conversationId: string,
  recordingId: string,
  search: URLSearchParams,
): Promise<Reply> {
  const plan = ctx.dataset.plan(conversationId);
  if (!plan || plan.recording?.id !== recordingId) return notFound(`Recording ${recordingId} was not found.`);
  const formatId = formatOf(search);
  if (typeof formatId !== 'string') return formatId;
  const ready = await awaitTranscode(ctx, plan, search);
  const download = search.get('download') === 'true';
  return {
    status: ready ? 200 : 202,
    json: recordingJson(ctx, plan, formatId, ready, viewOf(ctx, plan), download),
  };
}

function metadataJson(ctx: EmulatorContext, plan: ConversationPlan): RecordingMetadata {
  return {
    ...head(ctx, plan, viewOf(ctx, plan)),
    region: 'us-east-1',
    selfUri: `/api/v2/conversations/${plan.id}/recordingmetadata/${plan.recording!.id}`,
  };
}

export function metadataList(ctx: EmulatorContext, conversationId: string): Reply {
  const plan = ctx.dataset.plan(conversationId);
  if (!plan) return notFound(`Conversation ${conversationId} was not found.`);
  return { status: 200, json: plan.recording ? [metadataJson(ctx, plan)] : [] };
}

export function metadataGet(ctx: EmulatorContext, conversationId: string, recordingId: string): Reply {
  const plan = ctx.dataset.plan(conversationId);
  if (!plan || plan.recording?.id !== recordingId) return notFound(`Recording ${recordingId} was not found.`);
  return { status: 200, json: metadataJson(ctx, plan) };
}

// ---- retention: restoring an archived recording ----

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * PUT /api/v2/conversations/{cid}/recordings/{rid} with a Recording body: "A request to change
 * the archival date of an archived recording will result in a restoration of the recording until
 * the new date set." Only that is emulated: other retention edits (delete dates, the archive date
 * of an available recording) are refused with a 400. Asking again while a restoration is live
 * moves its end and costs no new restoration.
 */
export function recordingPut(
  ctx: EmulatorContext,
  conversationId: string,
  recordingId: string,
  body: unknown,
): Reply {
  const plan = ctx.dataset.plan(conversationId);
  if (!plan || plan.recording?.id !== recordingId) return notFound(`Recording ${recordingId} was not found.`);
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return badRequest('A recording body is required.');
  const raw = (body as { archiveDate?: unknown }).archiveDate;
  const r = plan.recording;
  if (r.fileState === 'DELETED')
    return badRequest(`Recording ${recordingId} has been deleted and cannot be restored.`);
  if (r.fileState === 'ERROR')
    return badRequest(`Recording ${recordingId} is in an error state and cannot be restored.`);
  if (r.fileState !== 'ARCHIVED') return badRequest(`Recording ${recordingId} is not archived.`);
  if (raw === undefined || raw === null)
    return badRequest('archiveDate is required to restore an archived recording.');
  const at = typeof raw === 'string' && ISO_DATE.test(raw) ? Date.parse(raw) : NaN;
  if (!Number.isFinite(at)) return badRequest('archiveDate must be an ISO-8601 date-time.');
  const now = Date.now();
  if (at <= now) return badRequest('archiveDate must be in the future.');
  if (ctx.restore(r.id, at, now) === 'exhausted')
    return badRequest(
      `The organization has no archive restorations left (maximum ${ctx.options.restorationsAllowed}).`,
    );
  return { status: 200, json: recordingJson(ctx, plan, 'NONE', true, viewOf(ctx, plan, now)) };
}

// ---- batch download requests ----

export function batchCreate(ctx: EmulatorContext, clientId: string, body: unknown): Reply {
  const list = (body as { batchDownloadRequestList?: unknown } | null)?.batchDownloadRequestList;
  if (!Array.isArray(list) || list.length === 0)
    return badRequest('batchDownloadRequestList is required and must not be empty.');
  if (list.length > ctx.options.limits.batchMaxItems)
    return badRequest(
      `batchDownloadRequestList exceeds the maximum of ${ctx.options.limits.batchMaxItems} items.`,
    );
  const items: { conversationId: string; recordingId?: string }[] = [];
  for (const x of list) {
    if (
      typeof x !== 'object' ||
      x === null ||
      typeof (x as { conversationId?: unknown }).conversationId !== 'string'
    )
      return badRequest('Each item needs a conversationId.');
    const { conversationId, recordingId } = x as { conversationId: string; recordingId?: unknown };
    items.push({ conversationId, ...(typeof recordingId === 'string' ? { recordingId } : {}) });
  }
  const id = randomUUID();
  ctx.batches.set(id, { id, clientId, createdAt: Date.now(), items });
  return { status: 200, json: { id, selfUri: `/api/v2/recording/batchrequests/${id}` } };
}

export function batchGet(ctx: EmulatorContext, clientId: string, id: string): Reply {
  const b = ctx.batches.get(id);
  // "Only the user that submitted the job may retrieve results."
  if (!b || b.clientId !== clientId) return notFound(`Batch request ${id} was not found.`);
  const done = Date.now() - b.createdAt >= ctx.options.batchDelayMs;
  const results: NonNullable<import('../../sdk/models.ts').BatchDownloadJobStatusResult['results']> = [];
  for (const item of b.items) {
    const plan = ctx.dataset.plan(item.conversationId);
    const r = plan?.recording;
    if (!plan || !r || (item.recordingId !== undefined && item.recordingId !== r.id)) {
      results.push({
        conversationId: item.conversationId,
        ...(item.recordingId ? { recordingId: item.recordingId } : {}),
        errorMsg: 'Recording not found',
      });
      continue;
    }
    const state = viewOf(ctx, plan).fileState;
    if (state !== 'AVAILABLE' && state !== 'RESTORED') {
      const why =
        state === 'ARCHIVED'
          ? 'Recording is archived'
          : state === 'RESTORING'
            ? 'Recording is being restored'
            : state === 'DELETED'
              ? 'Recording has been deleted'
              : 'Recording is in an error state';
      results.push({ conversationId: plan.id, recordingId: r.id, errorMsg: why });
      continue;
    }
    if (plan.kind === 'voice') {
      // Bulk downloads come in the original codec: this emulator's trunks record WAV.
      results.push({
        conversationId: plan.id,
        recordingId: r.id,
        resultUrl: ctx.mediaLink({
          kind: 'media',
          conversationId: plan.id,
          recordingId: r.id,
          formatId: 'WAV',
        }),
        contentType: contentTypeOf('WAV'),
      });
    } else {
      results.push({
        conversationId: plan.id,
        recordingId: r.id,
        resultUrl: ctx.mediaLink({ kind: 'digital', conversationId: plan.id, recordingId: r.id }),
        contentType: 'application/json',
      });
    }
  }
  const shown = done ? results : results.slice(0, Math.floor(results.length / 2));
  return {
    status: 200,
    json: {
      id,
      jobId: createHash('sha256').update(id).digest('hex').slice(0, 24),
      expectedResultCount: results.length,
      resultCount: shown.length,
      errorCount: shown.filter((r) => r.errorMsg).length,
      status: done ? 'Completed' : 'InProgress',
      results: shown,
      selfUri: `/api/v2/recording/batchrequests/${id}`,
    },
  };
}
