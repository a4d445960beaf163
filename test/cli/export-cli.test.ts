// The CLI as a user runs it: the README's first command (export against the built-in emulator),
// the JSON summary and the Prometheus textfile agreeing with what is on disk, exit codes for bad
// usage and for IDs Genesys does not know, and the progress bar on a terminal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createProgressView } from '../../src/observe/progress.ts';
import { tempWorkdir } from '../helpers/emulator.ts';

const BIN = join(import.meta.dirname, '../../bin/genesys-transcripts.js');

function run(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Metric value from a Prometheus text exposition, e.g. gt_conversations_total{status="done"}. */
function metric(text: string, name: string, labels = ''): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  assert.ok(line, `metric ${name}{${labels}} in the textfile`);
  return Number(line.split(' ').pop());
}

test("README's first command exports a browsable folder; summary and metrics match the files", async (t) => {
  const cwd = await tempWorkdir(t, 'gt-cli-');
  const r = await run(
    ['export', '--emulator', '--out', './export', '--json', '--metrics-file', 'metrics.prom'],
    cwd,
  );
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout);
  assert.equal(summary.conversations.discovered, 60);
  assert.equal(summary.conversations.failed, 0);
  assert.equal(summary.conversations.done + summary.conversations.skipped, 60);

  // Browsable: YYYY/MM/DD/<conversationId>/ with a manifest per conversation and the files it lists.
  const files = (await readdir(join(cwd, 'export'), { recursive: true })).map(String);
  const manifests = files.filter((f) => /^\d{4}\/\d{2}\/\d{2}\/[0-9a-f-]{36}\/manifest\.json$/.test(f));
  assert.equal(manifests.length, summary.conversations.done);
  let listed = 0;
  for (const m of manifests) {
    const manifest = JSON.parse(await readFile(join(cwd, 'export', m), 'utf8'));
    listed += manifest.files.length + 1;
  }
  assert.equal(summary.files, listed, 'summary counts every delivered file, manifests included');
  assert.ok(
    files.some((f) => f.endsWith('.wav')),
    'recordings are there',
  );
  assert.ok(
    files.some((f) => /transcript-.*\.vtt$/.test(f)),
    'captions are there',
  );

  const prom = await readFile(join(cwd, 'metrics.prom'), 'utf8');
  assert.equal(metric(prom, 'gt_conversations_total', 'status="done"'), summary.conversations.done);
  assert.equal(metric(prom, 'gt_media_bytes_total'), summary.bytes);
  const apiCalls = prom
    .split('\n')
    .filter((l) => l.startsWith('gt_api_requests_total{'))
    .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
  assert.equal(apiCalls, summary.apiCalls);

  // Run it again: everything is in the checkpoint, nothing is exported twice.
  const again = await run(['export', '--emulator', '--out', './export', '--json'], cwd);
  assert.equal(again.code, 0, again.stderr);
  const second = JSON.parse(again.stdout);
  assert.equal(second.conversations.alreadyExported, 60);
  assert.equal(second.bytes, 0);
});

test('bad usage exits 2 with one clear message; unknown IDs exit 1 as NOT_FOUND', async (t) => {
  const cwd = await tempWorkdir(t, 'gt-cli-');
  const half = await run(['export', '--emulator', '--to', '2026-11-01'], cwd);
  assert.equal(half.code, 2);
  assert.match(half.stderr, /--to needs --from/);

  const hostile = await run(['export', '--emulator', '--conversation', '../../etc/passwd'], cwd);
  assert.equal(hostile.code, 2);
  assert.match(hostile.stderr, /conversation ID is letters, digits and dashes/);
  assert.deepEqual(await readdir(cwd), [], 'nothing written for a rejected run');

  const unknown = '00000000-0000-4000-8000-000000000000';
  const r = await run(
    ['export', '--emulator', '--conversation', unknown, '--json', '--out', './export'],
    cwd,
  );
  assert.equal(r.code, 1, r.stderr);
  const summary = JSON.parse(r.stdout);
  assert.equal(summary.conversations.failed, 1);
  assert.deepEqual(
    summary.failures.map((f: { conversationId: string; code: string }) => [f.conversationId, f.code]),
    [[unknown, 'NOT_FOUND']],
  );
  const status = await run(['status', '--out', 'export', '--json'], cwd);
  assert.equal(status.code, 1, 'status exits 1 while failed conversations remain');
  assert.match(status.stdout, /NOT_FOUND/);
});

test('--emulator-interval pins the built-in dataset; a reversed interval is a usage error', async (t) => {
  const cwd = await tempWorkdir(t, 'gt-cli-');
  const reversed = await run(
    ['export', '--emulator', '--emulator-interval', '2026-01-06T00:00:00Z/2026-01-05T00:00:00Z'],
    cwd,
  );
  assert.equal(reversed.code, 2, reversed.stderr);
  assert.match(reversed.stderr, /invalid interval .*start must be before the end/);
  assert.deepEqual(await readdir(cwd), [], 'nothing written for a rejected run');

  const interval = '2026-01-05T00:00:00.000Z/2026-01-06T00:00:00.000Z';
  const r = await run(
    ['export', '--emulator', '--emulator-conversations', '6', '--emulator-interval', interval, '--json'],
    cwd,
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`interval ${interval.replace(/\./g, '\\.')}`));
  assert.equal(JSON.parse(r.stdout).conversations.discovered, 6);
  // Folders are YYYY/MM/DD of each conversation's start: all inside the pinned day (beside the
  // state folder and the review pages).
  assert.deepEqual((await readdir(join(cwd, 'export'))).sort(), [
    '.genesys-transcripts',
    '2026',
    'index.html',
    'review',
  ]);
  assert.deepEqual(await readdir(join(cwd, 'export', '2026', '01')), ['05']);
});

test('the progress bar on a terminal shows conversations, bytes, failures and 429s', () => {
  const stream = Object.assign(new PassThrough(), {
    isTTY: true,
    columns: 200,
    cursorTo: () => true,
    clearLine: () => true,
    moveCursor: () => true,
  });
  let drawn = '';
  stream.on('data', (d: Buffer) => (drawn += d));
  const view = createProgressView(stream as unknown as NodeJS.WriteStream);
  view.update({ discovered: 10, finished: 3, failed: 1, bytes: 5 * 1024 * 1024, rateLimited: 7 });
  view.stop();
  assert.match(drawn, /3\/10 conversations/);
  assert.match(drawn, /1 failed/);
  assert.match(drawn, /5\.0 MB/);
  assert.match(drawn, /429s: 7/);
});

test('off a terminal the progress view draws nothing', () => {
  const stream = new PassThrough();
  let drawn = '';
  stream.on('data', (d: Buffer) => (drawn += d));
  const view = createProgressView(stream as unknown as NodeJS.WriteStream);
  view.update({ discovered: 10, finished: 3, failed: 0, bytes: 0, rateLimited: 0 });
  view.stop();
  assert.equal(drawn, '');
});
