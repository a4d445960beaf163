// The package as a user gets it: `npm pack`, then in a fresh project `npm install --omit=dev` of the
// tarball, and there — with no access to this repository's sources — the README's library example
// runs (importing the library and `genesys-transcripts/emulator`), a consumer .ts type-checks with a
// stock `tsc --init` tsconfig, `npx genesys-transcripts --version` and `export --emulator` work; and
// all of that again through a forward proxy (HTTPS_PROXY/HTTP_PROXY) whose log shows the token,
// API and download requests. Slow (a build and an npm install): its own timeout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { startForwardProxy, type ProxyLogEntry } from '../helpers/forward-proxy.ts';
import { listFiles } from '../helpers/export.ts';

const ROOT = join(import.meta.dirname, '../..');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
};
const typesNode = (
  JSON.parse(await readFile(join(ROOT, 'node_modules/@types/node/package.json'), 'utf8')) as {
    version: string;
  }
).version;

/** Node 24 (this process) first on PATH, so npm, npx and the installed bin all run on it; no proxy
 * and no npm_* settings inherited from an `npm test` around this test. */
const baseEnv: NodeJS.ProcessEnv = {
  ...Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(https?_proxy|no_proxy|npm_.*)$/i.test(k)),
  ),
  PATH: [dirname(process.execPath), process.env.PATH].join(delimiter),
  npm_config_update_notifier: 'false',
  npm_config_fund: 'false',
  npm_config_audit: 'false',
};

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = baseEnv): Promise<Run> {
  try {
    const r = await promisify(execFile)(cmd, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number | string; stdout?: string; stderr?: string };
    return {
      code: typeof e.code === 'number' ? e.code : -1,
      stdout: e.stdout ?? '',
      stderr: e.stderr ?? String(err),
    };
  }
}

function ok(r: Run, what: string): Run {
  assert.equal(r.code, 0, `${what} failed:\n${r.stderr.slice(-3000)}\n${r.stdout.slice(-2000)}`);
  return r;
}

/** The code block of the README's "As a library" section, exactly as a user would copy it. */
async function readmeExample(): Promise<string> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const section = readme.split(/^## As a library$/m)[1]?.split(/^## /m)[0] ?? '';
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(code, 'README has a ```ts block under "## As a library"');
  assert.match(code, /from 'genesys-transcripts'/);
  assert.match(code, /from 'genesys-transcripts\/emulator'/);
  return code;
}

/** What one export left on disk: manifests and recordings. */
async function exported(dir: string) {
  const files = await listFiles(dir);
  return {
    manifests: files.filter((f) => f.endsWith('manifest.json')).length,
    wavs: files.filter((f) => f.endsWith('.wav')).length,
  };
}

/** The proxy's log entries for requests to the emulator (host 127.0.0.1), as "METHOD /path". */
function emulatorRequests(log: ProxyLogEntry[], from: number): string[] {
  return log
    .slice(from)
    .filter((e) => e.method !== 'CONNECT' && new URL(e.target).hostname === '127.0.0.1')
    .map((e) => `${e.method} ${new URL(e.target).pathname}`);
}

