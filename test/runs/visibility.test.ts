// Visible when unattended: off a terminal a progress line (count, rate, ETA) on a timer; the
// summary says "…and N more" when it cuts a list; --no-redact is announced at start, in the
// summary, in every manifest and in status.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createLineProgress } from '../../src/observe/progress.ts';
import { startTestEmulator, tempWorkdir, connectionArgs } from '../helpers/emulator.ts';
import { listFiles } from '../helpers/export.ts';
import { cli } from './cli.ts';

test('off a terminal: a progress line with count, failures, bytes, rate and ETA; nothing when nothing moved', () => {
  const stream = new PassThrough();
  let written = '';
  stream.on('data', (d: Buffer) => (written += d));
  let now = 1_000_000;
  const view = createLineProgress(stream, { everyMs: 0, now: () => now });
  view.tick();
  assert.equal(written, '', 'nothing before the first update');
  now += 120_000; // 2 minutes in: 30 of 90 done → 15/min, 60 left → 4 minutes
  view.update({ discovered: 90, finished: 30, failed: 2, bytes: 5 * 1024 * 1024, rateLimited: 7 });
  view.tick();
  assert.equal(
    written,
    'progress: 30/90 conversations, 2 failed, 5.0 MB, 15/min, ETA 4m00s (of those discovered so far), 7 429s\n',
  );
  view.tick();
  assert.equal((written as string).split('\n').length, 2, 'an unchanged snapshot is not repeated');
  view.stop();
});

test('--no-redact is announced at start, in the summary, in every manifest and in status; long lists end in "…and N more"', async (t) => {
  const { emu } = await startTestEmulator(t, { conversations: 30, seed: 51, rateLimit: null });
  const out = join(await tempWorkdir(t, 'gt-visible-'), 'export');
  const env = { GENESYSCLOUD_OAUTHCLIENT_SECRET: emu.clientSecret };
  const [from, to] = emu.interval.split('/');
  const r = await cli(
    ['export', ...connectionArgs(emu), '--from', from!, '--to', to!, '--out', out, '--no-redact'],
    { env },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stderr.split('\n')[0]!,
    /^\*\*\* WARNING: --no-redact: transcripts are written WITHOUT PII redaction/,
  );
  assert.match(r.stdout.split('\n')[0]!, /^\*\*\* WARNING: --no-redact/);
  assert.match(r.stdout, /skipped conversations:\n {2}no-files: \d+\n/);
  // The count line says those no-files conversations are among the exported ones.
  const noFiles = /\n {2}no-files: (\d+)\n/.exec(r.stdout)![1];
  assert.match(
    r.stdout,
    new RegExp(`\\d+ exported \\(${noFiles} with nothing but their manifest: no-files\\), `),
  );
  assert.match(r.stdout, /skipped files inside exported conversations:\n {2}recording \w+/);
  const manifests = (await listFiles(out)).filter((f) => f.endsWith('manifest.json'));
  assert.equal(manifests.length, 30);
  for (const m of manifests) {
    const manifest = JSON.parse(await readFile(m, 'utf8'));
    assert.equal(manifest.redaction.applied, false);
    assert.match(manifest.warning, /^NOT REDACTED: exported with --no-redact/);
  }
  const status = await cli(['status', '--out', out]);
  assert.match(status.stdout, / finished \(NOT REDACTED\)\n/);

  // 25 IDs Genesys does not know: 20 listed, then the rest counted.
  const unknown = Array.from(
    { length: 25 },
    (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  );
  const f = await cli(['export', ...connectionArgs(emu), '--out', out, '--conversation', ...unknown], {
    env,
  });
  assert.equal(f.code, 1, f.stderr);
  assert.equal((f.stdout.match(/^ {2}failed /gm) ?? []).length, 20);
  assert.match(f.stdout, /\n {2}…and 5 more \(status lists them\)\n/);
});
