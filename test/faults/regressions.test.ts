// Bugs the fault campaign found, each pinned by a focused test (the campaign itself is random;
// these fail deterministically if a fix regresses).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.ts';
import { isGtError, isNoSpace } from '../../src/errors.ts';
import { AuditLog } from '../../src/pipeline/audit.ts';
import { CheckpointStore } from '../../src/pipeline/checkpoint.ts';
import { Exporter } from '../../src/pipeline/exporter.ts';
import { cleanText } from '../../src/pipeline/transform/text.ts';
import { createFsSink } from '../../src/sinks/fs.ts';
import { safeName } from '../../src/util/safe-name.ts';
import { Capture } from './lib/logs.ts';
import { listFiles, verifyExport } from './lib/oracle.ts';
import { assertContained, configFor, exportInProcess, workspace, type Workspace } from './lib/run.ts';
import { runCli } from './lib/cli.ts';

async function setup(t: import('node:test').TestContext, options: Parameters<typeof startEmulator>[0] = {}) {
  const emu = await startEmulator({
    seed: 31,
    conversations: 100,
    mediaMix: { voice: 1 },
    audioBytes: { min: 2000, max: 8000 },
    transcodeMs: 50,
    rateLimit: { perWindow: 50_000 },
    ...options,
  });
  const ws = await workspace('gt-regress-');
  t.after(async () => {
    await emu.close();
    await rm(ws.root, { recursive: true, force: true });
  });
  return { emu, ws };
}

/** A voice conversation with an available recording and a transcript. */
function transcribed(emu: RunningEmulator, n = 1): string[] {
  return emu.dataset
    .conversationIds()
    .filter((id) => {
      const r = emu.dataset.recordings(id)[0];
      return r?.fileState === 'AVAILABLE' && emu.dataset.transcript(id, r.sessionId!) !== undefined;
    })
    .slice(0, n);
}

async function exportIds(emu: RunningEmulator, ws: Workspace, ids: string[], conversationAttempts = 2) {
  const exporter = new Exporter(
    {
      selection: { conversationIds: ids },
      outDir: ws.out,
      stateDir: ws.state,
      formats: ['json', 'txt'],
      concurrency: 1,
      conversationAttempts,
    },
    { config: configFor(emu) },
  );
  const results = [];
  for await (const r of exporter.run()) results.push(r);
  return results;
}

test('a transcript body that breaks off is fetched again with a fresh URL; three breaks are a typed NETWORK failure', async (t) => {
  const { emu, ws } = await setup(t);
  const [id] = transcribed(emu);
  emu.scriptFault({ route: 'signed.transcript', count: 1, fault: 'reset' });
  emu.scriptFault({ route: 'signed.transcript', count: 1, fault: 'truncate' });
  const [ok] = await exportIds(emu, ws, [id!], 1);
  assert.equal(ok!.status, 'done', `${ok!.errorCode} ${ok!.reason}`);
  await verifyExport(emu, ws.out, { ids: [id!], formats: ['json', 'txt'] });

  // Used to fail as UNEXPECTED "read ECONNRESET" on the first broken body.
  const { emu: emu2, ws: ws2 } = await setup(t);
  emu2.scriptFault({ route: 'signed.transcript', count: 3, fault: 'reset' });
  const [failed] = await exportIds(emu2, ws2, transcribed(emu2), 1);
  assert.equal(failed!.status, 'failed');
  assert.equal(failed!.errorCode, 'NETWORK');
  assert.match(failed!.reason!, /transcript body broke off/);
});

test('an HTML page served where the audio should be is never delivered as the recording', async (t) => {
  const { emu, ws } = await setup(t);
  const [id] = transcribed(emu);
  emu.scriptFault({ route: 'signed.media', count: 1, fault: 'content-type' });
  // One attempt: the conversation fails with a typed code and nothing lands anywhere.
  const [failed] = await exportIds(emu, ws, [id!], 1);
  assert.equal(failed!.status, 'failed', 'used to be "done", with a 160-byte HTML page as the .wav');
  assert.equal(failed!.errorCode, 'INVALID_RESPONSE');
  assert.match(failed!.reason!, /text\/html, not media/);
  assert.deepEqual(
    (await listFiles(ws.root)).filter((f) => /\.(wav|part)$/.test(f)),
    [],
    'no media file, staged or delivered',
  );
  // The next run gets the real bytes.
  emu.scriptFault({ route: 'signed.media', count: 1, fault: 'content-type' });
  const [ok] = await exportIds(emu, ws, [id!]);
  assert.equal(ok!.status, 'done');
  const v = await verifyExport(emu, ws.out, { ids: [id!], formats: ['json', 'txt'] });
  assert.equal(v.recordings, 1);
});

