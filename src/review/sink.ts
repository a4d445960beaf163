// The review pages and the search index kept up to date as an export runs: a sink beside the
// filesystem sink, on the same folder, so the checkpoint retries it like any destination (a
// conversation killed between the two is finished by the next run).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { asDiskFull, GtError, isGtError } from '../errors.ts';
import type { Manifest } from '../pipeline/manifest.ts';
import type { Transcript } from '../pipeline/transform/model.ts';
import { conversationSegments } from '../sinks/layout.ts';
import type { ConversationBundle, DeliveryReceipt, Sink } from '../sinks/types.ts';
import { pagePath } from './entry.ts';
import { ReviewSite } from './site.ts';

/** The bundle's transcripts: the model objects when the pipeline passed them, else its staged JSON files. */
async function transcriptsOf(bundle: ConversationBundle): Promise<Transcript[]> {
  if (bundle.transcripts) return bundle.transcripts;
  const out: Transcript[] = [];
  for (const f of bundle.files)
    if (/^transcript-[^/]+\.json$/.test(f.name))
      out.push(JSON.parse(await readFile(f.path, 'utf8')) as Transcript);
  return out;
}

export function createReviewSink(options: { root: string }): Sink {
  const root = resolve(options.root);
  const name = `review:${root}`;
  const site = new ReviewSite(root);
  return {
    name,
    async deliver(bundle: ConversationBundle): Promise<DeliveryReceipt> {
      try {
        await site.add({
          manifest: bundle.manifest as unknown as Manifest,
          transcripts: await transcriptsOf(bundle),
          folder: conversationSegments(bundle),
        });
      } catch (err) {
        const e = asDiskFull(err, 'the export folder (review pages)');
        if (isGtError(e)) throw e;
        throw new GtError('SINK_FAILED', 'review pages could not be written', { sink: name }, { cause: err });
      }
      return {
        sink: name,
        deliveryId: bundle.deliveryId,
        location: root,
        deliveredAt: new Date().toISOString(),
      };
    },
    async close() {
      site.close();
    },
  };
}
