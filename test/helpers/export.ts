// Shared by the export tests: a config for an emulator, one library export run, the files under a folder.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunningEmulator } from '../../src/emulator/index.ts';
import { configFor } from './emulator.ts';
import { Exporter } from '../../src/pipeline/exporter.ts';
import type { ExportOptionsInput } from '../../src/pipeline/options.ts';

/** Every file under `dir`, sorted; none when it does not exist. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  try {
    for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
      if (e.isFile()) out.push(join(e.parentPath, e.name));
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return out.sort();
}

export { configFor };

/** One export through the library over the emulator's whole interval; every result and the summary. */
export async function runExport(
  emu: RunningEmulator,
  options: Partial<ExportOptionsInput> & { outDir: string; stateDir: string },
) {
  const exporter = new Exporter(
    { selection: { interval: emu.interval }, ...options },
    { config: configFor(emu) },
  );
  const results = [];
  for await (const r of exporter.run()) results.push(r);
  return { results, summary: exporter.summary() };
}
