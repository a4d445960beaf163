// A raw loopback "signed media host" for edge cases the emulator cannot script precisely: it serves
// one deterministic object with a strong ETag, honours Range/If-Range (unless told not to), and can
// break the connection, truncate bodies, expire tokens, drop Content-Length, or swap the object.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

export interface MediaServerOptions {
  size: number;
  /** Answer 200 with the full body, ignoring Range. */
  noRange?: boolean;
  /** Send no Content-Length (chunked framing). */
  noContentLength?: boolean;
  /** Send no ETag. */
  noEtag?: boolean;
  /** Destroy the socket after this many body bytes, for the first `breakCount` responses. */
  breakAfterBytes?: number;
  breakCount?: number;
  /** Tokens listed here answer 403 "Request has expired". */
  expiredTokens?: Set<string>;
  /** A token answers 403 "expired" once it has been used this many times. */
  tokenUses?: number;
  /** Generate the object on the fly (64 KiB blocks, each stamped with its index): no buffer of `size` in memory. */
  virtual?: boolean;
  /** Delay between 64 KiB chunks (for tests that kill a process mid-download). */
  chunkDelayMs?: number;
  /** Serve https with this key and certificate; url() then names host `localhost`. */
  tls?: { key: string; cert: string };
  /** A request on a connection that already served one is dropped unanswered (the server closed a
   * kept-alive connection just as the client reused it). */
  staleKeepAlive?: boolean;
}

export interface MediaServer {
  url(token?: string): string;
  data(): Buffer;
  sha256(): string;
  etag(): string;
  /** Replaces the object (new bytes, new ETag). */
  replace(seed: number): void;
  requests: { range?: string; ifRange?: string; authorization?: string; status: number }[];
  bytesServed(): number;
  /** TCP connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

export function makeData(size: number, seed = 1): Buffer {
  const buf = Buffer.allocUnsafe(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i += 1) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    buf[i] = x & 0xff;
  }
  return buf;
}

const BLOCK = 64 * 1024;

/** Bytes [start, end) of a virtual object: block i is a fixed random block with i in its first 8 bytes. */
export function* virtualBytes(start: number, end: number): Generator<Buffer> {
  const base = makeData(BLOCK, 3);
  for (let pos = start; pos < end;) {
    const index = Math.floor(pos / BLOCK);
    const block = Buffer.from(base);
    block.writeBigUInt64LE(BigInt(index), 0);
    const from = pos - index * BLOCK;
    const to = Math.min(BLOCK, end - index * BLOCK);
    yield block.subarray(from, to);
    pos += to - from;
  }
}

export function virtualSha256(size: number): string {
  const hash = createHash('sha256');
  for (const b of virtualBytes(0, size)) hash.update(b);
  return hash.digest('hex');
}

export async function startMediaServer(o: MediaServerOptions): Promise<MediaServer> {
  let data = o.virtual ? Buffer.alloc(0) : makeData(o.size);
  let etag = o.virtual
    ? `"virtual-${o.size}"`
    : `"${createHash('sha256').update(data).digest('hex').slice(0, 16)}"`;
  const size = () => (o.virtual ? o.size : data.length);
  let breaksLeft = o.breakCount ?? 0;
  let served = 0;
  const requests: MediaServer['requests'] = [];
  const uses = new Map<string, number>();
  const usedSockets = new WeakSet<Socket>();
  let connections = 0;

  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    if (o.staleKeepAlive && usedSockets.has(req.socket)) {
      req.socket.destroy();
      return;
    }
    usedSockets.add(req.socket);
    const token = new URL(req.url ?? '/', 'http://x').searchParams.get('token') ?? '';
    const log = {
      ...(req.headers.range ? { range: req.headers.range } : {}),
      ...(req.headers['if-range'] ? { ifRange: String(req.headers['if-range']) } : {}),
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      status: 0,
    };
    requests.push(log);
    uses.set(token, (uses.get(token) ?? 0) + 1);
    if (o.expiredTokens?.has(token) || (o.tokenUses !== undefined && uses.get(token)! > o.tokenUses)) {
      log.status = 403;
      res.writeHead(403, { 'content-type': 'application/xml' });
      res.end('<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>');
      return;
    }
    let start = 0;
    let status = 200;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const ifRange = req.headers['if-range'];
    if (range && !o.noRange && (ifRange === undefined || ifRange === etag)) {
      start = Number(range[1]);
      if (start >= size()) {
        log.status = 416;
        res.writeHead(416, { 'content-range': `bytes */${size()}` });
        res.end();
        return;
      }
      status = 206;
    }
    if (o.virtual) {
      res.writeHead(status, {
        'content-type': 'audio/wav',
        etag,
        'content-length': String(size() - start),
        ...(status === 206 ? { 'content-range': `bytes ${start}-${size() - 1}/${size()}` } : {}),
      });
      log.status = status;
      for (const chunk of virtualBytes(start, size())) {
        if (res.destroyed) return;
        served += chunk.length;
        if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
      }
      res.end();
      return;
    }
    const body = data.subarray(start);
    const headers: Record<string, string> = { 'content-type': 'audio/wav' };
    if (!o.noEtag) headers.etag = etag;
    if (!o.noContentLength) headers['content-length'] = String(body.length);
    if (status === 206) headers['content-range'] = `bytes ${start}-${data.length - 1}/${data.length}`;
    log.status = status;
    res.writeHead(status, headers);
    const breakAt = breaksLeft > 0 && o.breakAfterBytes !== undefined ? o.breakAfterBytes : Infinity;
    if (breakAt !== Infinity) breaksLeft -= 1;
    let sent = 0;
    const CHUNK = 64 * 1024;
    while (sent < body.length) {
      if (res.destroyed) return;
      const n = Math.min(CHUNK, body.length - sent, breakAt - sent);
      if (n <= 0) {
        // Let what was written reach the client first, then cut the connection (a "reset").
        await new Promise((r) => res.write(Buffer.alloc(0), r));
        res.socket?.end();
        return;
      }
      const ok = res.write(body.subarray(sent, sent + n));
      sent += n;
      served += n;
      if (!ok) await new Promise((r) => res.once('drain', r));
      if (o.chunkDelayMs) await new Promise((r) => setTimeout(r, o.chunkDelayMs));
    }
    res.end();
  };

  const server: Server = o.tls
    ? createHttpsServer({ key: o.tls.key, cert: o.tls.cert }, (req, res) => void handler(req, res))
    : createServer((req, res) => void handler(req, res));
  server.on('connection', () => (connections += 1));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const origin = o.tls ? `https://localhost:${port}` : `http://127.0.0.1:${port}`;
  return {
    url: (token = 'ok') => `${origin}/media/rec.wav?token=${token}`,
    data: () => data,
    sha256: () => createHash('sha256').update(data).digest('hex'),
    etag: () => etag,
    replace(seed: number) {
      data = makeData(o.size, seed);
      etag = `"${createHash('sha256').update(data).digest('hex').slice(0, 16)}"`;
    },
    requests,
    bytesServed: () => served,
    connections: () => connections,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
