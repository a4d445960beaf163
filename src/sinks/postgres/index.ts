// PostgreSQL sink: `--sink postgres://user@host:5432/db`. Each conversation is written in one
// transaction: the conversation row is upserted first (keyed by conversation ID; it takes the row
// lock, so concurrent workers on one conversation take turns), and when the row already holds this
// delivery ID with the same content nothing else is written. Otherwise its participants,
// recordings and utterances are replaced. Re-runs, resumed runs and distributed workers therefore
// never duplicate a row. The schema is created and migrated on first use (schema.ts).
// The password never goes in the spec (it would show in `ps` and shell history): PGPASSWORD or
// ~/.pgpass, which the pg driver reads itself.
import { createHash } from 'node:crypto';
import pg from 'pg';
import { looksLikePii } from '../../pipeline/audit.ts';
import { GtError } from '../../errors.ts';
import type { Manifest } from '../../pipeline/manifest.ts';
import type { ConversationBundle, DeliveryReceipt, Sink } from '../types.ts';
import { bundleTranscripts } from '../transcripts.ts';
import { migrate } from './schema.ts';
import { rowsOf, type Rows } from './rows.ts';

export interface PostgresSinkOptions {
  /** postgres://user@host:port/database[?sslmode=…], without a password. */
  url: string;
  /** Connections per process (default 2). */
  poolSize?: number;
}

/** Checks a spec and gives the sink's name: server and database, without user, credentials or options. */
export function postgresSinkName(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new GtError(
      'CONFIG_INVALID',
      'PostgreSQL sink spec is not a URL: postgres://user@host:5432/database',
    );
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:')
    throw new GtError('CONFIG_INVALID', 'PostgreSQL sink spec must start with postgres://');
  if (u.password)
    throw new GtError(
      'CONFIG_INVALID',
      'PostgreSQL sink spec: put the password in PGPASSWORD or ~/.pgpass, not in --sink (it would show in ps and shell history)',
    );
  const db = u.pathname.replace(/^\/+/, '');
  if (!db)
    throw new GtError(
      'CONFIG_INVALID',
      'PostgreSQL sink spec names no database: postgres://user@host:5432/database',
    );
  const name = `postgres://${u.host}/${decodeURIComponent(db)}`;
  // The name goes into the audit log, which refuses anything that looks like contact data (an
  // IP address is a long run of digits): such a server is named by a hash of its address instead.
  if (!looksLikePii(name)) return name;
  const hash = createHash('sha256').update(u.host).digest('hex').slice(0, 12);
  return `postgres://server-${hash.replace(/[0-9]/g, (d) => 'ghijklmnop'[Number(d)]!)}/${decodeURIComponent(db)}`;
}

function failure(err: unknown, sink: string): GtError {
  if (err instanceof GtError) return err;
  const e = err as { code?: string; message?: string };
  // Server messages name objects and codes, not values; still, keep them short.
  const message = String(e.message ?? err).slice(0, 200);
  return new GtError(
    'SINK_FAILED',
    `PostgreSQL: ${message}${e.code ? ` (${e.code})` : ''}`,
    { sink },
    { cause: err },
  );
}

const UPSERT_CONVERSATION = `
INSERT INTO conversations (conversation_id, delivery_id, content_sha256, conversation_start, conversation_end,
  duration_ms, direction, media_types, language, queue_ids, queue_names, redaction_applied, redaction_counts,
  skipped, manifest, exported_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb, $14::jsonb, $15::jsonb, $16)
ON CONFLICT (conversation_id) DO UPDATE SET
  delivery_id = EXCLUDED.delivery_id, content_sha256 = EXCLUDED.content_sha256,
  conversation_start = EXCLUDED.conversation_start, conversation_end = EXCLUDED.conversation_end,
  duration_ms = EXCLUDED.duration_ms, direction = EXCLUDED.direction, media_types = EXCLUDED.media_types,
  language = EXCLUDED.language, queue_ids = EXCLUDED.queue_ids, queue_names = EXCLUDED.queue_names,
  redaction_applied = EXCLUDED.redaction_applied, redaction_counts = EXCLUDED.redaction_counts,
  skipped = EXCLUDED.skipped, manifest = EXCLUDED.manifest, exported_at = EXCLUDED.exported_at, loaded_at = now()
WHERE conversations.delivery_id IS DISTINCT FROM EXCLUDED.delivery_id
   OR conversations.content_sha256 IS DISTINCT FROM EXCLUDED.content_sha256
RETURNING conversation_id`;

