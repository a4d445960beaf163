// The CLI's entry point: --version, the Node version check that runs before anything newer Node
// needs is parsed, the config-schema command, and which code it runs (sources in a clone, a stale
// dist/ never shadowing them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { configFileSchema } from '../../src/config/index.ts';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/genesys-transcripts.js');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  engines: { node: string };
};

async function run(node: string, args: string[]) {
  try {
    const { stdout, stderr } = await promisify(execFile)(node, [BIN, ...args], { cwd: ROOT });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test('--version prints the version from package.json', async () => {
  for (const flag of ['--version', '-V']) {
    const r = await run(process.execPath, [flag]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, `${pkg.version}\n`);
  }
});

test('on a Node older than the engines floor: one line naming the Node needed, exit 2', async (t) => {
  // The machine's system Node (20) is older than the floor; the repo's own Node 24 runs the tests.
  const old = ['/usr/bin/node', '/usr/local/bin/node'].find((p) => existsSync(p));
  if (!old) return t.skip('no system Node besides the repo one');
  const { stdout: v } = await promisify(execFile)(old, ['--version']);
  const [major = 0, minor = 0] = v.slice(1).split('.').map(Number);
  const [fMajor = 0, fMinor = 0] = /(\d+)\.(\d+)/.exec(pkg.engines.node)!.slice(1).map(Number);
  if (major > fMajor || (major === fMajor && minor >= fMinor))
    return t.skip(`system Node ${v.trim()} is new enough`);
  const r = await run(old, ['export', '--emulator']);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(
    r.stderr,
    new RegExp(`needs Node\\.js ${pkg.engines.node.replace(/[.>=]/g, '\\$&')} \\(this is ${v.trim()}\\)`),
  );
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

test('config-schema prints a JSON Schema with every config-file key, closed to typos', async () => {
  const r = await run(process.execPath, ['config-schema']);
  assert.equal(r.code, 0, r.stderr);
  const schema = JSON.parse(r.stdout) as {
    type: string;
    properties: Record<string, unknown>;
    additionalProperties: unknown;
  };
  assert.equal(schema.type, 'object');
  assert.deepEqual(Object.keys(schema.properties).sort(), Object.keys(configFileSchema.shape).sort());
  assert.equal(schema.additionalProperties, false);
  for (const [key, prop] of Object.entries(schema.properties))
    assert.ok((prop as { description?: string }).description, `${key} is described`);
});
