// Recordings end to end against the emulator: a 500 MB download in flat memory, byte-exact files
// through resets/truncations, resume after SIGKILL, expired signed URLs, servers without Range,
// every retention state, and bulk mode's API-call savings.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { fetchConversationRecordings, type RecordingOutcome } from '../../src/pipeline/fetch/recordings.ts';
import { fetchRecordingsBatch } from '../../src/pipeline/fetch/batch.ts';
import { partPathOf } from '../../src/pipeline/fetch/download.ts';
import { recordingFilePath } from '../../src/pipeline/fetch/naming.ts';
import type { EmulatorOptions, RunningEmulator } from '../../src/emulator/index.ts';
import { startTestClient } from '../helpers/emulator.ts';
import { measuredDownload } from './helpers/measure.ts';

const EMULATOR = new URL('../../src/emulator/index.ts', import.meta.url);
const skip = existsSync(EMULATOR) ? false : 'the emulator (src/emulator/index.ts) is not built yet';
const FAST = { baseMs: 5, capMs: 50 };

const setup = (t: TestContext, options: EmulatorOptions) => startTestClient(t, options, 'gt-emu-rec-');

type State = 'AVAILABLE' | 'ARCHIVED' | 'DELETED' | 'ERROR';
/** Conversations whose every recording is voice in `state` (and, for AVAILABLE, transcoding as asked). */
function conversationsWith(emu: RunningEmulator, state: State, transcoding = false): string[] {
  return emu.dataset.conversationIds().filter((cid) => {
    const recs = emu.dataset.recordings(cid);
    return (
      recs.length > 0 &&
      recs.every((r) => r.media === 'audio' && r.fileState === state && r.transcoding === transcoding)
    );
  });
}

function only(out: RecordingOutcome[]): RecordingOutcome {
  assert.equal(out.length, 1, JSON.stringify(out));
  return out[0]!;
}

const apiRequests = (emu: RunningEmulator) =>
  Object.entries(emu.stats().requests)
    .filter(([route]) => !route.startsWith('signed.') && !route.startsWith('oauth'))
    .reduce((n, [, byStatus]) => n + Object.values(byStatus).reduce((a, b) => a + b, 0), 0);

test('a 500 MB recording downloads with flat memory and the oracle sha256', { skip }, async (t) => {
  const { emu, dir } = await setup(t, {
    seed: 11,
    conversations: 20,
    audioBytes: { min: 500e6, max: 500e6 },
    mediaMix: { voice: 1 },
  });
  const cid = conversationsWith(emu, 'AVAILABLE')[0]!;
  // The downloader runs in a process of its own and reports its own peak RSS: the emulator that
  // generates and serves the 500 MB (in this process) is not what is being measured.
  const { result, memory } = await measuredDownload<RecordingOutcome[]>(
    {
      kind: 'recording',
      apiUrl: emu.baseUrl,
      loginUrl: emu.loginUrl,
      clientId: emu.clientId,
      conversationId: cid,
      dir,
    },
    { GENESYSCLOUD_OAUTHCLIENT_SECRET: emu.clientSecret },
  );
  const outcome = only(result);
  assert.equal(outcome.kind, 'downloaded');
  const oracle = emu.dataset.recordings(cid)[0]!;
  if (outcome.kind === 'downloaded') {
    assert.equal(outcome.file.size, 500e6);
    assert.equal(outcome.file.sha256, oracle.sha256);
    assert.equal(outcome.contentType.split(';')[0], 'audio/wav');
    assert.equal((await stat(outcome.file.path)).size, 500e6);
  }
  t.diagnostic(
    `downloader RSS growth ${memory.rssGrowthMb.toFixed(1)} MB (heap ${memory.heapUsedGrowthMb.toFixed(1)}, array buffers ${memory.arrayBuffersGrowthMb.toFixed(1)}, kernel peak ${memory.kernelPeak})`,
  );
  assert.ok(memory.rssGrowthMb < 64, `RSS grew ${memory.rssGrowthMb.toFixed(1)} MB during a 500 MB download`);
});

