// `genesys-transcripts enqueue`: discover conversations (same selection flags as `export`) and add
// one BullMQ job per conversation for `worker` processes. Idempotent: job ID = conversation ID.
// Discovery draws on the same shared rate budget as the workers (Redis limiter).
import type { Command } from 'commander';
import { Option } from 'commander';
import type { SetExitCode } from './index.ts';
import { addConnectionOptions, addSelectionOptions } from './shared-options.ts';
import {
  addQueueOptions,
  connectQueueRedis,
  limiterFor,
  queueLocationFromFlags,
} from '../../distributed/cli-support.ts';

export function registerEnqueueCommand(program: Command, setExitCode: SetExitCode): void {
  const cmd = program
    .command('enqueue')
    .description('Discover conversations and queue one job each in Redis (BullMQ) for `worker` processes');
  addSelectionOptions(cmd);
  addConnectionOptions(cmd);
  addQueueOptions(cmd);
  cmd
    .option('--attempts <n>', 'attempts per conversation before it is failed', (v) => Number(v), 5)
    .option('--json', 'print the result as JSON')
    .addOption(new Option('--rate-window-ms <ms>', 'rate window length (tests)').argParser(Number).hideHelp())
    .action(async (flags: Record<string, unknown>) => {
      const { loadConfig } = await import('../../config/index.ts');
      const { selectionSchema } = await import('../../pipeline/options.ts');
      const { selectionFromFlags } = await import('./shared-options.ts');
      const { createGenesysClient } = await import('../../genesys/transport.ts');
      const { discoverConversations } = await import('../../genesys/discovery.ts');
      const { enqueueConversations } = await import('../../distributed/enqueue.ts');
      const { GtError } = await import('../../errors.ts');

      const parsed = selectionSchema.safeParse(await selectionFromFlags(flags));
      if (!parsed.success) throw new GtError('USAGE', parsed.error.issues.map((i) => i.message).join('; '));
      const attempts = Number(flags.attempts);
      if (!Number.isInteger(attempts) || attempts < 1 || attempts > 50)
        throw new GtError('USAGE', '--attempts must be an integer from 1 to 50');
      const config = loadConfig({
        flags,
        env: process.env,
        ...(typeof flags.config === 'string' ? { configFile: flags.config } : {}),
      });
      const redis = await connectQueueRedis(flags);
      const client = createGenesysClient(config, { limiter: limiterFor(redis, config, flags) });
      let missing = 0;
      const incomplete: { interval: string; reason: string }[] = [];
      try {
        const discovered = discoverConversations(client, parsed.data, {
          onMissing: () => (missing += 1),
          onIncomplete: (slice) => incomplete.push(slice),
        });
        const result = await enqueueConversations({
          ...queueLocationFromFlags(flags, redis),
          conversations: discovered,
          jobOptions: { attempts },
          onChunk: (p) => {
            if (!flags.json && process.stderr.isTTY)
              process.stderr.write(`\rqueued ${p.added} new, ${p.alreadyQueued} already queued`);
          },
        });
        if (!flags.json && process.stderr.isTTY) process.stderr.write('\n');
        // Parts of the interval discovery could not serve yet: said, and a non-zero exit, never silently short.
        for (const slice of incomplete)
          process.stderr.write(`incomplete: ${slice.interval}: ${slice.reason}; enqueue it again later\n`);
        if (flags.json)
          process.stdout.write(
            `${JSON.stringify({ ...result, missing, ...(incomplete.length ? { incomplete } : {}) })}\n`,
          );
        else {
          process.stdout.write(
            `enqueued ${result.added} new jobs on ${String(flags.queueName)} (${result.alreadyQueued} already queued)\n`,
          );
          if (missing) process.stdout.write(`${missing} conversation IDs were not found\n`);
        }
        setExitCode(missing > 0 || incomplete.length > 0 ? 1 : 0);
      } finally {
        await client.close();
        await redis.quit();
      }
    });
}
