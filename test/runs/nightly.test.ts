// Nightly runs with `--since last` over a moving emulator clock: each run continues where the
// previous finished one ended, minus the lag window, so a conversation whose analytics data
// arrived after the first night (but within the window) is exported by the second, and every
// conversation is delivered exactly once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startTestEmulator, tempWorkdir } from '../helpers/emulator.ts';
import { cli } from './cli.ts';
import { connectionArgs } from '../helpers/emulator.ts';
import type { RunningEmulator } from '../../src/emulator/index.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const iso = (t: number) => new Date(t).toISOString();

function nightly(emu: RunningEmulator, out: string, args: string[]) {
  return cli(['export', ...connectionArgs(emu), '--out', out, '--since', 'last', '--json', ...args], {
    env: { GENESYSCLOUD_OAUTHCLIENT_SECRET: emu.clientSecret },
  });
}

test('two nightly --since last runs over a moving clock export every conversation once, a late one included', async (t) => {
  // Three full days ending today 00:00 UTC: recent, so discovery takes the sync query path.
  const today = Math.floor(Date.now() / DAY) * DAY;
  const d0 = today - 3 * DAY;
  const { emu } = await startTestEmulator(t, {
    conversations: 45,
    seed: 44,
    interval: `${iso(d0)}/${iso(today)}`,
    rateLimit: null,
  });
  const night1 = today - DAY;
  const night2 = today;
  const lag = 6 * HOUR;
  const times = emu.dataset.conversationIds().map((id) => {
    const c = emu.dataset.conversation(id)!;
    return { id, start: Date.parse(c.conversationStart!), end: Date.parse(c.conversationEnd!) };
  });
  // The late one: ended before the first night, its data arrives 2 h after that night's run,
  // and it started inside the lag window the second night looks at again.
  const late = times
    .filter((c) => c.start >= night1 - lag + HOUR && c.end < night1)
    .sort((a, b) => b.start - a.start)[0];
  assert.ok(late, 'the dataset has a conversation near the end of day 2');
  emu.delayArrival(late.id, night1 - late.end + 2 * HOUR);
  const out = join(await tempWorkdir(t, 'gt-nightly-'), 'export');

  emu.setClock(iso(night1));
  const first = await nightly(emu, out, ['--from', iso(d0), '--to', iso(night1)]);
  assert.equal(first.code, 0, first.stderr);
  const s1 = JSON.parse(first.stdout);
  assert.equal(s1.interval, `${iso(d0)}/${iso(night1)}`);

  emu.setClock(iso(night2));
  const second = await nightly(emu, out, ['--to', iso(night2), '--lag', '6h']);
  assert.equal(second.code, 0, second.stderr);
  const s2 = JSON.parse(second.stdout);
  assert.equal(
    s2.interval,
    `${iso(night1 - lag)}/${iso(night2)}`,
    'from the end of the last run, minus the lag',
  );
  const reLooked = times.filter(
    (c) => c.start >= night1 - lag && c.start < night1 && c.id !== late.id,
  ).length;
  assert.equal(s2.conversations.alreadyExported, reLooked, 'the re-looked hours cost no export');

  // Exactly once each: one delivery.succeeded per conversation in the audit log, for all that
  // ended (and arrived) by the second night.
  const audit = (await readFile(join(out, '.genesys-transcripts', 'audit.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; data: { conversationId?: string; sink?: string } });
  const deliveries = new Map<string, number>();
  for (const e of audit)
    if (e.type === 'delivery.succeeded' && e.data.sink!.startsWith('fs:'))
      deliveries.set(e.data.conversationId!, (deliveries.get(e.data.conversationId!) ?? 0) + 1);
  const expected = times
    .filter((c) => c.end <= night2)
    .map((c) => c.id)
    .sort();
  assert.deepEqual([...deliveries.keys()].sort(), expected);
  assert.ok(
    [...deliveries.values()].every((n) => n === 1),
    'no conversation delivered twice',
  );
  assert.equal(deliveries.get(late.id), 1, 'the late conversation was exported by the second night');
  const firstNight = s1.conversations.done as number;
  assert.equal(firstNight + (s2.conversations.done as number), expected.length);

  // A third run the same night finds nothing new, and status tells the runs apart.
  const third = await nightly(emu, out, ['--to', iso(night2)]);
  assert.equal(JSON.parse(third.stdout).conversations.done, 0);
  const status = await cli(['status', '--out', out]);
  assert.match(status.stdout, new RegExp(`selection: ${iso(d0)} \\(incl.\\) to ${iso(night1)} \\(excl.\\)`));
  assert.equal((status.stdout.match(/ finished\n/g) ?? []).length, 3);
});

test('--since last without an earlier run and without --from is a usage error', async (t) => {
  const { emu } = await startTestEmulator(t, { conversations: 3, seed: 45, rateLimit: null });
  const out = join(await tempWorkdir(t, 'gt-nightly-'), 'export');
  const r = await nightly(emu, out, []);
  assert.equal(r.code, 2, r.stderr);
  assert.match(
    r.stderr,
    /--since last: no earlier finished run of this selection to this destination; give --from for the first run/,
  );
});

test('a conversation still in progress (no end yet) is kept pending, not exported half; once ended it is exported', async (t) => {
  const { emu, config } = await startTestEmulator(t, { conversations: 30, seed: 46, rateLimit: null });
  const { createExportRuntime } = await import('../../src/pipeline/runtime.ts');
  const work = await tempWorkdir(t, 'gt-inprogress-');
  const runtime = await createExportRuntime({ outDir: join(work, 'out') }, { config });
  t.after(() => runtime.close());
  const id = emu.dataset
    .conversationIds()
    .find((i) => emu.dataset.recordings(i)[0]?.fileState === 'AVAILABLE')!;
  const { conversationEnd: _end, ...going } = emu.dataset.conversation(id)!;
  emu.resetStats();
  const early = await runtime.exportOne(going);
  assert.equal(early.status, 'deferred');
  assert.equal(early.reason, 'conversation in progress');
  assert.deepEqual(Object.keys(emu.stats().requests), [], 'nothing fetched for it');
  assert.match(runtime.context.checkpoint.get(id)!.lastError!, /^deferred: conversation in progress/);
  const later = await runtime.exportOne(emu.dataset.conversation(id)!);
  assert.equal(later.status, 'done');
  assert.ok(later.files.length > 1);
});
