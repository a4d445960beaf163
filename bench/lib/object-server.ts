// A loopback HTTP server that serves large deterministic objects, like a pre-signed S3 URL would:
// GET /object/<bytes>/<name> answers <bytes> bytes with Content-Length, a strong ETag and Range
// support. The body is one random 1 MiB block repeated, streamed with backpressure, so serving
// gigabytes costs the server no memory and little CPU (no generation per request).
import { randomBytes } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const BLOCK = randomBytes(1024 * 1024);

export interface ObjectServer {
  baseUrl: string;
  /** URL of an object of `bytes` bytes; `name` only makes URLs (and ETags) distinct. */
  urlOf(bytes: number, name: string): string;
  bytesServed(): number;
  close(): Promise<void>;
}

function writeRange(res: ServerResponse, start: number, end: number, onBytes: (n: number) => void): void {
  let pos = start;
  const pump = () => {
    while (pos < end) {
      const offset = pos % BLOCK.length;
      const n = Math.min(BLOCK.length - offset, end - pos);
      pos += n;
      onBytes(n);
      if (!res.write(BLOCK.subarray(offset, offset + n))) return void res.once('drain', pump);
    }
    res.end();
  };
  pump();
}

export async function startObjectServer(): Promise<ObjectServer> {
  let served = 0;
  const server = createServer((req, res) => {
    const m = /^\/object\/(\d+)\/([\w.-]+)$/.exec(req.url ?? '');
    if (!m || req.method !== 'GET') {
      res.writeHead(404).end();
      return;
    }
    const total = Number(m[1]);
    const etag = `"${total}-${m[2]}"`;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start =
      range && (req.headers['if-range'] === undefined || req.headers['if-range'] === etag)
        ? Number(range[1])
        : 0;
    const headers = {
      'content-type': 'audio/wav',
      etag,
      'accept-ranges': 'bytes',
      'content-length': String(total - start),
    };
    if (start > 0)
      res.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${total - 1}/${total}` });
    else res.writeHead(200, headers);
    writeRange(res, start, total, (n) => (served += n));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    baseUrl,
    urlOf: (bytes, name) => `${baseUrl}/object/${bytes}/${name}`,
    bytesServed: () => served,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
