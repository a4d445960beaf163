// Export throughput under a Genesys-shaped rate budget: the product (src/pipeline Exporter)
// beside the naive tutorial-style exporter (bench/baseline), measured in the same run.
//
// Setup, identical for both contenders: a FRESH emulator per contender with the same seed (so the
// same conversations, recordings and transcripts), small audio, and a fixed-window budget of the
// real one's shape (N requests per window per OAuth client, 429 + Retry-After beyond) with time
// sped up: 50 requests per 5 s, i.e. 600/min, twice Genesys' default 300/min, so that both
// contenders fit the 2-minute bench budget. Each contender runs in its own process (peak RSS is
// per process).
//
// Definitions (printed with the results):
//   API calls      every /api/v2 request the emulator received (429s included; the token request
//                  on the login host and pre-signed object fetches are not API calls)
//   ideal          budget rate ÷ minimal API calls per conversation, where the minimum comes from
//                  the emulator's own dataset: discovery pages at the largest page size, one
//                  recordings list per conversation with recordings (it waits server-side for a
//                  transcoding recording, up to maxWaitMs = 5 s), one downloads
//                  link per available audio file, one transcript URL per recorded customer
//                  voice communication in analytics (a 404 for an untranscribed one still costs it)
//   exported       the contender says the conversation is done AND every available audio file of
//                  it is on disk byte-exact (sha256 checked against the emulator's dataset) AND
//                  every voice transcript the emulator has for it was written (its communication
//                  ID appears in an output text file)
//
// Run alone: npx node bench/export.bench.ts
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningEmulator } from '../src/emulator/types.ts';
import { childMain, runChild } from './lib/child.ts';
import {
  apiCost,
  endpointOf,
  SECRET_ENV,
  startBenchEmulator,
  type EmulatorEndpoint,
} from './lib/emulator.ts';
import { fmt, isMain, markdownTable, ratioLines, type BenchResult } from './lib/report.ts';

const SEED = 8;
const CONVERSATIONS = Number(process.env.GT_BENCH_EXPORT_CONVERSATIONS ?? 150);
/** Genesys: 300 per 60 s. Here 50 per 5 s: windows 12× shorter, the average rate 2× higher (600/min). */
const RATE = { perWindow: 50, windowMs: 5_000 };
const AUDIO = { min: 8 * 1024, max: 32 * 1024 };
const DISCOVERY_MAX_PAGE = 100;
const CHILD_TIMEOUT_MS = 110_000;

type Contender = 'product' | 'baseline';

interface ContenderTask {
  contender: Contender;
  endpoint: EmulatorEndpoint;
  outDir: string;
  stateDir: string;
}

/** What a contender reports about itself (the bench trusts only the emulator and the disk for the table). */
interface ContenderOutcome {
  seconds: number;
  done: string[];
  failed: number;
  concurrency: number;
  notes: string;
}

async function runContenderTask(task: ContenderTask): Promise<ContenderOutcome> {
  const secret = process.env[SECRET_ENV] ?? '';
  if (task.contender === 'baseline') {
    const { naiveExport } = await import('./baseline/naive-exporter.ts');
    const started = performance.now();
    const r = await naiveExport({ ...task.endpoint, clientSecret: secret, outDir: task.outDir });
    const seconds = (performance.now() - started) / 1000;
    return {
      seconds,
      done: r.exportedIds,
      failed: r.failed.length,
      concurrency: 5,
      notes: `pageSize 25, ${r.conversations} listed, ${r.exported} without error${r.failed[0] ? ` (first error: ${r.failed[0].error})` : ''}`,
    };
  }
  const { loadConfig } = await import('../src/config/index.ts');
  const { Exporter } = await import('../src/pipeline/exporter.ts');
  const { InMemoryRateLimiter } = await import('../src/genesys/rate-limiter.ts');
  const config = loadConfig({
    flags: {
      apiUrl: task.endpoint.apiUrl,
      loginUrl: task.endpoint.loginUrl,
      clientId: task.endpoint.clientId,
      rateLimitPerMinute: RATE.perWindow,
    },
    env: { [SECRET_ENV]: secret },
  });
  // The product is told the budget it has, as a user would be: Genesys counts per minute, this
  // emulator per RATE.windowMs (time sped up), so the limiter's window is sped up the same way.
  const limiter = new InMemoryRateLimiter({ perWindow: RATE.perWindow, windowMs: RATE.windowMs });
  const exporter = new Exporter(
    { selection: { interval: task.endpoint.interval }, outDir: task.outDir, stateDir: task.stateDir },
    { config, limiter },
  );
  const done: string[] = [];
  const started = performance.now();
  for await (const r of exporter.run()) if (r.status === 'done') done.push(r.conversationId);
  const seconds = (performance.now() - started) / 1000;
  const s = exporter.summary();
  return {
    seconds,
    done,
    failed: s.conversations.failed,
    concurrency: exporter.options.concurrency,
    notes: `defaults (formats ${exporter.options.formats.join('+')}, redact ${exporter.options.redact})`,
  };
}

