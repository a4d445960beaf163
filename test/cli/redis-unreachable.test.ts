// The Redis commands (enqueue, worker, queue-status) as a user runs them with no Redis at --redis:
// one line naming --redis / GT_REDIS_URL and how to start Redis, exit 2, no stack trace, and a
// bounded attempt even against a port that accepts connections but never answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertOneLineError, runCli, type CliResult } from '../helpers/cli.ts';

// A generous kill-after so that a hanging command fails the test instead of hanging it (the
// assertion is on the exit code, not on the time taken).
const cli = (args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<CliResult> =>
  runCli(args, { cwd, env, killAfterMs: 60_000 });

function assertRedisLine(r: CliResult, url: string): void {
  assertOneLineError(
    r,
    `cannot reach Redis at ${url}`,
    /--redis .*GT_REDIS_URL/,
    /redis-server --daemonize yes/,
  );
}

async function tempDir(t: import('node:test').TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gt-redis-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

// Credentials that pass configuration; nothing reaches Genesys before Redis is there.
const baseEnv = {
  PATH: process.env.PATH,
  GENESYSCLOUD_OAUTHCLIENT_ID: 'qa',
  GENESYSCLOUD_OAUTHCLIENT_SECRET: 'not-printed-secret',
  GENESYSCLOUD_REGION: 'eu-west-1',
};

test('enqueue, worker and queue-status without Redis: usage line naming --redis, exit 2', async (t) => {
  const cwd = await tempDir(t);
  const url = 'redis://127.0.0.1:1';
  for (const args of [
    ['queue-status', '--redis', url],
    ['enqueue', '--from', '-1d', '--redis', url],
    ['worker', '--out', 'out', '--redis', url],
  ]) {
    const r = await cli(args, cwd, baseEnv);
    assertRedisLine(r, 'redis://127.0.0.1:1');
    assert.doesNotMatch(r.stderr, /not-printed-secret/);
  }
  assert.deepEqual(await readdir(cwd), [], 'the worker created nothing before Redis answered');
  // The same through GT_REDIS_URL, and a password in the URL is masked.
  const r = await cli(['queue-status'], cwd, { ...baseEnv, GT_REDIS_URL: 'redis://:redis-pw@127.0.0.1:2' });
  assertRedisLine(r, 'redis://:***@127.0.0.1:2');
  assert.doesNotMatch(r.stderr, /redis-pw/);
});

test('queue-status against a port that accepts but never answers gives up (exit 2), no hang', async (t) => {
  const cwd = await tempDir(t);
  const sockets = new Set<Socket>();
  const silent = createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const s of sockets) s.destroy();
    silent.close();
  });
  const { port } = silent.address() as { port: number };
  const r = await cli(['queue-status', '--redis', `redis://127.0.0.1:${port}`], cwd, baseEnv);
  assertRedisLine(r, `redis://127.0.0.1:${port}`);
  assert.match(r.stderr, /no answer within/);
});
