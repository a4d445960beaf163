// The per-conversation runtime shared by `export` (one process) and `worker` (BullMQ): it owns
// the client, sinks, checkpoint, audit log and metrics, and exports one conversation at a time
// with checkpointed delivery (idempotent for fs and S3; at-least-once with a stable webhook-id
// for webhooks, see sinks/webhook.ts). One conversation's attempts and their record are in
// conversation-attempts.ts; this file builds what they share.
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { AnalyticsConversationWithoutAttributes } from '../sdk/models.ts';
import { createGenesysClient, type GenesysClient, type RateLimiter } from '../genesys/transport.ts';
import type { GenesysConfig } from '../config/index.ts';
import { createFsSink } from '../sinks/fs.ts';
import { createSink } from '../sinks/index.ts';
import { createReviewSink } from '../review/sink.ts';
import { adoptHome, HOME_FS_SINK, HOME_REVIEW_SINK, isHomeState } from './home.ts';
import type { Sink } from '../sinks/types.ts';
import { openState } from './state.ts';
import { ExportMetrics } from '../observe/metrics.ts';
import { silentLogger, type Logger } from '../observe/logger.ts';
import { parseRuntimeOptions, type RuntimeOptions, type RuntimeOptionsInput } from './options.ts';
import type { ConversationResult } from './conversation.ts';
import type { PipelineContext } from './context.ts';
import type { BatchAnswer } from './fetch/batch.ts';
import { wantsRecordings } from './fetch/conversation-recordings.ts';
import { ClientSpread } from './client-spread.ts';
import { exportWithAttempts } from './conversation-attempts.ts';

export interface RuntimeDeps {
  config: GenesysConfig;
  /**
   * More OAuth clients of the same org (each its own token and budget): conversations are spread
   * across all of them. Genesys counts the budget per client, so N clients export N× as fast
   * under a binding budget.
   */
  moreClients?: readonly GenesysConfig[];
  logger?: Logger;
  limiter?: RateLimiter;
  metrics?: ExportMetrics;
  /** Audit actor: who ran this (defaults to the OS user). */
  actor?: string;
  signal?: AbortSignal;
}

export interface ExportRuntime {
  readonly context: PipelineContext;
  readonly options: RuntimeOptions;
  /**
   * Exports one conversation (given by ID or as the analytics conversation already discovered),
   * with its recording batch answer when one was asked for (fetch/batch-prefetch.ts).
   */
  exportOne(
    conversation: string | AnalyticsConversationWithoutAttributes,
    batch?: BatchAnswer,
    /** The client that asked for the batch (only it may read the job again); default: the least busy. */
    client?: GenesysClient,
  ): Promise<ConversationResult>;
  /** Every OAuth client of this runtime (the first is context.client): batch jobs are spread over them. */
  readonly clients: readonly GenesysClient[];
  /** The OAuth client the next batch job goes to (round robin). */
  nextClient(): GenesysClient;
  /** Whether a discovered conversation should go into a recording batch request (not exported yet, recordings wanted). */
  wantsBatch(conversation: AnalyticsConversationWithoutAttributes): boolean;
  close(): Promise<void>;
}

export function fingerprintOf(o: RuntimeOptions): string {
  const relevant = {
    formats: [...o.formats].sort(),
    media: o.media,
    mediaFormat: o.mediaFormat,
    transcripts: o.transcripts,
    redact: o.redact,
  };
  return createHash('sha256').update(JSON.stringify(relevant)).digest('hex').slice(0, 16);
}

