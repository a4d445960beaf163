// Bad input as a user types it: one line on stderr naming what to fix, exit 2, no stack trace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertOneLineError, runCli, type CliResult } from '../helpers/cli.ts';

// Call sites read as a user types: the arguments, then the folder they are typed in.
const cli = (args: string[], cwd: string, env?: NodeJS.ProcessEnv): Promise<CliResult> =>
  runCli(args, { cwd, env });
const assertUsageLine = (r: CliResult, mentions: string): void => assertOneLineError(r, new RegExp(mentions));

test('verify on a folder that does not exist, or on a file', async (t) => {
  const cwd = await mkdtemp(join(tmpdir(), 'gt-bad-input-'));
  t.after(() => rm(cwd, { recursive: true, force: true }));
  assertUsageLine(await cli(['verify', 'no-such-export'], cwd), 'verify: no-such-export does not exist');
  await writeFile(join(cwd, 'afile'), '');
  assertUsageLine(await cli(['verify', 'afile'], cwd), 'verify: afile is a file');
});

test('an unreachable proxy is named (password masked), not the login host', async (t) => {
  const cwd = await mkdtemp(join(tmpdir(), 'gt-bad-input-'));
  t.after(() => rm(cwd, { recursive: true, force: true }));
  const env = { PATH: process.env.PATH, HOME: cwd, GENESYSCLOUD_OAUTHCLIENT_SECRET: 'not-printed-secret' };
  const api = 'http://127.0.0.1:9';
  const args = ['export', '--api-url', api, '--login-url', api, '--client-id', 'qa', '--out', 'out'];
  const r = await cli([...args, '--from', '-1d', '--proxy', 'http://qa:proxy-pw@127.0.0.1:1'], cwd, env);
  assertUsageLine(
    r,
    'login host unreachable through the proxy http://qa:\\*+@127\\.0\\.0\\.1:1/?: .*--proxy',
  );
  assert.doesNotMatch(r.stderr, /proxy-pw|not-printed-secret/);
  // Without a proxy the message still sends the user to the login host settings.
  assertUsageLine(await cli([...args, '--from', '-1d'], cwd, env), 'login host unreachable: .*--login-url');
});

