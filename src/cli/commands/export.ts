// `genesys-transcripts export`: selection flags → ExportOptions, Genesys config from flags/env/file
// (or the built-in emulator with --emulator), a progress bar on a TTY, a summary at the end.
import type { Command } from 'commander';
import { GtError } from '../../errors.ts';
import type { GenesysConfig } from '../../config/index.ts';
import { proxyEnv } from '../../config/proxy.ts';
import type { Exporter, ExportSummary } from '../../pipeline/exporter.ts';
import type { Logger } from '../../observe/logger.ts';
import type { ExportOptionsInput } from '../../pipeline/options.ts';
import { formatBytes } from '../../observe/progress.ts';
import type { SetExitCode } from './index.ts';
import type { EmulatorVariants } from '../../emulator/types.ts';
import {
  addConnectionOptions,
  clientConfigsFromFlags,
  addOutputOptions,
  addSelectionOptions,
  inFlagTerms,
  integer,
  oneOf,
  positive,
  printable,
  addDeadlineOption,
  NETWORK_LIMIT_FLAGS,
  variantSpec,
  selectionFromFlags,
} from './shared-options.ts';
import { parseDuration } from '../dates.ts';

/** Lists in the summary stop here and say how many more there are. */
const SUMMARY_LIST_MAX = 20;

export const NO_REDACT_BANNER =
  '*** WARNING: --no-redact: transcripts are written WITHOUT PII redaction (card numbers, SSNs, phone numbers … as spoken or typed) ***';

/** The emulator brings its own connection: a --config or --region beside it would be silently ignored. */
function rejectConnectionFlags(flags: Record<string, unknown>): void {
  const names = {
    region: '--region',
    apiUrl: '--api-url',
    loginUrl: '--login-url',
    clientId: '--client-id',
    clientSecretFile: '--client-secret-file',
    config: '--config',
    clients: '--clients',
  };
  const given = Object.entries(names)
    .filter(([k]) => flags[k] !== undefined)
    .map(([, n]) => n);
  if (given.length > 0)
    throw new GtError(
      'USAGE',
      `--emulator brings its own connection: drop ${given.join(', ')} (or drop --emulator to use ${given.length > 1 ? 'them' : 'it'})`,
    );
}

/** Up to `max` lines, then "…and N more". */
function capped(lines: string[], max = SUMMARY_LIST_MAX): string[] {
  return lines.length <= max ? lines : [...lines.slice(0, max), `  …and ${lines.length - max} more`];
}

