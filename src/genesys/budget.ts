// The budget a rate limiter paces to, per OAuth client and window. Genesys announces a client's
// budget in inin-ratelimit-allowed (300/min by default, more on request); the operator may cap it
// (`--rate-limit N`, config rateLimitPerMinute) because other applications share the client:
//
//   effective = min(ceiling, announced − headroom)        headroom = ⌊announced × 5 %⌋ by default
//
// The headroom is kept even without a ceiling, so an integration that shares the OAuth client (a
// WFM sync, a CRM connector) never finds the window emptied by an export. Before the first answer
// the limiter assumes Genesys' default (300) under the same rule. A server that announces nothing
// at all (a gateway that strips the headers, a test double) is not paced beyond the ceiling:
// pacing to a guess there only adds idle time, and a 429's Retry-After still pauses the client.
export const ASSUMED_PER_MINUTE = 300;
export const DEFAULT_HEADROOM = 0.05;

export interface BudgetPolicy {
  /** Never more than this per window, whatever Genesys announces. */
  ceiling?: number | undefined;
  /** Fraction of the announced budget left unused (0 ≤ headroom < 1; default 5 %). */
  headroom?: number | undefined;
}

/** Requests per window left to us when Genesys announces `announced`. Always at least 1. */
export function effectiveBudget(announced: number, policy: BudgetPolicy = {}): number {
  const headroom = policy.headroom ?? DEFAULT_HEADROOM;
  const afterHeadroom = announced - Math.floor(announced * headroom);
  return Math.max(1, Math.min(policy.ceiling ?? Infinity, afterHeadroom));
}

/** The budget when the server has said nothing about it: the ceiling, else no pacing. */
export function unannouncedBudget(policy: BudgetPolicy = {}): number {
  return policy.ceiling ?? Infinity;
}

/** A valid ceiling or headroom, or a USAGE-worthy description of what is wrong. */
export function checkPolicy(policy: BudgetPolicy): string | undefined {
  const { ceiling, headroom } = policy;
  if (ceiling !== undefined && !(Number.isInteger(ceiling) && ceiling >= 1))
    return `rate limit must be a whole number of requests ≥ 1 (got ${ceiling})`;
  if (headroom !== undefined && !(headroom >= 0 && headroom < 1))
    return `rate headroom must be a fraction from 0 to below 1 (got ${headroom})`;
  return undefined;
}
