// Flags shared by the commands that select conversations (export, enqueue), that talk to
// Genesys Cloud (export, enqueue, worker) and that write exports (export, worker). The client secret has no flag on purpose: a flag value
// shows in `ps` and shell history. It comes from GENESYSCLOUD_OAUTHCLIENT_SECRET, a config file,
// or --client-secret-file.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { GtError } from '../../errors.ts';
import type { Selection } from '../../pipeline/options.ts';
import { parseWhen } from '../dates.ts';
import { MEDIA_FORMATS, MEDIA_TYPES, OUTPUT_FORMATS } from '../../pipeline/options.ts';
import { parseVariantSpec } from '../../emulator/options.ts';
import type { EmulatorVariants } from '../../emulator/types.ts';
import type { GenesysConfig } from '../../config/index.ts';

/** An emulator variant spec (`mediaUri=signed,mediaUris=perChannel`): a bad name or value is a usage error naming it. */
export const variantSpec = (v: string): Partial<EmulatorVariants> => {
  try {
    return parseVariantSpec(v);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
};

/** A positive number flag: a typo is a usage error naming the flag, not a NaN deep inside. */
export const positive = (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
};

/** A whole number ≥ 1 (requests, items): a typo is a usage error naming the flag. */
export const wholePositive = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return n;
};

/** Comma-separated list flag; the last occurrence wins (so a default is replaced, not extended). */
export const list = (v: string): string[] =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

// Flag parsers that fail as one line naming the flag and the value, e.g.
//   --formats: "pdf" is not one of json, txt, vtt, srt
// (a USAGE error: exit 2), instead of a NaN or zod's wording surfacing later.
const shown = (v: string) => JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v);

/** An integer flag within [min, max]. */
export const integer =
  (flag: string, min: number, max = Number.MAX_SAFE_INTEGER) =>
  (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isInteger(n) || n < min || n > max)
      throw new GtError('USAGE', `${flag}: ${shown(v)} is not a whole number from ${min} to ${max}`);
    return n;
  };

/** A comma-separated list whose items must be among `allowed`. */
export const listOf =
  (flag: string, allowed: readonly string[]) =>
  (v: string): string[] => {
    const items = list(v);
    const bad = items.find((i) => !allowed.includes(i));
    if (bad !== undefined || items.length === 0)
      throw new GtError('USAGE', `${flag}: ${shown(bad ?? v)} is not one of ${allowed.join(', ')}`);
    return items;
  };

/** One value among `allowed`. */
export const oneOf =
  (flag: string, allowed: readonly string[]) =>
  (v: string): string => {
    if (!allowed.includes(v))
      throw new GtError('USAGE', `${flag}: ${shown(v)} is not one of ${allowed.join(', ')}`);
    return v;
  };

/** Option names of the export options, as the flags that set them (for errors from validation). */
export const FLAG_OF_OPTION: Record<string, string> = {
  outDir: '--out',
  stateDir: '--state-dir',
  formats: '--formats',
  mediaFormat: '--media-format',
  concurrency: '--concurrency',
  sinks: '--sink',
  lagMs: '--lag',
  'selection.conversationIds': '--conversation/--ids-file',
  'selection.interval': '--from/--to',
  'selection.from': '--from',
  'selection.to': '--to',
  'selection.mediaTypes': '--media-type',
  'selection.languages': '--language',
  'selection.queueIds': '--queue',
  'selection.userIds': '--user',
  'selection.divisionIds': '--division',
  'selection.direction': '--direction',
  selection: 'selection',
};

/** A CONFIG_INVALID from option validation in the words of the flags: `--language: "x": a language is …`. */
export function inFlagTerms(err: unknown): unknown {
  const problems = (err as GtError | undefined)?.details?.problems as
    { option: string; message: string }[] | undefined;
  if (!(err instanceof GtError) || err.code !== 'CONFIG_INVALID' || !Array.isArray(problems)) return err;
  const text = problems.map((p) => `${FLAG_OF_OPTION[p.option] ?? p.option}: ${p.message}`).join('; ');
  return new GtError('USAGE', text, { problems });
}

