// Who may call an API route now: the bearer check, then the client's rate-limit window, reported
// with Genesys' inin-ratelimit-* headers on every answer (a 401 included).
import type { IncomingMessage } from 'node:http';
import type { AppParts } from './context.ts';
import { errorReply, tooManyRequests, type Reply } from './http.ts';

export type Admission =
  | { admitted: true; clientId: string; rateHeaders: Record<string, string> }
  | { admitted: false; refusal: Reply; rateHeaders: Record<string, string> };

/** Checks the bearer token, then takes one request from the client's window (counted in the stats). */
export function admit(parts: AppParts, req: IncomingMessage): Admission {
  const auth = parts.tokens.check(req);
  if (!auth.ok) {
    return {
      admitted: false,
      refusal: errorReply(401, 'bad.credentials', 'Invalid login credentials.'),
      rateHeaders: unauthenticatedRateHeaders(parts),
    };
  }
  return takeFromWindow(parts, auth.clientId);
}

/** A request without a valid token spends nothing: its headers show an empty, full-length window. */
function unauthenticatedRateHeaders({ ctx, limiter }: AppParts): Record<string, string> {
  if (!limiter) return {};
  return {
    'inin-ratelimit-count': '0',
    'inin-ratelimit-allowed': String(ctx.options.rateLimit!.perWindow),
    'inin-ratelimit-reset': String(Math.ceil(ctx.options.rateLimit!.windowMs / 1000)),
  };
}

function takeFromWindow({ limiter, stats }: AppParts, clientId: string): Admission {
  const now = Date.now();
  if (!limiter) {
    stats.apiRequest(clientId, now, false, 0);
    return { admitted: true, clientId, rateHeaders: {} };
  }
  const d = limiter.take(clientId, now);
  stats.apiRequest(clientId, now, !d.allowed, d.countInWindow);
  if (d.allowed) return { admitted: true, clientId, rateHeaders: d.headers };
  return { admitted: false, refusal: tooManyRequests(d.retryAfterSeconds!), rateHeaders: d.headers };
}
