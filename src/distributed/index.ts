// Distributed export on BullMQ: `enqueueConversations` fills a Redis queue with one job per
// conversation, any number of `startWorker` processes (on any machine) drain it through the
// per-conversation pipeline, sharing one rate budget per OAuth client through `RedisRateLimiter`,
// and `queueStatus` reports progress and failures.
export {
  enqueueConversations,
  type EnqueueOptions,
  type EnqueueResult,
  type ConversationRef,
} from './enqueue.ts';
export {
  startWorker,
  type StartWorkerOptions,
  type DistributedWorker,
  type ConversationProcessor,
  type ProcessorContext,
  type ProcessorResult,
} from './worker.ts';
export { queueStatus, type QueueStatus, type QueueStatusOptions, type FailedJob } from './status.ts';
export { RedisRateLimiter, type RedisRateLimiterOptions } from './redis-limiter.ts';
export { connectRedis, REDIS_START_HINT } from './redis.ts';
export {
  DEFAULT_JOB_OPTIONS,
  DEFAULT_PREFIX,
  DEFAULT_QUEUE_NAME,
  type QueueLocation,
  type ConversationJobData,
  type ConversationJobResult,
} from './queue.ts';
