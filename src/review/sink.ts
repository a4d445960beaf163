// The review pages and the search index kept up to date as an export runs: a sink beside the
// filesystem sink, on the same folder, so the checkpoint retries it like any destination (a
// conversation killed between the two is finished by the next run).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { asDiskFull, GtError, isGtError } from '../errors.ts';
import type { Manifest } from '../pipeline/manifest.ts';
import { bundleTranscripts } from '../sinks/transcripts.ts';
import { conversationSegments } from '../sinks/layout.ts';
import type { ConversationBundle, DeliveryReceipt, Sink } from '../sinks/types.ts';
import { pagePath } from './entry.ts';
import { ReviewSite, type SiteModes } from './site.ts';

export function createReviewSink(options: { root: string; name?: string } & SiteModes): Sink {
  const root = resolve(options.root);
  // The checkpoint key: `review:.` for the export's own folder (see src/pipeline/home.ts).
  const name = options.name ?? `review:${root}`;
  const site = new ReviewSite(root, options);
  return {
    name,
    async deliver(bundle: ConversationBundle): Promise<DeliveryReceipt> {
      try {
        await site.add({
          manifest: bundle.manifest as unknown as Manifest,
          transcripts: await bundleTranscripts(bundle),
          folder: conversationSegments(bundle),
        });
      } catch (err) {
        const e = asDiskFull(err, 'the export folder (review pages)');
        if (isGtError(e)) throw e;
        throw new GtError(
          'SINK_FAILED',
          'review pages could not be written',
          { sink: `review:${root}` },
          { cause: err },
        );
      }
      return {
        sink: name,
        deliveryId: bundle.deliveryId,
        location: join(root, pagePath(bundle.conversationId)),
        // Relative to the folder, so a moved or copied folder still holds it.
        path: pagePath(bundle.conversationId),
        deliveredAt: new Date().toISOString(),
      };
    },
    /** A deleted page is written again by the next run (`review DIR` rebuilds them all). */
    async holds({ receipt }) {
      const r = receipt as { location?: unknown; path?: unknown } | null;
      if (typeof r?.path === 'string') return existsSync(resolve(root, r.path));
      return typeof r?.location === 'string' && existsSync(r.location);
    },
    async close() {
      site.close();
    },
  };
}
