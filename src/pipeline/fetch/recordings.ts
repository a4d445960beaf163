// The recordings of one conversation, in what Genesys does with them over time:
// - transcoding: Genesys answers 202 (or lists voice recordings without mediaUris) until the
//   requested format exists. We ask it to wait server-side first (maxWaitMs), then poll with
//   backoff until a deadline; what is still transcoding then is skipped as 'transcoding-timeout'
//   (a later run picks it up);
// - retention: ARCHIVED and DELETED recordings are stubs without media: skipped with the reason;
//   ERROR (or a recordingErrorStatus) is skipped with Genesys' reason. On request (restoreArchived)
//   an ARCHIVED recording is restored instead: skipped as 'restore-requested', then 'restoring',
//   and once RESTORED downloaded like an AVAILABLE one (a later run); Genesys refusing the
//   restoration (limits, eligibility, permission) leaves it 'archived' with the refusal;
// - AVAILABLE voice media: downloads link → fresh signed URL → downloadToFile (resumable);
// - digital recordings (chat, message, email) carry their transcript in the Recording itself:
//   returned as data for the transcript step, never downloaded as media.
// One unavailable recording never fails the conversation; a failed download does (so the
// conversation is retried, resuming from the .part).
import type { Recording } from '../../sdk/models.ts';
import { GtError, isGtError } from '../../errors.ts';
import type { GenesysClient } from '../../genesys/transport.ts';
import { downloadIdOf, getDownloadUrl } from '../../genesys/endpoints/downloads.ts';
import {
  getRecording,
  listRecordingMetadata,
  listRecordings,
  restoreRecording,
} from '../../genesys/endpoints/recordings.ts';
import { downloadToFile, existingDownload, type DownloadOptions, type DownloadResult } from './download.ts';
import { downloadGuards } from './guards.ts';
import {
  channelFilePath,
  contentTypeForFormat,
  extensionForFormat,
  recordingFilePath,
  type MediaFormat,
} from './naming.ts';
import { sleep } from '../../util/sleep.ts';
import { rm } from 'node:fs/promises';

export type RecordingFormatChoice = MediaFormat | 'NONE';

export type RecordingOutcome =
  | {
      kind: 'downloaded';
      recordingId: string;
      file: DownloadResult;
      contentType: string;
      media: string;
      /** Which file of the recording: 'merged' (all channels in one), or a channel key ("0", "1"). */
      channel?: string;
    }
  | { kind: 'digital'; recordingId: string; recording: Recording }
  | {
      kind: 'skipped';
      recordingId: string;
      reason:
        | 'archived'
        | 'deleted'
        | 'error'
        | 'transcoding-timeout'
        | 'no-media'
        | 'not-requested'
        | 'restore-requested'
        | 'restoring'
        | string;
      detail?: string;
    };

/** What an earlier run's manifest says a recording's file was: lets a re-run skip the download. */
export interface KnownFile {
  size: number;
  sha256?: string;
}

export interface FetchRecordingsOptions {
  /** Media format to download; NONE = metadata only (digital transcripts, no audio). */
  format: RecordingFormatChoice;
  /** Where media files go (`<dir>/<safeName(recordingId)>.<ext>`). */
  dir: string;
  /** How long to wait for transcoding in total (default 60 s). */
  deadlineMs?: number;
  signal?: AbortSignal;
  /** Server-side wait per request (Genesys holds the request up to this long; default 5000). */
  maxWaitMs?: number;
  /** First client-side poll delay after a 202 (doubles up to 5 s; default 500 ms). */
  pollMs?: number;
  /** Files from an earlier run, by recording ID (and channel key for per-channel files): reused when size (and sha256) still match. */
  known?: (recordingId: string, channel?: string) => KnownFile | undefined;
  /** Only these recordings get an outcome (bulk mode's fallback skips what the batch already delivered). */
  only?: (recordingId: string) => boolean;
  /** Passed to every download (backoff, attempts, timeouts). */
  download?: Pick<DownloadOptions, 'maxAttempts' | 'timeoutMs' | 'backoff' | 'onProgress'>;
  /**
   * Ask Genesys to restore ARCHIVED recordings until now + `days` (each counts against the org's
   * restoration limit). Voice recordings are only restored when media is requested (format not
   * NONE). Without it, archived recordings are skipped as 'archived'.
   */
  restoreArchived?: { days: number };
}

/**
 * Skip reasons that only mean "not yet": the recording will be there in a later run (transcoding
 * finishes, a restoration completes). A conversation with one of these is worth fetching again.
 */
export const TRANSIENT_SKIP_REASONS: readonly string[] = Object.freeze([
  'transcoding-timeout',
  'restore-requested',
  'restoring',
]);

