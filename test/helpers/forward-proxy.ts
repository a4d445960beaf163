// A real HTTP forward proxy on 127.0.0.1 for tests, logging every request that passes through it:
// absolute-form requests (http targets) are forwarded with node:http, CONNECT (https targets, or
// any target a client tunnels) is answered 200 and piped both ways. Optionally it demands
// Proxy-Authorization (407 without it), as corporate proxies do.
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect as netConnect, type AddressInfo, type Socket } from 'node:net';

export interface ProxyLogEntry {
  method: string;
  /** Absolute URL (forwarded request) or host:port (CONNECT). */
  target: string;
  /** The status the proxy answered (a CONNECT's 200, or the upstream's status). */
  status: number;
}

export interface ForwardProxy {
  /** http://127.0.0.1:port (with user:password@ when auth is required). */
  url: string;
  log: ProxyLogEntry[];
  close(): Promise<void>;
}

const HOP_BY_HOP = ['proxy-authorization', 'proxy-connection', 'connection', 'keep-alive'];

export async function startForwardProxy(
  o: {
    auth?: { user: string; password: string };
    /** Host names the proxy resolves itself (name → address), like a proxy with its own DNS view. */
    hosts?: Record<string, string>;
  } = {},
): Promise<ForwardProxy> {
  const log: ProxyLogEntry[] = [];
  const sockets = new Set<Socket>();
  const expected = o.auth && `Basic ${Buffer.from(`${o.auth.user}:${o.auth.password}`).toString('base64')}`;
  const authorised = (req: IncomingMessage) => !expected || req.headers['proxy-authorization'] === expected;

  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const entry: ProxyLogEntry = { method: req.method ?? '', target: req.url ?? '', status: 0 };
    log.push(entry);
    if (!authorised(req)) {
      entry.status = 407;
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"' }).end();
      return;
    }
    let target: URL;
    try {
      target = new URL(req.url ?? '');
      if (target.protocol !== 'http:') throw new Error('not http');
    } catch {
      entry.status = 400;
      res.writeHead(400).end('absolute-form http:// requests only');
      return;
    }
    const headers = { ...req.headers };
    for (const h of HOP_BY_HOP) delete headers[h];
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port || 80,
        method: req.method,
        path: target.pathname + target.search,
        headers,
      },
      (up) => {
        entry.status = up.statusCode ?? 0;
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => {
      entry.status = 502;
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    req.pipe(upstream);
  };

  const server = createServer(forward);
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const entry: ProxyLogEntry = { method: 'CONNECT', target: req.url ?? '', status: 0 };
    log.push(entry);
    client.on('error', () => undefined);
    if (!authorised(req)) {
      entry.status = 407;
      client.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nproxy-authenticate: Basic realm="test"\r\n\r\n',
      );
      return;
    }
    const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(req.url ?? '');
    if (!m) {
      entry.status = 400;
      client.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    const name = m[1]!.replace(/^\[|\]$/g, '');
    const upstream = netConnect({ host: o.hosts?.[name] ?? name, port: Number(m[2]) }, () => {
      entry.status = 200;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.once('close', () => sockets.delete(upstream));
    upstream.on('error', () => {
      if (entry.status === 0) {
        entry.status = 502;
        client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
      } else client.destroy();
    });
    client.once('close', () => upstream.destroy());
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const cred = o.auth ? `${encodeURIComponent(o.auth.user)}:${encodeURIComponent(o.auth.password)}@` : '';
  return {
    url: `http://${cred}127.0.0.1:${port}`,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
