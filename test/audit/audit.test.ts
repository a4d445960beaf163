import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { appendFile, readFile, writeFile, type FileHandle } from 'node:fs/promises';
import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { isGtError } from '../../src/errors.ts';
import { AuditLog, canonicalJSON, verifyAuditFile, type AuditEntry } from '../../src/pipeline/audit.ts';
import { tempWorkdir } from '../helpers/emulator.ts';

const CLI = join(import.meta.dirname, '..', '..', 'bin', 'genesys-transcripts.js');
const CONV = '550e8400-e29b-41d4-a716-446655440000';

async function writeLog(path: string, n: number, hmacKey?: string): Promise<void> {
  const log = await AuditLog.open(path, { actor: 'tester', ...(hmacKey ? { hmacKey } : {}) });
  await log.append('run.start', { runId: 'run_1', dryRun: false });
  for (let i = 0; i < n - 2; i += 1)
    await log.append('recording.downloaded', {
      conversationId: CONV,
      recordingId: `r${i}`,
      bytes: 1000 + i,
      sha256: 'ab'.repeat(32),
    });
  await log.append('run.finish', { runId: 'run_1', done: n - 2 });
  await log.close();
}

const lines = async (path: string) => (await readFile(path, 'utf8')).split('\n').filter((l) => l !== '');
const save = (path: string, ls: string[]) => writeFile(path, `${ls.join('\n')}\n`);

test('entries chain by hash, reopening continues the chain, verify counts them', async (t) => {
  const path = join(await tempWorkdir(t, 'gt-audit-'), 'a', 'audit.jsonl');
  await writeLog(path, 5);
  await writeLog(path, 3);
  assert.deepEqual(await verifyAuditFile(path), { ok: true, entries: 8 });
  const entries = (await lines(path)).map((l) => JSON.parse(l) as AuditEntry);
  assert.deepEqual(
    entries.map((e) => e.seq),
    [1, 2, 3, 4, 5, 6, 7, 8],
  );
  assert.equal(entries[0]!.prevHash, '0'.repeat(64));
  for (let i = 1; i < entries.length; i += 1) assert.equal(entries[i]!.prevHash, entries[i - 1]!.hash);
  // The documented formula, recomputed independently.
  const { hash, ...rest } = entries[2]!;
  assert.equal(
    hash,
    createHash('sha256')
      .update(rest.prevHash + canonicalJSON(rest))
      .digest('hex'),
  );
  assert.equal(entries[0]!.actor, 'tester');
});

test('concurrent appends keep order and a valid chain', async (t) => {
  const path = join(await tempWorkdir(t, 'gt-audit-'), 'audit.jsonl');
  const log = await AuditLog.open(path);
  await Promise.all(
    Array.from({ length: 250 }, (_, i) =>
      log.append('delivery.succeeded', { conversationId: CONV, sink: 'fs', n: i }),
    ),
  );
  await log.close();
  assert.deepEqual(await verifyAuditFile(path), { ok: true, entries: 250 });
  const ns = (await lines(path)).map((l) => (JSON.parse(l) as AuditEntry).data.n);
  assert.deepEqual(
    ns,
    Array.from({ length: 250 }, (_, i) => i),
    'call order is file order',
  );
});

test('appends made while a write is in flight share the next write; a failed write fails its group only', async (t) => {
  const path = join(await tempWorkdir(t, 'gt-audit-'), 'audit.jsonl');
  const log = await AuditLog.open(path);
  // The log's file handle, to count its writes and make one fail.
  const fh = (log as unknown as { fh: FileHandle }).fh;
  const realWrite = fh.write.bind(fh) as (text: string) => Promise<unknown>;
  const writes: number[] = [];
  let failNext = false;
  fh.write = (async (text: string) => {
    writes.push(text.split('\n').length - 1);
    if (failNext) {
      failNext = false;
      throw Object.assign(new Error('no space'), { code: 'ENOSPC' });
    }
    return realWrite(text);
  }) as typeof fh.write;
  const append = (n: number) => log.append('delivery.succeeded', { conversationId: CONV, sink: 'fs', n });
  await Promise.all(Array.from({ length: 50 }, (_, i) => append(i)));
  assert.equal(
    writes.reduce((a, b) => a + b, 0),
    50,
  );
  assert.ok(
    writes.length <= 2,
    `50 concurrent appends in ${writes.length} writes: the first alone, then the rest`,
  );

  // A failed write rejects every append of its group; the chain goes on from the last good entry.
  const inFlight = append(50); // written at once, alone
  failNext = true; // the next write: the group of 51 and 52
  const failed = await Promise.allSettled([append(51), append(52)]);
  await inFlight;
  assert.deepEqual(
    failed.map((r) => r.status),
    ['rejected', 'rejected'],
  );
  assert.ok(failed.every((r) => r.status === 'rejected' && isGtError(r.reason, 'DISK_FULL')));
  await append(53);
  await log.close();
  assert.deepEqual(await verifyAuditFile(path), { ok: true, entries: 52 });
  const ns = (await lines(path)).map((l) => (JSON.parse(l) as AuditEntry).data.n);
  assert.deepEqual(ns, [...Array.from({ length: 51 }, (_, i) => i), 53]);
});

