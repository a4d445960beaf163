// The state folder under tampering and loss (issue 15's checkpoint/audit cases, fault-campaign
// style): the audit log's tail cut at seeded points is reported with the first missing sequence
// number, by verify-audit and by the next export; a missing, emptied or corrupted checkpoint is a
// one-line CHECKPOINT error (the run is refused unless --force); two exports on one state folder:
// the second is refused naming the holder and the audit log verifies afterwards; a dead holder's
// lock is taken over; state is created 0700/0600.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../src/emulator/random.ts';
import { Exporter } from '../../src/pipeline/exporter.ts';
import { startTestEmulator, tempWorkdir, configFor } from '../helpers/emulator.ts';
import { cli, exportCli } from '../runs/cli.ts';

const oneErrorLine = (stderr: string, pattern: RegExp) => {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, stderr);
  assert.match(lines[0]!, pattern);
};

test('audit log tail cut at seeded points: verify-audit and the next export name the first missing seq; --force carries on', async (t) => {
  const { emu } = await startTestEmulator(t, { conversations: 12, seed: 41, rateLimit: null });
  const rng = new Rng(4115);
  for (let round = 0; round < 3; round += 1) {
    const out = join(await tempWorkdir(t, 'gt-audit-cut-'), 'export');
    const audit = join(out, '.genesys-transcripts', 'audit.jsonl');
    let summary: { audit: { entries: number; lastHash: string } } | undefined;
    for (let run = 0; run < 2; run += 1) {
      const r = await exportCli(emu, ['--out', out]);
      assert.equal(r.code, 0, r.stderr);
      summary = JSON.parse(r.stdout);
    }
    const lines = (await readFile(audit, 'utf8')).split('\n').filter(Boolean);
    // The run summary anchors the log too: its length and last hash at the run's end.
    assert.deepEqual(summary!.audit, { entries: lines.length, lastHash: JSON.parse(lines.at(-1)!).hash });
    const keep = rng.int(1, lines.length - 1); // 1 … n-1 entries remain
    await writeFile(audit, `${lines.slice(0, keep).join('\n')}\n`);

    const v = await cli(['verify-audit', audit, '--json']);
    assert.equal(v.code, 1, v.stdout);
    const r = JSON.parse(v.stdout) as { ok: boolean; firstMissingSeq: number; reason: string };
    assert.equal(r.firstMissingSeq, keep + 1, `round ${round}: cut after ${keep} of ${lines.length}`);
    assert.match(r.reason, new RegExp(`entries from seq ${keep + 1} are missing`));
    const text = await cli(['verify-audit', audit]);
    assert.match(
      text.stdout,
      new RegExp(
        `^line ${keep + 1}: truncated: the log ends at seq ${keep} but the checkpoint recorded seq ${lines.length}`,
      ),
    );

    const refused = await exportCli(emu, ['--out', out]);
    assert.equal(refused.code, 1);
    oneErrorLine(
      refused.stderr,
      new RegExp(
        `ends at seq ${keep} .* entries from seq ${keep + 1} are missing; run verify-audit, and --force to carry on \\[AUDIT_TAMPERED\\]`,
      ),
    );

    const forced = await exportCli(emu, ['--out', out, '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    const after = await cli(['verify-audit', audit]);
    assert.equal(after.code, 0, after.stdout);
    assert.match(await readFile(audit, 'utf8'), /"reason":"truncated-tail"/, 'the recovery is in the chain');
  }
});

test('a deleted or emptied checkpoint with an audit log is refused unless --force; a corrupt page is one CHECKPOINT line', async (t) => {
  const { emu } = await startTestEmulator(t, { conversations: 12, seed: 42, rateLimit: null });
  const out = join(await tempWorkdir(t, 'gt-ckpt-'), 'export');
  const state = join(out, '.genesys-transcripts');
  const db = join(state, 'checkpoint.db');
  assert.equal((await exportCli(emu, ['--out', out])).code, 0);

  // State is private: folder 0700, checkpoint and audit log 0600.
  assert.equal((await stat(state)).mode & 0o777, 0o700);
  assert.equal((await stat(db)).mode & 0o777, 0o600);
  assert.equal((await stat(join(state, 'audit.jsonl'))).mode & 0o777, 0o600);

  for (const damage of ['deleted', 'emptied'] as const) {
    if (damage === 'deleted') await rm(db);
    else await writeFile(db, '');
    emu.resetStats();
    const r = await exportCli(emu, ['--out', out]);
    assert.equal(r.code, 1, `${damage}: ${r.stderr}`);
    oneErrorLine(
      r.stderr,
      /checkpoint\.db is missing or empty but .*audit\.jsonl records earlier runs: restore the checkpoint from a backup, or re-run with --force .*\[CHECKPOINT\]/,
    );
    assert.deepEqual(Object.keys(emu.stats().requests), [], 'refused before any request');
  }
  const forced = await exportCli(emu, ['--out', out, '--force']);
  assert.equal(forced.code, 0, forced.stderr);

  // A page in the middle of the file overwritten: found on open by quick_check, one line.
  const fh = await open(db, 'r+');
  const size = (await fh.stat()).size;
  assert.ok(size >= 3 * 4096, `checkpoint has several pages (${size} bytes)`);
  await fh.write(Buffer.alloc(4096, 0xa5), 0, 4096, 4096 * Math.floor(size / 4096 / 2));
  await fh.close();
  await rm(`${db}-wal`, { force: true });
  await rm(`${db}-shm`, { force: true });
  const corrupt = await exportCli(emu, ['--out', out]);
  assert.equal(corrupt.code, 1, corrupt.stderr);
  oneErrorLine(
    corrupt.stderr,
    /checkpoint\.db is not a usable checkpoint database: the file is damaged .*\[CHECKPOINT\]$/,
  );
  const status = await cli(['status', '--out', out]);
  oneErrorLine(status.stderr, /the file is damaged .*\[CHECKPOINT\]$/);
});

test('two exports on one state folder: the second is refused naming the holder, the audit log verifies; a dead holder is taken over', async (t) => {
  const { emu } = await startTestEmulator(t, { conversations: 20, seed: 43, rateLimit: null });
  const out = join(await tempWorkdir(t, 'gt-lock-'), 'export');
  const exporter = new Exporter(
    { selection: { interval: emu.interval }, outDir: out, concurrency: 1 },
    { config: configFor(emu) },
  );
  const run = exporter.run();
  const first = await run.next(); // the first run holds the lock and is mid-way
  assert.equal(first.done, false);

  const second = await exportCli(emu, ['--out', out]);
  assert.equal(second.code, 2, second.stderr);
  oneErrorLine(
    second.stderr,
    new RegExp(
      `is in use by another export \\(pid ${process.pid} on ${hostname()}, started \\d{4}-\\d\\d-\\d\\dT[^)]+\\); wait for it to finish, or remove .*lock if that process is gone \\[STATE_LOCKED\\]`,
    ),
  );
  const during = await cli(['status', '--out', out]);
  assert.match(
    during.stdout,
    /run_[0-9a-f-]+ running\n/,
    'status tells a running export from an interrupted one',
  );
  for (let step = await run.next(); !step.done; step = await run.next());
  assert.equal(exporter.summary().conversations.failed, 0);
  const audit = join(out, '.genesys-transcripts', 'audit.jsonl');
  const verified = await cli(['verify-audit', audit]);
  assert.equal(verified.code, 0, verified.stdout);
  assert.equal(existsSync(join(out, '.genesys-transcripts', 'lock')), false, 'released at the end');

  // A lock left by a process that no longer exists (kill -9) is taken over.
  const dead = spawnSync(process.execPath, ['-e', '']).pid!;
  await writeFile(
    join(out, '.genesys-transcripts', 'lock'),
    JSON.stringify({ pid: dead, host: hostname(), startedAt: '2026-01-01T00:00:00.000Z' }),
  );
  const after = await exportCli(emu, ['--out', out]);
  assert.equal(after.code, 0, after.stderr);
  assert.equal(existsSync(join(out, '.genesys-transcripts', 'lock')), false);
  assert.equal((await cli(['verify-audit', audit])).code, 0);
});
