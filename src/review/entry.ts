// One delivered conversation as the review pages and the search index see it: its manifest, its
// transcripts (as delivered: redacted unless the export opted out) and where its folder sits in
// the export. Built from a bundle while exporting, or from a conversation folder by `review DIR`,
// so both paths produce the same pages.
import type { Manifest } from '../pipeline/manifest.ts';
import type { Transcript } from '../pipeline/transform/model.ts';
import { speakerName } from '../pipeline/transform/formats/labels.ts';
import { orderTranscripts } from '../pipeline/transform/order.ts';
import { safeName } from '../util/safe-name.ts';

export interface ReviewEntry {
  manifest: Manifest;
  transcripts: Transcript[];
  /** The conversation folder relative to the export root, as path segments: [YYYY, MM, DD, safe id]. */
  folder: string[];
}

/** One line of the index table (also what `search` filters on). */
export interface ReviewRow {
  id: string;
  /** Conversation page, relative to the export root. */
  page: string;
  start: string;
  durationMs: number | null;
  media: string[];
  queues: { id: string; name?: string }[];
  agents: { userId?: string; name?: string }[];
  language: string | null;
  redactions: Record<string, number>;
  redacted: boolean;
  skipped: { kind: string; id?: string; reason: string; detail?: string }[];
  files: number;
}

/** The page of a conversation, relative to the export root. */
export function pagePath(conversationId: string): string {
  return `review/c/${safeName(conversationId)}.html`;
}

/** Transcripts in a stable order (voice first, then by start), so pages and indexes never depend on delivery order. */
export function orderedTranscripts(entry: ReviewEntry): Transcript[] {
  return orderTranscripts(entry.transcripts);
}

function agentsOf(entry: ReviewEntry): ReviewRow['agents'] {
  const seen = new Map<string, { userId?: string; name?: string }>();
  for (const p of entry.manifest.details?.participants ?? [])
    if (p.role === 'agent')
      seen.set(p.userId ?? p.name ?? p.participantId ?? '', { userId: p.userId, name: p.name });
  // Exports made before manifests carried details: the transcripts still name the agents who spoke.
  if (seen.size === 0)
    for (const t of entry.transcripts)
      for (const s of t.segments)
        if (s.speaker.role === 'agent' && (s.speaker.userId || s.speaker.name))
          seen.set(s.speaker.userId ?? s.speaker.name!, { userId: s.speaker.userId, name: s.speaker.name });
  return [...seen.values()]
    .map((a) => ({ ...(a.userId ? { userId: a.userId } : {}), ...(a.name ? { name: a.name } : {}) }))
    .sort((a, b) => (a.name ?? a.userId ?? '').localeCompare(b.name ?? b.userId ?? ''));
}

export function rowOf(entry: ReviewEntry): ReviewRow {
  const m = entry.manifest;
  const d = m.details;
  const end = m.conversationEnd ? Date.parse(m.conversationEnd) - Date.parse(m.conversationStart) : NaN;
  const language = d?.language ?? entry.transcripts.find((t) => t.language)?.language ?? null;
  return {
    id: m.conversationId,
    page: pagePath(m.conversationId),
    start: m.conversationStart,
    durationMs: d?.durationMs ?? (Number.isFinite(end) ? end : null),
    media: [...m.mediaTypes],
    queues: d?.queues ?? [],
    agents: agentsOf(entry),
    language,
    redactions: Object.fromEntries(Object.entries(m.redaction.counts).sort(([a], [b]) => a.localeCompare(b))),
    redacted: m.redaction.applied,
    skipped: m.skipped.map((s) => ({
      kind: s.kind,
      ...(s.id ? { id: s.id } : {}),
      reason: s.reason,
      ...(s.detail ? { detail: s.detail } : {}),
    })),
    files: m.files.length + 1,
  };
}

/** "Agent Alice Smith", "Customer": the label a line of the transcript carries. */
export { speakerName };
