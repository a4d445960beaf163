// A worker killed with SIGKILL mid-download leaves <state-dir>/workers/<host>-<pid>/ with partial
// recordings (customer audio) in staging; the next worker to start adopts it (issue 15): partial
// files removed, audit log kept (under workers/adopted/), dead letters moved to the adopter. A live
// worker's folder is left alone. Real CLI worker, real Redis, the emulator trickling media.
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { enqueueConversations } from '../../src/distributed/index.ts';
import { createPipelineProcessor } from '../../src/distributed/pipeline-processor.ts';
import { ADOPTED_DIR, workerDirName } from '../../src/distributed/leftovers.ts';
import { InMemoryRateLimiter } from '../../src/genesys/rate-limiter.ts';
import { safeName } from '../../src/util/safe-name.ts';
import { configFor, connectionArgs, startTestEmulator, tempWorkdir } from '../helpers/emulator.ts';
import { REDIS_URL, testRedis, uniquePrefix } from '../distributed/helpers.ts';
import { spawnCliWorker, stopWorkers } from '../distributed/cli-workers.ts';
import { Capture } from '../faults/lib/logs.ts';
import { createLogger } from '../../src/observe/logger.ts';

async function filesUnder(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []))
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  for (const until = Date.now() + ms; Date.now() < until;) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test(
  'a SIGKILLed worker’s partial recordings are removed by the next worker, its audit log kept',
  { timeout: 60_000 },
  async (t) => {
    const redis = await testRedis(t);
    const prefix = uniquePrefix(t, 'leftovers');
    const { emu } = await startTestEmulator(t, {
      seed: 15,
      conversations: 30,
      mediaMix: { voice: 1 },
      transcodeMs: 0,
      rateLimit: null,
      audioBytes: { min: 60_000, max: 80_000 },
      trickleIntervalMs: 20,
    });
    const dir = await tempWorkdir(t, 'gt-leftovers-');
    const state = join(dir, 'state');
    const ids = emu.dataset
      .conversationIds()
      .filter((id) => emu.dataset.recordings(id)[0]?.fileState === 'AVAILABLE');
    // Media trickles: the worker is mid-download, bytes on disk, when it is killed.
    emu.scriptFault({ route: 'signed.media', count: 100, fault: 'trickle' });
    await enqueueConversations({ redis, prefix, conversations: ids });
    const w = await spawnCliWorker(
      'doomed',
      [
        ...connectionArgs(emu),
        '--redis',
        REDIS_URL,
        '--prefix',
        prefix,
        '--out',
        join(dir, 'out'),
        '--state-dir',
        state,
        '--concurrency',
        '2',
        '--min-transfer-rate',
        '0',
      ],
      { GENESYSCLOUD_OAUTHCLIENT_SECRET: emu.clientSecret },
    );
    t.after(() => stopWorkers([w]));
    const deadDir = join(state, 'workers', workerDirName(w.proc.pid!));
    const parts = await waitFor('a partial download', async () => {
      const found = (await filesUnder(deadDir)).filter((f) => f.endsWith('.part'));
      for (const f of found) if ((await stat(f)).size > 0) return found;
      return undefined;
    });
    w.proc.kill('SIGKILL');
    await w.exited;
    const client = safeName(emu.clientId);
    const audit = await readFile(join(deadDir, client, 'audit.jsonl'), 'utf8');
    // A dead letter it had (written here as a stand-in for an undelivered webhook).
    await mkdir(join(deadDir, client, 'dead-letters'), { recursive: true });
    await writeFile(join(deadDir, client, 'dead-letters', 'gt_x.json'), '{"deliveryId":"gt_x"}\n');
    // A live worker's folder (this test process is running) must be left alone.
    const liveDir = join(state, 'workers', `${safeName(hostname())}-${process.ppid}`);
    await mkdir(join(liveDir, client, 'staging'), { recursive: true });
    await writeFile(join(liveDir, client, 'staging', 'busy.part'), 'in use');

    const logs = new Capture();
    const p = await createPipelineProcessor({
      configs: [configFor(emu)],
      limiter: new InMemoryRateLimiter(),
      logger: createLogger({ level: 'info', destination: logs }),
      exportOptions: { outDir: join(dir, 'out'), stateDir: state },
    });
    t.after(() => p.close());

    const adopted = join(state, 'workers', ADOPTED_DIR, workerDirName(w.proc.pid!));
    assert.equal(
      await readFile(join(adopted, client, 'audit.jsonl'), 'utf8'),
      audit,
      'its audit entries are kept',
    );
    const remaining = await filesUnder(join(state, 'workers'));
    assert.deepEqual(
      remaining.filter((f) => f.endsWith('.part') && !f.startsWith(liveDir)),
      [],
      `partial recordings removed (there were ${parts.length})`,
    );
    assert.ok(
      remaining.includes(join(liveDir, client, 'staging', 'busy.part')),
      'a live worker is left alone',
    );
    assert.ok(
      remaining.includes(join(state, 'workers', workerDirName(), client, 'dead-letters', 'gt_x.json')),
      'dead letters move to the adopting worker',
    );
    assert.match(logs.text(), /adopted the leftovers of a dead worker/);
    assert.match(logs.text(), /"removedFiles":[1-9]/);
  },
);
