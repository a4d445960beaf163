// An --out folder whose path holds a long run of digits (a timestamped folder, a job number) is
// operator configuration, not PII: the audit log must still take the deliveries to it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startTestEmulator, tempWorkdir } from '../helpers/emulator.ts';
import { runExport } from '../helpers/export.ts';
import { auditLabel, verifyAuditFile } from '../../src/pipeline/audit.ts';

test('auditLabel keeps a plain sink name and hashes one the PII screen would refuse', () => {
  assert.equal(auditLabel('fs:/archive/genesys'), 'fs:/archive/genesys');
  const hashed = auditLabel('fs:/tmp/x1796249184839');
  assert.match(hashed, /^sha256:[0-9a-f]{16}$/);
  assert.equal(auditLabel('fs:/tmp/x1796249184839'), hashed, 'the same sink, the same label');
});

test('an export to a folder named with a long digit run delivers everything and its audit log verifies', async (t) => {
  const { emu } = await startTestEmulator(t, {
    conversations: 6,
    seed: 11,
    audioBytes: { min: 2048, max: 4096 },
  });
  const work = await tempWorkdir(t, 'gt-digits-');
  const out = join(work, 'export-1796249184839');
  const stateDir = join(work, 'state');
  const { results, summary } = await runExport(emu, { outDir: out, stateDir, formats: ['json'] });
  assert.equal(summary.conversations.failed, 0, JSON.stringify(summary.failures));
  assert.equal(results.length, 6);
  const audit = join(stateDir, 'audit.jsonl');
  const verification = await verifyAuditFile(audit);
  assert.equal(verification.ok, true, JSON.stringify(verification));
  const text = await readFile(audit, 'utf8');
  assert.equal(text.includes('1796249184839'), false, 'the digit run itself is not in the audit log');
  assert.equal((text.match(/"delivery.succeeded"/g) ?? []).length >= 6, true);
});
