// The Genesys API routes the emulator answers: method, path pattern and the route handler each
// maps to, in matching order.
import type { RouteName } from '../types.ts';
import * as analytics from '../routes/analytics.ts';
import * as recordings from '../routes/recordings.ts';
import * as transcripts from '../routes/transcripts.ts';
import type { EmulatorContext } from './context.ts';
import type { Reply } from './http.ts';

export interface ApiRequest {
  url: URL;
  params: string[];
  body: unknown;
  clientId: string;
}

type ApiHandler = (ctx: EmulatorContext, r: ApiRequest) => Reply | Promise<Reply>;

export interface ApiRoute {
  name: RouteName;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD';
  pattern: RegExp;
  handler: ApiHandler;
}

const ID = '([^/]+)';
const p = (s: string) => new RegExp(`^${s}$`);

// Order matters where patterns overlap: /details/jobs/availability before /details/jobs/{id}.
const API_ROUTES: ApiRoute[] = [
  {
    name: 'analytics.details.query',
    method: 'POST',
    pattern: p('/api/v2/analytics/conversations/details/query'),
    handler: (c, r) => analytics.detailsQuery(c, r.body),
  },
  {
    name: 'analytics.jobs.availability',
    method: 'GET',
    pattern: p('/api/v2/analytics/conversations/details/jobs/availability'),
    handler: (c) => analytics.jobsAvailability(c),
  },
  {
    name: 'analytics.jobs.create',
    method: 'POST',
    pattern: p('/api/v2/analytics/conversations/details/jobs'),
    handler: (c, r) => analytics.jobCreate(c, r.body),
  },
  {
    name: 'analytics.jobs.results',
    method: 'GET',
    pattern: p(`/api/v2/analytics/conversations/details/jobs/${ID}/results`),
    handler: (c, r) => analytics.jobResults(c, r.params[0]!, r.url.searchParams),
  },
  {
    name: 'analytics.jobs.status',
    method: 'GET',
    pattern: p(`/api/v2/analytics/conversations/details/jobs/${ID}`),
    handler: (c, r) => analytics.jobStatus(c, r.params[0]!),
  },
  {
    name: 'analytics.jobs.delete',
    method: 'DELETE',
    pattern: p(`/api/v2/analytics/conversations/details/jobs/${ID}`),
    handler: (c, r) => analytics.jobDelete(c, r.params[0]!),
  },
  {
    name: 'analytics.details.multiget',
    method: 'GET',
    pattern: p('/api/v2/analytics/conversations/details'),
    handler: (c, r) => analytics.detailsMultiGet(c, analytics.idList(r.url.searchParams)),
  },
  {
    name: 'analytics.details.get',
    method: 'GET',
    pattern: p(`/api/v2/analytics/conversations/${ID}/details`),
    handler: (c, r) => analytics.detailsGet(c, r.params[0]!),
  },
  {
    name: 'recordings.list',
    method: 'GET',
    pattern: p(`/api/v2/conversations/${ID}/recordings`),
    handler: (c, r) => recordings.recordingsList(c, r.params[0]!, r.url.searchParams),
  },
  {
    name: 'recordings.get',
    method: 'GET',
    pattern: p(`/api/v2/conversations/${ID}/recordings/${ID}`),
    handler: (c, r) => recordings.recordingGet(c, r.params[0]!, r.params[1]!, r.url.searchParams),
  },
  {
    name: 'recordings.put',
    method: 'PUT',
    pattern: p(`/api/v2/conversations/${ID}/recordings/${ID}`),
    handler: (c, r) => recordings.recordingPut(c, r.params[0]!, r.params[1]!, r.body),
  },
  {
    name: 'recordingmetadata.list',
    method: 'GET',
    pattern: p(`/api/v2/conversations/${ID}/recordingmetadata`),
    handler: (c, r) => recordings.metadataList(c, r.params[0]!),
  },
  {
    name: 'recordingmetadata.get',
    method: 'GET',
    pattern: p(`/api/v2/conversations/${ID}/recordingmetadata/${ID}`),
    handler: (c, r) => recordings.metadataGet(c, r.params[0]!, r.params[1]!),
  },
  {
    name: 'batch.create',
    method: 'POST',
    pattern: p('/api/v2/recording/batchrequests'),
    handler: (c, r) => recordings.batchCreate(c, r.clientId, r.body),
  },
  {
    name: 'batch.get',
    method: 'GET',
    pattern: p(`/api/v2/recording/batchrequests/${ID}`),
    handler: (c, r) => recordings.batchGet(c, r.clientId, r.params[0]!),
  },
  {
    name: 'sta.transcripturl',
    method: 'GET',
    pattern: p(`/api/v2/speechandtextanalytics/conversations/${ID}/communications/${ID}/transcripturl`),
    handler: (c, r) => transcripts.transcriptUrl(c, r.params[0]!, r.params[1]!),
  },
  {
    name: 'sta.transcripturls',
    method: 'GET',
    pattern: p(`/api/v2/speechandtextanalytics/conversations/${ID}/communications/${ID}/transcripturls`),
    handler: (c, r) => transcripts.transcriptUrls(c, r.params[0]!, r.params[1]!),
  },
  {
    name: 'downloads.get',
    method: 'GET',
    pattern: p(`/api/v2/downloads/${ID}`),
    handler: (c, r) => transcripts.downloadGet(c, r.params[0]!, r.url.searchParams),
  },
  {
    name: 'tokens.me',
    method: 'GET',
    pattern: p('/api/v2/tokens/me'),
    handler: (_c, r) => tokenInfo(r.clientId),
  },
  { name: 'tokens.me', method: 'HEAD', pattern: p('/api/v2/tokens/me'), handler: () => ({ status: 200 }) },
];

function tokenInfo(clientId: string): Reply {
  const organization = { id: 'e7a1c2b3-0000-4000-8000-0000000000e0', name: 'Emulated Org' };
  return {
    status: 200,
    json: {
      organization,
      homeOrganization: organization,
      authorizedScope: [],
      OAuthClient: {
        id: clientId,
        name: 'Emulator client',
        authorizedGrantType: 'CLIENT-CREDENTIALS',
        organization,
      },
    },
  };
}

/** The first route for this method whose pattern matches the path, with its decoded path parameters. */
export function matchApiRoute(
  method: string,
  path: string,
): { route: ApiRoute; params: string[] } | undefined {
  for (const route of API_ROUTES) {
    if (route.method !== method) continue;
    const hit = route.pattern.exec(path);
    if (hit) return { route, params: hit.slice(1).map(decodeURIComponent) };
  }
  return undefined;
}
