// Every flag a command lists in its --help is documented in README.md (the export table, the
// command reference, or the section of the command), so the README never lags behind the CLI.
// Commands are read from the CLI's own help, so a new command or flag is covered without
// touching this test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const BIN = join(import.meta.dirname, '../../bin/genesys-transcripts.js');

async function help(command: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [BIN, ...command, '--help']);
  return stdout;
}

/** The lines of one section (`Options:`, `Commands:`) of a help text. */
function section(text: string, title: string): string[] {
  const start = text.indexOf(`\n${title}\n`);
  if (start < 0) return [];
  const rest = text.slice(start + title.length + 2);
  const end = rest.search(/\n\S/);
  return (end < 0 ? rest : rest.slice(0, end)).split('\n');
}

/** Commands and subcommands, e.g. ['export'], ['dlq', 'list']. */
async function commands(parent: string[] = []): Promise<string[][]> {
  const names = section(await help(parent), 'Commands:')
    .map((l) => /^ {2}([a-z][\w-]*)/.exec(l)?.[1])
    .filter((n): n is string => n !== undefined && n !== 'help');
  const out: string[][] = [];
  for (const name of names) {
    const sub = await commands([...parent, name]);
    out.push(...(sub.length ? sub : [[...parent, name]]));
  }
  return out;
}

test('every flag of every command --help is in README.md', async () => {
  const readme = await readFile(join(import.meta.dirname, '../../README.md'), 'utf8');
  const all = await commands();
  assert.ok(all.length >= 14, `${all.length} commands`);
  const missing: string[] = [];
  for (const command of all) {
    const flags = section(await help(command), 'Options:')
      .map((l) => /^ {2}(?:-\w, )?(--[a-z][\w-]*)/.exec(l)?.[1])
      .filter((f): f is string => f !== undefined && f !== '--help');
    for (const flag of flags)
      if (!new RegExp(`${flag}(?![\\w-])`).test(readme)) missing.push(`${command.join(' ')} ${flag}`);
  }
  assert.deepEqual(missing, [], 'flags in --help but not in README.md');
});
