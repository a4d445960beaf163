// The per-conversation runtime shared by `export` (one process) and `worker` (BullMQ): it owns
// the client, sinks, checkpoint, audit log and metrics, and exports one conversation at a time
// with checkpointed delivery (idempotent for fs and S3; at-least-once with a stable webhook-id
// for webhooks, see sinks/webhook.ts).
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { AnalyticsConversationWithoutAttributes } from '../sdk/models.ts';
import { asDiskFull, GtError, isGtError, type ErrorCode } from '../errors.ts';
import { createGenesysClient, type GenesysClient, type RateLimiter } from '../genesys/transport.ts';
import type { GenesysConfig } from '../config/index.ts';
import { getConversationDetails } from '../genesys/endpoints/analytics.ts';
import { createFsSink } from '../sinks/fs.ts';
import { createSink } from '../sinks/index.ts';
import { createReviewSink } from '../review/sink.ts';
import { adoptHome, HOME_FS_SINK, HOME_REVIEW_SINK, isHomeState } from './home.ts';
import type { Sink } from '../sinks/types.ts';
import { openState } from './state.ts';
import { reopenForDestinations } from './destinations.ts';
import { ExportMetrics } from '../observe/metrics.ts';
import { silentLogger, type Logger } from '../observe/logger.ts';
import { parseRuntimeOptions, type RuntimeOptions, type RuntimeOptionsInput } from './options.ts';
import { emptyResult, exportConversation, type ConversationResult } from './conversation.ts';
import type { PipelineContext } from './context.ts';
import type { BatchAnswer } from './fetch/batch.ts';
import { wantsRecordings } from './fetch/conversation-recordings.ts';
import { ClientSpread } from './client-spread.ts';
import { conversationDeadline } from './deadline.ts';

/** Failures that will hit every following conversation too: stop the run instead of burning through it. */
const FATAL: ReadonlySet<ErrorCode> = new Set(['AUTH_FAILED', 'CONFIG_INVALID', 'DISK_FULL', 'CHECKPOINT']);

/** Fatal by code, or flagged by its source (a sink whose destination refuses every write). */
function isFatal(err: unknown): boolean {
  return isGtError(err) && (FATAL.has(err.code) || err.details.fatal === true);
}

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

function failureText(err: unknown): { code: string; message: string } {
  if (isGtError(err)) return { code: err.code, message: err.message };
  return { code: 'UNEXPECTED', message: err instanceof Error ? err.message : String(err) };
}

/**
 * A conversation still going on (Genesys has no end for it yet) is not exported half: like a
 * recording still transcoding, it stays pending for a later run (`--since last` retries pending ones).
 */
async function deferIfInProgress(
  ctx: PipelineContext,
  c: AnalyticsConversationWithoutAttributes,
): Promise<ConversationResult | undefined> {
  if (c.conversationEnd || !ctx.options.deferNotReady) return undefined;
  await ctx.audit.append('conversation.deferred', {
    conversationId: c.conversationId!,
    reason: 'in-progress',
  });
  return emptyResult(c.conversationId!, 'deferred', { reason: 'conversation in progress' });
}

/** A conversation delivered with nothing but its manifest says why (no recording, no transcript …). */
function explainEmpty(r: ConversationResult): ConversationResult {
  if (r.status !== 'done' || r.reason || r.files.some((f) => f.name !== 'manifest.json')) return r;
  const why = [...new Set(r.skipped.map((s) => `${s.kind} ${s.reason}`))].join(', ');
  return { ...r, reason: `no-files${why ? `: ${why}` : ': nothing recorded for this conversation'}` };
}

