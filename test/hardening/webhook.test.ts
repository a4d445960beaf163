// Webhook hardening (issue 15) against real receivers on loopback: plain http refused off
// loopback, redirects never followed (a 3xx is permanent), a circuit breaker per sink for a hung
// receiver, dead letters 0600 in a 0700 folder, removed once delivered (by a later run or by
// `dlq retry`), and `dlq list`/`dlq retry` through the real CLI with a receiver deduplicating on
// webhook-id with the official standardwebhooks package.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { isGtError } from '../../src/errors.ts';
import { createWebhookSink, type WebhookSinkOptions } from '../../src/sinks/webhook.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';
import { stageBundle } from '../sinks/helpers.ts';
import { tempWorkdir } from '../helpers/emulator.ts';

const SECRET = `whsec_${Buffer.from('issue-15-webhook-secret-0123456789').toString('base64')}`;
const CLI = new URL('../../bin/genesys-transcripts.js', import.meta.url).pathname;

function sinkFor(url: string, dir: string, o: Partial<WebhookSinkOptions> = {}) {
  return createWebhookSink({ url, secret: SECRET, deadLetterDir: join(dir, 'dead'), baseDelayMs: 5, ...o });
}

const mode = async (p: string) => (await stat(p)).mode & 0o777;

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, GT_WEBHOOK_SECRET: SECRET },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

test('plain http:// is refused off loopback unless --allow-insecure-webhook; loopback and https are fine', () => {
  const dir = '/tmp/gt-never-written';
  assert.throws(
    () => sinkFor('http://hooks.example.com/genesys', dir),
    (e: unknown) => isGtError(e, 'CONFIG_INVALID') && /plain http.*--allow-insecure-webhook/.test(e.message),
  );
  assert.throws(
    () => sinkFor('http://10.0.0.7/genesys', dir),
    (e: unknown) => isGtError(e, 'CONFIG_INVALID'),
  );
  assert.ok(sinkFor('http://hooks.example.com/genesys', dir, { allowInsecure: true }));
  for (const ok of [
    'http://127.0.0.1:9/x',
    'http://localhost:9/x',
    'http://[::1]:9/x',
    'https://hooks.example.com/x',
  ])
    assert.ok(sinkFor(ok, dir), ok);
});

