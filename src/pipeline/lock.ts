// One exporter per state folder. Two runs sharing a checkpoint and an audit log would interleave
// their audit entries (the chain breaks for good) and race on staging files, so a run takes
// `<stateDir>/lock` before it opens either, and gives it back when it ends.
//
// The lock is a small JSON file created with O_EXCL (atomic on local filesystems): pid, host and
// start time of the holder. A lock whose holder process is gone (kill -9, a power cut) is stale
// and taken over; on another host we cannot tell whether the holder lives, so that is refused with
// the holder named (remove the file by hand when you know it is dead).
import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { GtError } from '../errors.ts';

export const LOCK_NAME = 'lock';

export interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
  command?: string;
}

export interface StateLock {
  readonly path: string;
  readonly holder: LockHolder;
  /** The stale lock this one replaced, if any (for the log). */
  readonly tookOver?: LockHolder;
  release(): void;
}

/** True when a process with this pid exists (EPERM: it exists but belongs to someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(path: string): LockHolder | undefined {
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockHolder>;
    if (typeof v.pid === 'number' && typeof v.host === 'string' && typeof v.startedAt === 'string')
      return v as LockHolder;
  } catch {
    // Unreadable or half-written: handled by the caller as "unknown holder".
  }
  return undefined;
}

function isStale(h: LockHolder | undefined): boolean {
  // A lock file without a readable holder was torn by a crash between create and write.
  if (!h) return true;
  return h.host === hostname() && h.pid !== process.pid && !processAlive(h.pid);
}

/** The live holder of a state folder's lock, if an export is running there now. */
export function currentHolder(stateDir: string): LockHolder | undefined {
  const h = readHolder(join(stateDir, LOCK_NAME));
  return h && !isStale(h) ? h : undefined;
}

export function describeHolder(h: LockHolder): string {
  return `pid ${h.pid} on ${h.host}, started ${h.startedAt}`;
}

/**
 * Removes a stale lock without ever removing a live one: the file is moved aside first and only
 * deleted when what was moved is the stale holder we looked at; otherwise it is linked back.
 */
function removeStale(path: string, seen: LockHolder | undefined): boolean {
  const aside = `${path}.stale-${randomBytes(4).toString('hex')}`;
  try {
    renameSync(path, aside);
  } catch {
    return false; // someone else moved it first
  }
  const moved = readHolder(aside);
  if (JSON.stringify(moved) === JSON.stringify(seen) || isStale(moved)) {
    unlinkSync(aside);
    return true;
  }
  try {
    linkSync(aside, path);
  } catch {
    // A third process created a lock meanwhile: it holds it; ours to report as busy.
  }
  unlinkSync(aside);
  return false;
}

/** Takes the state folder's lock or throws STATE_LOCKED naming the holder. */
export function acquireStateLock(stateDir: string, command?: string): StateLock {
  const path = join(stateDir, LOCK_NAME);
  const me: LockHolder = {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    ...(command ? { command } : {}),
  };
  let tookOver: LockHolder | undefined;
  for (let attempt = 0; attempt < 5; attempt += 1) {
    try {
      writeFileSync(path, `${JSON.stringify(me)}\n`, { flag: 'wx', mode: 0o600 });
      return makeLock(path, me, tookOver);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = readHolder(path);
    if (!isStale(holder)) {
      throw new GtError(
        'STATE_LOCKED',
        `${stateDir} is in use by another export (${describeHolder(holder!)}); wait for it to finish, or remove ${path} if that process is gone`,
        { path, holder },
      );
    }
    if (removeStale(path, holder) && holder) tookOver = holder;
  }
  throw new GtError('STATE_LOCKED', `${stateDir}: could not take ${path} (contended)`, { path });
}

function makeLock(path: string, holder: LockHolder, tookOver: LockHolder | undefined): StateLock {
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off('exit', release);
    // Only our own lock: a file another process wrote after ours was (wrongly) removed stays.
    if (readHolder(path)?.pid === holder.pid && readHolder(path)?.startedAt === holder.startedAt) {
      try {
        unlinkSync(path);
      } catch {
        // Already gone.
      }
    }
  };
  // process.exit() (Ctrl-C in the CLI) skips finally blocks: the lock still goes.
  process.on('exit', release);
  return { path, holder, ...(tookOver ? { tookOver } : {}), release };
}
