// The review sink is called for many conversations at once (--concurrency, default 32): the first
// deliveries to a fresh folder all open the site together. They must share one opening, or a late
// opener's clean-up of stale temp files removes a page another delivery is writing (SINK_FAILED).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.ts';
import { readExport } from '../../src/review/read.ts';
import type { ReviewEntry } from '../../src/review/entry.ts';
import { ReviewSite } from '../../src/review/site.ts';
import { runExport } from '../helpers/export.ts';

let emu: RunningEmulator;
let dir: string;
const entries: ReviewEntry[] = [];

before(async () => {
  emu = await startEmulator({ conversations: 24, seed: 7 });
  dir = await mkdtemp(join(tmpdir(), 'gt-review-concurrent-'));
  const out = join(dir, 'export');
  await runExport(emu, { outDir: out, stateDir: join(dir, 'state'), review: false, media: false });
  for await (const e of readExport(out)) entries.push(e);
});

after(async () => {
  await emu?.close();
  await rm(dir, { recursive: true, force: true });
});

test('conversations added at once to a fresh site all get their page', async () => {
  assert.ok(entries.length >= 16, `${entries.length} conversations`);
  for (let round = 0; round < 5; round++) {
    const root = join(dir, `site-${round}`);
    const site = new ReviewSite(root);
    const outcomes = await Promise.allSettled(entries.map((e) => site.add(e)));
    site.close();
    const failed = outcomes.filter((o) => o.status === 'rejected');
    assert.deepEqual(failed, [], `round ${round}: ${failed.length} of ${entries.length} adds failed`);
    const pages = (await readdir(join(root, 'review', 'c'))).filter((n) => n.endsWith('.html'));
    assert.equal(pages.length, entries.length);
  }
});

test('rows files a killed process left behind its database are rewritten at the next opening', async () => {
  const root = join(dir, 'site-killed');
  const site = new ReviewSite(root);
  await Promise.all(entries.map((e) => site.add(e)));
  // Killed before its deferred flush: the database holds every row, no rows file was written yet.
  (site as unknown as { store: { db: { close(): void } } }).store.db.close();
  assert.deepEqual(await readdir(join(root, 'review', 'rows')), []);
  const next = new ReviewSite(root);
  await next.add(entries[0]!);
  const rows = await Promise.all(
    (await readdir(join(root, 'review', 'rows'))).map((n) =>
      readFile(join(root, 'review', 'rows', n), 'utf8'),
    ),
  );
  for (const e of entries)
    assert.ok(rows.join('\n').includes(e.manifest.conversationId), `${e.manifest.conversationId} listed`);
  next.close();
});
