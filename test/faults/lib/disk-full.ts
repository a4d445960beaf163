// Runs the full-disk scenario (disk-full-child.ts) in a private mount namespace, so the tmpfs it
// mounts disappears with it whatever happens: as root with `unshare --mount`, otherwise in a user
// namespace (`unshare --user --map-root-user --mount`) where an unprivileged user may mount a
// tmpfs. When neither is allowed (no unshare, user namespaces disabled), the scenario is skipped
// with the reason: a real size-capped filesystem is the point, a simulated ENOSPC is not the same.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CHILD = new URL('./disk-full-child.ts', import.meta.url).pathname;

export interface DiskFullResult {
  ok: true;
  firstRunCodes: string[];
  firstRunExit: number;
  firstRunError?: string;
  deliveredBeforeFull: number;
  verified: { conversations: number; recordings: number; transcripts: number; files: number };
  faults: Record<string, number>;
}

function namespaceArgs(): string[] {
  return process.getuid?.() === 0
    ? ['--mount', '--propagation', 'private']
    : ['--user', '--map-root-user', '--mount', '--propagation', 'private'];
}

/** Why a private tmpfs cannot be mounted here, or undefined when it can. */
export function cannotMount(): string | undefined {
  const probe = spawnSync(
    'unshare',
    [
      ...namespaceArgs(),
      'sh',
      '-c',
      'd=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs "$d" && umount "$d" && rmdir "$d"',
    ],
    { encoding: 'utf8' },
  );
  if (probe.error) return `unshare is not available (${(probe.error as NodeJS.ErrnoException).code})`;
  if (probe.status !== 0)
    return `cannot mount a tmpfs in a private namespace: ${probe.stderr.trim().slice(0, 200)}`;
  return undefined;
}

export async function runDiskFull(target: 'out' | 'state'): Promise<DiskFullResult> {
  const work = await mkdtemp(join(tmpdir(), `gt-diskfull-${target}-`));
  try {
    const child = spawn('unshare', [...namespaceArgs(), process.execPath, CHILD, work, target], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    if (code !== 0)
      throw new Error(`full-disk scenario (${target}) failed, exit ${code}:\n${stderr.slice(-4000)}`);
    return JSON.parse(stdout.trim().split('\n').at(-1)!) as DiskFullResult;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
