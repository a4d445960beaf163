// The PostgreSQL sink against the real server on 127.0.0.1:5432 (trust auth, user postgres), one
// fresh database per test, dropped after: schema and migrations, one row per conversation after a
// re-run, after SIGKILLs and a resume, and after three distributed workers (one of them killed);
// the planted phrase found by a full-text query, and no planted PII anywhere in the text.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.ts';
import { createSink } from '../../src/sinks/index.ts';
import { isGtError } from '../../src/errors.ts';
import { runExport } from '../helpers/export.ts';
import { connectionArgs } from '../helpers/emulator.ts';
import { REDIS_URL, testRedis, uniquePrefix } from '../distributed/helpers.ts';
import {
  queueCliArgs,
  runCli,
  spawnCliWorker,
  stopWorkers,
  type CliWorker,
} from '../distributed/cli-workers.ts';
import { queueStatus } from '../../src/distributed/index.ts';

const SERVER = process.env.GT_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';
const CLI = new URL('../../bin/genesys-transcripts.js', import.meta.url).pathname;

/** A uniquely named database, dropped (connections and all) after the test. */
async function testDatabase(t: TestContext): Promise<{ url: string; db: pg.Pool }> {
  const name = `gt_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: `${SERVER}/postgres` });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(
      `this test needs PostgreSQL at ${SERVER} (user postgres, trust auth) or GT_TEST_POSTGRES_URL: ${(err as Error).message}`,
      { cause: err },
    );
  }
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = `${SERVER}/${name}`;
  const db = new pg.Pool({ connectionString: url, max: 2 });
  t.after(async () => {
    await db.end();
    const a = new pg.Client({ connectionString: `${SERVER}/postgres` });
    await a.connect();
    await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await a.end();
  });
  return { url, db };
}

async function tempDir(t: TestContext, prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function count(db: pg.Pool, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await db.query<{ n: string }>(sql, params);
  return Number(rows[0]!.n);
}

/** Every table holds each conversation once: one conversation row, no duplicated child keys. */
async function assertOneRowEach(db: pg.Pool, ids: string[]): Promise<void> {
  const { rows } = await db.query<{ conversation_id: string }>('SELECT conversation_id FROM conversations');
  assert.deepEqual(rows.map((r) => r.conversation_id).sort(), [...ids].sort(), 'one row per conversation');
  // The primary keys already forbid duplicates; check the children all belong to a conversation.
  for (const table of ['participants', 'recordings', 'utterances'])
    assert.equal(
      await count(db, `SELECT count(*) AS n FROM ${table} WHERE conversation_id <> ALL ($1)`, [ids]),
      0,
      `${table} of unknown conversations`,
    );
}

function expectedWithPhrase(emu: RunningEmulator, ids: string[], phrase: string): string[] {
  return ids.filter((id) => emu.dataset.planted(id).phrases.includes(phrase)).sort();
}

async function phraseHits(db: pg.Pool, phrase: string): Promise<string[]> {
  const { rows } = await db.query<{ conversation_id: string }>(
    `SELECT DISTINCT conversation_id FROM utterances WHERE text_search @@ phraseto_tsquery('simple', $1) ORDER BY 1`,
    [phrase],
  );
  return rows.map((r) => r.conversation_id);
}

test('spec: no password in --sink, a database named, a clear name without credentials', async () => {
  const refused = (spec: string, pattern: RegExp) =>
    assert.throws(
      () => createSink(spec),
      (e: unknown) =>
        isGtError(e, 'CONFIG_INVALID') && pattern.test(e.message) && !e.message.includes('s3cret'),
    );
  refused('postgres://u:s3cret@127.0.0.1/db', /PGPASSWORD/);
  refused('postgres://u@127.0.0.1:5432', /names no database/);
  const sink = createSink('postgresql://postgres@127.0.0.1:5432/some_db?sslmode=disable');
  assert.equal(sink.name, 'postgres://127.0.0.1:5432/some_db');
  // The audit log refuses what looks like contact data: a long IP address is named by a hash.
  const far = createSink('postgres://loader@192.168.100.200:5432/archive');
  assert.match(far.name, /^postgres:\/\/server-[a-p]{12}\/archive$/);
  await Promise.all([sink.close(), far.close()]);
});

test('an export into PostgreSQL: schema and migrations, rows, redaction markers, full-text search, idempotent re-runs', async (t) => {
  const { url, db } = await testDatabase(t);
  const emu = await startEmulator({
    conversations: 40,
    seed: 21,
    audioBytes: { min: 1024, max: 4096 },
    transcodeMs: 0,
    rateLimit: null,
  });
  t.after(() => emu.close());
  const work = await tempDir(t, 'gt-pg-');
  const opts = { outDir: join(work, 'out'), stateDir: join(work, 'state'), sinks: [url], review: false };
  const first = await runExport(emu, opts);
  const done = first.results.filter((r) => r.status === 'done').map((r) => r.conversationId);
  assert.equal(first.summary.conversations.failed, 0, JSON.stringify(first.summary.failures));
  assert.ok(done.length >= 35);
  await assertOneRowEach(db, done);

  const { rows: migrations } = await db.query('SELECT version, name FROM schema_migrations');
  assert.deepEqual(
    migrations.map((m) => m.version),
    [1],
  );
  const gin = await count(
    db,
    `SELECT count(*) AS n FROM pg_indexes WHERE indexname = 'utterances_text_search' AND indexdef LIKE '%gin%'`,
  );
  assert.equal(gin, 1, 'a GIN index on the tsvector');

  // Participants: agents named, customers never.
  assert.equal(
    await count(db, `SELECT count(*) AS n FROM participants WHERE role = 'customer' AND name IS NOT NULL`),
    0,
  );
  assert.ok(
    (await count(db, `SELECT count(*) AS n FROM participants WHERE role = 'agent' AND name IS NOT NULL`)) >=
      done.length,
  );
  // Recordings: exported with hashes, or skipped with a reason.
  assert.ok(
    (await count(
      db,
      `SELECT count(*) AS n FROM recordings WHERE status = 'exported' AND sha256 ~ '^[0-9a-f]{64}$'`,
    )) > 0,
  );
  assert.equal(
    await count(db, `SELECT count(*) AS n FROM recordings WHERE status = 'skipped' AND reason IS NULL`),
    0,
  );
  // Utterances carry speaker, offsets and redaction markers that point at the placeholders.
  const { rows: marked } = await db.query<{
    text: string;
    redactions: { entity: string; start: number; end: number }[];
  }>(`SELECT text, redactions FROM utterances WHERE jsonb_array_length(redactions) > 0`);
  assert.ok(marked.length > 20);
  for (const u of marked)
    for (const r of u.redactions) assert.equal(u.text.slice(r.start, r.end), `[${r.entity}]`);
  assert.equal(
    await count(db, `SELECT count(*) AS n FROM utterances WHERE start_ms > end_ms OR speaker_role = ''`),
    0,
  );

  // Full text: the planted phrase, in exactly the conversations that hold it.
  const want = expectedWithPhrase(emu, done, 'cancel my account');
  assert.ok(want.length >= 2);
  assert.deepEqual(await phraseHits(db, 'cancel my account'), want);
  // No planted value anywhere in the stored text.
  const { rows: texts } = await db.query<{ conversation_id: string; text: string }>(
    'SELECT conversation_id, text FROM utterances',
  );
  for (const u of texts)
    for (const p of emu.dataset.planted(u.conversation_id).pii)
      assert.ok(!u.text.includes(p.text), `${u.conversation_id}: ${p.entity} stored unredacted`);

  // The README's three queries run and answer.
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  const block = /## PostgreSQL[\s\S]*?```sql\n([\s\S]*?)```/.exec(readme)![1]!;
  const queries = block
    .split(';')
    .map((q) => q.trim())
    .filter((q) => q.replace(/--.*$/gm, '').trim());
  assert.equal(queries.length, 3);
  for (const q of queries) {
    const { rows } = await db.query(q);
    assert.ok(rows.length > 0, `README query answers: ${q.split('\n')[0]}`);
  }

  // Re-run everything (--force): same delivery IDs; a conversation whose delivered content is the
  // same is left alone (its loaded_at stays), one whose content changed is replaced in place.
  const snapshot = async () =>
    new Map(
      (
        await db.query<{ conversation_id: string; loaded_at: Date; manifest: Record<string, unknown> }>(
          'SELECT conversation_id, loaded_at, manifest FROM conversations',
        )
      ).rows.map((r) => {
        delete r.manifest.exportedAt;
        return [
          r.conversation_id,
          { loadedAt: r.loaded_at.getTime(), content: JSON.stringify(r.manifest) },
        ] as const;
      }),
    );
  const before = await snapshot();
  const again = await runExport(emu, { ...opts, force: true });
  assert.equal(again.summary.conversations.failed, 0);
  await assertOneRowEach(db, done);
  const after = await snapshot();
  let untouched = 0;
  for (const [id, b] of before) {
    const a = after.get(id)!;
    if (a.content === b.content) {
      assert.equal(a.loadedAt, b.loadedAt, `${id}: the same delivery is not written again`);
      untouched += 1;
    } else assert.ok(a.loadedAt > b.loadedAt, `${id}: changed content replaced`);
  }
  assert.ok(untouched >= done.length / 2, `${untouched} of ${done.length} left alone`);
  // Changed settings (another delivery id): rows replaced, still one per conversation.
  const third = await runExport(emu, { ...opts, formats: ['json'] });
  assert.equal(third.summary.conversations.failed, 0);
  await assertOneRowEach(db, done);
  assert.deepEqual(await phraseHits(db, 'cancel my account'), want);
});

function runExportCli(
  emu: RunningEmulator,
  args: string[],
  killAfterMs?: number,
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [CLI, 'export', ...args], {
    env: { ...process.env, GENESYSCLOUD_OAUTHCLIENT_SECRET: emu.clientSecret },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  if (killAfterMs !== undefined) setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
}

test(
  'killed with SIGKILL three times, resumed: exactly one row per conversation',
  { timeout: 240_000 },
  async (t) => {
    const { url, db } = await testDatabase(t);
    // Paced by the client's own ceiling (about 9 calls a second, a run takes ~15 s): the kills land mid-run.
    const emu = await startEmulator({
      conversations: 60,
      seed: 23,
      audioBytes: { min: 1024, max: 4096 },
      transcodeMs: 0,
      rateLimit: { perWindow: 600, windowMs: 60_000 },
    });
    t.after(() => emu.close());
    const work = await tempDir(t, 'gt-pg-kill-');
    const [from, to] = emu.interval.split('/');
    const args = [
      ...connectionArgs(emu),
      '--from',
      from!,
      '--to',
      to!,
      '--out',
      join(work, 'out'),
      '--state-dir',
      join(work, 'state'),
      '--sink',
      url,
      '--concurrency',
      '4',
      '--rate-limit',
      '600',
      '--json',
    ];
    // Each run is killed once PostgreSQL holds a few more conversations than before: mid-run, by construction.
    const loaded = () =>
      count(
        db,
        `SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'conversations'`,
      ).then((n) => (n === 0 ? 0 : count(db, 'SELECT count(*) AS n FROM conversations')));
    for (const target of [5, 20, 35]) {
      const child = spawn(process.execPath, [CLI, 'export', ...args], {
        env: { ...process.env, GENESYSCLOUD_OAUTHCLIENT_SECRET: emu.clientSecret },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-12000)));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      const deadline = Date.now() + 60_000;
      while ((await loaded()) < target && child.exitCode === null) {
        if (Date.now() > deadline) {
          const act = await db.query(
            `SELECT state, wait_event_type, wait_event, left(query, 80) AS q FROM pg_stat_activity WHERE datname = current_database()`,
          );
          assert.fail(`${target} conversations never loaded: ${JSON.stringify(act.rows)}\n${stderr}`);
        }
        await sleep(25);
      }
      child.kill('SIGKILL');
      assert.notEqual(await exited, 0, 'the kill landed before the export finished');
    }
    const between = await count(db, 'SELECT count(*) AS n FROM conversations');
    assert.ok(between > 0 && between < 60, `${between} conversations loaded before the final run`);
    const last = await runExportCli(emu, args, 90_000);
    assert.equal(last.code, 0, last.stderr.slice(-3000));
    const ids = emu.dataset.conversationIds();
    await assertOneRowEach(db, ids);
    assert.deepEqual(
      await phraseHits(db, 'cancel my account'),
      expectedWithPhrase(emu, ids, 'cancel my account'),
    );
    t.diagnostic(`${between} of 60 conversations were in PostgreSQL after three kills`);
  },
);

test(
  'three distributed workers (one killed with SIGKILL) load each conversation exactly once',
  { timeout: 180_000 },
  async (t) => {
    const { url, db } = await testDatabase(t);
    const redis = await testRedis(t);
    const prefix = uniquePrefix(t, 'pg');
    const conversations = 90;
    const emu = await startEmulator({
      seed: 29,
      conversations,
      audioBytes: { min: 1024, max: 4096 },
      transcodeMs: 0,
      rateLimit: { perWindow: 100, windowMs: 2000 },
    });
    t.after(() => emu.close());
    const work = await tempDir(t, 'gt-pg-workers-');
    const env = { GENESYSCLOUD_OAUTHCLIENT_SECRET: emu.clientSecret };
    const queueArgs = queueCliArgs({
      dir: work,
      emu,
      rateLimitPerMinute: 3000,
      redisUrl: REDIS_URL,
      prefix,
      windowMs: 2000,
    });
    // Each worker its own folders (as on three machines); one database.
    const workerArgs = (tag: string) => [
      ...queueArgs,
      '--out',
      join(work, tag, 'out'),
      '--state-dir',
      join(work, tag, 'state'),
      '--sink',
      url,
      '--concurrency',
      '3',
      '--lock-duration-ms',
      '3000',
      '--stalled-interval-ms',
      '1000',
    ];
    const workers: CliWorker[] = await Promise.all(
      ['w0', 'w1', 'w2'].map((tag) => spawnCliWorker(tag, workerArgs(tag), env)),
    );
    t.after(() => stopWorkers(workers));
    const [from, to] = emu.interval.split('/');
    const enqueued = JSON.parse(
      await runCli(['enqueue', ...queueArgs, '--from', from!, '--to', to!, '--json'], env),
    ) as { added: number };
    assert.equal(enqueued.added, conversations);

    const deadline = Date.now() + 150_000;
    const w0 = workers[0]!;
    while (w0.completed().length < 8) {
      assert.ok(Date.now() < deadline, `w0 never got going:\n${w0.stderrTail()}`);
      await sleep(20);
    }
    w0.proc.kill('SIGKILL');
    await w0.exited;
    for (;;) {
      const s = await queueStatus({ redis, prefix });
      if (s.counts.completed + s.counts.failed >= conversations) break;
      assert.ok(Date.now() < deadline, `not finished: ${JSON.stringify(s.counts)}`);
      await sleep(200);
    }
    const status = await queueStatus({ redis, prefix });
    assert.equal(status.counts.failed, 0, JSON.stringify(status.failed));
    await stopWorkers(workers);
    const ids = emu.dataset.conversationIds();
    await assertOneRowEach(db, ids);
    assert.deepEqual(
      await phraseHits(db, 'cancel my account'),
      expectedWithPhrase(emu, ids, 'cancel my account'),
    );
    t.diagnostic(`per worker: ${workers.map((w) => `${w.tag}=${w.completed().length}`).join(' ')}`);
  },
);
