// Real `genesys-transcripts worker` processes (the CLI, Node 24 via process.execPath) for the
// end-to-end test and the benchmark. A worker logs pino JSON on stderr; "worker started" means it
// listens on the queue, "conversation exported" names each job it completed.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const BIN = fileURLToPath(new URL('../../bin/genesys-transcripts.js', import.meta.url));

export interface CliWorker {
  tag: string;
  proc: ChildProcess;
  /** Exit code (null when killed by a signal) and signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Conversation IDs this worker logged as completed, in order. */
  completed(): string[];
  /** The last part of its stderr (for assertion messages). */
  stderrTail(): string;
}

const TAIL = 8000;

/** Starts `genesys-transcripts worker <args>` and resolves once it logged "worker started". */
export async function spawnCliWorker(
  tag: string,
  args: readonly string[],
  env: Record<string, string>,
): Promise<CliWorker> {
  const level = args[args.indexOf('--log-level') + 1];
  if (args.includes('--log-level') && !['info', 'debug', 'trace'].includes(level ?? '')) {
    throw new Error(
      'spawnCliWorker reads the info logs ("worker started", "conversation exported"): --log-level must be info or lower',
    );
  }
  const proc = spawn(process.execPath, [BIN, 'worker', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = once(proc, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  const completed: string[] = [];
  let tail = '';
  let partial = '';
  let started = false;
  let onStarted: (() => void) | undefined;
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-TAIL);
    const lines = (partial + chunk).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      let entry: { msg?: string; conversationId?: string };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        continue;
      }
      if (entry.msg === 'conversation exported' && entry.conversationId) completed.push(entry.conversationId);
      if (entry.msg === 'worker started') {
        started = true;
        onStarted?.();
      }
    }
  });
  await new Promise<void>((resolve, reject) => {
    if (started) return resolve();
    onStarted = resolve;
    void exited.then(({ code, signal }) =>
      reject(new Error(`worker ${tag} exited (${code ?? signal}) before it started:\n${tail}`)),
    );
  });
  return { tag, proc, exited, completed: () => [...completed], stderrTail: () => tail };
}

/** SIGTERM (graceful: finish in-flight jobs) to every worker still running; waits for all. */
export async function stopWorkers(workers: readonly CliWorker[]): Promise<void> {
  await Promise.all(
    workers.map(async (w) => {
      if (w.proc.exitCode === null && w.proc.signalCode === null) w.proc.kill('SIGTERM');
      await w.exited;
    }),
  );
}

const execFileP = promisify(execFile);

/** Runs another CLI command to completion; resolves with stdout, or rejects with stderr and the exit code. */
export async function runCli(args: readonly string[], env: Record<string, string>): Promise<string> {
  try {
    const { stdout } = await execFileP(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } });
    return stdout;
  } catch (err) {
    const e = err as { code?: number; stderr?: string };
    throw new Error(`genesys-transcripts ${args[0]} exited ${e.code}:\n${e.stderr ?? ''}`, { cause: err });
  }
}

/**
 * The Redis/queue flags every queue CLI (enqueue, worker, queue-status) takes for one emulator:
 * writes the client config (its budget known up front, so the limiter never learns it from a 429)
 * into `dir` and returns the flags that point at it.
 */
export function queueCliArgs(opts: {
  dir: string;
  emu: { baseUrl: string; loginUrl: string; clientId: string };
  rateLimitPerMinute: number;
  redisUrl: string;
  prefix: string;
  windowMs: number;
}): string[] {
  const configFile = join(opts.dir, 'genesys.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      apiUrl: opts.emu.baseUrl,
      loginUrl: opts.emu.loginUrl,
      clientId: opts.emu.clientId,
      rateLimitPerMinute: opts.rateLimitPerMinute,
    }),
  );
  return [
    '--config',
    configFile,
    '--redis',
    opts.redisUrl,
    '--prefix',
    opts.prefix,
    '--rate-window-ms',
    String(opts.windowMs),
  ];
}
