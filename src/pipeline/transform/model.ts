// The canonical transcript model: one shape for voice (Speech & Text Analytics) and digital
// (chat, messaging, email) transcripts. Everything downstream (redaction, output formats, sinks)
// reads only this. Bump TRANSCRIPT_SCHEMA_VERSION on any incompatible change.

export const TRANSCRIPT_SCHEMA_VERSION = 1 as const;

export type TranscriptMediaType = 'voice' | 'chat' | 'message' | 'email';

/** Who spoke: the resolved participant when known, otherwise only the role. */
export type SpeakerRole = 'agent' | 'customer' | 'ivr' | 'bot' | 'acd' | 'system' | 'unknown';

export interface Speaker {
  role: SpeakerRole;
  /** Analytics participantId, when the phrase could be aligned to a participant. */
  participantId?: string;
  /** Genesys user ID, for agents. */
  userId?: string;
  /** Display name (agent name, bot/flow name). Customers are never named (PII). */
  name?: string;
}

export interface Word {
  text: string;
  /** Milliseconds from the transcript's `startedAt`. */
  startMs: number;
  endMs: number;
  confidence?: number;
}

export interface Segment {
  /** Position in `segments`, stable after redaction. */
  index: number;
  speaker: Speaker;
  /** Milliseconds from the transcript's `startedAt`. */
  startMs: number;
  endMs: number;
  text: string;
  confidence?: number;
  words?: Word[];
  /** Email subject, chat message type, attachment names … (already redacted when redaction ran). */
  meta?: Record<string, string>;
}

/** UNSCANNED: the whole item was redacted because detection ran out of its time budget. */
export type PiiEntity =
  | 'CARD'
  | 'CVV'
  | 'EXPIRY'
  | 'SSN'
  | 'PHONE'
  | 'EMAIL'
  | 'BANK_ACCOUNT'
  | 'ROUTING_NUMBER'
  | 'IBAN'
  | 'DOB'
  | 'UNSCANNED';

/** One redacted span, in the coordinates of the redacted segment text, with its audio time range. */
export interface RedactionSpan {
  segmentIndex: number;
  entity: PiiEntity;
  /** Character offsets of the placeholder in the redacted `text`. */
  start: number;
  end: number;
  /** Time range of the original words, so a later step can silence the audio. */
  startMs?: number;
  endMs?: number;
}

export interface TranscriptRedaction {
  applied: boolean;
  counts: Partial<Record<PiiEntity, number>>;
  spans: RedactionSpan[];
}

export interface Transcript {
  schemaVersion: typeof TRANSCRIPT_SCHEMA_VERSION;
  conversationId: string;
  /** The communication (session) ID for voice; the recording ID's session for digital. */
  communicationId?: string;
  recordingId?: string;
  mediaType: TranscriptMediaType;
  /** BCP-47 language tag, e.g. en-US, when known. */
  language?: string;
  source: 'speech-text-analytics' | 'recording-transcript';
  /** ISO-8601 instant that segment offsets count from. */
  startedAt: string;
  durationMs: number;
  segments: Segment[];
  redaction: TranscriptRedaction;
}
