import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { isGtError } from '../../src/errors.ts';
import { createSink } from '../../src/sinks/index.ts';
import { createS3Sink, type S3SinkOptions } from '../../src/sinks/s3.ts';
import { sha256, stageBundle, textBundleFile } from './helpers.ts';

const BUCKET = 'exports';
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** A real S3-compatible server on a free loopback port, with its data in a temp folder. */
async function startS3(t: { after: (fn: () => Promise<void>) => void }) {
  const dir = await mkdtemp(join(tmpdir(), 'gt-s3-'));
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory: join(dir, 'data'),
    configureBuckets: [{ name: BUCKET, configs: [] }],
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: CREDENTIALS,
  });
  t.after(async () => {
    client.destroy();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });
  return { dir, endpoint, client };
}

/** An S3 sink to `endpoint` with the test bucket and credentials, closed after the test. */
function sinkTo(t: TestContext, endpoint: string, options: Partial<S3SinkOptions> = {}) {
  const sink = createS3Sink({
    endpoint,
    region: 'us-east-1',
    bucket: BUCKET,
    forcePathStyle: true,
    credentials: CREDENTIALS,
    ...options,
  });
  t.after(() => sink.close());
  return sink;
}

/** A loopback pass-through proxy in front of S3 that records request lines: proves multipart happened. */
async function startCountingProxy(t: { after: (fn: () => Promise<void>) => void }, target: string) {
  const seen: string[] = [];
  const { port: targetPort } = new URL(target);
  const proxy = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const upstream = request(
      {
        host: '127.0.0.1',
        port: Number(targetPort),
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => proxy.close(() => resolve())));
  return { url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, seen };
}

async function objectSha256(client: S3Client, key: string): Promise<string> {
  const res = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  const hash = createHash('sha256');
  for await (const chunk of res.Body as Readable) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function keys(client: S3Client, prefix: string): Promise<string[]> {
  const res = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  return (res.Contents ?? []).map((o) => o.Key!).sort();
}

test(
  'uploads under prefix/YYYY/MM/DD/<safe id>/ with sha256 metadata; multipart above the part size',
  { timeout: 90_000 },
  async (t) => {
    const { dir, endpoint, client } = await startS3(t);
    const proxy = await startCountingProxy(t, endpoint);
    const sink = sinkTo(t, proxy.url, { prefix: 'archive/v1', partSizeBytes: 5 * 1024 * 1024 });
    // 12 MiB of non-repeating bytes: three parts of 5 + 5 + 2 MiB.
    const media = Buffer.alloc(12 * 1024 * 1024);
    for (let i = 0; i < media.length; i += 32) createHash('sha256').update(String(i)).digest().copy(media, i);
    const bundle = await stageBundle(join(dir, 'staging'), '../weird/id', { media });
    const receipt = await sink.deliver(bundle);
    assert.equal(receipt.sink, `s3://${BUCKET}/archive/v1`);
    assert.equal(receipt.duplicate, undefined);

    const folder = 'archive/v1/2026/03/04/__weird_id~';
    const listed = await keys(client, 'archive/v1/');
    assert.equal(listed.length, 4);
    assert.ok(
      listed.every((k) => k.startsWith(folder.slice(0, -1))),
      listed.join(', '),
    );
    const mediaKey = listed.find((k) => k.endsWith('/recordings/r1.wav'))!;
    assert.equal(await objectSha256(client, mediaKey), sha256(media), 'the multipart object is byte-exact');
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: mediaKey }));
    assert.equal(head.Metadata?.sha256, sha256(media));
    const parts = proxy.seen.filter(
      (l) => l.startsWith('PUT ') && l.includes('r1.wav') && /[?&]partNumber=\d/.test(l),
    );
    assert.equal(parts.length, 3, `uploaded as 3 parts: ${parts.join(', ')}`);
    assert.equal(head.ContentType, 'audio/wav');
    for (const f of bundle.files) {
      const key = listed.find((k) => k.endsWith(`/${f.name}`))!;
      assert.equal(
        (await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))).Metadata?.sha256,
        f.sha256,
      );
    }
  },
);

