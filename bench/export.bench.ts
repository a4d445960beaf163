// Export throughput where it is decided: the product (src/pipeline Exporter) beside the script a
// competent engineer would write on the official SDK (bench/contenders/sdk-exporter.ts: 8 in
// flight, Retry-After honoured, streamed files) and the naive tutorial-style exporter
// (bench/baseline), each on a FRESH emulator with the same seed (same conversations, recordings
// and transcripts), each in its own process, in the same run:
//   bound    a fixed-window budget of Genesys' shape (N per window per OAuth client, 429 +
//            Retry-After beyond) with time sped up: 50 requests per 5 s, over several windows;
//   unbound  no budget and no rate headers: latency and in-flight work decide.
// Every API answer comes 40 ms late (the emulator's latencyMs): on loopback nothing would be left
// to hide, and a nearby Genesys region answers in 50–150 ms.
// Then calls per conversation of the product on one-media datasets (voice, chat, message, email).
//
// Definitions (printed with the results):
//   API calls      every /api/v2 request the emulator received (429s included; the token request
//                  on the login host and pre-signed object fetches are not API calls), by route
//   floor          the fewest API calls that can export the dataset, from the emulator's own data:
//                  discovery pages of 100, one recording batch job (create + one poll) per 100
//                  conversations that may have recordings, one downloads link per AVAILABLE
//                  recording (voice media and digital transcripts), one transcript URL per
//                  recorded customer voice communication (a 404 for an untranscribed one still
//                  costs it); nothing for unrecorded, archived, deleted or errored recordings
//   exported       the contender says the conversation is done AND every available audio file of
//                  it is on disk byte-exact (sha256 checked against the emulator's dataset) AND
//                  every voice transcript the emulator has for it was written (its communication
//                  ID appears in an output text file)
//
// Run alone: npx node bench/export.bench.ts (or npm run bench -- export)
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
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
const CONVERSATIONS = Number(process.env.GT_BENCH_EXPORT_CONVERSATIONS ?? 200);
/** Genesys: 300 per 60 s. Here 50 per 5 s: windows 12× shorter, the average rate 2× higher (600/min). */
const RATE = { perWindow: 50, windowMs: 5_000 };
const AUDIO = { min: 8 * 1024, max: 32 * 1024 };
const DISCOVERY_MAX_PAGE = 100;
const BATCH_MAX = 100;
const PER_MEDIA_CONVERSATIONS = 100;
const CHILD_TIMEOUT_MS = 150_000;
/** Every API answer this late: loopback answers in microseconds, Genesys in tens to hundreds of ms. */
const LATENCY_MS = 40;

type Contender = 'product' | 'product ×2 clients' | 'sdk' | 'baseline';

/** The second OAuth client of the two-client run (the emulator keeps a budget per client ID). */
const SECOND_CLIENT = {
  clientId: 'b2b2b2b2-0000-4000-8000-00000000b2b2',
  clientSecret: 'bench-second-client-secret-0123456789',
};
const SECOND_SECRET_ENV = 'GT_BENCH_SECOND_CLIENT_SECRET';
const FIRST_CLIENT = {
  clientId: 'a1a1a1a1-0000-4000-8000-00000000a1a1',
  clientSecret: 'bench-first-client-secret-0123456789',
};
type Budget = 'bound' | 'unbound';

interface ContenderTask {
  contender: Contender;
  budget: Budget;
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
  if (task.contender === 'sdk') {
    const { sdkExport } = await import('./contenders/sdk-exporter.ts');
    const started = performance.now();
    const r = await sdkExport({ ...task.endpoint, clientSecret: secret, outDir: task.outDir });
    const seconds = (performance.now() - started) / 1000;
    return {
      seconds,
      done: r.exportedIds,
      failed: r.failed.length,
      concurrency: 8,
      notes: `purecloud-platform-client-v2, ${r.conversations} listed${r.failed[0] ? `, first error: ${r.failed[0].error}` : ''}`,
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
    },
    env: { [SECRET_ENV]: secret },
  });
  // Defaults, as a user runs it: the budget is learnt from the emulator's rate headers (less the
  // default headroom); only the window length is sped up, as the emulator's is.
  const limiter = new InMemoryRateLimiter({ windowMs: RATE.windowMs });
  // Two clients: the second one's secret comes the way a clients file would name it (env).
  const moreClients =
    task.contender === 'product ×2 clients'
      ? [
          loadConfig({
            flags: {
              apiUrl: task.endpoint.apiUrl,
              loginUrl: task.endpoint.loginUrl,
              clientId: SECOND_CLIENT.clientId,
            },
            env: { [SECRET_ENV]: process.env[SECOND_SECRET_ENV] ?? '' },
          }),
        ]
      : [];
  const exporter = new Exporter(
    { selection: { interval: task.endpoint.interval }, outDir: task.outDir, stateDir: task.stateDir },
    { config, moreClients, ...(task.budget === 'bound' ? { limiter } : {}) },
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
    notes: `defaults (formats ${exporter.options.formats.join('+')}, redact ${exporter.options.redact}, recording batches ${exporter.options.recordingBatches})`,
  };
}

