// Large-recording download speed and memory: the product downloader (src/pipeline/fetch/download.ts
// downloadToFile: resumable .part file, sidecar, sha256 of every byte, rename into place) beside a
// raw loopback download of the same bytes (undici stream piped to a file: no hashing, no resume).
// Both write to disk, so the difference is what the product's safety costs.
//
// Each contender runs in its own process (peak RSS per process) against one loopback object
// server in this process; files go to a temp folder that is removed after each run.
//
// Run alone: npx node bench/download.bench.ts
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childMain, runChild } from './lib/child.ts';
import { startObjectServer } from './lib/object-server.ts';
import { fmt, isMain, markdownTable, MB, ratioLines, type BenchResult } from './lib/report.ts';

const SCENARIOS = [
  { name: '1x', files: 1, bytes: 200 * MB },
  { name: '8x', files: 8, bytes: 64 * MB },
] as const;
/** Each measurement is repeated, raw and product interleaved, and the median run is reported:
 * a shared 2-core machine is noisy, and interleaving keeps a slow spell from hitting one side only. */
const REPEATS = 3;
const CHILD_TIMEOUT_MS = 60_000;

type Contender = 'product' | 'raw';

interface DownloadTask {
  contender: Contender;
  urls: string[];
  dir: string;
}

interface DownloadOutcome {
  seconds: number;
  bytes: number;
}

async function runDownloadTask(task: DownloadTask): Promise<DownloadOutcome> {
  const paths = task.urls.map((_, i) => join(task.dir, `recording-${i}.wav`));
  let fetchAll: () => Promise<unknown>;
  if (task.contender === 'product') {
    const { downloadToFile } = await import('../src/pipeline/fetch/download.ts');
    fetchAll = () =>
      Promise.all(
        task.urls.map((url, i) => downloadToFile({ path: paths[i]! }, { resolveUrl: async () => url })),
      );
  } else {
    const { request } = await import('undici');
    const { createWriteStream } = await import('node:fs');
    const { pipeline } = await import('node:stream/promises');
    fetchAll = () =>
      Promise.all(
        task.urls.map(async (url, i) => {
          const res = await request(url);
          if (res.statusCode !== 200) throw new Error(`raw download got HTTP ${res.statusCode}`);
          await pipeline(res.body, createWriteStream(paths[i]!));
        }),
      );
  }
  const started = performance.now();
  await fetchAll();
  const seconds = (performance.now() - started) / 1000;
  let bytes = 0;
  for (const p of paths) bytes += (await stat(p)).size;
  return { seconds, bytes };
}

interface Row {
  scenario: string;
  contender: Contender;
  files: number;
  fileMb: number;
  mbPerSecond: number;
  seconds: number;
  maxRssMb: number;
}

interface Measurement {
  mbPerSecond: number;
  seconds: number;
  maxRssMb: number;
}

async function measureOnce(
  server: Awaited<ReturnType<typeof startObjectServer>>,
  s: (typeof SCENARIOS)[number],
  contender: Contender,
  repeat: number,
): Promise<Measurement> {
  const dir = await mkdtemp(join(tmpdir(), `gt-bench-download-${contender}-`));
  try {
    const urls = Array.from({ length: s.files }, (_, i) =>
      server.urlOf(s.bytes, `${s.name}-${contender}-${repeat}-${i}`),
    );
    const report = await runChild<DownloadOutcome>(
      import.meta.url,
      { contender, urls, dir } satisfies DownloadTask,
      { timeoutMs: CHILD_TIMEOUT_MS },
    );
    const expected = s.files * s.bytes;
    if (report.result.bytes !== expected)
      throw new Error(`${contender} ${s.name}: wrote ${report.result.bytes} bytes, expected ${expected}`);
    return {
      mbPerSecond: report.result.bytes / MB / report.result.seconds,
      seconds: report.result.seconds,
      maxRssMb: report.maxRssMb,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export default async function run(): Promise<BenchResult> {
  const server = await startObjectServer();
  const rows: Row[] = [];
  try {
    for (const s of SCENARIOS) {
      const runs: Record<Contender, Measurement[]> = { raw: [], product: [] };
      for (let repeat = 0; repeat < REPEATS; repeat += 1) {
        for (const contender of ['raw', 'product'] as const)
          runs[contender].push(await measureOnce(server, s, contender, repeat));
      }
      for (const contender of ['raw', 'product'] as const) {
        const mid = median(runs[contender].map((m) => m.mbPerSecond));
        const m = runs[contender].find((x) => x.mbPerSecond === mid)!;
        rows.push({
          scenario: s.name,
          contender,
          files: s.files,
          fileMb: s.bytes / MB,
          mbPerSecond: m.mbPerSecond,
          seconds: m.seconds,
          // The worst run: memory is a ceiling a user must provision for.
          maxRssMb: Math.max(...runs[contender].map((x) => x.maxRssMb)),
        });
      }
    }
  } finally {
    await server.close();
  }
  const find = (scenario: string, contender: Contender) =>
    rows.find((r) => r.scenario === scenario && r.contender === contender)!;
  const ratios = {
    download_1x_vs_raw: find('1x', 'product').mbPerSecond / find('1x', 'raw').mbPerSecond,
    download_8x_vs_raw: find('8x', 'product').mbPerSecond / find('8x', 'raw').mbPerSecond,
    download_1x_peak_rss_mb: find('1x', 'product').maxRssMb,
    download_8x_peak_rss_mb: find('8x', 'product').maxRssMb,
    download_8x_rss_vs_raw: find('8x', 'product').maxRssMb / find('8x', 'raw').maxRssMb,
  };
  const table = markdownTable(
    [
      'concurrent files',
      'file size (MiB)',
      'contender',
      'MiB/s (median)',
      'seconds (median run)',
      `peak RSS (MiB, max of ${REPEATS})`,
    ],
    rows.map((r) => [r.files, r.fileMb, r.contender, fmt(r.mbPerSecond), fmt(r.seconds, 2), fmt(r.maxRssMb)]),
  );
  const markdown = [
    `Loopback object server (Content-Length, strong ETag, Range) in the bench process; each contender in its own process writing to a temp folder on the same disk; ${REPEATS} runs each, raw and product interleaved. raw = undici stream piped to a file (no hashing, no resume, no rename); product = downloadToFile (.part + sidecar, sha256 of every byte, size check, rename).`,
    '',
    table,
    '',
    ratioLines(ratios, {
      download_1x_vs_raw: 'product MiB/s ÷ raw MiB/s, one 200 MiB file',
      download_8x_vs_raw: 'product MiB/s ÷ raw MiB/s, 8 concurrent 64 MiB files',
      download_1x_peak_rss_mb: 'product peak RSS (MiB), one 200 MiB file',
      download_8x_peak_rss_mb: 'product peak RSS (MiB), 8 × 64 MiB',
      download_8x_rss_vs_raw: 'product peak RSS ÷ raw peak RSS, 8 × 64 MiB',
    }),
  ].join('\n');
  return { name: 'download', markdown, ratios };
}

if (!(await childMain((t) => runDownloadTask(t as DownloadTask))) && isMain(import.meta.url)) {
  console.log((await run()).markdown);
}
