// HTTP(S) proxies, end to end through a real forward proxy on 127.0.0.1 (test/helpers/
// forward-proxy.ts) that logs every request: the token call, every API call, the transcript and
// media downloads of an export go through it; NO_PROXY sends them direct; the API (undici's
// EnvHttpProxyAgent) and the media path (lean-get) agree on the NO_PROXY rule; an https media host
// is reached through a CONNECT tunnel with Proxy-Authorization; `export --proxy` on the CLI.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setDefaultCACertificates, getCACertificates } from 'node:tls';
import { promisify } from 'node:util';
import { request } from 'undici';
import { loadConfig, type GenesysConfig } from '../../src/config/index.ts';
import type { ProxySettings } from '../../src/config/proxy.ts';
import { isGtError } from '../../src/errors.ts';
import { createDispatcher } from '../../src/genesys/proxy.ts';
import { downloadToFile } from '../../src/pipeline/fetch/download.ts';
import { leanGet } from '../../src/pipeline/fetch/lean-get.ts';
import { Exporter } from '../../src/pipeline/exporter.ts';
import type { RunningEmulator } from '../../src/emulator/index.ts';
import { startForwardProxy, type ForwardProxy } from '../helpers/forward-proxy.ts';
import { startTestEmulator, tempWorkdir } from '../helpers/emulator.ts';
import { listFiles } from '../helpers/export.ts';
import { startMediaServer, virtualSha256 } from '../fetch/helpers/media-server.ts';
import { measuredDownload } from '../fetch/helpers/measure.ts';
import { TEST_TLS_CERT, TEST_TLS_KEY } from '../fetch/helpers/tls-fixture.ts';

async function proxy(t: TestContext, o: Parameters<typeof startForwardProxy>[0] = {}): Promise<ForwardProxy> {
  const p = await startForwardProxy(o);
  t.after(() => p.close());
  return p;
}

function configVia(emu: RunningEmulator, env: Record<string, string>): GenesysConfig {
  return loadConfig({
    flags: { apiUrl: emu.baseUrl, loginUrl: emu.loginUrl, clientId: emu.clientId },
    env: { GENESYSCLOUD_OAUTHCLIENT_SECRET: emu.clientSecret, ...env },
  });
}

async function exportAll(emu: RunningEmulator, config: GenesysConfig, dir: string) {
  const exporter = new Exporter(
    { selection: { interval: emu.interval }, outDir: join(dir, 'out'), stateDir: join(dir, 'state') },
    { config },
  );
  for await (const _ of exporter.run());
  return exporter.summary();
}

test('HTTPS_PROXY/HTTP_PROXY: the token, every API call and every download of an export pass through the proxy', async (t) => {
  const { emu } = await startTestEmulator(t, { conversations: 20, seed: 7, rateLimit: null });
  const p = await proxy(t);
  const dir = await tempWorkdir(t, 'gt-proxy-');
  const summary = await exportAll(
    emu,
    configVia(emu, { HTTPS_PROXY: p.url, HTTP_PROXY: p.url, NO_PROXY: '' }),
    dir,
  );
  assert.equal(summary.conversations.failed, 0);
  assert.ok(summary.conversations.done > 0);

  // Every request the emulator served came through the proxy, and nothing else did.
  assert.equal(p.log.length, emu.stats().totalRequests, 'proxied requests = requests the emulator served');
  const paths = p.log.map((e) => `${e.method} ${new URL(e.target).pathname}`);
  assert.ok(paths.includes('POST /oauth/token'), 'the token call');
  assert.ok(
    paths.some((x) => x.startsWith('POST /api/v2/analytics/conversations/details/query')),
    'discovery',
  );
  assert.equal(
    paths.filter(
      (x) => x.startsWith('POST /api/v2/') || x.startsWith('GET /api/v2/') || x.startsWith('PUT /api/v2/'),
    ).length,
    summary.apiCalls,
    'every API call the exporter counted',
  );
  const wavs = (await listFiles(join(dir, 'out'))).filter((f) => f.endsWith('.wav'));
  assert.ok(wavs.length > 0);
  assert.ok(
    paths.filter((x) => x.startsWith('GET /__signed/media/')).length >= wavs.length,
    'a proxied media download per recording file',
  );
  assert.ok(
    paths.some((x) => x.startsWith('GET /__signed/transcripts/')),
    'transcript downloads',
  );
});

