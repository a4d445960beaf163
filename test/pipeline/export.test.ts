// End to end: the Exporter against the emulator, checked against the emulator's oracle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startTestEmulator, tempWorkdir } from '../helpers/emulator.ts';
import { runExport } from '../helpers/export.ts';
import { conversationDir, spokenText, standsIn } from '../faults/lib/oracle.ts';

test('exports every conversation of the emulator: media byte-exact, transcripts redacted, manifests true', async (t) => {
  const { emu } = await startTestEmulator(t, {
    conversations: 40,
    seed: 7,
    audioBytes: { min: 4096, max: 32768 },
    transcodeMs: 200,
  });
  const work = await tempWorkdir(t, 'gt-export-');
  const out = join(work, 'out');
  const stateDir = join(work, 'state');
  const { results, summary } = await runExport(emu, {
    outDir: out,
    stateDir,
    formats: ['json', 'txt', 'vtt', 'srt'],
  });

  const ids = emu.dataset.conversationIds();
  assert.equal(results.length, ids.length, 'one result per conversation');
  assert.equal(summary.conversations.failed, 0, JSON.stringify(summary.failures));

  let mediaChecked = 0;
  let transcriptsChecked = 0;
  for (const id of ids) {
    const conversation = emu.dataset.conversation(id)!;
    const dir = conversationDir(out, conversation.conversationStart!, id);
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    assert.equal(manifest.conversationId, id);
    // Every file in the manifest is there with the size and sha256 it claims.
    for (const f of manifest.files) {
      const bytes = await readFile(join(dir, f.name));
      assert.equal(bytes.length, f.size, f.name);
      assert.equal(createHash('sha256').update(bytes).digest('hex'), f.sha256, f.name);
    }
    // Every available voice recording is byte-identical to what the emulator served.
    for (const rec of emu.dataset.recordings(id)) {
      if (rec.media !== 'audio') continue;
      if (rec.fileState === 'AVAILABLE' && rec.sha256) {
        const file = manifest.files.find((f: { sha256: string }) => f.sha256 === rec.sha256);
        assert.ok(file, `recording ${rec.recordingId} of ${id} missing`);
        mediaChecked += 1;
      } else if (rec.fileState !== 'AVAILABLE') {
        assert.ok(
          manifest.skipped.some((s: { id?: string }) => s.id === rec.recordingId),
          `skipped recording ${rec.recordingId} (${rec.fileState}) has a reason in the manifest`,
        );
      }
    }
    // No planted PII survives in any transcript output; planted non-PII numbers do.
    const transcriptFiles = manifest.files.filter((f: { name: string }) => f.name.startsWith('transcript-'));
    const text = (
      await Promise.all(
        transcriptFiles.map(async (f: { name: string }) =>
          spokenText(f.name, await readFile(join(dir, f.name), 'utf8')),
        ),
      )
    ).join('\n');
    const planted = emu.dataset.planted(id);
    for (const p of planted.pii)
      assert.ok(!standsIn(text, p.text), `${p.entity} (${p.text.length} chars) leaked in ${id}`);
    for (const k of planted.keep)
      assert.ok(standsIn(text, k), `planted non-PII "${k}" was redacted in ${id}`);
    if (transcriptFiles.length > 0) transcriptsChecked += 1;
  }
  assert.ok(mediaChecked > 5, `checked ${mediaChecked} recordings`);
  assert.ok(transcriptsChecked > 10, `checked ${transcriptsChecked} conversations with transcripts`);

  // A second run finds everything in the checkpoint: nothing is fetched or delivered again.
  emu.resetStats();
  const again = await runExport(emu, { outDir: out, stateDir, formats: ['json', 'txt', 'vtt', 'srt'] });
  assert.equal(again.summary.conversations.alreadyExported, ids.length);
  const stats = emu.stats();
  assert.equal(stats.requests['recordings.list'], undefined, 'no recording lookups on a completed re-run');
  assert.equal(stats.requests['signed.media'], undefined, 'no downloads on a completed re-run');
});

test('--dry-run discovers and estimates but sends no recording, transcript or download request', async (t) => {
  const { emu } = await startTestEmulator(t, { conversations: 30, seed: 3 });
  const work = await tempWorkdir(t, 'gt-dry-');
  const { summary } = await runExport(emu, {
    outDir: join(work, 'out'),
    stateDir: join(work, 'state'),
    dryRun: true,
  });
  assert.equal(summary.dryRun?.conversations, 30);
  assert.ok((summary.dryRun?.estimatedApiCalls ?? 0) >= 30);
  const routes = Object.keys(emu.stats().requests);
  for (const r of routes) {
    // tokens.me: the check before work that the API accepts the token.
    assert.ok(r === 'oauth.token' || r === 'tokens.me' || r.startsWith('analytics.'), `dry run called ${r}`);
  }
});
