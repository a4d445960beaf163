import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { isGtError } from '../../src/errors.ts';
import { CheckpointStore } from '../../src/pipeline/checkpoint.ts';
import { tempWorkdir } from '../helpers/emulator.ts';

test('state machine: discover, claim, done/failed/skipped, deliveries, counts', async (t) => {
  const store = CheckpointStore.open(join(await tempWorkdir(t, 'gt-checkpoint-'), 'c.db'));
  t.after(() => store.close());

  assert.equal(store.discovered('a', '2026-01-02T00:00:00.000Z'), true);
  assert.equal(store.discovered('a', '2026-01-02T00:00:00.000Z'), false, 'second discovery is not new');
  assert.equal(store.get('a')?.state, 'pending');
  assert.equal(store.get('missing'), undefined);

  assert.equal(store.claim('a'), true);
  assert.equal(store.get('a')?.attempts, 1);
  assert.equal(store.get('a')?.state, 'in_progress');
  assert.ok(store.get('a')?.startedAt);
  assert.equal(store.claim('a'), false, 'in progress in this live session: not claimable twice');

  store.markFailed('a', 'HTTP_ERROR: 503 from recordings');
  assert.deepEqual(
    [store.get('a')?.state, store.get('a')?.lastError],
    ['failed', 'HTTP_ERROR: 503 from recordings'],
  );
  assert.equal(store.claim('a'), true, 'failed is retried');
  assert.equal(store.get('a')?.attempts, 2);

  assert.equal(store.isDelivered('a', 'fs'), false);
  store.recordDelivery('a', 'fs', 'd1', { location: '/x' });
  store.recordDelivery('a', 'fs', 'd1', { location: '/x' });
  store.recordDelivery('a', 'webhook', 'd1', {});
  assert.equal(store.isDelivered('a', 'fs'), true);
  assert.equal(store.isDelivered('a', 's3'), false);
  store.markDone('a');
  assert.deepEqual(store.get('a')?.deliveredTo.sort(), ['fs', 'webhook']);
  assert.equal(store.claim('a'), false, 'done is never redone');

  // claim of an unknown ID adds it first (export by ID).
  assert.equal(store.claim('b'), true);
  store.markSkipped('b', 'language-mismatch');
  assert.equal(store.claim('b'), false, 'skipped is final');
  store.discovered('c');
  assert.throws(
    () => store.markDone('nope'),
    (e) => isGtError(e, 'CHECKPOINT'),
  );

  assert.deepEqual(store.counts(), { pending: 1, in_progress: 0, done: 1, failed: 0, skipped: 1 });
});

test('toDo: pending, failed and stale in_progress, oldest conversation first, safe to modify while iterating', async (t) => {
  const dir = await tempWorkdir(t, 'gt-checkpoint-');
  const path = join(dir, 'c.db');
  const first = CheckpointStore.open(path);
  // 1200 rows (more than one page), inserted newest first so ordering is by start, not insertion.
  first.batch(() => {
    for (let i = 1199; i >= 0; i -= 1)
      first.discovered(`c${i}`, new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString());
  });
  first.discovered('no-start');
  first.claim('c5');
  first.markDone('c5');
  first.claim('c6');
  first.markFailed('c6', 'TIMEOUT: x');
  first.claim('c7'); // left in_progress by "this" session
  assert.equal(
    [...first.toDo()].some((r) => r.conversationId === 'c7'),
    false,
    'own in-progress work is not to-do',
  );

  const ids: string[] = [];
  for (const r of first.toDo()) {
    ids.push(r.conversationId);
    // Modify rows while iterating (every 10th, each claim is an fsync).
    if (r.state === 'pending' && ids.length % 10 === 0 && r.conversationId !== 'no-start')
      first.claim(r.conversationId);
  }
  assert.equal(ids.length, 1200 - 2 + 1);
  assert.equal(new Set(ids).size, ids.length, 'no row visited twice');
  assert.equal(ids[0], 'c0');
  assert.equal(ids.at(-1), 'no-start', 'unknown start sorts last');
  assert.ok(ids.includes('c6'), 'failed is to-do');
  first.close();

  // A new session (a restart): everything first left in_progress is stale, hence to-do again.
  const second = CheckpointStore.open(path);
  t.after(() => second.close());
  const again = [...second.toDo()].map((r) => r.conversationId);
  assert.ok(again.includes('c7'));
  assert.equal(second.claim('c7'), true);
  assert.equal(second.get('c7')?.attempts, 2);
});

test('runs are recorded with params and summary', async (t) => {
  const store = CheckpointStore.open(join(await tempWorkdir(t, 'gt-checkpoint-'), 'c.db'));
  t.after(() => store.close());
  const id = store.startRun({ formats: ['json'], media: false });
  const id2 = store.startRun({ formats: ['txt'] });
  assert.notEqual(id, id2);
  store.finishRun(id, { done: 3 });
  const runs = store.runs();
  assert.equal(runs.length, 2);
  const r = runs.find((x) => x.runId === id)!;
  assert.deepEqual(r.params, { formats: ['json'], media: false });
  assert.deepEqual(r.summary, { done: 3 });
  assert.ok(r.finishedAt);
  assert.equal(runs.find((x) => x.runId === id2)!.finishedAt, undefined);
});

