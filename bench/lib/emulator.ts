// Starts the in-repo Genesys emulator for a benchmark, and counts what a contender cost it.
import type { EmulatorOptions, EmulatorStats, RunningEmulator } from '../../src/emulator/types.ts';

const EMULATOR = new URL('../../src/emulator/index.ts', import.meta.url).href;

export async function startBenchEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  let mod: { startEmulator(o: EmulatorOptions): Promise<RunningEmulator> };
  try {
    // A variable specifier: the typecheck must not depend on a module another engineer is writing.
    mod = (await import(EMULATOR)) as typeof mod;
  } catch (err) {
    throw new Error(`cannot load the emulator (src/emulator/index.ts): ${(err as Error).message}`, {
      cause: err,
    });
  }
  return mod.startEmulator(options);
}

/** Routes that are not Platform API calls: the token (login host) and pre-signed object fetches. */
const NOT_API = new Set(['oauth.token', 'signed.media', 'signed.transcript']);

/** What the emulator saw: API calls (every /api/v2 request, 429s included), 429s, tokens, bytes. */
export function apiCost(stats: EmulatorStats): {
  apiCalls: number;
  rateLimited: number;
  tokens: number;
  signedFetches: number;
} {
  let apiCalls = 0;
  let signedFetches = 0;
  for (const [route, byStatus] of Object.entries(stats.requests)) {
    const n = Object.values(byStatus).reduce((a, b) => a + b, 0);
    if (route.startsWith('signed.')) signedFetches += n;
    else if (!NOT_API.has(route)) apiCalls += n;
  }
  return { apiCalls, rateLimited: stats.rateLimited, tokens: stats.tokensIssued, signedFetches };
}

/** Connection details a child process needs; the secret travels in the environment, not argv. */
export interface EmulatorEndpoint {
  apiUrl: string;
  loginUrl: string;
  clientId: string;
  interval: string;
}

export const SECRET_ENV = 'GENESYSCLOUD_OAUTHCLIENT_SECRET';

export function endpointOf(emu: RunningEmulator): {
  endpoint: EmulatorEndpoint;
  env: Record<string, string>;
} {
  return {
    endpoint: { apiUrl: emu.baseUrl, loginUrl: emu.loginUrl, clientId: emu.clientId, interval: emu.interval },
    env: { [SECRET_ENV]: emu.clientSecret },
  };
}