/** What `status --skipped REASON` lists for this conversation: itself when skipped whole, and its skipped items. */
function skipsOf(r: ConversationResult) {
  const items: { kind: string; id?: string; reason: string; detail?: string }[] = r.skipped.map((s) => ({
    kind: s.kind,
    reason: s.reason,
    ...(s.id ? { id: s.id } : {}),
    ...(s.detail ? { detail: s.detail } : {}),
  }));
  if (r.status === 'skipped') items.unshift({ kind: 'conversation', reason: r.reason ?? 'skipped' });
  if (r.status === 'done' && r.reason?.startsWith('no-files'))
    items.unshift({ kind: 'conversation', reason: 'no-files' });
  return items;
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

  const clients = [deps.config, ...(deps.moreClients ?? [])].map((config) => {
    const c = createGenesysClient(config, deps.limiter ? { limiter: deps.limiter } : {});
    c.events.on('request', (e) =>
      metrics.recordApiRequest(e.family ?? 'other', e.status ?? 0, e.durationMs ?? 0),
    );
    c.events.on('retry', (e) => metrics.recordRetry(String(e.reason ?? 'unknown')));
    return c;
  });
  const client: GenesysClient = clients[0]!;
  const spread = new ClientSpread(clients);

  const { checkpoint, audit } = await openState(stateDir, {
    ...(options.auditHmacKey ? { hmacKey: options.auditHmacKey } : {}),
    actor: deps.actor ?? process.env.USER ?? 'unknown',
    force: options.force,
  });
  // State inside the folder (the default): the folder's own sinks are keyed relative to it, and an
  // older checkpoint's absolute keys are renamed so, so a moved folder is the same destination.
  const home = isHomeState(options.outDir, stateDir);
  if (home) adoptHome(checkpoint, resolve(options.outDir));
  const sinks: Sink[] = [
    createFsSink({
      root: resolve(options.outDir),
      fileMode: options.outputFileMode,
      dirMode: options.outputDirMode,
      ...(home ? { name: HOME_FS_SINK } : {}),
    }),
    ...(options.review
      ? [
          createReviewSink({
            root: resolve(options.outDir),
            fileMode: options.outputFileMode,
            dirMode: options.outputDirMode,
            ...(home ? { name: HOME_REVIEW_SINK } : {}),
          }),
        ]
      : []),
    ...options.sinks.map((s) =>
      createSink(s, {
        deadLetterDir: join(stateDir, 'dead-letters'),
        allowInsecureWebhook: options.allowInsecureWebhook,
      }),
    ),
  ];

  const context: PipelineContext = {
    client,
    options,
    sinks,
    checkpoint,
    audit,
    metrics,
    logger,
    stagingDir: join(stateDir, 'staging'),
    fingerprint: fingerprintOf(options),
    ...(deps.signal ? { signal: deps.signal } : {}),
  };

  async function resolveConversation(
    client: GenesysClient,
    c: string | AnalyticsConversationWithoutAttributes,
  ) {
    if (typeof c !== 'string') return c;
    const found = await getConversationDetails(client, c);
    if (!found) throw new GtError('NOT_FOUND', `conversation ${c} not found`, { conversationId: c });
    return found;
  }

  function wantsBatch(c: AnalyticsConversationWithoutAttributes): boolean {
    const state = checkpoint.get(c.conversationId!)?.state;
    return state !== 'done' && state !== 'skipped' && wantsRecordings(options, c);
  }

  async function exportOne(
    c: string | AnalyticsConversationWithoutAttributes,
    batch?: BatchAnswer,
    via?: GenesysClient,
  ): Promise<ConversationResult> {
    const use = via ?? spread.leastBusy();
    return spread.using(use, () =>
      exportWith(use === client ? context : { ...context, client: use }, c, batch),
    );
  }

  async function exportWith(
    context: PipelineContext,
    c: string | AnalyticsConversationWithoutAttributes,
    batch?: BatchAnswer,
  ): Promise<ConversationResult> {
    const { client } = context;
    const conversationId = typeof c === 'string' ? c : c.conversationId!;
    checkpoint.discovered(conversationId, typeof c === 'string' ? undefined : c.conversationStart);
    await reopenForDestinations(context, conversationId);
    if (!checkpoint.claim(conversationId)) {
      const rec = checkpoint.get(conversationId);
      return emptyResult(conversationId, rec?.state === 'skipped' ? 'skipped' : 'done', {
        reason: 'already-exported',
        alreadyDelivered: rec?.deliveredTo ?? [],
      });
    }
    const started = Date.now();
    const deadline = conversationDeadline(conversationId, options.conversationDeadlineMs, deps.signal);
    let lastError: unknown;
    for (let attempt = 1; attempt <= options.conversationAttempts; attempt += 1) {
      try {
        const conversation = await resolveConversation(client, c);
        const result =
          (await deferIfInProgress(context, conversation)) ??
          explainEmpty(
            await exportConversation({ ...context, signal: deadline.signal }, conversation, batch),
          );
        // The skips and the outcome in one transaction: one commit per conversation, not two.
        checkpoint.batch(() => {
          checkpoint.recordSkips(conversationId, skipsOf(result));
          if (result.status === 'skipped') checkpoint.markSkipped(conversationId, result.reason ?? 'skipped');
          else if (result.status === 'deferred')
            checkpoint.markDeferred(conversationId, result.reason ?? 'not ready');
          else checkpoint.markDone(conversationId);
        });
        metrics.recordConversation(result.status, result.durationMs);
        // Bytes and redactions of the attempt that was exported, once: an attempt that failed at a
        // sink, or a conversation deferred or skipped after its downloads, delivered nothing.
        if (result.status === 'done') {
          metrics.recordBytes(result.bytes);
          metrics.recordRedactions(result.redactions);
        }
        return result;
      } catch (err) {
        // Staging files live in the state directory: a full disk there is DISK_FULL too.
        lastError = deadline.explain(asDiskFull(err, 'the state directory (staging)'));
        if (isFatal(lastError) || isGtError(lastError, 'NOT_FOUND')) break;
        if (isGtError(lastError, 'DEADLINE')) break;
        if (deps.signal?.aborted) break;
        logger.warn({ conversationId, attempt, ...failureText(err) }, 'conversation attempt failed');
      }
    }
    const failure = failureText(lastError);
    checkpoint.markFailed(conversationId, `${failure.code}: ${failure.message}`);
    await audit.append('conversation.failed', { conversationId, code: failure.code });
    const durationMs = Date.now() - started;
    metrics.recordConversation('failed', durationMs);
    if (isFatal(lastError)) throw lastError;
    return emptyResult(conversationId, 'failed', {
      reason: failure.message,
      errorCode: failure.code,
      durationMs,
    });
  }

  return {
    context,
    options,
    exportOne,
    wantsBatch,
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
