// The fault campaign's hostile network and broken upstream (issue 15): the real CLI against an
// emulator whose download links point inside, whose bodies never end or trickle in, whose 429s
// ask for a day's wait. Each case checks the run ends (no hang past the configured limits), each
// failure is the named error of its cause, the emulator's internal service was never reached,
// nothing oversized is left on disk, no raw control character reached the terminal, and a re-run
// without the faults completes everything (checked against the oracle).
import assert from 'node:assert/strict';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  startEmulator,
  type EmulatorOptions,
  type FaultKind,
  type RouteName,
} from '../../../src/emulator/index.ts';
import { runCli } from './cli.ts';
import { forbiddenCharIn, verifyExport } from './oracle.ts';
import { assertContained, cliOutcome, Tally, workspace } from './run.ts';

export interface HostileCase {
  name: string;
  /** scripted faults: these routes answer with the fault for their next `count` requests */
  scripted?: { route: RouteName; count: number; fault: FaultKind }[];
  /** the only codes a failed conversation (or the run) may end with */
  codes: readonly string[];
  /** CLI limits of the first run (small, so the case is quick) */
  limits?: string[];
  /** at least this many conversations must fail with one of `codes` on the first run */
  minFailures?: number;
}

const LIMITS = [
  '--max-retry-after',
  '3',
  '--min-transfer-rate',
  '4000',
  '--min-transfer-window',
  '1',
  '--conversation-deadline',
  '20',
];

export const HOSTILE_CASES: readonly HostileCase[] = [
  {
    name: 'download links, mediaUris, transcript URLs and redirects pointing at an internal service or the metadata address',
    scripted: [
      { route: 'downloads.get', count: 2, fault: 'internal-url' },
      { route: 'recordings.list', count: 1, fault: 'internal-url' },
      { route: 'signed.media', count: 3, fault: 'internal-url' },
      { route: 'sta.transcripturl', count: 1, fault: 'internal-url' },
    ],
    codes: ['URL_REFUSED'],
    minFailures: 1,
  },
  {
    name: 'endless media bodies (no length, far past outputSizeInBytes)',
    scripted: [{ route: 'signed.media', count: 3, fault: 'endless' }],
    codes: ['TOO_LARGE'],
    minFailures: 1,
  },
  {
    name: 'an endless token response',
    scripted: [{ route: 'oauth.token', count: 3, fault: 'endless' }],
    codes: ['TOO_LARGE'],
  },
  {
    name: 'media, transcripts and API answers trickling in a byte at a time',
    scripted: [
      { route: 'signed.media', count: 1, fault: 'trickle' },
      { route: 'signed.transcript', count: 1, fault: 'trickle' },
      { route: 'recordings.list', count: 1, fault: 'trickle' },
    ],
    codes: ['TOO_SLOW'],
    minFailures: 1,
  },
  {
    name: 'a 429 asking for a day (Retry-After: 86400)',
    scripted: [{ route: 'recordings.list', count: 2, fault: 'retry-after-long' }],
    codes: ['RATE_LIMITED'],
    minFailures: 1,
  },
  {
    name: 'a transcript trickling in with the rate floor off: the per-conversation deadline ends it',
    scripted: [{ route: 'signed.transcript', count: 1, fault: 'trickle' }],
    limits: ['--min-transfer-rate', '0', '--conversation-deadline', '3'],
    codes: ['DEADLINE'],
    minFailures: 1,
  },
];

const EMULATOR: EmulatorOptions = {
  seed: 1515,
  conversations: 40,
  mediaMix: { voice: 0.7, chat: 0.3 },
  audioBytes: { min: 4096, max: 16_384 },
  transcodeMs: 50,
  trickleIntervalMs: 100,
  rateLimit: { perWindow: 50_000 },
};

async function largestFile(dir: string): Promise<number> {
  let max = 0;
  for (const name of await readdir(dir, { recursive: true }).catch(() => [] as string[])) {
    const info = await stat(join(dir, name)).catch(() => undefined);
    if (info?.isFile()) max = Math.max(max, info.size);
  }
  return max;
}

export async function runHostileCase(
  c: HostileCase,
  tally: Tally,
): Promise<{ failures: number; ms: number }> {
  const ws = await workspace('gt-hostile-net-');
  const emu = await startEmulator(EMULATOR);
  try {
    for (const s of c.scripted ?? []) emu.scriptFault(s);
    const ids = emu.dataset.conversationIds().slice(0, 12);
    const args = [
      '--conversation',
      ...ids,
      '--out',
      ws.out,
      '--state-dir',
      ws.state,
      '--json',
      '--concurrency',
      '4',
    ];
    const first = await runCli(emu, [...args, ...LIMITS, ...(c.limits ?? [])]);
    tally.runs += 1;
    const outcome = cliOutcome(first);
    // Failed attempts a second attempt cured show in the warn log; final failures in the summary.
    const attemptCodes = [
      ...first.stderr.matchAll(/"code":"([A-Z_]+)"[^\n]*conversation attempt failed/g),
    ].map((m) => m[1]!);
    const codes = [
      ...attemptCodes,
      ...(outcome.summary?.failures ?? []).map((f) => f.code ?? 'NONE'),
      ...(outcome.runError ? [outcome.runError.code] : []),
    ];
    for (const code of codes) {
      assert.ok(c.codes.includes(code), `${c.name}: a failure coded ${code}, expected ${c.codes.join('|')}`);
      tally.addFailure(code);
    }
    assert.ok(
      codes.length >= (c.minFailures ?? 0),
      `${c.name}: the fault was not felt (${codes.length} failures)`,
    );
    for (const text of [first.stdout, first.stderr])
      assert.equal(forbiddenCharIn(text), undefined, 'a raw control character on the terminal');
    assert.equal(emu.stats().internalFetches, 0, 'the internal service was reached');
    // No oversized file anywhere: the biggest the emulator's recordings get, plus the tolerance.
    const largest = Math.max(await largestFile(ws.out), await largestFile(ws.state));
    assert.ok(largest < 2 * 1024 * 1024, `a ${largest}-byte file was left on disk`);
    tally.addFaults(emu.stats().faultsInjected);

    // The scripted faults are used up: a re-run delivers everything, byte-exact.
    let done = outcome.summary?.conversations.failed === 0 && !outcome.runError;
    for (let i = 0; i < 4 && !done; i++) {
      const again = await runCli(emu, args);
      tally.runs += 1;
      const o = cliOutcome(again);
      done = o.summary?.conversations.failed === 0 && !o.runError;
    }
    assert.ok(done, `${c.name}: not done after re-runs`);
    const verified = await verifyExport(emu, ws.out, { ids, formats: ['json', 'txt', 'vtt'] });
    tally.addVerified(verified);
    await assertContained(ws);
    tally.scenarios += 1;
    return { failures: codes.length, ms: first.ms };
  } finally {
    await emu.close();
    await rm(ws.root, { recursive: true, force: true });
  }
}
