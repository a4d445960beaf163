// Runs one contender of a benchmark in its own Node process. Two reasons:
//   - peak RSS is only meaningful per process (the OS keeps the high-water mark), so each
//     contender gets a fresh one and the numbers do not include the emulator or the other side;
//   - the baseline must share no code with src/, not even modules loaded by an earlier contender.
// A bench file is both the parent and the child: started with `--child <json>` it runs that one
// task (see childMain) and sends back { result, maxRssMb } over the IPC channel.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ChildReport<T> {
  result: T;
  /** Peak resident set size of the child process, MiB (getrusage ru_maxrss). */
  maxRssMb: number;
  /** Wall time of the task inside the child, ms (excludes process start-up). */
  wallMs: number;
  /** CPU time of the task inside the child, ms: user + system, every thread of the process. */
  cpuMs: number;
}

interface ChildMessage {
  ok: boolean;
  result?: unknown;
  error?: string;
  maxRssMb?: number;
  wallMs?: number;
  cpuMs?: number;
}

const STDERR_TAIL = 4000;

/** Forks `script` (a bench file URL or path) with `--child <task>`; env adds to process.env. */
export function runChild<T>(
  script: string,
  task: unknown,
  options: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<ChildReport<T>> {
  const path = script.startsWith('file:') ? fileURLToPath(script) : script;
  return new Promise((resolve, reject) => {
    const child = fork(path, ['--child', JSON.stringify(task)], {
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    let message: ChildMessage | undefined;
    child.stderr?.on('data', (c: Buffer) => {
      stderr = (stderr + c.toString('utf8')).slice(-STDERR_TAIL);
    });
    child.on('message', (m) => {
      message = m as ChildMessage;
    });
    const timer = options.timeoutMs
      ? setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`child task timed out after ${options.timeoutMs} ms`));
        }, options.timeoutMs)
      : undefined;
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (message?.ok) {
        resolve({
          result: message.result as T,
          maxRssMb: message.maxRssMb ?? NaN,
          wallMs: message.wallMs ?? NaN,
          cpuMs: message.cpuMs ?? NaN,
        });
      } else {
        const why = message?.error ?? `exited with ${signal ?? code} before reporting`;
        reject(
          new Error(`child task failed: ${why}${stderr ? `\n--- child stderr (tail) ---\n${stderr}` : ''}`),
        );
      }
    });
  });
}

/**
 * The child side: if this process was started with `--child <json>`, runs `handler(task)`, reports
 * to the parent and returns true (the caller must then do nothing else). Otherwise returns false.
 */
export async function childMain(handler: (task: unknown) => Promise<unknown>): Promise<boolean> {
  const i = process.argv.indexOf('--child');
  if (i < 0) return false;
  const task: unknown = JSON.parse(process.argv[i + 1] ?? 'null');
  const started = performance.now();
  const cpu = process.cpuUsage();
  let reply: ChildMessage;
  try {
    const result = await handler(task);
    const used = process.cpuUsage(cpu);
    reply = {
      ok: true,
      result,
      wallMs: performance.now() - started,
      cpuMs: (used.user + used.system) / 1000,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
    };
  } catch (err) {
    reply = { ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  }
  await new Promise<void>((resolve) => process.send!(reply, () => resolve()));
  // Handles left open by a contender (keep-alive sockets, timers) must not hang the bench.
  process.exit(0);
}
