// The emulator's "S3": pre-signed media and transcript downloads. No bearer token, no rate limit.
// Media honours Range / If-Range (unless rangeSupport is off) and is streamed chunk by chunk with
// backpressure; faults (reset, truncate, expire) are applied mid-stream here.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MediaSource } from '../dataset/media.ts';
import { CHUNK, contentTypeOf } from '../dataset/media.ts';
import type { EmulatorContext } from '../server/context.ts';
import type { Fault } from '../server/faults.ts';
import { breakConnection } from '../server/http.ts';
import { s3Error } from '../server/signing.ts';
import { HTML_PAGE, HTML_TYPE, hugeLength, isTamper, streamHuge, tamperJson } from '../server/tamper.ts';

export interface SignedOutcome {
  status: number;
  bytes: number;
  /** a hostile-response fault changed what was sent */
  tampered?: boolean;
}

function xml(res: ServerResponse, status: number, body: string): SignedOutcome {
  res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
  res.end(body);
  return { status, bytes: 0 };
}

export function checkSignature(
  ctx: EmulatorContext,
  url: URL,
  res: ServerResponse,
  fault: Fault | undefined,
): SignedOutcome | undefined {
  const check = fault?.kind === 'expire' ? 'expired' : ctx.signer.verify(url);
  if (check === 'expired') return xml(res, 403, s3Error('AccessDenied', 'Request has expired'));
  if (check === 'invalid')
    return xml(
      res,
      403,
      s3Error(
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided.',
      ),
    );
  return undefined;
}

/**
 * Writes `total` bytes produced by `fill` with backpressure; applies reset/truncate half-way.
 * Chunks are generated into a small pool of buffers that are reused only once the socket has
 * flushed them, so a 500 MB body leaves no trail of garbage behind (flat RSS).
 */
async function pump(
  res: ServerResponse,
  total: number,
  fill: (offset: number, into: Buffer) => Buffer,
  fault: Fault | undefined,
): Promise<number> {
  const cutAt = fault?.kind === 'reset' || fault?.kind === 'truncate' ? Math.floor(total / 2) : total;
  const free: Buffer[] = [
    Buffer.allocUnsafe(CHUNK),
    Buffer.allocUnsafe(CHUNK),
    Buffer.allocUnsafe(CHUNK),
    Buffer.allocUnsafe(CHUNK),
  ];
  let wake: (() => void) | undefined;
  const nudge = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  res.on('close', nudge);
  res.on('drain', nudge);
  let written = 0;
  try {
    while (written < cutAt) {
      while (free.length === 0 || res.writableNeedDrain) {
        if (res.destroyed) return written;
        await new Promise<void>((r) => (wake = r));
      }
      if (res.destroyed) return written;
      const buf = free.pop()!;
      const piece = fill(written, buf).subarray(0, cutAt - written);
      written += piece.length;
      res.write(piece, () => {
        free.push(buf);
        nudge();
      });
    }
  } finally {
    res.off('close', nudge);
    res.off('drain', nudge);
  }
  if (cutAt < total) {
    // reset: an abrupt RST; truncate: a clean FIN before Content-Length bytes arrived.
    breakConnection(res.socket, fault!.kind === 'reset' ? 'reset' : 'truncate');
  } else {
    res.end();
  }
  return written;
}

type Range = { start: number; end: number } | 'unsatisfiable' | undefined;

/** Parses a single `bytes=` range (first-last, open first-, suffix -n). Multi-ranges are ignored (full body). */
function parseRange(header: string | undefined, size: number): Range {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size) return 'unsatisfiable';
  if (end < start) return undefined;
  return { start, end };
}

