// The canonical model as JSON: keys in a fixed order (the model's declaration order; meta and
// counts sorted), pretty-printed, so two exports of the same conversation are byte-identical.
import type { RedactionSpan, Segment, Speaker, Transcript, Word } from '../model.ts';

type Obj = Record<string, unknown>;

/** Copies `keys` in order, skipping undefined values. */
function ordered(source: object, keys: string[]): Obj {
  const out: Obj = {};
  const s = source as Obj;
  for (const k of keys) if (s[k] !== undefined) out[k] = s[k];
  return out;
}

function sortedRecord(r: Record<string, unknown> | undefined): Obj | undefined {
  if (!r) return undefined;
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

const speaker = (s: Speaker) => ordered(s, ['role', 'participantId', 'userId', 'name']);
const word = (w: Word) => ordered(w, ['text', 'startMs', 'endMs', 'confidence']);
const span = (s: RedactionSpan) => ordered(s, ['segmentIndex', 'entity', 'start', 'end', 'startMs', 'endMs']);

function segment(s: Segment): Obj {
  return ordered(
    { ...s, speaker: speaker(s.speaker), words: s.words?.map(word), meta: sortedRecord(s.meta) },
    ['index', 'speaker', 'startMs', 'endMs', 'text', 'confidence', 'meta', 'words'],
  );
}

export function renderJson(t: Transcript): string {
  const redaction = ordered(
    { ...t.redaction, counts: sortedRecord(t.redaction.counts), spans: t.redaction.spans.map(span) },
    ['applied', 'counts', 'spans'],
  );
  const doc = ordered({ ...t, segments: t.segments.map(segment), redaction }, [
    'schemaVersion',
    'conversationId',
    'communicationId',
    'recordingId',
    'mediaType',
    'language',
    'source',
    'startedAt',
    'durationMs',
    'redaction',
    'segments',
  ]);
  return `${JSON.stringify(doc, null, 2)}\n`;
}
