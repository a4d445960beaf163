// Restoring archived recordings on request, against the emulator: without the option an archived
// recording is skipped as 'archived' and nothing is restored; with it, one restore request, then
// 'restoring', then (a later fetch, once RESTORED) the archived bytes, byte-exact. Genesys refusing
// (the org's restorations spent) leaves the recording 'archived' with the reason, never a failure.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { test, type TestContext } from 'node:test';
import { isGtError } from '../../src/errors.ts';
import { listRecordings } from '../../src/genesys/endpoints/recordings.ts';
import {
  fetchConversationRecordings,
  TRANSIENT_SKIP_REASONS,
  type RecordingOutcome,
} from '../../src/pipeline/fetch/recordings.ts';
import { fetchRecordingsBatch } from '../../src/pipeline/fetch/batch.ts';
import type { EmulatorOptions, RunningEmulator } from '../../src/emulator/index.ts';
import { startTestClient } from '../helpers/emulator.ts';

const DAY_MS = 86_400_000;

const setup = (t: TestContext, options: EmulatorOptions) =>
  startTestClient(t, { conversations: 200, ...options }, 'gt-restore-');

/** Conversations whose every recording is `media` and ARCHIVED. */
function archived(emu: RunningEmulator, media = 'audio'): string[] {
  return emu.dataset.conversationIds().filter((cid) => {
    const recs = emu.dataset.recordings(cid);
    return recs.length > 0 && recs.every((r) => r.media === media && r.fileState === 'ARCHIVED');
  });
}

function only(out: RecordingOutcome[]): RecordingOutcome {
  assert.equal(out.length, 1, JSON.stringify(out));
  return out[0]!;
}

function skipped(o: RecordingOutcome): { reason: string; detail?: string } {
  assert.equal(o.kind, 'skipped', JSON.stringify(o));
  return o as { reason: string; detail?: string };
}

const puts = (emu: RunningEmulator) => emu.stats().requests['recordings.put'] ?? {};

test('the transient skip reasons are exported for the pipeline', () => {
  assert.deepEqual([...TRANSIENT_SKIP_REASONS].sort(), [
    'restore-requested',
    'restoring',
    'transcoding-timeout',
  ]);
  assert.ok(!TRANSIENT_SKIP_REASONS.includes('archived'), 'a refused restoration is not retried forever');
});

test('without restoreArchived an archived recording is skipped as archived and nothing is restored', async (t) => {
  const { emu, client, dir } = await setup(t, { seed: 21 });
  const cid = archived(emu)[0]!;
  const out = skipped(only(await fetchConversationRecordings(client, cid, { format: 'WAV', dir })));
  assert.equal(out.reason, 'archived');
  assert.deepEqual(puts(emu), {}, 'no restoration was asked for');
});

test('restoreArchived: restore-requested, then restoring, then the archived bytes once RESTORED', async (t) => {
  const { emu, client, dir } = await setup(t, { seed: 22, restoreMs: 800 });
  const cid = archived(emu)[0]!;
  const oracle = emu.dataset.recordings(cid)[0]!;
  const opts = { format: 'WAV' as const, dir, restoreArchived: { days: 7 } };

  const before = Date.now();
  const first = skipped(only(await fetchConversationRecordings(client, cid, opts)));
  assert.equal(first.reason, 'restore-requested');
  const until = Date.parse(/until (\S+)/.exec(first.detail ?? '')?.[1] ?? '');
  assert.ok(
    until >= before + 7 * DAY_MS && until <= Date.now() + 7 * DAY_MS,
    `restoration until now + 7 days: ${first.detail}`,
  );
  assert.match(first.detail!, /RESTORING/);
  assert.deepEqual(puts(emu), { '200': 1 });

  const second = skipped(only(await fetchConversationRecordings(client, cid, opts)));
  assert.equal(second.reason, 'restoring');
  assert.match(second.detail ?? '', /restore expires/);
  assert.deepEqual(puts(emu), { '200': 1 }, 'a restoration in progress is not asked for again');

  await new Promise((r) => setTimeout(r, 850));
  const third = only(await fetchConversationRecordings(client, cid, opts));
  assert.equal(third.kind, 'downloaded', JSON.stringify(third));
  if (third.kind === 'downloaded') {
    assert.equal(third.recordingId, oracle.recordingId);
    assert.equal(third.file.size, oracle.sizeBytes);
    assert.equal(third.file.sha256, oracle.sha256);
    const bytes = await readFile(third.file.path);
    assert.equal(
      createHash('sha256').update(bytes).digest('hex'),
      oracle.sha256,
      'the file on disk is byte-exact',
    );
  }
  assert.deepEqual(puts(emu), { '200': 1 });
});