function assertProxied(requests: string[], apiCalls: number, wavs: number, what: string) {
  assert.ok(requests.includes('POST /oauth/token'), `${what}: the token call went through the proxy`);
  assert.equal(
    requests.filter((r) => / \/api\/v2\//.test(r)).length,
    apiCalls,
    `${what}: every API call went through the proxy`,
  );
  assert.ok(wavs > 0, `${what}: recordings were exported`);
  assert.ok(
    requests.filter((r) => r.startsWith('GET /__signed/media/')).length >= wavs,
    `${what}: a proxied media download per recording file`,
  );
  assert.ok(
    requests.some((r) => r.startsWith('GET /__signed/transcripts/')),
    `${what}: transcript downloads`,
  );
}

test(
  'npm pack → npm install --omit=dev in a fresh project: library, emulator, types, CLI, through a proxy too',
  { timeout: 600_000 },
  async (t) => {
    const work = await mkdtemp(join(tmpdir(), 'gt-pack-'));
    t.after(() => rm(work, { recursive: true, force: true }));

    // 1. Pack (prepack builds dist/) and look at what the tarball holds.
    const packed = ok(await run('npm', ['pack', '--json', '--pack-destination', work], ROOT), 'npm pack');
    const info = (
      JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as {
        filename: string;
        files: { path: string }[];
      }[]
    )[0]!;
    const files = info.files.map((f) => f.path);
    const outside = files.filter((f) => !f.startsWith('dist/'));
    assert.deepEqual(outside.sort(), ['LICENSE', 'README.md', 'bin/genesys-transcripts.js', 'package.json']);
    for (const f of files)
      assert.doesNotMatch(f, /(^|\/)(test|tests|bench|\.ci|scripts)\/|\.test\.|\.bench\./, f);
    for (const f of [
      'index.js',
      'index.d.ts',
      'emulator/index.js',
      'emulator/index.d.ts',
      'cli/main.js',
      'config.schema.json',
    ])
      assert.ok(files.includes(`dist/${f}`), `dist/${f} is in the tarball`);
    assert.ok(!files.some((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')), 'no TypeScript sources');

    // 2. A fresh project installs the tarball (and @types/node, as a TypeScript user would).
    const app = join(work, 'app');
    await mkdir(app);
    await writeFile(
      join(app, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
    );
    ok(
      await run(
        'npm',
        ['install', '--omit=dev', '--prefer-offline', join(work, info.filename), `@types/node@${typesNode}`],
        app,
      ),
      'npm install of the tarball',
    );
    const installed = JSON.parse(
      await readFile(join(app, 'node_modules', pkg.name, 'package.json'), 'utf8'),
    ) as {
      version: string;
      dependencies: Record<string, string>;
    };
    assert.equal(installed.version, pkg.version);
    // Every package the compiled code imports is a dependency (a devDependency is not installed).
    const dist = join(app, 'node_modules', pkg.name, 'dist');
    for (const file of (await listFiles(dist)).filter((f) => f.endsWith('.js'))) {
      const code = await readFile(file, 'utf8');
      for (const m of code.matchAll(/(?:^import[^'"]*|\bimport\()\s*["']([^"'.][^"']*)["']/gm)) {
        const name = m[1]!.startsWith('@') ? m[1]!.split('/').slice(0, 2).join('/') : m[1]!.split('/')[0]!;
        if (name.startsWith('node:') || builtinModules.includes(name)) continue;
        assert.ok(
          name in installed.dependencies,
          `${file.slice(dist.length)} imports ${name}, not a dependency`,
        );
      }
    }

    // 3. The README's library example, exactly, as .mjs and as .ts.
    const example = await readmeExample();
    await writeFile(join(app, 'example.mjs'), example);
    await writeFile(join(app, 'example.ts'), example);
    const runExample = async (cwd: string, env: NodeJS.ProcessEnv) => {
      await mkdir(cwd, { recursive: true });
      const r = ok(await run(process.execPath, [join(app, 'example.mjs')], cwd, env), 'the README example');
      const apiCalls = Number(/apiCalls: (\d+)/.exec(r.stdout)?.[1]);
      assert.ok(apiCalls > 0, r.stdout.slice(-2000));
      assert.match(r.stdout, /done: [1-9]/);
      assert.match(r.stdout, /failed: 0/);
      return { apiCalls, ...(await exported(join(cwd, 'export'))) };
    };
    const direct = await runExample(join(work, 'direct'), baseEnv);
    assert.ok(direct.manifests > 0 && direct.wavs > 0, JSON.stringify(direct));

    // 4. A stock tsconfig (tsc --init) type-checks the example against the published declarations,
    // and the declarations are real: a wrong use is an error.
    ok(await run(process.execPath, [TSC, '--init'], app), 'tsc --init');
    ok(await run(process.execPath, [TSC, '--noEmit', '-p', '.'], app), 'tsc on the README example');
    await writeFile(
      join(app, 'wrong.ts'),
      "import { startEmulator } from 'genesys-transcripts/emulator';\nexport const port: number = (await startEmulator()).baseUrl;\n",
    );
    const wrong = await run(process.execPath, [TSC, '--noEmit', '-p', '.'], app);
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stdout, /wrong\.ts\(2,14\): error TS2322/);
    await rm(join(app, 'wrong.ts'));

    // 5. The CLI through npx; on the machine's older system Node, one line saying which Node it needs.
    const version = ok(await run('npx', ['genesys-transcripts', '--version'], app), 'npx --version');
    assert.equal(version.stdout.trim(), pkg.version);
    const bin = join(app, 'node_modules/.bin/genesys-transcripts');
    const oldNode = ['/usr/bin/node', '/usr/local/bin/node'].find((n) => existsSync(n));
    const oldMajor = oldNode
      ? Number((await run(oldNode, ['-p', 'process.versions.node'], app)).stdout.split('.')[0])
      : 0;
    if (oldNode && oldMajor < 22) {
      const old = await run(oldNode, [bin, 'export', '--emulator'], app);
      assert.equal(old.code, 2);
      assert.match(
        old.stderr,
        /^genesys-transcripts: needs Node\.js >=[\d.]+ \(this is v\d+[^)]*\); [^\n]*\n$/,
      );
    } else
      t.diagnostic('no older system Node here: the version check is covered by test/cli/version.test.ts');
    const cliExport = async (name: string, env: NodeJS.ProcessEnv) => {
      const out = join(work, name);
      const args = ['genesys-transcripts', 'export', '--emulator', '--emulator-conversations', '20'];
      const r = ok(
        await run('npx', [...args, '--out', out, '--state-dir', `${out}-state`, '--json'], app, env),
        name,
      );
      const summary = JSON.parse(r.stdout) as {
        apiCalls: number;
        conversations: { done: number; failed: number };
      };
      assert.ok(summary.conversations.done > 0);
      assert.equal(summary.conversations.failed, 0);
      return { apiCalls: summary.apiCalls, ...(await exported(out)) };
    };
    const cli = await cliExport('cli-direct', baseEnv);
    assert.ok(cli.manifests > 0 && cli.wavs > 0, JSON.stringify(cli));

    // 6. All of it again behind a forward proxy: its log shows the token, API and download requests.
    const proxy = await startForwardProxy();
    t.after(() => proxy.close());
    const proxied = { ...baseEnv, HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url, NO_PROXY: '' };
    let from = proxy.log.length;
    const viaLib = await runExample(join(work, 'proxied'), proxied);
    assertProxied(emulatorRequests(proxy.log, from), viaLib.apiCalls, viaLib.wavs, 'library');
    ok(await run(process.execPath, [TSC, '--noEmit', '-p', '.'], app, proxied), 'tsc behind the proxy');
    const proxiedVersion = ok(
      await run('npx', ['genesys-transcripts', '--version'], app, proxied),
      'npx --version',
    );
    assert.equal(proxiedVersion.stdout.trim(), pkg.version);
    from = proxy.log.length;
    const viaCli = await cliExport('cli-proxied', proxied);
    assertProxied(emulatorRequests(proxy.log, from), viaCli.apiCalls, viaCli.wavs, 'CLI');
  },
);
