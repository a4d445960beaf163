// The rate-limit oracle for the budget test and the bench: the emulator (src/emulator) when it is
// in the tree, else the minimal budget server beside this file (same stats shape).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startBudgetServer, type BudgetServer } from './fixtures/budget-server.ts';

const EMULATOR = fileURLToPath(new URL('../../src/emulator/index.ts', import.meta.url));

export async function startBudgetOracle(options: { conversations: number; rateLimit: { perWindow: number; windowMs: number } }): Promise<BudgetServer & { kind: string }> {
  if (existsSync(EMULATOR)) {
    // A variable specifier: the typecheck must not depend on a module another engineer is writing.
    const mod = (await import(EMULATOR)) as { startEmulator(o: unknown): Promise<BudgetServer> };
    return Object.assign(await mod.startEmulator(options), { kind: 'emulator' });
  }
  return Object.assign(await startBudgetServer(options), { kind: 'budget-server' });
}
