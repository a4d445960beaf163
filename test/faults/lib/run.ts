// Runs one seeded scenario end to end and checks everything the campaign promises:
// - nothing lost: every selected conversation ends up exported, checked against the oracle
//   (media byte-exact, transcripts in every format, redacted, no control characters);
// - nothing duplicated: exactly the files the manifests list, one webhook delivery ID per
//   conversation, at most one resend per kill and conversation in flight;
// - clear errors: every failure (conversation or whole run) carries a typed code, never a stack;
// - no secret or PII in logs, the audit log, CLI output or webhook payloads;
// - nothing written outside --out and --state-dir, whatever IDs the API made up.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { configFor } from '../../helpers/emulator.ts';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.ts';
import { isGtError } from '../../../src/errors.ts';
import { createLogger } from '../../../src/observe/logger.ts';
import { Exporter, type ExportSummary } from '../../../src/pipeline/exporter.ts';
import { runCli, type CliRun } from './cli.ts';
import { Capture, leaksIn } from './logs.ts';
import {
  conversationsIn,
  forbiddenCharIn,
  listFiles,
  standsIn,
  verifyExport,
  visible,
  type Format,
  type Verified,
} from './oracle.ts';
import { startReceiver, WEBHOOK_SECRET, type Receiver } from './receiver.ts';
import { SeededRandom, type Scenario } from './scenario.ts';

/** Every code a GtError may carry (src/errors.ts). Anything else is an unclear error. */
export const KNOWN_CODES: ReadonlySet<string> = new Set([
  'CONFIG_INVALID',
  'USAGE',
  'AUTH_FAILED',
  'HTTP_ERROR',
  'RATE_LIMITED',
  'RETRY_BUDGET_EXHAUSTED',
  'NETWORK',
  'TIMEOUT',
  'INVALID_RESPONSE',
  'NOT_FOUND',
  'UNSAFE_NAME',
  'DOWNLOAD_FAILED',
  'INTEGRITY',
  'DISK_FULL',
  'CHECKPOINT',
  'AUDIT_TAMPERED',
  'SINK_FAILED',
  'ABORTED',
  'REDIS_UNAVAILABLE',
  'NOT_READY',
  'URL_REFUSED',
  'TOO_LARGE',
  'TOO_SLOW',
  'DEADLINE',
]);

const DAY = 86_400_000;

/** What the whole campaign did, for its summary line. */
export class Tally {
  scenarios = 0;
  runs = 0;
  kills = 0;
  conversations = 0;
  recordings = 0;
  transcripts = 0;
  faults: Record<string, number> = {};
  failureCodes: Record<string, number> = {};

  addFaults(injected: Record<string, number>): void {
    for (const [k, v] of Object.entries(injected)) this.faults[k] = (this.faults[k] ?? 0) + v;
  }
  addFailure(code: string): void {
    this.failureCodes[code] = (this.failureCodes[code] ?? 0) + 1;
  }
  addVerified(v: Verified): void {
    this.conversations += v.conversations;
    this.recordings += v.recordings;
    this.transcripts += v.transcripts;
  }
  line(): string {
    const total = Object.values(this.faults).reduce((a, b) => a + b, 0);
    const byKind = Object.entries(this.faults)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    const codes = Object.entries(this.failureCodes)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    return (
      `fault campaign: ${this.scenarios} scenarios run, ${this.runs} export runs (${this.kills} killed with SIGKILL), ` +
      `${total} faults injected (${byKind}), ${this.conversations} conversations verified ` +
      `(${this.recordings} recordings byte-exact, ${this.transcripts} transcripts), ` +
      `typed failures on the way: ${codes || 'none'}`
    );
  }
}

export interface Workspace {
  root: string;
  out: string;
  state: string;
}

/** out and state sit deep inside `root`, so a `../..` that escapes them still lands in root. */
export async function workspace(prefix: string): Promise<Workspace> {
  const root = await mkdtemp(join(tmpdir(), prefix));
  const base = join(root, 'a', 'b', 'c');
  await mkdir(base, { recursive: true });
  return { root, out: join(base, 'out'), state: join(base, 'state') };
}

