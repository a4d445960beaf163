// Chooses which request fails and how. Scripted faults (tests) come first; random ones follow a
// PRNG seeded by faultSeed, so a given request sequence meets the same faults on every run.
import { Rng } from '../random.ts';
import type { FaultKind, RouteName } from '../types.ts';

export interface Fault {
  kind: FaultKind;
  status?: number;
}

const ORDER: readonly FaultKind[] = ['5xx', '503', 'reset', 'truncate', 'slow', 'expire'];

export class FaultPlanner {
  private readonly rates: Partial<Record<FaultKind, number>>;
  private readonly rng: Rng;
  private scripted: { route: RouteName; remaining: number; fault: Fault }[] = [];

  constructor(rates: Partial<Record<FaultKind, number>>, seed: number) {
    this.rates = rates;
    this.rng = new Rng(seed ^ 0x5eed_fa17);
  }

  script(route: RouteName, count: number, fault: Fault): void {
    if (count > 0) this.scripted.push({ route, remaining: count, fault });
  }

  /** The fault for this request, if any. `signed` routes may get 'expire'; API routes never randomly do. */
  next(route: RouteName, signed: boolean): Fault | undefined {
    const rule = this.scripted.find((r) => r.route === route && r.remaining > 0);
    if (rule) {
      rule.remaining -= 1;
      this.scripted = this.scripted.filter((r) => r.remaining > 0);
      return rule.fault;
    }
    // Random faults never hit the token endpoint (only scripted ones do).
    if (route === 'oauth.token') return undefined;
    const roll = this.rng.next();
    let acc = 0;
    for (const kind of ORDER) {
      const rate = this.rates[kind] ?? 0;
      if (rate <= 0 || (kind === 'expire' && !signed)) continue;
      acc += rate;
      if (roll < acc) {
        if (kind === '5xx') return { kind, status: [500, 502, 504][Math.floor(this.rng.next() * 3)]! };
        return { kind };
      }
    }
    return undefined;
  }
}
