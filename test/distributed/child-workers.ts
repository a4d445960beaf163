// Spawns worker-child.ts processes (Node 24 via process.execPath) and waits until they listen.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./fixtures/worker-child.ts', import.meta.url));

export interface ChildWorker {
  proc: ChildProcess;
  exited: Promise<number | null>;
  stderr(): string;
}

export async function spawnWorker(env: Record<string, string>): Promise<ChildWorker> {
  const proc = spawn(process.execPath, [CHILD], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d) => (err += String(d)));
  const exited = once(proc, 'exit').then(([code]) => code as number | null);
  let out = '';
  await new Promise<void>((resolve, reject) => {
    proc.stdout!.on('data', (d) => {
      out += String(d);
      if (out.includes('ready')) resolve();
    });
    void exited.then((code) => reject(new Error(`worker exited with ${code} before it was ready:\n${err}`)));
  });
  return { proc, exited, stderr: () => err };
}

/** Lines "conversationId tag" appended by the children. */
export function readDeliveries(file: string): { id: string; tag: string }[] {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [id, tag] = l.split(' ');
      return { id: id!, tag: tag! };
    });
}

export function stopAll(workers: ChildWorker[]): Promise<unknown> {
  return Promise.all(
    workers.map(async (w) => {
      if (w.proc.exitCode === null && w.proc.signalCode === null) w.proc.kill('SIGTERM');
      await w.exited;
    }),
  );
}
