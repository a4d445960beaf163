// The HTTP front of the emulator: matches a request to a Genesys route, then applies what a real
// platform would apply around it (bearer check, per-client rate limit, injected faults) and records
// what happened for the stats endpoint.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { RouteName } from '../types.ts';
import * as analytics from '../routes/analytics.ts';
import * as recordings from '../routes/recordings.ts';
import * as transcripts from '../routes/transcripts.ts';
import { serveMedia, serveTranscript, checkSignature } from '../routes/signed.ts';
import type { TokenStore } from './auth.ts';
import type { EmulatorContext } from './context.ts';
import type { Fault, FaultPlanner } from './faults.ts';
import { breakConnection, errorReply, notFound, readBody, type Reply } from './http.ts';
import { hugeLength, isTamper, streamHuge, tamperJson } from './tamper.ts';
import {
  redirectTo,
  RETRY_AFTER_LONG_SECONDS,
  rewriteUrls,
  serveEndless,
  serveTrickle,
} from './hostile-net.ts';
import { CHUNK, contentTypeOf } from '../dataset/media.ts';
import type { FixedWindowLimiter } from './rate-limit.ts';
import type { StatsCollector } from './stats.ts';

const SLOW_MS = 2000;

interface ApiRequest {
  url: URL;
  params: string[];
  body: unknown;
  clientId: string;
}

type ApiHandler = (ctx: EmulatorContext, r: ApiRequest) => Reply | Promise<Reply>;

