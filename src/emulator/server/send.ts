// Writing a Reply on the wire: JSON body, content-type and content-length, and the faults that act
// on the body as it is written (reset/truncate cut it half-way, hostile ones replace it).
import type { ServerResponse } from 'node:http';
import type { RouteName } from '../types.ts';
import type { Fault } from './faults.ts';
import { breakConnection, type Reply } from './http.ts';
import { hugeLength, isTamper, streamHuge, tamperJson } from './tamper.ts';

/**
 * Sends a JSON reply; reset/truncate faults cut the body half-way after advertising its length,
 * hostile (tamper) faults replace the body. Returns true when a tamper fault changed the reply.
 */
export function send(
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
