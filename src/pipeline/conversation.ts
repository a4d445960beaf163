// One conversation, start to finish: fetch (recordings, transcripts) → transform (normalise,
// speakers, redact, render) → files + manifest → deliver to every sink not yet delivered.
// Media are staged under stateDir/staging/<safe id>/ first, so a killed process resumes downloads
// from the bytes on disk; text files (transcripts, manifest) are rendered into memory and written
// by the sinks only (sinks/types.ts, TextFile). Nothing is delivered before the whole conversation
// is ready, so a conversation is never half delivered. exportConversation runs the steps in order;
// the fetch steps live in conversation-fetch.ts, the transform and manifest steps in
// conversation-bundle.ts, the decisions (skip, defer) and the delivery here.
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { AnalyticsConversationWithoutAttributes } from '../sdk/models.ts';
import { GtError, isGtError } from '../errors.ts';
import { safeName } from '../util/safe-name.ts';
import type { PipelineContext } from './context.ts';
import { TRANSIENT_SKIP_REASONS } from './fetch/recordings.ts';
import type { BatchAnswer } from './fetch/batch.ts';
import { recordingsOf, wantsRecordings } from './fetch/conversation-recordings.ts';
import { voiceCommunicationIds } from './fetch/transcripts.ts';
import type { RecordingFile } from './transform/audio-redact.ts';
import type { Transcript } from './transform/model.ts';
import type { Manifest, ManifestSkip } from './manifest.ts';
import type { BundleFile, ConversationBundle, Sink } from '../sinks/types.ts';
import { auditLabel } from './audit.ts';
import {
  recordingRequest,
  startVoiceTranscripts,
  takeRecordings,
  takeVoiceTranscripts,
} from './conversation-fetch.ts';
import { addManifest, recordRedactions, redactAudio, renderTranscripts } from './conversation-bundle.ts';

export type { ConversationStatus } from '../observe/metrics.ts';
import type { ConversationStatus } from '../observe/metrics.ts';

export interface ConversationResult {
  conversationId: string;
  status: ConversationStatus;
  /** Why a whole conversation was skipped (e.g. language-mismatch), or the failure message. */
  reason?: string;
  errorCode?: string;
  files: { name: string; size: number; sha256: string }[];
  skipped: ManifestSkip[];
  redactions: Record<string, number>;
  bytes: number;
  durationMs: number;
  /** Sinks that already had this conversation from an earlier run. */
  alreadyDelivered: string[];
}

/** A result with nothing fetched yet: the start of every outcome, and the whole of a failure or skip. */
export function emptyResult(
  conversationId: string,
  status: ConversationStatus,
  extra: Partial<ConversationResult> = {},
): ConversationResult {
  return {
    conversationId,
    status,
    files: [],
    skipped: [],
    redactions: {},
    bytes: 0,
    durationMs: 0,
    alreadyDelivered: [],
    ...extra,
  };
}

/** Skip reasons that only mean "not yet": a later run gets the recording. */
const NOT_READY: ReadonlySet<string> = new Set(TRANSIENT_SKIP_REASONS);

/** Media types of a conversation, from its sessions. */
export function mediaTypesOf(conversation: AnalyticsConversationWithoutAttributes): string[] {
  const types = new Set<string>();
  for (const p of conversation.participants ?? [])
    for (const s of p.sessions ?? []) if (s.mediaType) types.add(s.mediaType);
  return [...types].sort();
}

/** Languages Genesys recorded for the conversation's flows (IVR/bot), lower-cased; may be empty. */
export function flowLanguagesOf(conversation: AnalyticsConversationWithoutAttributes): string[] {
  const langs = new Set<string>();
  for (const p of conversation.participants ?? [])
    for (const s of p.sessions ?? []) {
      if (s.flow?.startingLanguage) langs.add(s.flow.startingLanguage.toLowerCase());
      if (s.flow?.endingLanguage) langs.add(s.flow.endingLanguage.toLowerCase());
    }
  return [...langs];
}

