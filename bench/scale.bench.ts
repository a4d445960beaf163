// How time and memory grow with the number of conversations, for the three parts whose cost
// depends on it:
//   discovery   discoverConversations over an emulator holding N conversations in a 14-day
//               interval (page size 1000, the emulator's maxPageSize raised to allow it). The real
//               10,000-records-per-query cap stays; 14 days keep 100k under it per day, because a
//               denser day sends discovery to the async jobs flow, whose polling then dominates
//               the time (minutes of waiting, not our overhead: not what this bench is about)
//   checkpoint  the CheckpointStore calls the pipeline makes per conversation (discovered, claim,
//               markDone: three durable commits each). Timing every item of 100k would take
//               minutes of fsyncs, so for each N the store is first filled to N - 1000 rows in one
//               batch() transaction, and the LAST 1000 items are timed one by one (5 chunks,
//               median chunk): the cost per item with N rows in the table
//   pipeline    the Exporter with media off and transcripts only (json), unthrottled emulator,
//               every conversation end to end (checkpoint, audit log, files); at 1k and 5k by
//               default (see PIPELINE_SIZES: 10k and 100k do not fit the budget)
// No rate limit anywhere: this measures our own overhead, not Genesys'. Every cell runs in its
// own process, so its peak RSS is its own (the emulator lives in the bench process).
//
// Run alone: npx node bench/scale.bench.ts
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childMain, runChild } from './lib/child.ts';
import { endpointOf, SECRET_ENV, startBenchEmulator, type EmulatorEndpoint } from './lib/emulator.ts';
import { fmt, isMain, markdownTable, ratioLines, type BenchResult } from './lib/report.ts';

const SIZES = [1_000, 10_000, 100_000] as const;
/**
 * The pipeline took ~10-14 ms per conversation on this 2-core machine when this was written
 * (durable checkpoint, audit and file writes per conversation), so 10k is minutes and 100k tens
 * of minutes: out of this bench's 2.5-minute budget. By default it runs at 1k and 5k;
 * GT_BENCH_SCALE_PIPELINE=1000,10000,100000 runs the rest. Skipped rows show the time the 1k
 * rate predicts.
 */
const PIPELINE_SIZES: readonly number[] = (process.env.GT_BENCH_SCALE_PIPELINE ?? '1000,5000')
  .split(',')
  .map(Number);
const PIPELINE_SKIP_REASON =
  'out of the 2.5-minute budget (GT_BENCH_SCALE_PIPELINE=1000,10000,100000 runs it)';
const CHECKPOINT_TIMED = 1_000;
const CHECKPOINT_CHUNKS = 5;
const DISCOVERY_PAGE = 1_000;
const SEED = 11;
// The 14 full UTC days before today: recent, so discovery takes the sync query as it would for a
// fresh export (fixed dates drifted past the 35-day limit and measured the async jobs path instead).
const DAY_MS = 86_400_000;
const INTERVAL_END_MS = Math.floor(Date.now() / DAY_MS) * DAY_MS;
const INTERVAL = `${new Date(INTERVAL_END_MS - 14 * DAY_MS).toISOString()}/${new Date(INTERVAL_END_MS).toISOString()}`;
const CHILD_TIMEOUT_MS = 150_000;

type Part = 'discovery' | 'checkpoint' | 'pipeline';

interface ScaleTask {
  part: Part;
  n: number;
  endpoint?: EmulatorEndpoint;
  dir: string;
}

interface ScaleOutcome {
  /** Items the timing covers (all N, or the last CHECKPOINT_TIMED for the checkpoint). */
  timedItems: number;
  seconds: number;
  /** Items processed in total (N; checked by the parent). */
  items: number;
  detail: string;
}

/** A limiter that never waits: these runs measure our overhead, the emulator has no budget. */
function unlimited() {
  return { acquire: async () => undefined, observe: () => undefined, pauseUntil: () => undefined };
}

async function configFor(endpoint: EmulatorEndpoint) {
  const { loadConfig } = await import('../src/config/index.ts');
  return loadConfig({
    flags: { apiUrl: endpoint.apiUrl, loginUrl: endpoint.loginUrl, clientId: endpoint.clientId },
    env: { [SECRET_ENV]: process.env[SECRET_ENV] },
  });
}

