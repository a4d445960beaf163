// Size caps and deadlines (issue 15) against the emulator's hostile-network faults: an endless
// media body or token answer, a secret file that never ends, a Retry-After of a day, bodies that
// trickle in under every idle timeout. Each ends in its named error, with disk and memory bounded.
import assert from 'node:assert/strict';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/index.ts';
import { isGtError } from '../../src/errors.ts';
import { createGenesysClient } from '../../src/genesys/transport.ts';
import { listRecordings } from '../../src/genesys/endpoints/recordings.ts';
import { durationSizeCap, mediaSizeCap } from '../../src/pipeline/fetch/guards.ts';
import { fetchConversationRecordings } from '../../src/pipeline/fetch/recordings.ts';
import { fetchVoiceTranscripts } from '../../src/pipeline/fetch/transcripts.ts';
import { getConversationDetails } from '../../src/genesys/endpoints/analytics.ts';
import { Exporter } from '../../src/pipeline/exporter.ts';
import type { EmulatorOptions, RunningEmulator } from '../../src/emulator/index.ts';
import { configFor, startTestEmulator, tempWorkdir } from '../helpers/emulator.ts';

const VOICE: EmulatorOptions = {
  seed: 11,
  conversations: 80,
  mediaMix: { voice: 1 },
  transcodeMs: 0,
  audioBytes: { min: 16_000, max: 20_000 },
  trickleIntervalMs: 50,
};

function available(emu: RunningEmulator, n = 1): string[] {
  return emu.dataset
    .conversationIds()
    .filter((id) => {
      const r = emu.dataset.recordings(id)[0];
      return r?.fileState === 'AVAILABLE' && emu.dataset.transcript(id, r.sessionId!) !== undefined;
    })
    .slice(0, n);
}

const failsWith = (code: string, re: RegExp) => (err: unknown) => {
  assert.ok(isGtError(err), String(err));
  assert.equal(err.code, code, err.message);
  assert.match(err.message, re);
  return true;
};

async function filesUnder(dir: string): Promise<{ name: string; size: number }[]> {
  const out = [];
  for (const name of await readdir(dir, { recursive: true })) {
    const info = await stat(join(dir, name));
    if (info.isFile()) out.push({ name, size: info.size });
  }
  return out;
}

test('the media cap follows outputSizeInBytes with a tolerance, never above the absolute cap', () => {
  assert.equal(mediaSizeCap(18_307, 4 * 1024 ** 3), Math.ceil(18_307 * 1.25) + 1024 * 1024);
  assert.equal(mediaSizeCap(undefined, 5000), 5000);
  assert.equal(mediaSizeCap(10 ** 12, 5000), 5000);
  // A batch result has no size: the recording's duration caps it (192,000 B/s + 1 MiB).
  assert.equal(durationSizeCap('2026-11-20T10:00:00Z', '2026-11-20T10:05:00Z'), 300 * 192_000 + 1024 * 1024);
  assert.equal(durationSizeCap(undefined, '2026-11-20T10:05:00Z'), undefined);
});

test('an endless media body (18 KB announced) stops at the cap as TOO_LARGE, nothing kept on disk', async (t) => {
  const { emu, config } = await startTestEmulator(t, VOICE);
  const client = createGenesysClient(config);
  t.after(() => client.close());
  const dir = await tempWorkdir(t, 'gt-endless-');
  const [id] = available(emu);
  const size = emu.dataset.recordings(id!)[0]!.sizeBytes!;
  emu.scriptFault({ route: 'signed.media', count: 1, fault: 'endless' });
  await assert.rejects(
    fetchConversationRecordings(client, id!, { format: 'WAV', dir }),
    failsWith('TOO_LARGE', new RegExp(`over the cap of ${mediaSizeCap(size, Infinity)} bytes`)),
  );
  assert.deepEqual(await filesUnder(dir), [], 'the oversized .part is removed');
  const served = emu.stats().bytesServed;
  assert.ok(served < 64 * 1024 ** 2, `the emulator streamed ${served} bytes before the client hung up`);

  // The absolute cap applies to a recording whose metadata says nothing (or lies): --max-media-bytes.
  const tight = createGenesysClient({ ...config, maxMediaBytes: 4096 });
  t.after(() => tight.close());
  await assert.rejects(
    fetchConversationRecordings(tight, id!, { format: 'WAV', dir }),
    failsWith('TOO_LARGE', /over the cap of 4096 bytes/),
  );
});

test('an endless token response is refused at 64 KiB as TOO_LARGE', async (t) => {
  const { emu, config } = await startTestEmulator(t, VOICE);
  const client = createGenesysClient(config);
  t.after(() => client.close());
  emu.scriptFault({ route: 'oauth.token', count: 1, fault: 'endless' });
  const before = process.memoryUsage().rss;
  await assert.rejects(
    listRecordings(client, available(emu)[0]!, { formatId: 'WAV' }),
    failsWith('TOO_LARGE', /token response larger than 65536 bytes/),
  );
  const grown = process.memoryUsage().rss - before;
  assert.ok(grown < 256 * 1024 ** 2, `RSS grew ${grown} bytes`);
});

test('a client secret file that never ends (/dev/urandom) is refused at 64 KiB, one line', () => {
  assert.throws(
    () =>
      loadConfig({
        flags: { apiUrl: 'https://api.example.com', clientId: 'c', clientSecretFile: '/dev/urandom' },
      }),
    failsWith('CONFIG_INVALID', /clientSecretFile \/dev\/urandom: larger than 65536 bytes: not a secret/),
  );
});

