// The fault step every handler takes before answering: draw the request's fault, count it, pause
// for 'slow', and the error replies that stand in for the route's answer (5xx, 503, expire).
import type { RouteName } from '../types.ts';
import type { AppParts } from './context.ts';
import type { Fault, FaultTarget } from './faults.ts';
import { errorReply, type Reply } from './http.ts';
import { isTamper } from './tamper.ts';

export const SLOW_MS = 2000;

/** A sleep that does not keep a closing process alive. */
export function pause(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}

/**
 * The fault for this request, counted unless it is a hostile reply (those are counted once they
 * changed something), after the 'slow' pause when it is one.
 */
export async function takeFault(
  parts: Pick<AppParts, 'faults' | 'stats'>,
  route: RouteName,
  target: boolean | FaultTarget,
): Promise<Fault | undefined> {
  const fault = parts.faults.next(route, target);
  if (fault && !isTamper(fault.kind)) parts.stats.fault(fault.kind);
  if (fault?.kind === 'slow') await pause(SLOW_MS);
  return fault;
}

/** The error a fault answers instead of the route (5xx, 503, expire), or undefined. */
export function faultReply(fault: Fault): Reply | undefined {
  switch (fault.kind) {
    case '5xx': {
      const status = fault.status ?? 500;
      const code =
        status === 502 ? 'bad.gateway' : status === 504 ? 'gateway.timeout' : 'internal.server.error';
      return errorReply(status, code, 'The server encountered an unexpected error.');
    }
    case '503':
      return errorReply(503, 'service.unavailable', 'Service temporarily unavailable.', {
        'retry-after': '1',
      });
    case 'expire':
      return errorReply(401, 'bad.credentials', 'Invalid login credentials.');
    default:
      return undefined;
  }
}
