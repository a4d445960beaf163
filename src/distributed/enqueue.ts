// Producer side: conversation IDs in, one job per conversation out, added with addBulk in chunks
// (one round trip per chunk instead of per job). Job ID = conversation ID, so running the same
// enqueue twice (or two overlapping intervals) adds nothing the second time.
import type { JobsOptions } from 'bullmq';
import {
  DEFAULT_JOB_OPTIONS,
  jobDataSchema,
  openQueue,
  type ConversationJobData,
  type QueueLocation,
} from './queue.ts';
import { GtError } from '../errors.ts';

export interface EnqueueOptions extends QueueLocation {
  /** IDs, or discovered conversations (anything with a conversationId). Streams: never held whole. */
  conversations: Iterable<string | ConversationRef> | AsyncIterable<string | ConversationRef>;
  /** Jobs per addBulk call. */
  chunkSize?: number;
  /** Overrides of DEFAULT_JOB_OPTIONS (attempts, backoff, retention). jobId is always the conversation ID. */
  jobOptions?: Omit<JobsOptions, 'jobId'>;
  /** Called after each chunk, for progress output. */
  onChunk?: (progress: EnqueueResult) => void;
}

export interface ConversationRef {
  conversationId?: string;
  conversationStart?: string;
}

export interface EnqueueResult {
  /** Conversations read from the input (after dropping repeats within one chunk). */
  seen: number;
  /** New jobs. */
  added: number;
  /** Already in the queue (waiting, active, completed or failed but not yet removed). */
  alreadyQueued: number;
}

export async function enqueueConversations(options: EnqueueOptions): Promise<EnqueueResult> {
  const chunkSize = options.chunkSize ?? 500;
  const jobOptions = { ...DEFAULT_JOB_OPTIONS, ...options.jobOptions };
  const { queue, redis, close } = await openQueue(options);
  const result: EnqueueResult = { seen: 0, added: 0, alreadyQueued: 0 };
  let chunk = new Map<string, ConversationJobData>();

  async function flush(): Promise<void> {
    if (chunk.size === 0) return;
    const ids = [...chunk.keys()];
    // Count the new ones honestly: addBulk returns a Job for duplicates too, so ask which job
    // hashes exist first. (A job added by a concurrent enqueue in between counts as added here;
    // the queue itself still holds it once.)
    const exists = await redis.pipeline(ids.map((id) => ['exists', queue.toKey(id)])).exec();
    const fresh = ids.filter((_, i) => exists?.[i]?.[1] !== 1);
    await queue.addBulk(
      ids.map((id) => ({ name: 'export', data: chunk.get(id)!, opts: { ...jobOptions, jobId: id } })),
    );
    result.added += fresh.length;
    result.alreadyQueued += ids.length - fresh.length;
    result.seen += ids.length;
    chunk = new Map();
    options.onChunk?.({ ...result });
  }

  try {
    for await (const item of options.conversations) {
      const data =
        typeof item === 'string'
          ? { conversationId: item }
          : {
              conversationId: item.conversationId,
              ...(item.conversationStart ? { conversationStart: item.conversationStart } : {}),
            };
      const parsed = jobDataSchema.safeParse(data);
      if (!parsed.success) {
        throw new GtError(
          'USAGE',
          `not a conversation ID: "${String(data.conversationId).slice(0, 80)}" (letters, digits and dashes)`,
        );
      }
      chunk.set(parsed.data.conversationId, parsed.data);
      if (chunk.size >= chunkSize) await flush();
    }
    await flush();
  } finally {
    await close();
  }
  return result;
}