test('each tamper mode is reported at its line', async (t) => {
  const dir = await tempWorkdir(t, 'gt-audit-');
  const original = join(dir, 'orig.jsonl');
  await writeLog(original, 6);
  const base = await lines(original);

  const cases: [string, (ls: string[]) => string[], number, RegExp][] = [
    [
      'edited',
      (ls) => ls.map((l, i) => (i === 2 ? l.replace('"bytes":1001', '"bytes":9999') : l)),
      3,
      /hash does not match/,
    ],
    [
      'removed',
      (ls) => ls.filter((_, i) => i !== 2),
      3,
      /expected 3 \(entry removed, inserted or reordered\)/,
    ],
    ['inserted', (ls) => [...ls.slice(0, 2), ls[1]!, ...ls.slice(2)], 3, /removed, inserted or reordered/],
    [
      'reordered',
      (ls) => [ls[0]!, ls[1]!, ls[3]!, ls[2]!, ...ls.slice(4)],
      3,
      /removed, inserted or reordered/,
    ],
    ['blank line inserted', (ls) => [...ls.slice(0, 4), '', ...ls.slice(4)], 5, /blank line/],
  ];
  for (const [name, tamper, line, reason] of cases) {
    const path = join(dir, `${name.split(' ')[0]}.jsonl`);
    await save(path, tamper(base));
    const r = await verifyAuditFile(path);
    assert.equal(r.ok, false, name);
    if (!r.ok) {
      assert.equal(r.line, line, `${name}: ${r.reason}`);
      assert.match(r.reason, reason, name);
      assert.equal(r.entries, line - 1);
    }
  }
  // Recomputing the seq and hash of an edited entry moves the break to the next line.
  const forged = base.map((l) => JSON.parse(l) as AuditEntry);
  forged[2]!.data.bytes = 9999;
  const { hash: _h, ...body } = forged[2]!;
  forged[2]!.hash = createHash('sha256')
    .update(body.prevHash + canonicalJSON(body))
    .digest('hex');
  const path = join(dir, 'forged.jsonl');
  await save(
    path,
    forged.map((e) => JSON.stringify(e)),
  );
  const r = await verifyAuditFile(path);
  assert.ok(!r.ok && r.line === 4 && /prevHash/.test(r.reason), JSON.stringify(r));
});

test('HMAC: verifies only with the key, and a re-hashed chain is caught', async (t) => {
  const dir = await tempWorkdir(t, 'gt-audit-');
  const path = join(dir, 'audit.jsonl');
  await writeLog(path, 4, 'k3y-secret');
  assert.deepEqual(await verifyAuditFile(path, { hmacKey: 'k3y-secret' }), { ok: true, entries: 4 });
  const noKey = await verifyAuditFile(path);
  assert.ok(!noKey.ok && noKey.line === 1 && /HMAC/.test(noKey.reason));
  const wrong = await verifyAuditFile(path, { hmacKey: 'other' });
  assert.ok(!wrong.ok && wrong.line === 1 && /wrong HMAC key/.test(wrong.reason));

  // An attacker without the key rewrites the whole chain with plain sha256 after an edit.
  let prev = '0'.repeat(64);
  const rewritten = (await lines(path)).map((l) => {
    const e = JSON.parse(l) as AuditEntry;
    const { hash: _h, ...body } = {
      ...e,
      alg: 'sha256' as const,
      prevHash: prev,
      data: { ...e.data, bytes: 1 },
    };
    const hash = createHash('sha256')
      .update(body.prevHash + canonicalJSON(body))
      .digest('hex');
    prev = hash;
    return JSON.stringify({ ...body, hash });
  });
  await save(path, rewritten);
  const r = await verifyAuditFile(path, { hmacKey: 'k3y-secret' });
  assert.ok(!r.ok && r.line === 1, JSON.stringify(r));
  await assert.rejects(AuditLog.open(path, { hmacKey: 'k3y-secret' }), (e) => isGtError(e, 'AUDIT_TAMPERED'));
});

