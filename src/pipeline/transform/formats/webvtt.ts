// WebVTT (https://www.w3.org/TR/webvtt1/): one cue per segment with a <v Speaker> voice tag.
// Cue text escapes &, < and >, which also means no "-->" can survive inside a cue.
import type { Transcript } from '../model.ts';
import { buildCues } from './cues.ts';
import { clock, speakerName } from './labels.ts';

export function escapeVtt(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function renderWebVtt(t: Transcript): string {
  const out = ['WEBVTT', ''];
  buildCues(t, 'vtt').forEach((cue, i) => {
    out.push(String(i + 1), `${clock(cue.startMs, '.')} --> ${clock(cue.endMs, '.')}`);
    const voice = escapeVtt(speakerName(cue.speaker));
    out.push(`<v ${voice}>${cue.lines.map(escapeVtt).join('\n')}`, '');
  });
  return out.join('\n');
}
