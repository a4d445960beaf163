// Download URL policy (issue 15): https only, no downgrade, no internal address — checked on the
// address the socket really connects to — against real servers on loopback and the emulator's
// 'internal-url' faults (a mediaUri, a downloads link, a transcript URL or a redirect pointing at
// an internal service or the cloud metadata address).
import assert from 'node:assert/strict';
import { lookup } from 'node:dns/promises';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isGtError } from '../../src/errors.ts';
import { DownloadUrlPolicy, isNonPublicAddress, publicOnlyLookup } from '../../src/genesys/url-policy.ts';
import { downloadToFile } from '../../src/pipeline/fetch/download.ts';
import { fetchConversationRecordings } from '../../src/pipeline/fetch/recordings.ts';
import { fetchVoiceTranscripts } from '../../src/pipeline/fetch/transcripts.ts';
import { getConversationDetails } from '../../src/genesys/endpoints/analytics.ts';
import { createGenesysClient } from '../../src/genesys/transport.ts';
import { configFor, startTestClient, tempWorkdir } from '../helpers/emulator.ts';
import { loadConfig } from '../../src/config/index.ts';
import { TEST_TLS_CERT, TEST_TLS_KEY } from '../fetch/helpers/tls-fixture.ts';
import { listFiles } from '../faults/lib/oracle.ts';

const refusedWith = (re: RegExp) => (err: unknown) => {
  assert.ok(isGtError(err, 'URL_REFUSED'), String(err));
  assert.match((err as Error).message, re);
  return true;
};