export async function createExportRuntime(
  input: RuntimeOptionsInput,
  deps: RuntimeDeps,
): Promise<ExportRuntime> {
  const options = parseRuntimeOptions(input);
  const logger = deps.logger ?? silentLogger();
  const metrics = deps.metrics ?? new ExportMetrics();
  const stateDir = resolve(options.stateDir);
  await mkdir(join(stateDir, 'staging'), { recursive: true, mode: 0o700 });
  const clients = createClients(deps, metrics);
  // What is open so far, closed in reverse if a later step fails (a bad --sink, say): a library
  // caller's process would otherwise keep the clients, the checkpoint and the audit log open.
  const opened: (() => unknown)[] = clients.map((c) => () => c.close());
  try {
    const { checkpoint, audit, home } = await openRuntimeState(options, stateDir, deps);
    opened.push(
      () => checkpoint.close(),
      () => audit.close(),
    );
    const context: PipelineContext = {
      client: clients[0]!,
      options,
      sinks: createSinks(options, stateDir, home, opened),
      checkpoint,
      audit,
      metrics,
      logger,
      stagingDir: join(stateDir, 'staging'),
      fingerprint: fingerprintOf(options),
      ...(deps.signal ? { signal: deps.signal } : {}),
    };
    return runtimeOver(context, clients);
  } catch (err) {
    for (const close of opened.reverse())
      await Promise.resolve()
        .then(close)
        .catch(() => undefined);
    throw err;
  }
}

/** One API client per OAuth client (the first is the context's), their requests and retries counted. */
function createClients(deps: RuntimeDeps, metrics: ExportMetrics): GenesysClient[] {
  return [deps.config, ...(deps.moreClients ?? [])].map((config) => {
    const c = createGenesysClient(config, deps.limiter ? { limiter: deps.limiter } : {});
    c.events.on('request', (e) =>
      metrics.recordApiRequest(e.family ?? 'other', e.status ?? 0, e.durationMs ?? 0),
    );
    c.events.on('retry', (e) => metrics.recordRetry(String(e.reason ?? 'unknown')));
    return c;
  });
}

/**
 * The checkpoint and audit log of the state folder. State inside the folder (the default): the
 * folder's own sinks are keyed relative to it, and an older checkpoint's absolute keys are renamed
 * so, so a moved folder is the same destination.
 */
async function openRuntimeState(options: RuntimeOptions, stateDir: string, deps: RuntimeDeps) {
  const { checkpoint, audit } = await openState(stateDir, {
    ...(options.auditHmacKey ? { hmacKey: options.auditHmacKey } : {}),
    actor: deps.actor ?? process.env.USER ?? 'unknown',
    force: options.force,
  });
  const home = isHomeState(options.outDir, stateDir);
  if (home) adoptHome(checkpoint, resolve(options.outDir));
  return { checkpoint, audit, home };
}

/**
 * The sinks in delivery order: the folder, its review pages (unless --no-review), then --sink ones.
 * Each one's close goes on `opened` as it is created.
 */
function createSinks(
  options: RuntimeOptions,
  stateDir: string,
  home: boolean,
  opened: (() => unknown)[],
): Sink[] {
  const folder = {
    root: resolve(options.outDir),
    fileMode: options.outputFileMode,
    dirMode: options.outputDirMode,
  };
  const makers: (() => Sink)[] = [
    () => createFsSink({ ...folder, ...(home ? { name: HOME_FS_SINK } : {}) }),
    ...(options.review
      ? [() => createReviewSink({ ...folder, ...(home ? { name: HOME_REVIEW_SINK } : {}) })]
      : []),
    ...options.sinks.map(
      (s) => () =>
        createSink(s, {
          deadLetterDir: join(stateDir, 'dead-letters'),
          allowInsecureWebhook: options.allowInsecureWebhook,
        }),
    ),
  ];
  return makers.map((make) => {
    const sink = make();
    opened.push(() => sink.close());
    return sink;
  });
}

/** The runtime over a built context: conversations spread over the clients, and its close. */
function runtimeOver(context: PipelineContext, clients: GenesysClient[]): ExportRuntime {
  const { options, checkpoint, audit, sinks } = context;
  const spread = new ClientSpread(clients);
  return {
    context,
    options,
    async exportOne(c, batch, via) {
      const use = via ?? spread.leastBusy();
      return spread.using(use, () =>
        exportWithAttempts(use === context.client ? context : { ...context, client: use }, c, batch),
      );
    },
    wantsBatch(c) {
      const state = checkpoint.get(c.conversationId!)?.state;
      return state !== 'done' && state !== 'skipped' && wantsRecordings(options, c);
    },
    clients,
    nextClient: () => spread.next(),
    async close() {
      await Promise.allSettled(sinks.map((s) => s.close()));
      await audit.close();
      checkpoint.close();
      await Promise.allSettled(clients.map((c) => c.close()));
    },
  };
}
