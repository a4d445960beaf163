// `--rate-limit` is a ceiling shared by every worker: three "worker processes" (each its own
// Redis connection, limiter and API client, built the way `worker --rate-limit 540` builds them)
// hammer an emulator that announces 600 per window. No window may hold more than 540 grants, and
// the emulator must never answer 429. Grant times are read from Redis (the sorted set's scores),
// as in redis-limiter.test.ts, so a late local resolve cannot make a correct schedule look wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/index.ts';
import { limiterFor } from '../../src/distributed/cli-support.ts';
import { getConversationDetails } from '../../src/genesys/endpoints/analytics.ts';
import { createGenesysClient } from '../../src/genesys/transport.ts';
import { startTestEmulator } from '../helpers/emulator.ts';
import { maxInSlidingWindow, testRedis, uniquePrefix } from './helpers.ts';

const WINDOW_MS = 4000;
const ANNOUNCED = 600;
const CEILING = 540;
const WORKERS = 3;
const IN_FLIGHT = 12;
const RUN_MS = 2.5 * WINDOW_MS;

test('workers with --rate-limit 540 against an announced 600 never exceed 540 in any window', async (t) => {
  const { emu } = await startTestEmulator(t, {
    conversations: 50,
    rateLimit: { perWindow: ANNOUNCED, windowMs: WINDOW_MS },
  });
  const prefix = uniquePrefix(t, 'ceiling');
  // What `worker --rate-limit 540 --prefix <prefix> --rate-window-ms 4000` parses its flags into.
  const flags = { prefix, rateWindowMs: WINDOW_MS, rateLimit: CEILING };
  const config = loadConfig({
    flags: { ...flags, apiUrl: emu.baseUrl, loginUrl: emu.loginUrl, clientId: emu.clientId },
    env: { GENESYSCLOUD_OAUTHCLIENT_SECRET: emu.clientSecret },
  });
  assert.equal(config.rateLimitPerMinute, CEILING);

  const spy = await testRedis(t);
  const sentKey = `${prefix}:ratelimit:{${emu.clientId}}:sent`;
  const grants = new Map<string, number>();
  const snapshot = async () => {
    const flat = await spy.zrange(sentKey, 0, -1, 'WITHSCORES');
    for (let i = 0; i < flat.length; i += 2) grants.set(flat[i]!, Number(flat[i + 1]));
  };
  const poll = setInterval(() => void snapshot(), 25);
  t.after(() => clearInterval(poll));

  const ids = emu.dataset.conversationIds();
  const stopAt = Date.now() + RUN_MS;
  const workers = await Promise.all(
    Array.from({ length: WORKERS }, async () => {
      const redis = await testRedis(t);
      const limiter = limiterFor(redis, config, flags);
      const client = createGenesysClient(config, { limiter });
      t.after(async () => {
        limiter.close();
        await client.close();
      });
      return client;
    }),
  );
  let sent = 0;
  await Promise.all(
    workers.flatMap((client) =>
      Array.from({ length: IN_FLIGHT }, async () => {
        while (Date.now() < stopAt) {
          await getConversationDetails(client, ids[sent % ids.length]!);
          sent += 1;
        }
      }),
    ),
  );
  clearInterval(poll);
  await snapshot();

  const times = [...grants.values()];
  const densest = maxInSlidingWindow(times, WINDOW_MS);
  assert.ok(densest <= CEILING, `${densest} grants in one ${WINDOW_MS} ms window (ceiling ${CEILING})`);
  const stats = emu.stats();
  assert.equal(stats.rateLimited, 0, 'no 429');
  // The server counts arrivals, not grants: a request granted just before one of its windows may
  // arrive inside it (a loaded machine delays it), so it can count up to the requests in flight
  // more than the grants allow, and still stays well under the 600 announced.
  const counted = stats.perClient[emu.clientId]!.maxInWindow;
  assert.ok(
    counted <= CEILING + WORKERS * IN_FLIGHT,
    `the server counted ${counted} in one window: more than ${CEILING} grants + ${WORKERS * IN_FLIGHT} in flight`,
  );
  // The ceiling, not the machine, was the bottleneck: the densest window came close to it.
  assert.ok(
    densest >= CEILING * 0.9,
    `only ${densest} grants in the densest window: the budget did not bind`,
  );
  assert.equal(grants.size, sent, 'every request was granted through Redis');
});
