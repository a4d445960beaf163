// One conversation as the runtime runs it (runtime.ts `exportOne`): left alone when every
// destination already holds it, else up to --conversation-attempts attempts of the pipeline
// (conversation.ts) under one deadline, and the outcome recorded once: checkpoint, audit log,
// metrics. A failure every following conversation would hit too is thrown, after it is recorded.
import type { AnalyticsConversationWithoutAttributes } from '../sdk/models.ts';
import { asDiskFull, GtError, isGtError, isRunFatal } from '../errors.ts';
import type { GenesysClient } from '../genesys/transport.ts';
import { getConversationDetails } from '../genesys/endpoints/analytics.ts';
import type { CheckpointStore } from './checkpoint.ts';
import { reopenForDestinations } from './destinations.ts';
import { emptyResult, exportConversation, type ConversationResult } from './conversation.ts';
import type { PipelineContext } from './context.ts';
import type { BatchAnswer } from './fetch/batch.ts';
import { conversationDeadline } from './deadline.ts';

function failureText(err: unknown): { code: string; message: string } {
  if (isGtError(err)) return { code: err.code, message: err.message };
  return { code: 'UNEXPECTED', message: err instanceof Error ? err.message : String(err) };
}

/**
 * Exports one conversation (by ID or as discovered) through `context` (its client is the one to
 * use): the skip check, the attempts, the outcome recorded. Returns the result of the attempt that
 * ended it, or the failure; throws a fatal failure (isRunFatal in errors.ts).
 */
export async function exportWithAttempts(
  context: PipelineContext,
  c: string | AnalyticsConversationWithoutAttributes,
  batch?: BatchAnswer,
): Promise<ConversationResult> {
  const { checkpoint, options } = context;
  const conversationId = typeof c === 'string' ? c : c.conversationId!;
  checkpoint.discovered(conversationId, typeof c === 'string' ? undefined : c.conversationStart);
  await reopenForDestinations(context, conversationId);
  if (!checkpoint.claim(conversationId)) return alreadyExported(checkpoint, conversationId);
  const started = Date.now();
  const deadline = conversationDeadline(conversationId, options.conversationDeadlineMs, context.signal);
  let lastError: unknown;
  for (let attempt = 1; attempt <= options.conversationAttempts; attempt += 1) {
    try {
      const conversation = await resolveConversation(context.client, c);
      const result =
        (await deferIfInProgress(context, conversation)) ??
        explainEmpty(await exportConversation({ ...context, signal: deadline.signal }, conversation, batch));
      recordOutcome(context, conversationId, result);
      return result;
    } catch (err) {
      // Staging files live in the state directory: a full disk there is DISK_FULL too.
      lastError = deadline.explain(asDiskFull(err, 'the state directory (staging)'));
      if (endsAttempts(lastError, context.signal)) break;
      context.logger.warn({ conversationId, attempt, ...failureText(err) }, 'conversation attempt failed');
    }
  }
  return recordFailure(context, conversationId, lastError, started);
}

/** Not claimed: done or skipped, or in hand in a live session (then reported as done). */
function alreadyExported(checkpoint: CheckpointStore, conversationId: string): ConversationResult {
  const rec = checkpoint.get(conversationId);
  return emptyResult(conversationId, rec?.state === 'skipped' ? 'skipped' : 'done', {
    reason: 'already-exported',
    alreadyDelivered: rec?.deliveredTo ?? [],
  });
}

/** No further attempt: a fatal failure, a conversation that does not exist, the deadline, the run aborted. */
function endsAttempts(err: unknown, signal: AbortSignal | undefined): boolean {
  if (isRunFatal(err) || isGtError(err, 'NOT_FOUND')) return true;
  if (isGtError(err, 'DEADLINE')) return true;
  return signal?.aborted === true;
}

async function resolveConversation(
  client: GenesysClient,
  c: string | AnalyticsConversationWithoutAttributes,
) {
  if (typeof c !== 'string') return c;
  const found = await getConversationDetails(client, c);
  if (!found) throw new GtError('NOT_FOUND', `conversation ${c} not found`, { conversationId: c });
  return found;
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

/** The outcome of the attempt that ended the conversation: checkpoint (one transaction), metrics. */
function recordOutcome(context: PipelineContext, conversationId: string, result: ConversationResult): void {
  const { checkpoint, metrics } = context;
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

/** A conversation whose attempts all failed: checkpoint, audit log, metrics; a fatal failure is thrown. */
async function recordFailure(
  context: PipelineContext,
  conversationId: string,
  lastError: unknown,
  started: number,
): Promise<ConversationResult> {
  const failure = failureText(lastError);
  context.checkpoint.markFailed(conversationId, `${failure.code}: ${failure.message}`);
  await context.audit.append('conversation.failed', { conversationId, code: failure.code });
  const durationMs = Date.now() - started;
  context.metrics.recordConversation('failed', durationMs);
  if (isRunFatal(lastError)) throw lastError;
  return emptyResult(conversationId, 'failed', {
    reason: failure.message,
    errorCode: failure.code,
    durationMs,
  });
}
