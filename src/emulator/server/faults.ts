// Chooses which request fails and how. Scripted faults (tests) come first; random ones follow a
// PRNG seeded by faultSeed, so a given request sequence meets the same faults on every run.
import { Rng } from '../random.ts';
import type { FaultKind, RouteName } from '../types.ts';
import { isTamper, tamperApplies } from './tamper.ts';
import { hostileNetApplies, isHostileNet } from './hostile-net.ts';

export interface Fault {
  kind: FaultKind;
  status?: number;
  /** Which hostile form a tamper fault takes (ID spelling, kind of syntax error …). */
  variant?: number;
}

// Every fault kind, in rolling order. New kinds go at the end: a spec without them rolls exactly as before.
export const FAULT_KINDS: readonly FaultKind[] = [
  '5xx',
  '503',
  'reset',
  'truncate',
  'slow',
  'expire',
  'malformed',
  'huge',
  'content-type',
  'hostile-id',
  'control-chars',
  'internal-url',
  'endless',
  'trickle',
  'retry-after-long',
];

export interface FaultTarget {
  /** a pre-signed ("S3") route: may get 'expire' */
  signed: boolean;
  /** a download of binary media: of the hostile kinds only 'content-type' applies */
  binary?: boolean;
}

export class FaultPlanner {
  private readonly rates: Partial<Record<FaultKind, number>>;
  private readonly rng: Rng;
  private scripted: { route: RouteName; remaining: number; fault: Fault }[] = [];
  private variants = 0;

  constructor(rates: Partial<Record<FaultKind, number>>, seed: number) {
    this.rates = rates;
    this.rng = new Rng(seed ^ 0x5eed_fa17);
  }

  script(route: RouteName, count: number, fault: Fault): void {
    if (count > 0) this.scripted.push({ route, remaining: count, fault });
  }

  /** The fault for this request, if any. `signed` routes may get 'expire'; API routes never randomly do. */
  next(route: RouteName, target: boolean | FaultTarget): Fault | undefined {
    const { signed, binary = false } = typeof target === 'boolean' ? { signed: target } : target;
    const rule = this.scripted.find((r) => r.route === route && r.remaining > 0);
    if (rule) {
      rule.remaining -= 1;
      this.scripted = this.scripted.filter((r) => r.remaining > 0);
      // Scripted tamper faults cycle through their variants, so a test sees every hostile form.
      return (isTamper(rule.fault.kind) || isHostileNet(rule.fault.kind)) && rule.fault.variant === undefined
        ? { ...rule.fault, variant: this.variants++ }
        : rule.fault;
    }
    // Random faults never hit the token endpoint (only scripted ones do).
    if (route === 'oauth.token') return undefined;
    const roll = this.rng.next();
    let acc = 0;
    for (const kind of FAULT_KINDS) {
      const rate = this.rates[kind] ?? 0;
      if (rate <= 0 || (kind === 'expire' && !signed)) continue;
      if (isTamper(kind) && !tamperApplies(kind, route, binary)) continue;
      if (isHostileNet(kind) && !hostileNetApplies(kind, route)) continue;
      acc += rate;
      if (roll < acc) {
        if (kind === '5xx') return { kind, status: [500, 502, 504][Math.floor(this.rng.next() * 3)]! };
        if (isTamper(kind) || isHostileNet(kind))
          return { kind, variant: Math.floor(this.rng.next() * 1024) };
        return { kind };
      }
    }
    return undefined;
  }
}
