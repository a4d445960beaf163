// Checks before work: an export that cannot write its output, whose credentials are refused or
// whose API cannot be reached exits 2 with one line naming the flag or variable to fix — before
// any analytics or recordings request (counted by the emulator). Option errors name the flag and
// the value instead of a validator's wording.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startTestEmulator, tempWorkdir } from '../helpers/emulator.ts';
import { runCli } from '../faults/lib/cli.ts';
import type { RunningEmulator } from '../../src/emulator/index.ts';

/** Routes that mean work started: discovery, recordings, transcripts, downloads. */
function workRequests(emu: RunningEmulator): string[] {
  return Object.keys(emu.stats().requests).filter((r) => r !== 'oauth.token' && r !== 'tokens.me');
}

function intervalArgs(emu: RunningEmulator): string[] {
  const [from, to] = emu.interval.split('/');
  return ['--from', from!, '--to', to!];
}

async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

function assertOneLine(stderr: string, pattern: RegExp): void {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line, got:\n${stderr}`);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
}

test('--out on a file, a wrong secret, an unreachable API or login host: exit 2 before any analytics or recordings call', async (t) => {
  const { emu } = await startTestEmulator(t, { conversations: 6, seed: 12 });
  const work = await tempWorkdir(t, 'gt-preflight-');
  const file = join(work, 'a-file');
  await writeFile(file, 'not a folder');

  const cases: { name: string; args: string[]; env?: Record<string, string>; expect: RegExp }[] = [
    {
      name: 'out on a file',
      args: ['--out', file],
      expect: /--out .*a-file: is a file, not a folder; give --out a folder \[PREFLIGHT\]/,
    },
    {
      name: 'state folder under a file',
      args: ['--out', join(work, 'ok'), '--state-dir', join(file, 'state')],
      expect: /--state-dir .*a-file\/state: a part of the path is a file/,
    },
    {
      name: 'wrong secret',
      args: ['--out', join(work, 'out-secret')],
      env: { GENESYSCLOUD_OAUTHCLIENT_SECRET: 'not-the-secret' },
      expect:
        /credentials rejected: authentication failed for OAuth client .*; check GENESYSCLOUD_OAUTHCLIENT_ID \/ GENESYSCLOUD_OAUTHCLIENT_SECRET/,
    },
    {
      name: 'unreachable API',
      args: ['--out', join(work, 'out-api'), '--api-url', `http://127.0.0.1:${await deadPort()}`],
      expect: /API host unreachable: .*; check --region \/ GENESYSCLOUD_REGION \(or --api-url\)/,
    },
    {
      name: 'unreachable login host',
      args: ['--out', join(work, 'out-login'), '--login-url', `http://127.0.0.1:${await deadPort()}`],
      expect: /login host unreachable: .*; check --region \/ GENESYSCLOUD_REGION \(or --login-url\)/,
    },
  ];
  for (const c of cases) {
    emu.resetStats();
    const r = await runCli(emu, [...intervalArgs(emu), ...c.args], c.env ? { env: c.env } : {});
    assert.equal(r.code, 2, `${c.name}: ${r.stderr}`);
    assertOneLine(r.stderr, c.expect);
    assert.deepEqual(workRequests(emu), [], `${c.name}: no analytics or recordings call`);
  }
});