test('NO_PROXY naming the host sends everything direct', async (t) => {
  const { emu } = await startTestEmulator(t, { conversations: 6, seed: 7, rateLimit: null });
  const p = await proxy(t);
  const dir = await tempWorkdir(t, 'gt-proxy-');
  const env = { HTTPS_PROXY: p.url, HTTP_PROXY: p.url, NO_PROXY: 'localhost, 127.0.0.1' };
  const summary = await exportAll(emu, configVia(emu, env), dir);
  assert.equal(summary.conversations.failed, 0);
  assert.ok(summary.conversations.done > 0);
  assert.deepEqual(p.log, []);
});

test('the API dispatcher and the media path apply the same NO_PROXY rule', async (t) => {
  const server = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => (server.close(() => r()), server.closeAllConnections())));
  const port = (server.address() as AddressInfo).port;
  const p = await proxy(t);
  const cases: [noProxy: string, proxied: boolean][] = [
    ['', true],
    ['127.0.0.1', false],
    [`127.0.0.1:${port}`, false],
    [`127.0.0.1:${port + 1 === 65536 ? 1 : port + 1}`, true],
    ['localhost', true], // names are not resolved: 127.0.0.1 is not "localhost"
    ['*', false],
    ['example.com, .0.0.1', false], // a leading dot: a suffix of the host
  ];
  for (const [noProxy, proxied] of cases) {
    const settings: ProxySettings = { httpProxy: p.url, httpsProxy: p.url, noProxy };
    const url = `http://127.0.0.1:${port}/x?case=${encodeURIComponent(noProxy)}`;
    const before = p.log.length;
    const dispatcher = createDispatcher(settings, {});
    const res = await request(url, { dispatcher });
    assert.equal(await res.body.text(), 'ok');
    await dispatcher.close();
    const api = p.log.length - before;
    const media = await leanGet(url, {}, 5_000, undefined, undefined, settings);
    assert.equal(await media.text(100), 'ok');
    const lean = p.log.length - before - api;
    assert.deepEqual([api, lean], proxied ? [1, 1] : [0, 0], `NO_PROXY="${noProxy}"`);
  }
});

test('https media through a CONNECT tunnel with Proxy-Authorization; a refused tunnel fails at once', async (t) => {
  // The test certificate is trusted in this process (as NODE_EXTRA_CA_CERTS would in a deployment).
  setDefaultCACertificates([...getCACertificates('default'), TEST_TLS_CERT]);
  const media = await startMediaServer({ size: 3_000_000, tls: { key: TEST_TLS_KEY, cert: TEST_TLS_CERT } });
  t.after(() => media.close());
  const p = await proxy(t, { auth: { user: 'svc', password: 'p@ss word' } });
  const dir = await tempWorkdir(t, 'gt-proxy-');
  const settings = (url: string): ProxySettings => ({ httpProxy: undefined, httpsProxy: url, noProxy: '' });

  const r = await downloadToFile(
    { path: join(dir, 'a.wav'), expectedSha256: media.sha256() },
    { resolveUrl: async () => media.url(), proxy: settings(p.url) },
  );
  assert.equal(r.size, 3_000_000);
  assert.equal(r.sha256, media.sha256());
  const host = new URL(media.url()).host;
  assert.deepEqual(p.log, [{ method: 'CONNECT', target: host, status: 200 }]);
  assert.equal(media.requests.length, 1);

  const wrong = p.url.replace('svc:', 'someone:');
  const before = p.log.length;
  await assert.rejects(
    downloadToFile(
      { path: join(dir, 'b.wav') },
      { resolveUrl: async () => media.url(), proxy: settings(wrong) },
    ),
    (err) =>
      isGtError(err) &&
      err.code === 'DOWNLOAD_FAILED' &&
      /407/.test(err.message) &&
      !/someone|p%40ss/.test(err.message),
  );
  assert.equal(p.log.length - before, 1, 'a 407 is not retried');
});

