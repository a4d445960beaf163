// The CLI as a user runs it: the package's bin in a child process, stdout and stderr captured,
// and the shape every expected failure must have (one line naming the fix, exit 2, no stack).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/genesys-transcripts.js', import.meta.url));

export interface CliResult {
  /** Exit code; null when the process was killed (see `killAfterMs`). */
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Written to the command's stdin, which is then closed (stdin is empty otherwise). */
  stdin?: string;
  /** A generous kill-after, so that a hanging command fails its test instead of hanging it. */
  killAfterMs?: number;
}

export function runCli(args: readonly string[], o: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: o.cwd,
      env: o.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer =
      o.killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), o.killAfterMs);
    child.on('error', reject);
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(o.stdin ?? '');
  });
}

/** Exit 2 with exactly one line on stderr that matches every pattern (a string: contains it), and
 * no stack trace. */
export function assertOneLineError(r: CliResult, ...patterns: readonly (string | RegExp)[]): void {
  assert.equal(r.code, 2, r.stderr);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  for (const p of patterns) {
    if (typeof p === 'string') assert.ok(lines[0]!.includes(p), `${JSON.stringify(p)} not in: ${lines[0]}`);
    else assert.match(lines[0]!, p);
  }
  assert.doesNotMatch(r.stderr, /\n\s+at /);
}
