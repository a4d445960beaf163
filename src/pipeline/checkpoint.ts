// The checkpoint is what lets an hours-long export survive `kill -9` and resume without
// re-delivering anything. It is an embedded SQLite file (node:sqlite, no server):
// - WAL + synchronous=FULL: once a write returns it is on disk, a crash loses nothing committed;
// - every method is one statement or one transaction, so the file is always consistent;
// - deliveries are recorded per (conversation, sink): the pipeline asks `isDelivered` before it
//   hands a bundle to a sink, which is how "never deliver twice" survives a restart.
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { asDiskFull, GtError } from '../errors.ts';
import { processAlive } from './lock.ts';

export const DEFAULT_CHECKPOINT_PATH = './export/.genesys-transcripts/checkpoint.db';
export const CHECKPOINT_NAME = 'checkpoint.db';

export type ConversationState = 'pending' | 'in_progress' | 'done' | 'failed' | 'skipped';
export const CONVERSATION_STATES: readonly ConversationState[] = [
  'pending',
  'in_progress',
  'done',
  'failed',
  'skipped',
];

export interface ConversationRecord {
  conversationId: string;
  state: ConversationState;
  attempts: number;
  /** Error code + short message, never PII (callers pass `CODE: message`). */
  lastError?: string;
  startedAt?: string;
  conversationStart?: string;
  updatedAt: string;
  /** Names of the sinks this conversation was delivered to. */
  deliveredTo: string[];
}

/** Where the audit log stood at the end of a run: what `verify-audit` checks the log's tail against. */
export interface AuditAnchor {
  runId: string;
  seq: number;
  hash: string;
  at: string;
}

/** Something skipped with a reason (a whole conversation, a recording, a transcript), for `status --skipped`. */
export interface SkippedItem {
  conversationId: string;
  kind: string;
  itemId: string | null;
  reason: string;
  detail: string | null;
  at: string;
}

export interface DeliveryRecord {
  sink: string;
  deliveryId: string;
  receipt: unknown;
  deliveredAt: string;
}

export interface RunRecord {
  runId: string;
  startedAt: string;
  finishedAt?: string;
  params: unknown;
  summary?: unknown;
}

