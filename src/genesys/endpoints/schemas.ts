// Lenient zod schemas for the Genesys responses we read. They check the fields the pipeline
// relies on (types, required IDs) and pass everything else through untouched; the TypeScript
// types come from src/sdk/models.ts.
import { z } from 'zod';

const segment = z.looseObject({
  segmentStart: z.string().optional(),
  segmentEnd: z.string().optional(),
  queueId: z.string().optional(),
});
const session = z.looseObject({
  sessionId: z.string().optional(),
  mediaType: z.string().optional(),
  recording: z.boolean().optional(),
  segments: z.array(segment).optional(),
});
const participant = z.looseObject({
  participantId: z.string().optional(),
  purpose: z.string().optional(),
  sessions: z.array(session).optional(),
});

export const conversationSchema = z.looseObject({
  conversationId: z.string().min(1),
  conversationStart: z.string().optional(),
  conversationEnd: z.string().optional(),
  participants: z.array(participant).optional(),
});

export const queryResponseSchema = z.looseObject({
  conversations: z.array(conversationSchema).optional(),
  totalHits: z.number().optional(),
});
export const multiGetSchema = z.looseObject({ conversations: z.array(conversationSchema).optional() });
export const jobCreatedSchema = z.looseObject({ jobId: z.string().min(1) });
export const availabilitySchema = z.looseObject({ dataAvailabilityDate: z.string().optional() });
export const jobStatusSchema = z.looseObject({ state: z.string(), errorMessage: z.string().optional() });
export const jobResultsSchema = z.looseObject({
  conversations: z.array(conversationSchema).optional(),
  cursor: z.string().optional(),
});

export const recordingSchema = z.looseObject({
  id: z.string().optional(),
  conversationId: z.string().optional(),
  media: z.string().optional(),
  mediaUris: z
    .record(z.string(), z.looseObject({ mediaUri: z.string().optional() }))
    .nullable()
    .optional(),
});
export const recordingListSchema = z.array(recordingSchema);
export const recordingMetadataSchema = z.looseObject({
  id: z.string().optional(),
  conversationId: z.string().optional(),
});

export const batchCreatedSchema = z.looseObject({ id: z.string().min(1) });
export const batchStatusSchema = z.looseObject({
  id: z.string().optional(),
  expectedResultCount: z.number().optional(),
  resultCount: z.number().optional(),
  status: z.string().optional(),
  results: z
    .array(
      z.looseObject({
        conversationId: z.string().optional(),
        recordingId: z.string().optional(),
        resultUrl: z.string().optional(),
        errorMsg: z.string().optional(),
      }),
    )
    .optional(),
});

export const urlSchema = z.looseObject({ url: z.string().min(1) });
/** TranscriptUrl: `url` is optional in the model, and answers without it are met in practice. */
export const transcriptUrlSchema = z.looseObject({ url: z.string().optional() });
export const transcriptUrlsSchema = z.looseObject({
  communicationId: z.string().optional(),
  urls: z
    .array(
      z.looseObject({
        url: z.string().optional(),
        recording: z.looseObject({ id: z.string().optional() }).optional(),
      }),
    )
    .optional(),
});
