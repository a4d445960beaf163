// Spawns measured-download.ts: one download in a process of its own, which reports its own memory.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { MeasuredTask, MemoryReport } from './measured-download.ts';

export type { MeasuredTask, MemoryReport };

export async function measuredDownload<T>(
  task: MeasuredTask,
  env: Record<string, string> = {},
): Promise<{ result: T; memory: MemoryReport }> {
  const child = spawn(
    process.execPath,
    ['--expose-gc', join(import.meta.dirname, 'measured-download.ts'), JSON.stringify(task)],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    },
  );
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  const line = out.trim().split('\n').at(-1) ?? '';
  if (code !== 0 || !line.startsWith('{'))
    throw new Error(`measured download exited with ${code}: ${err.slice(-2000)}`);
  return JSON.parse(line) as { result: T; memory: MemoryReport };
}
