// Counters behind GET /__emulator/stats: per route and status, 429s, bytes, faults, per client.
import type { EmulatorStats } from '../types.ts';

const MAX_TIMES = 200_000;

export class StatsCollector {
  private s: EmulatorStats = StatsCollector.empty();

  static empty(): EmulatorStats {
    return {
      requests: {},
      totalRequests: 0,
      rateLimited: 0,
      bytesServed: 0,
      faultsInjected: {},
      tokensIssued: 0,
      internalFetches: 0,
      perClient: {},
      apiRequestTimes: {},
    };
  }

  response(route: string, status: number | string): void {
    const byStatus = (this.s.requests[route] ??= {});
    byStatus[String(status)] = (byStatus[String(status)] ?? 0) + 1;
    this.s.totalRequests += 1;
  }

  apiRequest(clientId: string, at: number, limited: boolean, inWindow: number): void {
    const c = (this.s.perClient[clientId] ??= { requests: 0, rateLimited: 0, maxInWindow: 0 });
    c.requests += 1;
    if (limited) {
      c.rateLimited += 1;
      this.s.rateLimited += 1;
    }
    c.maxInWindow = Math.max(c.maxInWindow, inWindow);
    const times = (this.s.apiRequestTimes[clientId] ??= []);
    if (times.length < MAX_TIMES) times.push(at);
  }

  fault(kind: string): void {
    this.s.faultsInjected[kind] = (this.s.faultsInjected[kind] ?? 0) + 1;
  }

  bytes(n: number): void {
    this.s.bytesServed += n;
  }

  internalFetch(): void {
    this.s.internalFetches += 1;
  }

  tokenIssued(): void {
    this.s.tokensIssued += 1;
  }

  snapshot(): EmulatorStats {
    return structuredClone(this.s);
  }

  reset(): void {
    this.s = StatsCollector.empty();
  }
}
