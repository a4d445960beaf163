// Voice transcripts from Speech & Text Analytics: one per recorded voice communication. The API
// gives a pre-signed URL (10 minutes) that serves the transcript JSON; it is fetched at once,
// without our bearer token, with a size cap so a hostile answer cannot exhaust memory.
import type { AnalyticsConversationWithoutAttributes } from '../../sdk/models.ts';
import type { GenesysClient } from '../../genesys/transport.ts';
import { getTranscriptUrl } from '../../genesys/endpoints/transcripts.ts';
import { GtError } from '../../errors.ts';
import { RateFloor } from '../../util/rate-floor.ts';

/** Transcript JSON bigger than this is refused (an hour-long call is a few MB). */
export const MAX_TRANSCRIPT_BYTES = 64 * 1024 * 1024;

export type VoiceTranscriptFetch =
  | { kind: 'found'; communicationId: string; raw: unknown }
  | { kind: 'missing'; communicationId: string; detail?: string };

/**
 * The communications that can have a transcript: recorded voice sessions. Genesys keys STA
 * transcripts by the customer's communication, so those come first; other recorded voice
 * sessions are tried only when the customer side has none.
 */
export function voiceCommunicationIds(conversation: AnalyticsConversationWithoutAttributes): string[] {
  const customer: string[] = [];
  const other: string[] = [];
  for (const p of conversation.participants ?? []) {
    for (const s of p.sessions ?? []) {
      if (s.mediaType !== 'voice' || !s.recording || !s.sessionId) continue;
      (p.purpose === 'customer' || p.purpose === 'external' ? customer : other).push(s.sessionId);
    }
  }
  return [...new Set(customer.length > 0 ? customer : other)];
}

export async function readJsonCapped(
  body: AsyncIterable<Uint8Array>,
  cap: number,
  floor: RateFloor,
): Promise<unknown> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      size += chunk.byteLength;
      if (size > cap) throw new GtError('INVALID_RESPONSE', `transcript larger than ${cap} bytes`, { cap });
      if (floor.add(chunk.byteLength))
        throw new GtError('TOO_SLOW', `transcript body ${floor.describe()}`, { bytes: size });
      chunks.push(chunk);
    }
  } catch (err) {
    if (err instanceof GtError) throw err;
    // The connection broke mid-body (reset, premature close, body timeout): worth another try.
    const code = (err as { code?: string }).code ?? 'error';
    throw new GtError('NETWORK', `transcript body broke off after ${size} bytes (${code})`, {
      cause: code,
      transient: true,
    });
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new GtError('INVALID_RESPONSE', 'transcript URL did not return JSON', { transient: true });
  }
}

/** Attempts per transcript: each asks the API for a fresh signed URL. */
const TRANSCRIPT_ATTEMPTS = 3;

/** A failure that another attempt with a fresh URL may cure. */
function retryable(err: unknown): boolean {
  return (
    err instanceof GtError &&
    (err.code === 'NETWORK' || err.code === 'TIMEOUT' || err.details.transient === true)
  );
}

export async function fetchVoiceTranscripts(
  client: GenesysClient,
  conversation: AnalyticsConversationWithoutAttributes,
  signal?: AbortSignal,
): Promise<VoiceTranscriptFetch[]> {
  const conversationId = conversation.conversationId!;
  const out: VoiceTranscriptFetch[] = [];
  for (const communicationId of voiceCommunicationIds(conversation)) {
    // The signed URL may expire between issue and use (or a fault says it did), the body may
    // break off or come back garbled: ask for a fresh URL and try again, a few times.
    for (let attempt = 1; ; attempt += 1) {
      const link = await getTranscriptUrl(client, conversationId, communicationId);
      if (!link) {
        out.push({ kind: 'missing', communicationId });
        break;
      }
      if (!link.url) {
        out.push({ kind: 'missing', communicationId, detail: 'transcript URL answer without url' });
        break;
      }
      let failure: GtError;
      try {
        const res = await client.fetchSigned(link.url, signal ? { signal } : {});
        if (res.statusCode === 200) {
          const { minTransferRate, rateWindowMs } = client.transferLimits;
          const floor = new RateFloor({ minBytesPerSecond: minTransferRate, windowMs: rateWindowMs });
          const raw = await readJsonCapped(res.body, MAX_TRANSCRIPT_BYTES, floor);
          out.push({ kind: 'found', communicationId, raw });
          break;
        }
        await res.body.dump?.();
        if (res.statusCode === 404) {
          out.push({ kind: 'missing', communicationId });
          break;
        }
        failure = new GtError('DOWNLOAD_FAILED', `transcript download failed with HTTP ${res.statusCode}`, {
          status: res.statusCode,
          conversationId,
        });
      } catch (err) {
        if (!retryable(err) || signal?.aborted) throw err;
        failure = err as GtError;
      }
      if (attempt >= TRANSCRIPT_ATTEMPTS) throw failure;
    }
  }
  return out;
}