/**
 * What a contender left on disk, independent of its layout (they name files differently): the
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
  let mayHaveRecordings = 0;
  for (const id of ids) {
    const sessions = (emu.dataset.conversation(id)?.participants ?? []).flatMap((p) =>
      (p.sessions ?? []).map((s) => ({ ...s, purpose: p.purpose })),
    );
    const digital = sessions.some((s) => s.mediaType !== undefined && s.mediaType !== 'voice');
    if (digital || emu.dataset.recordings(id).length > 0) mayHaveRecordings += 1;
    calls += emu.dataset.recordings(id).filter((r) => r.fileState === 'AVAILABLE').length;
    // STA keys a call's transcript by the customer's communication: one call per recorded
    // customer voice session (other recorded sessions only when the customer has none).
    const recorded = sessions.filter((s) => s.mediaType === 'voice' && s.recording === true && s.sessionId);
    const customer = new Set(recorded.filter((s) => s.purpose === 'customer').map((s) => s.sessionId));
    calls += customer.size > 0 ? customer.size : new Set(recorded.map((s) => s.sessionId)).size;
  }
  return calls + 2 * Math.ceil(mayHaveRecordings / BATCH_MAX);
}

interface Row {
  contender: Contender;
  budget: Budget;
  conversations: number;
  exported: number;
  notExported: number;
  seconds: number;
  /** CPU time of the contender's process during its task (user + system, all threads). */
  cpuSeconds: number;
  apiCalls: number;
  apiPerConversation: number;
  byRoute: Record<string, number>;
  rateLimited: number;
  maxRssMb: number;
  concurrency: number;
  notes: string;
  floorCalls: number;
}

interface EmulatorShape {
  conversations: number;
  budget: Budget;
  mediaMix?: Record<string, number>;
}

async function measure(contender: Contender, shape: EmulatorShape): Promise<Row> {
  const emu = await startBenchEmulator({
    seed: SEED,
    conversations: shape.conversations,
    audioBytes: AUDIO,
    rateLimit: shape.budget === 'bound' ? RATE : null,
    latencyMs: LATENCY_MS,
    ...(shape.mediaMix ? { mediaMix: shape.mediaMix } : {}),
    ...(contender === 'product ×2 clients' ? { clients: [FIRST_CLIENT, SECOND_CLIENT] } : {}),
  });
  const work = await mkdtemp(join(tmpdir(), `gt-bench-export-${contender}-`));
  outputs.push(work);
  await settleDisk();
  try {
    const { endpoint, env: firstEnv } = endpointOf(emu);
    const env = { ...firstEnv, [SECOND_SECRET_ENV]: SECOND_CLIENT.clientSecret };
    const outDir = join(work, 'out');
    const report = await runChild<ContenderOutcome>(
      import.meta.url,
      {
        contender,
        budget: shape.budget,
        endpoint,
        outDir,
        stateDir: join(work, 'state'),
      } satisfies ContenderTask,
      { env, timeoutMs: CHILD_TIMEOUT_MS },
    );
    const stats = emu.stats();
    const cost = apiCost(stats);
    const byRoute: Record<string, number> = {};
    for (const [route, byStatus] of Object.entries(stats.requests)) {
      if (route === 'oauth.token' || route.startsWith('signed.')) continue;
      byRoute[route] = Object.values(byStatus).reduce((a, b) => a + b, 0);
    }
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
    return {
      contender,
      budget: shape.budget,
      conversations: ids.length,
      exported,
      notExported: ids.length - exported,
      seconds: report.result.seconds,
      cpuSeconds: report.cpuMs / 1000,
      apiCalls: cost.apiCalls,
      apiPerConversation: cost.apiCalls / Math.max(1, exported),
      byRoute,
      rateLimited: cost.rateLimited,
      maxRssMb: report.maxRssMb,
      concurrency: report.result.concurrency,
      notes: report.result.notes,
      floorCalls: minimalApiCalls(emu),
    };
  } finally {
    await emu.close();
  }
}

