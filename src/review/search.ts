// `search`: a phrase over the export's full-text index (review/index.db, FTS5), narrowed by date,
// agent, queue, media type and speaker. The index holds redacted text only, so a hit can never
// show a value the export redacted. Each hit names the moment it was said and links to it.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import { GtError } from '../errors.ts';
import { ALL_PII_ENTITIES } from '../pipeline/transform/redact/index.ts';
import { pagePath } from './entry.ts';
import { clock } from './html/escape.ts';
import { INDEX_DB } from './site.ts';

export interface SearchFilters {
  /** ISO-8601 instants (or dates): conversations that started in [from, to). */
  from?: string;
  to?: string;
  /** An agent's user ID, or part of their name (case-insensitive). */
  agent?: string;
  /** A queue ID, or part of its name (case-insensitive). */
  queue?: string;
  mediaType?: string;
  speaker?: 'customer' | 'agent';
  limit?: number;
}

export interface SearchHit {
  conversationId: string;
  conversationStart: string;
  mediaType: string;
  speaker: { role: string; name?: string };
  offsetMs: number;
  /** HH:MM:SS into the transcript (the recording, for calls). */
  offset: string;
  /** The matched words between « and », with some context. */
  snippet: string;
  /** The review page at that line, relative to the export folder. */
  page: string;
}

/** The user's words as one FTS5 phrase: quotes doubled, so nothing they type is query syntax. */
export function phraseQuery(text: string): string {
  return `"${text.replace(/"/g, '""')}"`;
}

/** The names inside the redaction placeholders the index holds: `[CARD]`, `[BANK_ACCOUNT]`, `[REDACTED]`. */
const PLACEHOLDER_NAMES = new Set<string>([...ALL_PII_ENTITIES, 'REDACTED']);

/**
 * FTS5 marks tokens, and a placeholder is one or more tokens between brackets (`[BANK_ACCOUNT]`
 * is BANK and ACCOUNT), so a search for "card" comes back as `[«CARD»]` and one for "account" as
 * `[BANK_«ACCOUNT»]`. A placeholder stands for one redacted value: it is highlighted whole when
 * any part of it matched, `«[CARD]»`, the marks moved to its edges. Whether the text is inside a
 * highlight before and after the placeholder is unchanged, so the marks stay paired.
 */
export function wholePlaceholders(snippet: string): string {
  return snippet.replace(/\[[A-Z_«»]+\]/g, (whole: string, at: number, all: string) => {
    const inner = whole.slice(1, -1);
    const name = inner.replace(/[«»]/g, '');
    if (name === inner || !PLACEHOLDER_NAMES.has(name)) return whole;
    // Inside a highlight where the placeholder starts, and where it ends (each mark toggles).
    const before = all.slice(0, at);
    const openAtStart = count(before, '«') > count(before, '»');
    const openAtEnd = (count(inner, '«') + count(inner, '»')) % 2 === 1 ? !openAtStart : openAtStart;
    return `${openAtStart ? '' : '«'}[${name}]${openAtEnd ? '' : '»'}`;
  });
}

function count(text: string, mark: string): number {
  return text.split(mark).length - 1;
}

function instant(value: string, flag: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms))
    throw new GtError(
      'USAGE',
      `${flag} ${value} is not a date: use ISO-8601 like 2026-11-16 or 2026-11-16T08:00:00Z`,
    );
  return new Date(ms).toISOString();
}

function where(filters: SearchFilters): { sql: string[]; params: SQLInputValue[] } {
  const sql: string[] = [];
  const params: SQLInputValue[] = [];
  if (filters.from) {
    sql.push('c.start >= ?');
    params.push(instant(filters.from, '--from'));
  }
  if (filters.to) {
    sql.push('c.start < ?');
    params.push(instant(filters.to, '--to'));
  }
  if (filters.agent) {
    sql.push(`EXISTS (SELECT 1 FROM json_each(c.agents) j WHERE json_extract(j.value, '$.userId') = ?
      OR instr(lower(json_extract(j.value, '$.name')), lower(?)) > 0)`);
    params.push(filters.agent, filters.agent);
  }
  if (filters.queue) {
    sql.push(`EXISTS (SELECT 1 FROM json_each(c.queues) q WHERE json_extract(q.value, '$.id') = ?
      OR instr(lower(json_extract(q.value, '$.name')), lower(?)) > 0)`);
    params.push(filters.queue, filters.queue);
  }
  if (filters.mediaType) {
    sql.push('u.media_type = ?');
    params.push(filters.mediaType);
  }
  if (filters.speaker) {
    sql.push('u.role = ?');
    params.push(filters.speaker);
  }
  return { sql, params };
}

export function searchExport(dir: string, text: string, filters: SearchFilters = {}): SearchHit[] {
  const path = join(resolve(dir), INDEX_DB);
  if (!existsSync(path))
    throw new GtError(
      'USAGE',
      `no search index in ${dir}: run 'genesys-transcripts review ${dir}' to build it`,
    );
  if (text.trim() === '')
    throw new GtError('USAGE', 'search needs a phrase, e.g. search "cancel my account" --out DIR');
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    db.exec('PRAGMA busy_timeout = 10000');
    const w = where(filters);
    const rows = db
      .prepare(
        `SELECT u.conversation_id AS id, u.transcript AS t, u.segment AS s, u.start_ms AS at, u.role AS role,
           u.speaker AS speaker, u.media_type AS media, c.start AS start,
           snippet(utterance_text, 0, '«', '»', '…', 16) AS snippet
         FROM utterance_text
         JOIN utterances u ON u.id = utterance_text.rowid
         JOIN conversations c ON c.id = u.conversation_id
         WHERE utterance_text MATCH ? ${w.sql.map((s) => `AND ${s}`).join(' ')}
         ORDER BY c.start, u.conversation_id, u.transcript, u.start_ms
         LIMIT ?`,
      )
      .all(phraseQuery(text), ...w.params, filters.limit ?? 1000);
    return rows.map((r) => ({
      conversationId: String(r.id),
      conversationStart: String(r.start),
      mediaType: String(r.media),
      speaker: { role: String(r.role), ...(r.speaker ? { name: String(r.speaker) } : {}) },
      offsetMs: Number(r.at),
      offset: clock(Number(r.at)),
      snippet: wholePlaceholders(String(r.snippet).replace(/\s+/g, ' ')),
      page: `${pagePath(String(r.id))}#t${Number(r.t)}-s${Number(r.s)}`,
    }));
  } catch (err) {
    if (err instanceof GtError) throw err;
    throw new GtError('USAGE', `search failed: ${(err as Error).message}`);
  } finally {
    db.close();
  }
}