/** Nothing outside out/ and state/, and no escape canary at the absolute paths hostile IDs name. */
export async function assertContained(ws: Workspace): Promise<void> {
  for (const f of await listFiles(ws.root)) {
    const inside = [ws.out, ws.state].some((d) => f.startsWith(d + sep));
    assert.ok(inside, `written outside --out and --state-dir: ${relative(ws.root, f)}`);
  }
  for (const dir of ['/tmp', '/etc', tmpdir()]) {
    const names = await readdir(dir).catch(() => [] as string[]);
    assert.deepEqual(
      names.filter((n) => n.includes('gt-escape')),
      [],
      `an API-supplied ID escaped into ${dir}`,
    );
  }
}

export { configFor };

export interface RunOutcome {
  summary?: ExportSummary;
  /** a whole-run failure (typed) */
  runError?: { code: string; message: string };
}

/** One in-process export run through the library, logs captured at debug level. */
export async function exportInProcess(
  emu: RunningEmulator,
  ws: Workspace,
  o: {
    selection: { interval: string } | { conversationIds: string[] };
    formats: readonly Format[];
    concurrency: number;
    sinks?: string[];
    logs: Capture;
  },
): Promise<RunOutcome> {
  const exporter = new Exporter(
    {
      selection: o.selection,
      outDir: ws.out,
      stateDir: ws.state,
      formats: [...o.formats],
      concurrency: o.concurrency,
      sinks: o.sinks ?? [],
    },
    { config: configFor(emu), logger: createLogger({ level: 'debug', destination: o.logs }) },
  );
  try {
    for await (const _ of exporter.run()) {
      // drain
    }
    return { summary: exporter.summary() };
  } catch (err) {
    assert.ok(isGtError(err), `a run ended in an untyped error: ${(err as Error)?.stack ?? String(err)}`);
    return { summary: exporter.summary(), runError: { code: err.code, message: err.message } };
  }
}

/** Checks the failures a run reports: each typed, with a reason, no stack trace. */
function checkFailures(outcome: RunOutcome, tally: Tally, where: string): void {
  for (const f of outcome.summary?.failures ?? []) {
    assert.ok(
      f.code && KNOWN_CODES.has(f.code),
      `${where}: failure of ${f.conversationId} has no typed code: ${f.code} ${f.reason}`,
    );
    assert.ok(
      f.reason && !/\n\s+at /.test(f.reason),
      `${where}: unclear failure reason for ${f.conversationId}`,
    );
    tally.addFailure(f.code);
  }
  if (outcome.runError) {
    assert.ok(KNOWN_CODES.has(outcome.runError.code), `${where}: run failed with ${outcome.runError.code}`);
    tally.addFailure(`run:${outcome.runError.code}`);
  }
}

/** Reads a CLI run: the --json summary on stdout, or the one-line typed error on stderr. */
export function cliOutcome(run: CliRun): RunOutcome {
  assert.doesNotMatch(
    run.stderr,
    /unexpected error|\n\s+at .*\(.*:\d+:\d+\)/,
    `an untyped crash:\n${run.stderr.slice(0, 2000)}`,
  );
  if (run.killed) return {};
  const start = run.stdout.indexOf('{');
  if (run.code === 0 || (run.code === 1 && start >= 0)) {
    return { summary: JSON.parse(run.stdout.slice(start)) as ExportSummary };
  }
  const m = /genesys-transcripts: (.*) \[([A-Z_]+)\]\s*$/m.exec(run.stderr);
  assert.ok(m, `exit ${run.code} without a typed error:\n${run.stderr.slice(0, 2000)}`);
  return { runError: { code: m[2]!, message: m[1]! } };
}

function done(outcome: RunOutcome): boolean {
  return (
    outcome.runError === undefined &&
    outcome.summary !== undefined &&
    outcome.summary.conversations.failed === 0
  );
}

/** The conversations a scenario selects, and its selection as library options and CLI flags. */
function select(s: Scenario, emu: RunningEmulator) {
  if (s.selection.kind === 'interval') {
    const start = Date.parse(emu.interval.split('/')[0]!) + s.selection.fromDay * DAY;
    const end = start + s.selection.days * DAY;
    const { must, may } = conversationsIn(emu, start, end);
    const interval = `${new Date(start).toISOString()}/${new Date(end).toISOString()}`;
    return {
      must,
      may,
      library: { interval },
      flags: ['--from', new Date(start).toISOString(), '--to', new Date(end).toISOString()],
    };
  }
  const ids = new SeededRandom(s.seed * 7 + 1).sample(emu.dataset.conversationIds(), s.selection.count);
  return {
    must: ids,
    may: new Set<string>(),
    library: { conversationIds: ids },
    flags: ['--conversation', ...ids],
  };
}

