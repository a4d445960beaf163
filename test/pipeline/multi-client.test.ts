// Several OAuth clients multiply the budget (Genesys counts per client): with two, the work is
// split so that each client needs about half the windows one client needs alone. Counted on the
// emulator, which keeps a budget per client ID: requests per client, 429s, the densest window.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/index.ts';
import { Exporter } from '../../src/pipeline/exporter.ts';
import { InMemoryRateLimiter } from '../../src/genesys/rate-limiter.ts';
import { effectiveBudget } from '../../src/genesys/budget.ts';
import { startTestEmulator, tempWorkdir } from '../helpers/emulator.ts';

const RATE = { perWindow: 80, windowMs: 1000 };
const CLIENTS = [
  { clientId: '11111111-1111-4111-8111-111111111111', clientSecret: 'secret-one-0123456789' },
  { clientId: '22222222-2222-4222-8222-222222222222', clientSecret: 'secret-two-0123456789' },
];

test('two OAuth clients export a dataset in about half the windows one needs', async (t) => {
  const { emu } = await startTestEmulator(t, {
    conversations: 400,
    seed: 41,
    audioBytes: { min: 2048, max: 4096 },
    rateLimit: RATE,
    clients: CLIENTS,
    batchDelayMs: 50,
  });
  const work = await tempWorkdir(t, 'gt-clients-');
  const configOf = (c: (typeof CLIENTS)[number]) =>
    loadConfig({
      flags: { apiUrl: emu.baseUrl, loginUrl: emu.loginUrl, clientId: c.clientId },
      env: { GENESYSCLOUD_OAUTHCLIENT_SECRET: c.clientSecret },
    });
  async function run(name: string, clients: typeof CLIENTS) {
    emu.resetStats();
    const [first, ...more] = clients.map(configOf);
    const exporter = new Exporter(
      {
        selection: { interval: emu.interval },
        outDir: join(work, name),
        stateDir: join(work, `${name}-state`),
      },
      {
        config: first!,
        moreClients: more,
        limiter: new InMemoryRateLimiter({ windowMs: RATE.windowMs }),
      },
    );
    for await (const _ of exporter.run());
    assert.equal(exporter.summary().conversations.done, 400, JSON.stringify(exporter.summary().failures));
    const stats = emu.stats();
    assert.equal(stats.rateLimited, 0, 'no 429');
    return clients.map((c) => ({
      ...(stats.perClient[c.clientId] ?? { requests: 0, rateLimited: 0, maxInWindow: 0 }),
      times: stats.apiRequestTimes[c.clientId] ?? [],
    }));
  }

  const budget = effectiveBudget(RATE.perWindow);
  const windows = (requests: number) => Math.ceil(requests / budget);
  const [alone] = await run('one', CLIENTS.slice(0, 1));
  const pair = await run('two', CLIENTS);
  for (const c of pair) assert.ok(c.maxInWindow <= RATE.perWindow, 'each client within its own budget');
  const one = windows(alone!.requests);
  const two = Math.max(...pair.map((c) => windows(c.requests)));
  t.diagnostic(
    `one client: ${alone!.requests} requests = ${one} windows of ${budget}; two clients: ${pair.map((c) => c.requests).join(' + ')} requests = ${two} windows`,
  );
  assert.ok(
    pair.every((c) => c.requests > 0),
    'both clients worked',
  );
  assert.ok(two <= Math.ceil(one * 0.6), `two clients need ${two} windows, one needs ${one}`);
  // At the same time, not one after the other: the spans of the two clients' requests overlap
  // for most of the shorter one (handed out job by job, they would barely touch).
  const [a, b] = pair.map((c) => [Math.min(...c.times), Math.max(...c.times)] as const);
  const overlap = Math.min(a![1], b![1]) - Math.max(a![0], b![0]);
  const shorter = Math.min(a![1] - a![0], b![1] - b![0]);
  t.diagnostic(`request spans overlap ${overlap} of ${shorter} ms`);
  assert.ok(overlap >= shorter * 0.85, `the clients worked together for ${overlap} of ${shorter} ms`);
});
