// Recording batch requests ahead of the per-conversation pipeline: discovered conversations are
// gathered into jobs of ≤ 100 (one POST and a poll or two instead of a recordings list each), a
// few jobs ahead of the conversations being exported, so Genesys prepares the next batch while the
// current one downloads. Conversations that need no recordings lookup (analytics shows them
// unrecorded, they were exported already, nothing is wanted from recordings) pass through in
// order without a job. A failed job is not fatal: its conversations go on without a batch answer
// and are looked up one by one.
import type { AnalyticsConversationWithoutAttributes } from '../../sdk/models.ts';
import type { GenesysClient } from '../../genesys/transport.ts';
import { BATCH_MAX_ITEMS } from '../../genesys/endpoints/batch.ts';
import { isGtError } from '../../errors.ts';
import { runBatchJob, type BatchJobOptions, type ConversationBatch } from './batch.ts';

export interface Prefetched {
  conversation: AnalyticsConversationWithoutAttributes;
  /** The batch's answer for this conversation, once the job is done; undefined: none asked (or the job failed). */
  batch?: Promise<ConversationBatch | undefined>;
  /** The OAuth client that submitted the job (only it may read the job again). */
  client?: GenesysClient;
}

export interface BatchPrefetchOptions extends BatchJobOptions {
  /** Whether this conversation's recordings should come through a batch. */
  wanted: (conversation: AnalyticsConversationWithoutAttributes) => boolean;
  /** Jobs submitted ahead of the conversations being exported, handed out in turn (default 2; at least one per OAuth client). */
  ahead?: number;
  /** Conversations per job (default and maximum 100). */
  batchSize?: number;
  /** The client each job goes to, e.g. round robin over several OAuth clients (default: `client`). */
  clientFor?: () => GenesysClient;
  /** A job failed (the conversations fall back to per-conversation lookups). */
  onJobError?: (err: unknown) => void;
}

/** Pass-through conversations held with a chunk at most (bounds memory when few need a batch). */
const MAX_CHUNK = 1000;

export async function* withRecordingBatches(
  source: AsyncIterable<AnalyticsConversationWithoutAttributes>,
  client: GenesysClient,
  opts: BatchPrefetchOptions,
): AsyncGenerator<Prefetched> {
  const size = Math.min(BATCH_MAX_ITEMS, Math.max(1, opts.batchSize ?? BATCH_MAX_ITEMS));
  const iterator = source[Symbol.asyncIterator]();
  let exhausted = false;

  /** The next chunk: ≤ size conversations for a job, and the pass-through ones around them, in order. */
  async function nextChunk(): Promise<AnalyticsConversationWithoutAttributes[][] | undefined> {
    const items: AnalyticsConversationWithoutAttributes[] = [];
    const batched: AnalyticsConversationWithoutAttributes[] = [];
    while (!exhausted && batched.length < size && items.length < MAX_CHUNK) {
      const step = await iterator.next();
      if (step.done) {
        exhausted = true;
        break;
      }
      items.push(step.value);
      if (opts.wanted(step.value)) batched.push(step.value);
    }
    return items.length > 0 ? [items, batched] : undefined;
  }

  /**
   * Submits the chunk's job and returns its conversations at once, each with a promise of its
   * answer: a conversation starts what does not need the recordings (its voice transcripts) while
   * Genesys works on the job.
   */
  function submit([items, batched]: AnalyticsConversationWithoutAttributes[][]): Prefetched[] {
    if (batched!.length === 0) return items!.map((conversation) => ({ conversation }));
    const via = opts.clientFor?.() ?? client;
    const job = runBatchJob(
      via,
      batched!.map((c) => c.conversationId!),
      opts,
    ).catch((err: unknown) => {
      // Not fatal: the job's conversations are looked up one by one.
      if (!isGtError(err, 'ABORTED')) opts.onJobError?.(err);
      return new Map<string, ConversationBatch>();
    });
    const inJob = new Set(batched!.map((c) => c.conversationId!));
    return items!.map((conversation) => {
      const id = conversation.conversationId!;
      if (!inJob.has(id)) return { conversation };
      return { conversation, batch: job.then((answers) => answers.get(id)), client: via };
    });
  }

  // Jobs are submitted `ahead` chunks before their conversations are handed out, and the open
  // chunks are handed out in turn: with several OAuth clients (a job per client in turn), each
  // client's conversations are in flight together and every budget is used at once.
  const open: Prefetched[][] = [];
  let turn = 0;
  try {
    for (;;) {
      while (!exhausted && open.length < Math.max(1, opts.ahead ?? 2)) {
        const chunk = await nextChunk();
        if (!chunk) break;
        open.push(submit(chunk));
      }
      if (open.length === 0) return;
      turn %= open.length;
      const chunk = open[turn]!;
      yield chunk.shift()!;
      if (chunk.length === 0) open.splice(turn, 1);
      else turn += 1;
    }
  } finally {
    if (!exhausted) await iterator.return?.();
  }
}

/** The same stream without batch requests (--no-recording-batches). */
export async function* unbatched<T>(
  source: AsyncIterable<T> | Iterable<T>,
): AsyncGenerator<{ conversation: T; batch?: undefined; client?: undefined }> {
  for await (const conversation of source) yield { conversation };
}
