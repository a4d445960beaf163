import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isGtError } from '../../src/errors.ts';
import { createWebhookSink, replayDeadLetters, type WebhookSinkOptions } from '../../src/sinks/webhook.ts';
import {
  startWebhookReceiver,
  type ReceiverBehaviour,
  type WebhookReceiver,
} from '../helpers/webhook-receiver.ts';
import { stageBundle } from './helpers.ts';
import { tempWorkdir } from '../helpers/emulator.ts';

const SECRET = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;

/** The shared receiver (verifies signatures, dedupes by webhook-id), answering `behaviour` first. */
const startReceiver = (behaviour?: ReceiverBehaviour) =>
  startWebhookReceiver({ secret: SECRET, ...(behaviour ? { behaviour } : {}) });

/** A sink to `receiver`, dead letters under `dir`; the URL carries a token in its query. */
function sinkFor(receiver: WebhookReceiver, dir: string, options: Partial<WebhookSinkOptions> = {}) {
  return createWebhookSink({
    url: `${receiver.url}?token=abc`,
    secret: SECRET,
    deadLetterDir: join(dir, 'dead'),
    ...options,
  });
}

test('retries 503s with the same webhook-id: exactly one accepted delivery per conversation, signed', async (t) => {
  const dir = await tempWorkdir(t, 'gt-webhook-');
  const receiver = await startReceiver((n, _req, res) => (n <= 2 ? (res.writeHead(503).end(), true) : false));
  t.after(receiver.close);
  const sink = sinkFor(receiver, dir, { baseDelayMs: 5, maxAttempts: 4 });
  assert.equal(
    sink.name,
    `webhook:${new URL(receiver.url).origin}/hooks/genesys`,
    'no query string (may hold a token) in the name',
  );
  const ids = ['c1', 'c2', 'c3', 'c4', 'c5'];
  const bundles = await Promise.all(
    ids.map((id) => stageBundle(join(dir, 'staging'), id, { media: Buffer.alloc(50_000, 1) })),
  );
  const receipts = await Promise.all(bundles.map((b) => sink.deliver(b)));
  // A re-run (crash after the 2xx, before the checkpoint) resends with the same id.
  await sink.deliver(bundles[0]!);

  assert.equal(receiver.badSignatures(), 0, 'every signature verified');
  for (const [i, id] of ids.entries()) {
    const hookIds = receiver.conversations.get(id)!;
    assert.deepEqual([...hookIds], [bundles[i]!.deliveryId], 'webhook-id is the deliveryId');
    assert.equal(receiver.attempts.get(bundles[i]!.deliveryId), i === 0 ? 4 : 3);
    assert.equal(receipts[i]!.deliveryId, bundles[i]!.deliveryId);
  }
  assert.equal(receiver.accepted.size, ids.length, 'one accepted delivery per conversation after dedupe');
  assert.equal(receiver.payloads.length, ids.length + 1, 'the resend reached the receiver');
  const p = JSON.parse(receiver.payloads[0]!) as { type: string; data: Record<string, unknown> };
  assert.equal(p.type, 'conversation.exported');
  assert.ok(p.data.manifest && p.data.transcripts, 'manifest and (small) transcripts inline');
  assert.deepEqual(Object.keys(p.data.transcripts as object), ['transcript.json']);
  assert.ok(JSON.stringify(p).length < 10_000, 'media are not inlined');
  assert.equal((await readdir(dir)).includes('dead'), false, 'no dead letters');
});

test('a permanent 4xx is dead-lettered at once; replay resends the same id and payload', async (t) => {
  const dir = await tempWorkdir(t, 'gt-webhook-');
  const receiver = await startReceiver((_n, _req, res) => (res.writeHead(422).end(), true));
  t.after(receiver.close);
  const sink = sinkFor(receiver, dir, { baseDelayMs: 5 });
  const bundle = await stageBundle(join(dir, 'staging'), 'conv-perm');
  await assert.rejects(
    sink.deliver(bundle),
    (e) => isGtError(e, 'SINK_FAILED') && e.details.permanent === true && e.details.status === 422,
  );
  assert.equal(receiver.attempts.get(bundle.deliveryId), 1, '4xx is not retried');
  const letters = await readdir(join(dir, 'dead'));
  assert.equal(letters.length, 1);
  const letter = JSON.parse(await readFile(join(dir, 'dead', letters[0]!), 'utf8')) as {
    deliveryId: string;
    payload: string;
  };
  assert.equal(letter.deliveryId, bundle.deliveryId);

  receiver.setBehaviour(() => false);
  const r = await replayDeadLetters(sink);
  assert.deepEqual(r, { replayed: [bundle.deliveryId], failed: [], otherSinks: 0 });
  assert.equal(receiver.accepted.get(bundle.deliveryId), 1);
  assert.deepEqual(await readdir(join(dir, 'dead')), [], 'replayed letters are removed');
  assert.deepEqual(await replayDeadLetters(sink), { replayed: [], failed: [], otherSinks: 0 });
});

