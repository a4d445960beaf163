// Issue 14: audio redaction. The emulator's voice recordings are as long as their transcripts with
// a tone burst at every word; an export with redaction on silences the redacted words (plus a
// margin) in every delivered WAV. Checked against the emulator's oracle: every planted PII word's
// time range is silent, and every sample outside the ranges the manifest records is byte-identical
// to the recording an unredacted export delivers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startTestEmulator, tempWorkdir } from '../helpers/emulator.ts';
import { runExport } from '../helpers/export.ts';
import { conversationDir } from '../faults/lib/oracle.ts';
import { redactRecordingFiles, silenceWav } from '../../src/pipeline/transform/audio-redact.ts';

interface StaWord {
  word: string;
  startTimeMs: number;
  duration: { milliseconds: number };
}
interface Sta {
  startTime: number;
  transcripts: { phrases: { words: StaWord[] }[] }[];
}

const RATE = 8000;
const HEADER = 44;

/** The words (times from the transcript start) that say `text`: consecutive words, one per token. */
function wordsSaying(sta: Sta, text: string): { startMs: number; endMs: number }[][] {
  const tokens = text.split(/\s+/).filter(Boolean);
  const found: { startMs: number; endMs: number }[][] = [];
  for (const t of sta.transcripts)
    for (const p of t.phrases)
      for (let i = 0; i + tokens.length <= p.words.length; i++) {
        if (!tokens.every((tok, j) => p.words[i + j]!.word.includes(tok))) continue;
        found.push(
          p.words.slice(i, i + tokens.length).map((w) => ({
            startMs: w.startTimeMs - sta.startTime,
            endMs: w.startTimeMs - sta.startTime + w.duration.milliseconds,
          })),
        );
      }
  return found;
}

const byteOf = (ms: number, round: (x: number) => number): number => HEADER + 2 * round((ms * RATE) / 1000);

test('export: every planted PII word is silent in the delivered WAV, every other sample untouched', async (t) => {
  const { emu } = await startTestEmulator(t, {
    conversations: 60,
    seed: 11,
    mediaMix: { voice: 1 },
    rateLimit: null,
  });
  const work = await tempWorkdir(t, 'gt-audio-');
  const redacted = join(work, 'redacted');
  const plain = join(work, 'plain');
  const common = { formats: ['json' as const], mediaFormat: 'WAV' as const };
  const a = await runExport(emu, { ...common, outDir: redacted, stateDir: join(work, 's1') });
  const b = await runExport(emu, { ...common, outDir: plain, stateDir: join(work, 's2'), redact: false });
  assert.equal(a.summary.conversations.failed, 0, JSON.stringify(a.summary.failures));
  assert.equal(b.summary.conversations.failed, 0, JSON.stringify(b.summary.failures));

  let recordingsChecked = 0;
  let piiWordsChecked = 0;
  for (const id of emu.dataset.conversationIds()) {
    const conversation = emu.dataset.conversation(id)!;
    const rec = emu.dataset.recordings(id).find((r) => r.media === 'audio' && r.fileState === 'AVAILABLE');
    const sta = rec?.sessionId ? (emu.dataset.transcript(id, rec.sessionId) as Sta | undefined) : undefined;
    if (!rec || !sta) continue;
    const dir = conversationDir(redacted, conversation.conversationStart!, id);
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    const entry = manifest.redaction.audio.find(
      (e: { recordingId: string }) => e.recordingId === rec.recordingId,
    );
    assert.ok(entry, `${id}: no audio redaction entry`);
    assert.equal(entry.status, 'redacted');
    const after = await readFile(join(dir, entry.file));
    const before = await readFile(
      join(conversationDir(plain, conversation.conversationStart!, id), entry.file),
    );
    assert.equal(
      createHash('sha256').update(after).digest('hex'),
      entry.sha256,
      'manifest hash is the delivered file',
    );
    assert.equal(
      createHash('sha256').update(before).digest('hex'),
      rec.sha256,
      'the unredacted export has the original',
    );
    assert.equal(after.length, before.length);
    const durationMs = (sta as unknown as { duration: { milliseconds: number } }).duration.milliseconds;
    assert.equal(
      after.length,
      HEADER + 2 * Math.ceil((durationMs * RATE) / 1000),
      'as long as its transcript',
    );

    // Every planted PII value's words are silent (all-zero samples).
    for (const p of emu.dataset.planted(id).pii) {
      const occurrences = wordsSaying(sta, p.text);
      assert.ok(occurrences.length > 0, `${id}: ${p.entity} words not found in the transcript`);
      for (const words of occurrences)
        for (const w of words) {
          const from = byteOf(w.startMs, Math.ceil);
          const to = byteOf(w.endMs, Math.ceil);
          assert.ok(to > from);
          assert.ok(
            before.subarray(from, to).some((x) => x !== 0),
            'the original has the tone',
          );
          assert.ok(
            after.subarray(from, to).every((x) => x === 0),
            `${id}: ${p.entity} word audible at ${w.startMs} ms`,
          );
          piiWordsChecked++;
        }
    }
    // Outside the recorded ranges, byte-identical; inside, silent.
    const ranges = (entry.ranges as { startMs: number; endMs: number }[]).map((r) => ({
      from: byteOf(r.startMs, Math.floor),
      to: Math.min(after.length, byteOf(r.endMs, Math.ceil)),
    }));
    let cursor = 0;
    for (const r of [...ranges, { from: after.length, to: after.length }]) {
      assert.ok(
        after.subarray(cursor, r.from).equals(before.subarray(cursor, r.from)),
        `${id}: bytes changed outside the ranges`,
      );
      assert.ok(
        after.subarray(r.from, r.to).every((x) => x === 0),
        `${id}: a redacted range is not silent`,
      );
      cursor = r.to;
    }
    recordingsChecked++;
  }
  assert.ok(recordingsChecked >= 5, `checked ${recordingsChecked} recordings`);
  assert.ok(piiWordsChecked >= 20, `checked ${piiWordsChecked} PII words`);
});

test('audio redaction: a recording that is not an editable WAV is skipped with a reason, never delivered', async (t) => {
  const dir = await tempWorkdir(t, 'gt-audio-unit-');
  const path = join(dir, 'r.ogg');
  await writeFile(path, Buffer.from('OggS not a wav at all'));
  await assert.rejects(silenceWav(path, [{ startMs: 0, endMs: 10 }]), { code: 'INVALID_RESPONSE' });
  const transcript = {
    schemaVersion: 1 as const,
    conversationId: 'c',
    mediaType: 'voice' as const,
    source: 'speech-text-analytics' as const,
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 1000,
    segments: [],
    redaction: { applied: true, counts: {}, spans: [] },
  };
  const file = { name: 'recordings/r.ogg', path, size: 21, sha256: 'x', contentType: 'audio/ogg' };
  const r = await redactRecordingFiles(
    [{ recordingId: 'r1', file }],
    [{ before: transcript, after: transcript }],
  );
  assert.deepEqual(r.files, []);
  assert.equal(r.skipped[0]!.reason, 'audio-not-redactable');
  // Several voice transcripts: which one times the recording is unknown: skipped too.
  const two = await redactRecordingFiles(
    [{ recordingId: 'r1', file }],
    [
      { before: transcript, after: transcript },
      { before: transcript, after: transcript },
    ],
  );
  assert.deepEqual(two.files, []);
  assert.equal(two.skipped.length, 1);
});