test('a torn final line is reported, then truncated on reopen with an audit.recovered entry', async (t) => {
  const path = join(await tempWorkdir(t, 'gt-audit-'), 'audit.jsonl');
  await writeLog(path, 4);
  await appendFile(path, '{"seq":5,"ts":"2026-01-01T00:00:00.000Z","type":"deliv');
  const torn = await verifyAuditFile(path);
  assert.ok(
    !torn.ok && torn.line === 5 && torn.entries === 4 && /torn final line/.test(torn.reason),
    JSON.stringify(torn),
  );

  const log = await AuditLog.open(path);
  await log.append('run.start', { runId: 'run_2' });
  await log.close();
  assert.deepEqual(await verifyAuditFile(path), { ok: true, entries: 6 });
  const entries = (await lines(path)).map((l) => JSON.parse(l) as AuditEntry);
  assert.equal(entries[4]!.type, 'audit.recovered');
  assert.equal(
    entries[4]!.data.droppedBytes,
    Buffer.byteLength('{"seq":5,"ts":"2026-01-01T00:00:00.000Z","type":"deliv'),
  );
  assert.equal(entries[5]!.seq, 6);
});

test('reopening a log whose last entry was edited refuses to continue the chain', async (t) => {
  const path = join(await tempWorkdir(t, 'gt-audit-'), 'audit.jsonl');
  await writeLog(path, 3);
  const ls = await lines(path);
  ls[2] = ls[2]!.replace('"done":1', '"done":7');
  await save(path, ls);
  await assert.rejects(AuditLog.open(path), (e) => isGtError(e, 'AUDIT_TAMPERED'));
});

test('PII and content are refused; IDs, digests, counts are fine', async (t) => {
  const path = join(await tempWorkdir(t, 'gt-audit-'), 'audit.jsonl');
  const log = await AuditLog.open(path);
  t.after(() => log.close());
  for (const key of [
    'text',
    'body',
    'ani',
    'dnis',
    'email',
    'customerEmail',
    'accessToken',
    'secret',
    'messageBody',
  ]) {
    assert.throws(() => log.append('conversation.failed', { [key]: 'x' }), TypeError, key);
  }
  for (const value of [
    'jane.doe@example.com',
    'tel:+15551234567',
    '+1 555 123 4567',
    'card 4111111111111111',
    'SSN 123-45-6789',
  ]) {
    assert.throws(() => log.append('conversation.failed', { reason: value }), /looks like PII/, value);
  }
  assert.throws(
    () => log.append('conversation.failed', { nested: { a: 1 } as unknown as string }),
    /flat primitive/,
  );
  await log.append('recording.downloaded', {
    conversationId: CONV,
    recordingId: '00000000-1111-2222-3333-444444444444',
    sha256: createHash('sha256').update('x').digest('hex'),
    deliveryId: `gt_${'1234567890'.repeat(3)}ab`,
    bytes: 123456789012,
    at: new Date().toISOString(),
    spaced: '2026-11-25 06:38:00.123',
    runId: `run_${randomUUID()}`,
    ok: true,
    none: null,
  });
  await log.close();
  assert.deepEqual(await verifyAuditFile(path), { ok: true, entries: 1 });
});

test('CLI verify-audit: exit 0 with OK, exit 1 with the broken line; key from an env var', async (t) => {
  const dir = await tempWorkdir(t, 'gt-audit-');
  const path = join(dir, 'audit.jsonl');
  await writeLog(path, 4, 'cli-key');
  const run = (args: string[]) =>
    promisify(execFile)(process.execPath, [CLI, 'verify-audit', ...args], {
      env: { ...process.env, AUDIT_KEY: 'cli-key' },
    }).then(
      (r) => ({ code: 0, stdout: r.stdout }),
      (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
    );
  assert.deepEqual(await run([path, '--hmac-key-env', 'AUDIT_KEY']), {
    code: 0,
    stdout: 'OK: 4 entries (no checkpoint anchor found: a cut tail cannot be detected)\n',
  });
  const ls = await lines(path);
  await save(path, [ls[0]!, ls[2]!, ls[1]!, ls[3]!]);
  const bad = await run([path, '--hmac-key-env', 'AUDIT_KEY']);
  assert.equal(bad.code, 1);
  assert.match(bad.stdout, /^line 2: /);
});
