// Media through an HTTP proxy, for lean-get: the Proxy-Authorization header from the proxy URL's
// user info, and TLS to an https target through a CONNECT tunnel. (http targets need no tunnel:
// lean-get asks the proxy for them in absolute form, reading into its one buffer as usual.)
//
// Why a relay: lean-get's flat memory comes from `onread` (reads land in one buffer), and Node
// ignores `onread` for TLS over an existing socket — the body would then come in a fresh 16 KiB
// buffer per read, garbage the GC reclaims only once ~64 MB piled up (measured: +67 MB RSS on a
// 600 MB file). So the TLS client connects, with `onread`, to a one-shot relay on 127.0.0.1 that
// forwards to the tunnel; the tunnel itself reads into one buffer too, each chunk written to the
// relay before the next read. No hop allocates per read. The relay accepts one connection and stops
// listening; anything else reaching it could not pass for the target, whose certificate the TLS
// client verifies as always.
import {
  connect as netConnect,
  createServer,
  type AddressInfo,
  type OnReadOpts,
  type Socket,
} from 'node:net';
import { checkServerIdentity, connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { isIP } from 'node:net';

const MAX_CONNECT_HEAD = 16 * 1024;
const TUNNEL_READ_BYTES = 64 * 1024;

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

const unbracket = (host: string) => (host.startsWith('[') ? host.slice(1, -1) : host);

interface Tunnel {
  socket: Socket;
  /** Where the tunnel's reads go from now on: `n` bytes in `buffer`; false pauses reading. */
  onBytes: (handler: (n: number) => boolean) => void;
  buffer: Buffer;
}

/**
 * Opens a TCP connection to `proxy` and asks it for a tunnel to `target` (host:port). Resolves once
 * the proxy answered 2xx; rejects with ProxyRefused on a 4xx, else with an Error worth a retry (the
 * proxy is unreachable, timed out, answered 5xx or garbage).
 */
function connectTunnel(
  proxy: URL,
  target: URL,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<Tunnel> {
  const port = Number(target.port) || (target.protocol === 'https:' ? 443 : 80);
  const authority = `${target.hostname}:${port}`; // hostname keeps IPv6 brackets
  const auth = proxyAuthorization(proxy);
  const lines = [`CONNECT ${authority} HTTP/1.1`, `host: ${authority}`];
  if (auth) lines.push(`proxy-authorization: ${auth}`);
  const buffer = Buffer.allocUnsafe(TUNNEL_READ_BYTES);
  let handler: (n: number) => boolean = () => false;
  const socket = netConnect({
    host: unbracket(proxy.hostname),
    port: proxyPort(proxy),
    onread: { buffer, callback: (n) => handler(n) },
  });
  socket.setNoDelay(true);
  const tunnel: Tunnel = { socket, buffer, onBytes: (h) => (handler = h) };
  return new Promise<Tunnel>((resolve, reject) => {
    let head = '';
    const done = (err: Error | undefined) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.off('error', onError).off('close', onClose);
      handler = () => false;
      if (err) {
        socket.destroy();
        reject(err);
      } else {
        // Until the relay takes it over (splice), a reset must not go unhandled.
        socket.on('error', () => socket.destroy());
        resolve(tunnel);
      }
    };
    const onAbort = () => done(new Error('aborted'));
    const onError = (err: Error) => done(err);
    const onClose = () => done(new Error('proxy closed the connection before answering CONNECT'));
    handler = (n) => {
      head += buffer.toString('latin1', 0, n);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > MAX_CONNECT_HEAD) done(new Error('proxy answer to CONNECT too large'));
        return true;
      }
      // The target speaks only after we do (TLS ClientHello): bytes after the head are a broken proxy.
      if (end + 4 !== head.length)
        return (done(new Error('proxy sent bytes after its CONNECT answer')), false);
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
      if (status >= 200 && status < 300) return (done(undefined), false); // paused until the relay reads
      const why = `proxy ${proxy.host} answered ${status || 'garbage'} to CONNECT ${authority}`;
      done(status >= 400 && status < 500 ? new ProxyRefused(why) : new Error(why));
      return false;
    };
    const timer = setTimeout(() => done(new Error(`proxy CONNECT timeout after ${timeoutMs} ms`)), timeoutMs);
    timer.unref();
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.on('error', onError).on('close', onClose);
    socket.write(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  });
}

/** Joins the relay's accepted socket and the tunnel, both ways, and ties their ends together. */
function splice(inner: Socket, tunnel: Tunnel): void {
  const { socket: outer, buffer } = tunnel;
  // Down (the body): each chunk of the tunnel's one buffer is written before the next read.
  tunnel.onBytes((n) => {
    inner.write(buffer.subarray(0, n), () => outer.resume());
    return false;
  });
  outer.resume();
  // Up (TLS handshake, request heads): small, through ordinary reads.
  inner.on('data', (chunk: Buffer) => {
    if (!outer.write(chunk)) inner.pause();
  });
  outer.on('drain', () => inner.resume());
  outer.on('end', () => inner.end());
  inner.on('end', () => outer.end());
  // The TLS socket on top decides whether the process stays alive (lean-get unrefs idle ones).
  inner.unref();
  outer.unref();
  const destroy = () => (inner.destroy(), outer.destroy());
  inner.on('error', destroy).on('close', destroy);
  outer.on('error', destroy).on('close', destroy);
}

/**
 * Prepares a TLS connection to `target` through `proxy`: the CONNECT tunnel and its relay. The
 * returned function opens the TLS socket, reading into `onread` like a direct connection.
 */
export async function tlsThroughProxy(
  proxy: URL,
  target: URL,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<(onread: OnReadOpts) => Socket> {
  const tunnel = await connectTunnel(proxy, target, timeoutMs, signal);
  const relay = createServer({ noDelay: true });
  relay.on('error', () => tunnel.socket.destroy());
  relay.once('connection', (inner) => {
    relay.close();
    splice(inner, tunnel);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      relay.once('error', reject);
      relay.listen(0, '127.0.0.1', () => resolve());
    });
  } catch (err) {
    tunnel.socket.destroy();
    throw err;
  }
  const host = unbracket(target.hostname);
  return (onread) => {
    const socket = tlsConnect({
      host: '127.0.0.1',
      port: (relay.address() as AddressInfo).port,
      onread,
      ALPNProtocols: ['http/1.1'],
      ...(isIP(host) ? {} : { servername: host }),
      // The certificate must be the target's, not the relay's address.
      checkServerIdentity: (_relay, cert) => checkServerIdentity(host, cert),
    } as ConnectionOptions);
    socket.once('close', () => {
      relay.close();
      tunnel.socket.destroy();
    });
    return socket;
  };
}