/**
 * What a contender left on disk, independent of its layout (the two name files differently): the
 * sha256 of every file, and every UUID written in its text files (transcripts carry their
 * communication ID, so this tells which transcripts were written).
 */
async function scanOutput(dir: string): Promise<{ hashes: Set<string>; ids: Set<string> }> {
  const hashes = new Set<string>();
  const ids = new Set<string>();
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])) {
    if (!e.isFile()) continue;
    const bytes = await readFile(join(e.parentPath, e.name));
    hashes.add(createHash('sha256').update(bytes).digest('hex'));
    if (/\.(json|txt|vtt|srt)$/.test(e.name))
      for (const m of bytes.toString('utf8').matchAll(UUID)) ids.add(m[0].toLowerCase());
  }
  return { hashes, ids };
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** Voice communications of a conversation that have a Speech & Text Analytics transcript. */
function transcribedCommunications(emu: RunningEmulator, id: string): string[] {
  const out = new Set<string>();
  for (const p of emu.dataset.conversation(id)?.participants ?? []) {
    for (const s of p.sessions ?? []) {
      if (s.mediaType === 'voice' && s.sessionId && emu.dataset.transcript(id, s.sessionId) !== undefined)
        out.add(s.sessionId);
    }
  }
  return [...out];
}

/** The fewest API calls that can export this dataset (see the file comment). */
export function minimalApiCalls(emu: RunningEmulator, maxPageSize = DISCOVERY_MAX_PAGE): number {
  const ids = emu.dataset.conversationIds();
  let calls = Math.ceil(ids.length / maxPageSize);
  for (const id of ids) {
    const recs = emu.dataset.recordings(id);
    if (recs.length === 0) continue;
    calls += 1;
    // No second call for a transcoding recording: the list waits server-side (maxWaitMs,
    // default 5 s), longer than the emulator's transcode time (1.5 s).
    for (const r of recs) if (r.media === 'audio' && r.fileState === 'AVAILABLE' && r.sha256) calls += 1;
    // A transcript URL per recorded voice communication: whether STA transcribed it is only
    // known by asking (404 = no transcript), so even a missing one costs a call.
    // STA keys a call's transcript by the customer's communication: one call per recorded
    // customer voice session (other recorded sessions only when the customer has none).
    const customer = new Set<string>();
    const other = new Set<string>();
    for (const p of emu.dataset.conversation(id)?.participants ?? []) {
      for (const s of p.sessions ?? []) {
        if (s.mediaType === 'voice' && s.recording && s.sessionId)
          (p.purpose === 'customer' ? customer : other).add(s.sessionId);
      }
    }
    calls += customer.size > 0 ? customer.size : other.size;
  }
  return calls;
}

interface Row {
  contender: Contender;
  conversations: number;
  exported: number;
  notExported: number;
  seconds: number;
  perMinute: number;
  apiCalls: number;
  apiPerConversation: number;
  rateLimited: number;
  maxRssMb: number;
  concurrency: number;
  notes: string;
  minimalCalls: number;
}

