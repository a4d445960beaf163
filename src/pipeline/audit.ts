// The audit log proves to an auditor what an export did. It is append-only JSONL and
// hash-chained: every entry carries the hash of the one before it, so editing, removing,
// inserting or reordering a line breaks the chain at that line (`verifyAuditFile`).
//
//   hash = sha256(prevHash + canonicalJSON(entry without hash))            (alg 'sha256')
//   hash = HMAC-SHA256(key, prevHash + canonicalJSON(entry without hash))  (alg 'hmac-sha256')
//
// Plain sha256 catches accidents and naive edits; someone who rewrites the file can recompute the
// whole chain. With a secret HMAC key they cannot, as long as the key stays secret.
//
// Durability: each entry is written whole in one write(), so `kill -9` loses nothing written (it
// is in the page cache). Entries appended while a write is in flight go together in the next
// write (group commit: one thread-pool round trip for the conversations in flight instead of a
// queue of them, each waiting its turn); each append resolves once its line is written. fsync
// (against power loss) happens every FSYNC_EVERY entries, on `run.finish`, `audit.recovered` and
// on close: a machine crash can lose at most the last few entries, never corrupt earlier ones.
//
// Torn tail: a crash in the middle of a write can leave a final line without its newline. On
// open we truncate that fragment and append an `audit.recovered` entry saying how many bytes were
// dropped. We truncate rather than refuse because the fragment is a crash artefact, not a record
// (it was never acknowledged to the caller), and leaving it would make every later entry
// unverifiable; the recovery itself is in the chain, so the auditor sees it happened.
//
// Privacy: `data` holds flat primitives only, and we refuse keys that name content or contact
// data and strings that look like PII. Callers pass IDs, counts, codes and sha256 digests.
import { createHash, createHmac } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, stat, truncate, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { asDiskFull, GtError } from '../errors.ts';

export type AuditEventType =
  | 'run.start'
  | 'run.finish'
  | 'conversation.discovered'
  | 'recording.downloaded'
  | 'recording.skipped'
  | 'transcript.retrieved'
  | 'transcript.missing'
  | 'redaction.applied'
  | 'delivery.succeeded'
  | 'delivery.failed'
  | 'conversation.failed'
  | 'conversation.deferred'
  | 'discovery.incomplete'
  | 'audit.recovered';

export type AuditData = Record<string, string | number | boolean | null>;
type Alg = 'sha256' | 'hmac-sha256';

export interface AuditEntry {
  seq: number;
  ts: string;
  type: AuditEventType;
  alg: Alg;
  actor?: string;
  data: AuditData;
  prevHash: string;
  hash: string;
}

export interface AuditOptions {
  hmacKey?: string;
  /** Who ran the export (OS user, service account name): recorded on every entry. */
  actor?: string;
}

export type AuditVerification =
  | { ok: true; entries: number }
  | { ok: false; entries: number; line: number; reason: string; firstMissingSeq?: number };

/** Where a checkpoint says the log stood at the end of a run (see CheckpointStore.anchorAudit). */
export interface AuditAnchorRef {
  runId: string;
  seq: number;
  hash: string;
}

const GENESIS = '0'.repeat(64);
const FSYNC_EVERY = 100;
/** How much of an existing file's end is read to resume the chain; entries are far smaller. */
const TAIL_BYTES = 256 * 1024;

/** Keys that would hold content or contact data (compared lower-cased, without '_' or '-'). */
const FORBIDDEN_KEY_PARTS = [
  'text',
  'body',
  'content',
  'transcript',
  'message',
  'utterance',
  'ani',
  'dnis',
  'email',
  'phone',
  'token',
  'secret',
  'password',
  'authorization',
  'apikey',
  'credential',
];
const EMAIL = /[^\s@]+@[^\s@]+\.[a-z]{2,}/i;
const TEL = /\btel:|\bsip:/i;
/** 9+ digits, allowing the separators people write numbers with. */
const LONG_NUMBER = /\d(?:[ ().-]?\d){8,}/;
/** IDs and digests are long hex runs, not phone or account numbers: removed before LONG_NUMBER. */
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const LONG_HEX = /[0-9a-f]{32,}/gi;
/** Dates and times are not phone numbers either (also with a space instead of the 'T'). */
const DATE_TIME = /\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?/g;

/** JSON with object keys sorted at every level: the same entry always hashes the same. */
export function canonicalJSON(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJSON).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJSON(obj[k])}`).join(',')}}`;
}

function hashEntry(entry: Omit<AuditEntry, 'hash'>, hmacKey?: string): string {
  const input = entry.prevHash + canonicalJSON(entry);
  return hmacKey
    ? createHmac('sha256', hmacKey).update(input).digest('hex')
    : createHash('sha256').update(input).digest('hex');
}

