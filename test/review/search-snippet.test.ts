// Search snippets never split a redaction placeholder: FTS5 marks tokens, and `[BANK_ACCOUNT]` is
// two of them, so "card" used to come back as `[«CARD»]` and "account" as `[BANK_«ACCOUNT»]`.
// A placeholder stands for one redacted value and is highlighted whole. Checked on the snippet
// function and through `search` on an emulator export, as a user runs it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { wholePlaceholders } from '../../src/review/search.ts';

const BIN = join(import.meta.dirname, '../../bin/genesys-transcripts.js');
const run = promisify(execFile);

/** A mark inside brackets: a placeholder cut by the highlight. */
const SPLIT = /\[[A-Z_]*[«»][A-Z_«»]*\]/;

test('a placeholder is highlighted whole, the marks stay paired', () => {
  const cases: [string, string][] = [
    ['my «card» number is [«CARD»].', 'my «card» number is «[CARD]».'],
    ['the account is [BANK_«ACCOUNT»].', 'the account is «[BANK_ACCOUNT]».'],
    ['the account is [«BANK»_ACCOUNT].', 'the account is «[BANK_ACCOUNT]».'],
    ['my «card [CARD»] thanks', 'my «card [CARD]» thanks'],
    ['is [BANK_«ACCOUNT] number» ok', 'is «[BANK_ACCOUNT] number» ok'],
    ['[«BANK_ACCOUNT»] and [«REDACTED»]', '«[BANK_ACCOUNT]» and «[REDACTED]»'],
    // Untouched: whole already, not highlighted, or not a placeholder.
    ['«[CARD]» and [SSN]', '«[CARD]» and [SSN]'],
    ['press [«NOT_A_PLACEHOLDER»]', 'press [«NOT_A_PLACEHOLDER»]'],
  ];
  for (const [snippet, expected] of cases) assert.equal(wholePlaceholders(snippet), expected, snippet);
});

test('search through the CLI: placeholders in snippets are never split by « »', async (t) => {
  const cwd = await mkdtemp(join(tmpdir(), 'gt-search-snippet-'));
  t.after(() => rm(cwd, { recursive: true, force: true }));
  await run(process.execPath, [BIN, 'export', '--emulator', '--out', 'export', '--formats', 'json'], {
    cwd,
  });
  const expected: Record<string, RegExp> = {
    card: /«\[CARD\]»/,
    account: /«\[BANK_ACCOUNT\]»/,
    ssn: /«\[SSN\]»/,
    phone: /«\[PHONE\]»/,
  };
  for (const [phrase, whole] of Object.entries(expected)) {
    const { stdout } = await run(process.execPath, [BIN, 'search', phrase, '--out', 'export', '--json'], {
      cwd,
    });
    const snippets = (JSON.parse(stdout) as { hits: { snippet: string }[] }).hits.map((h) => h.snippet);
    assert.ok(
      snippets.some((s) => whole.test(s)),
      `${phrase}: a placeholder highlighted whole`,
    );
    assert.deepEqual(
      snippets.filter((s) => SPLIT.test(s)),
      [],
      `${phrase}: no placeholder split by a mark`,
    );
    for (const s of snippets) assert.equal(s.split('«').length, s.split('»').length, s);
  }
  // The human-readable form prints the same snippets.
  const { stdout } = await run(process.execPath, [BIN, 'search', 'card', '--out', 'export'], { cwd });
  assert.match(stdout, /«\[CARD\]»/);
  assert.doesNotMatch(stdout, SPLIT);
});