/**
 * Every contender's folder, removed once all have run. Removing one just before the next contender
 * starts would bill that contender for it: ext4 skips recently freed inodes when it allocates new
 * ones (and writes the freed ones back), so the next run's file creations paid for the last run's
 * deletions, most of all the contender that creates the most files.
 */
const outputs: string[] = [];

/** The previous contender's writes reach the disk before the next one starts (sync(1) waits for them). */
async function settleDisk(): Promise<void> {
  await promisify(execFile)('sync').catch(() => undefined);
}

type Outcome = Row | { contender: Contender; budget: Budget; error: string };

/** A contender that crashed is reported as such; the others are still measured. */
async function measureOrError(contender: Contender, shape: EmulatorShape): Promise<Outcome> {
  try {
    return await measure(contender, shape);
  } catch (err) {
    return {
      contender,
      budget: shape.budget,
      error: (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 300),
    };
  }
}

const ok = (r: Outcome | undefined): r is Row => r !== undefined && !('error' in r);

/** `route=calls/conversation` for the routes a contender used, busiest first. */
function routeCell(r: Row): string {
  return Object.entries(r.byRoute)
    .sort((a, b) => b[1] - a[1])
    .map(([route, n]) => `${route} ${fmt(n / Math.max(1, r.exported), 2)}`)
    .join(', ');
}

export default async function run(): Promise<BenchResult> {
  try {
    return await runAll();
  } finally {
    for (const dir of outputs.splice(0)) await rm(dir, { recursive: true, force: true });
  }
}

