// Distributed throughput: 1, 2 and 4 `genesys-transcripts worker` processes (the CLI, the real
// pipeline: recordings, transcripts, redaction, fs sink) against ONE emulator budget per OAuth
// client, a fresh emulator (same seed) per run. The budget is Genesys' shape sped up: a fixed window
// per client, B requests per W. The clock starts when the jobs are queued (workers already idle).
//
// Ideal: with at most B requests per window, R requests need at least (ceil(R/B) - 1) × W (the
// first window's B go at once, each further window adds B). R is the number of API requests the
// run really made, so "vs ideal" says how well the workers filled the budget, not how few calls
// they made (export.bench.ts measures that).
// Needs Redis at 127.0.0.1:6379. Run alone: npx node bench/distributed.bench.ts
// (GT_BENCH_PER_WINDOW and GT_BENCH_CONVERSATIONS override the budget and the dataset size.)
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectRedis } from '../src/distributed/redis.ts';
import { enqueueConversations, queueStatus } from '../src/distributed/index.ts';
import { deleteKeys, maxInSlidingWindow, REDIS_URL } from '../test/distributed/helpers.ts';
import { spawnCliWorker, stopWorkers, type CliWorker } from '../test/distributed/cli-workers.ts';
import { apiCost, startBenchEmulator } from './lib/emulator.ts';
import { fmt, markdownTable, ratioLines, type BenchResult } from './lib/report.ts';

// 120 requests/s: more than one worker process fills on a 2-core machine (~35 conv/s × 3.1 calls).
const PER_WINDOW = Number(process.env.GT_BENCH_PER_WINDOW ?? 600);
const WINDOW_MS = 5000;
const CONVERSATIONS = Number(process.env.GT_BENCH_CONVERSATIONS ?? 800);
const CONCURRENCY = 4;
const WORKER_COUNTS = [1, 2, 4] as const;

interface RunResult {
  workers: number;
  seconds: number;
  perSecond: number;
  apiCalls: number;
  idealSeconds: number;
  peakInWindow: number;
  rateLimited: number;
  failed: number;
}

async function runWith(workerCount: number): Promise<RunResult> {
  const emu = await startBenchEmulator({
    seed: 21,
    conversations: CONVERSATIONS,
    audioBytes: { min: 4096, max: 16_384 },
    transcodeMs: 200,
    rateLimit: { perWindow: PER_WINDOW, windowMs: WINDOW_MS },
  });
  const redis = await connectRedis(REDIS_URL);
  const prefix = `gt-bench-${randomUUID().slice(0, 8)}`;
  const dir = mkdtempSync(join(tmpdir(), 'gt-bench-dist-'));
  const workers: CliWorker[] = [];
  try {
    const configFile = join(dir, 'genesys.json');
    writeFileSync(configFile, JSON.stringify({ apiUrl: emu.baseUrl, loginUrl: emu.loginUrl, clientId: emu.clientId, rateLimitPerMinute: PER_WINDOW }));
    const args = [
      '--config', configFile,
      '--redis', REDIS_URL,
      '--prefix', prefix,
      '--rate-window-ms', String(WINDOW_MS),
      '--out', join(dir, 'out'),
      '--state-dir', join(dir, 'state'),
      '--concurrency', String(CONCURRENCY),
    ];
    const env = { GENESYSCLOUD_OAUTHCLIENT_SECRET: emu.clientSecret };
    workers.push(...(await Promise.all(Array.from({ length: workerCount }, (_, i) => spawnCliWorker(`w${i}`, args, env)))));
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
  const one = results[0]!.perSecond;
  const ratios: Record<string, number> = {};
  const explain: Record<string, string> = {};
  const rows = results.map((r) => {
    const ideal = CONVERSATIONS / r.idealSeconds;
    ratios[`workers_${r.workers}_vs_1`] = r.perSecond / one;
    ratios[`workers_${r.workers}_vs_ideal`] = r.perSecond / ideal;
    explain[`workers_${r.workers}_vs_1`] = `conversations/s with ${r.workers} worker(s) ÷ with 1`;
    explain[`workers_${r.workers}_vs_ideal`] = `conversations/s ÷ what the budget allows for the ${r.apiCalls} API calls made`;
    return [r.workers, fmt(r.seconds), fmt(r.perSecond), fmt(ideal), fmt(r.perSecond / ideal, 2), fmt(r.apiCalls / CONVERSATIONS, 2), `${r.peakInWindow} / ${PER_WINDOW}`, r.rateLimited, r.failed];
  });
  const markdown = [
    `Emulator: seed 21, ${CONVERSATIONS} conversations, audio 4–16 KiB, fixed-window budget ${PER_WINDOW} requests per ${WINDOW_MS / 1000} s (${PER_WINDOW / (WINDOW_MS / 1000)}/s) per OAuth client (Genesys' shape, time sped up), one client shared by every worker through Redis. Each worker: \`genesys-transcripts worker\` (real pipeline: recordings, transcripts, redaction, fs sink), concurrency ${CONCURRENCY}, budget known from the config file. The clock runs from queueing the jobs to the last completion. Worker processes, Redis and the emulator share this machine's cores: once they are busy, more workers add no throughput, and the table still shows whether the budget held (peak, 429s).`,
    '',
    markdownTable(
      ['workers', 'seconds', 'conv/s', 'ideal conv/s', 'vs ideal', 'API calls/conv', 'peak requests in a window', '429s', 'failed jobs'],
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
