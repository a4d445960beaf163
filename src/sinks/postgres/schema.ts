// The PostgreSQL sink's schema, created and migrated by the tool itself. Each migration runs once,
// in its own transaction, recorded in schema_migrations; an advisory lock makes concurrent workers
// take turns, so the first one migrates and the others find it done. Add a migration at the end,
// never edit one that shipped. The README documents the tables.
import type { PoolClient } from 'pg';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'conversations, participants, recordings, utterances',
    sql: `
CREATE TABLE conversations (
  conversation_id    text PRIMARY KEY,
  delivery_id        text NOT NULL,
  content_sha256     text NOT NULL,
  conversation_start timestamptz NOT NULL,
  conversation_end   timestamptz,
  duration_ms        bigint,
  direction          text,
  media_types        text[] NOT NULL,
  language           text,
  queue_ids          text[] NOT NULL,
  queue_names        text[] NOT NULL,
  redaction_applied  boolean NOT NULL,
  redaction_counts   jsonb NOT NULL,
  skipped            jsonb NOT NULL,
  manifest           jsonb NOT NULL,
  exported_at        timestamptz NOT NULL,
  loaded_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conversations_start ON conversations (conversation_start);

CREATE TABLE participants (
  conversation_id text NOT NULL REFERENCES conversations ON DELETE CASCADE,
  position        integer NOT NULL,
  participant_id  text,
  purpose         text NOT NULL,
  role            text NOT NULL,
  user_id         text,
  name            text,
  queue_ids       text[] NOT NULL,
  PRIMARY KEY (conversation_id, position)
);
CREATE INDEX participants_user ON participants (user_id) WHERE user_id IS NOT NULL;

CREATE TABLE recordings (
  conversation_id text NOT NULL REFERENCES conversations ON DELETE CASCADE,
  item            text NOT NULL,
  recording_id    text,
  channel         text,
  status          text NOT NULL CHECK (status IN ('exported', 'skipped')),
  reason          text,
  detail          text,
  file_name       text,
  content_type    text,
  size_bytes      bigint,
  sha256          text,
  PRIMARY KEY (conversation_id, item)
);

CREATE TABLE utterances (
  conversation_id        text NOT NULL REFERENCES conversations ON DELETE CASCADE,
  transcript             integer NOT NULL,
  segment                integer NOT NULL,
  media_type             text NOT NULL,
  communication_id       text,
  recording_id           text,
  language               text,
  speaker_role           text NOT NULL,
  speaker_participant_id text,
  speaker_user_id        text,
  speaker_name           text,
  started_at             timestamptz NOT NULL,
  start_ms               integer NOT NULL,
  end_ms                 integer NOT NULL,
  text                   text NOT NULL,
  redactions             jsonb NOT NULL,
  text_search            tsvector GENERATED ALWAYS AS (to_tsvector('simple', text)) STORED,
  PRIMARY KEY (conversation_id, transcript, segment)
);
CREATE INDEX utterances_text_search ON utterances USING GIN (text_search);
CREATE INDEX utterances_started_at ON utterances (started_at);
`,
  },
];

/** Any constant: the lock that serialises migrations across processes. */
const MIGRATION_LOCK = 0x67745f70; // "gt_p"

export async function migrate(client: PoolClient): Promise<number[]> {
  const applied: number[] = [];
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
  try {
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    integer PRIMARY KEY,
      name       text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const done = new Set(rows.map((r) => r.version));
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
          m.version,
          m.name,
        ]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      }
      applied.push(m.version);
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
  }
  return applied;
}
