// Small helpers for answering like Genesys: JSON bodies, the ErrorBody shape, request bodies.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export interface Reply {
  status: number;
  json?: unknown;
  headers?: Record<string, string>;
}

/** Genesys ErrorBody: every API error carries these fields; contextId is the correlation id. */
export function errorReply(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): Reply {
  return {
    status,
    json: { message, code, status, contextId: randomUUID(), details: [], errors: [] },
    headers,
  };
}

export const badRequest = (message: string): Reply => errorReply(400, 'bad.request', message);
/** Genesys' 429 after its rate limit (also what a 'retry-after-long' fault answers). */
export const tooManyRequests = (seconds: number): Reply =>
  errorReply(
    429,
    'too.many.requests.retry.after',
    `Rate limit exceeded the maximum. Retry the request in [${seconds}] seconds`,
    { 'retry-after': String(seconds) },
  );
export const notFound = (message = 'The requested resource was not found.'): Reply =>
  errorReply(404, 'not.found', message);

/** Reads a request body up to `limit` bytes (Genesys caps request bodies at 512000 bytes). */
export async function readBody(req: IncomingMessage, limit = 512_000): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > limit) return 'too-large';
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Breaks a connection after what was written so far has left: 'reset' sends an RST, 'truncate' a
 * clean FIN. The RST waits a moment, since an RST can make the peer's kernel drop bytes it has
 * received but not yet read, and then the client would not even see the status line.
 */
export function breakConnection(socket: import('node:net').Socket | null, how: 'reset' | 'truncate'): void {
  if (!socket) return;
  if (how === 'truncate') {
    socket.end();
    return;
  }
  socket.write('', () => setTimeout(() => socket.resetAndDestroy(), 30).unref());
}