test('a 302 is a permanent failure: not retried, not followed, dead-lettered', async (t) => {
  const dir = await tempWorkdir(t, 'gt-hook-302-');
  let followed = 0;
  const elsewhere = createServer((_req, res) => {
    followed += 1;
    res.writeHead(204).end();
  });
  await new Promise<void>((r) => elsewhere.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => elsewhere.close(() => r())));
  const location = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}/steal`;
  const receiver = await startWebhookReceiver({
    secret: SECRET,
    behaviour: (_n, _req, res) => (res.writeHead(302, { location }).end(), true),
  });
  t.after(receiver.close);
  const sink = sinkFor(receiver.url, dir, { maxAttempts: 5 });
  const bundle = await stageBundle(join(dir, 'staging'), 'conv-302');
  await assert.rejects(
    sink.deliver(bundle),
    (e: unknown) =>
      isGtError(e, 'SINK_FAILED') &&
      e.details.permanent === true &&
      /302 \(redirects are not followed\)/.test(e.message),
  );
  assert.equal(receiver.attempts.get(bundle.deliveryId), 1, 'a 3xx is not retried');
  assert.equal(followed, 0, 'the Location was never fetched');
  assert.equal((await readdir(join(dir, 'dead'))).length, 1);
});

test('a hung receiver: the circuit opens after 3 failed deliveries, the rest fail at once; dead letters 0600 in 0700', async (t) => {
  const dir = await tempWorkdir(t, 'gt-hook-hung-');
  const receiver = await startWebhookReceiver({ secret: SECRET, behaviour: () => true }); // never answers
  t.after(receiver.close);
  const sink = sinkFor(receiver.url, dir, {
    timeoutMs: 150,
    maxAttempts: 2,
    breaker: { threshold: 3, cooldownMs: 60_000 },
  });
  const codes: string[] = [];
  const started = Date.now();
  for (let i = 0; i < 8; i++) {
    const bundle = await stageBundle(join(dir, 'staging'), `conv-${i}`);
    await sink
      .deliver(bundle)
      .catch((e: unknown) =>
        codes.push(isGtError(e) ? `${e.code}${e.details.circuitOpen ? ':open' : ''}` : 'untyped'),
      );
  }
  assert.deepEqual(codes, [...Array(3).fill('SINK_FAILED'), ...Array(5).fill('SINK_FAILED:open')]);
  const posts = [...receiver.attempts.values()].reduce((a, b) => a + b, 0);
  assert.equal(posts, 6, 'three deliveries of two attempts each, then none');
  assert.ok(Date.now() - started < 30_000);
  const letters = await readdir(join(dir, 'dead'));
  assert.equal(letters.length, 8, 'every undelivered conversation is dead-lettered for replay');
  assert.equal(await mode(join(dir, 'dead')), 0o700);
  for (const l of letters) assert.equal(await mode(join(dir, 'dead', l)), 0o600, l);
});

test('a dead letter is removed once its conversation is delivered by a later run', async (t) => {
  const dir = await tempWorkdir(t, 'gt-hook-later-');
  const receiver = await startWebhookReceiver({ secret: SECRET });
  t.after(receiver.close);
  receiver.failNext(2);
  const sink = sinkFor(receiver.url, dir, { maxAttempts: 2 });
  const bundle = await stageBundle(join(dir, 'staging'), 'conv-later');
  await assert.rejects(sink.deliver(bundle));
  assert.equal((await readdir(join(dir, 'dead'))).length, 1);
  await sink.deliver(bundle);
  assert.deepEqual(await readdir(join(dir, 'dead')), [], 'settled by the successful delivery');
});

test('dlq list and dlq retry (the CLI): replayed to zero, one webhook-id per conversation at a deduplicating receiver', async (t) => {
  const dir = await tempWorkdir(t, 'gt-hook-dlq-');
  const state = join(dir, 'state');
  let receiver: WebhookReceiver = await startWebhookReceiver({ secret: SECRET });
  // The receiver is down for the first deliveries.
  receiver.failNext(100);
  // Where an export with --state-dir <state> keeps them.
  const sink = sinkFor(receiver.url, state, { maxAttempts: 1, deadLetterDir: join(state, 'dead-letters') });
  const ids = ['conv-a', 'conv-\u001b]0;pwned\u0007'];
  const bundles = [];
  for (const id of ids) {
    const b = await stageBundle(join(dir, 'staging'), id);
    bundles.push(b);
    await assert.rejects(sink.deliver(b));
  }
  const shown = await cli(['dlq', 'list', '--state-dir', state]);
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, /dead letters in .*: 2/);
  assert.match(shown.stdout, /conv-\\u001b\]0;pwned\\u0007/, 'an ID with escapes is printed escaped');
  // eslint-disable-next-line no-control-regex -- the point is that there are none
  assert.doesNotMatch(shown.stdout, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  const json = JSON.parse((await cli(['dlq', 'list', '--state-dir', state, '--json'])).stdout) as {
    deadLetters: { deliveryId: string; payloadBytes: number }[];
  };
  assert.deepEqual(json.deadLetters.map((l) => l.deliveryId).sort(), bundles.map((b) => b.deliveryId).sort());

  // The receiver is back: the replay carries each conversation's original webhook-id, which a
  // deduplicating receiver processes once however many sends reach it.
  await receiver.close();
  receiver = await startWebhookReceiver({ secret: SECRET });
  t.after(receiver.close);
  // Its URL changed (a new port): letters of another URL are left alone unless --all.
  const other = await cli(['dlq', 'retry', '--state-dir', state, '--sink', `webhook:${receiver.url}`]);
  assert.match(other.stdout, /0 delivered and removed, 0 still failing, 2 for other webhook URLs left alone/);
  const retried = await cli([
    'dlq',
    'retry',
    '--state-dir',
    state,
    '--sink',
    `webhook:${receiver.url}`,
    '--all',
  ]);
  assert.equal(retried.code, 0, retried.stderr + retried.stdout);
  assert.match(retried.stdout, /2 delivered and removed, 0 still failing/);
  assert.deepEqual(await readdir(join(state, 'dead-letters')), [], 'replayed to zero');
  for (const b of bundles)
    assert.deepEqual([...receiver.conversations.get(b.conversationId)!], [b.deliveryId]);
  assert.equal(receiver.badSignatures(), 0);
  const again = await cli(['dlq', 'retry', '--state-dir', state, '--sink', `webhook:${receiver.url}`]);
  assert.match(again.stdout, /0 delivered and removed, 0 still failing/);
  const usage = await cli(['dlq', 'retry', '--state-dir', state]);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /--sink webhook:https/);
});

test('the circuit breaker: half-open after the cooldown lets one trial through; success closes it, an aborted trial frees it', async () => {
  const { CircuitBreaker } = await import('../../src/sinks/circuit-breaker.ts');
  let now = 0;
  const b = new CircuitBreaker({ threshold: 2, cooldownMs: 1000, now: () => now });
  b.failure();
  assert.equal(b.allow(), true);
  b.failure();
  assert.equal(b.allow(), false, 'open');
  assert.equal(b.retryInMs(), 1000);
  now = 1000;
  assert.equal(b.allow(), true, 'half-open: one trial');
  assert.equal(b.allow(), false, 'only one at a time');
  b.release();
  assert.equal(b.allow(), true, 'an aborted trial does not leave it stuck');
  b.failure();
  assert.equal(b.allow(), false, 'a failed trial opens it again');
  now = 2000;
  assert.equal(b.allow(), true);
  b.success();
  assert.equal(b.allow(), true);
  assert.equal(b.allow(), true, 'closed');
});