test('dlq list and retry on a folder that holds no export state', async (t) => {
  const cwd = await mkdtemp(join(tmpdir(), 'gt-bad-input-'));
  t.after(() => rm(cwd, { recursive: true, force: true }));
  assertUsageLine(await cli(['dlq', 'list', '--out', 'typo'], cwd), 'no export state at typo/');
  assertUsageLine(await cli(['dlq', 'list', '--state-dir', 'typo'], cwd), 'no export state at typo:');
  const retry = ['dlq', 'retry', '--out', 'typo', '--sink', 'webhook:https://127.0.0.1:9/x'];
  const env = { ...process.env, GT_WEBHOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' };
  assertUsageLine(await cli(retry, cwd, env), 'no export state at typo/');
});

test('export --emulator with a bad flag value or --out: that one line, not the emulator banner before it', async (t) => {
  const cwd = await mkdtemp(join(tmpdir(), 'gt-bad-input-'));
  t.after(() => rm(cwd, { recursive: true, force: true }));
  const args = ['export', '--emulator', '--emulator-conversations', '2', '--out', 'out'];
  assertUsageLine(await cli([...args, '--from', 'garbage'], cwd), '^genesys-transcripts: --from: "garbage"');
  assertUsageLine(await cli([...args, '--lag', 'abc'], cwd), '^genesys-transcripts: --lag: "abc"');
  await writeFile(join(cwd, 'afile'), '');
  const onFile = ['export', '--emulator', '--emulator-conversations', '2', '--out', 'afile'];
  assertUsageLine(await cli(onFile, cwd), '^genesys-transcripts: --out afile: is a file');
});

test('export --help shows defaults as a user types them', async (t) => {
  const cwd = await mkdtemp(join(tmpdir(), 'gt-bad-input-'));
  t.after(() => rm(cwd, { recursive: true, force: true }));
  const help = (await cli(['export', '--help'], cwd)).stdout.replace(/\s+/g, ' ');
  assert.match(help, /--file-mode <octal> mode of delivered files \(default: 600\)/);
  assert.match(help, /--dir-mode <octal> mode of the folders created under --out \(default: 700\)/);
  assert.equal(help.match(/default:? 900/g)?.length, 1, 'the deadline default once');
});

test('export --emulator with connection flags: refused, not silently ignored', async (t) => {
  const cwd = await mkdtemp(join(tmpdir(), 'gt-bad-input-'));
  t.after(() => rm(cwd, { recursive: true, force: true }));
  const args = ['export', '--emulator', '--emulator-conversations', '2', '--out', 'out'];
  assertUsageLine(await cli([...args, '--config', 'missing.json'], cwd), '--emulator .* drop --config');
  assertUsageLine(
    await cli([...args, '--region', 'eu-west-1', '--client-id', 'x'], cwd),
    'drop --region, --client-id',
  );
});

test('a config file that cannot be used: its problem alone, on one line', async (t) => {
  const cwd = await mkdtemp(join(tmpdir(), 'gt-bad-input-'));
  t.after(() => rm(cwd, { recursive: true, force: true }));
  const env = { PATH: process.env.PATH, HOME: cwd };
  // The file holds region and client: only its unknown key is reported, not "no region" after it.
  await writeFile(join(cwd, 'c.json'), JSON.stringify({ region: 'eu-west-1', clientId: 'x', bogus: 1 }));
  const args = ['export', '--out', 'out', '--from', '-1d', '--config'];
  assertUsageLine(await cli([...args, 'c.json'], cwd, env), 'c.json: top level: Unrecognized key: "bogus"');
  assertUsageLine(await cli([...args, 'none.json'], cwd, env), 'config file none.json: cannot read it');
});

test('status of a folder that holds no export state: usage (exit 2), not a damaged checkpoint', async (t) => {
  const cwd = await mkdtemp(join(tmpdir(), 'gt-bad-input-'));
  t.after(() => rm(cwd, { recursive: true, force: true }));
  assertUsageLine(await cli(['status', '--out', 'typo'], cwd), 'no export state at typo/');
  assertUsageLine(await cli(['status'], cwd), 'no export state at export/');
  // A state folder without its checkpoint is damage: exit 1.
  await mkdir(join(cwd, 'out', '.genesys-transcripts'), { recursive: true });
  const damaged = await cli(['status', '--out', 'out'], cwd);
  assert.equal(damaged.code, 1, damaged.stderr);
  assert.match(damaged.stderr, /no checkpoint at out\/\.genesys-transcripts\/checkpoint\.db \[CHECKPOINT\]/);
});

test('an unknown --sink type is named by its scheme only (the rest may hold a secret)', async (t) => {
  const cwd = await mkdtemp(join(tmpdir(), 'gt-bad-input-'));
  t.after(() => rm(cwd, { recursive: true, force: true }));
  const args = ['export', '--emulator', '--emulator-conversations', '2', '--out', 'out'];
  const r = await cli([...args, '--sink', 'ftp://user:sinkpw@host/x'], cwd);
  assertUsageLine(r, 'sink spec "ftp:…" [(]--sink[)]: unknown sink type');
  assert.doesNotMatch(r.stderr, /sinkpw/);
});

test('worker flags with a bad number or level: that one line, before Redis is reached', async (t) => {
  const cwd = await mkdtemp(join(tmpdir(), 'gt-bad-input-'));
  t.after(() => rm(cwd, { recursive: true, force: true }));
  const bad: [string, string, string][] = [
    ['--concurrency', 'x', '"x" is not a whole number'],
    ['--lock-duration-ms', 'abc', '"abc" is not a whole number'],
    ['--stalled-interval-ms', '1.5', '"1.5" is not a whole number'],
    ['--log-level', 'loud', '"loud" is not one of'],
  ];
  for (const [flag, value, says] of bad) {
    const r = await cli(['worker', '--redis', 'redis://127.0.0.1:1', flag, value], cwd);
    assertUsageLine(r, `^genesys-transcripts: ${flag}: ${says}`);
  }
});
