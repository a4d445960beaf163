// Conversation recordings. A 202 is a normal answer (the recording is being transcoded into the
// requested format): callers poll again later, so it is returned, not thrown.
import type { Recording, RecordingMetadata } from '../../sdk/models.ts';
import { GtError, isGtError } from '../../errors.ts';
import type { GenesysClient } from '../transport.ts';
import { pathId } from './ids.ts';
import { recordingListSchema, recordingMetadataSchema, recordingSchema } from './schemas.ts';
import { parseResponse, withSignal, type CallOptions } from './validate.ts';
import { z } from 'zod';

const FAMILY = 'recordings';

export type RecordingFormat = 'WAV' | 'WEBM' | 'WAV_ULAW' | 'OGG_VORBIS' | 'OGG_OPUS' | 'MP3' | 'NONE';

export interface ListRecordingsOptions extends CallOptions {
  formatId?: RecordingFormat;
  /** How long Genesys may hold the request waiting for transcoding (SDK default 5000). */
  maxWaitMs?: number;
  locale?: string;
}

export interface RecordingsAnswer {
  /** 202: still transcoding; the list may be empty or hold stubs without mediaUris. */
  status: 200 | 202;
  recordings: Recording[];
}

function answerStatus(status: number): 200 | 202 {
  if (status === 200 || status === 202) return status;
  throw new GtError('INVALID_RESPONSE', `unexpected success status ${status} for recordings`, { status });
}

/** GET /api/v2/conversations/{id}/recordings. A conversation without recordings → empty list. */
export async function listRecordings(
  client: GenesysClient,
  conversationId: string,
  opts: ListRecordingsOptions = {},
): Promise<RecordingsAnswer> {
  const cid = pathId(conversationId, 'conversation ID');
  try {
    const res = await client.request({
      method: 'GET',
      path: `/api/v2/conversations/${cid}/recordings`,
      query: { formatId: opts.formatId, maxWaitMs: opts.maxWaitMs, locale: opts.locale },
      family: FAMILY,
      ...withSignal(opts),
    });
    // A cold list call can return an empty body (documented practitioner behaviour).
    return {
      status: answerStatus(res.status),
      recordings: parseResponse<Recording[]>(recordingListSchema, res.body ?? [], 'recordings list'),
    };
  } catch (err) {
    if (isGtError(err, 'NOT_FOUND')) return { status: 200, recordings: [] };
    throw err;
  }
}

export interface GetRecordingOptions extends CallOptions {
  formatId?: RecordingFormat;
  /** true asks for a download format (single combined file under mediaUris.S). */
  download?: boolean;
  fileName?: string;
  locale?: string;
  emailFormatId?: 'EML' | 'NONE';
  chatFormatId?: 'ZIP' | 'NONE';
  messageFormatId?: 'ZIP' | 'NONE';
}

export interface RecordingAnswer {
  status: 200 | 202;
  /** Undefined when a 202 came with an empty body. */
  recording: Recording | undefined;
}

/** GET /api/v2/conversations/{id}/recordings/{recordingId}. Throws NOT_FOUND for an unknown recording. */
export async function getRecording(
  client: GenesysClient,
  conversationId: string,
  recordingId: string,
  opts: GetRecordingOptions = {},
): Promise<RecordingAnswer> {
  const res = await client.request({
    method: 'GET',
    path: `/api/v2/conversations/${pathId(conversationId, 'conversation ID')}/recordings/${pathId(recordingId, 'recording ID')}`,
    query: {
      formatId: opts.formatId,
      download: opts.download,
      fileName: opts.fileName,
      locale: opts.locale,
      emailFormatId: opts.emailFormatId,
      chatFormatId: opts.chatFormatId,
      messageFormatId: opts.messageFormatId,
    },
    family: FAMILY,
    ...withSignal(opts),
  });
  const recording =
    res.body === undefined ? undefined : parseResponse<Recording>(recordingSchema, res.body, 'recording');
  return { status: answerStatus(res.status), recording };
}

/** GET /api/v2/conversations/{id}/recordingmetadata: recordings without media (cheap existence check). */
export async function listRecordingMetadata(
  client: GenesysClient,
  conversationId: string,
  opts?: CallOptions,
): Promise<RecordingMetadata[]> {
  try {
    const res = await client.request({
      method: 'GET',
      path: `/api/v2/conversations/${pathId(conversationId, 'conversation ID')}/recordingmetadata`,
      family: FAMILY,
      ...withSignal(opts),
    });
    return parseResponse<RecordingMetadata[]>(
      z.array(recordingMetadataSchema),
      res.body ?? [],
      'recording metadata',
    );
  } catch (err) {
    if (isGtError(err, 'NOT_FOUND')) return [];
    throw err;
  }
}

export interface PutRecordingOptions extends CallOptions {
  /** Whether to clear the pending export for the recording (SDK `clearExport`). */
  clearExport?: boolean;
}

/**
 * PUT /api/v2/conversations/{id}/recordings/{recordingId}: updates a recording's retention dates
 * (archiveDate, deleteDate). Answers the updated Recording. A refusal (past date, recording not
 * eligible, the org's restorations spent, a missing permission) is an HTTP_ERROR carrying Genesys'
 * message; an unknown recording is NOT_FOUND.
 */
export async function putRecording(
  client: GenesysClient,
  conversationId: string,
  recordingId: string,
  body: Recording,
  opts: PutRecordingOptions = {},
): Promise<Recording> {
  const res = await client.request({
    method: 'PUT',
    path: `/api/v2/conversations/${pathId(conversationId, 'conversation ID')}/recordings/${pathId(recordingId, 'recording ID')}`,
    query: { clearExport: opts.clearExport },
    body,
    family: FAMILY,
    ...withSignal(opts),
  });
  return parseResponse<Recording>(recordingSchema, res.body ?? {}, 'recording update');
}

export interface RestoreRecordingOptions extends CallOptions {
  /**
   * The recording's current deleteDate, sent back unchanged: a retention update names both dates,
   * and a restoration must not move (or drop) when the recording is deleted.
   */
  deleteDate?: string;
}

/**
 * Asks Genesys to restore an archived recording until `until`: "a request to change the archival
 * date of an archived recording will result in a restoration of the recording until the new date
 * set". The answer is usually RESTORING; the media comes later (RESTORED). Each restoration counts
 * against the org's limit; the permission `recording:recording:restore` is needed.
 */
export async function restoreRecording(
  client: GenesysClient,
  conversationId: string,
  recordingId: string,
  until: Date,
  opts: RestoreRecordingOptions = {},
): Promise<Recording> {
  if (!Number.isFinite(until.getTime()))
    throw new GtError('USAGE', 'restoreRecording: `until` is not a valid date');
  return putRecording(
    client,
    conversationId,
    recordingId,
    { archiveDate: until.toISOString(), ...(opts.deleteDate ? { deleteDate: opts.deleteDate } : {}) },
    withSignal(opts),
  );
}
