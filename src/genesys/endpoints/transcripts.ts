// Speech & Text Analytics transcript URLs: a pre-signed URL (10 minutes) per voice communication.
// 404 is a normal answer here (no transcript: not transcribed or aged out) → undefined.
import type { TranscriptUrl, TranscriptUrls } from '../../sdk/models.ts';
import { isGtError } from '../../errors.ts';
import type { GenesysClient } from '../transport.ts';
import { pathId } from './ids.ts';
import { transcriptUrlSchema, transcriptUrlsSchema } from './schemas.ts';
import { parseResponse, withSignal, type CallOptions } from './validate.ts';

const FAMILY = 'transcripts';

function base(conversationId: string, communicationId: string): string {
  return `/api/v2/speechandtextanalytics/conversations/${pathId(conversationId, 'conversation ID')}/communications/${pathId(communicationId, 'communication ID')}`;
}

/**
 * The transcript's signed URL. undefined: no transcript (404). An answer without `url` (the model
 * makes it optional, and third-party code meets it) is returned as is: the caller reports a
 * missing transcript with that reason rather than failing the conversation.
 */
export async function getTranscriptUrl(
  client: GenesysClient,
  conversationId: string,
  communicationId: string,
  opts?: CallOptions,
): Promise<TranscriptUrl | undefined> {
  const path = `${base(conversationId, communicationId)}/transcripturl`;
  try {
    const res = await client.request({ method: 'GET', path, family: FAMILY, ...withSignal(opts) });
    return parseResponse(transcriptUrlSchema, res.body ?? {}, 'transcript URL');
  } catch (err) {
    if (isGtError(err, 'NOT_FOUND')) return undefined;
    throw err;
  }
}

/** One URL per recording of the communication. */
export async function getTranscriptUrls(
  client: GenesysClient,
  conversationId: string,
  communicationId: string,
  opts?: CallOptions,
): Promise<TranscriptUrls | undefined> {
  const path = `${base(conversationId, communicationId)}/transcripturls`;
  try {
    const res = await client.request({ method: 'GET', path, family: FAMILY, ...withSignal(opts) });
    return parseResponse(transcriptUrlsSchema, res.body, 'transcript URLs');
  } catch (err) {
    if (isGtError(err, 'NOT_FOUND')) return undefined;
    throw err;
  }
}
