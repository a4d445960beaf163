// Edge validation of the Speech & Text Analytics transcript JSON (genesys-api.md §5). The file
// comes from a pre-signed URL we do not control, so nothing in it is trusted.
//
// Policy (also in the README of this folder's voice.ts):
// - the envelope must be an object with a `transcripts` array, else INVALID_RESPONSE;
// - one bad phrase (wrong types, missing start time) is dropped and counted, not fatal: losing one
//   phrase of an hour-long call is better than losing the whole transcript;
// - unknown fields are ignored (zod strips them), which is also how ANI/DNIS never get in.
import { z } from 'zod';

// At most the last instant a Date can hold: the time base becomes `startedAt` through toISOString,
// which throws a RangeError beyond it.
const MAX_DATE_MS = 8.64e15;
const epochMs = z.number().finite().nonnegative().max(MAX_DATE_MS);
const duration = z.object({ milliseconds: z.number().finite().nonnegative() });

export const staWordSchema = z.object({
  word: z.string(),
  confidence: z.number().finite().min(0).max(1).optional(),
  startTimeMs: epochMs,
  duration: duration.optional(),
});
export type StaWord = z.infer<typeof staWordSchema>;

export const staPhraseSchema = z.object({
  text: z.string(),
  decoratedText: z.string().optional(),
  confidence: z.number().finite().min(0).max(1).optional(),
  startTimeMs: epochMs,
  duration: duration.optional(),
  participantPurpose: z.string().optional(),
  // Words are validated one by one later, so one bad word does not drop its phrase.
  words: z.array(z.unknown()).optional(),
});
export type StaPhrase = z.infer<typeof staPhraseSchema>;

export const staTranscriptSchema = z.object({
  language: z.string().max(64).optional(),
  startTime: epochMs.optional(),
  duration: duration.optional(),
  phrases: z.array(z.unknown()).default([]),
});
export type StaTranscript = z.infer<typeof staTranscriptSchema>;

/** Top-level participants: purposes and time ranges only (ani/dnis/to/from are stripped). */
export const staParticipantSchema = z.object({
  participantPurpose: z.string().optional(),
  userId: z.string().optional(),
  startTimeMs: epochMs.optional(),
  endTimeMs: epochMs.optional(),
});
export type StaParticipant = z.infer<typeof staParticipantSchema>;

export const staEnvelopeSchema = z.object({
  conversationId: z.string().optional(),
  communicationId: z.string().optional(),
  mediaType: z.string().optional(),
  conversationStartTime: epochMs.optional(),
  startTime: epochMs.optional(),
  duration: duration.optional(),
  transcripts: z.array(z.unknown()),
  participants: z.array(z.unknown()).optional(),
});
export type StaEnvelope = z.infer<typeof staEnvelopeSchema>;

/** A zod error as one short line (paths and messages only: never the offending values). */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}
