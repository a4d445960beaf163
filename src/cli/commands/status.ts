// `genesys-transcripts status`: what the checkpoint of a destination knows — conversations per
// state, each run with its selection, counts and outcome (finished, interrupted, failed), the
// failed conversations with their last error, and with --skipped REASON the conversations and
// recordings skipped for that reason (e.g. `archived`, to plan restores). Codes and IDs, no PII.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { GtError } from '../../errors.ts';
import {
  CHECKPOINT_NAME,
  CheckpointStore,
  CONVERSATION_STATES,
  type RunRecord,
} from '../../pipeline/checkpoint.ts';
import { runOutcome } from '../../pipeline/incremental.ts';
import { defaultStateDir } from '../../pipeline/state.ts';
import { currentHolder } from '../../pipeline/lock.ts';
import type { SetExitCode } from './index.ts';
import { integer, printable } from './shared-options.ts';

interface StatusFlags {
  out: string;
  stateDir?: string;
  checkpoint?: string;
  runs: number;
  failedLimit: number;
  skipped?: string;
  json?: boolean;
}

interface RunView {
  runId: string;
  startedAt: string;
  finishedAt: string | null;
  outcome: 'finished' | 'failed' | 'interrupted' | 'running';
  dryRun: boolean;
  selection: Record<string, unknown>;
  interval: string | null;
  counts: Record<string, number> | null;
  redacted: boolean | null;
}

function runView(r: RunRecord): RunView {
  const p = (r.params ?? {}) as Record<string, unknown>;
  const s = (r.summary ?? {}) as { conversations?: Record<string, number>; redacted?: boolean };
  const {
    interval: _i,
    since: _s,
    from: _f,
    to: _t,
    ...filters
  } = (p.selection ?? {}) as Record<string, unknown>;
  const interval = typeof p.interval === 'string' ? p.interval : null;
  return {
    runId: r.runId,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt ?? null,
    outcome: runOutcome(r),
    dryRun: p.dryRun === true,
    selection: filters,
    interval,
    counts: s.conversations ?? null,
    redacted: typeof p.redact === 'boolean' ? p.redact : null,
  };
}

function runLine(v: RunView): string {
  const c = v.counts;
  const counts = c
    ? `${c.done ?? 0} exported, ${c.skipped ?? 0} skipped, ${c.failed ?? 0} failed, ${c.deferred ?? 0} deferred, ${c.alreadyExported ?? 0} already exported`
    : 'no counts (did not finish)';
  const sel = Object.entries(v.selection)
    .map(
      ([k, x]) =>
        `${k}=${Array.isArray(x) ? (x.length > 3 ? `${x.slice(0, 3).join(',')},… (${x.length})` : x.join(',')) : String(x)}`,
    )
    .join(' ');
  return [
    `  ${v.runId} ${v.outcome}${v.dryRun ? ' (dry run)' : ''}${v.redacted === false ? ' (NOT REDACTED)' : ''}`,
    `    started ${v.startedAt}${v.finishedAt ? `, ended ${v.finishedAt}` : ''}`,
    `    selection: ${v.interval ? `${v.interval.replace('/', ' (incl.) to ')} (excl.)` : 'by ID'}${sel ? `, ${printable(sel)}` : ''}`,
    `    ${counts}`,
  ].join('\n');
}

function checkpointPath(flags: StatusFlags): string {
  if (flags.checkpoint) return flags.checkpoint;
  return join(flags.stateDir ?? defaultStateDir(flags.out), CHECKPOINT_NAME);
}

