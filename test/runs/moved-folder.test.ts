// An export folder carries its state (<out>/.genesys-transcripts), and the checkpoint names the
// folder's own deliveries relative to it: after `mv export export2` a re-run with --out export2
// finds everything already exported and fetches nothing, `--since last` goes on, and a copy of the
// folder is checked against its own files (a conversation deleted from the copy is reported and
// restored). Checkpoints written by earlier versions, keyed by the absolute path, are adopted.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { connectionArgs, startTestEmulator, tempWorkdir } from '../helpers/emulator.ts';
import { destinationKey } from '../../src/pipeline/incremental.ts';
import { CheckpointStore } from '../../src/pipeline/checkpoint.ts';
import { adoptHome, HOME_FS_SINK } from '../../src/pipeline/home.ts';
import { cli, exportCli, tree } from './cli.ts';
import type { RunningEmulator } from '../../src/emulator/index.ts';

interface Summary {
  conversations: Record<string, number>;
  files: number;
  bytes: number;
}
const summaryOf = (stdout: string) => JSON.parse(stdout) as Summary;

const conversationFolders = async (out: string) =>
  [...(await tree(out)).keys()]
    .filter((k) => k.endsWith('/manifest.json'))
    .map((k) => k.slice(0, -'/manifest.json'.length));

/** Media and transcript downloads the emulator served: what a re-export would fetch again. */
const downloads = (emu: RunningEmulator) => emu.stats().bytesServed;

/** A fresh emulator and working folder, exported once into ./export (checked whole). */
async function exportedOnce(t: TestContext, seed: number, conversations: number) {
  const { emu } = await startTestEmulator(t, { conversations, seed, rateLimit: null });
  const cwd = await tempWorkdir(t, 'gt-moved-');
  const n = emu.dataset.conversationIds().length;
  const first = await exportCli(emu, ['--out', 'export'], cwd);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(summaryOf(first.stdout).conversations.done, n);
  return { emu, cwd, n };
}

function sinceLast(emu: RunningEmulator, out: string, cwd: string) {
  return cli(['export', ...connectionArgs(emu), '--out', out, '--since', 'last', '--json'], {
    cwd,
    env: { GENESYSCLOUD_OAUTHCLIENT_SECRET: emu.clientSecret },
  });
}

function verifyCli(emu: RunningEmulator, dir: string, cwd: string, repair = false) {
  return cli(['verify', dir, ...(repair ? ['--repair', ...connectionArgs(emu)] : [])], {
    cwd,
    env: { GENESYSCLOUD_OAUTHCLIENT_SECRET: emu.clientSecret },
  });
}

test('a moved export folder is the same destination; a copy verifies against its own files', async (t) => {
  const { emu, cwd, n } = await exportedOnce(t, 31, 16);
  const files = await tree(join(cwd, 'export'));

  await rename(join(cwd, 'export'), join(cwd, 'export2'));
  const served = downloads(emu);
  const moved = await exportCli(emu, ['--out', 'export2'], cwd);
  assert.equal(moved.code, 0, moved.stderr);
  const s = summaryOf(moved.stdout);
  assert.equal(s.conversations.alreadyExported, n, 'the moved folder is the same destination');
  assert.equal(s.conversations.done, 0);
  assert.equal(s.files, 0);
  assert.equal(downloads(emu), served, 'nothing fetched again');
  assert.deepEqual(await tree(join(cwd, 'export2')), files, 'nothing rewritten');
  // Scheduled runs go on where the last run to this destination ended.
  const next = await sinceLast(emu, 'export2', cwd);
  assert.equal(next.code, 0, next.stderr);
  const verified = await verifyCli(emu, 'export2', cwd);
  assert.equal(verified.code, 0, verified.stdout + verified.stderr);
  assert.match(verified.stdout, new RegExp(`^${n} conversations, \\d+ files checked\\n`));

  // A copy: one conversation deleted from it is reported, the original is untouched.
  await cp(join(cwd, 'export2'), join(cwd, 'copy'), { recursive: true });
  const gone = (await conversationFolders(join(cwd, 'copy')))[0]!;
  await rm(join(cwd, 'copy', gone), { recursive: true });
  const bad = await verifyCli(emu, 'copy', cwd);
  assert.equal(bad.code, 1, bad.stdout + bad.stderr);
  assert.match(bad.stdout, new RegExp(`^${gone} \\(.*\\): manifest-missing$`, 'm'));
  assert.match(bad.stdout, /NOT OK: 1 problem\(s\)/);
  assert.equal((await verifyCli(emu, 'export2', cwd)).code, 0, 'the original still verifies');

  // --repair brings it back into the copy, byte for byte (manifests carry their export time).
  const repaired = await verifyCli(emu, 'copy', cwd, true);
  assert.equal(repaired.code, 0, repaired.stdout + repaired.stderr);
  assert.match(repaired.stderr, /repair: 1 conversation\(s\) exported again, 0 failed/);
  const dataOnly = (m: Map<string, string>) => [...m].filter(([k]) => !k.endsWith('manifest.json'));
  assert.deepEqual(dataOnly(await tree(join(cwd, 'copy'))), dataOnly(files));

  // Deleted from the copy again: a plain re-run of the export restores it too, and only it.
  await rm(join(cwd, 'copy', gone), { recursive: true });
  const rerun = await exportCli(emu, ['--out', 'copy'], cwd);
  assert.equal(rerun.code, 0, rerun.stderr);
  assert.equal(summaryOf(rerun.stdout).conversations.done, 1);
  assert.equal(summaryOf(rerun.stdout).conversations.alreadyExported, n - 1);
  assert.deepEqual(dataOnly(await tree(join(cwd, 'copy'))), dataOnly(files));
  assert.deepEqual(dataOnly(await tree(join(cwd, 'export2'))), dataOnly(files));
});

