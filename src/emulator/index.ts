// The Genesys Cloud emulator: a local HTTP server speaking the real Genesys Cloud paths and JSON
// shapes (OAuth, analytics, recordings, batch downloads, STA transcripts, pre-signed downloads),
// with rate limits, faults and a deterministic dataset that doubles as the test oracle.
// It imports nothing from the product code: the SDK models (type-only) are the only shared ground.
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Dataset } from './dataset/index.ts';
import { resolveOptions } from './options.ts';
import { createApp } from './server/app.ts';
import { TokenStore } from './server/auth.ts';
import { EmulatorContext } from './server/context.ts';
import { FaultPlanner } from './server/faults.ts';
import { InternalService } from './server/hostile-net.ts';
import { FixedWindowLimiter } from './server/rate-limit.ts';
import { UrlSigner } from './server/signing.ts';
import { StatsCollector } from './server/stats.ts';
import type { EmulatorOptions, RunningEmulator } from './types.ts';

export type {
  EmulatorDataset,
  EmulatorOptions,
  EmulatorStats,
  EmulatorVariants,
  FaultKind,
  OracleRecording,
  PlantedItem,
  RouteName,
  RunningEmulator,
} from './types.ts';
export { eachVariant, parseFaultSpec, parseVariantSpec, VARIANTS } from './options.ts';

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const o = resolveOptions(options);
  const dataset = new Dataset(o);
  const secret = createHash('sha256').update(`signing:${o.seed}`).digest('hex');
  const ctx = new EmulatorContext(o, dataset, new UrlSigner(secret, o.signedUrlTtlSeconds), secret);
  const tokens = new TokenStore(o.clients, o.tokenTtlSeconds, o.tokenLifetimeSeconds);
  const limiter = o.rateLimit ? new FixedWindowLimiter(o.rateLimit.perWindow, o.rateLimit.windowMs) : null;
  const faults = new FaultPlanner(o.faults, o.faultSeed);
  const stats = new StatsCollector();
  const internal = new InternalService(() => stats.internalFetch());
  await internal.start(o.host);
  ctx.internal = internal;
  const server = createApp({ ctx, tokens, limiter, faults, stats });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = o.host.includes(':') ? `[${o.host}]` : o.host;
  const baseUrl = `http://${host}:${port}`;
  ctx.baseUrl = baseUrl;
  const first = o.clients[0]!;
  let closed: Promise<void> | undefined;
  return {
    baseUrl,
    loginUrl: baseUrl,
    clientId: first.clientId,
    clientSecret: first.clientSecret,
    interval: o.interval,
    variants: o.variants,
    statsUrl: `${baseUrl}/__emulator/stats`,
    dataset: dataset.oracle((rid) => ctx.restoreState(rid)?.state === 'RESTORED'),
    stats: () => stats.snapshot(),
    resetStats: () => stats.reset(),
    scriptFault: (rule) =>
      faults.script(rule.route, rule.count, {
        kind: rule.fault,
        ...(rule.status !== undefined ? { status: rule.status } : {}),
        ...(rule.variant !== undefined ? { variant: rule.variant } : {}),
      }),
    setClock: (iso) => {
      const t = Date.parse(iso);
      if (!Number.isFinite(t)) throw new Error(`bad emulator clock "${iso}"`);
      ctx.clockMs = t;
    },
    delayArrival: (conversationId, ms) => void ctx.arrivalDelayMs.set(conversationId, ms),
    revokeTokens: () => tokens.revokeAll(),
    issuedTokens: () => tokens.allIssued(),
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }).then(() => internal.close())),
  };
}
