// Dead letters: webhook deliveries that could not be made, one JSON file per delivery ID, kept
// for replay (`dlq list`, `dlq retry`). They hold transcripts, so the folder is created 0700 and
// each letter 0600 (written to a temp file, synced, renamed). A letter is removed as soon as its
// delivery ID is accepted by the receiver, by a replay or by a later export run.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { GtError } from '../errors.ts';
import { safeName } from '../util/safe-name.ts';

export interface DeadLetter {
  deliveryId: string;
  conversationId: string;
  /** The sink it was meant for (`webhook:<origin><path>`, no query: it may hold a token). */
  sink?: string;
  /** The exact JSON body, so a replay signs and sends the same bytes. */
  payload: string;
  failedAt: string;
  attempts: number;
  lastStatus: number | null;
  lastError: string;
}

export const DEAD_LETTER_FILE_MODE = 0o600;
export const DEAD_LETTER_DIR_MODE = 0o700;

const letterPath = (dir: string, deliveryId: string) => join(dir, `${safeName(deliveryId)}.json`);

export async function writeDeadLetter(dir: string, letter: DeadLetter): Promise<string> {
  await mkdir(dir, { recursive: true, mode: DEAD_LETTER_DIR_MODE });
  // mkdir's mode is cut by the umask and ignored for an existing folder: set it.
  await chmod(dir, DEAD_LETTER_DIR_MODE);
  const path = letterPath(dir, letter.deliveryId);
  const tmp = `${path}.tmp-${randomBytes(4).toString('hex')}`;
  const fh = await open(tmp, 'wx', DEAD_LETTER_FILE_MODE);
  try {
    await fh.writeFile(`${JSON.stringify(letter, null, 2)}\n`);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  return path;
}

/** Removes the letter of `deliveryId`, if there is one (its delivery has just been accepted). */
export async function removeDeadLetter(dir: string, deliveryId: string): Promise<void> {
  await rm(letterPath(dir, deliveryId), { force: true });
}

/** Every letter in `dir` (oldest name first); a folder that does not exist holds none. */
export async function listDeadLetters(dir: string): Promise<{ path: string; letter: DeadLetter }[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out = [];
  for (const name of names) {
    const path = join(dir, name);
    try {
      out.push({ path, letter: JSON.parse(await readFile(path, 'utf8')) as DeadLetter });
    } catch {
      throw new GtError('SINK_FAILED', `dead letter ${name} is not readable JSON`, { path });
    }
  }
  return out;
}