test('exhausted retries (5xx, then connection refused) are dead-lettered; failed replays stay', async (t) => {
  const dir = await tempWorkdir(t, 'gt-webhook-');
  const receiver = await startReceiver((_n, _req, res) => (res.writeHead(500).end(), true));
  const sink = sinkFor(receiver, dir, { baseDelayMs: 2, maxAttempts: 3 });
  const bundle = await stageBundle(join(dir, 'staging'), 'conv-5xx');
  await assert.rejects(
    sink.deliver(bundle),
    (e) => isGtError(e, 'SINK_FAILED') && e.details.permanent === false,
  );
  assert.equal(receiver.attempts.get(bundle.deliveryId), 3);
  await receiver.close();

  const b2 = await stageBundle(join(dir, 'staging'), 'conv-down');
  await assert.rejects(
    sink.deliver(b2),
    (e) => isGtError(e, 'SINK_FAILED') && /network|connection/.test(e.message),
  );
  assert.equal((await readdir(join(dir, 'dead'))).length, 2);
  const r = await replayDeadLetters(sink);
  assert.equal(r.failed.length, 2);
  assert.equal((await readdir(join(dir, 'dead'))).length, 2, 'still there for the next replay');
});

test('a receiver that hangs past timeoutMs is retried', { timeout: 20_000 }, async (t) => {
  const dir = await tempWorkdir(t, 'gt-webhook-');
  const receiver = await startReceiver((n) => n === 1); // first attempt: never answer
  t.after(receiver.close); // the sink's timeout aborts the hung request, so close() does not wait
  const sink = sinkFor(receiver, dir, { baseDelayMs: 5, timeoutMs: 300 });
  const bundle = await stageBundle(join(dir, 'staging'), 'conv-slow');
  await sink.deliver(bundle);
  assert.equal(receiver.attempts.get(bundle.deliveryId), 2);
  assert.equal(receiver.accepted.get(bundle.deliveryId), 1);
});

test('Retry-After on 429 overrides the backoff', { timeout: 20_000 }, async (t) => {
  const dir = await tempWorkdir(t, 'gt-webhook-');
  const receiver = await startReceiver((n, _req, res) =>
    n === 1 ? (res.writeHead(429, { 'retry-after': '0' }).end(), true) : false,
  );
  t.after(receiver.close);
  // A backoff of 10 minutes: the test only finishes because Retry-After: 0 is honoured.
  const sink = sinkFor(receiver, dir, { baseDelayMs: 600_000, maxDelayMs: 600_000 });
  const bundle = await stageBundle(join(dir, 'staging'), 'conv-429');
  await sink.deliver(bundle);
  assert.equal(receiver.accepted.get(bundle.deliveryId), 1);
});

test('transcripts beyond maxInlineBytes are left out (all or nothing), the manifest stays', async (t) => {
  const dir = await tempWorkdir(t, 'gt-webhook-');
  const receiver = await startReceiver();
  t.after(receiver.close);
  const sink = sinkFor(receiver, dir, { maxInlineBytes: 1000 });
  await sink.deliver(await stageBundle(join(dir, 'staging'), 'conv-big', { transcript: 'x'.repeat(5000) }));
  const data = (JSON.parse(receiver.payloads[0]!) as { data: Record<string, unknown> }).data;
  assert.equal(data.transcripts, undefined);
  assert.equal(data.conversationId, 'conv-big');
  assert.ok(data.manifest);
});

test('configuration errors are CONFIG_INVALID without echoing the secret', () => {
  assert.throws(
    () => createWebhookSink({ url: 'ftp://x', secret: SECRET, deadLetterDir: '/tmp' }),
    (e) => isGtError(e, 'CONFIG_INVALID'),
  );
  assert.throws(
    () =>
      createWebhookSink({
        url: 'http://127.0.0.1:1/',
        secret: 'whsec_!!not-base64-secret!!',
        deadLetterDir: '/tmp',
      }),
    (e) => isGtError(e, 'CONFIG_INVALID') && !e.message.includes('not-base64-secret'),
  );
});
