// `genesys-transcripts export`: selection flags → ExportOptions, Genesys config from flags/env/file
// (or the built-in emulator with --emulator), a progress bar on a TTY, a summary at the end.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { GtError } from '../../errors.ts';
import type { GenesysConfig } from '../../config/index.ts';
import type { ExportSummary } from '../../pipeline/exporter.ts';
import type { ExportOptionsInput, Selection } from '../../pipeline/options.ts';
import { formatBytes } from '../../observe/progress.ts';
import type { SetExitCode } from './index.ts';
import type { EmulatorVariants } from '../../emulator/types.ts';
import {
  addConnectionOptions,
  addOutputOptions,
  addSelectionOptions,
  addDeadlineOption,
  NETWORK_LIMIT_FLAGS,
  positive,
  variantSpec,
} from './shared-options.ts';

async function readIds(file: string): Promise<string[]> {
  const input = file === '-' ? process.stdin : createReadStream(file);
  const ids: string[] = [];
  try {
    for await (const line of createInterface({ input, crlfDelay: Infinity })) {
      const id = line.trim();
      if (id && !id.startsWith('#')) ids.push(id);
    }
  } catch (err) {
    throw new GtError(
      'USAGE',
      `cannot read --ids-file ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
  return ids;
}

/** Turns the shared selection flags into a Selection (validated later by the options schema). */
export async function selectionFromFlags(
  flags: Record<string, unknown>,
  defaultInterval?: string,
): Promise<Selection> {
  const ids = [...((flags.conversation as string[] | undefined) ?? [])];
  if (typeof flags.idsFile === 'string') ids.push(...(await readIds(flags.idsFile)));
  let interval: string | undefined;
  if (flags.from || flags.to) {
    if (!flags.from || !flags.to)
      throw new GtError('USAGE', '--from and --to go together (ISO-8601 instants or dates)');
    const from = Date.parse(String(flags.from));
    const to = Date.parse(String(flags.to));
    if (Number.isNaN(from) || Number.isNaN(to))
      throw new GtError(
        'USAGE',
        '--from/--to must be ISO-8601 dates, e.g. 2026-11-01 or 2026-11-01T08:00:00Z',
      );
    interval = `${new Date(from).toISOString()}/${new Date(to).toISOString()}`;
  } else if (ids.length === 0 && defaultInterval) {
    interval = defaultInterval;
  }
  const sel: Selection = {};
  if (ids.length) sel.conversationIds = ids;
  if (interval) sel.interval = interval;
  if (flags.mediaType) sel.mediaTypes = flags.mediaType as Selection['mediaTypes'];
  if (flags.language) sel.languages = flags.language as string[];
  if (flags.queue) sel.queueIds = flags.queue as string[];
  if (flags.user) sel.userIds = flags.user as string[];
  if (flags.division) sel.divisionIds = flags.division as string[];
  if (flags.direction) sel.direction = flags.direction as Selection['direction'];
  return sel;
}

/** Text from the API shown on a terminal: control and format characters escaped, never interpreted
 *  (a conversation ID like "\x1b]0;…\x07" would otherwise retitle or clear the user's terminal). */
function printable(text: string): string {
  return text.replace(
    /[\p{Cc}\p{Cf}\u2028\u2029]/gu,
    (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`,
  );
}

function printSummary(s: ExportSummary, out: NodeJS.WritableStream, outDir: string): void {
  const c = s.conversations;
  const lines = [
    `conversations: ${c.discovered} discovered, ${c.done} exported, ${c.skipped} skipped, ${c.failed} failed` +
      (c.deferred ? `, ${c.deferred} deferred (recording not ready: run again later)` : '') +
      (c.alreadyExported ? ` (${c.alreadyExported} already exported earlier)` : ''),
    `files: ${s.files} (${formatBytes(s.bytes)}) in ${outDir}`,
    `redacted: ${
      Object.entries(s.redactions)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ') || 'nothing found'
    }`,
    `API: ${s.apiCalls} calls (${s.apiCallsPerConversation.toFixed(2)}/conversation), ${s.rateLimited} rate-limited, ${s.retries} retries`,
    `latency: conversation p50 ${s.latencyMs.conversationP50 ?? '-'} ms, p95 ${s.latencyMs.conversationP95 ?? '-'} ms; API p50 ${s.latencyMs.apiP50 ?? '-'} ms, p95 ${s.latencyMs.apiP95 ?? '-'} ms`,
    `success rate: ${(s.successRate * 100).toFixed(1)}% in ${(s.durationMs / 1000).toFixed(1)} s`,
  ];
  for (const [k, v] of Object.entries(s.skipReasons)) lines.push(`  skipped ${k}: ${v}`);
  for (const f of s.failures.slice(0, 20))
    lines.push(`  failed ${printable(f.conversationId)}: ${f.code ?? ''} ${printable(f.reason ?? '')}`);
  if (s.dryRun) {
    lines.splice(
      0,
      lines.length,
      `dry run: ${s.dryRun.conversations} conversations would be exported`,
      `  by media type: ${Object.entries(s.dryRun.mediaTypes)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`,
      `  estimated API calls: ${s.dryRun.estimatedApiCalls} (+ ${s.apiCalls} spent on discovery)`,
    );
  }
  out.write(`${lines.join('\n')}\n`);
}

export function registerExportCommand(program: Command, setExitCode: SetExitCode): void {
  const cmd = program
    .command('export')
    .description(
      'Export conversations: recordings, transcripts (redacted), manifests, delivered to --out and sinks',
    );
  addSelectionOptions(cmd);
  addConnectionOptions(cmd);
  cmd
    .option('--emulator', 'run against a built-in Genesys Cloud emulator (no credentials needed)')
    .option('--emulator-conversations <n>', 'conversations in the built-in emulator', (v) => Number(v), 60)
    .option('--emulator-seed <n>', 'seed of the built-in emulator dataset', (v) => Number(v), 1)
    .option(
      '--emulator-interval <start/end>',
      'ISO-8601 interval of the built-in emulator dataset (default: the 7 full UTC days before today)',
    )
    .option('--emulator-faults <spec>', 'fault rates for the built-in emulator, e.g. 5xx=0.02,reset=0.01')
    .option(
      '--emulator-variant <spec>',
      'behaviour variants of the built-in emulator, e.g. mediaUris=perChannel,mediaUri=signed',
      variantSpec,
    );
  addOutputOptions(cmd, {
    out: 'output folder (the filesystem sink)',
    sink: 'extra sinks: webhook:https://… (secret in GT_WEBHOOK_SECRET), s3://bucket/prefix?endpoint=…',
  });
  cmd
    .option(
      '--transcode-wait <seconds>',
      'how long to wait for Genesys to transcode a recording',
      positive,
      60,
    )
    .option(
      '--no-defer',
      'deliver conversations whose recording is not ready (else they wait for the next run)',
    )
    .option(
      '--restore-archived <days>',
      'ask Genesys to restore archived recordings for this many days',
      positive,
    )
    .option('--concurrency <n>', 'conversations in flight', (v) => Number(v), 4);
  addDeadlineOption(cmd)
    .option('--dry-run', 'discover only: what would be exported and the API calls it would cost')
    .option('--json', 'print the summary as JSON on stdout')
    .option('--state-dir <dir>', 'checkpoint, staging and audit log', './.genesys-transcripts')
    .option('--audit-hmac-key-env <var>', 'environment variable holding an HMAC key for the audit chain')
    .option('--metrics-port <port>', 'serve Prometheus metrics on 127.0.0.1:<port>/metrics', (v) => Number(v))
    .option('--metrics-file <file>', 'write Prometheus metrics to this textfile at the end')
    .option('--log-level <level>', 'pino log level (logs go to stderr)', 'warn')
    .action(async (flags: Record<string, unknown>) => {
      // Heavy modules load only when the command runs, so `--help` stays instant.
      const { loadConfig } = await import('../../config/index.ts');
      const { Exporter } = await import('../../pipeline/exporter.ts');
      const { createLogger } = await import('../../observe/logger.ts');
      const { createProgressView } = await import('../../observe/progress.ts');
      const logger = createLogger({ level: String(flags.logLevel) });
      let config: GenesysConfig;
      let stopEmulator: (() => Promise<void>) | undefined;
      let defaultInterval: string | undefined;
      if (flags.emulator) {
        // The emulator sits at the edge: only the CLI imports it, so the library never depends on it.
        const { startEmulator } = await import('../../emulator/index.ts');
        const { parseInterval } = await import('../../genesys/discovery.ts');
        const pinned = typeof flags.emulatorInterval === 'string' ? flags.emulatorInterval : undefined;
        if (pinned !== undefined) parseInterval(pinned); // a USAGE error naming the interval
        const emu = await startEmulator({
          conversations: Number(flags.emulatorConversations),
          seed: Number(flags.emulatorSeed),
          ...(pinned !== undefined ? { interval: pinned } : {}),
          ...(typeof flags.emulatorFaults === 'string' ? { faults: flags.emulatorFaults } : {}),
          ...(flags.emulatorVariant ? { variants: flags.emulatorVariant as Partial<EmulatorVariants> } : {}),
        });
        stopEmulator = () => emu.close();
        defaultInterval = emu.interval;
        const limits = Object.fromEntries(NETWORK_LIMIT_FLAGS.map((k) => [k, flags[k]]));
        config = loadConfig({
          flags: {
            ...limits,
            apiUrl: emu.baseUrl,
            loginUrl: emu.loginUrl,
            clientId: emu.clientId,
            rateLimit: flags.rateLimit,
          },
          env: { GENESYSCLOUD_OAUTHCLIENT_SECRET: emu.clientSecret },
        });
        process.stderr.write(
          `Using the built-in Genesys Cloud emulator at ${emu.baseUrl} (interval ${emu.interval})\n`,
        );
      } else {
        config = loadConfig({
          flags,
          env: process.env,
          ...(typeof flags.config === 'string' ? { configFile: flags.config } : {}),
        });
      }
      // Whatever goes wrong from here on (bad flags, a failed run), the built-in emulator must stop,
      // or its open server would keep the process alive.
      try {
        const hmacVar = flags.auditHmacKeyEnv as string | undefined;
        if (hmacVar && !process.env[hmacVar])
          throw new GtError('CONFIG_INVALID', `--audit-hmac-key-env ${hmacVar}: that variable is empty`);
        const options: ExportOptionsInput = {
          selection: await selectionFromFlags(flags, defaultInterval),
          outDir: String(flags.out),
          formats: flags.formats as ExportOptionsInput['formats'],
          media: Boolean(flags.media),
          mediaFormat: flags.mediaFormat as ExportOptionsInput['mediaFormat'],
          transcripts: Boolean(flags.transcript),
          redact: Boolean(flags.redact),
          review: Boolean(flags.review),
          concurrency: Number(flags.concurrency),
          dryRun: Boolean(flags.dryRun),
          transcodeDeadlineMs: Math.round(Number(flags.transcodeWait) * 1000),
          conversationDeadlineMs: Math.round(Number(flags.conversationDeadline) * 1000),
          deferNotReady: Boolean(flags.defer),
          ...(flags.restoreArchived !== undefined
            ? { restoreArchivedDays: Number(flags.restoreArchived) }
            : {}),
          sinks: (flags.sink as string[] | undefined) ?? [],
          stateDir: String(flags.stateDir),
          ...(hmacVar ? { auditHmacKey: process.env[hmacVar] } : {}),
        };
        const exporter = new Exporter(options, { config, logger });
        const metricsServer =
          typeof flags.metricsPort === 'number' ? await exporter.metrics.serve(flags.metricsPort) : undefined;
        const progress = flags.json ? { update() {}, stop() {} } : createProgressView();
        exporter.on('progress', (s) => progress.update(s));
        const abort = () => {
          process.stderr.write(
            '\ninterrupted: progress is checkpointed; run the same command again to resume\n',
          );
          process.exit(130);
        };
        process.once('SIGINT', abort);
        try {
          const run = exporter.run();
          for (let step = await run.next(); !step.done; step = await run.next()) {
            const r = step.value;
            if (r.status === 'failed')
              logger.warn({ conversationId: r.conversationId, code: r.errorCode }, 'conversation failed');
          }
        } finally {
          progress.stop();
          process.off('SIGINT', abort);
          metricsServer?.close();
          if (typeof flags.metricsFile === 'string') await exporter.metrics.writeTextfile(flags.metricsFile);
        }
        const summary = exporter.summary();
        if (flags.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
        else printSummary(summary, process.stdout, String(flags.out));
        setExitCode(summary.conversations.failed > 0 ? 1 : 0);
      } finally {
        await stopEmulator?.();
      }
    });
}
