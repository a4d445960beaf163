// `genesys-transcripts worker`: take conversation jobs from Redis and run each through the export
// pipeline, delivering to the sinks given here (S3 or a shared filesystem). Run as many as the
// budget allows, on any machine: they share one rate budget per OAuth client through Redis.
// SIGTERM/SIGINT: stop taking jobs, finish the ones in flight, exit 0. A second signal exits at once
// (the jobs in flight are then retaken by another worker after --lock-duration-ms). A failure no
// later job could survive (bad credentials, disk full, broken checkpoint) stops the worker the same
// way with exit code 1, instead of failing every job of the queue in turn.
import type { Command } from 'commander';
import { Option } from 'commander';
import type { Redis } from 'ioredis';
import type { SetExitCode } from './index.ts';
import { GtError } from '../../errors.ts';
import type { GenesysConfig } from '../../config/index.ts';
import type { Logger } from '../../observe/logger.ts';
import type { PipelineProcessor, PipelineProcessorOptions } from '../../distributed/pipeline-processor.ts';
import type { DistributedWorker } from '../../distributed/worker.ts';
import type { RedisRateLimiter } from '../../distributed/redis-limiter.ts';
import {
  addConnectionOptions,
  addDeadlineOption,
  addOutputOptions,
  clientConfigsFromFlags,
  integer,
  oneOf,
} from './shared-options.ts';
import {
  addQueueOptions,
  connectQueueRedis,
  limiterFor,
  queueLocationFromFlags,
} from '../../distributed/cli-support.ts';

export function registerWorkerCommand(program: Command, setExitCode: SetExitCode): void {
  const cmd = program
    .command('worker')
    .description(
      'Export queued conversations (see `enqueue`); many workers share one rate budget per OAuth client',
    );
  addConnectionOptions(cmd);
  addQueueOptions(cmd);
  addWorkOptions(cmd);
  addDeadlineOption(cmd);
  addOutputOptions(cmd, {
    out: 'output folder (a shared filesystem when several machines work)',
    sink: 'extra sinks: s3://bucket/prefix?endpoint=…, webhook:https://…',
  });
  addProcessOptions(cmd);
  cmd.action(async (flags: Record<string, unknown>) => setExitCode(await runWorker(flags)));
}

/** Whom the worker works as and how much at once: OAuth clients, conversations in flight. */
function addWorkOptions(cmd: Command): void {
  cmd
    .option(
      '--clients <file>',
      'JSON file listing several OAuth clients ({"clients":[{"clientId","clientSecretEnv"|"clientSecretFile"}]}) to raise the budget',
    )
    .option(
      '--concurrency <n>',
      'conversations in flight in this worker',
      integer('--concurrency', 1, 256),
      4,
    );
}

