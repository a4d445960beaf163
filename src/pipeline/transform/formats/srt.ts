// SubRip: numbered cues, HH:MM:SS,mmm timings, the speaker as a "Name: " prefix. SRT has no
// escaping; players read <i>/<b>/<font> tags, so angle brackets become look-alike guillemets
// (‹ ›) and an arrow "-->" cannot appear in the text.
import type { Transcript } from '../model.ts';
import { buildCues } from './cues.ts';
import { clock, speakerName } from './labels.ts';

export function escapeSrt(text: string): string {
  return text.replace(/</g, '‹').replace(/>/g, '›');
}

export function renderSrt(t: Transcript): string {
  const blocks = buildCues(t, 'srt').map((cue, i) => {
    const [first, ...rest] = cue.lines.map(escapeSrt);
    return [
      String(i + 1),
      `${clock(cue.startMs, ',')} --> ${clock(cue.endMs, ',')}`,
      `${escapeSrt(speakerName(cue.speaker))}: ${first ?? ''}`,
      ...rest,
    ].join('\n');
  });
  return blocks.length ? `${blocks.join('\n\n')}\n` : '';
}
