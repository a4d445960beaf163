// `genesys-transcripts dlq list|retry`: the webhook dead letters of a destination
// (<state-dir>/dead-letters, one 0600 file per delivery ID). `list` shows them; `retry` resends
// those of the given webhook sink(s) with their original webhook-id and payload, removing each
// once the receiver accepts it (a receiver deduplicating on webhook-id processes it once even if
// an earlier send did arrive). Exit 1 when some could not be delivered (they stay for next time).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { GtError } from '../../errors.ts';
import { defaultStateDir } from '../../pipeline/state.ts';
import type { SetExitCode } from './index.ts';
import { printable } from './shared-options.ts';

interface DlqFlags {
  out: string;
  stateDir?: string;
  json?: boolean;
  sink?: string[];
  allowInsecureWebhook?: boolean;
  all?: boolean;
}

/** The dead-letter folder of the destination; a state folder that does not exist is a wrong
 * --out/--state-dir (a typo must not read as "0 dead letters"). */
function deadLetterDir(flags: DlqFlags): string {
  const stateDir = flags.stateDir ?? defaultStateDir(flags.out);
  if (!existsSync(stateDir))
    throw new GtError(
      'USAGE',
      `no export state at ${stateDir}: give --out of the export (or the --state-dir it used)`,
    );
  return join(stateDir, 'dead-letters');
}

function withLocation(cmd: Command): Command {
  return cmd
    .option('--out <dir>', 'the export folder (its state is <out>/.genesys-transcripts)', './export')
    .option('--state-dir <dir>', 'the state folder, when the export used --state-dir')
    .option('--json', 'print as JSON');
}

async function list(flags: DlqFlags): Promise<void> {
  const { listDeadLetters } = await import('../../sinks/dead-letters.ts');
  const letters = await listDeadLetters(deadLetterDir(flags));
  if (flags.json) {
    // The payload holds transcripts: listed by size, not printed.
    const rows = letters.map(({ letter: l }) => ({
      deliveryId: l.deliveryId,
      conversationId: l.conversationId,
      sink: l.sink ?? null,
      failedAt: l.failedAt,
      attempts: l.attempts,
      lastStatus: l.lastStatus,
      lastError: l.lastError,
      payloadBytes: Buffer.byteLength(l.payload),
    }));
    process.stdout.write(`${JSON.stringify({ deadLetters: rows }, null, 2)}\n`);
    return;
  }
  const lines = [`dead letters in ${printable(deadLetterDir(flags), 500)}: ${letters.length}`];
  for (const { letter: l } of letters)
    lines.push(
      `  ${printable(l.conversationId)} ${printable(l.deliveryId)} → ${printable(l.sink ?? 'webhook')}, failed ${printable(l.failedAt)}` +
        ` after ${l.attempts} attempt(s): ${printable(l.lastError)}`,
    );
  if (letters.length > 0) lines.push('resend them with: dlq retry --sink webhook:https://…');
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function retry(flags: DlqFlags, setExitCode: SetExitCode): Promise<void> {
  const { createSink } = await import('../../sinks/index.ts');
  const { replayDeadLetters } = await import('../../sinks/webhook.ts');
  const specs = flags.sink ?? [];
  if (specs.length === 0 || specs.some((s) => !s.startsWith('webhook:')))
    throw new GtError(
      'USAGE',
      '--sink webhook:https://… names the receiver to resend to (the URL of the export)',
    );
  let failed = 0;
  const report = [];
  for (const spec of specs) {
    const sink = createSink(spec, {
      deadLetterDir: deadLetterDir(flags),
      ...(flags.allowInsecureWebhook ? { allowInsecureWebhook: true } : {}),
    }) as import('../../sinks/webhook.ts').WebhookSink;
    const r = await replayDeadLetters(sink, undefined, { allSinks: Boolean(flags.all) });
    failed += r.failed.length;
    report.push({ sink: sink.name, ...r });
  }
  if (flags.json) process.stdout.write(`${JSON.stringify({ retried: report }, null, 2)}\n`);
  else
    for (const r of report) {
      process.stdout.write(
        `${printable(r.sink)}: ${r.replayed.length} delivered and removed, ${r.failed.length} still failing` +
          `${r.otherSinks ? `, ${r.otherSinks} for other webhook URLs left alone (--all resends them here)` : ''}\n`,
      );
      for (const f of r.failed)
        process.stdout.write(`  ${printable(f.deliveryId)}: ${printable(f.reason)}\n`);
    }
  setExitCode(failed > 0 ? 1 : 0);
}

export function registerDlqCommand(program: Command, setExitCode: SetExitCode): void {
  const dlq = program
    .command('dlq')
    .description('Webhook dead letters: list them, or resend them (same webhook-id) with retry');
  withLocation(dlq.command('list').description('List the dead letters of an export destination')).action(
    (flags: DlqFlags) => list(flags),
  );
  withLocation(
    dlq
      .command('retry')
      .description('Resend dead letters to their webhook; each is removed once accepted')
      .option(
        '--sink <spec...>',
        'the webhook sink(s) to resend to: webhook:https://… (GT_WEBHOOK_SECRET signs)',
      )
      .option('--all', 'resend the letters of every webhook URL to this one (the receiver moved)')
      .option('--allow-insecure-webhook', 'allow plain http:// to a host other than loopback'),
  ).action((flags: DlqFlags) => retry(flags, setExitCode));
}
