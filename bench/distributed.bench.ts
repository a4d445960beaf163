// Distributed throughput: 1, 2 and 4 `genesys-transcripts worker` processes (the CLI, the real
// pipeline: recordings, transcripts, redaction, fs sink) against ONE emulator budget per OAuth
// client, a fresh emulator (same seed) per run. The budget is Genesys' shape sped up: a fixed window
// per client, B requests per W. The clock starts when the jobs are queued (workers already idle).
//
// Ideal: with at most B requests per window, R requests need at least (ceil(R/B) - 1) × W (the
// first window's B go at once, each further window adds B). R is the number of API requests the
// run really made, so "vs ideal" says how well the workers filled the budget, not how few calls
// they made (export.bench.ts measures that; the table shows calls per conversation).
//
// One more run, 1 worker without any budget, measures what one worker process can do on this
// machine: when that is above the budget, the budget sets the pace and more workers can only
// keep within it; when it is below, more workers (on more cores) are what fills the budget.
// Needs Redis at 127.0.0.1:6379. Run alone: npx node bench/distributed.bench.ts
// (GT_BENCH_PER_WINDOW and GT_BENCH_CONVERSATIONS override the budget and the dataset size.)
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectRedis } from '../src/distributed/redis.ts';
import { enqueueConversations, queueStatus } from '../src/distributed/index.ts';
import { deleteKeys, maxInSlidingWindow, REDIS_URL } from '../test/distributed/helpers.ts';
import {
  queueCliArgs,
  spawnCliWorker,
  stopWorkers,
  type CliWorker,
} from '../test/distributed/cli-workers.ts';
import { apiCost, startBenchEmulator } from './lib/emulator.ts';
import { fmt, markdownTable, ratioLines, type BenchResult } from './lib/report.ts';

// 60 requests/s: Genesys' 300 per minute with time running 12× faster.
const PER_WINDOW = Number(process.env.GT_BENCH_PER_WINDOW ?? 300);
const WINDOW_MS = 5000;
const CONVERSATIONS = Number(process.env.GT_BENCH_CONVERSATIONS ?? 600);
const CONCURRENCY = 4;
const WORKER_COUNTS = [1, 2, 4] as const;

interface RunResult {
  workers: number;
  /** false: no budget at all (emulator and limiter unlimited), to measure one worker's capacity. */
  budget: boolean;
  seconds: number;
  perSecond: number;
  apiCalls: number;
  idealSeconds: number;
  peakInWindow: number;
  rateLimited: number;
  failed: number;
}