test('resets and truncations on the signed host still give a byte-identical file', { skip }, async (t) => {
  const { emu, client, dir } = await setup(t, {
    seed: 12,
    conversations: 20,
    audioBytes: { min: 6e6, max: 6e6 },
    mediaMix: { voice: 1 },
  });
  const cid = conversationsWith(emu, 'AVAILABLE')[0]!;
  emu.scriptFault({ route: 'signed.media', count: 3, fault: 'reset' });
  const out = only(
    await fetchConversationRecordings(client, cid, { format: 'WAV', dir, download: { backoff: FAST } }),
  );
  emu.scriptFault({ route: 'signed.media', count: 3, fault: 'truncate' });
  const path2 = join(dir, 'again');
  const out2 = only(
    await fetchConversationRecordings(client, cid, {
      format: 'WAV',
      dir: path2,
      download: { backoff: FAST },
    }),
  );
  const oracle = emu.dataset.recordings(cid)[0]!;
  for (const o of [out, out2]) {
    assert.equal(o.kind, 'downloaded');
    if (o.kind === 'downloaded') {
      assert.equal(o.file.sha256, oracle.sha256);
      assert.ok(o.file.attempts >= 4, `attempts ${o.file.attempts}`);
    }
  }
  assert.ok(Object.values(emu.stats().faultsInjected).reduce((a, b) => a + b, 0) >= 6);
});

test('a process killed mid-download resumes from the bytes on disk in the next run', { skip }, async (t) => {
  const size = 40e6;
  const { emu, client, dir } = await setup(t, {
    seed: 13,
    conversations: 20,
    audioBytes: { min: size, max: size },
    mediaMix: { voice: 1 },
  });
  const cid = conversationsWith(emu, 'AVAILABLE')[0]!;
  const rid = emu.dataset.recordings(cid)[0]!.recordingId;
  const child = spawn(
    process.execPath,
    [
      join(import.meta.dirname, 'helpers/recording-child.ts'),
      emu.baseUrl,
      emu.clientId,
      cid,
      dir,
      String(8e6),
    ],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, GENESYSCLOUD_OAUTHCLIENT_SECRET: emu.clientSecret },
    },
  );
  const [code, signal] = await new Promise<[number | null, string | null]>((r) =>
    child.once('exit', (c, s) => r([c, s])),
  );
  assert.equal(signal, 'SIGKILL', `child exited with code ${code}`);
  const onDisk = (await stat(partPathOf(recordingFilePath(dir, rid, 'wav')))).size;
  assert.ok(onDisk > 8e6 && onDisk < size, `on disk: ${onDisk}`);

  emu.resetStats();
  const out = only(await fetchConversationRecordings(client, cid, { format: 'WAV', dir }));
  assert.equal(out.kind, 'downloaded');
  if (out.kind === 'downloaded') {
    assert.equal(out.file.resumed, true);
    assert.equal(out.file.sha256, emu.dataset.recordings(cid)[0]!.sha256);
  }
  assert.ok(emu.stats().bytesServed < size, `second run served ${emu.stats().bytesServed} bytes`);
  assert.ok(emu.stats().bytesServed <= size - onDisk + 1024 * 1024);
});

test('an expired signed URL is renewed, and a host without Range restarts cleanly', { skip }, async (t) => {
  const { emu, client, dir } = await setup(t, {
    seed: 14,
    conversations: 20,
    audioBytes: { min: 3e6, max: 3e6 },
    mediaMix: { voice: 1 },
  });
  const cid = conversationsWith(emu, 'AVAILABLE')[0]!;
  emu.scriptFault({ route: 'signed.media', count: 2, fault: 'expire' });
  const out = only(
    await fetchConversationRecordings(client, cid, { format: 'WAV', dir, download: { backoff: FAST } }),
  );
  assert.equal(out.kind, 'downloaded');
  if (out.kind === 'downloaded') {
    assert.equal(out.file.urlRenewals, 2);
    assert.equal(out.file.sha256, emu.dataset.recordings(cid)[0]!.sha256);
  }

  const noRange = await setup(t, {
    seed: 14,
    conversations: 20,
    audioBytes: { min: 3e6, max: 3e6 },
    mediaMix: { voice: 1 },
    rangeSupport: false,
  });
  noRange.emu.scriptFault({ route: 'signed.media', count: 2, fault: 'reset' });
  const out2 = only(
    await fetchConversationRecordings(noRange.client, cid, {
      format: 'WAV',
      dir: noRange.dir,
      download: { backoff: FAST },
    }),
  );
  assert.equal(out2.kind, 'downloaded');
  if (out2.kind === 'downloaded') {
    assert.equal(out2.file.resumed, false);
    assert.equal(out2.file.sha256, noRange.emu.dataset.recordings(cid)[0]!.sha256);
  }
});