test('the policy: https to public hosts; http only on the loopback API origin; no downgrade; no private address', () => {
  const remote = new DownloadUrlPolicy({ apiUrl: 'https://api.mypurecloud.ie' });
  const ok = remote.check('https://prod-euw1-recordings.s3.amazonaws.com/a.wav?X-Amz-Signature=s');
  assert.equal(ok.url.hostname, 'prod-euw1-recordings.s3.amazonaws.com');
  assert.ok(ok.lookup, 'a host name gets the address check at connect time');
  assert.equal(remote.check('https://8.8.8.8/x').lookup, undefined, 'a public IP literal needs no lookup');
  for (const [url, why] of [
    ['http://prod-euw1-recordings.s3.amazonaws.com/a.wav', /plain http/],
    ['https://127.0.0.1:8443/admin/secret', /loopback, private or link-local/],
    ['https://10.1.2.3/x', /private/],
    ['https://169.254.169.254/latest/meta-data/', /link-local/],
    ['https://[::1]/x', /loopback/],
    ['https://[::ffff:127.0.0.1]/x', /loopback/],
    ['https://[fd00:ec2::254]/x', /private/],
    ['https://100.64.0.1/x', /private/],
    ['https://0.0.0.0/x', /private/],
    ['https://metadata.google.internal/computeMetadata/v1/', /internal host name/],
    ['https://localhost/x', /internal host name/],
    ['file:///etc/passwd', /scheme file:/],
    ['https://user:pw@example.com/x', /credentials/],
  ] as const)
    assert.throws(() => remote.check(url), refusedWith(why), url);
  // A redirect is checked like a first URL, and may not leave https.
  assert.throws(
    () => remote.check('http://example.com/a.wav', 'https://example.com/a.wav'),
    refusedWith(/downgrade/),
  );

  // The emulator: its API is http on loopback, its media on the same origin.
  const local = new DownloadUrlPolicy({ apiUrl: 'http://127.0.0.1:4010' });
  assert.equal(local.check('http://127.0.0.1:4010/__signed/media/x?sig=1').lookup, undefined);
  assert.throws(
    () => local.check('http://127.0.0.1:4011/admin/secret'),
    refusedWith(/other than the API's own/),
  );
  assert.throws(() => local.check('http://localhost:4010/x'), refusedWith(/other than the API's own/));
  assert.throws(() => local.check('https://127.0.0.1:4011/x'), refusedWith(/loopback/));
  assert.throws(
    () => local.check('http://127.0.0.1:4010/x', 'https://example.com/x'),
    refusedWith(/downgrade/),
    'a downgrade is refused even to the API origin',
  );
  // --allow-private-downloads lifts the address rule (and http between loopback origins of a local API), never https for remote hosts.
  const allowed = new DownloadUrlPolicy({ apiUrl: 'http://127.0.0.1:4010', allowPrivate: true });
  assert.equal(allowed.check('http://127.0.0.1:4011/x').lookup, undefined);
  assert.equal(allowed.check('https://10.0.0.5/x').lookup, undefined);
  assert.throws(() => allowed.check('http://10.0.0.5/x'), refusedWith(/plain http/));
  const allowedRemote = new DownloadUrlPolicy({ apiUrl: 'https://api.mypurecloud.ie', allowPrivate: true });
  assert.throws(() => allowedRemote.check('http://127.0.0.1/x'), refusedWith(/plain http/));

  assert.equal(isNonPublicAddress('8.8.8.8'), false);
  assert.equal(isNonPublicAddress('2a00:1450:4001:80b::200e'), false);
  assert.equal(isNonPublicAddress('172.31.255.255'), true);
  assert.equal(isNonPublicAddress('fe80::1'), true);
});

test('a host name that resolves to loopback is refused by the socket lookup itself: no connection is made', async (t) => {
  const name = hostname();
  const resolved = await lookup(name).catch(() => undefined);
  if (!resolved || !isNonPublicAddress(resolved.address) || /localhost|metadata/i.test(name)) {
    t.skip(`the host name ${name} does not resolve to a loopback address here`);
    return;
  }
  // A real https server on loopback, reached through a name that looks like any other host.
  let connections = 0;
  const server = createHttpsServer({ key: TEST_TLS_KEY, cert: TEST_TLS_CERT }, (_req, res) =>
    res.end('secret'),
  );
  server.on('connection', () => (connections += 1));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  const port = (server.address() as AddressInfo).port;
  const dir = await tempWorkdir(t, 'gt-policy-');
  const policy = new DownloadUrlPolicy({ apiUrl: 'https://api.mypurecloud.ie' });
  await assert.rejects(
    downloadToFile(
      { path: join(dir, 'r.wav') },
      { resolveUrl: async () => `https://${name}:${port}/media.wav`, policy, maxAttempts: 2 },
    ),
    refusedWith(new RegExp(`${name}.*resolves to a loopback`)),
  );
  assert.equal(connections, 0, 'the refused address was never connected to');
  assert.deepEqual(await listFiles(dir), [], 'nothing written');

  // Transcript URLs go through undici (fetchSigned): the same lookup in its connector.
  const client = createGenesysClient(
    loadConfig({
      flags: { apiUrl: 'https://api.mypurecloud.ie', clientId: 'c' },
      env: { GENESYSCLOUD_OAUTHCLIENT_SECRET: 's' },
    }),
  );
  t.after(() => client.close());
  await assert.rejects(
    client.fetchSigned(`https://${name}:${port}/transcript.json`),
    refusedWith(new RegExp(`${name}.*resolves to a loopback`)),
  );
  assert.equal(connections, 0, 'nor through undici');

  // The same lookup, called the way net.connect calls it (all: true with autoSelectFamily).
  await assert.rejects(
    new Promise((resolve, reject) =>
      publicOnlyLookup(name, { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))),
    ),
    (err: unknown) => isGtError(err, 'URL_REFUSED'),
  );
});

test('emulator internal-url faults: a mediaUri, a downloads link, a redirect, a transcript URL pointing inside are all refused, the internal service never reached', async (t) => {
  const { emu, client, dir } = await startTestClient(
    t,
    {
      seed: 7,
      conversations: 80,
      mediaMix: { voice: 1 },
      transcodeMs: 0,
      audioBytes: { min: 2000, max: 4000 },
    },
    'gt-internal-',
  );
  const voice = emu.dataset
    .conversationIds()
    .filter((id) => emu.dataset.recordings(id)[0]?.fileState === 'AVAILABLE')
    .slice(0, 5);
  const cases: { route: Parameters<typeof emu.scriptFault>[0]['route']; variant: number; what: RegExp }[] = [
    { route: 'downloads.get', variant: 0, what: /127\.0\.0\.1:\d+ refused: plain http to a host other/ },
    { route: 'recordings.list', variant: 2, what: /127\.0\.0\.1:\d+ refused/ },
    { route: 'signed.media', variant: 1, what: /127\.0\.0\.1:\d+ refused/ },
    { route: 'signed.media', variant: 3, what: /169\.254\.169\.254 refused/ },
  ];
  for (const [i, c] of cases.entries()) {
    emu.scriptFault({ route: c.route, count: 1, fault: 'internal-url', variant: c.variant });
    await assert.rejects(
      fetchConversationRecordings(client, voice[i]!, { format: 'WAV', dir: join(dir, String(i)) }),
      refusedWith(c.what),
      `${c.route} variant ${c.variant}`,
    );
  }
  const withTranscript = voice.find((id) => {
    const r = emu.dataset.recordings(id)[0]!;
    return emu.dataset.transcript(id, r.sessionId!) !== undefined;
  })!;
  emu.scriptFault({ route: 'sta.transcripturl', count: 1, fault: 'internal-url', variant: 0 });
  const details = await getConversationDetails(client, withTranscript);
  await assert.rejects(fetchVoiceTranscripts(client, details!), refusedWith(/refused/));
  assert.equal(emu.stats().internalFetches, 0, 'the internal service was never asked');
  assert.deepEqual(
    (await listFiles(dir)).filter((f) => /\.(wav|part)$/.test(f)),
    [],
    'no internal page saved as a recording',
  );

  // The same fault with --allow-private-downloads: the internal page IS fetched (so the check above can fail).
  const open = createGenesysClient({ ...configFor(emu), allowPrivateDownloads: true });
  t.after(() => open.close());
  emu.scriptFault({ route: 'downloads.get', count: 1, fault: 'internal-url', variant: 0 });
  await fetchConversationRecordings(open, voice[0]!, { format: 'WAV', dir: join(dir, 'open') });
  assert.equal(emu.stats().internalFetches, 1);
});

test('the hostile-network fault kinds are part of the emulator fault spec (--emulator-faults)', async () => {
  const { parseFaultSpec } = await import('../../src/emulator/index.ts');
  assert.deepEqual(parseFaultSpec('internal-url=0.1,endless=0.2,trickle=0.3,retry-after-long=0.4'), {
    'internal-url': 0.1,
    endless: 0.2,
    trickle: 0.3,
    'retry-after-long': 0.4,
  });
});
