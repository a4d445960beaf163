// A delivered conversation as rows of the PostgreSQL schema (schema.ts): the conversation, its
// participants (customers never named), its recordings (exported or skipped with the reason) and
// one utterance per transcript line with speaker, offsets and redaction markers. Text is what the
// export delivers: redacted unless the export ran with --no-redact.
import { createHash } from 'node:crypto';
import type { Manifest } from '../../pipeline/manifest.ts';
import type { Transcript } from '../../pipeline/transform/model.ts';
import { orderTranscripts } from '../../pipeline/transform/order.ts';

export interface ConversationRow {
  conversation_id: string;
  delivery_id: string;
  content_sha256: string;
  conversation_start: string;
  conversation_end: string | null;
  duration_ms: number | null;
  direction: string | null;
  media_types: string[];
  language: string | null;
  queue_ids: string[];
  queue_names: (string | null)[];
  redaction_applied: boolean;
  redaction_counts: string;
  skipped: string;
  manifest: string;
  exported_at: string;
}

export type ParticipantRow = [
  position: number,
  participant_id: string | null,
  purpose: string,
  role: string,
  user_id: string | null,
  name: string | null,
  queue_ids: string[],
];

export type RecordingRow = [
  item: string,
  recording_id: string | null,
  channel: string | null,
  status: 'exported' | 'skipped',
  reason: string | null,
  detail: string | null,
  file_name: string | null,
  content_type: string | null,
  size_bytes: number | null,
  sha256: string | null,
];

export type UtteranceRow = [
  transcript: number,
  segment: number,
  media_type: string,
  communication_id: string | null,
  recording_id: string | null,
  language: string | null,
  speaker_role: string,
  speaker_participant_id: string | null,
  speaker_user_id: string | null,
  speaker_name: string | null,
  started_at: string,
  start_ms: number,
  end_ms: number,
  text: string,
  redactions: string,
];

export interface Rows {
  conversation: ConversationRow;
  participants: ParticipantRow[];
  recordings: RecordingRow[];
  utterances: UtteranceRow[];
}

/** What was delivered, without the export time: equal hashes mean nothing to write. */
function contentHash(m: Manifest, transcripts: Transcript[]): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ files: m.files, skipped: m.skipped, details: m.details ?? null }));
  for (const t of transcripts) h.update(JSON.stringify(t.segments)).update(JSON.stringify(t.redaction));
  return h.digest('hex');
}

function recordingRows(m: Manifest): RecordingRow[] {
  const exported: RecordingRow[] = m.files
    .filter((f) => f.name.startsWith('recordings/'))
    .map((f) => [
      f.name,
      f.recordingId ?? null,
      f.channel ?? null,
      'exported',
      null,
      null,
      f.name,
      f.contentType,
      f.size,
      f.sha256,
    ]);
  const skipped: RecordingRow[] = m.skipped
    .filter((s) => s.kind === 'recording')
    .map((s, i) => [
      `skipped:${s.id ?? i}`,
      s.id ?? null,
      null,
      'skipped',
      s.reason,
      s.detail ?? null,
      null,
      null,
      null,
      null,
    ]);
  return [...exported, ...skipped];
}

function utteranceRows(transcripts: Transcript[]): UtteranceRow[] {
  return transcripts.flatMap((t, ti) => {
    const base = Date.parse(t.startedAt);
    return t.segments.map((s): UtteranceRow => {
      const spans = t.redaction.spans
        .filter((r) => r.segmentIndex === s.index)
        .map((r) => ({
          entity: r.entity,
          start: r.start,
          end: r.end,
          ...(r.startMs !== undefined ? { startMs: r.startMs } : {}),
          ...(r.endMs !== undefined ? { endMs: r.endMs } : {}),
        }));
      const text = s.meta?.subject ? `${s.meta.subject}\n${s.text}` : s.text;
      return [
        ti,
        s.index,
        t.mediaType,
        t.communicationId ?? null,
        t.recordingId ?? null,
        t.language ?? null,
        s.speaker.role,
        s.speaker.participantId ?? null,
        s.speaker.userId ?? null,
        s.speaker.role === 'customer' ? null : (s.speaker.name ?? null),
        new Date(base + s.startMs).toISOString(),
        Math.round(s.startMs),
        Math.round(s.endMs),
        text,
        // Offsets count in `text` as stored: a subject line before the body moves them.
        JSON.stringify(
          s.meta?.subject
            ? spans.map((r) => ({
                ...r,
                start: r.start + s.meta!.subject!.length + 1,
                end: r.end + s.meta!.subject!.length + 1,
              }))
            : spans,
        ),
      ];
    });
  });
}

export function rowsOf(m: Manifest, deliveryId: string, delivered: Transcript[]): Rows {
  const transcripts = orderTranscripts(delivered);
  const d = m.details;
  const end = m.conversationEnd ? Date.parse(m.conversationEnd) - Date.parse(m.conversationStart) : NaN;
  return {
    conversation: {
      conversation_id: m.conversationId,
      delivery_id: deliveryId,
      content_sha256: contentHash(m, transcripts),
      conversation_start: m.conversationStart,
      conversation_end: m.conversationEnd ?? null,
      duration_ms: d?.durationMs ?? (Number.isFinite(end) ? end : null),
      direction: d?.direction ?? null,
      media_types: m.mediaTypes,
      language: d?.language ?? transcripts.find((t) => t.language)?.language ?? null,
      queue_ids: (d?.queues ?? []).map((q) => q.id),
      queue_names: (d?.queues ?? []).map((q) => q.name ?? null),
      redaction_applied: m.redaction.applied,
      redaction_counts: JSON.stringify(m.redaction.counts),
      skipped: JSON.stringify(m.skipped),
      manifest: JSON.stringify(m),
      exported_at: m.exportedAt,
    },
    participants: (d?.participants ?? []).map((p, i) => [
      i,
      p.participantId ?? null,
      p.purpose,
      p.role,
      p.userId ?? null,
      p.role === 'customer' ? null : (p.name ?? null),
      p.queueIds,
    ]),
    recordings: recordingRows(m),
    utterances: utteranceRows(transcripts),
  };
}