async function runScaleTask(task: ScaleTask): Promise<ScaleOutcome> {
  if (task.part === 'discovery') {
    const { createGenesysClient } = await import('../src/genesys/transport.ts');
    const { discoverConversations, newDiscoveryStats } = await import('../src/genesys/discovery.ts');
    const client = createGenesysClient(await configFor(task.endpoint!), { limiter: unlimited() });
    const stats = newDiscoveryStats();
    const started = performance.now();
    let items = 0;
    for await (const c of discoverConversations(
      client,
      { interval: task.endpoint!.interval },
      { pageSize: DISCOVERY_PAGE, stats },
    ))
      if (c.conversationId) items += 1;
    const seconds = (performance.now() - started) / 1000;
    await client.close?.();
    return {
      timedItems: items,
      seconds,
      items,
      detail: `${stats.apiCalls} API calls, ${stats.slices} slices, ${stats.splits} splits, ${stats.jobs} jobs`,
    };
  }
  if (task.part === 'checkpoint') {
    const { CheckpointStore } = await import('../src/pipeline/checkpoint.ts');
    const store = CheckpointStore.open(join(task.dir, 'checkpoint.db'));
    const t0 = Date.UTC(2026, 10, 1);
    const one = (i: number) => {
      const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      store.discovered(id, new Date(t0 + i * 1000).toISOString());
      if (!store.claim(id)) throw new Error(`claim refused for a new conversation ${id}`);
      store.markDone(id);
    };
    const prefill = task.n - CHECKPOINT_TIMED;
    const p0 = performance.now();
    store.batch(() => {
      for (let i = 0; i < prefill; i += 1) one(i);
    });
    const prefillSeconds = (performance.now() - p0) / 1000;
    // Timed in chunks, and the median chunk reported: one slow fsync spell on a shared disk
    // must not pass for growth.
    const chunk = CHECKPOINT_TIMED / CHECKPOINT_CHUNKS;
    const chunkSeconds: number[] = [];
    for (let c = 0; c < CHECKPOINT_CHUNKS; c += 1) {
      const started = performance.now();
      for (let i = prefill + c * chunk; i < prefill + (c + 1) * chunk; i += 1) one(i);
      chunkSeconds.push((performance.now() - started) / 1000);
    }
    const seconds =
      [...chunkSeconds].sort((a, b) => a - b)[Math.floor(CHECKPOINT_CHUNKS / 2)]! * CHECKPOINT_CHUNKS;
    const items = store.counts().done;
    store.close();
    const dbMb = (await stat(join(task.dir, 'checkpoint.db'))).size / 1024 / 1024;
    return {
      timedItems: CHECKPOINT_TIMED,
      seconds,
      items,
      detail: `${prefill.toLocaleString('en-US')} pre-filled in one transaction (${fmt(prefill > 0 ? (prefillSeconds * 1e6) / prefill : NaN, 0)} µs/item); db ${fmt(dbMb)} MiB`,
    };
  }
  const { Exporter } = await import('../src/pipeline/exporter.ts');
  const exporter = new Exporter(
    {
      selection: { interval: task.endpoint!.interval },
      outDir: join(task.dir, 'out'),
      stateDir: join(task.dir, 'state'),
      media: false,
      formats: ['json'],
      concurrency: 8,
    },
    { config: await configFor(task.endpoint!), limiter: unlimited() },
  );
  const started = performance.now();
  for await (const _ of exporter.run());
  const seconds = (performance.now() - started) / 1000;
  const s = exporter.summary();
  const items = s.conversations.done + s.conversations.skipped + s.conversations.failed;
  return {
    timedItems: items,
    seconds,
    items,
    detail: `${s.conversations.done} done, ${s.conversations.failed} failed, ${s.apiCalls} API calls, concurrency 8`,
  };
}

interface Cell {
  part: Part;
  n: number;
  outcome?: ScaleOutcome;
  maxRssMb?: number;
  error?: string;
}

