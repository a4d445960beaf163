// An abortable wait that fails with our typed ABORTED error, so callers see one error shape
// whether a request or a wait between requests was cancelled.
import { setTimeout as delay } from 'node:timers/promises';
import { GtError } from '../errors.ts';

export async function sleep(ms: number, signal?: AbortSignal, message = 'aborted'): Promise<void> {
  try {
    await delay(ms, undefined, signal ? { signal } : {});
  } catch (err) {
    if (signal?.aborted) throw new GtError('ABORTED', message, {}, { cause: err });
    throw err;
  }
}