async function runAll(): Promise<BenchResult> {
  const results: Outcome[] = [];
  for (const [contender, budget] of [
    ['product', 'bound'],
    ['sdk', 'bound'],
    ['baseline', 'bound'],
    ['product ×2 clients', 'bound'],
    ['product', 'unbound'],
    ['sdk', 'unbound'],
  ] as const) {
    console.error(`[bench] export: ${contender} ${budget} …`);
    results.push(await measureOrError(contender, { conversations: CONVERSATIONS, budget }));
  }
  const find = (c: Contender, b: Budget) => results.find((r) => r.contender === c && r.budget === b);
  const [product, sdk, baseline] = [
    find('product', 'bound'),
    find('sdk', 'bound'),
    find('baseline', 'bound'),
  ];
  const [productFree, sdkFree] = [find('product', 'unbound'), find('sdk', 'unbound')];

  // Calls per conversation by media type (unbound: cheap), against each dataset's floor.
  const perMedia: { media: string; row: Outcome }[] = [];
  for (const media of ['voice', 'chat', 'message', 'email']) {
    console.error(`[bench] export: product, ${media} only …`);
    perMedia.push({
      media,
      row: await measureOrError('product', {
        conversations: PER_MEDIA_CONVERSATIONS,
        budget: 'unbound',
        mediaMix: { [media]: 1 },
      }),
    });
  }

  const budgetPerMinute = (RATE.perWindow / RATE.windowMs) * 60_000;
  const reference = results.find(ok);
  const floorPerConversation = reference ? reference.floorCalls / reference.conversations : NaN;
  const ratios: Record<string, number> = {};
  if (ok(product)) {
    ratios.export_calls_per_conversation = product.apiPerConversation;
    ratios.export_calls_vs_floor = product.apiPerConversation / floorPerConversation;
    ratios.export_429s = product.rateLimited + (ok(productFree) ? productFree.rateLimited : 0);
    ratios.export_windows_used = product.seconds / (RATE.windowMs / 1000);
  }
  if (ok(product) && ok(sdk)) ratios.export_speed_vs_sdk_bound = sdk.seconds / product.seconds;
  if (ok(productFree) && ok(sdkFree))
    ratios.export_speed_vs_sdk_unbound = sdkFree.seconds / productFree.seconds;
  if (ok(product) && ok(sdk))
    ratios.export_calls_vs_sdk = product.apiPerConversation / sdk.apiPerConversation;
  if (ok(product) && ok(baseline)) ratios.export_speed_vs_baseline = baseline.seconds / product.seconds;
  const two = find('product ×2 clients', 'bound');
  if (ok(product) && ok(two)) ratios.export_two_clients_time_vs_one = two.seconds / product.seconds;

  const table = markdownTable(
    [
      'contender',
      'budget',
      'seconds',
      'CPU s',
      'API calls/conversation',
      '429s',
      'not exported',
      'peak RSS (MiB)',
      'in flight',
      'calls/conversation by route',
      'notes',
    ],
    results.map((r) =>
      'error' in r
        ? [r.contender, r.budget, 'FAILED', '', '', '', '', '', '', '', r.error]
        : [
            r.contender,
            r.budget,
            fmt(r.seconds),
            fmt(r.cpuSeconds, 2),
            fmt(r.apiPerConversation, 3),
            r.rateLimited,
            `${r.notExported} of ${r.conversations}`,
            fmt(r.maxRssMb),
            r.concurrency,
            routeCell(r),
            r.notes,
          ],
    ),
  );
  const mediaTable = markdownTable(
    [
      'media',
      'conversations',
      'API calls/conversation',
      'floor/conversation',
      'vs floor',
      'calls/conversation by route',
    ],
    perMedia.map(({ media, row }) =>
      'error' in row
        ? [media, 'FAILED', '', '', '', row.error]
        : [
            media,
            row.conversations,
            fmt(row.apiPerConversation, 3),
            fmt(row.floorCalls / row.conversations, 3),
            fmt(row.apiPerConversation / (row.floorCalls / row.conversations), 2),
            routeCell(row),
          ],
    ),
  );
  const markdown = [
    `Emulator: seed ${SEED}, ${reference?.conversations ?? CONVERSATIONS} conversations (mixed voice, chat, messaging, email), audio ${AUDIO.min / 1024}–${AUDIO.max / 1024} KiB, every API answer ${LATENCY_MS} ms late (a nearby Genesys region: 50–150 ms). Bound: a fixed-window budget of ${RATE.perWindow} requests per ${RATE.windowMs / 1000} s per client (Genesys' shape with time sped up; ${fmt(budgetPerMinute, 0)} requests/min vs the real default 300/min). Unbound: no budget, no rate headers. A fresh emulator per contender, each contender in its own process; the disk is synced before each contender, and every contender's files are removed only after the last one ran (a removal just before a contender would be billed to it). The machine is shared (2 cores, other engineers' work running): wall times are noisy, the call counts are not.`,
    '',
    table,
    '',
    `Floor: ${reference?.floorCalls ?? 'n/a'} API calls for the dataset = ${fmt(floorPerConversation, 3)} per conversation (discovery pages of ${DISCOVERY_MAX_PAGE}, a batch job + one poll per ${BATCH_MAX} conversations that may have recordings, a downloads link per available recording, a transcript URL per recorded customer voice communication). "Exported" = reported done, every available audio file on disk byte-exact, every existing voice transcript written. API calls/conversation = all API calls (429s included) ÷ exported conversations.`,
    '',
    `Product by media type (unbound, ${PER_MEDIA_CONVERSATIONS} conversations of one media each):`,
    '',
    mediaTable,
    '',
    ratioLines(ratios, {
      export_calls_per_conversation:
        'product API calls per exported conversation, mixed dataset, bound (bar ≤ 1.45)',
      export_calls_vs_floor: 'product calls per conversation ÷ the floor (bar ≤ 1.05)',
      export_429s: 'product 429s, bound + unbound (bar 0)',
      export_windows_used: `product wall time in ${RATE.windowMs / 1000} s windows, bound`,
      export_speed_vs_sdk_bound: 'SDK script wall time ÷ product wall time, bound (bar ≥ 1.3)',
      export_speed_vs_sdk_unbound: 'SDK script wall time ÷ product wall time, unbound (bar ≥ 1.5)',
      export_calls_vs_sdk: 'product calls per conversation ÷ the SDK script’s (lower is better)',
      export_speed_vs_baseline: 'naive baseline wall time ÷ product wall time, bound',
      export_two_clients_time_vs_one:
        'product wall time with two OAuth clients ÷ with one, bound (each client its own budget; ~0.5 expected)',
    }),
  ].join('\n');
  return { name: 'export', markdown, ratios };
}

if (!(await childMain((t) => runContenderTask(t as ContenderTask))) && isMain(import.meta.url)) {
  console.log((await run()).markdown);
}
