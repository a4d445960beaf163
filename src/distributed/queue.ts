// What producers (enqueue), consumers (worker) and observers (queue-status) must agree on: the
// queue's name and prefix, the job's shape, and the per-job retry policy. One BullMQ job per
// conversation, with the conversation ID as the job ID: BullMQ refuses a second job with an ID it
// still holds, which makes enqueueing idempotent.
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { connectRedis } from './redis.ts';

import { DEFAULT_PREFIX, DEFAULT_QUEUE_NAME } from './defaults.ts';

export { DEFAULT_PREFIX, DEFAULT_QUEUE_NAME };

/** Where the queue lives. `redis` is a URL (we connect and close) or a client the caller owns. */
export interface QueueLocation {
  redis: string | Redis;
  queueName?: string;
  prefix?: string;
}

export const jobDataSchema = z.object({
  conversationId: z.string().regex(/^[A-Za-z0-9-]{1,64}$/),
  /** ISO-8601, when discovery knew it (lets the sink lay files out by date without another call). */
  conversationStart: z.string().optional(),
});
export type ConversationJobData = z.infer<typeof jobDataSchema>;

/** What a finished job returns (stored by BullMQ as the job's return value). */
export interface ConversationJobResult {
  status: 'done' | 'skipped';
  reason?: string;
}

const DAY_S = 86_400;

/**
 * Retry policy, stored with each job when it is added. 5 attempts with exponential backoff from
 * 10 s (10, 20, 40, 80 s) ride out an API incident of a few minutes; the transport already retries
 * single requests, so an attempt failing here means the conversation failed as a whole.
 * Completed jobs are kept 7 days: as long as they are kept, enqueueing the same conversation again
 * adds nothing (after that it would be exported again, harmlessly: sinks write deterministic
 * paths). Failed jobs are kept 30 days so `queue-status` can list why.
 */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 10_000 },
  removeOnComplete: { age: 7 * DAY_S },
  removeOnFail: { age: 30 * DAY_S },
};

/** Opens a BullMQ Queue; `close()` also closes the Redis connection if we opened it. */
export async function openQueue(location: QueueLocation): Promise<{
  queue: Queue<ConversationJobData, ConversationJobResult>;
  redis: Redis;
  close(): Promise<void>;
}> {
  const owned = typeof location.redis === 'string';
  const redis = typeof location.redis === 'string' ? await connectRedis(location.redis) : location.redis;
  const queue = new Queue<ConversationJobData, ConversationJobResult>(
    location.queueName ?? DEFAULT_QUEUE_NAME,
    {
      connection: redis,
      prefix: location.prefix ?? DEFAULT_PREFIX,
    },
  );
  return {
    queue,
    redis,
    async close() {
      await queue.close();
      if (owned) await redis.quit();
    },
  };
}
