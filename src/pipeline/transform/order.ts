// One order for a conversation's transcripts wherever they are numbered (review pages, search
// index, PostgreSQL rows): voice first, then by start, then by communication/recording ID, so the
// numbering never depends on the order things were fetched in.
import type { Transcript } from './model.ts';

export function orderTranscripts(transcripts: readonly Transcript[]): Transcript[] {
  return [...transcripts].sort(
    (a, b) =>
      Number(b.mediaType === 'voice') - Number(a.mediaType === 'voice') ||
      a.startedAt.localeCompare(b.startedAt) ||
      (a.communicationId ?? a.recordingId ?? '').localeCompare(b.communicationId ?? b.recordingId ?? ''),
  );
}
