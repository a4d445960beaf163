// The fetch steps of one conversation, run by exportConversation (conversation.ts): its voice
// transcripts asked for while the recordings download, each recording's outcome taken in (media
// staged and described, skips recorded, digital transcripts normalised), then the voice
// transcripts taken in. Downloads and skips go to the audit log in the order they come.
import type { ConversationJob } from './conversation.ts';
import type { FetchRecordingsOptions, RecordingOutcome } from './fetch/recordings.ts';
import { fetchVoiceTranscripts, type VoiceTranscriptFetch } from './fetch/transcripts.ts';
import { normaliseDigitalRecording } from './transform/digital.ts';
import { normaliseVoiceTranscript } from './transform/voice.ts';
import type { TransformWarnings } from './transform/warnings.ts';
import { describeFile } from './manifest.ts';

/**
 * Dropped or cleaned transcript items are counted, never quoted (they may hold PII).
 * Items with no text (typing indicators, joins/leaves, silent phrases) are ordinary in Genesys
 * transcripts: a debug line, not a warning on every clean run; lost text (dropped, cut) warns.
 */
function onWarnings({ ctx, conversationId }: ConversationJob, item: string) {
  return (w: TransformWarnings): void => {
    const lost = w.droppedItems > 0 || w.droppedWords > 0 || w.truncatedTexts > 0;
    ctx.logger[lost ? 'warn' : 'debug'](
      { conversationId, item, ...w },
      'transcript items dropped or cleaned',
    );
  };
}

/** Voice transcripts are asked for while the recordings download (overlapped, not after them). */
export function startVoiceTranscripts({ ctx, conversation, mediaTypes }: ConversationJob) {
  const voice =
    ctx.options.transcripts && mediaTypes.includes('voice')
      ? fetchVoiceTranscripts(ctx.client, conversation, ctx.signal)
      : undefined;
  voice?.catch(() => {}); // awaited by a later step, unless the recordings step fails first
  return voice;
}

/** What recordingsOf is asked for: the media format, where it goes, how long to wait. */
export function recordingRequest({
  ctx,
  staging,
}: ConversationJob): FetchRecordingsOptions & { wantDigital: boolean } {
  const { options } = ctx;
  return {
    format: options.media ? options.mediaFormat : 'NONE',
    // Straight in the conversation's staging folder: one folder fewer to create and delete.
    dir: staging,
    deadlineMs: options.transcodeDeadlineMs,
    wantDigital: options.transcripts,
    ...(options.restoreArchivedDays ? { restoreArchived: { days: options.restoreArchivedDays } } : {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  };
}

/**
 * Each recording's outcome, in order: downloaded media described (audio held back for redaction),
 * skips recorded, digital transcripts normalised; every download and skip goes to the audit log.
 */
export async function takeRecordings(job: ConversationJob, recordings: RecordingOutcome[]): Promise<void> {
  const { ctx, conversationId, result } = job;
  const { options, audit } = ctx;
  for (const r of recordings) {
    if (r.kind === 'downloaded') {
      const name = `recordings/${r.file.path.split('/').pop()!}`;
      // A file without a channel key (a batch result) is the original recording: every channel in one.
      job.recordingFiles.set(name, { recordingId: r.recordingId, channel: r.channel ?? 'merged' });
      const described = await describeFile(r.file.path, name, r.contentType, {
        size: r.file.size,
        sha256: r.file.sha256,
      });
      if (options.redact && r.media === 'audio')
        job.audio.push({ recordingId: r.recordingId, file: described });
      else job.files.push(described);
      await audit.append('recording.downloaded', {
        conversationId,
        recordingId: r.recordingId,
        bytes: r.file.size,
        sha256: r.file.sha256,
      });
    } else if (r.kind === 'skipped') {
      result.skipped.push({
        kind: 'recording',
        id: r.recordingId,
        reason: r.reason,
        ...(r.detail ? { detail: r.detail } : {}),
      });
      await audit.append('recording.skipped', {
        conversationId,
        recordingId: r.recordingId,
        reason: r.reason,
      });
    } else if (r.kind === 'digital' && options.transcripts) {
      const t = normaliseDigitalRecording(r.recording, job.conversation, {
        onWarnings: onWarnings(job, r.recordingId),
      });
      if (t) job.transcripts.push(t);
    }
  }
}

/** Voice transcripts from Speech & Text Analytics, one per recorded voice communication. */
export async function takeVoiceTranscripts(
  job: ConversationJob,
  voice: Promise<VoiceTranscriptFetch[]>,
): Promise<void> {
  const { ctx, conversationId, result } = job;
  for (const v of await voice) {
    if (v.kind === 'missing') {
      result.skipped.push({
        kind: 'transcript',
        id: v.communicationId,
        reason: 'no-transcript',
        ...(v.detail ? { detail: v.detail } : {}),
      });
      await ctx.audit.append('transcript.missing', { conversationId, communicationId: v.communicationId });
      continue;
    }
    job.transcripts.push(
      normaliseVoiceTranscript(v.raw, job.conversation, {
        communicationId: v.communicationId,
        onWarnings: onWarnings(job, v.communicationId),
      }),
    );
  }
}