test('a garbled JSON answer to an idempotent API call or to the token request is retried, not fatal', async (t) => {
  const { emu, ws } = await setup(t);
  const ids = transcribed(emu, 3);
  // Discovery by ID (a GET): used to end the whole run with INVALID_RESPONSE.
  emu.scriptFault({ route: 'analytics.details.multiget', count: 1, fault: 'malformed' });
  emu.scriptFault({ route: 'oauth.token', count: 1, fault: 'content-type' });
  // Recording batch status polls (GETs): the recordings lists of old.
  emu.scriptFault({ route: 'batch.get', count: 2, fault: 'malformed' });
  const logs = new Capture();
  const outcome = await exportInProcess(emu, ws, {
    selection: { conversationIds: ids },
    formats: ['json'],
    concurrency: 2,
    logs,
  });
  assert.equal(outcome.runError, undefined, JSON.stringify(outcome.runError));
  assert.equal(outcome.summary!.conversations.done, 3, JSON.stringify(outcome.summary!.failures));
  assert.ok(outcome.summary!.retries >= 3, `${outcome.summary!.retries} retries`);
  assert.deepEqual(emu.stats().faultsInjected, { malformed: 3, 'content-type': 1 });
  await verifyExport(emu, ws.out, { ids, formats: ['json'] });
});

test('zero-width characters cannot hide PII from redaction', async (t) => {
  // The shapes that leaked: "9999<U+200B>99999", "999-99-99<U+200B>99", a spoken digit word with a
  // zero-width space stuck to it. Cleaning takes invisible characters out before anything else.
  assert.equal(cleanText('4111\u200b1111\ufeff 2222\u00ad3333').text, '41111111 22223333');
  assert.equal(cleanText('12\u200d34 \u2060x').text, '1234 x');
  assert.equal(
    cleanText('می\u200cخواهم 👩\u200d💻').text,
    'می\u200cخواهم 👩\u200d💻',
    'joiners inside words stay',
  );

  const { emu, ws } = await setup(t);
  const ids = transcribed(emu, 8);
  emu.scriptFault({ route: 'signed.transcript', count: 8, fault: 'control-chars' });
  const [..._results] = await exportIds(emu, ws, ids);
  assert.equal(emu.stats().faultsInjected['control-chars'], 8);
  // verifyExport checks for planted PII after taking control and format characters out.
  const v = await verifyExport(emu, ws.out, { ids, formats: ['json', 'txt'] });
  assert.equal(v.transcripts, 8);
});

test('a delivery killed mid-copy leaves no temp file behind once the conversation is delivered again', async (t) => {
  const { ws } = await setup(t);
  const sink = createFsSink({ root: ws.out });
  const dir = join(ws.out, '2026', '11', '02', 'c-1');
  // What a SIGKILL during atomicCopy leaves: temp files in the folder and in recordings/.
  await mkdir(join(dir, 'recordings'), { recursive: true });
  await writeFile(join(dir, '.tmp-0123456789ab'), 'half a transcript');
  await writeFile(join(dir, 'recordings', '.tmp-ba9876543210'), 'half a recording');
  const staged = join(ws.state, 'staged.txt');
  await mkdir(ws.state, { recursive: true });
  await writeFile(staged, 'hello');
  const sha256 = createHash('sha256').update('hello').digest('hex');
  await sink.deliver({
    conversationId: 'c-1',
    conversationStart: '2026-11-02T10:00:00.000Z',
    deliveryId: 'gt_test',
    files: [{ name: 'transcript-x.txt', path: staged, size: 5, sha256, contentType: 'text/plain' }],
    manifest: { conversationId: 'c-1' },
  });
  assert.deepEqual((await readdir(dir, { recursive: true })).sort(), [
    '.delivery.json',
    'manifest.json',
    'recordings',
    'transcript-x.txt',
  ]);
});

