// The export's review index: one SQLite database (node:sqlite) in DIR/review/index.db holding a
// row per conversation (what the index page lists) and every transcript line in an FTS5 full-text
// index (what `search` queries). Only redacted text is ever indexed: an export made with
// --no-redact gets its conversations listed but none of its text indexed.
// Several processes (distributed workers on one folder) may write at once: every change is one
// IMMEDIATE transaction, so SQLite serialises them.
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { orderedTranscripts, rowOf, type ReviewEntry, type ReviewRow } from './entry.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS conversations (
  id TEXT PRIMARY KEY,
  bucket TEXT NOT NULL,
  start TEXT NOT NULL,
  media TEXT NOT NULL,
  queues TEXT NOT NULL,
  agents TEXT NOT NULL,
  row TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS conversations_bucket ON conversations (bucket, start, id);
CREATE TABLE IF NOT EXISTS utterances (
  id INTEGER PRIMARY KEY,
  conversation_id TEXT NOT NULL,
  transcript INTEGER NOT NULL,
  segment INTEGER NOT NULL,
  start_ms INTEGER NOT NULL,
  end_ms INTEGER NOT NULL,
  role TEXT NOT NULL,
  speaker TEXT NOT NULL,
  media_type TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS utterances_conversation ON utterances (conversation_id);
CREATE VIRTUAL TABLE IF NOT EXISTS utterance_text USING fts5 (text, tokenize = 'unicode61 remove_diacritics 2');
CREATE TABLE IF NOT EXISTS stale_files (name TEXT PRIMARY KEY);
`;

/** The index page's entry in stale_files (a bucket's entry is its name: hours never collide with it). */
export const INDEX_PAGE = 'index.html';

/** Rows are grouped by the hour the conversation started (UTC): one small data file per hour. */
export function bucketOf(start: string): string {
  const d = new Date(start);
  return Number.isNaN(d.getTime()) ? 'unknown' : d.toISOString().slice(0, 13);
}

export class ReviewStore {
  readonly db: DatabaseSync;
  /** Statements compiled once per opening (preparing costs more than running them). */
  private readonly statements = new Map<string, StatementSync>();

  constructor(path: string) {
    this.db = new DatabaseSync(path);
    this.db.exec('PRAGMA busy_timeout = 30000');
    this.db.exec('PRAGMA journal_mode = WAL');
    this.db.exec('PRAGMA synchronous = NORMAL');
    this.db.exec(SCHEMA);
  }

  private sql(text: string): StatementSync {
    let st = this.statements.get(text);
    if (!st) this.statements.set(text, (st = this.db.prepare(text)));
    return st;
  }

  /** Runs `fn` in one IMMEDIATE transaction (the write lock taken up front, so no deadlock on upgrade). */
  transaction<T>(fn: () => T): T {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const out = fn();
      this.db.exec('COMMIT');
      return out;
    } catch (err) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      throw err;
    }
  }

  /** Replaces the conversation's row and lines; returns whether its hour is new to the index. */
  upsert(entry: ReviewEntry): { row: ReviewRow; bucket: string; newBucket: boolean } {
    const row = rowOf(entry);
    const bucket = bucketOf(row.start);
    const known = this.sql('SELECT 1 FROM conversations WHERE bucket = ? LIMIT 1').get(bucket);
    this.sql(
      `INSERT INTO conversations (id, bucket, start, media, queues, agents, row) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET bucket = excluded.bucket, start = excluded.start, media = excluded.media,
           queues = excluded.queues, agents = excluded.agents, row = excluded.row`,
    ).run(
      row.id,
      bucket,
      row.start,
      JSON.stringify(row.media),
      JSON.stringify(row.queues),
      JSON.stringify(row.agents),
      JSON.stringify(row),
    );
    this.replaceLines(entry);
    // The bucket's rows file (and the index page, for a new hour) now lag the database: recorded in
    // the same transaction, so a process killed before it rewrites them leaves the mark for the next.
    this.markStale(bucket);
    if (known === undefined) this.markStale(INDEX_PAGE);
    return { row, bucket, newBucket: known === undefined };
  }

  private replaceLines(entry: ReviewEntry): void {
    const id = entry.manifest.conversationId;
    this.sql(
      'DELETE FROM utterance_text WHERE rowid IN (SELECT id FROM utterances WHERE conversation_id = ?)',
    ).run(id);
    this.sql('DELETE FROM utterances WHERE conversation_id = ?').run(id);
    // The index never holds unredacted text.
    if (!entry.manifest.redaction.applied) return;
    const line = this.sql(
      `INSERT INTO utterances (conversation_id, transcript, segment, start_ms, end_ms, role, speaker, media_type)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const text = this.sql('INSERT INTO utterance_text (rowid, text) VALUES (?, ?)');
    orderedTranscripts(entry).forEach((t, ti) => {
      if (!t.redaction.applied) return;
      for (const s of t.segments) {
        const speaker = s.speaker.role === 'customer' ? '' : (s.speaker.name ?? s.speaker.userId ?? '');
        const { lastInsertRowid } = line.run(
          id,
          ti,
          s.index,
          Math.round(s.startMs),
          Math.round(s.endMs),
          s.speaker.role,
          speaker,
          t.mediaType,
        );
        text.run(lastInsertRowid, [s.meta?.subject, s.text].filter(Boolean).join('\n'));
      }
    });
  }

  markStale(name: string): void {
    this.sql('INSERT OR IGNORE INTO stale_files (name) VALUES (?)').run(name);
  }

  /** Files (bucket names, or INDEX_PAGE) that no longer match the database. */
  staleFiles(): string[] {
    return this.sql('SELECT name FROM stale_files ORDER BY name')
      .all()
      .map((r) => String(r.name));
  }

  clearStale(): void {
    this.sql('DELETE FROM stale_files').run();
  }

  rowsIn(bucket: string): ReviewRow[] {
    return this.sql('SELECT row FROM conversations WHERE bucket = ? ORDER BY start, id')
      .all(bucket)
      .map((r) => JSON.parse(String(r.row)) as ReviewRow);
  }

  buckets(): string[] {
    return this.sql('SELECT DISTINCT bucket FROM conversations ORDER BY bucket')
      .all()
      .map((r) => String(r.bucket));
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}
