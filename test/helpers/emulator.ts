// Starts the in-repo Genesys emulator for a test and builds a GenesysConfig pointing at it.
// Every emulator-backed test uses this, so the close() is never forgotten.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { loadConfig, type GenesysConfig } from '../../src/config/index.ts';
import type { EmulatorOptions, RunningEmulator } from '../../src/emulator/index.ts';

export interface TestEmulator {
  emu: RunningEmulator;
  config: GenesysConfig;
}

export async function startTestEmulator(
  t: TestContext,
  options: EmulatorOptions = {},
): Promise<TestEmulator> {
  const { startEmulator } = await import('../../src/emulator/index.ts');
  const emu = await startEmulator(options);
  t.after(() => emu.close());
  return { emu, config: configFor(emu) };
}

/** A GenesysConfig pointing at a running emulator (the secret comes the way a user's does: env). */
export function configFor(emu: RunningEmulator): GenesysConfig {
  return loadConfig({
    flags: { apiUrl: emu.baseUrl, loginUrl: emu.loginUrl, clientId: emu.clientId },
    env: { GENESYSCLOUD_OAUTHCLIENT_SECRET: emu.clientSecret },
  });
}

/** A fresh temporary folder, removed when the test ends. */
export async function tempWorkdir(t: TestContext, prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}
