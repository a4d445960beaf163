// `genesys-transcripts queue-status`: job counts per state and the failed jobs with their reasons.
import { printable } from '../terminal.ts';
import type { Command } from 'commander';
import type { SetExitCode } from './index.ts';
import { addQueueOptions, connectQueueRedis, queueLocationFromFlags } from '../../distributed/cli-support.ts';

export function registerQueueStatusCommand(program: Command, setExitCode: SetExitCode): void {
  const cmd = program
    .command('queue-status')
    .description(
      'Show the distributed export queue: waiting, active, completed, failed, delayed, and why jobs failed',
    );
  addQueueOptions(cmd);
  cmd
    .option('--failed-limit <n>', 'failed jobs to list (most recent first)', (v) => Number(v), 20)
    .option('--json', 'print as JSON')
    .action(async (flags: Record<string, unknown>) => {
      const { queueStatus } = await import('../../distributed/status.ts');
      const redis = await connectQueueRedis(flags);
      try {
        const s = await queueStatus({
          ...queueLocationFromFlags(flags, redis),
          failedLimit: Number(flags.failedLimit),
        });
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
        } else {
          const c = s.counts;
          const lines = [
            `queue ${s.queueName}`,
            `  waiting ${c.waiting + c.prioritized}, active ${c.active}, delayed (retry backoff) ${c.delayed}, completed ${c.completed}, failed ${c.failed}`,
          ];
          for (const f of s.failed)
            lines.push(
              `  failed ${printable(f.conversationId)} after ${f.attempts} attempt(s): ${printable(f.reason ?? '')}`,
            );
          process.stdout.write(`${lines.join('\n')}\n`);
        }
        setExitCode(s.counts.failed > 0 ? 1 : 0);
      } finally {
        await redis.quit();
      }
    });
}