test('open refuses files that are not a checkpoint, and persists across reopen', async (t) => {
  const dir = await tempWorkdir(t, 'gt-checkpoint-');
  const text = join(dir, 'notes.txt');
  await writeFile(
    text,
    'this is not a database, just some text that is long enough to have a header\n'.repeat(20),
  );
  assert.throws(
    () => CheckpointStore.open(text),
    (e) => isGtError(e, 'CHECKPOINT') && /not an SQLite database/.test(e.message),
  );

  const other = join(dir, 'other.db');
  const db = new DatabaseSync(other);
  db.exec('CREATE TABLE t (x)');
  db.close();
  assert.throws(
    () => CheckpointStore.open(other),
    (e) => isGtError(e, 'CHECKPOINT') && /without a checkpoint schema/.test(e.message),
  );

  const future = join(dir, 'future.db');
  CheckpointStore.open(future).close();
  const raw = new DatabaseSync(future);
  raw.exec(`UPDATE meta SET value = '99' WHERE key = 'version'`);
  raw.close();
  assert.throws(
    () => CheckpointStore.open(future),
    (e) => isGtError(e, 'CHECKPOINT') && /version 99/.test(e.message),
  );

  const path = join(dir, 'nested', 'c.db');
  const a = CheckpointStore.open(path);
  a.discovered('x');
  a.close();
  const b = CheckpointStore.open(path);
  t.after(() => b.close());
  assert.equal(b.get('x')?.state, 'pending');
});

test('100k conversations: batched inserts, counts and a streamed toDo', async (t) => {
  const store = CheckpointStore.open(join(await tempWorkdir(t, 'gt-checkpoint-'), 'c.db'));
  t.after(() => store.close());
  const N = 100_000;
  for (let page = 0; page < N; page += 1000) {
    store.batch(() => {
      for (let i = page; i < page + 1000; i += 1)
        store.discovered(`conv-${i}`, new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString());
    });
  }
  assert.equal(store.counts().pending, N);
  let n = 0;
  let prev = '';
  for (const r of store.toDo()) {
    assert.ok((r.conversationStart ?? '') >= prev, 'oldest first');
    prev = r.conversationStart ?? '';
    n += 1;
  }
  assert.equal(n, N);
});

test('kill -9 mid-write loses nothing committed and leaves a healthy database', async (t) => {
  const dir = await tempWorkdir(t, 'gt-checkpoint-');
  const path = join(dir, 'c.db');
  const child = spawn(process.execPath, [join(import.meta.dirname, 'crash-writer.ts'), path], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const committed: string[] = [];
  let buffer = '';
  await new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', () => resolve());
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      committed.push(...lines);
      if (committed.length >= 400 && !child.killed) child.kill('SIGKILL');
    });
  });
  assert.equal(child.signalCode, 'SIGKILL', 'the writer was killed, not finished');
  assert.ok(committed.length >= 400);

  const raw = new DatabaseSync(path);
  assert.equal(
    (raw.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check,
    'ok',
  );
  raw.close();

  const store = CheckpointStore.open(path);
  t.after(() => store.close());
  for (const id of committed) {
    const rec = store.get(id);
    assert.ok(rec, `${id} was reported committed and must survive`);
    const i = Number(id.slice(5));
    if (i % 3 === 0) {
      assert.equal(rec.state, 'in_progress');
    } else {
      assert.equal(rec.state, 'done');
      assert.equal(store.isDelivered(id, 'fs'), true);
    }
  }
  // What the crashed process left in progress is to-do and claimable again.
  const todo = new Set([...store.toDo()].map((r) => r.conversationId));
  for (const id of committed.filter((x) => Number(x.slice(5)) % 3 === 0))
    assert.ok(todo.has(id), `${id} is to-do after the crash`);
  assert.equal(store.claim(committed[0]!), true);
});

test('a checkpoint killed before its schema committed (header written, no table) opens as new', async (t) => {
  const dir = await tempWorkdir(t, 'gt-checkpoint-');
  const path = join(dir, 'checkpoint.db');
  // What a SIGKILL between `PRAGMA journal_mode = WAL` and the schema's COMMIT leaves behind.
  const raw = new DatabaseSync(path);
  raw.exec('PRAGMA journal_mode = WAL');
  raw.exec('BEGIN IMMEDIATE');
  raw.exec('CREATE TABLE half (x)');
  raw.close(); // closing mid-transaction rolls it back, as a kill does
  const store = CheckpointStore.open(path);
  t.after(() => store.close());
  store.discovered('c1');
  assert.equal(store.get('c1')?.state, 'pending');
});
