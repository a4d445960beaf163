// Flags shared by the commands that select conversations (export, enqueue), that talk to
// Genesys Cloud (export, enqueue, worker) and that write exports (export, worker). The client secret has no flag on purpose: a flag value
// shows in `ps` and shell history. It comes from GENESYSCLOUD_OAUTHCLIENT_SECRET, a config file,
// or --client-secret-file.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { MEDIA_FORMATS, MEDIA_TYPES, OUTPUT_FORMATS } from '../../pipeline/options.ts';
import { parseVariantSpec } from '../../emulator/options.ts';
import type { EmulatorVariants } from '../../emulator/types.ts';

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

export function addSelectionOptions(cmd: Command): Command {
  return cmd
    .option('--conversation <id...>', 'conversation ID(s) to export')
    .option('--ids-file <file>', 'file with one conversation ID per line ("-" = stdin)')
    .option('--from <iso>', 'interval start (ISO-8601), with --to')
    .option('--to <iso>', 'interval end (ISO-8601), with --from')
    .addOption(new Option('--media-type <list>', `media types: ${MEDIA_TYPES.join(',')}`).argParser(list))
    .option('--language <list>', 'languages (BCP-47, e.g. en-US,es-US)', list)
    .option('--queue <list>', 'queue IDs', list)
    .option('--user <list>', 'agent user IDs', list)
    .option('--division <list>', 'division IDs', list)
    .addOption(
      new Option('--direction <direction>', 'originating direction').choices(['inbound', 'outbound']),
    );
}

export function addConnectionOptions(cmd: Command): Command {
  return cmd
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
      '--rate-limit <n>',
      'ceiling on API requests per minute per OAuth client; the budget used is the smaller of it and what Genesys announces minus 5% headroom',
      wholePositive,
    );
  return addNetworkLimitOptions(cmd);
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
    'a conversation not finished within this ends as DEADLINE (default 900)',
    positive,
    900,
  );
}

/** What an export writes and where: media, transcripts, formats, redaction, sinks. */
export function addOutputOptions(cmd: Command, help: { out: string; sink: string }): Command {
  return cmd
    .addOption(
      new Option('--media-format <format>', 'recording format').choices(MEDIA_FORMATS).default('WAV'),
    )
    .option('--no-media', 'do not download recordings')
    .option('--no-transcript', 'do not fetch transcripts')
    .option('--out <dir>', help.out, './export')
    .option('--formats <list>', `transcript formats: ${OUTPUT_FORMATS.join(',')}`, list, [
      'json',
      'txt',
      'vtt',
    ])
    .option('--no-redact', 'DANGER: write transcripts without PII redaction')
    .option('--no-review', 'no review pages (index.html, review/) or search index in --out')
    .option('--sink <spec...>', help.sink);
}
