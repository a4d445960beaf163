// Counted, non-fatal problems found while normalising one transcript. Callers (the pipeline) may
// log them; they never contain text from the transcript, only counts.
export interface TransformWarnings {
  /** Phrases/messages dropped because they failed validation (wrong types, missing times). */
  droppedItems: number;
  /** Words dropped from otherwise valid phrases. */
  droppedWords: number;
  /** Items with no text left after cleaning (silence, control characters only). */
  emptyItems: number;
  /** Texts cut at the length cap. */
  truncatedTexts: number;
}

export type WarningSink = (warnings: TransformWarnings) => void;

export function emptyWarnings(): TransformWarnings {
  return { droppedItems: 0, droppedWords: 0, emptyItems: 0, truncatedTexts: 0 };
}

export function reportWarnings(w: TransformWarnings, sink: WarningSink | undefined): void {
  if (sink && (w.droppedItems || w.droppedWords || w.emptyItems || w.truncatedTexts)) sink(w);
}