test(
  'archived, deleted, errored and still-transcoding recordings end in their documented state',
  { skip },
  async (t) => {
    const { emu, client, dir } = await setup(t, { seed: 15, conversations: 300, transcodeMs: 800 });
    const expect: [State, string][] = [
      ['ARCHIVED', 'archived'],
      ['DELETED', 'deleted'],
      ['ERROR', 'error'],
    ];
    for (const [state, reason] of expect) {
      const cid = conversationsWith(emu, state)[0];
      assert.ok(cid, `the dataset has a conversation with a ${state} recording`);
      const out = only(await fetchConversationRecordings(client, cid, { format: 'WAV', dir }));
      assert.equal(out.kind, 'skipped');
      assert.equal(out.kind === 'skipped' && out.reason, reason);
    }
    const [slow, slow2] = conversationsWith(emu, 'AVAILABLE', true);
    assert.ok(slow && slow2, 'the dataset has transcoding recordings');
    const timedOut = only(
      await fetchConversationRecordings(client, slow, {
        format: 'WAV',
        dir,
        deadlineMs: 200,
        maxWaitMs: 100,
        pollMs: 20,
      }),
    );
    assert.equal(timedOut.kind === 'skipped' && timedOut.reason, 'transcoding-timeout');
    const waited = only(
      await fetchConversationRecordings(client, slow2, {
        format: 'WAV',
        dir,
        deadlineMs: 10_000,
        maxWaitMs: 200,
        pollMs: 50,
      }),
    );
    assert.equal(waited.kind, 'downloaded');
    assert.equal(
      waited.kind === 'downloaded' && waited.file.sha256,
      emu.dataset.recordings(slow2)[0]!.sha256,
    );
  },
);

test('bulk mode costs fewer API calls per recording than per-conversation lookups', { skip }, async (t) => {
  const { emu, client, dir } = await setup(t, {
    seed: 16,
    conversations: 60,
    mediaMix: { voice: 1 },
    batchDelayMs: 100,
  });
  const cids = conversationsWith(emu, 'AVAILABLE').slice(0, 12);
  assert.ok(cids.length >= 8);

  emu.resetStats();
  const perConversation = new Map<string, RecordingOutcome[]>();
  for (const cid of cids)
    perConversation.set(
      cid,
      await fetchConversationRecordings(client, cid, { format: 'WAV', dir: join(dir, 'single', cid) }),
    );
  const singleCalls = apiRequests(emu);

  emu.resetStats();
  const bulk = await fetchRecordingsBatch(client, cids, {
    format: 'WAV',
    dir: (cid) => join(dir, 'bulk', cid),
    batchPollMs: 50,
  });
  const bulkCalls = apiRequests(emu);

  for (const cid of cids) {
    const a = perConversation.get(cid)!.filter((o) => o.kind === 'downloaded');
    const b = bulk.get(cid)!.filter((o) => o.kind === 'downloaded');
    assert.equal(b.length, a.length, cid);
    const sha = (xs: RecordingOutcome[]) =>
      xs.map((o) => (o.kind === 'downloaded' ? o.file.sha256 : '')).sort();
    assert.deepEqual(sha(b), sha(a));
  }
  assert.ok(bulkCalls < singleCalls, `bulk ${bulkCalls} API calls vs per-conversation ${singleCalls}`);
});
