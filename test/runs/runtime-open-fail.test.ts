// A runtime that cannot be built (a bad --sink) closes what it opened before the failure: a library
// caller's process would otherwise keep the checkpoint and the audit log open.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { isGtError } from '../../src/errors.ts';
import { createExportRuntime } from '../../src/pipeline/runtime.ts';
import { configFor, startTestEmulator, tempWorkdir } from '../helpers/emulator.ts';
import { setEnvFor } from '../helpers/env.ts';

async function openFilesUnder(dir: string): Promise<string[]> {
  const fds = await readdir('/proc/self/fd');
  const paths = await Promise.all(fds.map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')));
  return paths.filter((p) => p.startsWith(dir));
}

test(
  'a sink that cannot be created leaves no checkpoint or audit log open',
  { skip: !existsSync('/proc/self/fd') },
  async (t) => {
    const { emu } = await startTestEmulator(t, { conversations: 2, rateLimit: null });
    const work = await tempWorkdir(t, 'gt-runtime-fail-');
    setEnvFor(t, 'GT_WEBHOOK_SECRET', undefined); // the webhook sink refuses to start without it
    await assert.rejects(
      createExportRuntime(
        { outDir: join(work, 'out'), sinks: ['webhook:https://127.0.0.1:9/hook'] },
        { config: configFor(emu) },
      ),
      (err) => isGtError(err, 'CONFIG_INVALID'),
    );
    assert.deepEqual(await openFilesUnder(work), []);
    // And the same folder serves the next runtime.
    const runtime = await createExportRuntime({ outDir: join(work, 'out') }, { config: configFor(emu) });
    await runtime.close();
    assert.deepEqual(await openFilesUnder(work), []);
  },
);