test('a Retry-After over --max-retry-after fails the request as RATE_LIMITED at once', async (t) => {
  const { emu, config } = await startTestEmulator(t, VOICE);
  const client = createGenesysClient({ ...config, maxRetryAfterSeconds: 5 });
  t.after(() => client.close());
  emu.scriptFault({ route: 'recordings.list', count: 1, fault: 'retry-after-long' });
  await assert.rejects(
    listRecordings(client, available(emu)[0]!, { formatId: 'WAV' }),
    failsWith('RATE_LIMITED', /asked to wait 86400 s, over the 5 s cap \(--max-retry-after\)/),
  );
  // Under the cap, the wait is honoured as before (the emulator's own 503 says Retry-After: 1).
  emu.scriptFault({ route: 'recordings.list', count: 1, fault: '503' });
  const ok = await listRecordings(client, available(emu)[0]!, { formatId: 'WAV' });
  assert.equal(ok.status, 200);
});

test('bodies trickling in (a byte every 50 ms) fail as TOO_SLOW: media, API answers, transcripts', async (t) => {
  const { emu, config } = await startTestEmulator(t, VOICE);
  const client = createGenesysClient({ ...config, minTransferRate: 2000, minTransferWindowSeconds: 0.5 });
  t.after(() => client.close());
  const dir = await tempWorkdir(t, 'gt-trickle-');
  const [id] = available(emu);
  emu.scriptFault({ route: 'signed.media', count: 1, fault: 'trickle' });
  await assert.rejects(
    fetchConversationRecordings(client, id!, { format: 'WAV', dir }),
    failsWith('TOO_SLOW', /below 2000 bytes\/s over 1 s/),
  );
  emu.scriptFault({ route: 'recordings.list', count: 1, fault: 'trickle' });
  const answered: number[] = [];
  client.events.on('request', (e) => answered.push(e.status));
  await assert.rejects(
    listRecordings(client, id!, { formatId: 'WAV' }),
    failsWith('TOO_SLOW', /response body below 2000 bytes\/s/),
  );
  // The refused answer is still a request for the metrics (and the budget it spent).
  assert.deepEqual(answered, [200]);
  emu.scriptFault({ route: 'signed.transcript', count: 1, fault: 'trickle' });
  const details = await getConversationDetails(client, id!);
  await assert.rejects(
    fetchVoiceTranscripts(client, details!),
    failsWith('TOO_SLOW', /transcript body below 2000 bytes\/s/),
  );
});

test('a conversation that outlives --conversation-deadline ends as DEADLINE, and the run goes on', async (t) => {
  const { emu } = await startTestEmulator(t, VOICE);
  const ids = available(emu, 2);
  const dir = await tempWorkdir(t, 'gt-deadline-');
  // A transcript trickling in: no idle timeout fires, the rate floor is off.
  emu.scriptFault({ route: 'signed.transcript', count: 1, fault: 'trickle' });
  const exporter = new Exporter(
    {
      selection: { conversationIds: ids },
      outDir: join(dir, 'out'),
      stateDir: join(dir, 'state'),
      concurrency: 1,
      conversationDeadlineMs: 1500,
    },
    { config: { ...configFor(emu), minTransferRate: 0 } },
  );
  const results = [];
  for await (const r of exporter.run()) results.push(r);
  const byStatus = Object.fromEntries(results.map((r) => [r.conversationId, r]));
  const failed = results.filter((r) => r.status === 'failed');
  assert.equal(failed.length, 1, JSON.stringify(results.map((r) => [r.status, r.errorCode])));
  assert.equal(failed[0]!.errorCode, 'DEADLINE');
  assert.match(failed[0]!.reason!, /not finished within its deadline of 2 s \(--conversation-deadline\)/);
  assert.equal(results.filter((r) => r.status === 'done').length, 1, JSON.stringify(byStatus));
});

test('the network limits come from flags, then the config file, then the defaults; bad values are CONFIG_INVALID', async (t) => {
  const dir = await tempWorkdir(t, 'gt-limits-config-');
  const file = join(dir, 'config.json');
  const { writeFile } = await import('node:fs/promises');
  await writeFile(
    file,
    JSON.stringify({
      apiUrl: 'https://api.example.com',
      clientId: 'c',
      clientSecret: 's',
      allowPrivateDownloads: true,
      maxRetryAfterSeconds: 30,
      minTransferRate: 0,
      minTransferWindowSeconds: 10,
      maxMediaBytes: 1000,
    }),
  );
  const defaults = loadConfig({
    flags: { apiUrl: 'https://api.example.com', clientId: 'c' },
    env: { GENESYSCLOUD_OAUTHCLIENT_SECRET: 's' },
  });
  assert.deepEqual(
    [
      defaults.allowPrivateDownloads,
      defaults.maxRetryAfterSeconds,
      defaults.minTransferRate,
      defaults.minTransferWindowSeconds,
      defaults.maxMediaBytes,
    ],
    [false, 120, 1024, 30, 4 * 1024 ** 3],
  );
  const fromFile = loadConfig({ configFile: file, env: {} });
  assert.deepEqual(
    [
      fromFile.allowPrivateDownloads,
      fromFile.maxRetryAfterSeconds,
      fromFile.minTransferRate,
      fromFile.minTransferWindowSeconds,
      fromFile.maxMediaBytes,
    ],
    [true, 30, 0, 10, 1000],
  );
  const fromFlags = loadConfig({
    configFile: file,
    env: {},
    flags: { maxRetryAfter: '5', minTransferRate: '2048', maxMediaBytes: '99' },
  });
  assert.deepEqual(
    [fromFlags.maxRetryAfterSeconds, fromFlags.minTransferRate, fromFlags.maxMediaBytes],
    [5, 2048, 99],
  );
  assert.throws(
    () => loadConfig({ configFile: file, env: {}, flags: { maxRetryAfter: '-1' } }),
    failsWith('CONFIG_INVALID', /maxRetryAfterSeconds/),
  );
});
