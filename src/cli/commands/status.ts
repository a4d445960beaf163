// `genesys-transcripts status`: what the checkpoint knows — conversations per state, the runs,
// and the failed conversations with their last error (codes and short messages, no PII).
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { GtError } from '../../errors.ts';
import { join } from 'node:path';
import { CheckpointStore, CONVERSATION_STATES, DEFAULT_CHECKPOINT_PATH } from '../../pipeline/checkpoint.ts';
import type { SetExitCode } from './index.ts';

export function registerStatusCommand(program: Command, setExitCode: SetExitCode): void {
  program
    .command('status')
    .description('Show export progress from the checkpoint: conversations per state, runs, failures')
    .option('--state-dir <dir>', 'the state folder the export used (its checkpoint.db)')
    .option('--checkpoint <file>', 'checkpoint database (overrides --state-dir)')
    .option('--runs <n>', 'most recent runs to list', (v) => Number(v), 20)
    .option('--failed-limit <n>', 'failed conversations to list', (v) => Number(v), 50)
    .option('--json', 'print as JSON')
    .action(
      (given: {
        stateDir?: string;
        checkpoint?: string;
        runs: number;
        failedLimit: number;
        json?: boolean;
      }) => {
        const checkpoint =
          given.checkpoint ??
          (given.stateDir ? join(given.stateDir, 'checkpoint.db') : DEFAULT_CHECKPOINT_PATH);
        const flags = { ...given, checkpoint };
        // Opening would create an empty checkpoint: a typo in the path must not look like "nothing done".
        if (!existsSync(flags.checkpoint))
          throw new GtError('CHECKPOINT', `no checkpoint at ${flags.checkpoint}`, { path: flags.checkpoint });
        const store = CheckpointStore.open(flags.checkpoint);
        try {
          const counts = store.counts();
          const runs = store.runs().slice(-Math.max(0, flags.runs));
          const failed = [];
          for (const r of store.failed()) {
            if (failed.length >= flags.failedLimit) break;
            failed.push({
              conversationId: r.conversationId,
              attempts: r.attempts,
              lastError: r.lastError ?? null,
              updatedAt: r.updatedAt,
            });
          }
          if (flags.json) {
            process.stdout.write(
              `${JSON.stringify({ checkpoint: flags.checkpoint, counts, runs, failed }, null, 2)}\n`,
            );
          } else {
            const lines = [
              `checkpoint ${flags.checkpoint}`,
              `  ${CONVERSATION_STATES.map((s) => `${s} ${counts[s]}`).join(', ')}`,
            ];
            lines.push(`runs (${runs.length}):`);
            for (const r of runs)
              lines.push(
                `  ${r.runId} started ${r.startedAt}${r.finishedAt ? `, finished ${r.finishedAt}` : ', not finished'}`,
              );
            if (failed.length > 0)
              lines.push(
                `failed (${counts.failed}${counts.failed > failed.length ? `, showing ${failed.length}` : ''}):`,
              );
            for (const f of failed)
              lines.push(
                `  ${f.conversationId} after ${f.attempts} attempt(s): ${f.lastError ?? 'unknown error'}`,
              );
            process.stdout.write(`${lines.join('\n')}\n`);
          }
          setExitCode(counts.failed > 0 ? 1 : 0);
        } finally {
          store.close();
        }
      },
    );
}
