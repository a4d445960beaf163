// Starts the in-repo Genesys emulator for a test and builds a GenesysConfig pointing at it.
// Every emulator-backed test uses this, so the close() is never forgotten.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { loadConfig, type GenesysConfig } from '../../src/config/index.ts';
import { createGenesysClient, type GenesysClient } from '../../src/genesys/transport.ts';
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

/** The CLI flags that point a command at a running emulator (the secret goes in the environment). */
export function connectionArgs(emu: RunningEmulator): string[] {
  return ['--api-url', emu.baseUrl, '--login-url', emu.loginUrl, '--client-id', emu.clientId];
}

/** A fresh temporary folder, removed when the test ends. */
export async function tempWorkdir(t: TestContext, prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * An emulator, an API client on it (fast backoff, closed at the end) and a temporary folder: what
 * the fetch tests against the emulator start from.
 */
export async function startTestClient(
  t: TestContext,
  options: EmulatorOptions,
  prefix: string,
): Promise<{ emu: RunningEmulator; client: GenesysClient; dir: string }> {
  const { emu, config } = await startTestEmulator(t, options);
  const client = createGenesysClient(config, { backoff: { baseMs: 5, capMs: 50 } });
  t.after(() => client.close());
  return { emu, client, dir: await tempWorkdir(t, prefix) };
}