export async function serveMedia(
  ctx: EmulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
  downloadId: string,
  fault: Fault | undefined,
): Promise<SignedOutcome> {
  const target = ctx.downloads.get(downloadId);
  const plan = target ? ctx.dataset.plan(target.conversationId) : undefined;
  if (!target || !plan) return xml(res, 404, s3Error('NoSuchKey', 'The specified key does not exist.'));
  if (target.kind === 'digital')
    return serveJson(
      ctx,
      res,
      req.method === 'HEAD',
      ctx.dataset.digitalTranscript(plan),
      fault,
      'signed.media',
    );
  const media = ctx.servableMedia(plan, Date.now(), target.channel);
  if (!media) return xml(res, 404, s3Error('NoSuchKey', 'The specified key does not exist.'));
  if (fault?.kind === 'content-type') {
    // A proxy's "access denied" page where the audio should be: 200, text/html, no Range.
    res.writeHead(200, { 'content-type': HTML_TYPE, 'content-length': HTML_PAGE.length });
    if (req.method === 'HEAD') res.end();
    else res.end(HTML_PAGE);
    return { status: 200, bytes: req.method === 'HEAD' ? 0 : HTML_PAGE.length, tampered: true };
  }
  return serveBytes(ctx, req, res, media, contentTypeOf(target.formatId), fault);
}

async function serveBytes(
  ctx: EmulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
  media: MediaSource,
  contentType: string,
  fault: Fault | undefined,
): Promise<SignedOutcome> {
  const size = media.size;
  const etag = media.etag();
  const headers: Record<string, string | number> = {
    'content-type': contentType,
    etag,
    'last-modified': new Date(Date.UTC(2026, 10, 8)).toUTCString(),
  };
  let range: Range;
  if (ctx.options.rangeSupport) {
    headers['accept-ranges'] = 'bytes';
    const ifRange = req.headers['if-range'];
    // If-Range with a different validator: the client's partial copy is stale, send it all.
    if (ifRange === undefined || ifRange === etag) range = parseRange(req.headers.range, size);
  }
  if (range === 'unsatisfiable') {
    res.writeHead(416, { ...headers, 'content-range': `bytes */${size}`, 'content-length': 0 });
    res.end();
    return { status: 416, bytes: 0 };
  }
  const start = range ? range.start : 0;
  const end = range ? range.end : size - 1;
  const status = range ? 206 : 200;
  res.writeHead(status, {
    ...headers,
    'content-length': end - start + 1,
    ...(range ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}),
  });
  if (req.method === 'HEAD') {
    res.end();
    return { status, bytes: 0 };
  }
  const bytes = await pump(
    res,
    end - start + 1,
    (offset, into) => media.slice(start + offset, end, into),
    fault,
  );
  return { status, bytes };
}

async function serveJson(
  ctx: EmulatorContext,
  res: ServerResponse,
  head: boolean,
  value: unknown,
  fault: Fault | undefined,
  route: 'signed.media' | 'signed.transcript',
): Promise<SignedOutcome> {
  const tampered =
    isTamper(fault?.kind) && !head
      ? tamperJson(fault.kind, route, structuredClone(value), fault.variant ?? 0, ctx.options.hugeBodyBytes)
      : undefined;
  if (tampered?.kind === 'huge') {
    res.writeHead(200, { 'content-type': tampered.contentType, 'content-length': hugeLength(tampered) });
    return { status: 200, bytes: await streamHuge(res, tampered), tampered: true };
  }
  const body = tampered ? tampered.body : Buffer.from(JSON.stringify(value));
  res.writeHead(200, {
    'content-type': tampered ? tampered.contentType : 'application/json',
    'content-length': body.length,
  });
  if (head) {
    res.end();
    return { status: 200, bytes: 0 };
  }
  const bytes = await pump(
    res,
    body.length,
    (offset, into) => {
      const n = body.copy(into, 0, offset, Math.min(body.length, offset + into.length));
      return into.subarray(0, n);
    },
    fault,
  );
  return { status: 200, bytes, ...(tampered ? { tampered: true } : {}) };
}

export async function serveTranscript(
  ctx: EmulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
  conversationId: string,
  communicationId: string,
  fault: Fault | undefined,
): Promise<SignedOutcome> {
  const plan = ctx.dataset.plan(conversationId);
  const transcript = plan ? ctx.dataset.voiceTranscript(plan, communicationId) : undefined;
  if (transcript === undefined)
    return xml(res, 404, s3Error('NoSuchKey', 'The specified key does not exist.'));
  return serveJson(ctx, res, req.method === 'HEAD', transcript, fault, 'signed.transcript');
}
