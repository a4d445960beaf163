// Flags shared by the commands that select conversations (export, enqueue), that talk to
// Genesys Cloud (export, enqueue, worker) and that write exports (export, worker). The client secret has no flag on purpose: a flag value
// shows in `ps` and shell history. It comes from GENESYSCLOUD_OAUTHCLIENT_SECRET, a config file,
// or --client-secret-file.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { MEDIA_FORMATS, MEDIA_TYPES, OUTPUT_FORMATS } from '../../pipeline/options.ts';

/** A positive number flag: a typo is a usage error naming the flag, not a NaN deep inside. */
export const positive = (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
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
    .option('--config <file>', 'JSON config file');
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
