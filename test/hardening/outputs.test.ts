// Outputs and the terminal (issue 15): delivered files 0600 in 0700 folders (configurable), a
// symlink planted in the output tree refused, a busy --metrics-port a one-line usage error, and
// API strings printed escaped and cut (a 70,000-character conversation ID is not echoed in full).
import assert from 'node:assert/strict';
import { mkdir, readdir, stat, symlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { Exporter } from '../../src/pipeline/exporter.ts';
import { printable } from '../../src/cli/terminal.ts';
import { configFor, startTestEmulator, tempWorkdir } from '../helpers/emulator.ts';
import { runCli } from '../faults/lib/cli.ts';
import { forbiddenCharIn } from '../faults/lib/oracle.ts';
import type { RunningEmulator } from '../../src/emulator/index.ts';

async function modes(root: string): Promise<{ files: Set<number>; dirs: Set<number> }> {
  const files = new Set<number>();
  const dirs = new Set<number>();
  for (const name of await readdir(root, { recursive: true })) {
    if (relative(root, join(root, name)).startsWith('.genesys-transcripts')) continue; // state: i12's
    const info = await stat(join(root, name));
    (info.isDirectory() ? dirs : files).add(info.mode & 0o777);
  }
  return { files, dirs };
}

async function exportAll(emu: RunningEmulator, out: string, extra: Record<string, unknown> = {}) {
  const exporter = new Exporter(
    {
      selection: { conversationIds: emu.dataset.conversationIds().slice(0, 4) },
      outDir: out,
      stateDir: join(out, '..', 'state'),
      ...extra,
    },
    { config: configFor(emu) },
  );
  const results = [];
  for await (const r of exporter.run()) results.push(r);
  return results;
}

const EMU = { seed: 5, conversations: 20, transcodeMs: 0, audioBytes: { min: 1000, max: 2000 } };

test('delivered files are 0600 and folders 0700; --file-mode/--dir-mode change that', async (t) => {
  const { emu } = await startTestEmulator(t, EMU);
  const dir = await tempWorkdir(t, 'gt-modes-');
  const results = await exportAll(emu, join(dir, 'out'));
  assert.ok(
    results.every((r) => r.status !== 'failed'),
    JSON.stringify(results.map((r) => r.reason)),
  );
  assert.deepEqual(await modes(join(dir, 'out')), { files: new Set([0o600]), dirs: new Set([0o700]) });

  const wider = await exportAll(emu, join(dir, 'out2'), { outputFileMode: 0o640, outputDirMode: 0o750 });
  assert.ok(wider.every((r) => r.status !== 'failed'));
  assert.deepEqual(await modes(join(dir, 'out2')), { files: new Set([0o640]), dirs: new Set([0o750]) });
});

test('a symlink inside the output tree is refused (UNSAFE_NAME); nothing lands outside --out', async (t) => {
  const { emu } = await startTestEmulator(t, EMU);
  const dir = await tempWorkdir(t, 'gt-symlink-');
  const out = join(dir, 'out');
  const outside = join(dir, 'outside');
  await mkdir(outside);
  // Every conversation of the emulator's week lands under out/<year>: make that a link.
  const year = emu.interval.slice(0, 4);
  await mkdir(out, { recursive: true });
  await symlink(outside, join(out, year));
  const results = await exportAll(emu, out, { media: false });
  assert.ok(results.length > 0);
  for (const r of results) {
    assert.equal(r.status, 'failed');
    assert.equal(r.errorCode, 'UNSAFE_NAME');
    assert.match(r.reason!, new RegExp(`symlink inside the export folder: ${year}`));
  }
  assert.deepEqual(await readdir(outside), [], 'nothing written through the link');
});

test('a busy --metrics-port is a one-line usage error, exit 2', async (t) => {
  const { emu } = await startTestEmulator(t, EMU);
  const dir = await tempWorkdir(t, 'gt-metrics-');
  const busy = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => busy.close(() => r())));
  const port = (busy.address() as AddressInfo).port;
  const run = await runCli(emu, [
    '--conversation',
    emu.dataset.conversationIds()[0]!,
    '--out',
    join(dir, 'out'),
    '--metrics-port',
    String(port),
  ]);
  assert.equal(run.code, 2, run.stderr);
  assert.equal(
    run.stderr.trim(),
    `genesys-transcripts: --metrics-port ${port}: the port is already in use on 127.0.0.1; pick another (0 = any free port) [USAGE]`,
  );
});

test('printable(): control characters escaped, long strings cut with their length', () => {
  assert.equal(printable('a\u001b]0;x\u0007b'), 'a\\u001b]0;x\\u0007b');
  const long = printable(`id-${'x'.repeat(70_000)}`);
  assert.ok(long.length < 240, `${long.length} chars`);
  assert.match(long, /…\[70003 chars\]$/);
  assert.equal(printable('\u202eevil', 3), '\\u202eev…[5 chars]');
});

test('a 70,000-character conversation ID from the API: the CLI prints it cut and escaped', async (t) => {
  const { emu } = await startTestEmulator(t, { ...EMU, mediaMix: { voice: 0.5, chat: 0.5 } });
  const dir = await tempWorkdir(t, 'gt-longid-');
  // Variant 16: the first conversation of the page gets the 70,000-character ID.
  emu.scriptFault({ route: 'analytics.details.query', count: 1, fault: 'hostile-id', variant: 16 });
  const from = emu.interval.split('/')[0]!;
  const to = new Date(Date.parse(from) + 86_400_000).toISOString();
  const run = await runCli(emu, ['--from', from, '--to', to, '--out', join(dir, 'out')]);
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stdout, /failed gt-escape-\w+-x{100,}…\[7\d{4} chars\]/);
  const longest = Math.max(...`${run.stdout}\n${run.stderr}`.split('\n').map((l) => l.length));
  // Log lines carry it cut at 1,000 characters, the summary at 200.
  assert.ok(longest < 4000, `a ${longest}-character line reached the terminal`);
  assert.equal(forbiddenCharIn(run.stdout + run.stderr), undefined);
});

test('log lines (stderr) carry outside strings escaped and cut; redaction and toJSON still apply', async () => {
  const { createLogger } = await import('../../src/observe/logger.ts');
  const { Capture } = await import('../faults/lib/logs.ts');
  const logs = new Capture();
  const log = createLogger({ level: 'info', destination: logs });
  log.warn(
    {
      conversationId: `\u001b]0;t\u0007${'y'.repeat(3000)}`,
      reason: 'bidi \u202e C1 \u009b',
      token: 'abc',
      when: new Date(0),
    },
    'conversation failed \u001b[2J',
  );
  const line = logs.text();
  assert.equal(forbiddenCharIn(line), undefined, line.slice(0, 200));
  assert.ok(line.length < 1600, `${line.length} characters`);
  const entry = JSON.parse(line) as Record<string, string>;
  assert.match(entry.conversationId!, /^\\u001b\]0;t\\u0007y+…\[3006 chars\]$/);
  assert.equal(entry.reason, 'bidi \\u202e C1 \\u009b');
  assert.equal(entry.token, '[redacted]');
  assert.equal(entry.when, '1970-01-01T00:00:00.000Z');
  assert.equal(entry.msg, 'conversation failed \\u001b[2J');
});