test(
  'idempotent: a re-delivery uploads nothing, a changed file alone is re-uploaded',
  { timeout: 60_000 },
  async (t) => {
    const { dir, endpoint, client } = await startS3(t);
    const sink = sinkTo(t, endpoint);
    const bundle = await stageBundle(join(dir, 'staging'), 'conv-1');
    await sink.deliver(bundle);
    const before = await client.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: '2026/03/04/conv-1/transcript.json' }),
    );
    const again = await sink.deliver(bundle);
    assert.equal(again.duplicate, true);
    const after = await client.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: '2026/03/04/conv-1/transcript.json' }),
    );
    assert.equal(after.LastModified?.getTime(), before.LastModified?.getTime(), 'not rewritten');

    const changed = await stageBundle(join(dir, 'staging2'), 'conv-1', { transcript: 'changed' });
    const third = await sink.deliver(changed);
    assert.equal(third.duplicate, undefined);
    assert.equal(await objectSha256(client, '2026/03/04/conv-1/transcript.txt'), changed.files[1]!.sha256);
  },
);

test('text files held in memory (as the pipeline hands transcripts) upload byte-exact, UTF-8', async (t) => {
  const { dir, endpoint, client } = await startS3(t);
  const sink = sinkTo(t, endpoint);
  const bundle = await stageBundle(join(dir, 'staging'), 'conv-mem', { media: Buffer.alloc(2048, 7) });
  const text = 'agent: ¿Me confirma el número? — [CARD] ✓\n';
  const json = JSON.stringify({ conversationId: 'conv-mem', text });
  bundle.files = bundle.files.map((f) =>
    f.name === 'transcript.txt'
      ? textBundleFile(f.name, text)
      : f.name === 'transcript.json'
        ? textBundleFile(f.name, json, 'application/json')
        : f,
  );
  await sink.deliver(bundle);
  assert.equal(await objectSha256(client, '2026/03/04/conv-mem/transcript.txt'), sha256(text));
  assert.equal(await objectSha256(client, '2026/03/04/conv-mem/transcript.json'), sha256(json));
  const head = await client.send(
    new HeadObjectCommand({ Bucket: BUCKET, Key: '2026/03/04/conv-mem/transcript.txt' }),
  );
  assert.equal(head.Metadata?.sha256, sha256(text));
  assert.equal(head.ContentLength, Buffer.byteLength(text));
  assert.equal(
    await objectSha256(client, '2026/03/04/conv-mem/recordings/r1.wav'),
    sha256(Buffer.alloc(2048, 7)),
  );
});

test('manifest last: a failed delivery leaves no manifest object', { timeout: 60_000 }, async (t) => {
  const { dir, endpoint, client } = await startS3(t);
  const sink = sinkTo(t, endpoint);
  const bundle = await stageBundle(join(dir, 'staging'), 'conv-2', { media: Buffer.alloc(1000, 2) });
  bundle.files.find((f) => f.name.endsWith('.wav'))!.path = join(dir, 'missing.wav');
  await assert.rejects(sink.deliver(bundle), (e) => isGtError(e, 'SINK_FAILED'));
  assert.equal((await keys(client, '2026/03/04/conv-2/')).includes('2026/03/04/conv-2/manifest.json'), false);
});

test(
  'createSink parses an s3:// spec with credentials from the AWS env vars',
  { timeout: 60_000 },
  async (t) => {
    const { dir, endpoint, client } = await startS3(t);
    const sink = createSink(
      `s3://${BUCKET}/from-spec?endpoint=${encodeURIComponent(endpoint)}&region=us-east-1&forcePathStyle=true`,
      {
        env: { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' },
      },
    );
    t.after(() => sink.close());
    await sink.deliver(await stageBundle(join(dir, 'staging'), 'conv-3'));
    assert.ok((await keys(client, 'from-spec/2026/03/04/conv-3/')).length === 3);
    assert.throws(
      () => createSink(`s3://${BUCKET}/x`, { env: {} }),
      (e) => isGtError(e, 'CONFIG_INVALID') && /region/.test(e.message),
    );
    assert.throws(
      () => createSink(`s3://${BUCKET}/x?region=r&bogus=1`, { env: {} }),
      (e) => isGtError(e, 'CONFIG_INVALID'),
    );
    assert.throws(
      () => createSink('ftp://x', { env: {} }),
      (e) => isGtError(e, 'CONFIG_INVALID'),
    );
  },
);
