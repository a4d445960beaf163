// The CLI: one commander program, one module per subcommand in ./commands. Exit codes:
// 0 success (skips with a reason are not failures), 1 some work failed, 2 bad usage/configuration.
import { Command, CommanderError } from 'commander';
import { isGtError } from '../errors.ts';
import { TOOL_VERSION } from '../version.ts';
import { registerCommands } from './commands/index.ts';
import { printable } from './terminal.ts';

/** Nothing was done and the fix is on the caller's side: bad flags, config, a failed check before work, a busy state folder. */
const USAGE_CODES = new Set(['CONFIG_INVALID', 'USAGE', 'PREFLIGHT', 'STATE_LOCKED']);

export async function main(argv: string[]): Promise<number> {
  const program = new Command('genesys-transcripts')
    .description('Export Genesys Cloud conversations: recordings, transcripts, redacted, delivered.')
    .version(TOOL_VERSION, '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  let exitCode = 0;
  registerCommands(program, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? 0 : 2;
    }
    if (isGtError(err)) {
      // Messages quote API strings: escaped and cut per line (a config error lists one problem a line).
      const message = err.message
        .split('\n')
        .map((line) => printable(line, 500))
        .join('\n');
      process.stderr.write(`genesys-transcripts: ${message} [${err.code}]\n`);
      return USAGE_CODES.has(err.code) ? 2 : 1;
    }
    const text = ((err as Error)?.stack ?? String(err))
      .split('\n')
      .map((line) => printable(line, 2000))
      .join('\n');
    process.stderr.write(`genesys-transcripts: unexpected error: ${text}\n`);
    return 1;
  }
}
