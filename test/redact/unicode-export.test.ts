// Issue 14: text no one here wrote. The emulator's chats, messages and e-mails carry some written
// cards, SSNs and phone numbers the way other keyboards and systems type them (full-width digits,
// U+2010/U+2011/U+2212 hyphens and minus signs, a zero-width space or soft hyphen inside the
// number). An export redacts every one of them, and the manifest counts them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startTestEmulator, tempWorkdir } from '../helpers/emulator.ts';
import { runExport } from '../helpers/export.ts';
import { conversationDir, spokenText, standsIn } from '../faults/lib/oracle.ts';

const NON_ASCII = /[^\x20-\x7e]/;

test('export: Unicode-written PII in digital transcripts is redacted and counted in the manifest', async (t) => {
  const { emu } = await startTestEmulator(t, {
    conversations: 80,
    seed: 7,
    mediaMix: { voice: 0, chat: 0.4, message: 0.3, email: 0.3 },
  });
  const work = await tempWorkdir(t, 'gt-unicode-');
  const out = join(work, 'out');
  const { summary } = await runExport(emu, {
    outDir: out,
    stateDir: join(work, 'state'),
    formats: ['json', 'txt'],
    media: false,
  });
  assert.equal(summary.conversations.failed, 0, JSON.stringify(summary.failures));

  const seen = new Set<string>();
  for (const id of emu.dataset.conversationIds()) {
    const planted = emu.dataset
      .planted(id)
      .pii.filter((p) => NON_ASCII.test(p.text) && /\p{Nd}/u.test(p.text));
    if (planted.length === 0) continue;
    const conversation = emu.dataset.conversation(id)!;
    const dir = conversationDir(out, conversation.conversationStart!, id);
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    const names = (manifest.files as { name: string }[])
      .map((f) => f.name)
      .filter((n) => n.startsWith('transcript-'));
    const text = (
      await Promise.all(names.map(async (n) => spokenText(n, await readFile(join(dir, n), 'utf8'))))
    ).join('\n');
    const all = emu.dataset.planted(id).pii;
    for (const p of planted) {
      seen.add(
        `${p.entity}:${[...p.text]
          .find((c) => NON_ASCII.test(c))!
          .codePointAt(0)!
          .toString(16)}`,
      );
      assert.ok(!standsIn(text, p.text), `${p.entity} written ${JSON.stringify(p.text)} leaked in ${id}`);
      // Counted: the manifest has at least one redaction per planted value of that entity.
      const plantedOfEntity = all.filter((q) => q.entity === p.entity).length;
      assert.ok(
        (manifest.redaction.counts[p.entity] ?? 0) >= plantedOfEntity,
        `${id}: manifest counts ${manifest.redaction.counts[p.entity] ?? 0} ${p.entity}, planted ${plantedOfEntity}`,
      );
    }
  }
  // The dataset exercised the forms the issue names (full-width digits, U+2010, U+2212, hidden chars).
  for (const form of ['CARD:ff11', 'SSN:2010', 'SSN:2212', 'CARD:200b', 'CARD:ad'])
    assert.ok(
      [...seen].some((s) => s === form || (form === 'CARD:ff11' && /^CARD:ff1/.test(s))),
      `no ${form} in ${[...seen].join(' ')}`,
    );
});
