// What a worker killed with SIGKILL leaves behind: its per-process state folder
// <stateDir>/workers/<host>-<pid>/ — checkpoint, audit log, dead letters and, in staging/, partial
// downloads (customer audio) of the jobs it had in flight. BullMQ gives those jobs to another
// worker; the folder would stay for good. A starting worker adopts the leftovers of every dead
// worker of its own host (a pid that no longer runs; other hosts' folders are theirs to adopt):
//   - staging/ is removed (partial files: nothing in it is delivered, the job is redone);
//   - dead letters move into the adopting worker's folder for the same OAuth client, so `dlq`
//     finds them there;
//   - the rest (audit log, checkpoint) is kept under <stateDir>/workers/adopted/<host>-<pid>/: the
//     audit trail of what that worker did is never deleted.
import { hostname } from 'node:os';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { safeName } from '../util/safe-name.ts';

export const ADOPTED_DIR = 'adopted';

export interface AdoptedWorker {
  worker: string;
  /** Partial files removed from its staging folders. */
  removedFiles: number;
  removedBytes: number;
  /** Dead letters moved to the adopting worker. */
  deadLetters: number;
}

/** The folder name of this process under <stateDir>/workers. */
export function workerDirName(pid = process.pid, host = hostname()): string {
  return `${safeName(host)}-${pid}`;
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, it is just not ours to signal.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function tally(dir: string): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])) {
    if (!e.isFile()) continue;
    files += 1;
    bytes += (await stat(join(e.parentPath, e.name)).catch(() => ({ size: 0 }))).size;
  }
  return { files, bytes };
}

/**
 * Adopts the leftovers of dead workers of this host under `<stateDir>/workers`, moving their dead
 * letters into `self` (this worker's folder). Returns what was adopted.
 */
export async function adoptLeftovers(
  stateDir: string,
  self: string = workerDirName(),
  isRunning: (pid: number) => boolean = running,
): Promise<AdoptedWorker[]> {
  const workers = join(stateDir, 'workers');
  const prefix = `${safeName(hostname())}-`;
  const adopted: AdoptedWorker[] = [];
  for (const name of await readdir(workers).catch(() => [] as string[])) {
    if (name === self || name === ADOPTED_DIR || !name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length));
    if (!Number.isInteger(pid) || pid <= 0 || isRunning(pid)) continue;
    const dir = join(workers, name);
    const result: AdoptedWorker = { worker: name, removedFiles: 0, removedBytes: 0, deadLetters: 0 };
    // One subfolder per OAuth client (safeName of its ID), each a runtime's state folder.
    for (const client of await readdir(dir).catch(() => [] as string[])) {
      const staging = join(dir, client, 'staging');
      const partial = await tally(staging);
      await rm(staging, { recursive: true, force: true });
      result.removedFiles += partial.files;
      result.removedBytes += partial.bytes;
      const letters = join(dir, client, 'dead-letters');
      const names = await readdir(letters).catch(() => [] as string[]);
      if (names.length > 0) {
        const target = join(workers, self, client, 'dead-letters');
        await mkdir(target, { recursive: true, mode: 0o700 });
        for (const letter of names.filter((n) => n.endsWith('.json'))) {
          await rename(join(letters, letter), join(target, letter));
          result.deadLetters += 1;
        }
      }
    }
    await mkdir(join(workers, ADOPTED_DIR), { recursive: true, mode: 0o700 });
    await rename(dir, join(workers, ADOPTED_DIR, name));
    adopted.push(result);
  }
  return adopted;
}
