// The `emulator` subcommand: one JSON line with where to reach it, a working server, clean exit 0
// on SIGTERM.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { recentWeek } from '../../src/emulator/options.ts';

const BIN = fileURLToPath(new URL('../../bin/genesys-transcripts.js', import.meta.url));

test('`emulator --port 0` prints its JSON line, serves, and exits 0 on SIGTERM', async () => {
  const child = spawn(
    process.execPath,
    [
      BIN,
      'emulator',
      '--port',
      '0',
      '--seed',
      '5',
      '--conversations',
      '12',
      '--rate-limit',
      '50',
      '--no-range',
      '--variant',
      'mediaUris=perChannel,chatBodyType=lower',
      '--data-lag',
      '90',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  const exited = once(child, 'exit');
  try {
    const lines = createInterface({ input: child.stdout });
    const [line] = (await once(lines, 'line')) as [string];
    const info = JSON.parse(line);
    assert.deepEqual(Object.keys(info).sort(), [
      'baseUrl',
      'clientId',
      'clientSecret',
      'interval',
      'loginUrl',
      'statsUrl',
      'variants',
    ]);
    assert.deepEqual(info.variants, {
      mediaUri: 'downloads',
      mediaUris: 'perChannel',
      transcriptUrl: 'withUrl',
      chatBodyType: 'lower',
    });
    assert.match(info.baseUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(info.interval, recentWeek(), 'by default, the 7 full UTC days before today');
    assert.equal(info.statsUrl, `${info.baseUrl}/__emulator/stats`);

    const tok = await fetch(`${info.loginUrl}/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${info.clientId}:${info.clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    assert.equal(tok.status, 200);
    const { access_token } = (await tok.json()) as { access_token: string };
    const q = await fetch(`${info.baseUrl}/api/v2/analytics/conversations/details/query`, {
      method: 'POST',
      headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ interval: info.interval }),
    });
    assert.equal(q.status, 200);
    assert.equal(q.headers.get('inin-ratelimit-allowed'), '50');
    const availability = await fetch(
      `${info.baseUrl}/api/v2/analytics/conversations/details/jobs/availability`,
      {
        headers: { authorization: `Bearer ${access_token}` },
      },
    );
    const lagged =
      Date.now() -
      Date.parse(((await availability.json()) as { dataAvailabilityDate: string }).dataAvailabilityDate);
    assert.ok(lagged >= 90 * 60_000 && lagged < 91 * 60_000, `--data-lag 90: ${lagged} ms behind`);
    assert.equal(((await q.json()) as { totalHits: number }).totalHits, 12);
    const stats = (await (await fetch(info.statsUrl)).json()) as { totalRequests: number };
    assert.equal(stats.totalRequests, 3);
    assert.equal((await fetch(`${info.baseUrl}/__emulator/stats/reset`, { method: 'POST' })).status, 204);
    assert.equal(((await (await fetch(info.statsUrl)).json()) as { totalRequests: number }).totalRequests, 0);
  } finally {
    child.kill('SIGTERM');
  }
  const [code, signal] = (await exited) as [number | null, string | null];
  assert.equal(signal, null, stderr);
  assert.equal(code, 0, stderr);
});

test('a bad option is a usage error (exit 2) naming the option', async () => {
  for (const args of [
    ['--port', 'abc'],
    ['--interval', '2026-11-08T00:00:00Z/2026-11-01T00:00:00Z'],
    ['--variant', 'mediaUris=stereo'],
    ['--variant', 'colour=blue'],
  ]) {
    const child = spawn(process.execPath, [BIN, 'emulator', ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    const [code] = (await once(child, 'exit')) as [number];
    assert.equal(code, 2, stderr);
    assert.match(stderr, new RegExp(`option '${args[0]}`));
  }
});

test('--interval pins the interval the dataset covers', async () => {
  const interval = '2026-01-05T00:00:00.000Z/2026-01-07T00:00:00.000Z';
  const child = spawn(process.execPath, [BIN, 'emulator', '--interval', interval, '--conversations', '5'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit');
  try {
    const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
    assert.equal(JSON.parse(line).interval, interval);
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(((await exited) as [number])[0], 0);
});

test('recentWeek: the 7 full UTC days before the given instant', () => {
  assert.equal(
    recentWeek(Date.parse('2027-03-10T23:59:59.999Z')),
    '2027-03-03T00:00:00.000Z/2027-03-10T00:00:00.000Z',
  );
  assert.equal(
    recentWeek(Date.parse('2027-03-10T00:00:00.000Z')),
    '2027-03-03T00:00:00.000Z/2027-03-10T00:00:00.000Z',
  );
});
