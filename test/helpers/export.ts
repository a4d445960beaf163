// Shared by the export tests: a config for an emulator, and the files under a folder.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunningEmulator } from '../../src/emulator/index.ts';
import { loadConfig } from '../../src/config/index.ts';

export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(join(e.parentPath, e.name));
  }
  return out.sort();
}

export function configFor(emu: RunningEmulator) {
  return loadConfig({
    flags: { apiUrl: emu.baseUrl, loginUrl: emu.loginUrl, clientId: emu.clientId },
    env: { GENESYSCLOUD_OAUTHCLIENT_SECRET: emu.clientSecret },
  });
}
