// downloadToFile against a raw loopback media host: resume after resets, restart when Range is
// ignored or the object changed, URL renewal on expiry, completed .part on 416, no Content-Length,
// integrity failures, disk full, process restart from the bytes on disk, no Authorization sent.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readlinkSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { isGtError } from '../../src/errors.ts';
import {
  downloadToFile,
  existingDownload,
  partPathOf,
  sidecarPathOf,
  type DownloadOptions,
} from '../../src/pipeline/fetch/download.ts';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { measuredDownload } from './helpers/measure.ts';
import {
  makeData,
  startMediaServer,
  virtualSha256,
  type MediaServer,
  type MediaServerOptions,
} from './helpers/media-server.ts';
import { TEST_TLS_CERT, TEST_TLS_KEY } from './helpers/tls-fixture.ts';

const FAST = { baseMs: 5, capMs: 20 };

async function setup(t: TestContext, o: MediaServerOptions): Promise<{ server: MediaServer; dir: string }> {
  const server = await startMediaServer(o);
  const dir = await mkdtemp(join(tmpdir(), 'gt-dl-'));
  t.after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });
  return { server, dir };
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const opts = (server: MediaServer, extra: Partial<DownloadOptions> = {}): DownloadOptions => ({
  resolveUrl: async () => server.url(),
  backoff: FAST,
  ...extra,
});

test('downloads byte-exact, verifies size and sha256, leaves no .part and sends no Authorization', async (t) => {
  const { server, dir } = await setup(t, { size: 300_000 });
  const path = join(dir, 'a.wav');
  const progress: number[] = [];
  const r = await downloadToFile(
    { path, expectedSize: 300_000, expectedSha256: server.sha256() },
    opts(server, { onProgress: (b) => progress.push(b) }),
  );
  assert.equal(r.size, 300_000);
  assert.equal(r.sha256, server.sha256());
  assert.equal(r.contentType, 'audio/wav');
  assert.equal(r.resumed, false);
  assert.equal(r.attempts, 1);
  assert.deepEqual(await readFile(path), server.data());
  assert.equal(existsSync(partPathOf(path)), false);
  assert.equal(existsSync(sidecarPathOf(path)), false);
  assert.equal(progress.at(-1), 300_000);
  assert.ok(server.requests.every((q) => q.authorization === undefined));
});

test('connection resets mid-body resume with Range + If-Range and give a byte-identical file', async (t) => {
  const { server, dir } = await setup(t, { size: 1_000_000, breakAfterBytes: 200_000, breakCount: 4 });
  const path = join(dir, 'b.wav');
  const r = await downloadToFile({ path }, opts(server));
  assert.equal(r.sha256, server.sha256());
  assert.deepEqual(await readFile(path), server.data());
  assert.equal(r.resumed, true);
  assert.equal(r.attempts, 5);
  const resumes = server.requests.filter((q) => q.range);
  // Bytes in flight when a connection breaks may be lost, but each break is followed by a resume.
  assert.ok(resumes.length >= 3, `resumes: ${resumes.length}`);
  assert.ok(resumes.every((q) => q.ifRange === server.etag()));
  // Each resume continues where the bytes on disk end (never from zero).
  const starts = resumes.map((q) => Number(/bytes=(\d+)-/.exec(q.range!)![1]));
  assert.ok(starts.every((s, i) => s > (starts[i - 1] ?? 0)));
});

test('a server that ignores Range (200 instead of 206) restarts cleanly from zero', async (t) => {
  const { server, dir } = await setup(t, {
    size: 500_000,
    noRange: true,
    breakAfterBytes: 150_000,
    breakCount: 2,
  });
  const path = join(dir, 'c.wav');
  const r = await downloadToFile({ path, expectedSize: 500_000 }, opts(server));
  assert.deepEqual(await readFile(path), server.data());
  assert.equal(r.resumed, false);
  assert.equal(r.attempts, 3);
  assert.ok(server.requests.slice(1).every((q) => q.range !== undefined && q.status === 200));
});

