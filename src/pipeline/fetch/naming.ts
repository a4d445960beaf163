// Where a recording's media goes: `<dir>/<safeName(recordingId)>.<ext>`. The name depends only on
// the recording ID and the extension, so a re-run finds (and can reuse or resume) earlier files.
import { join } from 'node:path';
import { safeName } from '../../util/safe-name.ts';

export type MediaFormat = 'WAV' | 'WEBM' | 'OGG_OPUS' | 'MP3';

const FORMAT_EXT: Record<MediaFormat, string> = { WAV: 'wav', WEBM: 'webm', OGG_OPUS: 'opus', MP3: 'mp3' };
const FORMAT_TYPE: Record<MediaFormat, string> = {
  WAV: 'audio/wav',
  WEBM: 'audio/webm',
  OGG_OPUS: 'audio/ogg',
  MP3: 'audio/mpeg',
};

/** Content types a batch result may carry (original codec) → extension. */
const TYPE_EXT: Record<string, string> = {
  'audio/wav': 'wav',
  'audio/x-wav': 'wav',
  'audio/wave': 'wav',
  'audio/vnd.wave': 'wav',
  'audio/webm': 'webm',
  'video/webm': 'webm',
  'audio/ogg': 'ogg',
  'audio/opus': 'opus',
  'audio/mpeg': 'mp3',
  'audio/mp3': 'mp3',
  'audio/mp4': 'm4a',
  'audio/basic': 'au',
  'application/json': 'json',
  'application/zip': 'zip',
  'message/rfc822': 'eml',
  'text/plain': 'txt',
};

export const extensionForFormat = (format: MediaFormat): string => FORMAT_EXT[format];
export const contentTypeForFormat = (format: MediaFormat): string => FORMAT_TYPE[format];

/** `audio/ogg; codecs=opus` → `ogg`; unknown types → `bin` (never an extension taken from the API). */
export function extensionForContentType(contentType: string | undefined): string {
  const base = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return TYPE_EXT[base] ?? 'bin';
}

export function recordingFilePath(dir: string, recordingId: string, ext: string): string {
  return join(dir, `${safeName(recordingId)}.${ext}`);
}

/** One channel of a recording Genesys lists per channel: `<dir>/<id>.channel-<key>.<ext>` (both names made safe). */
export function channelFilePath(dir: string, recordingId: string, channel: string, ext: string): string {
  return join(dir, `${safeName(recordingId)}.channel-${safeName(channel)}.${ext}`);
}
