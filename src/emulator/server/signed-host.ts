// The "S3" host of pre-signed URLs: its faults, the signature check, then the media or transcript
// file (routes/signed.ts), or an endless or trickling body where a fault says so.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CHUNK, contentTypeOf } from '../dataset/media.ts';
import { checkSignature, serveMedia, serveTranscript } from '../routes/signed.ts';
import type { AppParts } from './context.ts';
import { faultReply, takeFault } from './fault-step.ts';
import type { Fault } from './faults.ts';
import { redirectTo, serveEndless, serveTrickle } from './hostile-net.ts';
import { send } from './send.ts';

export type SignedRoute = 'signed.media' | 'signed.transcript';

export async function handleSigned(
  parts: AppParts,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  route: SignedRoute,
  params: string[],
): Promise<void> {
  const { ctx, stats } = parts;
  const binary = route === 'signed.media' && ctx.downloads.get(params[0]!)?.kind === 'media';
  const fault = await takeFault(parts, route, { signed: true, binary });
  const refused = refuse(parts, res, url, fault);
  if (refused !== undefined) return stats.response(route, refused);
  // A HEAD has no body to make endless or trickle: it gets its headers, as under the other body faults.
  if ((fault?.kind === 'endless' || fault?.kind === 'trickle') && req.method !== 'HEAD') {
    stats.response(route, 200);
    await hostileBody(parts, res, route, params, fault.kind);
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

/**
 * Answers a request the file is not served to: a fault's error, a fault's redirect to the internal
 * service, or S3's refusal of an expired or bad signature. Returns the status sent, or undefined.
 */
function refuse(
  { ctx }: AppParts,
  res: ServerResponse,
  url: URL,
  fault: Fault | undefined,
): number | undefined {
  const early = fault && fault.kind !== 'expire' ? faultReply(fault) : undefined;
  if (early) {
    send(res, early, {}, undefined);
    return early.status;
  }
  if (fault?.kind === 'internal-url' && ctx.internal) {
    // The signed host redirects to an internal service (or the cloud metadata address).
    redirectTo(res, ctx.internal.target(fault.variant ?? 0));
    return 302;
  }
  return checkSignature(ctx, url, res, fault)?.status;
}

/** An endless or trickling body where the media or transcript should be. */
async function hostileBody(
  { ctx, stats }: AppParts,
  res: ServerResponse,
  route: SignedRoute,
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
  stats.bytes(
    await serveTrickle(res, 200, { 'content-type': type }, first, ctx.options.trickleIntervalMs, length),
  );
}
