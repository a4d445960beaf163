// Crash safety and exactly-once delivery: the CLI is killed with SIGKILL at seeded random points
// three times, then run to completion; the files must equal a clean run's, and the webhook
// receiver must have accepted exactly one delivery per conversation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.ts';
import { Exporter } from '../../src/pipeline/exporter.ts';
import { configFor, listFiles } from '../helpers/export.ts';
import { startWebhookReceiver } from '../helpers/webhook-receiver.ts';
import { connectionArgs } from '../helpers/emulator.ts';

const CLI = new URL('../../bin/genesys-transcripts.js', import.meta.url).pathname;
const WEBHOOK_SECRET = `whsec_${Buffer.from('resume-test-secret-0123456789').toString('base64')}`;

function runCli(emu: RunningEmulator, args: string[], killAfterMs?: number): Promise<number | null> {
  const child = spawn(process.execPath, [CLI, 'export', ...args], {
    env: {
      ...process.env,
      GENESYSCLOUD_OAUTHCLIENT_SECRET: emu.clientSecret,
      GT_WEBHOOK_SECRET: WEBHOOK_SECRET,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  if (killAfterMs !== undefined) setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  return done.then((code) => {
    if (killAfterMs === undefined && code !== 0) assert.fail(`export exited ${code}: ${stderr}`);
    return code;
  });
}

/** Relative path -> sha256, with manifests normalised (exportedAt differs between runs by design). */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const f of await listFiles(dir)) {
    // The search database's bytes depend on write order; its content is checked by the review tests.
    if (relative(dir, f).startsWith(join('review', 'index.db'))) continue;
    let bytes: Buffer | string = await readFile(f);
    if (f.endsWith('manifest.json')) {
      const m = JSON.parse(bytes.toString('utf8'));
      delete m.exportedAt;
      bytes = JSON.stringify(m);
    }
    out.set(relative(dir, f), createHash('sha256').update(bytes).digest('hex'));
  }
  return out;
}

/** The paths whose content differs, or that only one side has (readable where two maps of
 * hundreds of files are not). */
function differences(actual: Map<string, string>, expected: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [path, hash] of actual)
    if (!expected.has(path)) out.push(`extra ${path}`);
    else if (expected.get(path) !== hash) out.push(`changed ${path}`);
  for (const path of expected.keys()) if (!actual.has(path)) out.push(`missing ${path}`);
  return out;
}

// The emulator keeps Genesys' default budget (300 requests a minute), so the runs are paced by the
// rate limiter, not the CPU: about a minute here, hence a timeout above the suite's default.
test(
  'killed three times with SIGKILL, resumed: same files as a clean run, one webhook delivery per conversation',
  { timeout: 300_000 },
  async (t) => {
    const emu = await startEmulator({
      conversations: 120,
      seed: 11,
      audioBytes: { min: 64 * 1024, max: 512 * 1024 },
      transcodeMs: 300,
      faults: '5xx=0.02,reset=0.01,truncate=0.01',
    });
    const receiver = await startWebhookReceiver({ secret: WEBHOOK_SECRET });
    const work = await mkdtemp(join(tmpdir(), 'gt-resume-'));
    t.after(async () => {
      await receiver.close();
      await emu.close();
      await rm(work, { recursive: true, force: true });
    });

    // The reference: one clean, uninterrupted run in this process.
    const clean = new Exporter(
      {
        selection: { interval: emu.interval },
        outDir: join(work, 'clean'),
        stateDir: join(work, 'clean-state'),
      },
      { config: configFor(emu) },
    );
    for await (const _ of clean.run()) {
      // drain
    }
    assert.equal(clean.summary().conversations.failed, 0, JSON.stringify(clean.summary().failures));

    const args = [
      ...connectionArgs(emu),
      '--from',
      emu.interval.split('/')[0]!,
      '--to',
      emu.interval.split('/')[1]!,
      '--out',
      join(work, 'out'),
      '--state-dir',
      join(work, 'state'),
      '--sink',
      `webhook:${receiver.url}`,
      '--concurrency',
      '4',
      '--json',
    ];
    // Seeded "random" kill points, spread over the run.
    let seed = 12345;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 3; i += 1) {
      const code = await runCli(emu, args, 800 + Math.floor(rand() * 2500));
      assert.notEqual(
        code,
        0,
        'the kill landed before the export finished (raise the dataset if this fails)',
      );
      await sleep(50);
    }
    await runCli(emu, args);

    const resumed = await snapshot(join(work, 'out'));
    const reference = await snapshot(join(work, 'clean'));
    assert.deepEqual(differences(resumed, reference), [], 'the resumed export holds a clean run’s files');
    assert.equal(receiver.badSignatures(), 0, 'every webhook signature verified');
    const ids = emu.dataset.conversationIds();
    for (const id of ids) {
      const hooks = receiver.conversations.get(id);
      assert.ok(hooks, `conversation ${id} was delivered to the webhook`);
      assert.equal(hooks.size, 1, `one delivery id for ${id}`);
    }
    // A kill can land between the receiver's 2xx and the checkpoint write; the re-run then resends
    // with the SAME webhook-id, which a Standard Webhooks receiver dedupes. So: one delivery id per
    // conversation always, and at most one resend per kill.
    const resends = [...receiver.accepted.values()].reduce((a, n) => a + (n - 1), 0);
    assert.ok(resends <= 3, `${resends} resends for 3 kills`);
  },
);