test('an exhausted restoration limit leaves the recording archived with the reason, not a failure', async (t) => {
  const { emu, client, dir } = await setup(t, { seed: 23, restorationsAllowed: 1 });
  const [a, b] = archived(emu);
  assert.ok(a && b, 'two archived voice recordings');
  const opts = { format: 'WAV' as const, dir, restoreArchived: { days: 2 } };
  assert.equal(skipped(only(await fetchConversationRecordings(client, a, opts))).reason, 'restore-requested');
  const refused = skipped(only(await fetchConversationRecordings(client, b, opts)));
  assert.equal(refused.reason, 'archived');
  assert.match(
    refused.detail ?? '',
    /^restore refused: HTTP 400 bad\.request: .*no archive restorations left/,
  );
  assert.ok(!refused.detail!.includes('/api/v2/'), "the detail keeps Genesys' reason, not our request line");
  assert.deepEqual(puts(emu), { '200': 1, '400': 1 });
});

test('no restoration is spent on voice when no media is requested; a digital one is restored', async (t) => {
  const { emu, client, dir } = await setup(t, { seed: 24, restoreMs: 50 });
  const voice = archived(emu)[0]!;
  const opts = { format: 'NONE' as const, dir, restoreArchived: { days: 1 } };
  assert.equal(skipped(only(await fetchConversationRecordings(client, voice, opts))).reason, 'archived');
  assert.deepEqual(puts(emu), {});

  const chat = archived(emu, 'chat')[0]!;
  assert.ok(chat, 'an archived chat');
  assert.equal(
    skipped(only(await fetchConversationRecordings(client, chat, opts))).reason,
    'restore-requested',
  );
  await new Promise((r) => setTimeout(r, 80));
  const back = only(await fetchConversationRecordings(client, chat, opts));
  assert.equal(back.kind, 'digital');
  if (back.kind === 'digital') assert.ok((back.recording.transcript?.length ?? 0) > 0);
});

test('a restore request that keeps failing with 5xx fails the fetch (retried later), it is not a skip', async (t) => {
  const { emu, client, dir } = await setup(t, { seed: 25 });
  const cid = archived(emu)[0]!;
  emu.scriptFault({ route: 'recordings.put', count: 50, fault: '5xx' });
  await assert.rejects(
    fetchConversationRecordings(client, cid, { format: 'WAV', dir, restoreArchived: { days: 1 } }),
    (err: unknown) => isGtError(err) && ['HTTP_ERROR', 'RETRY_BUDGET_EXHAUSTED'].includes(err.code),
  );
  const { recordings } = await listRecordings(client, cid);
  assert.equal(recordings[0]?.fileState, 'ARCHIVED', 'nothing was restored');
});

test('bulk mode restores too: an archived batch result falls back to the lookup that asks for it', async (t) => {
  const { emu, client, dir } = await setup(t, { seed: 26, batchDelayMs: 20, restoreMs: 60_000 });
  const cid = archived(emu)[0]!;
  const available = emu.dataset
    .conversationIds()
    .find((id) =>
      emu.dataset
        .recordings(id)
        .some((r) => r.media === 'audio' && r.fileState === 'AVAILABLE' && !r.transcoding),
    )!;
  const out = await fetchRecordingsBatch(client, [cid, available], {
    format: 'WAV',
    dir,
    batchPollMs: 20,
    restoreArchived: { days: 1 },
  });
  assert.equal(skipped(only(out.get(cid)!)).reason, 'restore-requested');
  assert.equal(only(out.get(available)!).kind, 'downloaded');
  assert.deepEqual(puts(emu), { '200': 1 });
});
