// Runs the real CLI (`genesys-transcripts export`) as a child process against an emulator, with
// the client secret in the environment (never a flag), optionally killed with SIGKILL after a
// delay. Captures stdout and stderr for the leak and error checks.
import { spawn } from 'node:child_process';
import type { RunningEmulator } from '../../../src/emulator/index.ts';
import { WEBHOOK_SECRET } from './receiver.ts';
import { connectionArgs } from '../../helpers/emulator.ts';

const CLI = new URL('../../../bin/genesys-transcripts.js', import.meta.url).pathname;

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  killed: boolean;
  stdout: string;
  stderr: string;
  ms: number;
}

export { connectionArgs };

export function runCli(
  emu: RunningEmulator,
  args: readonly string[],
  o: { killAfterMs?: number; env?: Record<string, string> } = {},
): Promise<CliRun> {
  const started = Date.now();
  const child = spawn(process.execPath, [CLI, 'export', ...connectionArgs(emu), ...args], {
    env: {
      ...process.env,
      GENESYSCLOUD_OAUTHCLIENT_SECRET: emu.clientSecret,
      GT_WEBHOOK_SECRET: WEBHOOK_SECRET,
      ...o.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  let killed = false;
  const timer =
    o.killAfterMs !== undefined
      ? setTimeout(() => {
          killed = child.exitCode === null && child.kill('SIGKILL');
        }, o.killAfterMs)
      : undefined;
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({
        code,
        signal,
        killed: killed && signal === 'SIGKILL',
        stdout,
        stderr,
        ms: Date.now() - started,
      });
    });
  });
}
