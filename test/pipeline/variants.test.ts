// The emulator's named variants are the behaviours the public material leaves open (a mediaUri
// that is a downloads link or the signed URL itself, merged or per-channel mediaUris, a transcript
// URL answer without `url`, chat bodyType case). The same seed exported under every variant must
// give the same conversations, the same recordings (every channel, byte-exact) and the same
// transcripts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { eachVariant, type EmulatorVariants, type RunningEmulator } from '../../src/emulator/index.ts';
import { startTestEmulator, tempWorkdir } from '../helpers/emulator.ts';
import { runExport } from '../helpers/export.ts';
import { conversationDir } from '../faults/lib/oracle.ts';

interface ManifestFile {
  name: string;
  sha256: string;
  recordingId?: string;
  channel?: string;
}

interface Outcome {
  status: Record<string, string>;
  /** conversation → transcript file name → its bytes (sha256) */
  transcripts: Record<string, Record<string, string>>;
  /** conversation → recording → channel → sha256 */
  recordings: Record<string, Record<string, Record<string, string>>>;
  /** conversation → the chat transcript text (to check what bodyType does) */
  chatText: Record<string, string>;
  /** every 'no-transcript' skip: communication → its detail */
  noTranscript: Record<string, string>;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function exportUnder(
  t: Parameters<typeof startTestEmulator>[0],
  variants: Partial<EmulatorVariants>,
  recordingBatches: boolean,
) {
  const { emu } = await startTestEmulator(t, {
    conversations: 40,
    seed: 11,
    audioBytes: { min: 2048, max: 8192 },
    transcodeMs: 50,
    rateLimit: null,
    variants,
  });
  const work = await tempWorkdir(t, 'gt-variants-');
  const out = join(work, 'out');
  const { results, summary } = await runExport(emu, {
    outDir: out,
    stateDir: join(work, 'state'),
    formats: ['json', 'txt'],
    recordingBatches,
  });
  assert.equal(
    summary.conversations.failed,
    0,
    `${JSON.stringify(variants)}: ${JSON.stringify(summary.failures)}`,
  );
  const o: Outcome = { status: {}, transcripts: {}, recordings: {}, chatText: {}, noTranscript: {} };
  for (const r of results) o.status[r.conversationId] = r.status;
  for (const id of emu.dataset.conversationIds()) {
    const dir = conversationDir(out, emu.dataset.conversation(id)!.conversationStart!, id);
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as {
      files: ManifestFile[];
      skipped: { kind: string; id?: string; reason: string; detail?: string }[];
    };
    for (const k of manifest.skipped)
      if (k.reason === 'no-transcript') o.noTranscript[k.id!] = k.detail ?? '';
    o.transcripts[id] = {};
    o.recordings[id] = {};
    for (const f of manifest.files) {
      const bytes = await readFile(join(dir, f.name));
      if (f.name.startsWith('transcript-')) {
        o.transcripts[id]![f.name] = sha(bytes);
        if (f.name.endsWith('.txt') && emu.dataset.recordings(id)[0]?.media === 'chat')
          o.chatText[id] = bytes.toString('utf8');
      } else if (f.name.startsWith('recordings/')) {
        assert.ok(f.recordingId && f.channel, `${f.name}: the manifest names its recording and channel`);
        (o.recordings[id]![f.recordingId] ??= {})[f.channel] = sha(bytes);
      }
    }
  }
  return { emu, o };
}

/** Every channel of every available voice recording is in the export, byte for byte what the emulator holds. */
function assertEveryChannel(emu: RunningEmulator, o: Outcome, label: string): number {
  let checked = 0;
  for (const id of emu.dataset.conversationIds()) {
    for (const rec of emu.dataset.recordings(id)) {
      if (rec.media !== 'audio' || rec.fileState !== 'AVAILABLE') continue;
      const files = o.recordings[id]?.[rec.recordingId] ?? {};
      const merged = files.merged;
      if (merged) {
        assert.equal(merged, rec.sha256, `${label}: merged file of ${rec.recordingId}`);
      } else {
        // No merged file: then every channel, each named by its key.
        const want = Object.fromEntries((rec.channels ?? []).map((c) => [c.channel, c.sha256]));
        assert.ok(Object.keys(want).length > 0, `${label}: ${rec.recordingId} has no merged file`);
        assert.deepEqual(files, want, `${label}: every channel of ${rec.recordingId}`);
      }
      checked += 1;
    }
  }
  return checked;
}

test('the same seed exports the same conversations, recordings (all channels) and transcripts under every emulator variant', async (t) => {
  // Both ways to the recordings: batch requests (the default) and a recordings list per
  // conversation, where mediaUris (merged or per channel) decide the files.
  const runs: {
    label: string;
    variants: Partial<EmulatorVariants>;
    batches: boolean;
    o: Outcome;
    channels: Set<string>;
  }[] = [];
  for (const batches of [true, false])
    for (const variants of eachVariant()) {
      const { emu, o } = await exportUnder(t, variants, batches);
      const label = `${JSON.stringify(variants)}${batches ? ' (batch requests)' : ' (recordings lists)'}`;
      assert.ok(assertEveryChannel(emu, o, label) > 5, `${label}: voice recordings were checked`);
      const channels = new Set(
        Object.values(o.recordings).flatMap((byRec) => Object.values(byRec).flatMap((c) => Object.keys(c))),
      );
      runs.push({ label, variants, batches, o, channels });
      await emu.close();
    }
  const [base, ...others] = runs;
  assert.ok(Object.keys(base!.o.chatText).length > 0, 'chats were exported');
  for (const text of Object.values(base!.o.chatText))
    assert.ok(!/joined the conversation/.test(text), 'a MEMBERJOIN event is not exported as speech');
  for (const run of others) {
    const { label } = run;
    assert.deepEqual(run.o.status, base!.o.status, `${label}: same conversations, same outcomes`);
    assert.deepEqual(run.o.transcripts, base!.o.transcripts, `${label}: same transcripts`);
    // The same missing transcripts, each with its reason (an answer without url is one).
    assert.deepEqual(Object.keys(run.o.noTranscript).sort(), Object.keys(base!.o.noTranscript).sort());
    if (run.variants.transcriptUrl === 'withoutUrl')
      assert.deepEqual(
        new Set(Object.values(run.o.noTranscript)),
        new Set(['transcript URL answer without url']),
        `${label}: the reason says what Genesys answered`,
      );
    if (run.variants.mediaUris === 'perChannel' && !run.batches) {
      // Per-channel mediaUris: each channel in its own file, and the manifest says which.
      assert.ok(run.channels.has('0') && run.channels.has('1'), `${label}: per-channel files`);
    } else {
      // Batch results are the original recording (all channels in one), whatever mediaUris hold.
      assert.deepEqual(run.o.recordings, base!.o.recordings, `${label}: same recordings`);
    }
  }
  assert.deepEqual([...base!.channels], ['merged']);
  assert.ok(Object.keys(base!.o.noTranscript).length > 0, 'some recorded calls have no transcript');
});