async function runWith(workerCount: number, budget = true): Promise<RunResult> {
  const emu = await startBenchEmulator({
    seed: 21,
    conversations: CONVERSATIONS,
    audioBytes: { min: 4096, max: 16_384 },
    transcodeMs: 200,
    rateLimit: budget ? { perWindow: PER_WINDOW, windowMs: WINDOW_MS } : null,
  });
  const redis = await connectRedis(REDIS_URL);
  const prefix = `gt-bench-${randomUUID().slice(0, 8)}`;
  const dir = mkdtempSync(join(tmpdir(), 'gt-bench-dist-'));
  const workers: CliWorker[] = [];
  try {
    const args = [
      ...queueCliArgs({
        dir,
        emu,
        rateLimitPerMinute: budget ? PER_WINDOW : 100_000,
        redisUrl: REDIS_URL,
        prefix,
        windowMs: WINDOW_MS,
      }),
      '--out',
      join(dir, 'out'),
      '--state-dir',
      join(dir, 'state'),
      '--concurrency',
      String(CONCURRENCY),
    ];
    const env = { GENESYSCLOUD_OAUTHCLIENT_SECRET: emu.clientSecret };
    workers.push(
      ...(await Promise.all(
        Array.from({ length: workerCount }, (_, i) => spawnCliWorker(`w${i}`, args, env)),
      )),
    );
    const ids = emu.dataset.conversationIds();
    const started = Date.now();
    await enqueueConversations({ redis, prefix, conversations: ids, chunkSize: 500 });
    let counts;
    for (;;) {
      counts = (await queueStatus({ redis, prefix, failedLimit: 1 })).counts;
      if (counts.completed + counts.failed >= ids.length) break;
      if (Date.now() - started > 180_000) throw new Error(`bench run stuck: ${JSON.stringify(counts)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const seconds = (Date.now() - started) / 1000;
    const stats = emu.stats();
    const { apiCalls } = apiCost(stats);
    return {
      workers: workerCount,
      budget,
      seconds,
      perSecond: counts.completed / seconds,
      apiCalls,
      idealSeconds: (Math.ceil(apiCalls / PER_WINDOW) - 1) * (WINDOW_MS / 1000),
      peakInWindow: maxInSlidingWindow(stats.apiRequestTimes[emu.clientId] ?? [], WINDOW_MS),
      rateLimited: stats.rateLimited,
      failed: counts.failed,
    };
  } finally {
    await stopWorkers(workers);
    await deleteKeys(redis, `${prefix}*`);
    await redis.quit();
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export default async function run(): Promise<BenchResult> {
  const results: RunResult[] = [];
  for (const n of WORKER_COUNTS) results.push(await runWith(n));
  const capacity = await runWith(1, false);
  const one = results[0]!.perSecond;
  const ratios: Record<string, number> = {};
  const explain: Record<string, string> = {};
  const rows = results.map((r) => {
    const ideal = CONVERSATIONS / r.idealSeconds;
    ratios[`workers_${r.workers}_vs_1`] = r.perSecond / one;
    ratios[`workers_${r.workers}_vs_ideal`] = r.perSecond / ideal;
    explain[`workers_${r.workers}_vs_1`] =
      `conversations/s with ${r.workers} worker(s) ÷ with 1, same budget`;
    explain[`workers_${r.workers}_vs_ideal`] =
      `conversations/s ÷ what the budget allows for the ${r.apiCalls} API calls made`;
    return [
      r.workers,
      fmt(r.seconds),
      fmt(r.perSecond),
      fmt(ideal),
      fmt(r.perSecond / ideal, 2),
      fmt(r.apiCalls / CONVERSATIONS, 2),
      `${r.peakInWindow} / ${PER_WINDOW}`,
      r.rateLimited,
      r.failed,
    ];
  });
  const budgetRate = PER_WINDOW / (WINDOW_MS / 1000);
  const capacityRate = (capacity.apiCalls / CONVERSATIONS) * capacity.perSecond;
  ratios.one_worker_capacity_vs_budget = capacityRate / budgetRate;
  explain.one_worker_capacity_vs_budget = `API requests/s one worker makes without a budget (${fmt(capacityRate)}) ÷ the budget (${fmt(budgetRate)}/s); above 1, the budget sets the pace`;
  rows.push([
    '1 (no budget)',
    fmt(capacity.seconds),
    fmt(capacity.perSecond),
    '–',
    '–',
    fmt(capacity.apiCalls / CONVERSATIONS, 2),
    `${capacity.peakInWindow} (unlimited)`,
    capacity.rateLimited,
    capacity.failed,
  ]);
  const markdown = [
    `Emulator: seed 21, ${CONVERSATIONS} conversations, audio 4–16 KiB, fixed-window budget ${PER_WINDOW} requests per ${WINDOW_MS / 1000} s (${fmt(budgetRate)}/s) per OAuth client (Genesys' 300/min, time sped up), one client shared by every worker through Redis. Each worker: \`genesys-transcripts worker\` (real pipeline: recordings, transcripts, redaction, fs sink), concurrency ${CONCURRENCY}, budget known from the config file. The clock runs from queueing the jobs to the last completion. The last row is one worker with no budget at all: what one process does on this machine (worker processes, Redis and the emulator share its cores).`,
    '',
    markdownTable(
      [
        'workers',
        'seconds',
        'conv/s',
        'ideal conv/s',
        'vs ideal',
        'API calls/conv',
        'peak requests in a window',
        '429s',
        'failed jobs',
      ],
      rows,
    ),
    '',
    ratioLines(ratios, explain),
  ].join('\n');
  return { name: 'distributed', markdown, ratios };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = await run();
  process.stdout.write(`${r.markdown}\n`);
}
