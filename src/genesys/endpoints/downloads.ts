// /api/v2/downloads/{id} normally answers with a redirect to a signed URL. We ask for
// issueRedirect=false instead and get {url} as JSON through the authenticated transport, then
// fetch that URL with client.fetchSigned — so the bearer token never reaches the signed host.
import type { UrlResponse } from '../../sdk/models.ts';
import type { GenesysClient } from '../transport.ts';
import { pathId } from './ids.ts';
import { urlSchema } from './schemas.ts';
import { parseResponse, withSignal, type CallOptions } from './validate.ts';

export async function getDownloadUrl(
  client: GenesysClient,
  downloadId: string,
  opts?: CallOptions,
): Promise<UrlResponse & { url: string }> {
  const res = await client.request({
    method: 'GET',
    path: `/api/v2/downloads/${pathId(downloadId, 'download ID')}`,
    query: { issueRedirect: false },
    family: 'downloads',
    ...withSignal(opts),
  });
  return parseResponse(urlSchema, res.body, 'download URL');
}

/** The download ID of an `https://api.<domain>/api/v2/downloads/{id}` link, else undefined. */
export function downloadIdOf(url: string, apiUrl: string): string | undefined {
  try {
    const u = new URL(url);
    if (u.origin !== new URL(apiUrl).origin) return undefined;
    const m = /^\/api\/v2\/downloads\/([A-Za-z0-9-]{1,64})$/.exec(u.pathname);
    return m?.[1];
  } catch {
    return undefined;
  }
}