function printSkipped(store: CheckpointStore, reason: string, json: boolean): void {
  const items = store.skippedFor(reason, 100_000);
  if (json) {
    process.stdout.write(`${JSON.stringify({ reason, items }, null, 2)}\n`);
    return;
  }
  if (items.length === 0) {
    const known = Object.entries(store.skipReasons()).map(([k, n]) => `${k} (${n})`);
    process.stdout.write(
      `nothing skipped for '${printable(reason)}'${known.length ? `; reasons on record: ${known.join(', ')}` : ''}\n`,
    );
    return;
  }
  const lines = items.map(
    (i) =>
      `${printable(i.conversationId)} ${i.kind}${i.itemId ? ` ${printable(i.itemId)}` : ''}${i.detail ? ` (${printable(i.detail)})` : ''}`,
  );
  process.stdout.write(`skipped for '${printable(reason)}': ${items.length}\n${lines.join('\n')}\n`);
}

export function registerStatusCommand(program: Command, setExitCode: SetExitCode): void {
  program
    .command('status')
    .description(
      'Show what an export destination holds: conversations per state, runs (selection, counts, outcome), failures, skips',
    )
    .option('--out <dir>', 'the export folder (its state is <out>/.genesys-transcripts)', './export')
    .option('--state-dir <dir>', 'the state folder, when the export used --state-dir')
    .option('--checkpoint <file>', 'checkpoint database (overrides --state-dir)')
    .option('--runs <n>', 'most recent runs to list', integer('--runs', 0), 20)
    .option('--failed-limit <n>', 'failed conversations to list', integer('--failed-limit', 0), 50)
    .option(
      '--skipped <reason>',
      'list the conversations and recordings skipped for this reason (e.g. archived, language-mismatch, no-files)',
    )
    .option('--json', 'print as JSON')
    .action((flags: StatusFlags) => {
      const path = checkpointPath(flags);
      // Opening would create an empty checkpoint: a typo in the path must not look like "nothing done".
      // No state folder at all is a wrong --out/--state-dir (usage); a folder without its checkpoint is damage.
      if (!existsSync(dirname(path)))
        throw new GtError(
          'USAGE',
          `no export state at ${dirname(path)}: give --out of the export (or the --state-dir it used)`,
        );
      if (!existsSync(path)) throw new GtError('CHECKPOINT', `no checkpoint at ${path}`, { path });
      const store = CheckpointStore.open(path);
      try {
        if (flags.skipped !== undefined) {
          printSkipped(store, flags.skipped, Boolean(flags.json));
          return;
        }
        const counts = store.counts();
        const runs = store
          .runs()
          .slice(-Math.max(0, flags.runs))
          .map((r) => ({ ...r, ...runView(r) }));
        // The last run has no end yet and an export holds the folder's lock: it is running, not interrupted.
        const holder = currentHolder(dirname(path));
        const last = runs.at(-1);
        if (holder && last && !last.finishedAt) last.outcome = 'running';
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
        const skipped = store.skipReasons();
        if (flags.json) {
          process.stdout.write(
            `${JSON.stringify({ checkpoint: path, counts, runs, failed, skipped }, null, 2)}\n`,
          );
        } else {
          const lines = [
            `checkpoint ${path}`,
            `  ${CONVERSATION_STATES.map((s) => `${s} ${counts[s]}`).join(', ')}`,
            `runs (${runs.length}):`,
            ...runs.map(runLine),
          ];
          const reasons = Object.entries(skipped);
          if (reasons.length > 0)
            lines.push(
              `skipped, by reason (status --skipped REASON lists them): ${reasons.map(([k, n]) => `${printable(k)} ${n}`).join(', ')}`,
            );
          if (failed.length > 0)
            lines.push(
              `failed (${counts.failed}${counts.failed > failed.length ? `, showing ${failed.length}` : ''}):`,
            );
          for (const f of failed)
            lines.push(
              `  ${printable(f.conversationId)} after ${f.attempts} attempt(s): ${printable(f.lastError ?? 'unknown error')}`,
            );
          if (counts.failed > failed.length)
            lines.push(`  …and ${counts.failed - failed.length} more (--failed-limit)`);
          process.stdout.write(`${lines.join('\n')}\n`);
        }
        setExitCode(counts.failed > 0 ? 1 : 0);
      } finally {
        store.close();
      }
    });
}
