// State belongs to the destination: two folders from one working directory both get everything;
// a deleted folder or file is restored by the next run, and nothing else is touched; changed
// output settings re-export; --force re-exports; verify finds a flipped byte and --repair fixes it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connectionArgs, startTestEmulator, tempWorkdir } from '../helpers/emulator.ts';
import { cli, exportCli, tree } from './cli.ts';

const summaryOf = (stdout: string) =>
  JSON.parse(stdout) as { conversations: Record<string, number>; files: number };

test('two folders from one working directory each hold every conversation; deleted folders and files come back, nothing else is rewritten', async (t) => {
  const { emu } = await startTestEmulator(t, { conversations: 30, seed: 21, rateLimit: null });
  const cwd = await tempWorkdir(t, 'gt-dest-');
  const ids = emu.dataset.conversationIds();

  const a = await exportCli(emu, ['--out', './export'], cwd);
  assert.equal(a.code, 0, a.stderr);
  const b = await exportCli(emu, ['--out', '../' + cwd.split('/').pop() + '/other'], cwd);
  assert.equal(b.code, 0, b.stderr);
  const sa = summaryOf(a.stdout);
  const sb = summaryOf(b.stdout);
  assert.equal(sa.conversations.done, ids.length);
  assert.equal(sb.conversations.done, ids.length, 'the second folder is a new destination: a full export');
  assert.equal(sb.conversations.alreadyExported, 0);
  const treeA = await tree(join(cwd, 'export'));
  const treeB = await tree(join(cwd, 'other'));
  const manifestsA = [...treeA.keys()].filter((k) => k.endsWith('manifest.json'));
  assert.equal(manifestsA.length, ids.length);
  const dataOnly = (m: Map<string, string>) => [...m].filter(([k]) => !k.endsWith('manifest.json'));
  assert.deepEqual(dataOnly(treeB), dataOnly(treeA), 'both folders hold the same files');

  // Damage ./export: one conversation folder deleted, one file of another conversation deleted.
  const folders = manifestsA.map((m) => m.slice(0, -'/manifest.json'.length));
  const goneFolder = folders[0]!;
  const [fileOwner, goneFile] = [...treeA.keys()]
    .filter((k) => !k.startsWith(goneFolder) && /recordings\/.*\.wav$/.test(k))
    .map((k) => [k.slice(0, k.indexOf('/recordings/')), k] as const)[0]!;
  await rm(join(cwd, 'export', goneFolder), { recursive: true });
  await rm(join(cwd, 'export', goneFile));
  const again = await exportCli(emu, ['--out', './export'], cwd);
  assert.equal(again.code, 0, again.stderr);
  const s = summaryOf(again.stdout);
  assert.equal(s.conversations.done, 2, 'exactly the two damaged conversations were exported again');
  assert.equal(s.conversations.alreadyExported, ids.length - 2);
  const restored = await tree(join(cwd, 'export'));
  assert.deepEqual(dataOnly(restored), dataOnly(treeA), 'the folder and the file are back, byte for byte');
  for (const [k, sha] of treeA) {
    if (k.endsWith('manifest.json') && !k.startsWith(goneFolder))
      assert.equal(restored.get(k), sha, `${k} untouched (its folder was not re-delivered)`);
  }
  assert.equal(restored.has(`${fileOwner}/manifest.json`), true);

  // Changed output settings: a new delivery for every conversation, in the same folder.
  const srt = await exportCli(emu, ['--out', './export', '--formats', 'json,srt'], cwd);
  assert.equal(srt.code, 0, srt.stderr);
  assert.equal(summaryOf(srt.stdout).conversations.done, ids.length);
  const withSrt = [...(await tree(join(cwd, 'export'))).keys()];
  assert.ok(withSrt.some((k) => k.endsWith('.srt')));
  assert.ok(!withSrt.some((k) => k.endsWith('.vtt') || k.endsWith('.txt')), 'dropped formats are gone');

  // --force: the same settings, re-exported anyway.
  const forced = await exportCli(emu, ['--out', './export', '--formats', 'json,srt', '--force'], cwd);
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal(summaryOf(forced.stdout).conversations.done, ids.length);
  const same = await exportCli(emu, ['--out', './export', '--formats', 'json,srt'], cwd);
  assert.equal(summaryOf(same.stdout).conversations.alreadyExported, ids.length, 'the same command resumes');
});

