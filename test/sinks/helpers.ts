// Builds staged bundles for the sink tests: real files in a temp staging folder with their sha256.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { BundleFile, ConversationBundle, TextFile } from '../../src/sinks/types.ts';

export async function stageFile(
  dir: string,
  name: string,
  content: Buffer | string,
  contentType = 'application/octet-stream',
): Promise<BundleFile> {
  const path = join(dir, name);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content);
  return {
    name,
    path,
    ...sizeAndHash(Buffer.isBuffer(content) ? content : Buffer.from(content)),
    contentType,
  };
}

/** A text file held in memory, as the pipeline hands transcripts and manifests to the sinks. */
export function textBundleFile(name: string, text: string, contentType = 'text/plain'): TextFile {
  return { name, text, ...sizeAndHash(Buffer.from(text, 'utf8')), contentType };
}

function sizeAndHash(buf: Buffer): { size: number; sha256: string } {
  return { size: buf.length, sha256: createHash('sha256').update(buf).digest('hex') };
}

export async function stageBundle(
  stagingRoot: string,
  conversationId: string,
  opts: { start?: string; deliveryId?: string; transcript?: string; media?: Buffer } = {},
): Promise<ConversationBundle> {
  const dir = join(stagingRoot, createHash('sha256').update(conversationId).digest('hex').slice(0, 16));
  const files: BundleFile[] = [];
  const transcript = { conversationId, turns: [{ speaker: 'agent', text: opts.transcript ?? 'hello' }] };
  files.push(await stageFile(dir, 'transcript.json', JSON.stringify(transcript), 'application/json'));
  files.push(await stageFile(dir, 'transcript.txt', `agent: ${opts.transcript ?? 'hello'}\n`, 'text/plain'));
  if (opts.media) files.push(await stageFile(dir, 'recordings/r1.wav', opts.media, 'audio/wav'));
  const manifest = {
    conversationId,
    files: files.map((f) => ({ name: f.name, sha256: f.sha256, size: f.size })),
  };
  files.push(await stageFile(dir, 'manifest.json', JSON.stringify(manifest, null, 2), 'application/json'));
  return {
    conversationId,
    conversationStart: opts.start ?? '2026-03-04T23:30:00.000Z',
    deliveryId:
      opts.deliveryId ?? `gt_${createHash('sha256').update(conversationId).digest('hex').slice(0, 32)}`,
    files,
    manifest,
  };
}

export const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
