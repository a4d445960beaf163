// Starts the in-repo Genesys emulator for a test and builds a GenesysConfig pointing at it.
// Every emulator-backed test uses this, so the close() is never forgotten.
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
  const config = loadConfig({
    flags: { apiUrl: emu.baseUrl, loginUrl: emu.loginUrl, clientId: emu.clientId },
    env: { GENESYSCLOUD_OAUTHCLIENT_SECRET: emu.clientSecret },
  });
  return { emu, config };
}
