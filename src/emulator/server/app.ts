// The HTTP front of the emulator: matches a request to its handler (the emulator's own stats, the
// login host's token endpoint, the signed "S3" host, a Genesys API route) and answers 404 to the
// rest. Around each route the handlers apply what a real platform would (bearer check, per-client
// rate limit, injected faults) and record what happened for the stats endpoint.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { handleApi } from './api.ts';
import { matchApiRoute } from './api-routes.ts';
import type { AppParts } from './context.ts';
import { errorReply, notFound } from './http.ts';
import { send } from './send.ts';
import { handleSigned, type SignedRoute } from './signed-host.ts';
import { handleOAuth } from './token-endpoint.ts';

export type { AppParts } from './context.ts';

export function createApp(parts: AppParts): Server {
  return createServer((req, res) => {
    dispatch(parts, req, res).catch(() => {
      if (!res.headersSent)
        send(res, errorReply(500, 'internal.server.error', 'Emulator error.'), {}, undefined);
      else res.destroy();
    });
  });
}

async function dispatch(parts: AppParts, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://emulator');
  const path = url.pathname;
  const method = req.method ?? 'GET';
  if (path.startsWith('/__emulator/') && emulatorEndpoint(parts, res, path, method)) return;
  if (path === '/oauth/token' && method === 'POST') return handleOAuth(parts, req, res);
  const signed = method === 'GET' || method === 'HEAD' ? matchSigned(path) : undefined;
  if (signed) return handleSigned(parts, req, res, url, signed.route, signed.params);
  const api = matchApiRoute(method, path);
  if (api) return handleApi(parts, req, res, url, api.route, api.params);
  req.resume();
  const correlation: Record<string, string> = path.startsWith('/api/v2/')
    ? { 'ININ-Correlation-Id': randomUUID() }
    : {};
  send(res, notFound(`No route for ${method} ${path}`), correlation, undefined);
  parts.stats.response('unknown', 404);
}

/** GET /__emulator/stats and POST /__emulator/stats/reset; false for anything else. */
function emulatorEndpoint({ stats }: AppParts, res: ServerResponse, path: string, method: string): boolean {
  if (path === '/__emulator/stats' && method === 'GET') {
    send(res, { status: 200, json: stats.snapshot() }, {}, undefined);
    return true;
  }
  if (path === '/__emulator/stats/reset' && method === 'POST') {
    stats.reset();
    send(res, { status: 204 }, {}, undefined);
    return true;
  }
  return false;
}

/** A pre-signed media or transcript path, with its parameters. */
function matchSigned(path: string): { route: SignedRoute; params: string[] } | undefined {
  const media = /^\/__signed\/media\/([^/]+)$/.exec(path);
  if (media) return { route: 'signed.media', params: [media[1]!] };
  const transcript = /^\/__signed\/transcripts\/([^/]+)\/([^/]+)\.json$/.exec(path);
  if (transcript) return { route: 'signed.transcript', params: [transcript[1]!, transcript[2]!] };
  return undefined;
}
