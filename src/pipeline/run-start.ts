// The start of a run, in the order that keeps a doomed run from doing any work: the output and
// state folders are checked, the state folder's lock is taken, the checkpoint and audit log are
// opened (and checked against each other), and Genesys is asked for a token — all before the
// first analytics or recordings request.
import { resolve } from 'node:path';
import { acquireStateLock, type StateLock } from './lock.ts';
import {
  checkGenesys,
  checkWritableFolder,
  DEFAULT_CONNECTION_HINTS,
  withProxies,
  type ConnectionHints,
} from './preflight.ts';
import { createExportRuntime, type ExportRuntime, type RuntimeDeps } from './runtime.ts';
import type { ExportOptions } from './options.ts';

export interface StartDeps extends RuntimeDeps {
  names?: { outDir?: string; stateDir?: string };
  connectionHints?: ConnectionHints;
}

export async function startRun(
  options: ExportOptions,
  deps: StartDeps,
): Promise<{ runtime: ExportRuntime; lock: StateLock }> {
  // The output folder first: the state folder defaults to a folder inside it.
  if (!options.dryRun)
    checkWritableFolder({
      dir: options.outDir,
      flag: deps.names?.outDir ?? 'outDir',
      mode: options.outputDirMode,
    });
  checkWritableFolder({ dir: options.stateDir, flag: deps.names?.stateDir ?? 'stateDir', mode: 0o700 });
  const lock = acquireStateLock(resolve(options.stateDir), 'export');
  let runtime: ExportRuntime | undefined;
  try {
    runtime = await createExportRuntime(options, deps);
    const hints = withProxies(deps.connectionHints ?? DEFAULT_CONNECTION_HINTS, deps.config);
    await checkGenesys(runtime.context.client, hints, deps.signal);
    if (lock.tookOver)
      deps.logger?.warn(
        { stateDir: options.stateDir, ...lock.tookOver },
        'took over the lock of a dead export',
      );
    return { runtime, lock };
  } catch (err) {
    try {
      await runtime?.close();
    } finally {
      lock.release();
    }
    throw err;
  }
}