/** This process: its local state, job locks, logs (and the rate window, for tests). */
function addProcessOptions(cmd: Command): void {
  cmd
    .option(
      '--state-dir <dir>',
      'local state (per-process checkpoint, staging, audit log)',
      './.genesys-transcripts',
    )
    .option(
      '--lock-duration-ms <ms>',
      "job lock; a crashed worker's jobs are retaken after it",
      integer('--lock-duration-ms', 1, 86_400_000),
      30_000,
    )
    .option(
      '--stalled-interval-ms <ms>',
      'how often to look for jobs of crashed workers',
      integer('--stalled-interval-ms', 1, 86_400_000),
    )
    .option(
      '--log-level <level>',
      'log level (logs go to stderr): fatal, error, warn, info, debug, trace, silent',
      oneOf('--log-level', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
      'info',
    )
    .addOption(
      new Option('--rate-window-ms <ms>', 'rate window length (tests)')
        .argParser(integer('--rate-window-ms', 1, 3_600_000))
        .hideHelp(),
    );
}

/** Why the worker stops: a signal, or a failure no later job could survive. */
type StopReason = { signal?: NodeJS.Signals; fatal?: GtError };

interface StopLatch {
  stop: (why: StopReason) => void;
  stopped: Promise<StopReason>;
}

/** Where the worker works: its OAuth clients, the queue's Redis, the rate limiter shared through it. */
interface WorkerConnection {
  configs: GenesysConfig[];
  redis: Redis;
  limiter: RedisRateLimiter;
}

/** The worker's exit code: 0 once stopped by a signal; a fatal failure is thrown (exit 1). */
async function runWorker(flags: Record<string, unknown>): Promise<number> {
  // Heavy modules load only when the command runs, so `--help` stays instant.
  const { createLogger } = await import('../../observe/logger.ts');
  const concurrency = concurrencyOf(flags);
  const logger = createLogger({ level: String(flags.logLevel) });
  const connection = await workerConnection(flags);
  const latch = stopLatch();
  const { pipeline, w } = await startPipelineWorker(flags, connection, logger, concurrency, latch.stop);
  const failedAttempts = countAttempts(w, logger);
  const why = await untilStopped(latch, logger, {
    clients: connection.configs.length,
    concurrency,
    queue: String(flags.queueName),
  });
  await w.close();
  connection.limiter.close();
  await pipeline.close();
  await connection.redis.quit();
  logger.info({ failedAttempts: failedAttempts(), detailsPrefetch: pipeline.prefetch }, 'worker stopped');
  if (why.fatal) throw why.fatal;
  return 0;
}

/** Parsed by the flag's own parser (a default is not parsed: it is a number already). */
function concurrencyOf(flags: Record<string, unknown>): number {
  return Number(flags.concurrency);
}

async function workerConnection(flags: Record<string, unknown>): Promise<WorkerConnection> {
  const configs = await clientConfigsFromFlags(flags);
  const redis = await connectQueueRedis(flags);
  return { configs, redis, limiter: limiterFor(redis, configs[0]!, flags) };
}

/** What each job exports and where it delivers (the selection comes from the queue). */
function exportOptionsFromFlags(flags: Record<string, unknown>): PipelineProcessorOptions['exportOptions'] {
  return {
    outDir: String(flags.out),
    formats: flags.formats as never,
    media: Boolean(flags.media),
    mediaFormat: flags.mediaFormat as never,
    transcripts: Boolean(flags.transcript),
    redact: Boolean(flags.redact),
    review: Boolean(flags.review),
    sinks: (flags.sink as string[] | undefined) ?? [],
    allowInsecureWebhook: Boolean(flags.allowInsecureWebhook),
    outputFileMode: Number(flags.fileMode),
    outputDirMode: Number(flags.dirMode),
    stateDir: String(flags.stateDir),
    conversationDeadlineMs: Math.round(Number(flags.conversationDeadline) * 1000),
  };
}

/** The pipeline (one runtime per OAuth client) and the BullMQ worker feeding it jobs. */
async function startPipelineWorker(
  flags: Record<string, unknown>,
  { configs, redis, limiter }: WorkerConnection,
  logger: Logger,
  concurrency: number,
  stop: (why: StopReason) => void,
): Promise<{ pipeline: PipelineProcessor; w: DistributedWorker }> {
  const { startWorker } = await import('../../distributed/worker.ts');
  const { createPipelineProcessor } = await import('../../distributed/pipeline-processor.ts');
  // Bound once the worker exists; the processor only asks while jobs run.
  let upcoming: (n: number) => Promise<string[]> = async () => [];
  const pipeline = await createPipelineProcessor({
    configs,
    limiter,
    logger,
    onFatal: (err) => stop({ fatal: err }),
    upcoming: (n) => upcoming(n),
    exportOptions: exportOptionsFromFlags(flags),
  });
  const w = await startWorker({
    ...queueLocationFromFlags(flags, redis),
    processor: pipeline.processor,
    concurrency,
    lockDurationMs: Number(flags.lockDurationMs),
    ...(typeof flags.stalledIntervalMs === 'number' ? { stalledIntervalMs: flags.stalledIntervalMs } : {}),
  });
  upcoming = (n) => w.upcoming(n);
  return { pipeline, w };
}

/** Logs each job's end; returns the count of failed attempts so far. */
function countAttempts(w: DistributedWorker, logger: Logger): () => number {
  let failed = 0;
  w.worker.on('completed', (job, r) =>
    logger.info({ conversationId: job.id, status: r.status }, 'conversation exported'),
  );
  w.worker.on('failed', (job, err) => {
    failed += 1;
    logger.warn(
      { conversationId: job?.id, attempt: job?.attemptsMade, reason: err.message },
      'conversation attempt failed',
    );
  });
  return () => failed;
}

/** Settled by the first of a signal and a fatal failure. */
function stopLatch(): StopLatch {
  let stop: (why: StopReason) => void = () => {};
  const stopped = new Promise<StopReason>((resolve) => (stop = resolve));
  return { stop, stopped };
}

/**
 * Says the worker started and waits for the first signal or fatal failure, says why it stops;
 * from then on a signal exits at once (130) instead of waiting for the jobs in flight.
 */
async function untilStopped(
  latch: StopLatch,
  logger: Logger,
  started: { clients: number; concurrency: number; queue: string },
): Promise<StopReason> {
  // Handlers before the "worker started" line: a supervisor may signal the instant it reads it.
  const onSignal = (signal: NodeJS.Signals) => latch.stop({ signal });
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  logger.info(started, 'worker started');
  const why = await latch.stopped;
  if (why.fatal)
    logger.error(
      { code: why.fatal.code, reason: why.fatal.message },
      'stopping: no further conversation can succeed in this worker',
    );
  else
    logger.info(
      { signal: why.signal },
      'stopping: finishing conversations in flight (signal again to exit now)',
    );
  for (const s of ['SIGTERM', 'SIGINT'] as const) {
    process.off(s, onSignal);
    process.once(s, () => process.exit(130));
  }
  return why;
}
