// Recordings of a conversation (RecordingApi): list, single, metadata, and bulk batch requests.
// Voice recordings may be transcoding (202 until ready), archived or deleted (stubs without media)
// or errored; digital ones carry their transcript inline.
import type { Recording, RecordingMetadata } from '../../sdk/models.ts';
import type { ConversationPlan } from '../dataset/index.ts';
import { iso } from '../dataset/plan.ts';
import { contentTypeOf } from '../dataset/media.ts';
import type { EmulatorContext } from '../server/context.ts';
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

/** The shared head of Recording and RecordingMetadata. */
function head(plan: ConversationPlan) {
  const r = plan.recording!;
  const available = r.fileState === 'AVAILABLE';
  const archivedAt = plan.endMs + 2 * DAY;
  return {
    id: r.id,
    conversationId: plan.id,
    ...(available || r.fileState === 'ARCHIVED'
      ? { startTime: iso(plan.startMs), endTime: iso(plan.endMs) }
      : {}),
    media: mediaName(plan),
    ...(plan.kind === 'voice' ? { mediaSubtype: 'Trunk' } : {}),
    fileState: r.fileState,
    ...(r.fileState === 'ARCHIVED' ? { archiveDate: iso(archivedAt), archiveMedium: 'CLOUDARCHIVE' } : {}),
    ...(r.fileState === 'DELETED' ? { deleteDate: iso(archivedAt) } : {}),
    maxAllowedRestorationsForOrg: 10000,
    remainingRestorationsAllowedForOrg: 10000,
    ...(r.fileState === 'AVAILABLE' ? { sessionId: plan.customer.sessionId } : {}),
  };
}

/**
 * One Recording. `ready` is false while a voice recording is still transcoding: it is then listed
 * without mediaUris, as Genesys does.
 */
function recordingJson(
  ctx: EmulatorContext,
  plan: ConversationPlan,
  formatId: string,
  ready: boolean,
): Recording {
  const r = plan.recording!;
  const out: Recording = { ...head(plan), selfUri: selfUri(plan, r.id) };
  // Archived, deleted and errored recordings are stubs: no media, no transcript.
  if (r.fileState !== 'AVAILABLE') return out;
  out.creationTime = iso(plan.endMs + 1000);
  out.recordingFileRole = 'CUSTOMER_EXPERIENCE';
  if (plan.kind === 'voice') {
    const media = ctx.dataset.mediaOf(plan)!;
    out.outputDurationMs = plan.endMs - plan.startMs;
    if (!ready) {
      out.estimatedTranscodeTimeMs = ctx.options.transcodeMs;
      return out;
    }
    out.actualTranscodeTimeMs = r.transcoding ? ctx.options.transcodeMs : 0;
    if (formatId !== 'NONE') {
      out.outputSizeInBytes = media.size;
      out.mediaUris = {
        S: {
          mediaUri: ctx.downloadLink({ kind: 'media', conversationId: plan.id, recordingId: r.id, formatId }),
        },
      };
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
  return { status: ready ? 200 : 202, json: recordingJson(ctx, plan, formatId, ready) };
}

function metadataJson(plan: ConversationPlan): RecordingMetadata {
  return {
    ...head(plan),
    region: 'us-east-1',
    selfUri: `/api/v2/conversations/${plan.id}/recordingmetadata/${plan.recording!.id}`,
  };
}

export function metadataList(ctx: EmulatorContext, conversationId: string): Reply {
  const plan = ctx.dataset.plan(conversationId);
  if (!plan) return notFound(`Conversation ${conversationId} was not found.`);
  return { status: 200, json: plan.recording ? [metadataJson(plan)] : [] };
}

export function metadataGet(ctx: EmulatorContext, conversationId: string, recordingId: string): Reply {
  const plan = ctx.dataset.plan(conversationId);
  if (!plan || plan.recording?.id !== recordingId) return notFound(`Recording ${recordingId} was not found.`);
  return { status: 200, json: metadataJson(plan) };
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
    if (r.fileState !== 'AVAILABLE') {
      const why =
        r.fileState === 'ARCHIVED'
          ? 'Recording is archived'
          : r.fileState === 'DELETED'
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
        resultUrl: ctx.downloadLink({
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
        resultUrl: ctx.downloadLink({ kind: 'digital', conversationId: plan.id, recordingId: r.id }),
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
