// From what a conversation's fetch gathered to what its sinks receive, run by exportConversation
// (conversation.ts): transcripts merged into turns, redacted and rendered in every wanted format;
// held-back audio silenced where its transcript was redacted; the redaction counts recorded; the
// manifest added last as manifest.json.
import { safeName } from '../util/safe-name.ts';
import type { ConversationJob } from './conversation.ts';
import { mergeTurns } from './transform/turns.ts';
import { redactTranscript } from './transform/redact/index.ts';
import { redactRecordingFiles, type AudioRedactionResult } from './transform/audio-redact.ts';
import { renderTranscript, type OutputFormat } from './transform/formats/index.ts';
import type { Transcript } from './transform/model.ts';
import { textFile, MANIFEST_VERSION, NOT_REDACTED_WARNING, type Manifest } from './manifest.ts';
import type { BundleFile } from '../sinks/types.ts';
import { TOOL_VERSION } from '../version.ts';
import { conversationDetails } from './details.ts';

const CONTENT_TYPES: Record<OutputFormat, string> = {
  json: 'application/json',
  txt: 'text/plain; charset=utf-8',
  vtt: 'text/vtt; charset=utf-8',
  srt: 'application/x-subrip; charset=utf-8',
};

/**
 * Each transcript merged into turns, redacted (its counts added to the result), logged as
 * retrieved and rendered in every wanted format, in order.
 */
export async function renderTranscripts(job: ConversationJob) {
  const { ctx, conversationId, result } = job;
  const delivered: Transcript[] = [];
  const voiceRedactions: { before: Transcript; after: Transcript }[] = [];
  for (const raw of job.transcripts) {
    let t = mergeTurns(raw);
    if (ctx.options.redact) {
      const before = t;
      t = redactTranscript(t, t.language ? { locale: t.language } : {});
      if (t.mediaType === 'voice') voiceRedactions.push({ before, after: t });
      for (const [entity, n] of Object.entries(t.redaction.counts))
        result.redactions[entity] = (result.redactions[entity] ?? 0) + (n ?? 0);
    }
    delivered.push(t);
    await ctx.audit.append('transcript.retrieved', {
      conversationId,
      communicationId: t.communicationId ?? t.recordingId ?? null,
      mediaType: t.mediaType,
      segments: t.segments.length,
    });
    job.files.push(...renderedFiles(t, ctx.options.formats));
  }
  return { delivered, voiceRedactions };
}

/** One transcript in each wanted format, as text files of the bundle. */
function renderedFiles(t: Transcript, formats: readonly OutputFormat[]): BundleFile[] {
  const base = `transcript-${safeName(t.communicationId ?? t.recordingId ?? t.mediaType)}`;
  const files: BundleFile[] = [];
  for (const format of formats) {
    // Captions are for timed media; for email they would be noise.
    if ((format === 'vtt' || format === 'srt') && t.mediaType === 'email') continue;
    files.push(textFile(`${base}.${format}`, CONTENT_TYPES[format], renderTranscript(t, format)));
  }
  return files;
}

/**
 * The held-back audio, its redacted words silenced, goes first among the files; a recording that
 * cannot be edited is skipped with a reason.
 */
export async function redactAudio(
  job: ConversationJob,
  voiceRedactions: { before: Transcript; after: Transcript }[],
): Promise<AudioRedactionResult> {
  const audioRedaction = await redactRecordingFiles(job.audio, voiceRedactions);
  job.files.unshift(...audioRedaction.files);
  job.result.skipped.push(...audioRedaction.skipped);
  return audioRedaction;
}

/** The conversation's redaction total in the audit log (the metrics count it once it is exported: conversation-attempts.ts). */
export async function recordRedactions({ ctx, conversationId, result }: ConversationJob): Promise<void> {
  const total = Object.values(result.redactions).reduce((a, b) => a + b, 0);
  await ctx.audit.append('redaction.applied', { conversationId, items: total });
}

/** The manifest of every file gathered, added last as manifest.json; the result lists the files. */
export function addManifest(
  { ctx, conversation, conversationId, result, mediaTypes, files, recordingFiles }: ConversationJob,
  delivered: Transcript[],
  audioRedaction: AudioRedactionResult | undefined,
): Manifest {
  const { options } = ctx;
  const manifest: Manifest = {
    manifestVersion: MANIFEST_VERSION,
    conversationId,
    conversationStart: conversation.conversationStart ?? '1970-01-01T00:00:00.000Z',
    ...(conversation.conversationEnd ? { conversationEnd: conversation.conversationEnd } : {}),
    mediaTypes,
    exportedAt: new Date().toISOString(),
    tool: { name: 'genesys-transcripts', version: TOOL_VERSION },
    redaction: {
      applied: options.redact,
      counts: result.redactions,
      ...(audioRedaction ? { audio: audioRedaction.entries } : {}),
    },
    ...(options.redact ? {} : { warning: NOT_REDACTED_WARNING }),
    files: files.map((f) => ({
      name: f.name,
      size: f.size,
      sha256: f.sha256,
      contentType: f.contentType,
      ...recordingFiles.get(f.name),
    })),
    skipped: result.skipped,
    details: conversationDetails(conversation, delivered),
  };
  files.push(textFile('manifest.json', 'application/json', `${JSON.stringify(manifest, null, 2)}\n`));
  result.files = files.map((f) => ({ name: f.name, size: f.size, sha256: f.sha256 }));
  // Media bytes delivered: the staged files in the bundle (not what was downloaded, which may
  // include a recording left out as not redactable).
  result.bytes = files.reduce((n, f) => (f.text === undefined ? n + f.size : n), 0);
  return manifest;
}