test('an object that changed since the .part was written (If-Range mismatch) is fetched again whole', async (t) => {
  const { server, dir } = await setup(t, { size: 400_000 });
  const path = join(dir, 'd.wav');
  await writeFile(partPathOf(path), server.data().subarray(0, 100_000));
  await writeFile(
    sidecarPathOf(path),
    JSON.stringify({ version: 1, etag: server.etag(), totalSize: 400_000 }),
  );
  server.replace(7);
  const r = await downloadToFile({ path }, opts(server));
  assert.equal(r.sha256, server.sha256());
  assert.deepEqual(await readFile(path), server.data());
  assert.equal(r.resumed, false);
  assert.equal(server.requests[0]?.range, 'bytes=100000-');
  assert.equal(server.requests[0]?.status, 200);
});

test('an expired signed URL is renewed through resolveUrl and the download continues', async (t) => {
  // Each URL works for one request: the retry after the broken body meets "Request has expired".
  const { server, dir } = await setup(t, {
    size: 600_000,
    breakAfterBytes: 400_000,
    breakCount: 1,
    tokenUses: 1,
  });
  const path = join(dir, 'e.wav');
  const reasons: string[] = [];
  const r = await downloadToFile(
    { path },
    opts(server, {
      resolveUrl: async (reason) => {
        reasons.push(reason);
        return server.url(reason === 'initial' ? 'first' : 'fresh');
      },
    }),
  );
  assert.deepEqual(await readFile(path), server.data());
  assert.deepEqual(reasons, ['initial', 'expired']);
  assert.equal(r.urlRenewals, 1);
  assert.deepEqual(
    server.requests.slice(0, 2).map((q) => q.status),
    [200, 403],
  );
  assert.equal(server.requests.length, 3);
});

test('a .part that is already complete (416) is verified and moved into place', async (t) => {
  const { server, dir } = await setup(t, { size: 200_000 });
  const path = join(dir, 'f.wav');
  await writeFile(partPathOf(path), server.data());
  await writeFile(
    sidecarPathOf(path),
    JSON.stringify({ version: 1, etag: server.etag(), totalSize: 200_000 }),
  );
  const r = await downloadToFile({ path }, opts(server));
  assert.equal(r.sha256, server.sha256());
  assert.equal(server.requests[0]?.status, 416);
  assert.equal(server.bytesServed(), 0);
  assert.equal(existsSync(sidecarPathOf(path)), false);
});

test('no Content-Length still works, and expectedSize is checked', async (t) => {
  const { server, dir } = await setup(t, { size: 250_000, noContentLength: true });
  const ok = await downloadToFile({ path: join(dir, 'g.wav'), expectedSize: 250_000 }, opts(server));
  assert.equal(ok.sha256, server.sha256());
  const path = join(dir, 'h.wav');
  await assert.rejects(downloadToFile({ path, expectedSize: 250_001 }, opts(server)), (e) =>
    isGtError(e, 'INTEGRITY'),
  );
  assert.equal(existsSync(path), false);
  assert.equal(existsSync(partPathOf(path)), false);
});

test('a sha256 mismatch is INTEGRITY and discards the .part', async (t) => {
  const { server, dir } = await setup(t, { size: 100_000 });
  const path = join(dir, 'i.wav');
  await assert.rejects(
    downloadToFile({ path, expectedSha256: sha(Buffer.from('other')) }, opts(server)),
    (e) => isGtError(e, 'INTEGRITY'),
  );
  assert.equal(existsSync(partPathOf(path)), false);
  assert.equal(existsSync(sidecarPathOf(path)), false);
  assert.equal(existsSync(path), false);
});

