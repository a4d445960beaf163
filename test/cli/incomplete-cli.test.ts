// A part of the interval that discovery cannot serve yet (a day over the sync query's records cap,
// after the data lake's availability date, so no async job can be trusted with it) is never a
// silent gap: the export names it on stderr, keeps it in the JSON summary and exits 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { tempWorkdir } from '../helpers/emulator.ts';

const BIN = join(import.meta.dirname, '../../bin/genesys-transcripts.js');

test('an interval discovery cannot serve yet is reported incomplete, exit 1', async (t) => {
  const cwd = await tempWorkdir(t, 'gt-incomplete-');
  // 10,000 conversations today (one UTC day, so halving cannot shrink it): over the 10,000-record
  // cap less its margin, and all of it after the availability date less a day.
  const day = Math.floor(Date.now() / 86_400_000) * 86_400_000;
  const now = Math.max(day + 60_000, Math.floor(Date.now() / 60_000) * 60_000);
  const interval = `${new Date(day).toISOString()}/${new Date(now).toISOString()}`;
  const child = spawn(
    process.execPath,
    [
      BIN,
      'export',
      '--emulator',
      '--emulator-conversations',
      '10000',
      '--emulator-interval',
      interval,
      '--dry-run',
      '--json',
    ],
    { cwd, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.equal(code, 1, stderr);
  assert.match(
    stderr,
    /incomplete: \S+\/\S+: over 10000 conversations for one sync query, and after the data lake's availability date/,
  );
  const summary = JSON.parse(stdout) as { incomplete?: { interval: string }[] };
  assert.ok(summary.incomplete && summary.incomplete.length > 0, stdout);
  assert.equal(summary.incomplete.at(-1)!.interval.split('/')[1], new Date(now).toISOString());
});
