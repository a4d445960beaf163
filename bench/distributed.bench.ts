// Distributed throughput: 1, 2 and 4 worker processes against ONE emulator budget (600 requests
// per 10 s window, one OAuth client), each job one API call + 40 ms of simulated work at
// concurrency 4 (so one worker alone can do ~100 jobs/s, more than the budget's steady 60/s).
// Reports conversations/s, the ratio to 1 worker, and the ratio to the ideal the budget allows:
// with at most B requests in any window W, R requests need at least (ceil(R/B) - 1) × W.
// Needs Redis at 127.0.0.1:6379. Run alone: npx node bench/distributed.bench.ts
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectRedis } from '../src/distributed/redis.ts';
import { enqueueConversations, queueStatus } from '../src/distributed/index.ts';
import { deleteKeys, maxInSlidingWindow, REDIS_URL } from '../test/distributed/helpers.ts';
import { spawnWorker, stopAll } from '../test/distributed/child-workers.ts';
import { startBudgetOracle } from '../test/distributed/budget-oracle.ts';

const PER_WINDOW = 600;
const WINDOW_MS = 10_000;
const CONVERSATIONS = 1200;

interface RunResult {
  workers: number;
  seconds: number;
  perSecond: number;
  peakInWindow: number;
  rateLimited: number;
}

async function runWith(workerCount: number): Promise<RunResult> {
  const emu = await startBudgetOracle({ conversations: CONVERSATIONS, rateLimit: { perWindow: PER_WINDOW, windowMs: WINDOW_MS } });
  const redis = await connectRedis(REDIS_URL);
  const prefix = `gt-bench-${randomUUID().slice(0, 8)}`;
  const dir = mkdtempSync(join(tmpdir(), 'gt-bench-'));
  const workers: Awaited<ReturnType<typeof spawnWorker>>[] = [];
  try {
    const ids = emu.dataset.conversationIds().slice(0, CONVERSATIONS);
    const env = (tag: string) => ({
      GT_CHILD_REDIS: REDIS_URL,
      GT_CHILD_PREFIX: prefix,
      GT_CHILD_OUT: join(dir, 'deliveries.txt'),
      GT_CHILD_TAG: tag,
      GT_CHILD_CONCURRENCY: '4',
      GT_CHILD_JOB_MS: '40',
      GT_CHILD_API_URL: emu.baseUrl,
      GT_CHILD_LOGIN_URL: emu.loginUrl,
      GT_CHILD_CLIENT_ID: emu.clientId,
      GT_CHILD_CLIENT_SECRET: emu.clientSecret,
      GT_CHILD_PER_WINDOW: String(PER_WINDOW),
      GT_CHILD_WINDOW_MS: String(WINDOW_MS),
    });
    // Workers start first and idle; the clock starts when the jobs are queued.
    workers.push(...(await Promise.all(Array.from({ length: workerCount }, (_, i) => spawnWorker(env(`w${i}`))))));
    const started = Date.now();
    await enqueueConversations({ redis, prefix, conversations: ids, chunkSize: 500 });
    for (;;) {
      const s = await queueStatus({ redis, prefix, failedLimit: 1 });
      if (s.counts.completed + s.counts.failed >= ids.length) break;
      if (Date.now() - started > 60_000) throw new Error(`bench run stuck: ${JSON.stringify(s.counts)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const seconds = (Date.now() - started) / 1000;
    const stats = emu.stats();
    return {
      workers: workerCount,
      seconds,
      perSecond: ids.length / seconds,
      peakInWindow: maxInSlidingWindow(stats.apiRequestTimes[emu.clientId] ?? [], WINDOW_MS),
      rateLimited: stats.rateLimited,
    };
  } finally {
    await stopAll(workers);
    await deleteKeys(redis, `${prefix}*`);
    await redis.quit();
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export default async function run(): Promise<{ name: string; markdown: string; ratios: Record<string, number> }> {
  const results: RunResult[] = [];
  for (const n of [1, 2, 4]) results.push(await runWith(n));
  const idealSeconds = (Math.ceil(CONVERSATIONS / PER_WINDOW) - 1) * (WINDOW_MS / 1000);
  const idealPerSecond = CONVERSATIONS / idealSeconds;
  const one = results[0]!.perSecond;
  const ratios: Record<string, number> = {};
  const rows = results.map((r) => {
    ratios[`workers_${r.workers}_vs_1`] = r.perSecond / one;
    ratios[`workers_${r.workers}_vs_ideal`] = r.perSecond / idealPerSecond;
    return `| ${r.workers} | ${r.seconds.toFixed(1)} | ${r.perSecond.toFixed(1)} | ${(r.perSecond / one).toFixed(2)} | ${(r.perSecond / idealPerSecond).toFixed(2)} | ${r.peakInWindow} | ${r.rateLimited} |`;
  });
  const markdown = [
    `Distributed export: ${CONVERSATIONS} conversations (1 API call + 40 ms work each, concurrency 4 per worker), one OAuth client, emulator budget ${PER_WINDOW} requests / ${WINDOW_MS / 1000} s; ideal ${idealPerSecond.toFixed(1)} conv/s (${idealSeconds} s).`,
    '',
    '| workers | seconds | conv/s | vs 1 worker | vs ideal | peak requests in a window | 429s |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    ...Object.entries(ratios).map(([k, v]) => `- ${k}: ${v.toFixed(2)}`),
  ].join('\n');
  return { name: 'distributed', markdown, ratios };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = await run();
  process.stdout.write(`${r.markdown}\n`);
}