const SCHEMA_NAME = 'genesys-transcripts-checkpoint';
const SCHEMA_VERSION = 1;
/** Rows fetched per page by toDo(): bounded memory whatever the size of the backlog. */
const PAGE_SIZE = 500;
/** Sort key for conversations whose start time is unknown: after every real date. */
const UNKNOWN_START = '9999-12-31T23:59:59.999Z';
const MAX_ERROR_LENGTH = 500;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
  run_id TEXT PRIMARY KEY,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  params TEXT NOT NULL,
  summary TEXT
);
CREATE TABLE IF NOT EXISTS conversations (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  conversation_id TEXT NOT NULL UNIQUE,
  state TEXT NOT NULL CHECK (state IN ('pending','in_progress','done','failed','skipped')),
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  started_at TEXT,
  conversation_start TEXT,
  sort_start TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  owner_session TEXT,
  owner_pid INTEGER
);
CREATE INDEX IF NOT EXISTS conversations_todo ON conversations (sort_start, seq) WHERE state IN ('pending','failed','in_progress');
CREATE TABLE IF NOT EXISTS deliveries (
  conversation_id TEXT NOT NULL,
  sink TEXT NOT NULL,
  delivery_id TEXT NOT NULL,
  receipt TEXT NOT NULL,
  delivered_at TEXT NOT NULL,
  PRIMARY KEY (conversation_id, sink)
);
CREATE TABLE IF NOT EXISTS skipped_items (
  conversation_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  item_id TEXT,
  reason TEXT NOT NULL,
  detail TEXT,
  at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS skipped_items_reason ON skipped_items (reason, conversation_id);
CREATE INDEX IF NOT EXISTS skipped_items_conversation ON skipped_items (conversation_id);
`;

interface ConversationRow {
  seq: number;
  conversation_id: string;
  state: ConversationState;
  attempts: number;
  last_error: string | null;
  started_at: string | null;
  conversation_start: string | null;
  sort_start: string;
  updated_at: string;
  owner_session: string | null;
  owner_pid: number | null;
}

function now(): string {
  return new Date().toISOString();
}

/** SQLite saying the file itself is damaged (a corrupt page found mid-run, a truncated file). */
function isCorruption(err: unknown): boolean {
  const e = err as { code?: unknown; errcode?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  // SQLITE_CORRUPT (11), SQLITE_NOTADB (26), and their extended codes.
  const base = typeof e.errcode === 'number' ? e.errcode & 0xff : undefined;
  return base === 11 || base === 26 || /malformed|not a database|corrupt/i.test(String(e.message));
}

/** One line, whatever SQLite said: the CLI prints GtError messages as a single line. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 300);
}

/** A storage failure of the checkpoint as a typed error: DISK_FULL, or CHECKPOINT for a damaged file. */
function asCheckpointFailure(err: unknown, path: string): unknown {
  const full = asDiskFull(err, 'the checkpoint (state directory)');
  if (full !== err || err instanceof GtError || !isCorruption(err)) return full;
  return checkpointError(path, `the file is damaged (${oneLine(String((err as Error).message))})`, err);
}

/** A prepared statement whose "disk is full" failures come out as DISK_FULL, not a bare SQLite error. */
function guarded(stmt: StatementSync, path: string): StatementSync {
  return new Proxy(stmt, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        try {
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        } catch (err) {
          throw asCheckpointFailure(err, path);
        }
      };
    },
  });
}

function checkpointError(path: string, reason: string, cause?: unknown): GtError {
  return new GtError(
    'CHECKPOINT',
    `${path} is not a usable checkpoint database: ${oneLine(reason)}; restore it from a backup, or move it away and re-run with --force (everything is delivered again)`,
    { path },
    cause ? { cause } : undefined,
  );
}

export class CheckpointStore {
  private readonly db: DatabaseSync;
  /** Identifies this open store: an in_progress row owned by another, dead session is stale. */
  private readonly session = randomUUID();
  private readonly stmts: Record<string, StatementSync>;

  private readonly path: string;

  private constructor(db: DatabaseSync, path: string) {
    this.db = db;
    this.path = path;
    const p = (sql: string) => guarded(db.prepare(sql), path);
    this.stmts = {
      insert: p(
        `INSERT INTO conversations (conversation_id, state, attempts, conversation_start, sort_start, updated_at)
         VALUES (?, 'pending', 0, ?, ?, ?) ON CONFLICT (conversation_id) DO NOTHING`,
      ),
      fillStart: p(
        `UPDATE conversations SET conversation_start = ?, sort_start = ? WHERE conversation_id = ? AND conversation_start IS NULL`,
      ),
      get: p(`SELECT * FROM conversations WHERE conversation_id = ?`),
      deliveredTo: p(`SELECT sink FROM deliveries WHERE conversation_id = ? ORDER BY delivered_at, sink`),
      claim: p(
        `UPDATE conversations SET state = 'in_progress', attempts = attempts + 1, started_at = ?, updated_at = ?,
           owner_session = ?, owner_pid = ? WHERE conversation_id = ?`,
      ),
      setState: p(
        `UPDATE conversations SET state = ?, last_error = ?, updated_at = ?, owner_session = NULL, owner_pid = NULL WHERE conversation_id = ?`,
      ),
      recordDelivery: p(
        `INSERT INTO deliveries (conversation_id, sink, delivery_id, receipt, delivered_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (conversation_id, sink) DO UPDATE SET delivery_id = excluded.delivery_id,
           receipt = excluded.receipt, delivered_at = excluded.delivered_at`,
      ),
      isDelivered: p(`SELECT 1 AS hit FROM deliveries WHERE conversation_id = ? AND sink = ?`),
      isDeliveredAs: p(
        `SELECT 1 AS hit FROM deliveries WHERE conversation_id = ? AND sink = ? AND delivery_id = ?`,
      ),
      delivery: p(`SELECT * FROM deliveries WHERE conversation_id = ? AND sink = ?`),
      forgetDelivery: p(`DELETE FROM deliveries WHERE conversation_id = ? AND sink = ?`),
      deliveredToSink: p(`SELECT * FROM deliveries WHERE sink = ? ORDER BY conversation_id`),
      reopen: p(
        `UPDATE conversations SET state = 'pending', last_error = NULL, updated_at = ?, owner_session = NULL, owner_pid = NULL
         WHERE conversation_id = ? AND state IN ('done','skipped')`,
      ),
      clearSkips: p(`DELETE FROM skipped_items WHERE conversation_id = ?`),
      addSkip: p(
        `INSERT INTO skipped_items (conversation_id, kind, item_id, reason, detail, at) VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      skipsByReason: p(
        `SELECT * FROM skipped_items WHERE reason = ? ORDER BY conversation_id, kind, item_id LIMIT ?`,
      ),
      skipReasons: p(`SELECT reason, COUNT(*) AS n FROM skipped_items GROUP BY reason ORDER BY reason`),
      getMeta: p(`SELECT value FROM meta WHERE key = ?`),
      setMeta: p(
        `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      ),
      todoPage: p(
        `SELECT * FROM conversations WHERE state IN ('pending','failed','in_progress') AND (sort_start, seq) > (?, ?)
         ORDER BY sort_start, seq LIMIT ${PAGE_SIZE}`,
      ),
      counts: p(`SELECT state, COUNT(*) AS n FROM conversations GROUP BY state`),
      startRun: p(`INSERT INTO runs (run_id, started_at, params) VALUES (?, ?, ?)`),
      finishRun: p(`UPDATE runs SET finished_at = ?, summary = ? WHERE run_id = ?`),
      runs: p(`SELECT * FROM runs ORDER BY started_at, run_id`),
    };
  }

  /**
   * Opens (creating if needed) the checkpoint at `path`. An existing file must be a checkpoint
   * of a schema version this code knows; anything else is a CHECKPOINT error rather than a
   * silent "start from scratch", which would re-deliver everything.
   */
  static open(path: string): CheckpointStore {
    const isNew = path === ':memory:' || !existsSync(path) || statSync(path).size === 0;
    if (path !== ':memory:') {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      // Created 0600 before SQLite opens it: its -wal and -shm files take the database's mode.
      if (isNew) closeSync(openSync(path, 'a', 0o600));
    }
    let db: DatabaseSync;
    try {
      db = new DatabaseSync(path);
    } catch (err) {
      throw checkpointError(path, 'cannot open', err);
    }
    try {
      db.exec('PRAGMA busy_timeout = 5000');
      if (!isNew) CheckpointStore.validate(db, path);
      db.exec('PRAGMA journal_mode = WAL');
      // NORMAL in WAL mode: a killed process never loses a committed row; only a power loss can
      // drop the last few commits, and redoing those is safe (deterministic sink paths, the same
      // webhook-id for the same conversation). FULL cost an fsync per row (~1 ms each).
      db.exec('PRAGMA synchronous = NORMAL');
      db.exec('PRAGMA foreign_keys = ON');
      db.exec('BEGIN IMMEDIATE');
      db.exec(SCHEMA);
      db.prepare(`INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', ?), ('version', ?)`).run(
        SCHEMA_NAME,
        String(SCHEMA_VERSION),
      );
      db.exec('COMMIT');
      return new CheckpointStore(db, path);
    } catch (err) {
      try {
        if (db.isTransaction) db.exec('ROLLBACK');
        db.close();
      } catch {
        // Already failing: the original error is the one worth reporting.
      }
      if (err instanceof GtError) throw err;
      throw checkpointError(path, err instanceof Error ? err.message : String(err), err);
    }
  }

  private static validate(db: DatabaseSync, path: string): void {
    let tables: string[];
    try {
      tables = (
        db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]
      ).map((r) => r.name);
    } catch (err) {
      // "file is not a database": some other file was given as --checkpoint.
      throw checkpointError(path, 'not an SQLite database', err);
    }
    // No table at all: a run killed after SQLite wrote its header but before the schema's
    // transaction committed. Such a file holds no state, so it is opened as a new checkpoint.
    if (tables.length === 0) return;
    if (!tables.includes('meta'))
      throw checkpointError(path, 'an SQLite database without a checkpoint schema');
    const meta = new Map(
      (db.prepare(`SELECT key, value FROM meta`).all() as { key: string; value: string }[]).map((r) => [
        r.key,
        r.value,
      ]),
    );
    if (meta.get('schema') !== SCHEMA_NAME)
      throw checkpointError(path, 'an SQLite database without a checkpoint schema');
    const version = Number(meta.get('version'));
    CheckpointStore.quickCheck(db, path);
    if (!Number.isInteger(version) || version > SCHEMA_VERSION || version < 1) {
      throw checkpointError(
        path,
        `schema version ${meta.get('version') ?? '?'} is not supported (this version reads ${SCHEMA_VERSION})`,
      );
    }
  }

  /** A damaged page anywhere in the file is found now, as one CHECKPOINT error, not mid-run. */
  private static quickCheck(db: DatabaseSync, path: string): void {
    let rows: { quick_check?: string }[];
    try {
      rows = db.prepare('PRAGMA quick_check(1)').all() as { quick_check?: string }[];
    } catch (err) {
      throw checkpointError(path, `the file is damaged (${String((err as Error).message)})`, err);
    }
    const first = rows[0]?.quick_check;
    if (first !== 'ok') throw checkpointError(path, `the file is damaged (${first ?? 'no answer'})`);
  }

  startRun(params: Record<string, unknown>): string {
    // A UUID, not a timestamp: digit runs would trip the audit log's PII screen, and runs() sorts by start.
    const runId = `run_${randomUUID()}`;
    this.stmts.startRun!.run(runId, now(), JSON.stringify(params));
    return runId;
  }

  finishRun(runId: string, summary: Record<string, unknown>): void {
    this.stmts.finishRun!.run(now(), JSON.stringify(summary), runId);
  }

  /** Records a conversation as pending if it is not known yet; true when newly added. */
  discovered(conversationId: string, conversationStart?: string): boolean {
    const sortStart = conversationStart ?? UNKNOWN_START;
    const { changes } = this.stmts.insert!.run(conversationId, conversationStart ?? null, sortStart, now());
    // A conversation first seen by ID alone learns its start time when discovery sees it again.
    if (changes === 0 && conversationStart)
      this.stmts.fillStart!.run(conversationStart, sortStart, conversationId);
    return changes > 0;
  }

  get(conversationId: string): ConversationRecord | undefined {
    const row = this.stmts.get!.get(conversationId) as unknown as ConversationRow | undefined;
    return row ? this.toRecord(row) : undefined;
  }

  /**
   * Takes a conversation for work. Returns false when it is done or skipped, or in progress in a
   * live session (this one or another running process). An in_progress row whose owner process
   * is gone was left by a crash and is taken over. Unknown IDs are added first.
   */
  claim(conversationId: string): boolean {
    return this.batch(() => {
      let row = this.stmts.get!.get(conversationId) as unknown as ConversationRow | undefined;
      if (!row) {
        this.discovered(conversationId);
        row = this.stmts.get!.get(conversationId) as unknown as ConversationRow;
      }
      const claimable =
        row.state === 'pending' ||
        row.state === 'failed' ||
        (row.state === 'in_progress' && this.isStale(row));
      if (claimable) {
        const t = now();
        this.stmts.claim!.run(t, t, this.session, process.pid, conversationId);
      }
      return claimable;
    });
  }

  /**
   * Runs `fn` (synchronous) in one transaction: one fsync instead of one per write. Use it for
   * bulk work such as recording a page of discovered conversations (each single call otherwise
   * commits, and fsyncs, on its own). Nested calls join the outer transaction.
   */
  batch<T>(fn: () => T): T {
    if (this.db.isTransaction) return fn();
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = fn();
      this.db.exec('COMMIT');
      return result;
    } catch (err) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      throw asCheckpointFailure(err, this.path);
    }
  }

  markDone(conversationId: string): void {
    this.setState(conversationId, 'done', null);
  }

  markFailed(conversationId: string, error: string): void {
    this.setState(conversationId, 'failed', error.slice(0, MAX_ERROR_LENGTH));
  }

  /** Back to pending with the reason: the next run (or `status`) sees why it is not done yet. */
  markDeferred(conversationId: string, reason: string): void {
    this.setState(conversationId, 'pending', `deferred: ${reason}`.slice(0, MAX_ERROR_LENGTH));
  }

  markSkipped(conversationId: string, reason: string): void {
    this.setState(conversationId, 'skipped', reason.slice(0, MAX_ERROR_LENGTH));
  }

  /** Idempotent: the first receipt per (conversation, sink) is kept. */
  recordDelivery(conversationId: string, sink: string, deliveryId: string, receipt: unknown): void {
    this.stmts.recordDelivery!.run(conversationId, sink, deliveryId, JSON.stringify(receipt ?? null), now());
  }

  /** Delivered to `sink`; with `deliveryId`, delivered as exactly that version (same output settings). */
  isDelivered(conversationId: string, sink: string, deliveryId?: string): boolean {
    if (deliveryId !== undefined)
      return this.stmts.isDeliveredAs!.get(conversationId, sink, deliveryId) !== undefined;
    return this.stmts.isDelivered!.get(conversationId, sink) !== undefined;
  }

  delivery(conversationId: string, sink: string): DeliveryRecord | undefined {
    const row = this.stmts.delivery!.get(conversationId, sink) as
      { sink: string; delivery_id: string; receipt: string; delivered_at: string } | undefined;
    return row ? toDelivery(row) : undefined;
  }

  /** The destination no longer holds it (deleted, damaged): the next delivery goes through again. */
  forgetDelivery(conversationId: string, sink: string): void {
    this.stmts.forgetDelivery!.run(conversationId, sink);
  }

  /** Every conversation recorded as delivered to `sink` (for `verify`). */
  *deliveredTo(sink: string): IterableIterator<{ conversationId: string } & DeliveryRecord> {
    for (const row of this.stmts.deliveredToSink!.iterate(sink)) {
      const r = row as {
        conversation_id: string;
        sink: string;
        delivery_id: string;
        receipt: string;
        delivered_at: string;
      };
      yield { conversationId: r.conversation_id, ...toDelivery(r) };
    }
  }

  /** The sinks any delivery is recorded for (the destinations this state has seen). */
  sinkNames(): string[] {
    return (
      this.db.prepare(`SELECT DISTINCT sink FROM deliveries ORDER BY sink`).all() as { sink: string }[]
    ).map((r) => r.sink);
  }

  /**
   * Every delivery recorded for sink `from` becomes one for `to`, each receipt rewritten by
   * `receipt`; one transaction. Rows `to` already has are left as they are.
   */
  renameSink(from: string, to: string, receipt: (r: unknown) => unknown): void {
    const rows = this.db
      .prepare(`SELECT conversation_id, receipt FROM deliveries WHERE sink = ?`)
      .all(from) as { conversation_id: string; receipt: string }[];
    const update = this.db.prepare(
      `UPDATE OR IGNORE deliveries SET sink = ?, receipt = ? WHERE conversation_id = ? AND sink = ?`,
    );
    this.db.exec('BEGIN IMMEDIATE');
    try {
      for (const r of rows)
        update.run(to, JSON.stringify(receipt(JSON.parse(r.receipt)) ?? null), r.conversation_id, from);
      this.db.prepare(`DELETE FROM deliveries WHERE sink = ?`).run(from);
      this.db.exec('COMMIT');
    } catch (err) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      throw err;
    }
  }

  /** A small JSON value kept beside the state (e.g. the absolute roots a destination had before). */
  meta(key: string): unknown {
    const row = this.stmts.getMeta!.get(key) as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as unknown) : undefined;
  }

  setMeta(key: string, value: unknown): void {
    this.stmts.setMeta!.run(key, JSON.stringify(value));
  }

  /** A done or skipped conversation becomes pending again (a new destination, --force, a repair). */
  reopen(conversationId: string): void {
    this.stmts.reopen!.run(now(), conversationId);
  }

  /** Replaces what was skipped in this conversation (its latest outcome is what counts). */
  recordSkips(
    conversationId: string,
    items: { kind: string; id?: string | undefined; reason: string; detail?: string | undefined }[],
  ): void {
    this.batch(() => {
      this.stmts.clearSkips!.run(conversationId);
      const t = now();
      for (const i of items)
        this.stmts.addSkip!.run(
          conversationId,
          i.kind,
          i.id ?? null,
          i.reason.slice(0, MAX_ERROR_LENGTH),
          i.detail?.slice(0, MAX_ERROR_LENGTH) ?? null,
          t,
        );
    });
  }

  skippedFor(reason: string, limit = 1000): SkippedItem[] {
    return (this.stmts.skipsByReason!.all(reason, limit) as Record<string, string | null>[]).map((r) => ({
      conversationId: r.conversation_id!,
      kind: r.kind!,
      itemId: r.item_id ?? null,
      reason: r.reason!,
      detail: r.detail ?? null,
      at: r.at!,
    }));
  }

  skipReasons(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.stmts.skipReasons!.all() as { reason: string; n: number }[]) out[r.reason] = r.n;
    return out;
  }

  /** Records where the audit log ends at the end of a run: its length is then anchored outside itself. */
  anchorAudit(anchor: Omit<AuditAnchor, 'at'>): void {
    this.stmts.setMeta!.run('audit.anchor', JSON.stringify({ ...anchor, at: now() }));
  }

  auditAnchor(): AuditAnchor | undefined {
    const row = this.stmts.getMeta!.get('audit.anchor') as { value: string } | undefined;
    if (!row) return undefined;
    try {
      return JSON.parse(row.value) as AuditAnchor;
    } catch {
      throw checkpointError(this.path, 'its audit anchor is not JSON');
    }
  }

  /**
   * Conversations to (re)do, oldest conversation first: pending, failed, and in_progress rows
   * left by a crashed process. Read in pages by key (not one long-lived cursor), so callers may
   * claim/mark rows while iterating and memory stays bounded.
   */
  *toDo(): IterableIterator<ConversationRecord> {
    let after: [string, number] = ['', 0];
    for (;;) {
      const rows = this.stmts.todoPage!.all(after[0], after[1]) as unknown as ConversationRow[];
      for (const row of rows) {
        if (row.state === 'in_progress' && !this.isStale(row)) continue;
        yield this.toRecord(row);
      }
      const last = rows.at(-1);
      if (!last || rows.length < PAGE_SIZE) return;
      after = [last.sort_start, last.seq];
    }
  }

  counts(): Record<ConversationState, number> {
    const out = Object.fromEntries(CONVERSATION_STATES.map((s) => [s, 0])) as Record<
      ConversationState,
      number
    >;
    for (const row of this.stmts.counts!.all() as { state: ConversationState; n: number }[])
      out[row.state] = row.n;
    return out;
  }

  runs(): RunRecord[] {
    const rows = this.stmts.runs!.all() as {
      run_id: string;
      started_at: string;
      finished_at: string | null;
      params: string;
      summary: string | null;
    }[];
    return rows.map((r) => ({
      runId: r.run_id,
      startedAt: r.started_at,
      ...(r.finished_at ? { finishedAt: r.finished_at } : {}),
      params: JSON.parse(r.params) as unknown,
      ...(r.summary !== null ? { summary: JSON.parse(r.summary) as unknown } : {}),
    }));
  }

  /** Failed conversations with their last error, for `status`. Streamed like toDo(). */
  *failed(): IterableIterator<ConversationRecord> {
    for (const row of this.db
      .prepare(`SELECT * FROM conversations WHERE state = 'failed' ORDER BY sort_start, seq`)
      .iterate()) {
      yield this.toRecord(row as unknown as ConversationRow);
    }
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }

  private setState(conversationId: string, state: ConversationState, detail: string | null): void {
    const { changes } = this.stmts.setState!.run(state, detail, now(), conversationId);
    if (changes === 0)
      throw new GtError('CHECKPOINT', `conversation ${conversationId} is not in the checkpoint`, {
        conversationId,
      });
  }

  private isStale(row: ConversationRow): boolean {
    if (row.owner_session === this.session) return false;
    // No owner recorded, or the owning process is gone (or the pid now belongs to us): a crash.
    return row.owner_pid === null || row.owner_pid === process.pid || !processAlive(row.owner_pid);
  }

  private toRecord(row: ConversationRow): ConversationRecord {
    const deliveredTo = (this.stmts.deliveredTo!.all(row.conversation_id) as { sink: string }[]).map(
      (r) => r.sink,
    );
    return {
      conversationId: row.conversation_id,
      state: row.state,
      attempts: row.attempts,
      ...(row.last_error !== null ? { lastError: row.last_error } : {}),
      ...(row.started_at !== null ? { startedAt: row.started_at } : {}),
      ...(row.conversation_start !== null ? { conversationStart: row.conversation_start } : {}),
      updatedAt: row.updated_at,
      deliveredTo,
    };
  }
}

function toDelivery(r: {
  sink: string;
  delivery_id: string;
  receipt: string;
  delivered_at: string;
}): DeliveryRecord {
  let receipt: unknown = null;
  try {
    receipt = JSON.parse(r.receipt);
  } catch {
    // A receipt is informative only.
  }
  return { sink: r.sink, deliveryId: r.delivery_id, receipt, deliveredAt: r.delivered_at };
}
