// A clean export of the emulator (whose chats hold typing indicators and joins, as Genesys' do)
// warns about nothing: an item with no text is a debug line; only text that was lost is a warning.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { startEmulator } from '../../src/emulator/index.ts';
import { Exporter } from '../../src/pipeline/exporter.ts';
import { createLogger } from '../../src/observe/logger.ts';
import { configFor } from '../helpers/export.ts';

test('items with no text (typing, joins, silence) are logged at debug level, not as warnings', async (t) => {
  const emu = await startEmulator({ conversations: 60, seed: 1 });
  const dir = await mkdtemp(join(tmpdir(), 'gt-transcript-warnings-'));
  t.after(async () => {
    await emu.close();
    await rm(dir, { recursive: true, force: true });
  });
  const lines: { level: number; msg: string; emptyItems?: number }[] = [];
  const sink = new PassThrough();
  sink.on('data', (b: Buffer) => {
    for (const l of b.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l));
  });
  const exporter = new Exporter(
    {
      selection: { interval: emu.interval },
      outDir: join(dir, 'out'),
      review: false,
    },
    { config: configFor(emu), logger: createLogger({ level: 'debug', destination: sink }) },
  );
  for await (const r of exporter.run()) assert.notEqual(r.status, 'failed', r.reason);
  await new Promise((r) => setImmediate(r)); // the stream's last writes
  const cleaned = lines.filter((l) => l.msg === 'transcript items dropped or cleaned');
  assert.ok(
    cleaned.some((l) => (l.emptyItems ?? 0) > 0),
    'the dataset has items with no text',
  );
  assert.deepEqual(
    cleaned.filter((l) => l.level >= 40),
    [],
  );
});