function keyLooksSensitive(key: string): boolean {
  const k = key.toLowerCase().replace(/[_-]/g, '');
  return FORBIDDEN_KEY_PARTS.some((part) => k === part || k.endsWith(part));
}

/** A cheap screen, not a PII detector: catches the obvious mistakes (raw emails, phone numbers). */
export function looksLikePii(value: string): boolean {
  if (EMAIL.test(value) || TEL.test(value)) return true;
  return LONG_NUMBER.test(value.replace(UUID, '/').replace(LONG_HEX, '/').replace(DATE_TIME, '/'));
}

/**
 * An operator-chosen label (a sink name: a folder, a URL) as the audit log can hold it. Such names
 * are configuration, not contact data, but a path like `/tmp/x1796249184839` trips the PII screen:
 * then the label is replaced by a short sha256 of it, still the same for the same sink.
 */
export function auditLabel(value: string): string {
  return looksLikePii(value)
    ? `sha256:${createHash('sha256').update(value).digest('hex').slice(0, 16)}`
    : value;
}

/** Throws a TypeError (a caller bug, not a runtime condition) when data could leak PII. */
export function assertAuditData(data: AuditData): void {
  for (const [key, value] of Object.entries(data)) {
    if (keyLooksSensitive(key))
      throw new TypeError(
        `audit data key '${key}' looks like content or contact data; pass an ID, count or sha256 instead`,
      );
    if (value !== null && typeof value === 'object')
      throw new TypeError(`audit data '${key}' must be a flat primitive`);
    if (typeof value === 'string' && looksLikePii(value))
      throw new TypeError(`audit data '${key}' looks like PII; pass its sha256 instead`);
  }
}

interface Tail {
  seq: number;
  hash: string;
  /** Byte length of the file up to and including the last complete line. */
  goodLength: number;
  tornBytes: number;
}

async function readTail(path: string, hmacKey: string | undefined): Promise<Tail> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      return { seq: 0, hash: GENESIS, goodLength: 0, tornBytes: 0 };
    throw err;
  }
  if (size === 0) return { seq: 0, hash: GENESIS, goodLength: 0, tornBytes: 0 };
  const start = Math.max(0, size - TAIL_BYTES);
  const fh = await open(path, 'r');
  const buf = Buffer.alloc(size - start);
  try {
    await fh.read(buf, 0, buf.length, start);
  } finally {
    await fh.close();
  }
  let end = buf.length;
  let tornBytes = 0;
  if (buf[end - 1] !== 0x0a) {
    const lastNl = buf.lastIndexOf(0x0a);
    const fragment = buf.subarray(lastNl + 1).toString('utf8');
    // A complete entry that only lost its newline is kept; anything else is a torn write.
    const parsed = parseEntry(fragment);
    if (parsed && parsed.hash === hashEntry(withoutHash(parsed), hmacKey)) {
      return { seq: parsed.seq, hash: parsed.hash, goodLength: -1, tornBytes: 0 };
    }
    tornBytes = buf.length - (lastNl + 1);
    end = lastNl + 1;
  }
  const lines = buf.subarray(0, end).toString('utf8').split('\n');
  lines.pop(); // after the final '\n'
  if (start > 0) lines.shift(); // may start mid-line
  const last = lines.at(-1);
  if (last === undefined) return { seq: 0, hash: GENESIS, goodLength: start + end, tornBytes };
  const entry = parseEntry(last);
  const where = `${path}: last entry`;
  if (!entry)
    throw new GtError('AUDIT_TAMPERED', `${where} is not a valid audit entry; run verify-audit`, { path });
  if (entry.alg !== (hmacKey ? 'hmac-sha256' : 'sha256')) {
    throw new GtError(
      'AUDIT_TAMPERED',
      `${where} uses ${entry.alg}, but the log was opened ${hmacKey ? 'with' : 'without'} an HMAC key`,
      { path },
    );
  }
  if (entry.hash !== hashEntry(withoutHash(entry), hmacKey)) {
    throw new GtError(
      'AUDIT_TAMPERED',
      `${where} does not match its hash (edited, or a different HMAC key); run verify-audit`,
      { path },
    );
  }
  const prev = lines.length >= 2 ? parseEntry(lines.at(-2)!) : undefined;
  if (prev && (prev.hash !== entry.prevHash || prev.seq + 1 !== entry.seq)) {
    throw new GtError('AUDIT_TAMPERED', `${where} does not chain to the entry before it; run verify-audit`, {
      path,
    });
  }
  return { seq: entry.seq, hash: entry.hash, goodLength: start + end, tornBytes };
}

