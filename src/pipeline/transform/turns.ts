// Turns: speech recognition cuts a speaker's sentence into several phrases, and chat users send
// several short messages in a row. A reader wants one block per turn, so adjacent segments of the
// same speaker, close enough in time, are merged.
//
// - Same speaker = same participantId, or (without one) same role + userId + name.
// - Segments with different meta (email subjects, attachments) are never merged, and email
//   messages are never merged at all: each email is its own item.
// - Merged confidence is the duration-weighted mean of the parts that have one (text length
//   weights when durations are zero, e.g. chat messages).
// - Redaction spans, if redaction already ran, are moved to the merged segment's coordinates.
import type { RedactionSpan, Segment, Speaker, Transcript } from './model.ts';

/** Default largest silence inside one turn. */
export const DEFAULT_MAX_GAP_MS = 3000;

export interface MergeOptions {
  maxGapMs?: number;
}

function speakerKey(s: Speaker): string {
  return s.participantId ? `p:${s.participantId}` : `r:${s.role}:${s.userId ?? ''}:${s.name ?? ''}`;
}

function sameMeta(a: Segment['meta'], b: Segment['meta']): boolean {
  const ka = Object.keys(a ?? {}).sort();
  const kb = Object.keys(b ?? {}).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a![k] === b![k]);
}

interface Group {
  parts: Segment[];
  /** Where each part's text starts in the merged text. */
  offsets: number[];
  text: string;
}

export function mergeTurns(t: Transcript, opts: MergeOptions = {}): Transcript {
  const maxGapMs = opts.maxGapMs ?? DEFAULT_MAX_GAP_MS;
  const separator = t.mediaType === 'voice' ? ' ' : '\n';
  const groups: Group[] = [];
  for (const seg of t.segments) {
    const g = groups.at(-1);
    const prev = g?.parts.at(-1);
    const joinable =
      g !== undefined &&
      prev !== undefined &&
      t.mediaType !== 'email' &&
      speakerKey(prev.speaker) === speakerKey(seg.speaker) &&
      sameMeta(prev.meta, seg.meta) &&
      seg.startMs - Math.max(...g.parts.map((p) => p.endMs)) <= maxGapMs;
    if (joinable) {
      g.offsets.push(g.text.length + separator.length);
      g.text = `${g.text}${separator}${seg.text}`;
      g.parts.push(seg);
    } else {
      groups.push({ parts: [seg], offsets: [0], text: seg.text });
    }
  }

  const newIndexOf = new Map<number, { index: number; offset: number }>();
  const segments: Segment[] = groups.map((g, index) => {
    const first = g.parts[0]!;
    g.parts.forEach((p, i) => newIndexOf.set(p.index, { index, offset: g.offsets[i]! }));
    const merged: Segment = {
      index,
      speaker: { ...first.speaker },
      startMs: Math.min(...g.parts.map((p) => p.startMs)),
      endMs: Math.max(...g.parts.map((p) => p.endMs)),
      text: g.text,
    };
    const confidence = weightedConfidence(g.parts);
    if (confidence !== undefined) merged.confidence = confidence;
    const words = g.parts.flatMap((p) => p.words ?? []);
    if (words.length) merged.words = words.map((w) => ({ ...w }));
    if (first.meta) merged.meta = { ...first.meta };
    return merged;
  });

  const spans: RedactionSpan[] = t.redaction.spans.map((s) => {
    const to = newIndexOf.get(s.segmentIndex);
    return to
      ? { ...s, segmentIndex: to.index, start: s.start + to.offset, end: s.end + to.offset }
      : { ...s };
  });
  return { ...t, segments, redaction: { ...t.redaction, counts: { ...t.redaction.counts }, spans } };
}

function weightedConfidence(parts: Segment[]): number | undefined {
  const rated = parts.filter((p) => p.confidence !== undefined);
  if (!rated.length) return undefined;
  if (rated.length === 1) return rated[0]!.confidence;
  const byDuration = rated.every((p) => p.endMs > p.startMs);
  const weight = (p: Segment) => (byDuration ? p.endMs - p.startMs : Math.max(1, p.text.length));
  const total = rated.reduce((sum, p) => sum + weight(p), 0);
  const mean = rated.reduce((sum, p) => sum + p.confidence! * weight(p), 0) / total;
  return Math.round(mean * 1000) / 1000;
}
