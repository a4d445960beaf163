// One API request, step by step: read its body, admit it (bearer, rate limit), add the latency,
// draw its fault, parse the body, ask the route handler, and write the answer (or trickle it).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RouteName } from '../types.ts';
import { admit } from './api-admission.ts';
import type { ApiRoute } from './api-routes.ts';
import type { AppParts } from './context.ts';
import { faultReply, pause, takeFault } from './fault-step.ts';
import type { Fault } from './faults.ts';
import { RETRY_AFTER_LONG_SECONDS, rewriteUrls, serveTrickle } from './hostile-net.ts';
import { errorReply, readBody, tooManyRequests, type Reply } from './http.ts';
import { send } from './send.ts';

/** Where one API answer goes, and the headers every answer to it carries. */
interface Exchange {
  parts: AppParts;
  res: ServerResponse;
  route: RouteName;
  head: boolean;
  correlation: Record<string, string>;
  rateHeaders: Record<string, string>;
}

export async function handleApi(
  parts: AppParts,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  route: ApiRoute,
  params: string[],
): Promise<void> {
  const { ctx } = parts;
  const correlation = { 'ININ-Correlation-Id': randomUUID() };
  const withBody = req.method === 'POST' || req.method === 'PUT';
  const raw = withBody ? await readBody(req) : Buffer.alloc(0);
  const admission = admit(parts, req);
  const head = req.method === 'HEAD';
  const x: Exchange = {
    parts,
    res,
    route: route.name,
    head,
    correlation,
    rateHeaders: admission.rateHeaders,
  };
  if (!admission.admitted) return finish(x, admission.refusal);
  if (ctx.options.latencyMs > 0) await pause(ctx.options.latencyMs);
  const fault = await takeFault(parts, route.name, false);
  const early = fault ? faultAnswer(fault) : undefined;
  if (early) return finish(x, early);
  const body = withBody ? parseBody(raw) : { ok: true as const, body: undefined };
  if (!body.ok) return finish(x, body.refusal);
  const reply = await route.handler(ctx, { url, params, body: body.body, clientId: admission.clientId });
  const answer = withInternalUrls(parts, route.name, reply, fault);
  if (fault?.kind === 'trickle' && !x.head) return trickle(x, answer);
  finish(x, answer, fault);
}

/** Writes the answer with the exchange's headers, and counts it (and a hostile fault that changed it). */
function finish(x: Exchange, reply: Reply, fault?: Fault): void {
  const { ctx, stats } = x.parts;
  const headers = { ...x.correlation, ...x.rateHeaders };
  const tampered = send(x.res, reply, headers, fault, x.head, x.route, ctx.options.hugeBodyBytes);
  if (tampered) stats.fault(fault!.kind);
  stats.response(x.route, reply.status);
}

/** What a fault answers instead of the route: an error, or a 429 with a Retry-After far off. */
function faultAnswer(fault: Fault): Reply | undefined {
  const early = faultReply(fault);
  if (early) return early;
  return fault.kind === 'retry-after-long' ? tooManyRequests(RETRY_AFTER_LONG_SECONDS) : undefined;
}

type ParsedBody = { ok: true; body: unknown } | { ok: false; refusal: Reply };

/** A POST or PUT body as JSON; over 512000 bytes is a 413, bad JSON a 400, none is undefined. */
function parseBody(raw: Buffer | 'too-large'): ParsedBody {
  if (raw === 'too-large') {
    const message = 'The request is over the size limit. Maximum bytes: 512000';
    return { ok: false, refusal: errorReply(413, 'request.entity.too.large', message) };
  }
  try {
    return { ok: true, body: raw.length === 0 ? undefined : JSON.parse(raw.toString('utf8')) };
  } catch {
    const message = 'The request could not be understood by the server due to malformed syntax.';
    return { ok: false, refusal: errorReply(400, 'bad.request', message) };
  }
}

/** An 'internal-url' fault points the answer's download URLs at the internal service. */
function withInternalUrls(
  { ctx }: AppParts,
  route: RouteName,
  reply: Reply,
  fault: Fault | undefined,
): Reply {
  if (fault?.kind !== 'internal-url' || !ctx.internal || reply.json === undefined) return reply;
  const json = structuredClone(reply.json);
  return rewriteUrls(route, json, ctx.internal.target(fault.variant ?? 0)) ? { ...reply, json } : reply;
}

/** A 'trickle' fault sends the answer one byte at a time. */
async function trickle(x: Exchange, reply: Reply): Promise<void> {
  const { ctx, stats } = x.parts;
  const headers = {
    ...x.correlation,
    ...x.rateHeaders,
    ...reply.headers,
    'content-type': 'application/json',
  };
  stats.response(x.route, reply.status);
  const text = reply.json === undefined ? '' : JSON.stringify(reply.json);
  await serveTrickle(x.res, reply.status, headers, Buffer.from(text), ctx.options.trickleIntervalMs);
}
