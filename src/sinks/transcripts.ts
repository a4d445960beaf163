// The delivered transcripts of a bundle, for sinks that store text (review pages, PostgreSQL): the
// model objects when the pipeline passed them, else the bundle's transcript-*.json files.
import { readFile } from 'node:fs/promises';
import type { Transcript } from '../pipeline/transform/model.ts';
import type { ConversationBundle } from './types.ts';

export async function bundleTranscripts(bundle: ConversationBundle): Promise<Transcript[]> {
  if (bundle.transcripts) return bundle.transcripts;
  const out: Transcript[] = [];
  for (const f of bundle.files)
    if (/^transcript-[^/]+\.json$/.test(f.name))
      out.push(JSON.parse(f.text ?? (await readFile(f.path, 'utf8'))) as Transcript);
  return out;
}
