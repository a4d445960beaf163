// The fault campaign (`npm run test:faults`, and part of `npm test`): seeded scenarios against the
// emulator with faults on — random mixes of every transport fault, kill -9 at random points with
// restarts, tokens that die before their announced expiry, hostile API responses (malformed or
// enormous JSON, HTML instead of JSON or audio, IDs that are paths, control characters) — plus
// 1,000 mixed conversations under faults and a full disk (a size-capped tmpfs, for --out and for
// --state-dir). Each is checked against the emulator's oracle: nothing lost, nothing duplicated,
// media byte-exact, transcripts in every format and redacted, typed errors, no secret or PII in
// any log, nothing written outside --out/--state-dir. Ends with one summary line.
//
// Replay scenarios with GT_FAULT_SEEDS=17,23; GT_FAULT_SCENARIOS=N runs seeds 1..N (default 52).
import assert from 'node:assert/strict';
import { after, describe, it, test } from 'node:test';
import { cannotMount, runDiskFull } from './lib/disk-full.ts';
import { runScenario, runThousand, Tally, WEBHOOK_SECRET_ENV } from './lib/run.ts';
import { describeScenario, scenarioFor } from './lib/scenario.ts';
import { HOSTILE_CASES, runHostileCase, runWebhookOutage } from './lib/hostile-network.ts';

const replay = process.env.GT_FAULT_SEEDS;
const seeds = replay
  ? replay.split(',').map(Number)
  : Array.from({ length: Number(process.env.GT_FAULT_SCENARIOS ?? 52) }, (_, i) => i + 1);

const tally = new Tally();
// In-process webhook sinks sign with GT_WEBHOOK_SECRET (the CLI children get it explicitly).
process.env.GT_WEBHOOK_SECRET = WEBHOOK_SECRET_ENV;

// Scenarios spend most of their time waiting (backoff, Retry-After, transcoding), not computing:
// three at a time, each with its own emulator, workspace and receiver.
describe('seeded scenarios', { concurrency: 3, timeout: 600_000 }, () => {
  for (const seed of seeds) {
    const s = scenarioFor(seed);
    it(`scenario ${describeScenario(s)}`, { timeout: 90_000 }, () => runScenario(s, tally));
  }
});

// Issue 15: a hostile network and a broken upstream, each case through the real CLI; each ends
// in its named error within the configured limits, and a re-run completes everything.
describe('hostile network and upstream', { concurrency: 2, timeout: 300_000 }, () => {
  for (const c of HOSTILE_CASES) {
    it(c.name, { skip: replay ? 'replaying seeds' : false, timeout: 90_000 }, async (t) => {
      const r = await runHostileCase(c, tally);
      t.diagnostic(
        `${r.failures} typed failure(s) on the first run, which took ${(r.ms / 1000).toFixed(1)} s`,
      );
    });
  }
  it(
    'a webhook receiver down for a run: circuit breaker, dead letters 0600, dlq retry replays them to zero, one webhook-id per conversation',
    { skip: replay ? 'replaying seeds' : false, timeout: 120_000 },
    async (t) => {
      const r = await runWebhookOutage(tally);
      t.diagnostic(`${r.replayed} dead letters replayed, ${r.posts} accepted POSTs`);
    },
  );
});

test(
  '1,000 mixed conversations with faults on: every available recording byte-identical, every transcript present, redacted, in json, txt, vtt and srt',
  { skip: replay ? 'replaying seeds' : false, timeout: 110_000 },
  async (t) => {
    const r = await runThousand(tally);
    t.diagnostic(`1,000 conversations in ${r.runs} run(s), ${(r.ms / 1000).toFixed(1)} s with verification`);
  },
);

const noMount = replay ? 'replaying seeds' : cannotMount();
for (const target of ['out', 'state'] as const) {
  test(
    `a full disk under --${target === 'out' ? 'out' : 'state-dir'} (size-capped tmpfs): DISK_FULL, exit 1, nothing corrupt delivered; once space is freed a re-run completes everything`,
    { skip: noMount ?? false, timeout: 60_000 },
    async (t) => {
      const r = await runDiskFull(target);
      assert.deepEqual([...new Set(r.firstRunCodes)], ['DISK_FULL']);
      assert.equal(r.firstRunExit, 1);
      tally.addVerified(r.verified);
      tally.addFaults({ ...r.faults, 'disk-full': 1 });
      tally.addFailure('run:DISK_FULL');
      tally.scenarios += 1;
      tally.runs += 2;
      t.diagnostic(
        `${r.deliveredBeforeFull} conversations delivered whole before the disk filled ("${r.firstRunError}"), ${r.verified.conversations} after the re-run`,
      );
    },
  );
}

// Every scenario is its own test (a failing one fails the campaign); the line sums them up.
after(() => process.stdout.write(`${tally.line()}\n`));