/** Recorded voice communications: each has one recording and one transcript to fetch. */
export function voiceCommunicationIdsCount(conversation: AnalyticsConversationWithoutAttributes): number {
  return voiceCommunicationIds(conversation).length;
}

function languageMatches(wanted: string[] | undefined, actual: string | undefined): boolean {
  if (!wanted || wanted.length === 0 || actual === undefined) return true;
  const a = actual.toLowerCase();
  return wanted.some((w) => a === w.toLowerCase() || a.startsWith(`${w.toLowerCase()}-`));
}

/** A stable idempotency key: the same conversation exported with the same settings. */
export function deliveryIdFor(conversationId: string, fingerprint: string): string {
  return `gt_${createHash('sha256').update(`${conversationId}\n${fingerprint}`).digest('hex').slice(0, 32)}`;
}

export async function exportConversation(
  ctx: PipelineContext,
  conversation: AnalyticsConversationWithoutAttributes,
  /** This conversation's answer from a recording batch request (fetch/batch-prefetch.ts), if any. */
  batch?: BatchAnswer,
): Promise<ConversationResult> {
  const started = Date.now();
  const { options } = ctx;
  const result = emptyResult(conversation.conversationId!, 'done');
  const finish = (r: ConversationResult = result): ConversationResult => {
    r.durationMs = Date.now() - started;
    return r;
  };

  const wanted = options.selection?.languages;
  if (languageMismatch(wanted, flowLanguagesOf(conversation)))
    return finish(skipWhole(result, 'language-mismatch'));

  const job = startJob(ctx, conversation, result);
  const voice = startVoiceTranscripts(job);
  // Recordings: media to download, and the digital transcripts Genesys keeps inside recordings.
  const recordings = wantsRecordings(options, conversation)
    ? await recordingsOf(ctx.client, conversation, await batch, recordingRequest(job))
    : [];
  if (recordings.length > 0) await takeRecordings(job, recordings);

  const notReady = notReadyReasons(result.skipped);
  if (options.deferNotReady && notReady.length > 0)
    return finish(await deferConversation(job, voice, notReady));
  if (voice) await takeVoiceTranscripts(job, voice);
  // Language: when flows did not tell, the transcript does.
  const heard = job.transcripts.map((t) => t.language);
  if (languageMismatch(wanted, heard)) {
    await rm(job.staging, { recursive: true, force: true });
    return finish(skipWhole(result, 'language-mismatch'));
  }

  const { delivered, voiceRedactions } = await renderTranscripts(job);
  const audioRedaction = job.audio.length ? await redactAudio(job, voiceRedactions) : undefined;
  if (options.redact) await recordRedactions(job);
  const manifest = addManifest(job, delivered, audioRedaction);
  await deliverToSinks(ctx, bundleOf(job, manifest, delivered), result);
  await rm(job.staging, { recursive: true, force: true });
  return finish();
}

/** One conversation under way: what its steps share, and what they gather for the bundle. */
export interface ConversationJob {
  ctx: PipelineContext;
  conversation: AnalyticsConversationWithoutAttributes;
  conversationId: string;
  /** Filled in step by step: skips, bytes and redaction counts, then the files. */
  result: ConversationResult;
  /** Downloads create the folder they need (fetch/download.ts): a conversation without media stages nothing. */
  staging: string;
  mediaTypes: string[];
  /** The bundle's files so far: staged media, then the rendered transcripts. */
  files: BundleFile[];
  /** Normalised transcripts: the digital ones (from the recordings) first, then voice. */
  transcripts: Transcript[];
  /** Which recording (and which channel of it) each media file is, for the manifest. */
  recordingFiles: Map<string, { recordingId: string; channel?: string }>;
  /** With redaction on, audio waits for the transcripts: its redacted words are silenced first. */
  audio: RecordingFile[];
}