function parseEntry(line: string): AuditEntry | undefined {
  try {
    const v = JSON.parse(line) as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
    const e = v as Record<string, unknown>;
    const ok =
      Number.isInteger(e.seq) &&
      typeof e.ts === 'string' &&
      typeof e.type === 'string' &&
      (e.alg === 'sha256' || e.alg === 'hmac-sha256') &&
      (e.actor === undefined || typeof e.actor === 'string') &&
      !!e.data &&
      typeof e.data === 'object' &&
      typeof e.prevHash === 'string' &&
      typeof e.hash === 'string';
    return ok ? (v as AuditEntry) : undefined;
  } catch {
    return undefined;
  }
}

function withoutHash(entry: AuditEntry): Omit<AuditEntry, 'hash'> {
  const { hash: _hash, ...rest } = entry;
  return rest;
}

/** An append waiting for the next write. */
interface PendingEntry {
  type: AuditEventType;
  data: AuditData;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** Entry types fsynced at once: the end of a run, and a recovery the auditor must not lose. */
const SYNC_NOW: ReadonlySet<AuditEventType> = new Set(['run.finish', 'audit.recovered']);

export class AuditLog {
  private readonly fh: FileHandle;
  private readonly hmacKey: string | undefined;
  private readonly actor: string | undefined;
  private seq: number;
  private prevHash: string;
  private unsynced = 0;
  /** Appends not written yet, in call order: the next write takes them all. */
  private pending: PendingEntry[] = [];
  /** The writer while it runs (one at a time, so the chain stays in call order); settled when idle. */
  private queue: Promise<void> = Promise.resolve();
  private writing = false;
  private closed = false;

  private constructor(fh: FileHandle, tail: Tail, options: AuditOptions) {
    this.fh = fh;
    this.hmacKey = options.hmacKey;
    this.actor = options.actor;
    this.seq = tail.seq;
    this.prevHash = tail.hash;
  }

  /** Opens (or creates) the log and continues the chain from its last entry. */
  static async open(path: string, options: AuditOptions = {}): Promise<AuditLog> {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const tail = await readTail(path, options.hmacKey);
    if (tail.tornBytes > 0) await truncate(path, tail.goodLength);
    // 0600: the log names conversations and who exported them.
    const fh = await open(path, 'a', 0o600);
    // A complete last entry without its newline (goodLength -1): finish the line.
    if (tail.goodLength === -1) await fh.write('\n');
    const log = new AuditLog(fh, tail, options);
    if (tail.tornBytes > 0)
      await log.append('audit.recovered', {
        reason: 'torn-final-line',
        droppedBytes: tail.tornBytes,
        afterSeq: tail.seq,
      });
    return log;
  }

  /** The last entry written (seq 0 and the genesis hash for an empty log): what a checkpoint anchors. */
  position(): Promise<{ seq: number; hash: string }> {
    return this.queue.then(() => ({ seq: this.seq, hash: this.prevHash }));
  }

  append(type: AuditEventType, data: AuditData): Promise<void> {
    if (this.closed)
      return Promise.reject(new Error('audit log is closed (a caller bug: append after close)'));
    assertAuditData(data);
    const done = new Promise<void>((resolve, reject) => this.pending.push({ type, data, resolve, reject }));
    if (!this.writing) this.queue = this.drain();
    return done;
  }

  /** Writes what is pending, group after group, until nothing is left (never rejects). */
  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.pending.length > 0) await this.write(this.pending.splice(0));
    } finally {
      this.writing = false;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    await this.fh.sync();
    await this.fh.close();
  }

  /**
   * Chains and writes a group of entries in one write; each caller's promise settles with it. A
   * failed write leaves the chain where it was (the next group continues from the last good entry).
   */
  private async write(group: PendingEntry[]): Promise<void> {
    let seq = this.seq;
    let prevHash = this.prevHash;
    let text = '';
    for (const { type, data } of group) {
      const body: Omit<AuditEntry, 'hash'> = {
        seq: seq + 1,
        ts: new Date().toISOString(),
        type,
        alg: this.hmacKey ? 'hmac-sha256' : 'sha256',
        ...(this.actor !== undefined ? { actor: this.actor } : {}),
        data: { ...data },
        prevHash,
      };
      const entry: AuditEntry = { ...body, hash: hashEntry(body, this.hmacKey) };
      text += `${JSON.stringify(entry)}\n`;
      seq = entry.seq;
      prevHash = entry.hash;
    }
    try {
      // Whole lines in one write: a crash leaves whole lines plus at most one torn final line.
      try {
        await this.fh.write(text);
      } catch (err) {
        throw asDiskFull(err, 'the audit log (state directory)');
      }
      this.seq = seq;
      this.prevHash = prevHash;
      this.unsynced += group.length;
      if (group.some((p) => SYNC_NOW.has(p.type)) || this.unsynced >= FSYNC_EVERY) {
        await this.fh.sync();
        this.unsynced = 0;
      }
    } catch (err) {
      for (const p of group) p.reject(err);
      return;
    }
    for (const p of group) p.resolve();
  }
}

