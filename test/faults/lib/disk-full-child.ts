// The full-disk scenario, run as its own process inside a private mount namespace (see
// disk-full.ts): mounts a size-capped tmpfs, fills it to leave `room` bytes, exports onto it with
// the real CLI until the disk is full, checks the failure is a clear DISK_FULL with a non-zero exit
// and that nothing corrupt was delivered, frees the space, re-runs and checks everything is there.
// Usage: node disk-full-child.ts <workdir> <out|state>; prints one JSON line with the counts.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startEmulator } from '../../../src/emulator/index.ts';
import { verifyAuditFile } from '../../../src/pipeline/audit.ts';
import { runCli } from './cli.ts';
import { leaksIn } from './logs.ts';
import {
  conversationDir,
  conversationsIn,
  listFiles,
  verifyConversation,
  verifyExport,
  type Format,
} from './oracle.ts';
import { cliOutcome, KNOWN_CODES } from './run.ts';

const [workdir, target] = process.argv.slice(2) as [string, 'out' | 'state'];
const DAY = 86_400_000;
const TMPFS_BYTES = 4 * 1024 * 1024;
const FORMATS: Format[] = ['json', 'txt', 'vtt', 'srt'];

const disk = join(workdir, 'disk');
await mkdir(disk, { recursive: true });
execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_BYTES}`, 'tmpfs', disk]);
const emu = await startEmulator({
  seed: 4242,
  conversations: 100,
  mediaMix: { voice: 0.8, chat: 0.1, email: 0.1 },
  audioBytes: { min: 24 * 1024, max: 64 * 1024 },
  transcodeMs: 50,
  rateLimit: { perWindow: 50_000 },
  faults: '5xx=0.02,reset=0.02',
});
try {
  const out = target === 'out' ? join(disk, 'out') : join(workdir, 'out');
  const state = target === 'state' ? join(disk, 'state') : join(workdir, 'state');
  // Leave room for a few conversations, not all of them.
  const filler = join(disk, 'filler.bin');
  await writeFile(filler, Buffer.alloc(TMPFS_BYTES - (target === 'out' ? 700 : 700) * 1024));
  const from = Date.parse(emu.interval.split('/')[0]!);
  const { must, may } = conversationsIn(emu, from, from + 2 * DAY);
  const args = [
    '--from',
    new Date(from).toISOString(),
    '--to',
    new Date(from + 2 * DAY).toISOString(),
    '--out',
    out,
    '--state-dir',
    state,
    '--formats',
    'json,txt,vtt,srt',
    '--concurrency',
    '4',
    '--json',
  ];

  const full = await runCli(emu, args);
  assert.notEqual(full.code, 0, `the export filled the disk and still exited 0:\n${full.stderr}`);
  const outcome = cliOutcome(full);
  // Clear: DISK_FULL, whether it ended the run or was reported per conversation.
  const codes = [outcome.runError?.code, ...(outcome.summary?.failures ?? []).map((f) => f.code)].filter(
    Boolean,
  );
  assert.ok(codes.includes('DISK_FULL'), `no DISK_FULL among ${JSON.stringify(codes)}:\n${full.stderr}`);
  for (const c of codes) assert.ok(KNOWN_CODES.has(c!), `untyped failure ${c}`);
  assert.match(full.stderr + full.stdout, /no space left/i, 'the message says what happened');

  // Nothing corrupt delivered: every folder that has a manifest is whole and byte-exact; the
  // others hold no manifest (an interrupted delivery the next run redoes).
  const complete: string[] = [];
  for (const id of must) {
    const c = emu.dataset.conversation(id)!;
    const files = await listFiles(conversationDir(out, c.conversationStart!, id));
    if (files.some((x) => x.endsWith('/manifest.json'))) complete.push(id);
  }
  for (const id of complete) await verifyConversation(emu, out, id, FORMATS);

  // Space freed: the same command finishes the job.
  await rm(filler);
  const again = await runCli(emu, args);
  assert.equal(again.code, 0, `re-run after freeing space:\n${again.stderr}`);
  const verified = await verifyExport(emu, out, { ids: must, formats: FORMATS, alsoAllowed: may });
  // The audit chain survived the full disk (a torn last line is recovered, never a broken chain).
  const chain = await verifyAuditFile(join(state, 'audit.jsonl'));
  assert.ok(chain.ok, `audit log after a full disk: ${JSON.stringify(chain)}`);
  const audit = await readFile(join(state, 'audit.jsonl'), 'utf8').catch(() => '');
  const leaks = leaksIn([full.stdout, full.stderr, again.stdout, again.stderr, audit].join('\n'), {
    emu,
    ids: must,
  });
  assert.deepEqual(leaks, []);
  process.stdout.write(
    `${JSON.stringify({
      ok: true,
      firstRunCodes: codes,
      firstRunExit: full.code,
      firstRunError: outcome.runError?.message,
      deliveredBeforeFull: complete.length,
      verified,
      faults: emu.stats().faultsInjected,
    })}\n`,
  );
} finally {
  await emu.close();
  execFileSync('umount', [disk]);
}
