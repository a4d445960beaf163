// POST /oauth/token on the login host: the client-credentials grant, with the faults a test
// scripts for it (random faults never reach it).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppParts } from './context.ts';
import { faultReply, takeFault } from './fault-step.ts';
import type { Fault } from './faults.ts';
import { serveEndless, serveTrickle } from './hostile-net.ts';
import { readBody } from './http.ts';
import { send } from './send.ts';

export async function handleOAuth(parts: AppParts, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { ctx, tokens, stats } = parts;
  const fault = await takeFault(parts, 'oauth.token', false);
  const raw = await readBody(req);
  if (fault && (await answeredByFault(parts, res, fault))) return;
  const form = new URLSearchParams(raw === 'too-large' ? '' : raw.toString('utf8'));
  const out = tokens.issue(req.headers.authorization, form);
  if (out.status === 200) stats.tokenIssued();
  if (fault?.kind === 'trickle') {
    const body = Buffer.from(JSON.stringify(out.json));
    stats.response('oauth.token', out.status);
    const headers = { 'content-type': 'application/json' };
    await serveTrickle(res, out.status, headers, body, ctx.options.trickleIntervalMs);
    return;
  }
  const reply = { status: out.status, json: out.json };
  const tampered = send(res, reply, {}, fault, false, 'oauth.token', ctx.options.hugeBodyBytes);
  if (tampered) stats.fault(fault!.kind);
  stats.response('oauth.token', out.status);
}

/** Faults that answer instead of the token store: an error, or an endless body. True when one did. */
async function answeredByFault({ stats }: AppParts, res: ServerResponse, fault: Fault): Promise<boolean> {
  const early = faultReply(fault);
  if (early) {
    send(res, early, {}, undefined);
    stats.response('oauth.token', early.status);
    return true;
  }
  if (fault.kind !== 'endless') return false;
  // An endless token answer: a client without a body cap grows its memory without bound.
  await serveEndless(res, 200, 'application/json', Buffer.from('{"access_token":"'));
  stats.response('oauth.token', 200);
  return true;
}