test('verify reports a flipped byte and a deleted folder; --repair fixes both', async (t) => {
  const { emu } = await startTestEmulator(t, { conversations: 30, seed: 22, rateLimit: null });
  const cwd = await tempWorkdir(t, 'gt-verify-');
  const out = join(cwd, 'export');
  const first = await exportCli(emu, ['--out', out]);
  assert.equal(first.code, 0, first.stderr);
  const before = await tree(out);

  const clean = await cli(['verify', out]);
  assert.equal(clean.code, 0, clean.stdout + clean.stderr);
  assert.match(clean.stdout, /^30 conversations, \d+ files checked\naudit log: OK, \d+ entries\nOK\n$/);

  const wav = [...before.keys()].find((k) => k.endsWith('.wav'))!;
  const bytes = await readFile(join(out, wav));
  bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
  await writeFile(join(out, wav), bytes);
  const goneFolder = [...before.keys()]
    .filter((k) => k.endsWith('manifest.json') && !wav.startsWith(k.slice(0, -13)))[0]!
    .slice(0, -'/manifest.json'.length);
  await rm(join(out, goneFolder), { recursive: true });

  const bad = await cli(['verify', out]);
  assert.equal(bad.code, 1, bad.stdout);
  assert.match(
    bad.stdout,
    new RegExp(
      `${wav
        .replace(/\//g, '\\/')
        .replace(/\./g, '\\.')
        .replace(/^(.*)\\\/(recordings.*)$/, '$1 \\(.*\\): $2')}: sha256`,
    ),
  );
  assert.match(bad.stdout, new RegExp(`${goneFolder} \\(.*\\): manifest-missing`));
  assert.match(bad.stdout, /NOT OK: 2 problem\(s\)/);

  const repaired = await cli(['verify', out, '--repair', ...connectionArgs(emu)], {
    env: { GENESYSCLOUD_OAUTHCLIENT_SECRET: emu.clientSecret },
  });
  assert.equal(repaired.code, 0, repaired.stdout + repaired.stderr);
  assert.match(repaired.stderr, /repair: 2 conversation\(s\) exported again, 0 failed/);
  assert.match(repaired.stdout, /OK\n$/);
  const after = await tree(out);
  assert.equal(after.get(wav), before.get(wav), 'the flipped byte is fixed');
  for (const [k, sha] of before)
    if (!k.endsWith('manifest.json') || !k.startsWith(goneFolder)) assert.equal(after.get(k), sha, k);
});

test('a new webhook URL is a new destination: it gets every conversation, the folder and the old webhook get nothing again', async (t) => {
  const { emu } = await startTestEmulator(t, { conversations: 30, seed: 23, rateLimit: null });
  const { startWebhookReceiver } = await import('../helpers/webhook-receiver.ts');
  const a = await startWebhookReceiver();
  const b = await startWebhookReceiver({ secret: a.secret });
  t.after(() => Promise.all([a.close(), b.close()]));
  const out = join(await tempWorkdir(t, 'gt-dest-hook-'), 'export');
  const [from, to] = emu.interval.split('/');
  const run = (url: string) =>
    cli(
      [
        'export',
        ...connectionArgs(emu),
        '--from',
        from!,
        '--to',
        to!,
        '--json',
        '--out',
        out,
        '--sink',
        `webhook:${url}`,
      ],
      {
        env: { GENESYSCLOUD_OAUTHCLIENT_SECRET: emu.clientSecret, GT_WEBHOOK_SECRET: a.secret },
      },
    );
  const first = await run(a.url);
  assert.equal(first.code, 0, first.stderr);
  const delivered = a.conversations.size;
  assert.equal(delivered, summaryOf(first.stdout).conversations.done);
  const folder = await tree(out);

  const second = await run(b.url);
  assert.equal(second.code, 0, second.stderr);
  assert.equal(b.conversations.size, delivered, 'the new webhook gets every conversation');
  assert.equal(a.received.length, delivered, 'the old webhook gets nothing again');
  assert.deepEqual(await tree(out), folder, 'the folder is not rewritten');
  const again = await run(b.url);
  assert.equal(summaryOf(again.stdout).conversations.alreadyExported, 30);
  assert.equal(b.received.length, delivered);
});
