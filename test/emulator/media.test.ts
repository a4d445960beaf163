// Signed media downloads: Range edge cases, If-Range, HEAD, servers without Range, URL expiry and
// tampering, content types per format, and a 500 MB recording streamed with flat memory.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { test } from 'node:test';
import { api, json, signedMediaUrl, sleep, start, token, voiceWith } from './helpers.ts';

const SIZE = 200_000;

async function setup(t: import('node:test').TestContext, options = {}) {
  const emu = await start(t, {
    conversations: 20,
    mediaMix: { voice: 1 },
    audioBytes: { min: SIZE, max: SIZE },
    ...options,
  });
  const bearer = await token(emu);
  const cid = voiceWith(emu, 'AVAILABLE')[0]!;
  const oracle = emu.dataset.recordings(cid)[0]!;
  return { emu, bearer, cid, oracle, url: await signedMediaUrl(emu, bearer, cid) };
}

const bytes = async (res: Response) => Buffer.from(await res.arrayBuffer());

test('full GET is a valid WAV of the oracle size and sha256, with a strong ETag', async (t) => {
  const { url, oracle } = await setup(t);
  const res = await fetch(url);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'audio/wav');
  assert.equal(res.headers.get('accept-ranges'), 'bytes');
  assert.equal(res.headers.get('content-length'), String(SIZE));
  assert.match(res.headers.get('etag') ?? '', /^"[0-9a-f]{16,}"$/);
  const body = await bytes(res);
  assert.equal(body.length, oracle.sizeBytes);
  assert.equal(createHash('sha256').update(body).digest('hex'), oracle.sha256);
  assert.equal(body.toString('ascii', 0, 4), 'RIFF');
  assert.equal(body.toString('ascii', 8, 12), 'WAVE');
  assert.equal(body.readUInt32LE(4), SIZE - 8);
  assert.equal(body.toString('ascii', 36, 40), 'data');
  assert.equal(body.readUInt32LE(40), SIZE - 44);
});

test('Range: first bytes, middle, open-ended, suffix, unsatisfiable, If-Range', async (t) => {
  const { url } = await setup(t);
  const whole = await bytes(await fetch(url));
  const etag = (await fetch(url, { method: 'HEAD' })).headers.get('etag')!;
  const cases: [string, number, number][] = [
    ['bytes=0-99', 0, 99],
    ['bytes=70000-140000', 70000, 140000],
    ['bytes=150000-', 150000, SIZE - 1],
    ['bytes=-500', SIZE - 500, SIZE - 1],
    ['bytes=199990-300000', 199990, SIZE - 1],
  ];
  for (const [range, a, b] of cases) {
    const res = await fetch(url, { headers: { range } });
    assert.equal(res.status, 206, range);
    assert.equal(res.headers.get('content-range'), `bytes ${a}-${b}/${SIZE}`, range);
    assert.equal(res.headers.get('content-length'), String(b - a + 1), range);
    assert.ok((await bytes(res)).equals(whole.subarray(a, b + 1)), range);
  }
  const unsatisfiable = await fetch(url, { headers: { range: `bytes=${SIZE}-` } });
  assert.equal(unsatisfiable.status, 416);
  assert.equal(unsatisfiable.headers.get('content-range'), `bytes */${SIZE}`);
  await unsatisfiable.arrayBuffer();

  const same = await fetch(url, { headers: { range: 'bytes=10-19', 'if-range': etag } });
  assert.equal(same.status, 206);
  assert.ok((await bytes(same)).equals(whole.subarray(10, 20)));
  const stale = await fetch(url, { headers: { range: 'bytes=10-19', 'if-range': '"stale"' } });
  assert.equal(stale.status, 200, 'a stale If-Range validator gets the whole file');
  assert.equal((await bytes(stale)).length, SIZE);

  const head = await fetch(url, { method: 'HEAD', headers: { range: 'bytes=0-9' } });
  assert.equal(head.status, 206);
  assert.equal(head.headers.get('content-length'), '10');
});

