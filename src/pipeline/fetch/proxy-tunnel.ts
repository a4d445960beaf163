// Media through an HTTP proxy, for lean-get: the Proxy-Authorization header from the proxy URL's
// user info, and a CONNECT tunnel to an https target (TLS then runs inside it). http targets need no
// tunnel: lean-get sends them to the proxy in absolute form, reading into its one buffer as usual.
import { connect as netConnect, type Socket } from 'node:net';

const MAX_CONNECT_HEAD = 16 * 1024;

/** A CONNECT the proxy refused (403, 407, 405…): asking again will not help. */
export class ProxyRefused extends Error {}

/** `Basic …` for a proxy URL with user info, else undefined. */
export function proxyAuthorization(proxy: URL): string | undefined {
  if (!proxy.username && !proxy.password) return undefined;
  const user = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return `Basic ${Buffer.from(user).toString('base64')}`;
}

export function proxyPort(proxy: URL): number {
  return Number(proxy.port) || 80;
}

/**
 * Opens a TCP connection to `proxy` and asks it for a tunnel to `target` (host:port). Resolves with
 * the socket, paused, once the proxy answered 2xx; rejects with ProxyRefused on a 4xx, else with an
 * Error worth a retry (the proxy is unreachable, timed out, answered 5xx or garbage).
 */
export function connectTunnel(
  proxy: URL,
  target: URL,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<Socket> {
  const port = Number(target.port) || (target.protocol === 'https:' ? 443 : 80);
  const authority = `${target.hostname}:${port}`; // hostname keeps IPv6 brackets
  const auth = proxyAuthorization(proxy);
  const lines = [`CONNECT ${authority} HTTP/1.1`, `host: ${authority}`];
  if (auth) lines.push(`proxy-authorization: ${auth}`);
  return new Promise<Socket>((resolve, reject) => {
    const host = proxy.hostname.startsWith('[') ? proxy.hostname.slice(1, -1) : proxy.hostname;
    const socket = netConnect({ host, port: proxyPort(proxy) });
    let head = '';
    const done = (err: Error | undefined) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.off('data', onData).off('error', onError).off('close', onClose);
      if (err) {
        socket.destroy();
        reject(err);
      } else {
        socket.pause();
        resolve(socket);
      }
    };
    const onAbort = () => done(new Error('aborted'));
    const onError = (err: Error) => done(err);
    const onClose = () => done(new Error('proxy closed the connection before answering CONNECT'));
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > MAX_CONNECT_HEAD) done(new Error('proxy answer to CONNECT too large'));
        return;
      }
      // The target speaks only after we do (TLS ClientHello): bytes after the head are a broken proxy.
      if (end + 4 !== head.length) return done(new Error('proxy sent bytes after its CONNECT answer'));
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
      if (status >= 200 && status < 300) return done(undefined);
      const why = `proxy ${proxy.host} answered ${status || 'garbage'} to CONNECT ${authority}`;
      done(status >= 400 && status < 500 ? new ProxyRefused(why) : new Error(why));
    };
    const timer = setTimeout(() => done(new Error(`proxy CONNECT timeout after ${timeoutMs} ms`)), timeoutMs);
    timer.unref();
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.on('data', onData).on('error', onError).on('close', onClose);
    socket.setNoDelay(true);
    socket.write(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  });
}