export async function runScenario(s: Scenario, tally: Tally): Promise<void> {
  const ws = await workspace(`gt-fault-${s.seed}-`);
  const emu = await startEmulator(s.emulator);
  let receiver: Receiver | undefined;
  try {
    if (s.webhook) {
      receiver = await startReceiver();
      receiver.failNext(s.webhookFailures);
    }
    const sel = select(s, emu);
    assert.ok(sel.must.length > 0, 'the scenario selects some conversations');
    for (const f of s.scripted) emu.scriptFault(f);
    const sinks = receiver ? [`webhook:${receiver.url}`] : [];
    const logs = new Capture();
    const cliOutput: string[] = [];
    const outcomes: RunOutcome[] = [];
    let kills = 0;

    if (s.kind === 'kill') {
      const args = [
        ...sel.flags,
        '--out',
        ws.out,
        '--state-dir',
        ws.state,
        '--formats',
        s.formats.join(','),
        '--concurrency',
        String(s.concurrency),
        '--log-level',
        'debug',
        '--json',
        ...(sinks.length ? ['--sink', ...sinks] : []),
      ];
      for (const delay of s.kills) {
        const run = await runCli(emu, args, { killAfterMs: delay });
        tally.runs += 1;
        cliOutput.push(run.stdout, run.stderr);
        if (run.killed) kills += 1;
        const outcome = cliOutcome(run);
        checkFailures(outcome, tally, `#${s.seed} run ${tally.runs}`);
        if (!run.killed) outcomes.push(outcome);
      }
      for (let i = 0; i < s.maxRuns && !(outcomes.length > 0 && done(outcomes.at(-1)!)); i++) {
        const run = await runCli(emu, args);
        tally.runs += 1;
        cliOutput.push(run.stdout, run.stderr);
        const outcome = cliOutcome(run);
        checkFailures(outcome, tally, `#${s.seed} CLI run`);
        outcomes.push(outcome);
      }
    } else {
      for (let i = 0; i < s.maxRuns && !(outcomes.length > 0 && done(outcomes.at(-1)!)); i++) {
        const revoke =
          s.revokeAfterMs !== undefined ? setTimeout(() => emu.revokeTokens(), s.revokeAfterMs) : undefined;
        const outcome = await exportInProcess(emu, ws, {
          selection: sel.library,
          formats: s.formats,
          concurrency: s.concurrency,
          sinks,
          logs,
        });
        clearTimeout(revoke);
        tally.runs += 1;
        checkFailures(outcome, tally, `#${s.seed} run ${i + 1}`);
        outcomes.push(outcome);
      }
    }
    tally.kills += kills;
    const last = outcomes.at(-1);
    assert.ok(
      last && done(last),
      `not done after ${outcomes.length} runs: ${JSON.stringify(last?.runError ?? last?.summary?.failures)}`,
    );
    if (s.kind === 'skew') {
      // Tokens dying early are a normal day: the first run must already get everything.
      assert.equal(outcomes.length, 1, `skewed tokens cost a run: ${JSON.stringify(outcomes[0])}`);
    }

    const verified = await verifyExport(emu, ws.out, {
      ids: sel.must,
      formats: s.formats,
      alsoAllowed: sel.may,
    });
    tally.addVerified(verified);

    // Exactly one delivery ID per conversation at the webhook; resends only where a kill forced one.
    if (receiver) {
      assert.equal(receiver.badSignatures(), 0, 'every webhook signature verified');
      for (const id of sel.must) {
        const hooks = receiver.conversations.get(id);
        assert.ok(hooks, `${id} was delivered to the webhook`);
        assert.equal(hooks.size, 1, `one delivery ID for ${id}`);
      }
      for (const id of receiver.conversations.keys())
        assert.ok(
          sel.must.includes(id) || sel.may.has(id),
          `a webhook delivery for ${id}, which was not selected`,
        );
      // At least once: a kill between a receiver's 2xx and the checkpoint's record of it forces a
      // resend, once for each conversation in flight then (up to --concurrency per kill).
      const resends = [...receiver.accepted.values()].reduce((a, n) => a + (n - 1), 0);
      assert.ok(
        resends <= kills * s.concurrency,
        `${resends} webhook resends for ${kills} kills at concurrency ${s.concurrency}`,
      );
      // And never the same conversation twice for one kill.
      for (const [webhookId, n] of receiver.accepted)
        assert.ok(n - 1 <= kills, `${webhookId} accepted ${n} times with ${kills} kills`);
      // Payloads leave the process: planted PII must not be in them either.
      const readable = visible(receiver.payloads.join('\n'));
      for (const id of sel.must)
        for (const v of emu.dataset.planted(id).pii)
          if (v.text.replace(/[\s-]/g, '').length >= 7)
            assert.ok(!standsIn(readable, v.text), `${v.entity} of ${id} in a webhook payload`);
    }

    // No secret, token or personal data in logs, CLI output, summaries or the audit log.
    const audit = await readFile(join(ws.state, 'audit.jsonl'), 'utf8').catch(() => '');
    const summaries = outcomes.map((o) => JSON.stringify(o)).join('\n');
    const all = [logs.text(), ...cliOutput, audit, summaries].join('\n');
    const leaks = leaksIn(all, { emu, ids: sel.must, secrets: [WEBHOOK_SECRET] });
    assert.deepEqual(leaks, [], 'secrets or personal data in logs');
    // What reached the terminal: never a raw control character, whatever the API sent.
    for (const text of cliOutput)
      assert.equal(forbiddenCharIn(text), undefined, 'a raw control character in the CLI output');

    await assertContained(ws);
    tally.addFaults(emu.stats().faultsInjected);
    tally.scenarios += 1;
  } finally {
    await receiver?.close();
    await emu.close();
    await rm(ws.root, { recursive: true, force: true });
  }
}

