// Sinks receive a conversation at once, each delivery recorded on its own (pipeline/conversation.ts,
// deliverToSinks): when the export folder refuses writes, the webhook still gets the conversations
// in flight, and the checkpoint remembers them, so the run that follows (folder fixed) sends each
// conversation to the webhook exactly once in all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startTestEmulator, tempWorkdir } from '../helpers/emulator.ts';
import { listFiles, runExport } from '../helpers/export.ts';
import { startWebhookReceiver } from '../helpers/webhook-receiver.ts';
import { setEnvFor } from '../helpers/env.ts';

test('a failing filesystem sink does not keep the webhook from its deliveries, and none is sent twice', async (t) => {
  const { emu } = await startTestEmulator(t, { conversations: 12, seed: 5, rateLimit: null });
  const receiver = await startWebhookReceiver();
  t.after(() => receiver.close());
  setEnvFor(t, 'GT_WEBHOOK_SECRET', receiver.secret);
  const work = await tempWorkdir(t, 'gt-sinks-parallel-');
  const outDir = join(work, 'out');
  const stateDir = join(work, 'state');
  // A file where the year folders go: every filesystem delivery fails (ENOTDIR), fatally.
  const years = [...new Set(emu.interval.split('/').map((iso) => iso.slice(0, 4)))];
  await mkdir(outDir, { recursive: true });
  for (const y of years) await writeFile(join(outDir, y), 'in the way\n');
  const options = { outDir, stateDir, sinks: [`webhook:${receiver.url}`], review: false };

  await runExport(emu, options).catch(() => undefined); // the fatal folder error may end the run
  const firstRun = new Set(receiver.received.map((r) => r.conversationId));
  assert.ok(firstRun.size > 0, 'the webhook got the conversations whose folder delivery failed');
  assert.equal((await listFiles(outDir)).filter((f) => f.endsWith('manifest.json')).length, 0);

  for (const y of years) await rm(join(outDir, y));
  const { summary } = await runExport(emu, options);
  assert.equal(summary.conversations.failed, 0, JSON.stringify(summary.failures));
  const ids = emu.dataset.conversationIds();
  const manifests = (await listFiles(outDir)).filter((f) => f.endsWith('manifest.json'));
  assert.equal(manifests.length, ids.length, 'every conversation in the folder after the second run');
  for (const id of ids) {
    const posts = receiver.received.filter((r) => r.conversationId === id).length;
    assert.equal(
      posts,
      1,
      `conversation ${id}: ${posts} webhook deliveries (first run had it: ${firstRun.has(id)})`,
    );
  }
});
