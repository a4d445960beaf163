// The per-conversation manifest.json: every file with its size and sha256, every skipped item with
// its reason, and what redaction did. It is the receipt an archive keeps beside the data.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { StagedFile, TextFile } from '../sinks/types.ts';
import type { ConversationDetails } from './details.ts';
import type { AudioRedactionEntry } from './transform/audio-redact.ts';

export const MANIFEST_VERSION = 1;

export const NOT_REDACTED_WARNING =
  'NOT REDACTED: exported with --no-redact; these transcripts may contain PII (card numbers, SSNs, phone numbers, emails)';

export interface ManifestSkip {
  kind: 'recording' | 'transcript' | 'conversation';
  id?: string;
  reason: string;
  detail?: string;
}

export interface Manifest {
  manifestVersion: typeof MANIFEST_VERSION;
  conversationId: string;
  conversationStart: string;
  conversationEnd?: string;
  mediaTypes: string[];
  exportedAt: string;
  tool: { name: 'genesys-transcripts'; version: string };
  redaction: {
    applied: boolean;
    counts: Record<string, number>;
    /** Per delivered recording: the time ranges silenced (ms from its start) and the delivered sha256. */
    audio?: AudioRedactionEntry[];
  };
  /** Set when the export ran with --no-redact: the transcripts may hold PII. */
  warning?: string;
  files: {
    name: string;
    size: number;
    sha256: string;
    contentType: string;
    /** Recording files: which recording, and which of its files ('merged': every channel in one; else the channel key Genesys gave, e.g. "0", "1"). */
    recordingId?: string;
    channel?: string;
  }[];
  skipped: ManifestSkip[];
  /** Participants (no customer names), queues, direction, duration, language: see details.ts. */
  details?: ConversationDetails;
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** A text/JSON file of the bundle, kept in memory (see TextFile): described, not written. */
export function textFile(name: string, contentType: string, text: string): TextFile {
  return {
    name,
    text,
    size: Buffer.byteLength(text, 'utf8'),
    sha256: createHash('sha256').update(text, 'utf8').digest('hex'),
    contentType,
  };
}

export async function describeFile(
  path: string,
  name: string,
  contentType: string,
  known?: { size: number; sha256: string },
): Promise<StagedFile> {
  if (known) return { name, path, contentType, ...known };
  const [info, sha256] = await Promise.all([stat(path), sha256File(path)]);
  return { name, path, size: info.size, sha256, contentType };
}