/** Runs the export with `dir` mounted read-only (root ignores file modes) or chmod 0555 otherwise. */
function readOnlyRun(emu: RunningEmulator, dir: string): { status: number | null; stderr: string } | string {
  const cli = new URL('../../bin/genesys-transcripts.js', import.meta.url).pathname;
  const args = [
    cli,
    'export',
    '--api-url',
    emu.baseUrl,
    '--login-url',
    emu.loginUrl,
    '--client-id',
    emu.clientId,
    '--out',
    dir,
    ...intervalArgs(emu),
  ];
  const env = { ...process.env, GENESYSCLOUD_OAUTHCLIENT_SECRET: emu.clientSecret };
  if (process.getuid?.() !== 0) {
    const r = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
    return { status: r.status, stderr: r.stderr };
  }
  const script = `mount -t tmpfs -o ro,size=64k tmpfs "$1" && shift && exec "$@"`;
  const r = spawnSync(
    'unshare',
    ['--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', dir, process.execPath, ...args],
    {
      env,
      encoding: 'utf8',
    },
  );
  if (r.error || (r.status !== 2 && /mount|unshare/.test(r.stderr)))
    return `cannot mount read-only here: ${r.stderr || r.error}`;
  return { status: r.status, stderr: r.stderr };
}

test('a read-only --out folder: exit 2 naming it, nothing requested', async (t) => {
  const { emu } = await startTestEmulator(t, { conversations: 6, seed: 12 });
  const work = await tempWorkdir(t, 'gt-preflight-ro-');
  const dir = join(work, 'readonly');
  await mkdir(dir);
  if (process.getuid?.() !== 0) await chmod(dir, 0o555);
  t.after(() => chmod(dir, 0o755).catch(() => {}));
  emu.resetStats();
  const r = readOnlyRun(emu, dir);
  if (typeof r === 'string') return t.skip(r);
  assert.equal(r.status, 2, r.stderr);
  assertOneLine(
    r.stderr,
    /--out .*readonly: is not writable \((EROFS|EACCES)\); choose another --out or make it writable \[PREFLIGHT\]/,
  );
  assert.deepEqual(workRequests(emu), []);
});

test('option errors name the flag and the value', async (t) => {
  const { emu } = await startTestEmulator(t, { conversations: 2, seed: 12 });
  const work = await tempWorkdir(t, 'gt-options-');
  const cases: [string[], RegExp][] = [
    [
      ['--formats', 'json,pdf'],
      /^genesys-transcripts: --formats: "pdf" is not one of json, txt, vtt, srt \[USAGE\]$/,
    ],
    [
      ['--concurrency', 'lots'],
      /^genesys-transcripts: --concurrency: "lots" is not a whole number from 1 to 64 \[USAGE\]$/,
    ],
    [['--media-type', 'fax'], /--media-type: "fax" is not one of voice, chat, message, email, callback/],
    [['--media-format', 'flac'], /--media-format: "flac" is not one of WAV, WEBM, OGG_OPUS, MP3/],
    [['--from', 'last tuesday'], /--from: "last tuesday" is not a date; use ISO-8601/],
    [['--since', 'yesterday'], /--since: "yesterday" is not one of last/],
    [['--language', 'english!'], /--language: "english!": a language is a BCP-47 tag like en-US/],
    [['--since', 'last', '--lag', 'long'], /--lag: "long" is not a duration/],
    [['--log-level', 'loud'], /--log-level: "loud" is not one of fatal, error, warn/],
  ];
  for (const [args, expect] of cases) {
    const r = await runCli(emu, ['--out', join(work, 'out'), ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assertOneLine(r.stderr, expect);
  }
  assert.deepEqual(workRequests(emu), []);
});

test('an export folder that refuses writes mid-run stops the run with one line naming it, not one per conversation', async (t) => {
  const { emu } = await startTestEmulator(t, { conversations: 30, seed: 13, rateLimit: null });
  const work = await tempWorkdir(t, 'gt-midrun-');
  const out = join(work, 'export');
  await mkdir(out);
  // Every conversation folder goes under <out>/<year>/…: a file there refuses them all.
  await writeFile(join(out, emu.interval.slice(0, 4)), 'in the way');
  const r = await runCli(emu, [...intervalArgs(emu), '--out', out]);
  assert.equal(r.code, 1, r.stderr);
  assertOneLine(
    r.stderr,
    /filesystem delivery to .*export failed \((ENOTDIR|EEXIST)\): the export folder is not writable; check --out \[SINK_FAILED\]/,
  );
});
