// One entry point for every output format of a transcript.
import { GtError } from '../../../errors.ts';
import type { Transcript } from '../model.ts';
import { renderJson } from './json.ts';
import { renderSrt } from './srt.ts';
import { renderText } from './text.ts';
import { renderWebVtt } from './webvtt.ts';

export type OutputFormat = 'json' | 'txt' | 'vtt' | 'srt';

export const OUTPUT_FORMATS: readonly OutputFormat[] = ['json', 'txt', 'vtt', 'srt'];

/** Renders a transcript; vtt/srt of an email transcript throw a USAGE GtError (see cues.ts). */
export function renderTranscript(t: Transcript, format: OutputFormat): string {
  switch (format) {
    case 'json':
      return renderJson(t);
    case 'txt':
      return renderText(t);
    case 'vtt':
      return renderWebVtt(t);
    case 'srt':
      return renderSrt(t);
    default:
      throw new GtError('USAGE', `unknown transcript format: ${String(format)}`, { format: String(format) });
  }
}