test('https API and signed-URL calls go through a CONNECT tunnel too (undici)', async (t) => {
  setDefaultCACertificates([...getCACertificates('default'), TEST_TLS_CERT]);
  const media = await startMediaServer({ size: 50_000, tls: { key: TEST_TLS_KEY, cert: TEST_TLS_CERT } });
  t.after(() => media.close());
  const p = await proxy(t, { auth: { user: 'svc', password: 'pw' } });
  const dispatcher = createDispatcher({ httpProxy: undefined, httpsProxy: p.url, noProxy: '' }, {});
  t.after(() => dispatcher.close());
  const res = await request(media.url(), { dispatcher });
  assert.equal(res.statusCode, 200);
  assert.equal((await res.body.arrayBuffer()).byteLength, 50_000);
  assert.deepEqual(p.log, [{ method: 'CONNECT', target: new URL(media.url()).host, status: 200 }]);
});

test('a proxy that fails the tunnel (502, or 200 then a reset) costs retries, never the process', async (t) => {
  for (const answer of ['HTTP/1.1 502 Bad Gateway\r\n\r\n', 'HTTP/1.1 200 OK\r\n\r\n']) {
    let connects = 0;
    const server = createNetServer((socket) => {
      socket.on('error', () => undefined);
      socket.once('data', () => {
        connects += 1;
        socket.write(answer);
        setImmediate(() => socket.resetAndDestroy());
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    t.after(() => new Promise<void>((r) => server.close(() => r())));
    const proxyUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const dir = await tempWorkdir(t, 'gt-proxy-');
    await assert.rejects(
      downloadToFile(
        { path: join(dir, 'x.wav') },
        {
          resolveUrl: async () => 'https://signed.example/media/x.wav?sig=1',
          proxy: { httpProxy: undefined, httpsProxy: proxyUrl, noProxy: '' },
          maxAttempts: 3,
          backoff: { baseMs: 1, capMs: 2 },
        },
      ),
      (err) => isGtError(err) && err.code === 'DOWNLOAD_FAILED',
    );
    assert.equal(connects, 3, `${answer.trim()}: one CONNECT per attempt`);
  }
});

test('through the proxy the TLS client checks the target host, not the loopback relay it connects to', async (t) => {
  setDefaultCACertificates([...getCACertificates('default'), TEST_TLS_CERT]);
  const media = await startMediaServer({ size: 100_000, tls: { key: TEST_TLS_KEY, cert: TEST_TLS_CERT } });
  t.after(() => media.close());
  // The proxy resolves signed.example (not in the test certificate) to the media server.
  const p = await proxy(t, { hosts: { 'signed.example': '127.0.0.1' } });
  const dir = await tempWorkdir(t, 'gt-proxy-');
  const url = media.url().replace('//localhost:', '//signed.example:');
  await assert.rejects(
    downloadToFile(
      { path: join(dir, 'x.wav') },
      {
        resolveUrl: async () => url,
        proxy: { httpProxy: undefined, httpsProxy: p.url, noProxy: '' },
        maxAttempts: 2,
        backoff: { baseMs: 1, capMs: 2 },
      },
    ),
    (err) => isGtError(err) && err.code === 'DOWNLOAD_FAILED',
  );
  assert.equal(media.requests.length, 0, 'no request was sent to a host with the wrong certificate');
  assert.ok(
    p.log.length >= 1 && p.log.every((e) => e.method === 'CONNECT' && e.target.startsWith('signed.example:')),
  );
});

test('a large https download through the proxy keeps memory flat (the tunnel and TLS read into reused buffers)', async (t) => {
  const size = 300 * 1024 * 1024;
  const media = await startMediaServer({
    size,
    virtual: true,
    tls: { key: TEST_TLS_KEY, cert: TEST_TLS_CERT },
  });
  t.after(() => media.close());
  const p = await proxy(t);
  const dir = await tempWorkdir(t, 'gt-proxy-mem-');
  const ca = join(dir, 'ca.pem');
  await writeFile(ca, TEST_TLS_CERT);
  const { result, memory } = await measuredDownload<{ size: number; sha256: string }>(
    { kind: 'url', url: media.url(), path: join(dir, 'big.wav'), expectedSize: size, proxy: p.url },
    { NODE_EXTRA_CA_CERTS: ca },
  );
  t.diagnostic(
    `300 MiB over https through the proxy: RSS +${memory.rssGrowthMb.toFixed(1)} MB, ArrayBuffers +${memory.arrayBuffersGrowthMb.toFixed(1)} MB`,
  );
  assert.equal(result.size, size);
  assert.equal(result.sha256, virtualSha256(size));
  assert.deepEqual(
    p.log.map((e) => e.method),
    ['CONNECT'],
  );
  // Buffers allocated per read would pile up to ~64 MB before a GC (measured: +50 MB here).
  assert.ok(memory.arrayBuffersGrowthMb < 16, `ArrayBuffers +${memory.arrayBuffersGrowthMb} MB`);
  assert.ok(memory.rssGrowthMb < 40, `RSS +${memory.rssGrowthMb} MB`);
});

test('export --emulator --proxy URL: the CLI routes through the proxy; a bad proxy URL is exit 2 naming it', async (t) => {
  const p = await proxy(t);
  const dir = await tempWorkdir(t, 'gt-proxy-cli-');
  const bin = join(import.meta.dirname, '../../bin/genesys-transcripts.js');
  const env = {
    ...process.env,
    HTTPS_PROXY: '',
    HTTP_PROXY: '',
    https_proxy: '',
    http_proxy: '',
    NO_PROXY: '',
    no_proxy: '',
  };
  const run = (args: string[]) =>
    promisify(execFile)(process.execPath, [bin, ...args], { cwd: dir, env }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
  const args = [
    'export',
    '--emulator',
    '--emulator-conversations',
    '5',
    '--out',
    'out',
    '--state-dir',
    'state',
    '--json',
  ];
  const ok = await run([...args, '--proxy', p.url]);
  assert.equal(ok.code, 0, ok.stderr);
  const summary = JSON.parse(ok.stdout) as { apiCalls: number; conversations: { done: number } };
  assert.ok(summary.conversations.done > 0);
  assert.ok(p.log.some((e) => e.method === 'POST' && new URL(e.target).pathname === '/oauth/token'));
  assert.ok(
    p.log.filter((e) => new URL(e.target).pathname.startsWith('/api/v2/')).length >= summary.apiCalls,
  );

  const bad = await run([...args, '--proxy', 'https://proxy.example:3128']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--proxy must be an http:\/\/ URL/);
  assert.doesNotMatch(bad.stderr, /\n\s+at /);
});

test('proxy settings: flag over environment over file, lower-case names first, passwords never shown', () => {
  const base = {
    flags: { apiUrl: 'https://api.example.com', clientId: 'c' },
    env: { GENESYSCLOUD_OAUTHCLIENT_SECRET: 's' },
  };
  const load = (flags: Record<string, string>, env: Record<string, string>) =>
    loadConfig({ flags: { ...base.flags, ...flags }, env: { ...base.env, ...env } });
  assert.equal(load({}, {}).proxy, undefined);
  assert.deepEqual(load({}, { HTTP_PROXY: 'http://h:1' }).proxy, {
    httpProxy: 'http://h:1',
    httpsProxy: 'http://h:1', // https falls back to HTTP_PROXY, as in undici
    noProxy: '',
  });
  assert.deepEqual(
    load({}, { HTTPS_PROXY: 'http://s:1', https_proxy: 'http://lower:1', NO_PROXY: 'a.example' }).proxy,
    {
      httpProxy: undefined,
      httpsProxy: 'http://lower:1',
      noProxy: 'a.example',
    },
  );
  assert.deepEqual(load({ proxy: 'http://flag:1' }, { HTTPS_PROXY: 'http://env:1' }).proxy, {
    httpProxy: 'http://flag:1',
    httpsProxy: 'http://flag:1',
    noProxy: '',
  });
  assert.equal(load({}, { HTTPS_PROXY: 'corp.example:3128' }).proxy?.httpsProxy, 'http://corp.example:3128');
  const secret = load({}, { HTTPS_PROXY: 'http://user:hunter2@corp:8080' });
  assert.equal(secret.proxy?.httpsProxy, 'http://user:hunter2@corp:8080');
  assert.doesNotMatch(JSON.stringify(secret), /hunter2/);
  assert.match(JSON.stringify(secret), /user:\*\*\*@corp:8080/);
  assert.throws(
    () => load({}, { HTTPS_PROXY: 'socks5://corp:1080' }),
    (err) =>
      isGtError(err) &&
      err.code === 'CONFIG_INVALID' &&
      /HTTPS_PROXY must be an http:\/\/ URL/.test(err.message),
  );
});