test('a .part left by an earlier process is resumed from the bytes on disk, a stale one is not', async (t) => {
  const { server, dir } = await setup(t, { size: 800_000 });
  const path = join(dir, 'j.wav');
  await writeFile(partPathOf(path), server.data().subarray(0, 300_000));
  await writeFile(
    sidecarPathOf(path),
    JSON.stringify({ version: 1, etag: server.etag(), totalSize: 800_000 }),
  );
  const r = await downloadToFile({ path }, opts(server));
  assert.equal(r.sha256, server.sha256());
  assert.equal(r.resumed, true);
  assert.equal(server.bytesServed(), 500_000);

  // A .part without a sidecar proves nothing: start from zero.
  const path2 = join(dir, 'k.wav');
  await writeFile(partPathOf(path2), Buffer.alloc(300_000, 1));
  const r2 = await downloadToFile({ path: path2 }, opts(server));
  assert.equal(r2.sha256, server.sha256());
  assert.equal(r2.resumed, false);
  assert.equal(server.requests.at(-1)?.range, undefined);
});

test('persistent failure gives DOWNLOAD_FAILED after maxAttempts without progress; .part kept', async (t) => {
  const { server, dir } = await setup(t, { size: 100_000, expiredTokens: new Set(['ok']) });
  const path = join(dir, 'l.wav');
  await assert.rejects(downloadToFile({ path }, opts(server, { maxAttempts: 3 })), (e) =>
    isGtError(e, 'DOWNLOAD_FAILED'),
  );
  assert.equal(server.requests.length, 3);
  assert.equal(existsSync(path), false);
});

test('ENOSPC is DISK_FULL naming the path, with the sidecar kept for resume', async (t) => {
  const { server, dir } = await setup(t, { size: 100_000 });
  const path = join(dir, 'm.wav');
  // /dev/full answers every write with ENOSPC.
  await symlink('/dev/full', partPathOf(path));
  await writeFile(
    sidecarPathOf(path),
    JSON.stringify({ version: 1, etag: server.etag(), totalSize: 100_000 }),
  );
  await assert.rejects(
    downloadToFile({ path }, opts(server)),
    (e) => isGtError(e, 'DISK_FULL') && e.details.path === path,
  );
  assert.equal(existsSync(sidecarPathOf(path)), true);
});

