// Builders for analytics conversations around transcript fixtures, so each test states only the
// participants and talking segments that matter to it.
import { readFileSync } from 'node:fs';
import type {
  AnalyticsConversationWithoutAttributes,
  AnalyticsParticipantWithoutAttributes,
} from '../../src/sdk/models.ts';

export const FIXTURES = new URL('../fixtures/transcripts/', import.meta.url);

export function fixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as T;
}

export const iso = (epochMs: number): string => new Date(epochMs).toISOString();

export interface ParticipantSpec {
  id: string;
  purpose: string;
  name?: string;
  userId?: string;
  flowName?: string;
  sessionId?: string;
  mediaType?: string;
  address?: string;
  /** [segmentType, startEpochMs, endEpochMs] */
  segments: [string, number, number][];
}

export function participant(p: ParticipantSpec): AnalyticsParticipantWithoutAttributes {
  return {
    participantId: p.id,
    purpose: p.purpose,
    ...(p.name ? { participantName: p.name } : {}),
    ...(p.userId ? { userId: p.userId } : {}),
    sessions: [
      {
        sessionId: p.sessionId ?? `sess-${p.id}`,
        mediaType: p.mediaType ?? 'voice',
        ...(p.address ? { addressFrom: p.address } : {}),
        ...(p.purpose === 'customer' && (p.mediaType ?? 'voice') === 'voice'
          ? { ani: 'tel:+15550001111', dnis: 'tel:+18005550199' }
          : {}),
        ...(p.flowName ? { flow: { flowName: p.flowName, flowType: 'INBOUNDCALL' } } : {}),
        segments: p.segments.map(([segmentType, s, e]) => ({
          segmentType,
          segmentStart: iso(s),
          segmentEnd: iso(e),
        })),
      },
    ],
  };
}

export function conversation(
  conversationId: string,
  startMs: number,
  endMs: number,
  participants: ParticipantSpec[],
): AnalyticsConversationWithoutAttributes {
  return {
    conversationId,
    conversationStart: iso(startMs),
    conversationEnd: iso(endMs),
    participants: participants.map(participant),
  };
}

/** A minimal STA file: phrases given as [purpose, startEpochMs, durationMs, text]. */
export function staFile(
  conversationId: string,
  startTime: number,
  phrases: [string, number, number, string][],
  language = 'en-US',
): Record<string, unknown> {
  return {
    organizationId: 'org-1',
    conversationId,
    communicationId: 'comm-1',
    mediaType: 'call',
    startTime,
    conversationStartTime: startTime,
    duration: { milliseconds: 0 },
    transcripts: [
      {
        transcriptId: 't-1',
        language,
        startTime,
        phrases: phrases.map(([participantPurpose, startTimeMs, ms, text]) => ({
          text,
          stability: 1,
          startTimeMs,
          duration: { milliseconds: ms },
          participantPurpose,
          words: text.split(' ').map((word, i, all) => ({
            word,
            confidence: 0.9,
            startTimeMs: startTimeMs + Math.floor((i * ms) / all.length),
            duration: { milliseconds: Math.floor(ms / all.length) },
          })),
          alternatives: [],
        })),
      },
    ],
    participants: [
      {
        participantPurpose: 'customer',
        ani: 'tel:+15550001111',
        dnis: 'tel:+18005550199',
        startTimeMs: startTime,
        endTimeMs: startTime + 600_000,
      },
    ],
  };
}