export function addSelectionOptions(cmd: Command): Command {
  return cmd
    .option('--conversation <id...>', 'conversation ID(s) to export')
    .option('--ids-file <file>', 'file with one conversation ID per line ("-" = stdin)')
    .option(
      '--from <when>',
      'interval start, inclusive: ISO-8601 (UTC unless a zone is given), today, yesterday, -6h, -1d …',
    )
    .option('--to <when>', 'interval end, exclusive (default with --from or --since: now)')
    .addOption(
      new Option('--media-type <list>', `media types: ${MEDIA_TYPES.join(',')}`).argParser(
        listOf('--media-type', MEDIA_TYPES),
      ),
    )
    .option('--language <list>', 'languages (BCP-47, e.g. en-US,es-US)', list)
    .option('--queue <list>', 'queue IDs', list)
    .option('--user <list>', 'agent user IDs', list)
    .option('--division <list>', 'division IDs', list)
    .option(
      '--direction <direction>',
      'originating direction: inbound, outbound',
      oneOf('--direction', ['inbound', 'outbound']),
    );
}

export function addConnectionOptions(cmd: Command): Command {
  cmd
    .option(
      '--region <region>',
      'Genesys Cloud region, e.g. us-east-1, eu-west-1, or a domain like mypurecloud.ie',
    )
    .option('--api-url <url>', 'explicit API base URL (gateways)')
    .option('--login-url <url>', 'explicit login base URL (gateways)')
    .option('--client-id <id>', 'OAuth client ID (or GENESYSCLOUD_OAUTHCLIENT_ID)')
    .option(
      '--client-secret-file <file>',
      'file holding the OAuth client secret (or GENESYSCLOUD_OAUTHCLIENT_SECRET)',
    )
    .option('--config <file>', 'JSON config file')
    .option(
      '--proxy <url>',
      'HTTP proxy http://[user:pass@]host:port for every call to Genesys (default: HTTPS_PROXY/HTTP_PROXY; NO_PROXY honoured)',
    )
    .option(
      '--rate-limit <n>',
      'ceiling on API requests per minute per OAuth client; the budget used is the smaller of it and what Genesys announces minus 5% headroom',
      wholePositive,
    );
  return addNetworkLimitOptions(cmd);
}

/**
 * The OAuth clients of the connection flags (export, worker): those of the --clients file, else
 * the one client of the flags, the environment and --config. Loaded only when a command runs.
 */
export async function clientConfigsFromFlags(flags: Record<string, unknown>): Promise<GenesysConfig[]> {
  const { loadConfig } = await import('../../config/index.ts');
  const base = {
    flags,
    env: process.env,
    ...(typeof flags.config === 'string' ? { configFile: flags.config } : {}),
  };
  return typeof flags.clients === 'string'
    ? (await import('../../distributed/clients.ts')).loadClientConfigs(flags.clients, base)
    : [loadConfig(base)];
}

/** Keys of the network limits, as loadConfig reads them from flags (also for --emulator runs). */
export const NETWORK_LIMIT_FLAGS = [
  'allowPrivateDownloads',
  'maxRetryAfter',
  'minTransferRate',
  'minTransferWindow',
  'maxMediaBytes',
] as const;

/** Limits that keep a hostile network or upstream from hanging an export or filling a disk. */
function addNetworkLimitOptions(cmd: Command): Command {
  const whole = (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number >= 0');
    return n;
  };
  return cmd
    .option(
      '--allow-private-downloads',
      'allow media/transcript URLs on loopback, private or link-local addresses (on-premises storage)',
    )
    .option(
      '--max-retry-after <seconds>',
      'longest Retry-After honoured; a longer one fails the conversation as RATE_LIMITED (default 120)',
      whole,
    )
    .option(
      '--min-transfer-rate <bytes/s>',
      'a body slower than this (over --min-transfer-window) fails as TOO_SLOW; 0 = off (default 1024)',
      whole,
    )
    .addOption(
      new Option('--min-transfer-window <seconds>', 'window of --min-transfer-rate (default 30)').argParser(
        positive,
      ),
    )
    .option(
      '--max-media-bytes <n>',
      'absolute cap on one media file, whatever its metadata says (default 4 GiB)',
      positive,
    );
}

/** The per-conversation deadline flag (export, worker). */
export function addDeadlineOption(cmd: Command): Command {
  return cmd.option(
    '--conversation-deadline <seconds>',
    'a conversation not finished within this ends as DEADLINE',
    positive,
    900,
  );
}