const INSERT_PARTICIPANTS = `
INSERT INTO participants (conversation_id, position, participant_id, purpose, role, user_id, name, queue_ids)
SELECT $1, p.position, p.participant_id, p.purpose, p.role, p.user_id, p.name,
  ARRAY(SELECT jsonb_array_elements_text(p.queue_ids))
FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::jsonb[])
  AS p(position, participant_id, purpose, role, user_id, name, queue_ids)`;

const INSERT_RECORDINGS = `
INSERT INTO recordings (conversation_id, item, recording_id, channel, status, reason, detail, file_name,
  content_type, size_bytes, sha256)
SELECT $1, r.* FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
  $9::text[], $10::bigint[], $11::text[])
  AS r(item, recording_id, channel, status, reason, detail, file_name, content_type, size_bytes, sha256)`;

const INSERT_UTTERANCES = `
INSERT INTO utterances (conversation_id, transcript, segment, media_type, communication_id, recording_id,
  language, speaker_role, speaker_participant_id, speaker_user_id, speaker_name, started_at, start_ms, end_ms,
  text, redactions)
SELECT $1, u.* FROM unnest($2::int[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
  $9::text[], $10::text[], $11::text[], $12::timestamptz[], $13::int[], $14::int[], $15::text[], $16::jsonb[])
  AS u(transcript, segment, media_type, communication_id, recording_id, language, speaker_role,
    speaker_participant_id, speaker_user_id, speaker_name, started_at, start_ms, end_ms, text, redactions)`;

/** Rows of tuples → one array per column, for unnest(). */
function columns<T extends unknown[]>(rows: T[], width: number): unknown[][] {
  return Array.from({ length: width }, (_, i) => rows.map((r) => r[i]));
}

async function write(client: pg.PoolClient, rows: Rows): Promise<boolean> {
  const c = rows.conversation;
  const id = c.conversation_id;
  const upserted = await client.query(UPSERT_CONVERSATION, [
    id,
    c.delivery_id,
    c.content_sha256,
    c.conversation_start,
    c.conversation_end,
    c.duration_ms,
    c.direction,
    c.media_types,
    c.language,
    c.queue_ids,
    c.queue_names,
    c.redaction_applied,
    c.redaction_counts,
    c.skipped,
    c.manifest,
    c.exported_at,
  ]);
  if (upserted.rowCount === 0) return false;
  for (const table of ['participants', 'recordings', 'utterances'])
    await client.query(`DELETE FROM ${table} WHERE conversation_id = $1`, [id]);
  const participants = rows.participants.map((p) => [...p.slice(0, 6), JSON.stringify(p[6])]);
  if (participants.length) await client.query(INSERT_PARTICIPANTS, [id, ...columns(participants, 7)]);
  if (rows.recordings.length) await client.query(INSERT_RECORDINGS, [id, ...columns(rows.recordings, 10)]);
  if (rows.utterances.length) await client.query(INSERT_UTTERANCES, [id, ...columns(rows.utterances, 15)]);
  return true;
}

export function createPostgresSink(options: PostgresSinkOptions): Sink {
  const name = postgresSinkName(options.url);
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 2,
    application_name: 'genesys-transcripts',
    connectionTimeoutMillis: 15_000,
  });
  // An idle connection the server drops must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  let ready: Promise<void> | undefined;
  const migrated = () =>
    (ready ??= (async () => {
      const client = await pool.connect();
      try {
        await migrate(client);
      } finally {
        client.release();
      }
    })().catch((err: unknown) => {
      ready = undefined;
      throw err;
    }));

  async function deliver(bundle: ConversationBundle): Promise<DeliveryReceipt> {
    const manifest = bundle.manifest as unknown as Manifest;
    let written: boolean;
    try {
      const rows = rowsOf(manifest, bundle.deliveryId, await bundleTranscripts(bundle));
      await migrated();
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        try {
          written = await write(client, rows);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK').catch(() => {});
          throw err;
        }
      } finally {
        client.release();
      }
    } catch (err) {
      throw failure(err, name);
    }
    return {
      sink: name,
      deliveryId: bundle.deliveryId,
      location: `${name}#${bundle.conversationId}`,
      deliveredAt: new Date().toISOString(),
      ...(written ? {} : { duplicate: true }),
    };
  }

  return { name, deliver, close: () => pool.end() };
}