test('a sidecar that cannot be removed fails as a GtError and leaves no .part handle open', async (t) => {
  const { server, dir } = await setup(t, { size: 10_000 });
  const path = join(dir, 's.wav');
  // A directory where the sidecar goes: it is not a sidecar, and rm (without recursive) refuses it.
  await mkdir(sidecarPathOf(path));
  await assert.rejects(downloadToFile({ path }, opts(server)), (e) => isGtError(e, 'DOWNLOAD_FAILED'));
  if (existsSync('/proc/self/fd')) {
    const open = (await readdir('/proc/self/fd')).map((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`);
      } catch {
        return '';
      }
    });
    assert.equal(open.includes(partPathOf(path)), false);
  }
});

test('abort stops the download with ABORTED and keeps the .part', async (t) => {
  const { server, dir } = await setup(t, { size: 2_000_000, chunkDelayMs: 5 });
  const path = join(dir, 'n.wav');
  const ac = new AbortController();
  await assert.rejects(
    downloadToFile(
      { path },
      opts(server, { signal: ac.signal, onProgress: (b) => b > 300_000 && ac.abort() }),
    ),
    (e) => isGtError(e, 'ABORTED'),
  );
  assert.ok((await stat(partPathOf(path))).size > 300_000);
});

test('existingDownload reuses a finished file only when size and sha256 match', async (t) => {
  const { server, dir } = await setup(t, { size: 50_000 });
  const path = join(dir, 'o.wav');
  await downloadToFile({ path }, opts(server));
  assert.equal(
    (await existingDownload({ path, expectedSize: 50_000, expectedSha256: server.sha256() }))?.sha256,
    server.sha256(),
  );
  assert.equal(await existingDownload({ path, expectedSize: 50_001 }), undefined);
  assert.equal(
    await existingDownload({ path, expectedSize: 50_000, expectedSha256: sha(Buffer.from('x')) }),
    undefined,
  );
  assert.equal(await existingDownload({ path: join(dir, 'missing.wav'), expectedSize: 1 }), undefined);
});

test('a process killed mid-download is resumed by the next process from the bytes on disk', async (t) => {
  const size = 6_000_000;
  const { server, dir } = await setup(t, { size, chunkDelayMs: 3 });
  const path = join(dir, 'p.wav');
  const child = spawn(
    process.execPath,
    [join(import.meta.dirname, 'helpers/download-child.ts'), server.url(), path],
    { stdio: 'ignore' },
  );
  const exited = new Promise((r) => child.once('exit', r));
  for (;;) {
    await new Promise((r) => setTimeout(r, 20));
    const s = await stat(partPathOf(path)).catch(() => undefined);
    if (s && s.size > 1_500_000) break;
  }
  child.kill('SIGKILL');
  await exited;
  const onDisk = (await stat(partPathOf(path))).size;
  assert.ok(onDisk > 1_500_000 && onDisk < size);
  const servedBefore = server.bytesServed();
  const r = await downloadToFile({ path, expectedSize: size }, opts(server));
  assert.equal(r.resumed, true);
  assert.equal(r.sha256, server.sha256());
  assert.equal(server.requests.at(-1)?.range, `bytes=${onDisk}-`);
  assert.equal(server.bytesServed() - servedBefore, size - onDisk);
});

test('a 300 MB download keeps the downloading process flat (RSS growth < 64 MB) and is byte-exact', async (t) => {
  const size = 300 * 1024 * 1024;
  const { server, dir } = await setup(t, { size, virtual: true });
  const path = join(dir, 'big.wav');
  // The download runs in its own process, which reports its own memory (not the server's).
  const { result, memory } = await measuredDownload<{ size: number; sha256: string }>({
    kind: 'url',
    url: server.url(),
    path,
    expectedSize: size,
  });
  t.diagnostic(
    `downloader RSS growth ${memory.rssGrowthMb.toFixed(1)} MB (array buffers ${memory.arrayBuffersGrowthMb.toFixed(1)} MB)`,
  );
  assert.ok(memory.rssGrowthMb < 64, `RSS grew ${memory.rssGrowthMb.toFixed(1)} MB`);
  // Not one new buffer per socket read: the reads and slabs are reused.
  assert.ok(
    memory.arrayBuffersGrowthMb < 16,
    `array buffers grew ${memory.arrayBuffersGrowthMb.toFixed(1)} MB`,
  );
  assert.equal(result.size, size);
  assert.equal(result.sha256, virtualSha256(size));
  await rm(path);
});

test('idle connections are kept alive and reused; one the server dropped meanwhile is replaced unnoticed', async (t) => {
  const { server, dir } = await setup(t, { size: 200_000 });
  for (const name of ['q1.wav', 'q2.wav', 'q3.wav']) {
    const r = await downloadToFile({ path: join(dir, name), expectedSha256: server.sha256() }, opts(server));
    assert.equal(r.attempts, 1);
  }
  assert.equal(server.connections(), 1, 'three downloads, one connection');

  const stale = await setup(t, { size: 200_000, staleKeepAlive: true });
  const a = await downloadToFile({ path: join(stale.dir, 'r1.wav') }, opts(stale.server));
  const b = await downloadToFile({ path: join(stale.dir, 'r2.wav') }, opts(stale.server));
  assert.equal(a.sha256, stale.server.sha256());
  assert.equal(b.sha256, stale.server.sha256());
  // The reused connection was dropped unanswered: a new one served it, not a counted retry.
  assert.equal(b.attempts, 1);
  assert.equal(stale.server.connections(), 2);
});

test('an https signed host works, resets included (TLS through the same lean reader)', async (t) => {
  const { server, dir } = await setup(t, {
    size: 3_000_000,
    tls: { key: TEST_TLS_KEY, cert: TEST_TLS_CERT },
    breakAfterBytes: 1_000_000,
    breakCount: 1,
  });
  const ca = join(dir, 'ca.pem');
  await writeFile(ca, TEST_TLS_CERT);
  const path = join(dir, 's.wav');
  // A child process, so the test CA is trusted through NODE_EXTRA_CA_CERTS like a real deployment's.
  const child = spawn(
    process.execPath,
    [join(import.meta.dirname, 'helpers/download-child.ts'), server.url(), path, '3000000'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, NODE_EXTRA_CA_CERTS: ca },
    },
  );
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
  assert.equal(await new Promise((r) => child.once('close', r)), 0);
  const r = JSON.parse(out) as { sha256: string; resumed: boolean; attempts: number };
  assert.equal(r.sha256, server.sha256());
  assert.equal(r.resumed, true);
  assert.equal(r.attempts, 2);
  assert.deepEqual(await readFile(path), server.data());
});

/** A raw TCP "signed host" answering each request with the bytes `answer` writes. */
async function rawHost(
  t: TestContext,
  answer: (socket: Socket, request: string, index: number) => void,
): Promise<string> {
  let index = 0;
  const server = createNetServer((socket) => {
    let head = '';
    socket.on('data', (d) => {
      head += d.toString('latin1');
      if (head.includes('\r\n\r\n')) {
        answer(socket, head, index++);
        head = '';
      }
    });
    socket.on('error', () => undefined);
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s) => (sockets.add(s), s.once('close', () => sockets.delete(s))));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(async () => {
    const closed = new Promise<void>((r) => server.close(() => r()));
    sockets.forEach((s) => s.destroy()); // a kept-alive client connection would hold close() up
    await closed;
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/media/x.wav?sig=1`;
}

test('a body framed by connection close, after a 100 Continue, is read to the end', async (t) => {
  const body = makeData(700_000, 5);
  const url = await rawHost(t, (socket) => {
    socket.write(
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-type: audio/wav\r\nconnection: close\r\n\r\n',
    );
    socket.end(body);
  });
  const dir = await mkdtemp(join(tmpdir(), 'gt-dl-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const r = await downloadToFile(
    { path: join(dir, 'u.wav'), expectedSize: body.length },
    { resolveUrl: async () => url, backoff: FAST },
  );
  assert.equal(r.sha256, sha(body));
  assert.equal(r.contentType, 'audio/wav');
});

test('a body that stalls past the idle timeout is resumed with Range from the bytes on disk', async (t) => {
  const body = makeData(400_000, 6);
  const ranges: (string | undefined)[] = [];
  const url = await rawHost(t, (socket, request, index) => {
    const range = /\r\nrange: bytes=(\d+)-/i.exec(request)?.[1];
    ranges.push(range);
    if (index === 0) {
      socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\netag: "v1"\r\n\r\n`);
      socket.write(body.subarray(0, 150_000)); // …and then nothing: a stalled server
      return;
    }
    const start = Number(range ?? 0);
    socket.write(
      `HTTP/1.1 206 Partial Content\r\ncontent-length: ${body.length - start}\r\ncontent-range: bytes ${start}-${body.length - 1}/${body.length}\r\netag: "v1"\r\n\r\n`,
    );
    socket.write(body.subarray(start));
  });
  const dir = await mkdtemp(join(tmpdir(), 'gt-dl-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const r = await downloadToFile(
    { path: join(dir, 'v.wav') },
    { resolveUrl: async () => url, backoff: FAST, timeoutMs: 300 },
  );
  assert.equal(r.sha256, sha(body));
  assert.equal(r.resumed, true);
  assert.equal(r.attempts, 2);
  assert.deepEqual(ranges, [undefined, '150000']);
});

test('a chunked body with extensions and trailers, arriving in small pieces, is decoded byte-exact', async (t) => {
  const body = makeData(90_000, 7);
  const parts: Buffer[] = [
    Buffer.from('HTTP/1.1 200 OK\r\ncontent-type: audio/wav\r\ntransfer-encoding: chunked\r\n\r\n', 'latin1'),
  ];
  for (let at = 0, i = 0; at < body.length; i += 1) {
    const n = Math.min(body.length - at, 1 + ((i * 7919) % 20_000));
    parts.push(
      Buffer.from(`${n.toString(16)}${i % 2 ? ';ext=1' : ''}\r\n`, 'latin1'),
      body.subarray(at, at + n),
      Buffer.from('\r\n', 'latin1'),
    );
    at += n;
  }
  parts.push(Buffer.from('0\r\nx-checksum: none\r\n\r\n', 'latin1'));
  const wire = Buffer.concat(parts);
  const url = await rawHost(t, (socket) => {
    void (async () => {
      // Odd-sized writes with a turn of the event loop between them: heads, sizes and CRLFs split across reads.
      for (let at = 0, k = 0; at < wire.length; k += 1) {
        const n = k < 40 ? 3 : 4099;
        socket.write(wire.subarray(at, at + n));
        at += n;
        await new Promise((r) => setImmediate(r));
      }
    })();
  });
  const dir = await mkdtemp(join(tmpdir(), 'gt-dl-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'w.wav');
  const r = await downloadToFile({ path }, { resolveUrl: async () => url, backoff: FAST });
  assert.equal(r.sha256, sha(body));
  assert.deepEqual(await readFile(path), body);
});

test('a host that does not speak HTTP is retried, then DOWNLOAD_FAILED', async (t) => {
  let requests = 0;
  const url = await rawHost(t, (socket) => {
    requests += 1;
    socket.end('SSH-2.0-OpenSSH\r\n\r\n');
  });
  const dir = await mkdtemp(join(tmpdir(), 'gt-dl-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await assert.rejects(
    downloadToFile(
      { path: join(dir, 'y.wav') },
      { resolveUrl: async () => url, backoff: FAST, maxAttempts: 3 },
    ),
    (e) => isGtError(e, 'DOWNLOAD_FAILED'),
  );
  assert.equal(requests, 3);
});

/** A loopback host that answers each request with the next scripted handler. */
async function scriptedHost(
  t: TestContext,
  script: ((req: IncomingMessage, res: ServerResponse) => void)[],
): Promise<{ url: string; dir: string; seen: () => number }> {
  let n = 0;
  const server = createHttpServer((req, res) => script[Math.min(n++, script.length - 1)]!(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const dir = await mkdtemp(join(tmpdir(), 'gt-dl-'));
  t.after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await rm(dir, { recursive: true, force: true });
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/media`, dir, seen: () => n };
}

test('a 410 is definitive even when its body says "expired": no URL renewals', async (t) => {
  const host = await scriptedHost(t, [
    (_req, res) => res.writeHead(410, { 'content-type': 'text/plain' }).end('Request has expired'),
  ]);
  const reasons: string[] = [];
  await assert.rejects(
    downloadToFile(
      { path: join(host.dir, 'gone.wav') },
      {
        resolveUrl: async (reason) => (reasons.push(reason), host.url),
        backoff: FAST,
      },
    ),
    (e) =>
      isGtError(e, 'DOWNLOAD_FAILED') && (e as { details?: { status?: number } }).details?.status === 410,
  );
  assert.deepEqual(reasons, ['initial']);
  assert.equal(host.seen(), 1);
});

test('a resume that the host later answers with the whole object is not reported as resumed', async (t) => {
  const data = makeData(300_000);
  const etag = '"v1"';
  const host = await scriptedHost(t, [
    // The first answer breaks mid-body, the resume (206) breaks too, then Range is ignored (200).
    (_req, res) => {
      res.writeHead(200, { 'content-length': data.length, etag });
      res.write(data.subarray(0, 100_000), () => res.destroy());
    },
    (req, res) => {
      const from = Number(/bytes=(\d+)-/.exec(req.headers.range ?? '')?.[1] ?? 0);
      res.writeHead(206, {
        'content-length': data.length - from,
        'content-range': `bytes ${from}-${data.length - 1}/${data.length}`,
        etag,
      });
      res.write(data.subarray(from, from + 50_000), () => res.destroy());
    },
    (_req, res) => res.writeHead(200, { 'content-length': data.length, etag }).end(data),
  ]);
  const path = join(host.dir, 'whole.wav');
  const r = await downloadToFile(
    { path, expectedSha256: sha(data) },
    {
      resolveUrl: async () => host.url,
      backoff: FAST,
    },
  );
  assert.deepEqual(await readFile(path), data);
  assert.equal(host.seen(), 3);
  assert.equal(r.resumed, false);
});