/** An octal mode flag ("600", "0640"). */
const octalMode =
  (flag: string) =>
  (v: string): number => {
    if (!/^0?[0-7]{3}$/.test(v))
      throw new InvalidArgumentError(`${flag}: "${v}" is not an octal mode like 600 or 640`);
    return parseInt(v, 8);
  };

/** What an export writes and where: media, transcripts, formats, redaction, sinks. */
export function addOutputOptions(cmd: Command, help: { out: string; sink: string }): Command {
  return (
    cmd
      .option(
        '--media-format <format>',
        `recording format: ${MEDIA_FORMATS.join(', ')}`,
        oneOf('--media-format', MEDIA_FORMATS),
        'WAV',
      )
      .option('--no-media', 'do not download recordings')
      .option('--no-transcript', 'do not fetch transcripts')
      .option('--out <dir>', help.out, './export')
      .option(
        '--formats <list>',
        `transcript formats: ${OUTPUT_FORMATS.join(',')}`,
        listOf('--formats', OUTPUT_FORMATS),
        ['json', 'txt', 'vtt'],
      )
      .option(
        '--no-redact',
        'DANGER: write transcripts without PII redaction (announced at start, in the summary and manifests)',
      )
      .option('--no-review', 'no review pages (index.html, review/) or search index in --out')
      .option('--sink <spec...>', help.sink)
      // Defaults shown as typed (600), not as the numbers they are (384).
      .addOption(
        new Option('--file-mode <octal>', 'mode of delivered files')
          .argParser(octalMode('--file-mode'))
          .default(0o600, '600'),
      )
      .addOption(
        new Option('--dir-mode <octal>', 'mode of the folders created under --out')
          .argParser(octalMode('--dir-mode'))
          .default(0o700, '700'),
      )
      .option(
        '--allow-insecure-webhook',
        'allow a webhook sink on plain http:// to a host other than loopback (transcripts sent unencrypted)',
      )
  );
}

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

const iso = (t: number) => new Date(t).toISOString();

/**
 * Turns the selection flags into a Selection (validated later by the options schema). Intervals are
 * half-open: --from inclusive, --to exclusive (default now). `--since last` leaves the interval to
 * the run, which knows the previous one; --from is then its start when there is none.
 */
export async function selectionFromFlags(
  flags: Record<string, unknown>,
  defaultInterval?: string,
  now: number = Date.now(),
): Promise<Selection> {
  const ids = [...((flags.conversation as string[] | undefined) ?? [])];
  if (typeof flags.idsFile === 'string') ids.push(...(await readIds(flags.idsFile)));
  const from = typeof flags.from === 'string' ? parseWhen(flags.from, '--from', now) : undefined;
  const to = typeof flags.to === 'string' ? parseWhen(flags.to, '--to', now) : undefined;
  const sel: Selection = {};
  if (flags.since === 'last') {
    if (ids.length > 0)
      throw new GtError('USAGE', '--since last selects by interval: drop --conversation/--ids-file');
    sel.since = 'last';
    const fallback = from ?? (defaultInterval ? Date.parse(defaultInterval.split('/')[0]!) : undefined);
    if (fallback !== undefined) sel.from = iso(fallback);
    if (to !== undefined) sel.to = iso(to);
  } else if (from !== undefined || to !== undefined) {
    if (from === undefined) throw new GtError('USAGE', '--to needs --from (or --since last)');
    const end = to ?? now;
    if (!(from < end))
      throw new GtError(
        'USAGE',
        `--from/--to: ${iso(from)} is not before ${iso(end)}; the interval is empty`,
      );
    sel.interval = `${iso(from)}/${iso(end)}`;
  } else if (ids.length === 0 && defaultInterval) {
    sel.interval = defaultInterval;
  }
  if (ids.length) sel.conversationIds = ids;
  if (flags.mediaType) sel.mediaTypes = flags.mediaType as Selection['mediaTypes'];
  if (flags.language) sel.languages = flags.language as string[];
  if (flags.queue) sel.queueIds = flags.queue as string[];
  if (flags.user) sel.userIds = flags.user as string[];
  if (flags.division) sel.divisionIds = flags.division as string[];
  if (flags.direction) sel.direction = flags.direction as Selection['direction'];
  return sel;
}

/** Text from outside shown on a terminal: escaped and truncated (../terminal.ts). */
export { printable } from '../terminal.ts';
