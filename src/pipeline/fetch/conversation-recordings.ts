// Which way a conversation's recordings are fetched, spending no call that an earlier answer
// makes unnecessary: none when analytics shows it unrecorded, its batch request's answer when it
// has one (batch.ts), else the per-conversation recordings list (recordings.ts).
import type { AnalyticsConversationWithoutAttributes, Recording } from '../../sdk/models.ts';
import type { GenesysClient } from '../../genesys/transport.ts';
import type { RuntimeOptions } from '../options.ts';
import { outcomesFromBatch, type ConversationBatch } from './batch.ts';
import { recordedInAnalytics } from './recorded.ts';
import {
  fetchConversationRecordings,
  type FetchRecordingsOptions,
  type RecordingOutcome,
} from './recordings.ts';

const DIGITAL_MEDIA = new Set(['chat', 'message', 'email']);

/** Whether anything is wanted from this conversation's recordings (media, or digital transcripts). */
export function wantsRecordings(
  options: Pick<RuntimeOptions, 'media' | 'transcripts'>,
  conversation: AnalyticsConversationWithoutAttributes,
): boolean {
  if (recordedInAnalytics(conversation) === false) return false;
  if (options.media) return true;
  if (!options.transcripts) return false;
  for (const p of conversation.participants ?? [])
    for (const s of p.sessions ?? []) if (DIGITAL_MEDIA.has(s.mediaType ?? '')) return true;
  return false;
}

/** What a recordings list says of a digital recording, from analytics: the customer's session, the conversation's times. */
function digitalHints(conversation: AnalyticsConversationWithoutAttributes) {
  return (media: string): Partial<Recording> => {
    const hints: Partial<Recording> = {
      ...(conversation.conversationStart ? { startTime: conversation.conversationStart } : {}),
      ...(conversation.conversationEnd ? { endTime: conversation.conversationEnd } : {}),
    };
    for (const p of conversation.participants ?? []) {
      if (p.purpose !== 'customer' && p.purpose !== 'external') continue;
      for (const s of p.sessions ?? [])
        if (s.mediaType === media && s.sessionId) return { ...hints, sessionId: s.sessionId };
    }
    return hints;
  };
}

export async function recordingsOf(
  client: GenesysClient,
  conversation: AnalyticsConversationWithoutAttributes,
  batch: ConversationBatch | undefined,
  opts: FetchRecordingsOptions & { wantDigital: boolean },
): Promise<RecordingOutcome[]> {
  const recorded = recordedInAnalytics(conversation);
  if (recorded === false) return [];
  const id = conversation.conversationId!;
  if (batch)
    return outcomesFromBatch(client, id, batch, {
      ...opts,
      recorded,
      hints: digitalHints(conversation),
    });
  return fetchConversationRecordings(client, id, opts);
}