async function measure(contender: Contender): Promise<Row> {
  const emu = await startBenchEmulator({
    seed: SEED,
    conversations: CONVERSATIONS,
    audioBytes: AUDIO,
    rateLimit: RATE,
  });
  const work = await mkdtemp(join(tmpdir(), `gt-bench-export-${contender}-`));
  try {
    const { endpoint, env } = endpointOf(emu);
    const outDir = join(work, 'out');
    const report = await runChild<ContenderOutcome>(
      import.meta.url,
      { contender, endpoint, outDir, stateDir: join(work, 'state') } satisfies ContenderTask,
      { env, timeoutMs: CHILD_TIMEOUT_MS },
    );
    const cost = apiCost(emu.stats());
    const onDisk = await scanOutput(outDir);
    const ids = emu.dataset.conversationIds();
    const claimed = new Set(report.result.done);
    let exported = 0;
    for (const id of ids) {
      if (!claimed.has(id)) continue;
      const media = emu.dataset
        .recordings(id)
        .filter((r) => r.media === 'audio' && r.fileState === 'AVAILABLE' && r.sha256);
      const mediaOk = media.every((r) => onDisk.hashes.has(r.sha256!));
      const transcriptsOk = transcribedCommunications(emu, id).every((c) => onDisk.ids.has(c.toLowerCase()));
      if (mediaOk && transcriptsOk) exported += 1;
    }
    const seconds = report.result.seconds;
    return {
      contender,
      conversations: ids.length,
      exported,
      notExported: ids.length - exported,
      seconds,
      perMinute: (exported / seconds) * 60,
      apiCalls: cost.apiCalls,
      apiPerConversation: cost.apiCalls / Math.max(1, exported),
      rateLimited: cost.rateLimited,
      maxRssMb: report.maxRssMb,
      concurrency: report.result.concurrency,
      notes: report.result.notes,
      minimalCalls: minimalApiCalls(emu),
    };
  } finally {
    await emu.close();
    await rm(work, { recursive: true, force: true });
  }
}

/** A contender that crashed is reported as such; the other one is still measured. */
async function measureOrError(contender: Contender): Promise<Row | { contender: Contender; error: string }> {
  try {
    return await measure(contender);
  } catch (err) {
    return {
      contender,
      error: (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 300),
    };
  }
}

export default async function run(): Promise<BenchResult> {
  const results = [await measureOrError('product'), await measureOrError('baseline')];
  const [product, baseline] = results;
  const budgetPerMinute = (RATE.perWindow / RATE.windowMs) * 60_000;
  const ok = (r: (typeof results)[number] | undefined): r is Row => r !== undefined && !('error' in r);
  const reference = results.find(ok);
  const minimalPerConversation = reference ? reference.minimalCalls / reference.conversations : NaN;
  const idealPerMinute = budgetPerMinute / minimalPerConversation;
  const ratios: Record<string, number> = {};
  if (ok(product) && ok(baseline)) {
    ratios.export_throughput_vs_baseline = product.perMinute / baseline.perMinute;
    ratios.export_api_calls_vs_baseline = product.apiPerConversation / baseline.apiPerConversation;
  }
  if (ok(product)) ratios.export_fraction_of_ideal = product.perMinute / idealPerMinute;
  const table = markdownTable(
    [
      'contender',
      'conversations/min',
      'API calls/conversation',
      '429s',
      'not exported',
      'seconds',
      'peak RSS (MiB)',
      'concurrency',
      'notes',
    ],
    results.map((r) =>
      'error' in r
        ? [r.contender, 'FAILED', '', '', '', '', '', '', r.error]
        : [
            r.contender,
            fmt(r.perMinute),
            fmt(r.apiPerConversation, 2),
            r.rateLimited,
            `${r.notExported} of ${r.conversations}`,
            fmt(r.seconds),
            fmt(r.maxRssMb),
            r.concurrency,
            r.notes,
          ],
    ),
  );
  const markdown = [
    `Emulator: seed ${SEED}, ${reference?.conversations ?? CONVERSATIONS} conversations, audio ${AUDIO.min / 1024}–${AUDIO.max / 1024} KiB, fixed-window rate budget ${RATE.perWindow} requests per ${RATE.windowMs / 1000} s per client (Genesys' shape with time sped up; ${fmt(budgetPerMinute, 0)} requests/min vs the real default 300/min); a fresh emulator per contender, each contender in its own process.`,
    '',
    table,
    '',
    `Ideal: ${fmt(budgetPerMinute, 0)} requests/min ÷ ${fmt(minimalPerConversation, 2)} minimal API calls/conversation (${reference?.minimalCalls ?? 'n/a'} for the dataset: discovery at page size ${DISCOVERY_MAX_PAGE}, recordings lists, download links, transcript URLs) = ${fmt(idealPerMinute)} conversations/min. "Exported" = reported done, every available audio file on disk byte-exact, and every existing voice transcript written. API calls/conversation = all API calls ÷ exported conversations.`,
    '',
    ratioLines(ratios, {
      export_throughput_vs_baseline: 'product conversations/min ÷ baseline (higher is better)',
      export_api_calls_vs_baseline:
        'product API calls per exported conversation ÷ baseline (lower is better)',
      export_fraction_of_ideal: 'product conversations/min ÷ ideal under the budget',
    }),
  ].join('\n');
  return { name: 'export', markdown, ratios };
}

if (!(await childMain((t) => runContenderTask(t as ContenderTask))) && isMain(import.meta.url)) {
  console.log((await run()).markdown);
}