/** Reads the file line by line (streamed) and checks every entry's hash, sequence and link. */
export async function verifyAuditFile(
  path: string,
  options: { hmacKey?: string; anchor?: AuditAnchorRef } = {},
): Promise<AuditVerification> {
  const chain = await verifyChain(path, options, options.anchor?.seq);
  const anchor = options.anchor;
  if (!chain.result.ok || !anchor) return chain.result;
  // The chain alone cannot see lost tail entries: the anchor, kept outside the log, can.
  if (chain.result.entries < anchor.seq) {
    return {
      ok: false,
      entries: chain.result.entries,
      line: chain.result.entries + 1,
      firstMissingSeq: chain.result.entries + 1,
      reason: `truncated: the log ends at seq ${chain.result.entries} but the checkpoint recorded seq ${anchor.seq} at the end of run ${anchor.runId}; entries from seq ${chain.result.entries + 1} are missing`,
    };
  }
  if (chain.anchorHash !== anchor.hash) {
    return {
      ok: false,
      entries: chain.result.entries,
      line: anchor.seq,
      reason: `seq ${anchor.seq} is not the entry the checkpoint recorded at the end of run ${anchor.runId} (the log was cut and rewritten from there)`,
    };
  }
  return chain.result;
}

async function verifyChain(
  path: string,
  options: { hmacKey?: string },
  anchorSeq: number | undefined,
): Promise<{ result: AuditVerification; anchorHash?: string }> {
  let anchorHash: string | undefined;
  const result = await verifyLines(path, options, (seq, hash) => {
    if (seq === anchorSeq) anchorHash = hash;
  });
  return { result, ...(anchorHash !== undefined ? { anchorHash } : {}) };
}

async function verifyLines(
  path: string,
  options: { hmacKey?: string },
  onEntry: (seq: number, hash: string) => void,
): Promise<AuditVerification> {
  const alg: Alg = options.hmacKey ? 'hmac-sha256' : 'sha256';
  let entries = 0;
  let lineNo = 0;
  let prevHash = GENESIS;
  let pending = '';
  let failure: AuditVerification | undefined;

  const check = (line: string, complete: boolean): AuditVerification | undefined => {
    lineNo += 1;
    const fail = (reason: string): AuditVerification => ({ ok: false, entries, line: lineNo, reason });
    if (line.trim() === '') return fail('blank line (inserted or truncated entry)');
    const entry = parseEntry(line);
    if (!entry)
      return fail(
        complete
          ? 'not a valid audit entry'
          : 'torn final line (incomplete write, e.g. a crash); reopening the log truncates it',
      );
    if (entry.alg !== alg) {
      return fail(
        entry.alg === 'hmac-sha256'
          ? 'entry is HMAC-signed: verify with the HMAC key'
          : 'entry is not HMAC-signed but an HMAC key was given',
      );
    }
    if (entry.hash !== hashEntry(withoutHash(entry), options.hmacKey)) {
      return fail(
        options.hmacKey
          ? 'hash does not match the entry (edited, or wrong HMAC key)'
          : 'hash does not match the entry (edited)',
      );
    }
    if (entry.seq !== lineNo)
      return fail(`seq ${entry.seq}, expected ${lineNo} (entry removed, inserted or reordered)`);
    if (entry.prevHash !== prevHash)
      return fail('prevHash does not match the previous entry (entry removed, inserted or reordered)');
    prevHash = entry.hash;
    entries += 1;
    onEntry(entry.seq, entry.hash);
    return undefined;
  };

  try {
    for await (const chunk of createReadStream(path, { encoding: 'utf8' })) {
      pending += chunk as string;
      let nl: number;
      while ((nl = pending.indexOf('\n')) !== -1) {
        failure = check(pending.slice(0, nl), true);
        pending = pending.slice(nl + 1);
        if (failure) return failure;
      }
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      return { ok: false, entries: 0, line: 0, reason: 'file not found' };
    throw err;
  }
  if (pending !== '') {
    failure = check(pending, false);
    if (failure) return failure;
  }
  return { ok: true, entries };
}