function startJob(
  ctx: PipelineContext,
  conversation: AnalyticsConversationWithoutAttributes,
  result: ConversationResult,
): ConversationJob {
  return {
    ctx,
    conversation,
    conversationId: result.conversationId,
    result,
    staging: join(ctx.stagingDir, safeName(result.conversationId)),
    mediaTypes: mediaTypesOf(conversation),
    files: [],
    transcripts: [],
    recordingFiles: new Map(),
    audio: [],
  };
}

/** Whether a language selection rules the conversation out: none of the languages known matches. */
function languageMismatch(wanted: string[] | undefined, languages: (string | undefined)[]): boolean {
  return !!wanted?.length && languages.length > 0 && !languages.some((l) => languageMatches(wanted, l));
}

/** The conversation skipped whole, nothing delivered. */
function skipWhole(result: ConversationResult, reason: string): ConversationResult {
  result.status = 'skipped';
  result.reason = reason;
  return result;
}

/** The reasons, once each, of recordings skipped only because they are not ready yet. */
function notReadyReasons(skipped: ManifestSkip[]): string[] {
  return [...new Set(skipped.filter((s) => NOT_READY.has(s.reason)).map((s) => s.reason))];
}

/** Not ready yet: deliver the conversation whole in a later run rather than half now. */
async function deferConversation(
  { ctx, conversationId, result, staging }: ConversationJob,
  voice: Promise<unknown> | undefined,
  notReady: string[],
): Promise<ConversationResult> {
  await voice?.catch(() => undefined); // its answer is not used: the next run asks again
  await ctx.audit.append('conversation.deferred', { conversationId, reason: notReady.join(',') });
  await rm(staging, { recursive: true, force: true });
  return Object.assign(result, { status: 'deferred' as const, reason: `recording ${notReady.join(', ')}` });
}

/** What every sink receives: the files (media on disk, text in memory), the manifest, the transcripts. */
function bundleOf(
  { ctx, conversationId, files }: ConversationJob,
  manifest: Manifest,
  delivered: Transcript[],
): ConversationBundle {
  return {
    conversationId,
    conversationStart: manifest.conversationStart,
    deliveryId: deliveryIdFor(conversationId, ctx.fingerprint),
    files,
    manifest: manifest as unknown as Record<string, unknown>,
    transcripts: delivered,
  };
}

/**
 * Delivers the bundle to every sink that does not have it yet, all at once: each sink's delivery is
 * recorded in the checkpoint on its own, so none depends on another having gone first (one after
 * the other, a conversation waited for the filesystem's fsyncs, then the review index's group
 * commit). Every delivery is settled before the first failure is thrown: a sink's success is never
 * left unrecorded because another failed.
 */
async function deliverToSinks(
  ctx: PipelineContext,
  bundle: ConversationBundle,
  result: ConversationResult,
): Promise<void> {
  const { conversationId, deliveryId } = bundle;
  const pending = ctx.sinks.filter((sink) => {
    const done = ctx.checkpoint.isDelivered(conversationId, sink.name, deliveryId);
    if (done) result.alreadyDelivered.push(sink.name);
    return !done;
  });
  const outcomes = await Promise.allSettled(pending.map((sink) => deliverToSink(ctx, sink, bundle)));
  const failed = outcomes.find((o) => o.status === 'rejected');
  if (failed) throw failed.reason;
}

async function deliverToSink(ctx: PipelineContext, sink: Sink, bundle: ConversationBundle): Promise<void> {
  const { conversationId, deliveryId } = bundle;
  try {
    const receipt = await sink.deliver(bundle, ctx.signal);
    ctx.checkpoint.recordDelivery(conversationId, sink.name, deliveryId, receipt);
    await ctx.audit.append('delivery.succeeded', { conversationId, sink: auditLabel(sink.name), deliveryId });
  } catch (err) {
    await ctx.audit.append('delivery.failed', {
      conversationId,
      sink: auditLabel(sink.name),
      code: isGtError(err) ? err.code : 'SINK_FAILED',
    });
    throw err instanceof GtError
      ? err
      : new GtError('SINK_FAILED', `sink ${sink.name} failed`, {}, { cause: err });
  }
}
