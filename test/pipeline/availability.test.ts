// Async jobs read the data lake, complete only up to GET …/details/jobs/availability. A window that
// starts beyond the sync query's 35 days and ends now needs a job for its old part; the emulator's
// jobs (like Genesys') lack what happened after the availability date, so the export must take the
// recent part from the sync query and still get every conversation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createGenesysClient } from '../../src/genesys/transport.ts';
import { createDetailsJob, getDetailsJob, getDetailsJobResults } from '../../src/genesys/endpoints/jobs.ts';
import { configFor, startTestEmulator, tempWorkdir } from '../helpers/emulator.ts';
import { runExport } from '../helpers/export.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;

test('a job-based discovery over a window ending after the availability date exports every conversation in it', async (t) => {
  const now = Math.floor(Date.now() / 60_000) * 60_000;
  const interval = `${new Date(now - 40 * DAY).toISOString()}/${new Date(now).toISOString()}`;
  const options = {
    conversations: 200,
    seed: 3,
    interval,
    now: new Date(now).toISOString(),
    rateLimit: null,
  };
  // Where the dataset's last conversations fall depends on the time of day: a lag reaching an hour
  // before the last one ends makes sure some are past the availability date.
  const probe = await startTestEmulator(t, options);
  const lastEnd = Math.max(
    ...probe.emu.dataset
      .conversationIds()
      .map((id) => Date.parse(probe.emu.dataset.conversation(id)!.conversationEnd!)),
  );
  await probe.emu.close();
  const lag = Math.max(HOUR, Date.now() - (lastEnd - HOUR));
  const { emu } = await startTestEmulator(t, { ...options, dataLagMs: lag, jobDelayMs: 20 });
  const ids = emu.dataset.conversationIds();
  const recent = ids.filter(
    (id) => Date.parse(emu.dataset.conversation(id)!.conversationEnd!) > Date.now() - lag,
  );
  assert.ok(recent.length > 0, 'the dataset has conversations the data lake does not have yet');

  // What a job over the whole window returns: not the recent ones (what the old client exported).
  const client = createGenesysClient(configFor(emu));
  t.after(() => client.close());
  const { jobId } = await createDetailsJob(client, { interval });
  while ((await getDetailsJob(client, jobId)).state !== 'FULFILLED')
    await new Promise((r) => setTimeout(r, 20));
  const fromJob = new Set<string>();
  for (let cursor: string | undefined, first = true; first || cursor; first = false) {
    const page = await getDetailsJobResults(client, jobId, cursor, 1000);
    for (const c of page.conversations ?? []) fromJob.add(c.conversationId!);
    cursor = page.cursor;
  }
  for (const id of recent) assert.ok(!fromJob.has(id), 'a job lacks what ended after the availability date');
  emu.resetStats();

  const work = await tempWorkdir(t, 'gt-availability-');
  const { results, summary } = await runExport(emu, {
    outDir: join(work, 'out'),
    stateDir: join(work, 'state'),
    media: false,
    transcripts: false,
  });
  assert.deepEqual(results.map((r) => r.conversationId).sort(), [...ids].sort(), 'every conversation');
  assert.equal(summary.incomplete, undefined);
  assert.equal(summary.conversations.failed, 0, JSON.stringify(summary.failures));
  const served = emu.stats().requests;
  assert.ok(served['analytics.jobs.create']?.['202'], 'the old part went through a job');
  assert.equal(served['analytics.jobs.availability']?.['200'], 1, 'availability read once');
  assert.ok(served['analytics.details.query']?.['200'], 'the recent part came from the sync query');
});
