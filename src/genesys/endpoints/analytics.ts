// Analytics conversation details: the synchronous query (paged; ≤ 7-day intervals, ≤ 35 days
// back) and single/multi get by ID. Paths and parameter names as in the SDK's AnalyticsApi.js.
import type {
  AnalyticsConversationQueryResponse,
  AnalyticsConversationWithoutAttributes,
  AnalyticsConversationWithoutAttributesMultiGetResponse,
  ConversationQuery,
} from '../../sdk/models.ts';
import { GtError, isGtError } from '../../errors.ts';
import type { GenesysClient } from '../transport.ts';
import { isValidId, pathId } from './ids.ts';
import { conversationSchema, multiGetSchema, queryResponseSchema } from './schemas.ts';
import { parseResponse, withSignal, type CallOptions } from './validate.ts';

const FAMILY = 'analytics';

/** POST /api/v2/analytics/conversations/details/query — one page. */
export async function queryConversationDetails(
  client: GenesysClient,
  body: ConversationQuery,
  opts?: CallOptions,
): Promise<AnalyticsConversationQueryResponse> {
  const res = await client.request({
    method: 'POST',
    path: '/api/v2/analytics/conversations/details/query',
    body,
    family: FAMILY,
    idempotent: true, // a query: repeating it changes nothing
    ...withSignal(opts),
  });
  return parseResponse<AnalyticsConversationQueryResponse>(
    queryResponseSchema,
    res.body ?? {},
    'conversation details query',
  );
}

/** GET /api/v2/analytics/conversations/{id}/details. Unknown conversation → undefined. */
export async function getConversationDetails(
  client: GenesysClient,
  conversationId: string,
  opts?: CallOptions,
): Promise<AnalyticsConversationWithoutAttributes | undefined> {
  const id = pathId(conversationId, 'conversation ID');
  try {
    const res = await client.request({
      method: 'GET',
      path: `/api/v2/analytics/conversations/${id}/details`,
      family: FAMILY,
      ...withSignal(opts),
    });
    return parseResponse<AnalyticsConversationWithoutAttributes>(
      conversationSchema,
      res.body,
      'conversation details',
    );
  } catch (err) {
    if (isGtError(err, 'NOT_FOUND')) return undefined;
    throw err;
  }
}

/** Max IDs per multi-get: keeps the URL well under common 8 KiB limits (100 × ~40 bytes). */
export const MULTI_GET_MAX_IDS = 100;

/**
 * GET /api/v2/analytics/conversations/details?id=a,b — the conversations found, in any order;
 * unknown IDs are simply absent from the answer (compare IDs to find them). The IDs go as one
 * comma-separated `id` ("Comma-separated conversation ids", SDK AnalyticsApi), the form the SDK
 * sends.
 */
export async function getConversationsDetails(
  client: GenesysClient,
  conversationIds: readonly string[],
  opts?: CallOptions,
): Promise<AnalyticsConversationWithoutAttributes[]> {
  if (conversationIds.length === 0) return [];
  if (conversationIds.length > MULTI_GET_MAX_IDS) {
    throw new GtError(
      'USAGE',
      `at most ${MULTI_GET_MAX_IDS} conversation IDs per multi-get (got ${conversationIds.length})`,
    );
  }
  for (const id of conversationIds) pathId(id, 'conversation ID');
  try {
    const res = await client.request({
      method: 'GET',
      path: '/api/v2/analytics/conversations/details',
      query: { id: conversationIds.filter(isValidId) },
      family: FAMILY,
      ...withSignal(opts),
    });
    const parsed = parseResponse<AnalyticsConversationWithoutAttributesMultiGetResponse>(
      multiGetSchema,
      res.body ?? {},
      'conversation multi-get',
    );
    return parsed.conversations ?? [];
  } catch (err) {
    // Some deployments answer 404 when none of the IDs exist.
    if (isGtError(err, 'NOT_FOUND')) return [];
    throw err;
  }
}
