// `genesys-transcripts worker`: take conversation jobs from Redis and run each through the export
// pipeline, delivering to the sinks given here (S3 or a shared filesystem). Run as many as the
// budget allows, on any machine: they share one rate budget per OAuth client through Redis.
// SIGTERM/SIGINT: stop taking jobs, finish the ones in flight, exit 0. A second signal exits at once
// (the jobs in flight are then retaken by another worker after --lock-duration-ms). A failure no
// later job could survive (bad credentials, disk full, broken checkpoint) stops the worker the same
// way with exit code 1, instead of failing every job of the queue in turn.
import type { Command } from 'commander';
import { Option } from 'commander';
import type { SetExitCode } from './index.ts';
import type { GtError as GtErrorType } from '../../errors.ts';
import { addConnectionOptions, addDeadlineOption, addOutputOptions } from './shared-options.ts';
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
  cmd
    .option(
      '--clients <file>',
      'JSON file listing several OAuth clients ({"clients":[{"clientId","clientSecretEnv"|"clientSecretFile"}]}) to raise the budget',
    )
    .option('--concurrency <n>', 'conversations in flight in this worker', (v) => Number(v), 4);
  addDeadlineOption(cmd);
  addOutputOptions(cmd, {
    out: 'output folder (a shared filesystem when several machines work)',
    sink: 'extra sinks: s3://bucket/prefix?endpoint=…, webhook:https://…',
  });
  cmd
    .option(
      '--state-dir <dir>',
      'local state (per-process checkpoint, staging, audit log)',
      './.genesys-transcripts',
    )
    .option(
      '--lock-duration-ms <ms>',
      "job lock; a crashed worker's jobs are retaken after it",
      (v) => Number(v),
      30_000,
    )
    .option('--stalled-interval-ms <ms>', 'how often to look for jobs of crashed workers', (v) => Number(v))
    .option('--log-level <level>', 'pino log level (logs go to stderr)', 'info')
    .addOption(new Option('--rate-window-ms <ms>', 'rate window length (tests)').argParser(Number).hideHelp())
    .action(async (flags: Record<string, unknown>) => {
      const { loadConfig } = await import('../../config/index.ts');
      const { loadClientConfigs } = await import('../../distributed/clients.ts');
      const { startWorker } = await import('../../distributed/worker.ts');
      const { createPipelineProcessor } = await import('../../distributed/pipeline-processor.ts');
      const { createLogger } = await import('../../observe/logger.ts');
      const { GtError } = await import('../../errors.ts');

      const concurrency = Number(flags.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256)
        throw new GtError('USAGE', '--concurrency must be an integer from 1 to 256');
      const logger = createLogger({ level: String(flags.logLevel) });
      const base = {
        flags,
        env: process.env,
        ...(typeof flags.config === 'string' ? { configFile: flags.config } : {}),
      };
      const configs =
        typeof flags.clients === 'string' ? loadClientConfigs(flags.clients, base) : [loadConfig(base)];
      const redis = await connectQueueRedis(flags);
      const limiter = limiterFor(redis, configs[0]!, flags);
      type StopReason = { signal?: NodeJS.Signals; fatal?: GtErrorType };
      let stop: (why: StopReason) => void = () => {};
      const stopped = new Promise<StopReason>((resolve) => (stop = resolve));
      // Bound once the worker exists; the processor only asks while jobs run.
      let upcoming: (n: number) => Promise<string[]> = async () => [];
      const pipeline = await createPipelineProcessor({
        configs,
        limiter,
        logger,
        onFatal: (err) => stop({ fatal: err }),
        upcoming: (n) => upcoming(n),
        exportOptions: {
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
        },
      });
      const w = await startWorker({
        ...queueLocationFromFlags(flags, redis),
        processor: pipeline.processor,
        concurrency,
        lockDurationMs: Number(flags.lockDurationMs),
        ...(typeof flags.stalledIntervalMs === 'number'
          ? { stalledIntervalMs: flags.stalledIntervalMs }
          : {}),
      });
      upcoming = (n) => w.upcoming(n);
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
      // Handlers before the "worker started" line: a supervisor may signal the instant it reads it.
      const onSignal = (signal: NodeJS.Signals) => stop({ signal });
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
      logger.info({ clients: configs.length, concurrency, queue: String(flags.queueName) }, 'worker started');
      const why = await stopped;
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
      await w.close();
      limiter.close();
      await pipeline.close();
      await redis.quit();
      logger.info({ failedAttempts: failed, detailsPrefetch: pipeline.prefetch }, 'worker stopped');
      if (why.fatal) throw why.fatal;
      setExitCode(0);
    });
}
