// Bytes and redactions are counted once per exported conversation: not again when a conversation
// is retried after a sink failed, not at all for one deferred or skipped after its downloads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Exporter } from '../../src/pipeline/exporter.ts';
import { configFor, startTestEmulator, tempWorkdir } from '../helpers/emulator.ts';
import { listFiles } from '../helpers/export.ts';
import { startWebhookReceiver } from '../helpers/webhook-receiver.ts';
import { setEnvFor } from '../helpers/env.ts';

function metricSum(text: string, name: string): number {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

test('a conversation retried after its webhook refused it counts its bytes and redactions once', async (t) => {
  const { emu } = await startTestEmulator(t, { conversations: 30, seed: 8, rateLimit: null });
  // The first POST of every conversation is refused (a 400 is not retried by the sink): the
  // conversation's first attempt fails, its second is delivered.
  const receiver = await startWebhookReceiver({
    behaviour: (attempt, _req, res) => (attempt === 1 ? (res.writeHead(400).end(), true) : false),
  });
  t.after(() => receiver.close());
  setEnvFor(t, 'GT_WEBHOOK_SECRET', receiver.secret);
  const work = await tempWorkdir(t, 'gt-metrics-once-');
  const outDir = join(work, 'out');
  const exporter = new Exporter(
    {
      selection: { interval: emu.interval },
      outDir,
      stateDir: join(work, 'state'),
      sinks: [`webhook:${receiver.url}`],
      review: false,
    },
    { config: configFor(emu) },
  );
  for await (const r of exporter.run()) void r;
  const summary = exporter.summary();
  assert.equal(summary.conversations.failed, 0, JSON.stringify(summary.failures));
  assert.ok(
    [...receiver.attempts.values()].some((n) => n > 1),
    'conversations were retried',
  );

  let mediaOnDisk = 0;
  for (const f of await listFiles(outDir))
    if (f.includes('/recordings/')) mediaOnDisk += (await stat(f)).size;
  assert.ok(mediaOnDisk > 0, `media on disk: ${JSON.stringify(summary)}`);
  const prom = await exporter.metrics.text();
  assert.equal(summary.bytes, mediaOnDisk);
  assert.equal(metricSum(prom, 'gt_media_bytes_total'), mediaOnDisk);
  const redacted = Object.values(summary.redactions).reduce((a, b) => a + b, 0);
  assert.ok(redacted > 0, 'the dataset has PII to redact');
  assert.equal(metricSum(prom, 'gt_redactions_total'), redacted);
});