function printSummary(s: ExportSummary, out: NodeJS.WritableStream, outDir: string): void {
  const c = s.conversations;
  // Counted as exported (their manifest is delivered) yet listed below as skipped: say so here.
  const noFiles = s.skippedConversations?.['no-files'] ?? 0;
  const lines = [
    `conversations: ${c.discovered} discovered, ${c.done} exported` +
      (noFiles ? ` (${noFiles} with nothing but their manifest: no-files)` : '') +
      `, ${c.skipped} skipped, ${c.failed} failed` +
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
  if (s.interval) lines.splice(1, 0, `interval: ${s.interval.replace('/', ' (inclusive) to ')} (exclusive)`);
  if (s.carriedOver) lines.push(`carried over from earlier runs (pending or failed): ${s.carriedOver}`);
  const skippedConversations = Object.entries(s.skippedConversations ?? {});
  if (skippedConversations.length > 0) lines.push('skipped conversations:');
  lines.push(...capped(skippedConversations.map(([k, v]) => `  ${k}: ${v}`)));
  const skippedItems = Object.entries(s.skippedItems ?? {});
  if (skippedItems.length > 0) lines.push('skipped files inside exported conversations:');
  lines.push(...capped(skippedItems.map(([k, v]) => `  ${k.replace(':', ' ')}: ${v}`)));
  // s.failures itself keeps at most 100: the count is the number of failed conversations.
  const failedLines = s.failures
    .slice(0, SUMMARY_LIST_MAX)
    .map((f) => `  failed ${printable(f.conversationId)}: ${f.code ?? ''} ${printable(f.reason ?? '')}`);
  lines.push(...failedLines);
  if (c.failed > failedLines.length)
    lines.push(`  …and ${c.failed - failedLines.length} more (status lists them)`);
  if (s.redacted === false) lines.unshift(NO_REDACT_BANNER);
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

const EMULATOR_HINTS = {
  credentials: 'the built-in emulator (a bug: it issues its own credentials)',
  loginHost: 'the built-in emulator',
  apiHost: 'the built-in emulator',
};

export function registerExportCommand(program: Command, setExitCode: SetExitCode): void {
  const cmd = program
    .command('export')
    .description(
      'Export conversations: recordings, transcripts (redacted), manifests, delivered to --out and sinks',
    );
  addSelectionOptions(cmd);
  addConnectionOptions(cmd);
  addEmulatorOptions(cmd);
  addOutputOptions(cmd, {
    out: 'output folder (the filesystem sink)',
    sink: 'extra sinks: webhook:https://… (secret in GT_WEBHOOK_SECRET), s3://bucket/prefix?endpoint=…',
  });
  addRunOptions(cmd);
  addDeadlineOption(cmd);
  addReportingOptions(cmd);
  cmd.action(async (flags: Record<string, unknown>) => setExitCode(await runExport(flags)));
}

function addEmulatorOptions(cmd: Command): void {
  cmd
    .option('--emulator', 'run against a built-in Genesys Cloud emulator (no credentials needed)')
    .option(
      '--emulator-conversations <n>',
      'conversations in the built-in emulator',
      integer('--emulator-conversations', 1, 1_000_000),
      60,
    )
    .option('--emulator-seed <n>', 'seed of the built-in emulator dataset', integer('--emulator-seed', 0), 1)
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
}

/** What is fetched and how: recordings, clients, concurrency, incremental runs, progress lines. */
function addRunOptions(cmd: Command): void {
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
    .option(
      '--clients <file>',
      'JSON file listing several OAuth clients ({"clients":[{"clientId","clientSecretEnv"|"clientSecretFile"}]}): each adds its own rate budget, conversations are spread across them',
    )
    .option(
      '--no-recording-batches',
      'look recordings up per conversation instead of in batch requests of 100 (more API calls)',
    )
    .option('--concurrency <n>', 'conversations in flight', integer('--concurrency', 1, 64), 32)
    .option(
      '--since <last>',
      "'last': continue from the end of the previous finished run of this selection to this --out (minus --lag); --from is the start of the first run",
      oneOf('--since', ['last']),
    )
    .option(
      '--lag <duration>',
      'with --since last: look again this far before the previous end (late data)',
      '6h',
    )
    .option(
      '--force',
      're-export the selection even where already delivered; start over when the checkpoint is missing',
    )
    .option(
      '--progress-every <seconds>',
      'off a terminal: print a progress line this often',
      integer('--progress-every', 1, 86_400),
      30,
    );
}

/** Dry run, summary, state, audit, metrics and logs. */
function addReportingOptions(cmd: Command): void {
  cmd
    .option('--dry-run', 'discover only: what would be exported and the API calls it would cost')
    .option('--json', 'print the summary as JSON on stdout')
    .option('--state-dir <dir>', 'checkpoint, staging and audit log (default: <out>/.genesys-transcripts)')
    .option('--audit-hmac-key-env <var>', 'environment variable holding an HMAC key for the audit chain')
    .option(
      '--metrics-port <port>',
      'serve Prometheus metrics on 127.0.0.1:<port>/metrics',
      integer('--metrics-port', 0, 65_535),
    )
    .option('--metrics-file <file>', 'write Prometheus metrics to this textfile at the end')
    .option(
      '--log-level <level>',
      'log level (logs go to stderr): fatal, error, warn, info, debug, trace, silent',
      oneOf('--log-level', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
      'warn',
    );
}

/** Where the export connects: the built-in emulator (started here) or the configured client(s). */
interface Connection {
  config: GenesysConfig;
  /** Further OAuth clients (--clients), each with its own budget. */
  moreClients: GenesysConfig[];
  /** The emulator's interval: the default selection when no --from/--to is given. */
  defaultInterval?: string;
  banner: string;
  close(): Promise<void>;
}

/** The export's exit code: 1 when a conversation failed or an interval is incomplete. */
async function runExport(flags: Record<string, unknown>): Promise<number> {
  // Heavy modules load only when the command runs, so `--help` stays instant.
  const { createLogger } = await import('../../observe/logger.ts');
  const logger = createLogger({ level: String(flags.logLevel) });
  const connection = flags.emulator ? await emulatorConnection(flags) : await configuredConnection(flags);
  // Whatever goes wrong from here on (bad flags, a failed run), the built-in emulator must stop,
  // or its open server would keep the process alive.
  try {
    const options = await exportOptionsFromFlags(flags, connection.defaultInterval);
    const { Exporter } = await import('../../pipeline/exporter.ts');
    let exporter: InstanceType<typeof Exporter>;
    try {
      exporter = new Exporter(options, {
        config: connection.config,
        moreClients: connection.moreClients,
        logger,
        names: { outDir: '--out', stateDir: '--state-dir' },
        ...(flags.emulator ? { connectionHints: EMULATOR_HINTS } : {}),
      });
    } catch (err) {
      throw inFlagTerms(err);
    }
    exporter.once('started', () => process.stderr.write(connection.banner));
    if (!options.redact) process.stderr.write(`${NO_REDACT_BANNER}\n`);
    await drive(exporter, flags, logger);
    const summary = exporter.summary();
    if (flags.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    else printSummary(summary, process.stdout, String(flags.out));
    for (const slice of summary.incomplete ?? [])
      process.stderr.write(`incomplete: ${slice.interval}: ${slice.reason}; run again later for it\n`);
    return summary.conversations.failed > 0 || (summary.incomplete?.length ?? 0) > 0 ? 1 : 0;
  } finally {
    await connection.close();
  }
}

async function emulatorConnection(flags: Record<string, unknown>): Promise<Connection> {
  rejectConnectionFlags(flags);
  // The emulator sits at the edge: only the CLI imports it, so the library never depends on it.
  const { startEmulator, parseFaultSpec } = await import('../../emulator/index.ts');
  const { parseInterval } = await import('../../genesys/discovery.ts');
  const { loadConfig } = await import('../../config/index.ts');
  if (typeof flags.emulatorFaults === 'string') {
    try {
      parseFaultSpec(flags.emulatorFaults);
    } catch (err) {
      throw new GtError('USAGE', `--emulator-faults: ${(err as Error).message}`);
    }
  }
  const pinned = typeof flags.emulatorInterval === 'string' ? flags.emulatorInterval : undefined;
  if (pinned !== undefined) parseInterval(pinned); // a USAGE error naming the interval
  const emu = await startEmulator({
    conversations: Number(flags.emulatorConversations),
    seed: Number(flags.emulatorSeed),
    ...(pinned !== undefined ? { interval: pinned } : {}),
    ...(typeof flags.emulatorFaults === 'string' ? { faults: flags.emulatorFaults } : {}),
    ...(flags.emulatorVariant ? { variants: flags.emulatorVariant as Partial<EmulatorVariants> } : {}),
  });
  const limits = Object.fromEntries(NETWORK_LIMIT_FLAGS.map((k) => [k, flags[k]]));
  const config = closeOnThrow(emu, () =>
    loadConfig({
      flags: {
        ...limits,
        apiUrl: emu.baseUrl,
        loginUrl: emu.loginUrl,
        clientId: emu.clientId,
        rateLimit: flags.rateLimit,
        proxy: flags.proxy,
      },
      // Only the proxy settings come from outside: the emulator is reached through a proxy too.
      env: { ...proxyEnv(process.env), GENESYSCLOUD_OAUTHCLIENT_SECRET: emu.clientSecret },
    }),
  );
  return {
    config,
    moreClients: [],
    defaultInterval: emu.interval,
    // Said once the flags and the checks before work are good: a bad flag or --out is the only line.
    banner: `Using the built-in Genesys Cloud emulator at ${emu.baseUrl} (interval ${emu.interval})\n`,
    close: () => emu.close(),
  };
}

async function configuredConnection(flags: Record<string, unknown>): Promise<Connection> {
  const configs = await clientConfigsFromFlags(flags);
  return { config: configs[0]!, moreClients: configs.slice(1), banner: '', close: async () => {} };
}

async function exportOptionsFromFlags(
  flags: Record<string, unknown>,
  defaultInterval: string | undefined,
): Promise<ExportOptionsInput> {
  const hmacVar = flags.auditHmacKeyEnv as string | undefined;
  if (hmacVar && !process.env[hmacVar])
    throw new GtError('CONFIG_INVALID', `--audit-hmac-key-env ${hmacVar}: that variable is empty`);
  return {
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
    recordingBatches: Boolean(flags.recordingBatches),
    ...(flags.restoreArchived !== undefined ? { restoreArchivedDays: Number(flags.restoreArchived) } : {}),
    sinks: (flags.sink as string[] | undefined) ?? [],
    allowInsecureWebhook: Boolean(flags.allowInsecureWebhook),
    outputFileMode: Number(flags.fileMode),
    outputDirMode: Number(flags.dirMode),
    ...(typeof flags.stateDir === 'string' ? { stateDir: flags.stateDir } : {}),
    force: Boolean(flags.force),
    lagMs: parseDuration(String(flags.lag), '--lag'),
    ...(hmacVar ? { auditHmacKey: process.env[hmacVar] } : {}),
  };
}

/** Runs the export to its end with its views: progress on stderr, metrics, Ctrl-C handling. */
async function drive(exporter: Exporter, flags: Record<string, unknown>, logger: Logger): Promise<void> {
  const { createProgressView } = await import('../../observe/progress.ts');
  const metricsServer =
    typeof flags.metricsPort === 'number' ? await exporter.metrics.serve(flags.metricsPort) : undefined;
  const progress = flags.json
    ? { update() {}, stop() {} }
    : createProgressView(process.stderr, { everyMs: Number(flags.progressEvery) * 1000 });
  exporter.on('progress', (s) => progress.update(s));
  const abort = () => {
    process.stderr.write('\ninterrupted: progress is checkpointed; run the same command again to resume\n');
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
}

/** Runs `f`; if it throws (a bad --proxy, say), the emulator is closed first: its server would keep
 * the process alive after the error. */
function closeOnThrow<T>(emu: { close(): Promise<void> }, f: () => T): T {
  try {
    return f();
  } catch (err) {
    void emu.close();
    throw err;
  }
}
