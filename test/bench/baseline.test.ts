// Smoke test of the benchmark machinery on a tiny emulator dataset (no timing assertions): the
// naive baseline exporter really exports what it should, the child-process harness carries a
// contender's result and peak RSS back, and the runner reports failing or missing benchmarks
// instead of dying.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { naiveExport } from '../../bench/baseline/naive-exporter.ts';
import { runChild } from '../../bench/lib/child.ts';
import { endpointOf, startBenchEmulator } from '../../bench/lib/emulator.ts';
import { renderResults, runBench, type BenchOutcome } from '../../bench/run.ts';
import { minimalApiCalls } from '../../bench/export.bench.ts';

async function filesUnder(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.set(join(e.parentPath, e.name), await readFile(join(e.parentPath, e.name)));
  }
  return out;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

test('the naive exporter writes every available recording byte-exact and every reachable transcript, through 429s', async (t) => {
  // The emulator plans its edge cases (archived, deleted, errors) first: 40 conversations reach
  // ordinary ones too. A tight budget so the baseline's fixed retries (which ignore Retry-After) run.
  const emu = await startBenchEmulator({
    seed: 5,
    conversations: 40,
    audioBytes: { min: 2048, max: 8192 },
    transcodeMs: 200,
    rateLimit: { perWindow: 40, windowMs: 1000 },
  });
  const out = await mkdtemp(join(tmpdir(), 'gt-test-baseline-'));
  t.after(async () => {
    await emu.close();
    await rm(out, { recursive: true, force: true });
  });
  const result = await naiveExport({
    ...endpointOf(emu).endpoint,
    clientSecret: emu.clientSecret,
    outDir: out,
    maxConcurrency: 3,
  });

  const ids = emu.dataset.conversationIds();
  assert.equal(result.conversations, ids.length, 'every conversation is listed across analytics pages');
  assert.deepEqual(result.failed, []);
  assert.deepEqual([...result.exportedIds].sort(), [...ids].sort());

  const files = await filesUnder(out);
  const hashes = new Set([...files.values()].map(sha256));
  let audio = 0;
  let transcripts = 0;
  let digital = 0;
  for (const id of ids) {
    for (const rec of emu.dataset.recordings(id)) {
      if (rec.fileState !== 'AVAILABLE') continue;
      if (rec.media === 'audio') {
        assert.ok(
          rec.sha256 && hashes.has(rec.sha256),
          `audio ${rec.recordingId} of ${id} written byte-exact`,
        );
        audio += 1;
        if (rec.sessionId && emu.dataset.transcript(id, rec.sessionId) !== undefined) {
          const file = files.get(join(out, id, `transcript-${rec.sessionId}.json`));
          assert.ok(file, `transcript of ${rec.sessionId} written`);
          assert.equal(
            (JSON.parse(file.toString('utf8')) as { communicationId?: string }).communicationId,
            rec.sessionId,
          );
          transcripts += 1;
        }
      } else {
        assert.ok(
          files.has(join(out, id, `${rec.recordingId}.${rec.media}.json`)),
          `digital transcript of ${rec.recordingId}`,
        );
        digital += 1;
      }
    }
  }
  assert.ok(
    audio > 0 && digital > 0,
    `the dataset exercised audio (${audio}) and digital (${digital}) recordings`,
  );
  assert.equal(result.files, audio + transcripts + digital, 'nothing else was written');
  assert.equal(
    result.rateLimited,
    emu.stats().rateLimited,
    'the baseline counted every 429 the emulator sent',
  );
});

test('the baseline shares no code with src/', async () => {
  const source = await readFile(new URL('../../bench/baseline/naive-exporter.ts', import.meta.url), 'utf8');
  const imports = [...source.matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1]!);
  assert.ok(imports.length > 0);
  for (const spec of imports) assert.match(spec, /^node:/, `only node: built-ins, got ${spec}`);
});

test('a contender runs in its own process and reports its result and peak RSS (export bench child mode)', async (t) => {
  const emu = await startBenchEmulator({
    seed: 6,
    conversations: 6,
    audioBytes: { min: 1024, max: 4096 },
    transcodeMs: 100,
    rateLimit: null,
  });
  const work = await mkdtemp(join(tmpdir(), 'gt-test-bench-child-'));
  t.after(async () => {
    await emu.close();
    await rm(work, { recursive: true, force: true });
  });
  const { endpoint, env } = endpointOf(emu);
  assert.ok(!JSON.stringify(endpoint).includes(emu.clientSecret), 'the secret does not travel in argv');
  const report = await runChild<{ done: string[]; seconds: number }>(
    new URL('../../bench/export.bench.ts', import.meta.url).href,
    {
      contender: 'baseline',
      budget: 'unbound',
      endpoint,
      outDir: join(work, 'out'),
      stateDir: join(work, 'state'),
    },
    { env, timeoutMs: 30_000 },
  );
  assert.deepEqual([...report.result.done].sort(), [...emu.dataset.conversationIds()].sort());
  assert.ok(report.maxRssMb > 10, `peak RSS of a Node process is tens of MiB, got ${report.maxRssMb}`);
  // The floor can never be below one downloads link per available recording plus a discovery page.
  const available = emu.dataset
    .conversationIds()
    .flatMap((id) => emu.dataset.recordings(id))
    .filter((r) => r.fileState === 'AVAILABLE').length;
  assert.ok(minimalApiCalls(emu) >= available + 1);
});

test('a failing child task is an error carrying its message, not a hang', async () => {
  await assert.rejects(
    runChild(
      new URL('../../bench/export.bench.ts', import.meta.url).href,
      {
        contender: 'baseline',
        endpoint: {
          apiUrl: 'http://127.0.0.1:9',
          loginUrl: 'http://127.0.0.1:9',
          clientId: 'x',
          interval: 'a/b',
        },
        outDir: '/nonexistent',
        stateDir: '/nonexistent',
      },
      { timeoutMs: 30_000 },
    ),
    /child task failed: .*fetch failed/,
  );
});

test('the runner reports missing and failing benchmarks and renders every ratio', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'gt-test-bench-run-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(
    join(dir, 'boom.bench.ts'),
    `export default async function run() { throw new Error('kaboom'); }\n`,
  );
  await writeFile(
    join(dir, 'fine.bench.ts'),
    `export default async function run() { return { name: 'fine', markdown: '| a |\\n| --- |\\n| 1 |', ratios: { fine_ratio: 1.5 } }; }\n`,
  );
  const base = pathToFileURL(`${dir}/`);
  const outcomes: BenchOutcome[] = [
    await runBench('fine', base),
    await runBench('boom', base),
    await runBench('absent', base),
  ];
  assert.deepEqual(
    outcomes.map((o) => o.status),
    ['ok', 'failed', 'missing'],
  );
  assert.match(outcomes[1]!.error!, /kaboom/);
  const md = renderResults(outcomes, new Date('2026-01-02T03:04:05Z'));
  assert.match(
    md,
    /## Headline ratios\n\n- \*\*fine_ratio\*\*: 1\.50\n- boom: FAILED \(no ratios\)\n- absent: MISSING \(no ratios\)/,
  );
  assert.match(md, /- Date: 2026-01-02T03:04:05\.000Z/);
  assert.match(md, /- Node: v\d+/);
  assert.match(md, /\| a \|/);
  assert.match(md, /kaboom/);
});