async function measure(
  part: Part,
  n: number,
  endpoint: { endpoint: EmulatorEndpoint; env: Record<string, string> } | undefined,
): Promise<Cell> {
  const dir = await mkdtemp(join(tmpdir(), `gt-bench-scale-${part}-`));
  try {
    const report = await runChild<ScaleOutcome>(
      import.meta.url,
      { part, n, dir, ...(endpoint ? { endpoint: endpoint.endpoint } : {}) } satisfies ScaleTask,
      {
        ...(endpoint ? { env: endpoint.env } : {}),
        timeoutMs: CHILD_TIMEOUT_MS,
      },
    );
    if (report.result.items !== n)
      throw new Error(`${part} at ${n}: processed ${report.result.items} conversations, expected ${n}`);
    return { part, n, outcome: report.result, maxRssMb: report.maxRssMb };
  } catch (err) {
    return {
      part,
      n,
      error: (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 300),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const perItemMs = (c: Cell | undefined) =>
  c?.outcome ? (c.outcome.seconds * 1000) / c.outcome.timedItems : NaN;

export default async function run(): Promise<BenchResult> {
  const cells: Cell[] = [];
  const allSizes = [...new Set([...SIZES, ...PIPELINE_SIZES])].sort((a, b) => a - b);
  for (const n of allSizes) {
    const emu = await startBenchEmulator({
      seed: SEED,
      conversations: n,
      interval: INTERVAL,
      rateLimit: null,
      limits: { maxPageSize: DISCOVERY_PAGE },
    });
    try {
      const ep = endpointOf(emu);
      if ((SIZES as readonly number[]).includes(n)) {
        cells.push(await measure('discovery', n, ep));
        cells.push(await measure('checkpoint', n, undefined));
      }
      if (PIPELINE_SIZES.includes(n)) cells.push(await measure('pipeline', n, ep));
      else {
        const predicted =
          (perItemMs(cells.find((c) => c.part === 'pipeline' && c.n === 1_000 && c.outcome)) * n) / 1000;
        cells.push({
          part: 'pipeline',
          n,
          error: `not run: ~${fmt(predicted, 0)} s at the 1k rate, ${PIPELINE_SKIP_REASON}`,
        });
      }
    } finally {
      await emu.close();
    }
  }
  const at = (part: Part, n: number) => cells.find((c) => c.part === part && c.n === n && c.outcome);
  const ratios: Record<string, number> = {};
  for (const part of ['discovery', 'checkpoint', 'pipeline'] as const) {
    const measured = allSizes.filter((n) => n > 1_000 && at(part, n));
    for (const n of measured) {
      const r = perItemMs(at(part, n)) / perItemMs(at(part, 1_000));
      if (Number.isFinite(r)) ratios[`scale_${part}_${n / 1000}k_vs_1k_per_item`] = r;
    }
    const big = measured.at(-1);
    const rss = big ? at(part, big)!.maxRssMb! / (at(part, 1_000)?.maxRssMb ?? NaN) : NaN;
    if (big && Number.isFinite(rss)) ratios[`scale_${part}_${big / 1000}k_vs_1k_rss`] = rss;
  }
  const table = markdownTable(
    ['part', 'conversations', 'time per item (ms)', 'timed items', 'seconds', 'peak RSS (MiB)', 'notes'],
    cells.map((c) =>
      c.outcome
        ? [
            c.part,
            c.n.toLocaleString('en-US'),
            fmt(perItemMs(c), 3),
            c.outcome.timedItems.toLocaleString('en-US'),
            fmt(c.outcome.seconds, 2),
            fmt(c.maxRssMb!),
            c.outcome.detail,
          ]
        : [
            c.part,
            c.n.toLocaleString('en-US'),
            c.error?.startsWith('not run') ? 'not run' : 'FAILED',
            '',
            '',
            '',
            c.error ?? '',
          ],
    ),
  );
  const markdown = [
    `Emulator seed ${SEED}, N conversations over 14 days (${INTERVAL}), no rate limit; each cell in its own process (peak RSS is that process's). Discovery pages of ${DISCOVERY_PAGE}; checkpoint: the last ${CHECKPOINT_TIMED.toLocaleString('en-US')} items timed one by one (discovered + claim + markDone) on a store already holding N - ${CHECKPOINT_TIMED.toLocaleString('en-US')} rows, in ${CHECKPOINT_CHUNKS} chunks, the median chunk reported (its "seconds" is that chunk × ${CHECKPOINT_CHUNKS}); pipeline: Exporter --no-media, transcripts only (json), concurrency 8.`,
    '',
    table,
    '',
    ratioLines(
      ratios,
      Object.fromEntries(
        Object.keys(ratios).map((k) => [
          k,
          k.endsWith('_rss')
            ? 'peak RSS at the largest N run ÷ at 1k (1.0 = flat memory)'
            : 'time per item at the larger N ÷ at 1k (1.0 = linear growth)',
        ]),
      ),
    ),
  ].join('\n');
  return { name: 'scale', markdown, ratios };
}

if (!(await childMain((t) => runScaleTask(t as ScaleTask))) && isMain(import.meta.url)) {
  console.log((await run()).markdown);
}
