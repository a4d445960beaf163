// Consumer side: a BullMQ Worker that runs one conversation per job through a processor (the
// per-conversation export pipeline in production, anything in tests).
//
// Failure handling, in BullMQ's terms:
//   - a 'failed' result or a thrown error fails this attempt; BullMQ retries it with the job's
//     exponential backoff until `attempts` run out, then the job lands in the failed set with its
//     reason (`queue-status` lists them);
//   - errors that another attempt cannot fix (unknown conversation, invalid config, unsafe name)
//     skip the remaining attempts (UnrecoverableError);
//   - close() stops taking jobs and waits for the ones in flight (graceful SIGTERM); a process
//     killed hard leaves its jobs locked until `lockDurationMs` passes, then another worker's
//     stalled check (every `stalledIntervalMs`) puts them back in the queue.
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { isGtError, type ErrorCode } from '../errors.ts';
import { connectRedis } from './redis.ts';
import {
  DEFAULT_PREFIX,
  DEFAULT_QUEUE_NAME,
  jobDataSchema,
  type ConversationJobData,
  type ConversationJobResult,
  type QueueLocation,
} from './queue.ts';

export interface ProcessorContext {
  /** Aborted when the job is cancelled. A graceful close() does NOT abort: in-flight jobs finish. */
  signal: AbortSignal;
  /** 1 for the first attempt. */
  attempt: number;
  data: ConversationJobData;
}

export interface ProcessorResult {
  status: 'done' | 'skipped' | 'failed';
  /** Why it failed or was skipped. Ends up in Redis and logs: no secrets, no PII. */
  reason?: string;
  errorCode?: string;
}

export type ConversationProcessor = (
  conversationId: string,
  context: ProcessorContext,
) => Promise<ProcessorResult>;

export interface StartWorkerOptions extends QueueLocation {
  processor: ConversationProcessor;
  /** Jobs in flight in this process. */
  concurrency?: number;
  /** How long a job's lock lives without renewal; a dead worker's jobs are retaken after it. */
  lockDurationMs?: number;
  /** How often this worker looks for stalled jobs (of any worker). */
  stalledIntervalMs?: number;
  /** Stalls a job may survive before it is failed (a job that kills its worker every time). */
  maxStalledCount?: number;
}

export interface DistributedWorker {
  /** The BullMQ worker, for events ('completed', 'failed', 'stalled', 'error'). */
  readonly worker: Worker<ConversationJobData, ConversationJobResult>;
  /** IDs of the next `n` jobs waiting in the queue, next first (for prefetching their data). */
  upcoming(n: number): Promise<string[]>;
  /** Stops taking jobs, waits for the ones in flight, closes the connection if we opened it. */
  close(): Promise<void>;
}

/** Codes where another attempt would fail the same way. */
const PERMANENT: ReadonlySet<string> = new Set<ErrorCode>([
  'NOT_FOUND',
  'CONFIG_INVALID',
  'USAGE',
  'UNSAFE_NAME',
]);

function failureOf(code: string | undefined, reason: string | undefined): Error {
  const message = `${code ?? 'FAILED'}: ${reason ?? 'conversation export failed'}`;
  return code !== undefined && PERMANENT.has(code) ? new UnrecoverableError(message) : new Error(message);
}

export async function startWorker(options: StartWorkerOptions): Promise<DistributedWorker> {
  const owned = typeof options.redis === 'string';
  const redis: Redis = typeof options.redis === 'string' ? await connectRedis(options.redis) : options.redis;

  async function run(
    job: Job<ConversationJobData, ConversationJobResult>,
    _token?: string,
    signal?: AbortSignal,
  ): Promise<ConversationJobResult> {
    const data = jobDataSchema.safeParse(job.data);
    if (!data.success) throw new UnrecoverableError('USAGE: job data is not { conversationId }');
    let result: ProcessorResult;
    try {
      result = await options.processor(data.data.conversationId, {
        signal: signal ?? new AbortController().signal,
        attempt: job.attemptsMade + 1,
        data: data.data,
      });
    } catch (err) {
      if (isGtError(err)) throw failureOf(err.code, err.message);
      throw err;
    }
    if (result.status === 'failed') throw failureOf(result.errorCode, result.reason);
    return { status: result.status, ...(result.reason ? { reason: result.reason } : {}) };
  }

  const lockDuration = options.lockDurationMs ?? 30_000;
  const worker = new Worker<ConversationJobData, ConversationJobResult>(
    options.queueName ?? DEFAULT_QUEUE_NAME,
    run,
    {
      connection: redis,
      prefix: options.prefix ?? DEFAULT_PREFIX,
      concurrency: options.concurrency ?? 4,
      lockDuration,
      stalledInterval: options.stalledIntervalMs ?? lockDuration,
      // 2, not BullMQ's 1: one crash of an unrelated worker should not fail an innocent job.
      maxStalledCount: options.maxStalledCount ?? 2,
    },
  );
  // Without a listener an 'error' event (e.g. Redis blip) would crash the process.
  worker.on('error', () => {});
  await worker.waitUntilReady();
  // Only read from (the waiting list); shares the worker's connection.
  const queue = new Queue(options.queueName ?? DEFAULT_QUEUE_NAME, {
    connection: redis,
    prefix: options.prefix ?? DEFAULT_PREFIX,
  });

  return {
    worker,
    upcoming: (n) => queue.getRanges(['wait'], 0, n - 1, true),
    async close() {
      await worker.close();
      await queue.close();
      if (owned) await redis.quit().catch(() => {});
    },
  };
}
