// The clients file (several OAuth clients) and the queue-status command as a user runs it (without
// Redis: test/cli/redis-unreachable.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { loadClientConfigs } from '../../src/distributed/clients.ts';
import { enqueueConversations, startWorker } from '../../src/distributed/index.ts';
import { isGtError } from '../../src/errors.ts';
import { REDIS_URL, testRedis, uniquePrefix } from './helpers.ts';

const BIN = fileURLToPath(new URL('../../bin/genesys-transcripts.js', import.meta.url));
const run = promisify(execFile);

function tempFile(t: import('node:test').TestContext, content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'gt-clients-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'clients.json');
  writeFileSync(file, content);
  return file;
}

test('a clients file yields one config per OAuth client, secrets from env, file or inline', (t) => {
  const secretFile = tempFile(t, 'secret-from-file\n');
  const file = tempFile(
    t,
    JSON.stringify({
      clients: [
        { clientId: 'client-a', clientSecretEnv: 'GT_TEST_SECRET_A' },
        { clientId: 'client-b', clientSecretFile: secretFile },
        { clientId: 'client-c', clientSecret: 'inline-secret' },
      ],
    }),
  );
  const configs = loadClientConfigs(file, {
    flags: { region: 'eu-west-1' },
    env: { GT_TEST_SECRET_A: 'secret-a' },
  });
  assert.deepEqual(
    configs.map((c) => [c.clientId, c.clientSecret(), c.apiUrl]),
    [
      ['client-a', 'secret-a', 'https://api.mypurecloud.ie'],
      ['client-b', 'secret-from-file', 'https://api.mypurecloud.ie'],
      ['client-c', 'inline-secret', 'https://api.mypurecloud.ie'],
    ],
  );
});

test('a bad clients file is CONFIG_INVALID and never echoes a secret', (t) => {
  const typo = tempFile(t, JSON.stringify({ clients: [{ clientId: 'a', clientSecrt: 'hunter2-secret' }] }));
  assert.throws(
    () => loadClientConfigs(typo, { flags: { region: 'eu-west-1' } }),
    (e) => isGtError(e, 'CONFIG_INVALID') && /clientSecrt/.test(e.message) && !e.message.includes('hunter2'),
  );
  const emptyEnv = tempFile(
    t,
    JSON.stringify({ clients: [{ clientId: 'a', clientSecretEnv: 'GT_TEST_UNSET_VAR' }] }),
  );
  assert.throws(
    () => loadClientConfigs(emptyEnv, { flags: { region: 'eu-west-1' }, env: {} }),
    /GT_TEST_UNSET_VAR is empty/,
  );
  const none = tempFile(t, JSON.stringify({ clients: [] }));
  assert.throws(
    () => loadClientConfigs(none, { flags: { region: 'eu-west-1' } }),
    (e) => isGtError(e, 'CONFIG_INVALID'),
  );
});

test('queue-status --json shows counts and failed jobs with reasons; exit code 1 when some failed', async (t) => {
  const redis = await testRedis(t);
  const prefix = uniquePrefix(t, 'cli-status');
  await enqueueConversations({
    redis,
    prefix,
    conversations: ['conv-ok-1', 'conv-ok-2', 'conv-bad-1'],
    jobOptions: { attempts: 1 },
  });
  const w = await startWorker({
    redis,
    prefix,
    processor: async (id) =>
      id === 'conv-bad-1'
        ? { status: 'failed', errorCode: 'DOWNLOAD_FAILED', reason: 'recording gone' }
        : { status: 'done' },
  });
  t.after(() => w.close());
  const done = new Promise<void>((resolve) => {
    let n = 0;
    const tick = () => (n += 1) === 3 && resolve();
    w.worker.on('completed', tick);
    w.worker.on('failed', tick);
  });
  await done;
  const result = await run(process.execPath, [
    BIN,
    'queue-status',
    '--redis',
    REDIS_URL,
    '--prefix',
    prefix,
    '--json',
  ]).then(
    () => assert.fail('exit code 0 despite a failed job'),
    (err: { code: number; stdout: string }) => err,
  );
  assert.equal(result.code, 1);
  const status = JSON.parse(result.stdout);
  assert.equal(status.counts.completed, 2);
  assert.equal(status.counts.failed, 1);
  assert.deepEqual(
    status.failed.map((f: { conversationId: string; reason: string }) => [f.conversationId, f.reason]),
    [['conv-bad-1', 'DOWNLOAD_FAILED: recording gone']],
  );
});
