// Where a conversation lands in a folder-like destination (filesystem, S3 keys):
// YYYY/MM/DD/<safeName(conversationId)>/<file name>, dates in UTC so every machine agrees.
import { GtError } from '../errors.ts';
import { safeName } from '../util/safe-name.ts';
import type { ConversationBundle } from './types.ts';

export const MANIFEST_NAME = 'manifest.json';

/** The conversation folder as path segments: [YYYY, MM, DD, safe id]. */
export function conversationSegments(
  bundle: Pick<ConversationBundle, 'conversationId' | 'conversationStart'>,
): string[] {
  const d = new Date(bundle.conversationStart);
  if (Number.isNaN(d.getTime())) {
    throw new GtError('SINK_FAILED', 'conversationStart is not a valid date', {
      conversationId: bundle.conversationId,
    });
  }
  const p = (n: number) => String(n).padStart(2, '0');
  return [
    String(d.getUTCFullYear()),
    p(d.getUTCMonth() + 1),
    p(d.getUTCDate()),
    safeName(bundle.conversationId),
  ];
}

/**
 * A bundle file name as safe segments. Names are meant to be safe already; passing every
 * segment through safeName (the identity for safe names) guarantees nothing escapes the folder.
 */
export function fileSegments(name: string): string[] {
  const parts = name.split(/[\\/]/).filter((s) => s !== '');
  if (parts.length === 0) throw new GtError('UNSAFE_NAME', 'empty bundle file name');
  return parts.map(safeName);
}

/** Manifest last: a destination holding manifest.json holds the whole conversation. */
export function manifestLast<T extends { name: string }>(files: readonly T[]): T[] {
  return [...files.filter((f) => f.name !== MANIFEST_NAME), ...files.filter((f) => f.name === MANIFEST_NAME)];
}
