// Timed cues for the caption formats (WebVTT, SRT). Captions only make sense for timed media:
// voice, and chat/messaging shown at the time each message was sent. Email is refused (USAGE):
// an email thread spans days and has no timeline a player could follow.
import { GtError } from '../../../errors.ts';
import type { Speaker, Transcript } from '../model.ts';

/** How long a message (which has no duration) stays on screen after it: until the next one, within these bounds. */
export const MIN_CUE_MS = 1000;
export const MAX_MESSAGE_CUE_MS = 5000;

export interface Cue {
  startMs: number;
  endMs: number;
  speaker: Speaker;
  /** Cleaned lines, never empty, never blank. */
  lines: string[];
}

export function buildCues(t: Transcript, format: string): Cue[] {
  if (t.mediaType === 'email') {
    throw new GtError(
      'USAGE',
      `${format} captions are not available for email transcripts; use json or txt`,
      { format, mediaType: t.mediaType },
    );
  }
  const sorted = [...t.segments].sort((a, b) => a.startMs - b.startMs || a.index - b.index);
  const cues: Cue[] = [];
  sorted.forEach((seg, i) => {
    // A blank line would end a cue early; the text is cleaned already, this keeps it one block.
    const lines = seg.text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    if (!lines.length) return;
    // Messages are instants (a merged turn ends at its last message): they stay on screen after
    // it until the next segment, within bounds. Voice phrases have real durations.
    let endMs = seg.endMs;
    if (t.mediaType !== 'voice' || endMs <= seg.startMs) {
      const from = Math.max(seg.startMs, seg.endMs);
      const next = sorted.slice(i + 1).find((s) => s.startMs > from)?.startMs ?? from + MAX_MESSAGE_CUE_MS;
      endMs = from + Math.min(MAX_MESSAGE_CUE_MS, Math.max(MIN_CUE_MS, next - from));
    }
    cues.push({ startMs: seg.startMs, endMs, speaker: seg.speaker, lines });
  });
  return cues;
}
