// The production processor: each job goes through the same per-conversation runtime as `export`
// (fetch, transform, redact, deliver to the sinks), one runtime per OAuth client, all sharing the
// Redis rate limiter. Jobs go to the client with the fewest conversations in flight here, so the
// clients' budgets fill evenly.
//
// Each worker PROCESS gets its own state directory (checkpoint, staging, audit log) under
// <stateDir>/workers/<host>-<pid>: BullMQ is the source of truth for what is done, and a shared
// SQLite checkpoint on a network filesystem is asking for trouble. Exactly-once at the sink comes
// from the sinks: deterministic paths (fs, S3) and a deterministic webhook-id per conversation, so
// a job redone after a crash rewrites the same objects and resends the same delivery ID.
//
// Two guards a single-process export does not need:
//   - the same conversation twice in flight in one process (its job's lock was lost during a long
//     stall and the job came back here): the second attempt fails as retryable instead of reading
//     the first one's "in progress" checkpoint row as already exported;
//   - a job carries only the conversation ID: the conversations are looked up in multi-gets shared
//     with the next jobs of the queue (details-prefetch.ts) instead of one GET per job;
//   - failures that every following job would hit too (bad credentials, disk full, broken
//     checkpoint): reported through onFatal so the worker stops taking jobs, rather than burning
//     the queue's attempts. The job itself fails this attempt and is retried by another worker.
import { join } from 'node:path';
import type { GenesysConfig } from '../config/index.ts';
import { isRunFatal, type GtError } from '../errors.ts';
import type { RateLimiter } from '../genesys/rate-limiter.ts';
import { getConversationsDetails } from '../genesys/endpoints/analytics.ts';
import type { Logger } from '../observe/logger.ts';
import type { RuntimeOptionsInput } from '../pipeline/options.ts';
import type { ExportRuntime } from '../pipeline/runtime.ts';
import { safeName } from '../util/safe-name.ts';
import type { ConversationProcessor } from './worker.ts';
import { DetailsPrefetcher, type PrefetchStats } from './details-prefetch.ts';
import { adoptLeftovers, workerDirName } from './leftovers.ts';

export interface PipelineProcessorOptions {
  /** What to export and where to deliver (formats, media, sinks, outDir, stateDir). Selection is ignored. */
  exportOptions: Omit<RuntimeOptionsInput, 'selection'>;
  /** One per OAuth client (see loadClientConfigs). */
  configs: readonly GenesysConfig[];
  /** Shared by all runtimes (and all processes): the Redis limiter. */
  limiter: RateLimiter;
  logger?: Logger;
  /** A failure every following job would hit too (AUTH_FAILED, CONFIG_INVALID, DISK_FULL, CHECKPOINT). */
  onFatal?: (err: GtError) => void;
  /**
   * IDs of the next waiting jobs (DistributedWorker.upcoming). Given, conversations are looked up
   * in multi-gets with them; absent, one GET per job.
   */
  upcoming?: (n: number) => Promise<string[]>;
  /** IDs per multi-get (default 50). */
  prefetchBatchSize?: number;
}

export interface PipelineProcessor {
  processor: ConversationProcessor;
  /** Lookups served by multi-gets (undefined without `upcoming`). */
  readonly prefetch: PrefetchStats | undefined;
  close(): Promise<void>;
}

export async function createPipelineProcessor(options: PipelineProcessorOptions): Promise<PipelineProcessor> {
  // Loaded lazily: the pipeline pulls in sinks, SQLite and redaction, which enqueue/status never need.
  const { createExportRuntime } = await import('../pipeline/runtime.ts');
  const stateDir = options.exportOptions.stateDir ?? './.genesys-transcripts';
  const stateRoot = join(stateDir, 'workers', workerDirName());
  // Dead workers of this host leave partial recordings behind: removed, their audit trail kept.
  for (const a of await adoptLeftovers(stateDir))
    options.logger?.info({ ...a }, 'adopted the leftovers of a dead worker');
  const runtimes: { runtime: ExportRuntime; inFlight: number }[] = [];
  for (const config of options.configs) {
    const runtime = await createExportRuntime(
      {
        ...options.exportOptions,
        stateDir: join(stateRoot, safeName(config.clientId)),
      },
      { config, limiter: options.limiter, ...(options.logger ? { logger: options.logger } : {}) },
    );
    runtimes.push({ runtime, inFlight: 0 });
  }

  const leastBusy = () => runtimes.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
  const upcoming = options.upcoming;
  const prefetcher = upcoming
    ? new DetailsPrefetcher({
        fetchMany: (ids) => getConversationsDetails(leastBusy().runtime.context.client, ids),
        upcoming,
        ...(options.prefetchBatchSize ? { batchSize: options.prefetchBatchSize } : {}),
      })
    : undefined;

  const inFlight = new Set<string>();
  const processor: ConversationProcessor = async (conversationId) => {
    if (inFlight.has(conversationId)) {
      return {
        status: 'failed',
        errorCode: 'IN_PROGRESS',
        reason: 'this conversation is still being exported by this worker (its job lock was lost)',
      };
    }
    inFlight.add(conversationId);
    const slot = leastBusy();
    slot.inFlight += 1;
    try {
      let r;
      try {
        // Never throws: without a prefetched conversation the runtime GETs it by ID.
        const conversation = (await prefetcher?.get(conversationId)) ?? conversationId;
        r = await slot.runtime.exportOne(conversation);
      } catch (err) {
        // The runtime throws these (instead of returning a failed result): no later job can succeed here.
        if (isRunFatal(err)) options.onFatal?.(err);
        throw err;
      }
      // Not ready yet (transcoding, restoring): fail this attempt so BullMQ retries it after its backoff.
      if (r.status === 'deferred')
        return { status: 'failed', errorCode: 'NOT_READY', reason: r.reason ?? 'recording not ready' };
      return {
        status: r.status,
        ...(r.reason ? { reason: r.reason } : {}),
        ...(r.errorCode ? { errorCode: r.errorCode } : {}),
      };
    } finally {
      slot.inFlight -= 1;
      inFlight.delete(conversationId);
    }
  };

  return {
    processor,
    prefetch: prefetcher?.stats,
    async close() {
      await Promise.allSettled(runtimes.map((r) => r.runtime.close()));
    },
  };
}
