// State belongs to the destination: the checkpoint records, per conversation and sink (each --out
// folder, webhook URL, S3 prefix), which delivery — which output settings, through the delivery
// ID — that sink holds. A conversation counts as exported only when every sink of this run holds
// the delivery these settings make; a new destination or changed settings reopen it, and a
// folder that no longer holds its files (deleted, truncated) is reopened and repaired.
import type { PipelineContext } from './context.ts';
import { deliveryIdFor } from './conversation.ts';

/** The sinks of this run that lack the current delivery of the conversation. */
export async function sinksLacking(ctx: PipelineContext, conversationId: string): Promise<string[]> {
  const deliveryId = deliveryIdFor(conversationId, ctx.fingerprint);
  const lacking: string[] = [];
  for (const sink of ctx.sinks) {
    const rec = ctx.checkpoint.delivery(conversationId, sink.name);
    if (!rec || rec.deliveryId !== deliveryId) {
      lacking.push(sink.name);
      continue;
    }
    if (sink.holds && !(await sink.holds(rec))) {
      ctx.checkpoint.forgetDelivery(conversationId, sink.name);
      lacking.push(sink.name);
    }
  }
  return lacking;
}

/**
 * Before claiming: a conversation done earlier is reopened when a sink lacks it; with --force every
 * selected conversation is reopened and its deliveries to this run's sinks forgotten.
 * Returns what was found lacking (for the log), empty when nothing changed.
 */
export async function reopenForDestinations(ctx: PipelineContext, conversationId: string): Promise<string[]> {
  const rec = ctx.checkpoint.get(conversationId);
  if (!rec) return [];
  if (ctx.options.force) {
    for (const sink of ctx.sinks) ctx.checkpoint.forgetDelivery(conversationId, sink.name);
    ctx.checkpoint.reopen(conversationId);
    return ctx.sinks.map((s) => s.name);
  }
  if (rec.state !== 'done') return [];
  const lacking = await sinksLacking(ctx, conversationId);
  if (lacking.length > 0) ctx.checkpoint.reopen(conversationId);
  return lacking;
}