test('a recording ID that is a path lands under the name the manifest lists (safeName is idempotent)', async (t) => {
  for (const raw of ['/etc/gt-escape-1', '..\\x', 'a~b', 'x'.repeat(300), 'CON', '.hidden', 'émoji-😀', '']) {
    const once = safeName(raw);
    assert.equal(safeName(once), once, `safeName(safeName(${JSON.stringify(raw.slice(0, 20))}))`);
    for (const composed of [`${once}.wav`, `transcript-${once}.json`])
      assert.equal(safeName(composed), composed, 'a safe name with a prefix or an extension stays as it is');
  }
  const { emu, ws } = await setup(t);
  const [id] = transcribed(emu);
  // Variant 4 on a batch status: the first result's recordingId becomes "/etc/gt-escape-…".
  emu.scriptFault({ route: 'batch.get', count: 1, fault: 'hostile-id', variant: 4 });
  const [r] = await exportIds(emu, ws, [id!]);
  assert.equal(r!.status, 'done');
  assert.ok(
    r!.files.some((f) => f.name.includes('gt-escape')),
    'the media file is named after the hostile ID',
  );
  // Used to fail: the sink wrote "recordings/_etc_gt-escape…_<hash>.wav~<hash>" beside a manifest
  // listing "recordings/_etc_gt-escape…~<hash>.wav".
  const v = await verifyExport(emu, ws.out, { ids: [id!], formats: ['json', 'txt'] });
  assert.equal(v.recordings, 1);
});

test('a conversation ID with terminal escapes is printed escaped in the CLI summary, never interpreted', async (t) => {
  const { emu, ws } = await setup(t, { mediaMix: { voice: 0.5, chat: 0.5 } });
  // Variant 12: the first conversation of the page gets "\x1b]0;gt-escape\x07\x1b[2J…" as its ID.
  emu.scriptFault({ route: 'analytics.details.query', count: 1, fault: 'hostile-id', variant: 12 });
  const from = emu.interval.split('/')[0]!;
  const to = new Date(Date.parse(from) + 86_400_000).toISOString();
  const run = await runCli(emu, ['--from', from, '--to', to, '--out', ws.out, '--state-dir', ws.state]);
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stdout, /failed \\u001b\]0;gt-escape\\u0007\\u001b\[2J\w+: USAGE /);
  // eslint-disable-next-line no-control-regex -- the point is that there are none
  assert.doesNotMatch(run.stdout + run.stderr, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  await assertContained(ws);
});

test('a full disk under the state directory is DISK_FULL from the checkpoint and the audit log, not a bare error', async (t) => {
  assert.equal(isNoSpace(Object.assign(new Error('x'), { code: 'ENOSPC' })), true);
  assert.equal(isNoSpace(new Error('ENOENT')), false);
  const { ws } = await setup(t);
  // SQLite answers SQLITE_FULL once the database may not grow: what a full disk does to it.
  const store = CheckpointStore.open(join(ws.state, 'checkpoint.db'));
  t.after(() => store.close());
  (store as unknown as { db: { exec(sql: string): void } }).db.exec('PRAGMA max_page_count = 12');
  const full = (() => {
    try {
      for (let i = 0; i < 5000; i++) store.discovered(`c-${i}-${'x'.repeat(40)}`);
    } catch (err) {
      return err;
    }
    return undefined;
  })();
  // Used to escape as "Error: database or disk is full" and end the CLI with a stack trace.
  assert.ok(isGtError(full, 'DISK_FULL'), String(full));
  assert.match((full as Error).message, /no space left .*checkpoint/);

  // /dev/full answers every write with ENOSPC.
  const audit = await AuditLog.open('/dev/full');
  t.after(() => audit.close().catch(() => undefined));
  await assert.rejects(audit.append('run.start', { runId: 'r1' }), (err: unknown) =>
    isGtError(err, 'DISK_FULL'),
  );
});