/** The checkpoint as versions before relative keys wrote it: sinks absolute, receipts without a path. */
function makeLegacy(checkpoint: string, root: string): void {
  const db = new DatabaseSync(checkpoint);
  try {
    const rows = db.prepare(`SELECT conversation_id, sink, receipt FROM deliveries`).all() as {
      conversation_id: string;
      sink: string;
      receipt: string;
    }[];
    const update = db.prepare(
      `UPDATE deliveries SET sink = ?, receipt = ? WHERE conversation_id = ? AND sink = ?`,
    );
    for (const r of rows) {
      const [type, rest] = [r.sink.slice(0, r.sink.indexOf(':')), r.sink.slice(r.sink.indexOf(':') + 1)];
      assert.equal(rest, '.', `the folder's own sinks are keyed relative to it: ${r.sink}`);
      const { path, ...receipt } = JSON.parse(r.receipt) as { path?: string; location: string };
      assert.ok(path && !path.startsWith('/'), 'receipts carry a path relative to the folder');
      update.run(
        `${type}:${root}`,
        JSON.stringify({ ...receipt, location: join(root, path) }),
        r.conversation_id,
        r.sink,
      );
    }
    db.prepare(`DELETE FROM meta WHERE key LIKE 'home.%'`).run();
    const legacyKey = destinationKey([`fs:${root}`, `review:${root}`]);
    db.prepare(`UPDATE runs SET params = json_set(params, '$.destinationKey', ?)`).run(legacyKey);
  } finally {
    db.close();
  }
}

test('a checkpoint keyed by the absolute path (older versions) is adopted after a move', async (t) => {
  const { emu, cwd, n } = await exportedOnce(t, 32, 12);
  makeLegacy(join(cwd, 'export', '.genesys-transcripts', 'checkpoint.db'), join(cwd, 'export'));
  await rename(join(cwd, 'export'), join(cwd, 'moved'));

  // verify reads the older form without changing it: a deleted folder of the moved copy is found.
  const gone = (await conversationFolders(join(cwd, 'moved')))[0]!;
  const kept = join(cwd, 'kept');
  await cp(join(cwd, 'moved', gone), kept, { recursive: true });
  await rm(join(cwd, 'moved', gone), { recursive: true });
  const bad = await verifyCli(emu, 'moved', cwd);
  assert.equal(bad.code, 1, bad.stdout + bad.stderr);
  assert.match(bad.stdout, new RegExp(`^${gone} \\(.*\\): manifest-missing$`, 'm'));
  await cp(kept, join(cwd, 'moved', gone), { recursive: true });
  assert.equal((await verifyCli(emu, 'moved', cwd)).code, 0);

  const served = emu.stats().bytesServed;
  const again = await exportCli(emu, ['--out', 'moved'], cwd);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(summaryOf(again.stdout).conversations.alreadyExported, n);
  assert.equal(emu.stats().bytesServed, served, 'nothing fetched again');
  const next = await sinceLast(emu, 'moved', cwd);
  assert.equal(next.code, 0, `--since last finds the runs recorded under the old key: ${next.stderr}`);
  assert.deepEqual(await readdir(cwd).then((d) => d.sort()), ['kept', 'moved']);
});

test('once adopted, an absolute fs sink is another destination, never taken for the folder itself', async (t) => {
  const dir = await tempWorkdir(t, 'gt-moved-unit-');
  const store = CheckpointStore.open(join(dir, 'checkpoint.db'));
  t.after(() => store.close());
  adoptHome(store, join(dir, 'export')); // a new state: nothing to adopt
  // Only a `--sink fs:/mirror` delivery is recorded (the folder's own were all forgotten).
  store.recordDelivery('c1', 'fs:/mirror', 'd1', {
    location: '/mirror/2026/11/30/c1',
    path: '2026/11/30/c1',
  });
  adoptHome(store, join(dir, 'export'));
  assert.deepEqual(store.sinkNames(), ['fs:/mirror']);
  store.recordDelivery('c1', HOME_FS_SINK, 'd1', { path: '2026/11/30/c1' });
  assert.deepEqual(store.sinkNames(), ['fs:.', 'fs:/mirror']);
});