/** In-process webhook sinks read their secret from GT_WEBHOOK_SECRET. */
export const WEBHOOK_SECRET_ENV = WEBHOOK_SECRET;

/**
 * Issue 6's done-when, under faults: an export of 1,000 mixed conversations (voice, chat,
 * messaging, e-mail, with every awkward case) in json, txt, vtt and srt, re-run until done, then
 * every available recording byte-identical and every transcript present, redacted, in every
 * format — all 1,000 checked against the oracle.
 */
export async function runThousand(tally: Tally): Promise<{ runs: number; ms: number; verified: Verified }> {
  const started = Date.now();
  const ws = await workspace('gt-fault-1000-');
  const emu = await startEmulator({
    seed: 1000,
    conversations: 1000,
    faultSeed: 1000,
    // No 503 here: each pauses the whole client for its Retry-After (1 s); the scenarios have them.
    faults:
      '5xx=0.02,reset=0.015,truncate=0.015,expire=0.02,malformed=0.004,content-type=0.004,control-chars=0.01',
    audioBytes: { min: 512, max: 4096 },
    transcodeMs: 100,
    rateLimit: { perWindow: 100_000 },
  });
  try {
    const formats: Format[] = ['json', 'txt', 'vtt', 'srt'];
    const logs = new Capture();
    const outcomes: RunOutcome[] = [];
    for (let i = 0; i < 4 && !(outcomes.length > 0 && done(outcomes.at(-1)!)); i++) {
      const outcome = await exportInProcess(emu, ws, {
        selection: { interval: emu.interval },
        formats,
        concurrency: 16,
        logs,
      });
      tally.runs += 1;
      checkFailures(outcome, tally, `1000 run ${i + 1}`);
      outcomes.push(outcome);
    }
    const last = outcomes.at(-1)!;
    assert.ok(
      done(last),
      `not done after ${outcomes.length} runs: ${JSON.stringify(last.runError ?? last.summary?.failures)}`,
    );
    const ids = emu.dataset.conversationIds();
    const verified = await verifyExport(emu, ws.out, { ids, formats });
    assert.equal(verified.conversations, 1000);
    tally.addVerified(verified);
    const audit = await readFile(join(ws.state, 'audit.jsonl'), 'utf8').catch(() => '');
    assert.deepEqual(
      leaksIn(`${logs.text()}\n${audit}`, { emu, ids }),
      [],
      'secrets or personal data in logs',
    );
    await assertContained(ws);
    tally.addFaults(emu.stats().faultsInjected);
    tally.scenarios += 1;
    return { runs: outcomes.length, ms: Date.now() - started, verified };
  } finally {
    await emu.close();
    await rm(ws.root, { recursive: true, force: true });
  }
}
