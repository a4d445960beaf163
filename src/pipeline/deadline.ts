// The overall deadline of one conversation: whatever a server does (trickles a body under every
// idle timeout, answers with waits the transport honours, stalls a sink), the conversation ends
// within `ms` with a DEADLINE failure naming it, and the run moves on. Every fetch and delivery
// of the conversation gets the deadline's signal.
import { GtError, isGtError } from '../errors.ts';

export interface ConversationDeadline {
  readonly signal: AbortSignal;
  /** The error to report: DEADLINE when the deadline fired, else `err` unchanged. */
  explain(err: unknown): unknown;
}

export function conversationDeadline(
  conversationId: string,
  ms: number,
  outer: AbortSignal | undefined,
): ConversationDeadline {
  const timer = AbortSignal.timeout(ms);
  const signal = outer ? AbortSignal.any([outer, timer]) : timer;
  return {
    signal,
    explain(err) {
      if (!timer.aborted || outer?.aborted) return err;
      if (isGtError(err, 'DEADLINE')) return err;
      return new GtError(
        'DEADLINE',
        `conversation not finished within its deadline of ${Math.round(ms / 1000)} s (--conversation-deadline)`,
        { conversationId, deadlineMs: ms, interrupted: isGtError(err) ? err.code : 'error' },
      );
    },
  };
}