test('rangeSupport: false ignores Range: 200, full body, no Accept-Ranges', async (t) => {
  const { url, oracle } = await setup(t, { rangeSupport: false });
  const res = await fetch(url, { headers: { range: 'bytes=0-99' } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('accept-ranges'), null);
  assert.equal(res.headers.get('content-range'), null);
  const body = await bytes(res);
  assert.equal(createHash('sha256').update(body).digest('hex'), oracle.sha256);
});

test('content type follows formatId; NONE lists no media; the bytes are the same', async (t) => {
  const { emu, bearer, cid, oracle } = await setup(t);
  const types: Record<string, string> = {
    WAV: 'audio/wav',
    WAV_ULAW: 'audio/wav',
    WEBM: 'audio/webm',
    OGG_VORBIS: 'audio/ogg',
    OGG_OPUS: 'audio/ogg',
    MP3: 'audio/mpeg',
  };
  for (const [format, type] of Object.entries(types)) {
    const res = await fetch(await signedMediaUrl(emu, bearer, cid, format));
    assert.equal(res.headers.get('content-type'), type, format);
    assert.equal(
      createHash('sha256')
        .update(await bytes(res))
        .digest('hex'),
      oracle.sha256,
    );
  }
  const none = await json(await api(emu, bearer, `/api/v2/conversations/${cid}/recordings?formatId=NONE`));
  assert.equal(none[0].mediaUris, undefined);
  const defaulted = await json(await api(emu, bearer, `/api/v2/conversations/${cid}/recordings`));
  const link = defaulted[0].mediaUris.S.mediaUri as string;
  const redirect = await fetch(link, { headers: { authorization: `Bearer ${bearer}` }, redirect: 'manual' });
  assert.equal(redirect.status, 303, 'downloads issue a redirect by default');
  assert.equal(
    (await fetch(redirect.headers.get('location')!)).headers.get('content-type'),
    'audio/webm',
    'WEBM is the default format',
  );
  assert.equal((await api(emu, bearer, `/api/v2/conversations/${cid}/recordings?formatId=FLAC`)).status, 400);
});

test('signed URLs need no token, expire after their TTL, and refuse tampering', async (t) => {
  const { url } = await setup(t, { signedUrlTtlSeconds: 1 });
  assert.equal((await fetch(url)).status, 200);
  const tampered = url.replace(/X-Amz-Expires=1/, 'X-Amz-Expires=600');
  const bad = await fetch(tampered);
  assert.equal(bad.status, 403);
  assert.match(await bad.text(), /SignatureDoesNotMatch/);
  await sleep(2100);
  const expired = await fetch(url);
  assert.equal(expired.status, 403);
  assert.equal(expired.headers.get('content-type'), 'application/xml');
  assert.match(
    await expired.text(),
    /<Error><Code>AccessDenied<\/Code><Message>Request has expired<\/Message>/,
  );
});

/**
 * Reads an HTTP response through one reused buffer (net's onread), so the client adds no garbage
 * and the RSS measured is the emulator's own cost of serving.
 */
function hashOverSocket(url: string): Promise<{ sha256: string; bodyBytes: number; head: string }> {
  const u = new URL(url);
  const hash = createHash('sha256');
  let head = '';
  let inBody = false;
  let bodyBytes = 0;
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: u.hostname,
      port: Number(u.port),
      onread: {
        buffer: Buffer.allocUnsafe(64 * 1024),
        callback: (n, buf) => {
          let chunk = Buffer.from(buf.buffer, buf.byteOffset, n);
          if (!inBody) {
            head += chunk.toString('latin1');
            const end = head.indexOf('\r\n\r\n');
            if (end < 0) return true;
            const headerBytes = Buffer.byteLength(head.slice(0, end + 4), 'latin1');
            chunk = chunk.subarray(chunk.length - (Buffer.byteLength(head, 'latin1') - headerBytes));
            head = head.slice(0, end);
            inBody = true;
          }
          hash.update(chunk);
          bodyBytes += chunk.length;
          return true;
        },
      },
    });
    socket.on('connect', () =>
      socket.write(`GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nConnection: close\r\n\r\n`),
    );
    socket.on('error', reject);
    socket.on('close', () => resolve({ sha256: hash.digest('hex'), bodyBytes, head }));
  });
}

test('a 500 MB recording streams with flat memory and matches the oracle sha256', async (t) => {
  const size = 500e6;
  const emu = await start(t, {
    conversations: 20,
    mediaMix: { voice: 1 },
    audioBytes: { min: size, max: size },
  });
  const bearer = await token(emu);
  const cid = voiceWith(emu, 'AVAILABLE')[0]!;
  const url = await signedMediaUrl(emu, bearer, cid);
  global.gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  let got: Awaited<ReturnType<typeof hashOverSocket>>;
  try {
    got = await hashOverSocket(url);
  } finally {
    clearInterval(timer);
  }
  assert.match(got.head, /^HTTP\/1\.1 200/);
  assert.match(got.head, /content-length: 500000000/i);
  assert.equal(got.bodyBytes, size);
  const growthMb = (peak - base) / 1048576;
  t.diagnostic(`RSS growth while serving 500 MB: ${growthMb.toFixed(1)} MB`);
  assert.ok(growthMb < 50, `RSS grew ${growthMb.toFixed(1)} MB while serving 500 MB`);
  assert.equal(
    got.sha256,
    emu.dataset.recordings(cid)[0]!.sha256,
    'the oracle hash (computed by streaming) matches the bytes served',
  );
  assert.equal(emu.stats().bytesServed, size);
});
