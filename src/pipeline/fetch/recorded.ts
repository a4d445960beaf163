// What analytics already says about a conversation's recordings, so no API call is spent asking:
// voice sessions carry `recording` (true: this session was recorded; false: it was not), on the
// customer and agent legs; IVR and ACD legs carry none. Digital sessions carry no such flag
// (Genesys keeps every chat, message and email as a recording), so they count as possibly recorded.
import type { AnalyticsConversationWithoutAttributes } from '../../sdk/models.ts';

/**
 * true: some session says it was recorded; false: voice only, no session says recorded and at
 * least one says it was not; undefined: analytics does not tell (ask Genesys).
 */
export function recordedInAnalytics(
  conversation: AnalyticsConversationWithoutAttributes,
): boolean | undefined {
  let saysUnrecorded = false;
  for (const p of conversation.participants ?? [])
    for (const s of p.sessions ?? []) {
      if (s.recording === true) return true;
      if (s.mediaType !== undefined && s.mediaType !== 'voice') return undefined;
      if (s.recording === false) saysUnrecorded = true;
    }
  return saysUnrecorded ? false : undefined;
}