const DAY_MS = 86_400_000;

export const DEFAULT_TRANSCODE_DEADLINE_MS = 60_000;
const DEFAULT_MAX_WAIT_MS = 5_000;
const DIGITAL_MEDIA = new Set(['chat', 'message', 'messaging', 'email']);
const POLL_CAP_MS = 5_000;

export function isDigital(r: Recording): boolean {
  return (
    DIGITAL_MEDIA.has(r.media ?? '') ||
    r.transcript !== undefined ||
    r.emailTranscript !== undefined ||
    r.messagingTranscript !== undefined
  );
}

/** The base content type when it is certainly not media (text, JSON, XML documents), else undefined. */
function notMedia(contentType: string | undefined): string | undefined {
  const base = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return base.startsWith('text/') || /^application\/([\w.+-]+\+)?(json|xml)$/.test(base) ? base : undefined;
}

/**
 * The files that together hold every channel of a recording: the merged file ('S', which Genesys
 * offers for download formats) when there is one, else every per-channel file ("0", "1" …; some
 * calls list only those). Taking one channel would drop a speaker without a word.
 */
export function mediaFilesOf(r: Recording): { channel: string; uri: string }[] {
  const uris = r.mediaUris ?? {};
  const merged = uris.S?.mediaUri;
  if (merged) return [{ channel: 'S', uri: merged }];
  return Object.keys(uris)
    .sort()
    .flatMap((key) => {
      const uri = uris[key]?.mediaUri;
      return uri ? [{ channel: key, uri }] : [];
    });
}

/** The manifest's word for a file of the recording: 'merged' for 'S', else the channel key. */
const channelLabel = (key: string) => (key === 'S' ? 'merged' : key);

function mediaUriOf(r: Recording, channel = 'S'): string | undefined {
  const files = mediaFilesOf(r);
  return (files.find((f) => f.channel === channel) ?? (channel === 'S' ? files[0] : undefined))?.uri;
}

/** A voice recording we requested media for that has none yet: Genesys is still transcoding it. */
function isPending(r: Recording, format: RecordingFormatChoice): boolean {
  if (format === 'NONE' || isDigital(r)) return false;
  const state = r.fileState ?? 'AVAILABLE';
  if (state === 'UPLOADING') return true;
  return (
    (state === 'AVAILABLE' || state === 'RESTORED') && !r.recordingErrorStatus && mediaUriOf(r) === undefined
  );
}

/**
 * Why a recording cannot be fetched now, from its retention state; undefined when it can.
 * Archived, deleted and errored recordings are named by their state alone: a recording batch job
 * (./batch.ts) reports them without dates or status, and a conversation's manifest must not
 * depend on which of the two answered (under faults a job may fail and this list answer instead).
 * A `recordingErrorStatus` is kept: only this list knows it. Restoring
 * ones keep their expiry: only this list ever answers for them (a batch's archived results are
 * looked up here when restoring).
 */
export function unavailableReason(r: Recording): { reason: string; detail?: string } | undefined {
  if (r.recordingErrorStatus) return { reason: 'error', detail: r.recordingErrorStatus };
  switch (r.fileState) {
    case 'ARCHIVED':
      return { reason: 'archived' };
    case 'DELETED':
      return { reason: 'deleted' };
    case 'ERROR':
      return { reason: 'error' };
    case 'RESTORING':
      return {
        reason: 'restoring',
        ...(r.restoreExpirationTime ? { detail: `restore expires ${r.restoreExpirationTime}` } : {}),
      };
    default:
      return undefined;
  }
}

/**
 * Lists the conversation's recordings in `format`, waiting (server-side, then polling) while
 * Genesys transcodes, until nothing is pending or the deadline passes. Returns the last list and
 * whether the last answer was still a 202.
 */