interface ApiRoute {
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

export interface AppParts {
  ctx: EmulatorContext;
  tokens: TokenStore;
  limiter: FixedWindowLimiter | null;
  faults: FaultPlanner;
  stats: StatsCollector;
}

/** A sleep that does not keep a closing process alive. */
function pause(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}

function faultReply(fault: Fault): Reply | undefined {
  switch (fault.kind) {
    case '5xx': {
      const status = fault.status ?? 500;
      const code =
        status === 502 ? 'bad.gateway' : status === 504 ? 'gateway.timeout' : 'internal.server.error';
      return errorReply(status, code, 'The server encountered an unexpected error.');
    }
    case '503':
      return errorReply(503, 'service.unavailable', 'Service temporarily unavailable.', {
        'retry-after': '1',
      });
    case 'expire':
      return errorReply(401, 'bad.credentials', 'Invalid login credentials.');
    default:
      return undefined;
  }
}

/**
 * Sends a JSON reply; reset/truncate faults cut the body half-way after advertising its length,
 * hostile (tamper) faults replace the body. Returns true when a tamper fault changed the reply.
 */
function send(
  res: ServerResponse,
  reply: Reply,
  headers: Record<string, string>,
  fault: Fault | undefined,
  head = false,
  route: RouteName | 'oauth.token' = 'oauth.token',
  hugeBodyBytes = 0,
): boolean {
  const all: Record<string, string | number> = { ...headers, ...reply.headers };
  const tampered =
    isTamper(fault?.kind) && !head && reply.json !== undefined
      ? tamperJson(fault.kind, route, structuredClone(reply.json), fault.variant ?? 0, hugeBodyBytes)
      : undefined;
  if (tampered?.kind === 'huge') {
    all['content-type'] = tampered.contentType;
    all['content-length'] = hugeLength(tampered);
    res.writeHead(reply.status, all);
    void streamHuge(res, tampered);
    return true;
  }
  const body = tampered
    ? tampered.body
    : reply.json === undefined
      ? Buffer.alloc(0)
      : Buffer.from(JSON.stringify(reply.json));
  if (tampered) all['content-type'] = tampered.contentType;
  else if (reply.json !== undefined) all['content-type'] = 'application/json';
  if (reply.status !== 204 && reply.status !== 304) all['content-length'] = body.length;
  res.writeHead(reply.status, all);
  if (head || body.length === 0) {
    res.end();
    return tampered !== undefined;
  }
  if (fault?.kind === 'reset' || fault?.kind === 'truncate') {
    res.write(body.subarray(0, Math.floor(body.length / 2)));
    breakConnection(res.socket, fault.kind);
    return false;
  }
  res.end(body);
  return tampered !== undefined;
}

export function createApp(parts: AppParts): Server {
  const { ctx, tokens, limiter, faults, stats } = parts;

  async function handleOAuth(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const fault = faults.next('oauth.token', false);
    if (fault && !isTamper(fault.kind)) stats.fault(fault.kind);
    if (fault?.kind === 'slow') await pause(SLOW_MS);
    const raw = await readBody(req);
    const early = fault ? faultReply(fault) : undefined;
    if (early) {
      send(res, early, {}, undefined);
      stats.response('oauth.token', early.status);
      return;
    }
    if (fault?.kind === 'endless') {
      // An endless token answer: a client without a body cap grows its memory without bound.
      await serveEndless(res, 200, 'application/json', Buffer.from('{"access_token":"'));
      stats.response('oauth.token', 200);
      return;
    }
    const form = new URLSearchParams(raw === 'too-large' ? '' : raw.toString('utf8'));
    const out = tokens.issue(req.headers.authorization, form);
    if (out.status === 200) stats.tokenIssued();
    if (fault?.kind === 'trickle') {
      const body = Buffer.from(JSON.stringify(out.json));
      stats.response('oauth.token', out.status);
      await serveTrickle(
        res,
        out.status,
        { 'content-type': 'application/json' },
        body,
        ctx.options.trickleIntervalMs,
      );
      return;
    }
    const tampered = send(
      res,
      { status: out.status, json: out.json },
      {},
      fault,
      false,
      'oauth.token',
      ctx.options.hugeBodyBytes,
    );
    if (tampered) stats.fault(fault!.kind);
    stats.response('oauth.token', out.status);
  }

  async function handleApi(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    route: ApiRoute,
    params: string[],
  ): Promise<void> {
    const correlation = { 'ININ-Correlation-Id': randomUUID() };
    const withBody = req.method === 'POST' || req.method === 'PUT';
    const raw = withBody ? await readBody(req) : Buffer.alloc(0);
    const head = req.method === 'HEAD';
    const finish = (reply: Reply, headers: Record<string, string>, fault?: Fault) => {
      const tampered = send(
        res,
        reply,
        { ...correlation, ...headers },
        fault,
        head,
        route.name,
        ctx.options.hugeBodyBytes,
      );
      if (tampered) stats.fault(fault!.kind);
      stats.response(route.name, reply.status);
    };
    const auth = tokens.check(req);
    if (!auth.ok) {
      const headers: Record<string, string> = limiter
        ? {
            'inin-ratelimit-count': '0',
            'inin-ratelimit-allowed': String(ctx.options.rateLimit!.perWindow),
            'inin-ratelimit-reset': String(Math.ceil(ctx.options.rateLimit!.windowMs / 1000)),
          }
        : {};
      return finish(errorReply(401, 'bad.credentials', 'Invalid login credentials.'), headers);
    }
    const now = Date.now();
    let rateHeaders: Record<string, string> = {};
    if (limiter) {
      const d = limiter.take(auth.clientId, now);
      rateHeaders = d.headers;
      stats.apiRequest(auth.clientId, now, !d.allowed, d.countInWindow);
      if (!d.allowed) {
        const s = d.retryAfterSeconds!;
        return finish(
          errorReply(
            429,
            'too.many.requests.retry.after',
            `Rate limit exceeded the maximum. Retry the request in [${s}] seconds`,
            { 'retry-after': String(s) },
          ),
          rateHeaders,
        );
      }
    } else {
      stats.apiRequest(auth.clientId, now, false, 0);
    }
    if (ctx.options.latencyMs > 0) await pause(ctx.options.latencyMs);
    const fault = faults.next(route.name, false);
    // Hostile replies are counted once they changed something (see finish).
    if (fault && !isTamper(fault.kind)) stats.fault(fault.kind);
    if (fault?.kind === 'slow') await pause(SLOW_MS);
    const early = fault ? faultReply(fault) : undefined;
    if (early) return finish(early, rateHeaders);
    if (fault?.kind === 'retry-after-long') {
      const s = RETRY_AFTER_LONG_SECONDS;
      return finish(
        errorReply(
          429,
          'too.many.requests.retry.after',
          `Rate limit exceeded the maximum. Retry the request in [${s}] seconds`,
          { 'retry-after': String(s) },
        ),
        rateHeaders,
      );
    }
    let body: unknown;
    if (withBody) {
      if (raw === 'too-large')
        return finish(
          errorReply(
            413,
            'request.entity.too.large',
            'The request is over the size limit. Maximum bytes: 512000',
          ),
          rateHeaders,
        );
      try {
        body = raw.length === 0 ? undefined : JSON.parse(raw.toString('utf8'));
      } catch {
        return finish(
          errorReply(
            400,
            'bad.request',
            'The request could not be understood by the server due to malformed syntax.',
          ),
          rateHeaders,
        );
      }
    }
    let reply = await route.handler(ctx, { url, params, body, clientId: auth.clientId });
    if (fault?.kind === 'internal-url' && ctx.internal && reply.json !== undefined) {
      const json = structuredClone(reply.json);
      if (rewriteUrls(route.name, json, ctx.internal.target(fault.variant ?? 0))) reply = { ...reply, json };
    }
    if (fault?.kind === 'trickle' && !head) {
      const headers = {
        ...correlation,
        ...rateHeaders,
        ...reply.headers,
        'content-type': 'application/json',
      };
      stats.response(route.name, reply.status);
      const text = reply.json === undefined ? '' : JSON.stringify(reply.json);
      await serveTrickle(res, reply.status, headers, Buffer.from(text), ctx.options.trickleIntervalMs);
      return;
    }
    finish(reply, rateHeaders, fault);
  }

  async function handleSigned(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    route: 'signed.media' | 'signed.transcript',
    params: string[],
  ): Promise<void> {
    const binary = route === 'signed.media' && ctx.downloads.get(params[0]!)?.kind === 'media';
    const fault = faults.next(route, { signed: true, binary });
    if (fault && !isTamper(fault.kind)) stats.fault(fault.kind);
    if (fault?.kind === 'slow') await pause(SLOW_MS);
    const early = fault && fault.kind !== 'expire' ? faultReply(fault) : undefined;
    if (early) {
      send(res, early, {}, undefined);
      stats.response(route, early.status);
      return;
    }
    if (fault?.kind === 'internal-url' && ctx.internal) {
      // The signed host redirects to an internal service (or the cloud metadata address).
      redirectTo(res, ctx.internal.target(fault.variant ?? 0));
      stats.response(route, 302);
      return;
    }
    const refused = checkSignature(ctx, url, res, fault);
    if (refused) {
      stats.response(route, refused.status);
      return;
    }
    if (fault?.kind === 'endless' || fault?.kind === 'trickle') {
      stats.response(route, 200);
      await hostileBody(req, res, route, params, fault.kind);
      return;
    }
    const out =
      route === 'signed.media'
        ? await serveMedia(ctx, req, res, params[0]!, fault)
        : await serveTranscript(ctx, req, res, params[0]!, params[1]!, fault);
    if (out.tampered) stats.fault(fault!.kind);
    stats.bytes(out.bytes);
    stats.response(route, out.status);
  }

  /** An endless or trickling body where the media or transcript should be. */
  async function hostileBody(
    req: IncomingMessage,
    res: ServerResponse,
    route: 'signed.media' | 'signed.transcript',
    params: string[],
    kind: 'endless' | 'trickle',
  ): Promise<void> {
    const target = route === 'signed.media' ? ctx.downloads.get(params[0]!) : undefined;
    const plan = target ? ctx.dataset.plan(target.conversationId) : undefined;
    const media = plan && target?.kind === 'media' ? ctx.servableMedia(plan) : undefined;
    const type = media && target?.kind === 'media' ? contentTypeOf(target.formatId) : 'application/json';
    if (kind === 'endless') {
      stats.bytes(await serveEndless(res, 200, type, Buffer.from(media ? 'RIFF' : '{"transcripts":"')));
      return;
    }
    const length = media?.size ?? 64 * 1024;
    const first = media ? media.slice(0, length - 1, Buffer.allocUnsafe(CHUNK)) : Buffer.alloc(length, 0x20);
    void req;
    stats.bytes(
      await serveTrickle(res, 200, { 'content-type': type }, first, ctx.options.trickleIntervalMs, length),
    );
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    if (path === '/__emulator/stats' && method === 'GET') {
      send(res, { status: 200, json: stats.snapshot() }, {}, undefined);
      return;
    }
    if (path === '/__emulator/stats/reset' && method === 'POST') {
      stats.reset();
      send(res, { status: 204 }, {}, undefined);
      return;
    }
    if (path === '/oauth/token' && method === 'POST') return handleOAuth(req, res);
    let m = /^\/__signed\/media\/([^/]+)$/.exec(path);
    if (m && (method === 'GET' || method === 'HEAD'))
      return handleSigned(req, res, url, 'signed.media', [m[1]!]);
    m = /^\/__signed\/transcripts\/([^/]+)\/([^/]+)\.json$/.exec(path);
    if (m && (method === 'GET' || method === 'HEAD'))
      return handleSigned(req, res, url, 'signed.transcript', [m[1]!, m[2]!]);
    for (const route of API_ROUTES) {
      if (route.method !== method) continue;
      const hit = route.pattern.exec(path);
      if (hit) return handleApi(req, res, url, route, hit.slice(1).map(decodeURIComponent));
    }
    req.resume();
    const correlation: Record<string, string> = path.startsWith('/api/v2/')
      ? { 'ININ-Correlation-Id': randomUUID() }
      : {};
    send(res, notFound(`No route for ${method} ${path}`), correlation, undefined);
    stats.response('unknown', 404);
  }

  return createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent)
        send(res, errorReply(500, 'internal.server.error', 'Emulator error.'), {}, undefined);
      else res.destroy();
    });
  });
}
