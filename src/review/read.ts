// Reads an export folder back: every YYYY/MM/DD/<id>/ holding a manifest.json (a complete
// delivery) becomes a ReviewEntry, its transcripts from the transcript-*.json files it lists.
// A conversation exported without the json format has no transcript to show or index.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Manifest } from '../pipeline/manifest.ts';
import type { Transcript } from '../pipeline/transform/model.ts';
import type { ReviewEntry } from './entry.ts';

const DATE_PART = [/^\d{4}$/, /^\d{2}$/, /^\d{2}$/];

async function subdirs(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true }))
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** [YYYY, MM, DD, id] of every conversation folder under root, in date order. */
async function* folders(root: string, prefix: string[] = []): AsyncGenerator<string[]> {
  for (const name of await subdirs(join(root, ...prefix))) {
    if (prefix.length < 3) {
      if (DATE_PART[prefix.length]!.test(name)) yield* folders(root, [...prefix, name]);
    } else yield [...prefix, name];
  }
}

function isTranscript(x: unknown): x is Transcript {
  const t = x as Transcript | null;
  return !!t && typeof t === 'object' && Array.isArray(t.segments) && typeof t.mediaType === 'string';
}

/** The conversation in one folder, or undefined when it holds no complete delivery. */
export async function readEntry(root: string, folder: string[]): Promise<ReviewEntry | undefined> {
  const dir = join(root, ...folder);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
  if (typeof manifest?.conversationId !== 'string' || !Array.isArray(manifest.files)) return undefined;
  const transcripts: Transcript[] = [];
  for (const f of manifest.files) {
    if (!/^transcript-[^/]+\.json$/.test(f.name)) continue;
    try {
      const t: unknown = JSON.parse(await readFile(join(dir, f.name), 'utf8'));
      if (isTranscript(t)) transcripts.push(t);
    } catch {
      // A missing or unreadable transcript file: the page shows the rest.
    }
  }
  return { manifest, transcripts, folder };
}

export async function* readExport(root: string): AsyncGenerator<ReviewEntry> {
  for await (const folder of folders(root)) {
    const entry = await readEntry(root, folder);
    if (entry) yield entry;
  }
}