async function listUntilReady(
  client: GenesysClient,
  conversationId: string,
  opts: FetchRecordingsOptions,
): Promise<{ recordings: Recording[]; stillTranscoding: boolean }> {
  const deadline = Date.now() + (opts.deadlineMs ?? DEFAULT_TRANSCODE_DEADLINE_MS);
  const maxWait = opts.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
  let delay = opts.pollMs ?? 500;
  for (;;) {
    const remaining = deadline - Date.now();
    const answer = await listRecordings(client, conversationId, {
      formatId: opts.format,
      // Never ask Genesys to hold the request past our own deadline.
      maxWaitMs: Math.max(1, Math.min(maxWait, remaining)),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    const pending = answer.status === 202 || answer.recordings.some((r) => isPending(r, opts.format));
    if (!pending) return { recordings: answer.recordings, stillTranscoding: false };
    const left = deadline - Date.now();
    if (left <= 0) return { recordings: answer.recordings, stillTranscoding: answer.status === 202 };
    await sleep(Math.min(delay, left), opts.signal);
    delay = Math.min(POLL_CAP_MS, delay * 2);
  }
}

/** Signed-URL resolver for one recording: a downloads link is re-asked on expiry; a direct media URI is refreshed by re-reading the recording. */
function urlResolver(
  client: GenesysClient,
  conversationId: string,
  recordingId: string,
  format: MediaFormat,
  firstUri: string,
  channel: string,
  signal?: AbortSignal,
) {
  const call = signal ? { signal } : {};
  let uri = firstUri;
  return async (reason: 'initial' | 'expired'): Promise<string> => {
    if (reason === 'expired') {
      const fresh = await getRecording(client, conversationId, recordingId, { formatId: format, ...call });
      const next = fresh.recording ? mediaUriOf(fresh.recording, channel) : undefined;
      if (!next)
        throw new GtError('DOWNLOAD_FAILED', `recording ${recordingId} has no media link any more`, {
          conversationId,
          recordingId,
        });
      uri = next;
    }
    const downloadId = downloadIdOf(uri, client.apiUrl);
    return downloadId ? (await getDownloadUrl(client, downloadId, call)).url : uri;
  };
}

/**
 * Downloads one AVAILABLE voice recording, every channel of it (or reuses the files an earlier
 * run left): the merged file as `<id>.<ext>`, per-channel files as `<id>.channel-<key>.<ext>`.
 */
export async function downloadRecording(
  client: GenesysClient,
  recording: Recording & { id: string },
  opts: FetchRecordingsOptions & { format: MediaFormat },
): Promise<RecordingOutcome[]> {
  const files = mediaFilesOf(recording);
  if (files.length === 0) return [{ kind: 'skipped', recordingId: recording.id, reason: 'no-media' }];
  const out: RecordingOutcome[] = [];
  for (const f of files) out.push(await downloadMediaFile(client, recording, f.channel, f.uri, opts));
  return out;
}

async function downloadMediaFile(
  client: GenesysClient,
  recording: Recording & { id: string },
  channel: string,
  uri: string,
  opts: FetchRecordingsOptions & { format: MediaFormat },
): Promise<RecordingOutcome> {
  const conversationId = recording.conversationId ?? '';
  const ext = extensionForFormat(opts.format);
  const path =
    channel === 'S'
      ? recordingFilePath(opts.dir, recording.id, ext)
      : channelFilePath(opts.dir, recording.id, channel, ext);
  const media = recording.media ?? 'audio';
  const label = channelLabel(channel);
  const known = channel === 'S' ? opts.known?.(recording.id) : opts.known?.(recording.id, channel);
  if (known) {
    const file = await existingDownload({
      path,
      expectedSize: known.size,
      ...(known.sha256 ? { expectedSha256: known.sha256 } : {}),
    });
    if (file)
      return {
        kind: 'downloaded',
        recordingId: recording.id,
        file,
        contentType: contentTypeForFormat(opts.format),
        media,
        channel: label,
      };
  }
  try {
    const file = await downloadToFile(
      {
        path,
        ...(known ? { expectedSize: known.size } : {}),
        ...(known?.sha256 ? { expectedSha256: known.sha256 } : {}),
      },
      {
        resolveUrl: urlResolver(client, conversationId, recording.id, opts.format, uri, channel, opts.signal),
        ...downloadGuards(client, recording),
        ...(opts.signal ? { signal: opts.signal } : {}),
        ...opts.download,
      },
    );
    const served = notMedia(file.contentType);
    if (served) {
      // A proxy's "access denied" page or an error document answered 200 where the audio should be:
      // that file is not the recording. Drop it; the conversation is retried (or fails) on this code.
      await rm(file.path, { force: true });
      throw new GtError(
        'INVALID_RESPONSE',
        `media URL of recording ${recording.id} returned ${served}, not media`,
        {
          conversationId,
          recordingId: recording.id,
          contentType: served,
        },
      );
    }
    return {
      kind: 'downloaded',
      recordingId: recording.id,
      file,
      contentType: file.contentType ?? contentTypeForFormat(opts.format),
      media,
      channel: label,
    };
  } catch (err) {
    // The downloads link vanished (recording deleted/archived meanwhile): that is unavailability.
    if (isGtError(err, 'NOT_FOUND'))
      return {
        kind: 'skipped',
        recordingId: recording.id,
        reason: 'no-media',
        detail: 'download link not found',
      };
    throw err;
  }
}

/** Whether this recording should get a restore request rather than an 'archived' skip. */
function shouldRestore(r: Recording, opts: FetchRecordingsOptions): boolean {
  return (
    opts.restoreArchived !== undefined &&
    r.fileState === 'ARCHIVED' &&
    !r.recordingErrorStatus &&
    (opts.format !== 'NONE' || isDigital(r))
  );
}

/** The part of a transport error worth keeping: Genesys' status, code and message, not our request line. */
function refusalOf(err: GtError): string {
  return err.message.replace(/^[A-Z]+ \S+: /, '');
}

/**
 * Asks Genesys to restore one archived recording until now + days. Accepted: skipped as
 * 'restore-requested' (a later run downloads it once RESTORED). Refused (400 limits or
 * eligibility, 403 permission, 404, 409): skipped as 'archived' with the refusal, never a failed
 * conversation. Transient failures (5xx, network, after the transport's retries) throw like any
 * other fetch failure, so the conversation is retried.
 */
async function requestRestore(
  client: GenesysClient,
  rec: Recording & { id: string; conversationId: string },
  restore: { days: number },
  signal: AbortSignal | undefined,
): Promise<RecordingOutcome> {
  if (!(Number.isFinite(restore.days) && restore.days > 0))
    throw new GtError('USAGE', `restoreArchived.days must be a positive number (got ${restore.days})`);
  const until = new Date(Date.now() + restore.days * DAY_MS);
  try {
    const answer = await restoreRecording(client, rec.conversationId, rec.id, until, {
      ...(rec.deleteDate ? { deleteDate: rec.deleteDate } : {}),
      ...(signal ? { signal } : {}),
    });
    // remainingRestorationsAllowedForOrg is deprecated (Genesys always says 10000): not quoted.
    return {
      kind: 'skipped',
      recordingId: rec.id,
      reason: 'restore-requested',
      detail: `restoration requested until ${until.toISOString()}${answer.fileState ? ` (${answer.fileState})` : ''}`,
    };
  } catch (err) {
    const status = isGtError(err) ? Number(err.details.status ?? 0) : 0;
    if (isGtError(err, 'NOT_FOUND') || (isGtError(err, 'HTTP_ERROR') && status >= 400 && status < 500)) {
      return {
        kind: 'skipped',
        recordingId: rec.id,
        reason: 'archived',
        detail: `restore refused: ${refusalOf(err)}`,
      };
    }
    throw err;
  }
}

/**
 * Every recording of a conversation, each ending in one outcome: downloaded, digital (data for the
 * transcript step) or skipped with a reason.
 */
export async function fetchConversationRecordings(
  client: GenesysClient,
  conversationId: string,
  opts: FetchRecordingsOptions,
): Promise<RecordingOutcome[]> {
  const { recordings, stillTranscoding } = await listUntilReady(client, conversationId, opts);
  const out: RecordingOutcome[] = [];
  const seen = new Set<string>();
  for (const r of recordings) {
    if (!r.id || seen.has(r.id) || (opts.only && !opts.only(r.id))) continue;
    seen.add(r.id);
    const rec = { ...r, id: r.id, conversationId: r.conversationId ?? conversationId };
    const unavailable = unavailableReason(rec);
    if (shouldRestore(rec, opts)) {
      out.push(await requestRestore(client, rec, opts.restoreArchived!, opts.signal));
    } else if (unavailable) {
      out.push({ kind: 'skipped', recordingId: rec.id, ...unavailable });
    } else if (isDigital(rec)) {
      out.push({ kind: 'digital', recordingId: rec.id, recording: rec });
    } else if (opts.format === 'NONE') {
      out.push({
        kind: 'skipped',
        recordingId: rec.id,
        reason: 'not-requested',
        detail: 'media format NONE',
      });
    } else if (isPending(rec, opts.format) || (stillTranscoding && !mediaUriOf(rec))) {
      out.push({
        kind: 'skipped',
        recordingId: rec.id,
        reason: 'transcoding-timeout',
        detail: `not ready within ${opts.deadlineMs ?? DEFAULT_TRANSCODE_DEADLINE_MS} ms`,
      });
    } else {
      out.push(...(await downloadRecording(client, rec, { ...opts, format: opts.format })));
    }
  }
  if (stillTranscoding && recordings.length === 0) {
    // A 202 with an empty list tells us nothing about which recordings exist: the metadata does.
    for (const m of await listRecordingMetadata(
      client,
      conversationId,
      opts.signal ? { signal: opts.signal } : {},
    )) {
      if (!m.id || seen.has(m.id) || (opts.only && !opts.only(m.id))) continue;
      seen.add(m.id);
      out.push({
        kind: 'skipped',
        recordingId: m.id,
        reason: 'transcoding-timeout',
        detail: 'Genesys still transcoding at the deadline',
      });
    }
  }
  return out;
}
