// The CLI as an operator runs it: a child process in a working directory, the secret in the
// environment, connection flags for a running emulator.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import type { RunningEmulator } from '../../src/emulator/index.ts';
import { connectionArgs } from '../helpers/emulator.ts';
import { listFiles } from '../helpers/export.ts';

const BIN = new URL('../../bin/genesys-transcripts.js', import.meta.url).pathname;

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function cli(args: string[], o: { cwd?: string; env?: Record<string, string> } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      ...(o.cwd ? { cwd: o.cwd } : {}),
      env: { ...process.env, ...o.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `export` against a running emulator over its whole interval, plus `args`. */
export function exportCli(emu: RunningEmulator, args: string[], cwd?: string): Promise<Run> {
  const [from, to] = emu.interval.split('/');
  return cli(['export', ...connectionArgs(emu), '--from', from!, '--to', to!, '--json', ...args], {
    ...(cwd ? { cwd } : {}),
    env: { GENESYSCLOUD_OAUTHCLIENT_SECRET: emu.clientSecret },
  });
}

/** Relative path → sha256 of every file in the conversation folders (YYYY/MM/DD/<id>/…). */
export async function tree(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const f of await listFiles(dir)) {
    const rel = relative(dir, f);
    // Conversation folders only: not the state, nor the review pages rebuilt by every run.
    if (!/^\d{4}\//.test(rel)) continue;
    out.set(
      rel,
      createHash('sha256')
        .update(await readFile(f))
        .digest('hex'),
    );
  }
  return out;
}
