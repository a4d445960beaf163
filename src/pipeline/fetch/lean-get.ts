// A lean HTTP/1.1 GET for media bodies (signed URLs), used by download.ts. API calls use undici.
//
// Why not undici (or node:http) for the body: every socket read there lands in a freshly allocated
// 64 KiB ArrayBuffer that lives until the next GC, and V8 only collects them once ~64 MB of such
// external memory has piled up. Measured on a 500 MB download in its own process: +65 MB of
// ArrayBuffers and +60–90 MB RSS, whatever the pipeline does with the bytes. Here a connection reads
// into ONE buffer (net/tls `onread`), and body bytes are copied into at most SLABS_IN_FLIGHT reused
// slabs that the disk writer drains; the socket is paused while they are all full (backpressure).
// A download allocates a fixed handful of buffers, not one per read. (Copying, rather than handing
// out the read buffer itself, is required: TLS keeps delivering decrypted bytes into the read buffer
// for a moment after a pause.)
// Scope: GET over http/https; Content-Length, chunked or until-close framing; idle connections kept
// per origin for reuse. Redirects, Range, retries and timeouts policy stay with downloadToFile.
// HTTP proxies (the rule is src/config/proxy.ts): an http target is asked of the proxy in absolute
// form on a connection read the same way; an https target goes through a CONNECT tunnel, TLS read
// into the same one buffer by way of a loopback relay (proxy-tunnel.ts says why).
// Through a proxy the URL policy's address check cannot run (the proxy resolves the name), and it
// must not apply to the proxy itself (often on a private address). Custom CAs: NODE_EXTRA_CA_CERTS.
import { connect as netConnect, isIP, type LookupFunction, type OnReadOpts, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { proxyFor, type ProxySettings } from '../../config/proxy.ts';
import { proxyAuthorization, proxyPort, ProxyRefused, tlsThroughProxy } from './proxy-tunnel.ts';

const READ_BUFFER_BYTES = 64 * 1024;
const SLAB_BYTES = 256 * 1024;
const SLABS_IN_FLIGHT = 4;
const MAX_HEAD_BYTES = 64 * 1024;
const MAX_LINE_BYTES = 4096;
const IDLE_KEEPALIVE_MS = 4_000;
const MAX_IDLE_PER_ORIGIN = 32;

/** The URL cannot be fetched at all (not http/https, or a header that cannot be sent). */
export class UnusableUrl extends Error {}
/** A network or protocol failure on the signed host: worth another attempt. */
export class HttpFailure extends Error {}
const aborting = () => new HttpFailure('aborted');

type Framing = 'length' | 'chunked' | 'close' | 'none';
interface Slab {
  buf: Buffer;
  len: number;
  /** Handed to the sink: no more bytes may be appended. */
  taken: boolean;
}

const hostOf = (url: URL) => (url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname);

/** Makes a connection's socket, reading into `onread`. */
type Opener = (onread: OnReadOpts) => Socket;

function direct(url: URL, lookup?: LookupFunction): Opener {
  const host = hostOf(url);
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  return (onread) =>
    url.protocol === 'https:'
      ? tlsConnect({
          host,
          port,
          ALPNProtocols: ['http/1.1'],
          onread,
          ...(isIP(host) ? {} : { servername: host }),
          ...(lookup ? { lookup } : {}),
        } as ConnectionOptions)
      : netConnect({ host, port, onread, ...(lookup ? { lookup } : {}) });
}

/** One connection to a signed host; serves one exchange at a time, idles in between. */
class Connection {
  readonly socket: Socket;
  readonly origin: string;
  private readonly readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  exchange: Exchange | undefined;

  constructor(origin: string, open: Opener) {
    this.origin = origin;
    this.socket = open({ buffer: this.readBuffer, callback: (n) => this.onRead(n) });
    this.socket.setNoDelay(true);
    this.socket.on('error', (err) => (this.exchange ? this.exchange.fail(err) : this.socket.destroy()));
    this.socket.on('end', () => this.exchange?.onEnd());
    this.socket.on('close', () => {
      this.exchange?.fail(new HttpFailure('connection closed'));
      forgetIdle(this);
    });
    this.socket.on('timeout', () => this.exchange === undefined && this.socket.destroy());
  }

  private onRead(n: number): boolean {
    if (!this.exchange) {
      // Bytes nobody asked for: this connection is out of step, never reuse it.
      this.socket.destroy();
      return false;
    }
    return this.exchange.onBytes(this.readBuffer, n);
  }
}

const idleConnections = new Map<string, Connection[]>();

function takeIdle(origin: string): Connection | undefined {
  const list = idleConnections.get(origin);
  while (list && list.length > 0) {
    const conn = list.pop()!;
    if (list.length === 0) idleConnections.delete(origin);
    if (!conn.socket.destroyed && conn.socket.writable) {
      conn.socket.setTimeout(0);
      conn.socket.ref();
      return conn;
    }
    conn.socket.destroy();
  }
  return undefined;
}

function putIdle(conn: Connection): void {
  if (conn.socket.destroyed) return;
  const list = idleConnections.get(conn.origin) ?? [];
  idleConnections.set(conn.origin, list);
  list.push(conn);
  if (list.length > MAX_IDLE_PER_ORIGIN) list.shift()!.socket.destroy();
  // An idle connection keeps reading (to notice the server closing it) but not the process alive.
  conn.socket.setTimeout(IDLE_KEEPALIVE_MS);
  conn.socket.unref();
  conn.socket.resume();
}

function forgetIdle(conn: Connection): void {
  const list = idleConnections.get(conn.origin);
  const at = list?.indexOf(conn) ?? -1;
  if (at >= 0) list!.splice(at, 1);
  if (list?.length === 0) idleConnections.delete(conn.origin);
}

/** One GET and its response, parsed straight out of the connection's read buffer. */
export class Exchange {
  status = 0;
  headers: Record<string, string> = {};
  /** Any response byte arrived (a stale kept-alive connection fails before one does). */
  gotBytes = false;
  readonly head: Promise<Exchange>;

  private readonly conn: Connection;
  private readonly timeoutMs: number;
  private readonly signal: AbortSignal | undefined;
  private readonly onAbort = () => this.fail(aborting());
  private phase: 'head' | 'body' | 'done' | 'failed' = 'head';
  private headText = '';
  private resolveHead!: (ex: Exchange) => void;
  private rejectHead!: (err: unknown) => void;
  private framing: Framing = 'none';
  private keepAlive = false;
  /** Body bytes still to come ('length') or left in the current chunk ('chunked'). */
  private left = 0;
  private chunkState: 'size' | 'data' | 'data-end' | 'trailer' = 'size';
  private line = '';
  private readonly slabs: Slab[] = [];
  private readonly spare: Buffer[] = [];
  private paused = false;
  private timer: NodeJS.Timeout | undefined;
  private failure: unknown;
  private sink: ((chunk: Buffer) => Promise<void>) | undefined;
  private draining = false;
  private settle: { resolve: () => void; reject: (err: unknown) => void } | undefined;

  constructor(conn: Connection, request: string, timeoutMs: number, signal: AbortSignal | undefined) {
    this.conn = conn;
    this.timeoutMs = timeoutMs;
    this.signal = signal;
    this.head = new Promise<Exchange>((resolve, reject) => {
      this.resolveHead = resolve;
      this.rejectHead = reject;
    });
    conn.exchange = this;
    signal?.addEventListener('abort', this.onAbort, { once: true });
    this.armTimer();
    conn.socket.resume();
    conn.socket.write(request, 'latin1');
  }

  /** Streams the body into `sink`, one slab at a time; bytes that arrived before a failure are
   * still handed over, then the failure is thrown. A sink error ends the exchange with it. */
  pipeTo(sink: (chunk: Buffer) => Promise<void>): Promise<void> {
    if (this.sink) throw new Error('body already consumed');
    this.sink = sink;
    return new Promise<void>((resolve, reject) => {
      this.settle = { resolve, reject };
      this.kick();
    });
  }

  /** Up to `cap` characters of the body (an error message); never throws. */
  async text(cap: number): Promise<string> {
    let text = '';
    await this.pipeTo(async (chunk) => {
      text += chunk.toString('utf8');
      if (text.length >= cap) throw new HttpFailure('enough');
    }).catch(() => undefined);
    return text.slice(0, cap);
  }

  /** Not interested in the body: a finished exchange keeps its connection, a running one closes it. */
  dump(): void {
    if (this.phase === 'body') this.fail(new HttpFailure('body discarded'));
    this.slabs.length = 0;
  }

  /** Called by the connection with `n` new bytes in `buf`; false pauses reading. */
  onBytes(buf: Buffer, n: number): boolean {
    if (this.phase === 'failed') return false;
    this.gotBytes = true;
    let off = 0;
    if (this.phase === 'head') off = this.parseHead(buf, 0, n);
    if (this.phase === 'body') off = this.parseBody(buf, off, n);
    if (this.phase === 'done') {
      this.finish(off === n);
      return !this.conn.socket.destroyed; // a kept connection reads on, to notice a close
    }
    if (this.phase !== 'body') return this.phase === 'head';
    this.timer?.refresh();
    if (this.slabs.length >= SLABS_IN_FLIGHT) {
      this.paused = true;
      this.disarmTimer(); // a slow disk is not an idle server
      return false;
    }
    return true;
  }

  /** The server closed its side. */
  onEnd(): void {
    if (this.phase === 'body' && this.framing === 'close') {
      this.phase = 'done';
      this.finish(false);
    } else {
      this.fail(
        new HttpFailure(this.phase === 'head' ? 'connection closed before a response' : 'body ended early'),
      );
    }
  }

  fail(err: unknown): void {
    if (this.phase === 'done' || this.phase === 'failed') return;
    const before = this.phase;
    this.phase = 'failed';
    this.failure = err;
    this.release(false);
    if (before === 'head') this.rejectHead(err);
    else this.kick();
  }

  private parseHead(buf: Buffer, off: number, end: number): number {
    while (this.phase === 'head' && off < end) {
      const before = this.headText.length;
      this.headText += buf.toString('latin1', off, end);
      const at = this.headText.indexOf('\r\n\r\n', Math.max(0, before - 3));
      if (at < 0) {
        if (this.headText.length > MAX_HEAD_BYTES) this.fail(new HttpFailure('response head too large'));
        return end;
      }
      off += at + 4 - before;
      const head = this.headText.slice(0, at);
      this.headText = '';
      this.onHead(head);
    }
    return off;
  }

  private onHead(head: string): void {
    const [statusLine = '', ...lines] = head.split('\r\n');
    const m = /^HTTP\/1\.([01]) (\d{3})(?: .*)?$/.exec(statusLine);
    if (!m) return this.fail(new HttpFailure('not an HTTP/1.x response'));
    const status = Number(m[2]);
    if (status >= 100 && status < 200) {
      if (status === 101) this.fail(new HttpFailure('unexpected protocol switch'));
      return; // 100 Continue and friends: the real head follows
    }
    const headers: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const line of lines) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).toLowerCase();
      if (colon <= 0 || !/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(name))
        return this.fail(new HttpFailure('malformed response header'));
      const value = line.slice(colon + 1).trim();
      headers[name] = Object.hasOwn(headers, name) ? `${headers[name]}, ${value}` : value;
    }
    this.status = status;
    this.headers = headers;
    const connection = (headers.connection ?? '').toLowerCase();
    this.keepAlive = m[1] === '1' && !/(^|,)\s*close\s*(,|$)/.test(connection);
    const te = headers['transfer-encoding'];
    const cl = headers['content-length'];
    if (status === 204 || status === 304) this.framing = 'none';
    else if (te !== undefined) {
      this.framing = /(^|,)\s*chunked\s*$/i.test(te) ? 'chunked' : 'close';
      if (cl !== undefined) this.keepAlive = false; // ambiguous framing: never reuse
    } else if (cl !== undefined) {
      const values = new Set(cl.split(',').map((v) => v.trim()));
      const only = values.size === 1 ? [...values][0]! : '';
      if (!/^\d{1,15}$/.test(only)) return this.fail(new HttpFailure('bad content-length'));
      this.left = Number(only);
      this.framing = this.left === 0 ? 'none' : 'length';
    } else this.framing = 'close';
    if (this.framing === 'close') this.keepAlive = false;
    this.phase = this.framing === 'none' ? 'done' : 'body';
    this.armTimer(); // from here: the idle-body timeout
    this.resolveHead(this);
  }

  private parseBody(buf: Buffer, off: number, end: number): number {
    while (off < end && this.phase === 'body') {
      if (this.framing === 'close') {
        this.spool(buf, off, end - off, SLAB_BYTES);
        return end;
      }
      if (this.framing === 'length' || this.chunkState === 'data') {
        const n = Math.min(this.left, end - off);
        this.spool(buf, off, n, this.framing === 'length' ? this.left : SLAB_BYTES);
        off += n;
        this.left -= n;
        if (this.left === 0) {
          if (this.framing === 'length') this.phase = 'done';
          else this.chunkState = 'data-end';
        }
        continue;
      }
      // Chunked framing, a line: chunk size, the CRLF after data, or a trailer.
      const nl = buf.indexOf(10, off);
      const stop = nl >= 0 && nl < end ? nl : end;
      this.line += buf.toString('latin1', off, stop);
      off = stop === end ? end : stop + 1;
      if (this.line.length > MAX_LINE_BYTES) return (this.fail(new HttpFailure('chunk line too long')), end);
      if (stop === end) break;
      const line = this.line.endsWith('\r') ? this.line.slice(0, -1) : this.line;
      this.line = '';
      if (this.chunkState === 'size') {
        const size = /^([0-9a-fA-F]{1,12})\s*(;.*)?$/.exec(line);
        if (!size) return (this.fail(new HttpFailure('bad chunk size')), end);
        this.left = parseInt(size[1]!, 16);
        this.chunkState = this.left === 0 ? 'trailer' : 'data';
      } else if (this.chunkState === 'data-end') {
        if (line !== '') return (this.fail(new HttpFailure('bad chunk framing')), end);
        this.chunkState = 'size';
      } else if (line === '') this.phase = 'done'; // end of trailers
    }
    return off;
  }

  /** Copies body bytes into the slabs (the read buffer is overwritten by the next read). */
  private spool(buf: Buffer, off: number, n: number, sizeHint: number): void {
    while (n > 0) {
      let tail = this.slabs.at(-1);
      if (!tail || tail.taken || tail.len === tail.buf.length) {
        const fresh = this.spare.pop() ?? Buffer.allocUnsafe(Math.max(1, Math.min(SLAB_BYTES, sizeHint)));
        tail = { buf: fresh, len: 0, taken: false };
        this.slabs.push(tail);
      }
      const k = Math.min(n, tail.buf.length - tail.len);
      buf.copy(tail.buf, tail.len, off, off + k);
      tail.len += k;
      off += k;
      n -= k;
    }
    this.kick();
  }

  private kick(): void {
    if (this.draining || !this.sink) return;
    this.draining = true;
    void this.drain();
  }

  private async drain(): Promise<void> {
    try {
      for (let slab = this.slabs[0]; slab; slab = this.slabs[0]) {
        slab.taken = true;
        await this.sink!(slab.buf.subarray(0, slab.len));
        this.slabs.shift();
        if (slab.buf.length === SLAB_BYTES && this.spare.length < SLABS_IN_FLIGHT) this.spare.push(slab.buf);
        if (this.paused && this.slabs.length < SLABS_IN_FLIGHT && this.phase === 'body') {
          this.paused = false;
          this.armTimer();
          this.conn.socket.resume();
        }
      }
    } catch (err) {
      this.draining = false;
      this.slabs.length = 0;
      this.fail(err);
      this.settle?.reject(err);
      this.settle = undefined;
      return;
    }
    this.draining = false;
    if (this.phase === 'done') this.settle?.resolve();
    else if (this.phase === 'failed') this.settle?.reject(this.failure);
    else return;
    this.settle = undefined;
  }

  /** The response is complete: keep the connection for the next GET when that is safe. */
  private finish(clean: boolean): void {
    this.release(clean && this.keepAlive);
    this.kick();
  }

  private release(reuse: boolean): void {
    this.disarmTimer();
    this.signal?.removeEventListener('abort', this.onAbort);
    if (this.conn.exchange !== this) return;
    this.conn.exchange = undefined;
    if (reuse) putIdle(this.conn);
    else this.conn.socket.destroy();
  }

  private armTimer(): void {
    this.disarmTimer();
    const what = this.phase === 'head' ? 'headers' : 'body';
    this.timer = setTimeout(
      () => this.fail(new HttpFailure(`${what} timeout after ${this.timeoutMs} ms`)),
      this.timeoutMs,
    );
    this.timer.unref();
  }

  private disarmTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** A new connection to `url`'s origin: direct, to the proxy (http), or TLS in a CONNECT tunnel (https). */
async function openConnection(
  url: URL,
  proxy: URL | undefined,
  origin: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  lookup: LookupFunction | undefined,
): Promise<Connection> {
  if (!proxy) return new Connection(origin, direct(url, lookup));
  if (url.protocol === 'http:')
    return new Connection(origin, direct(new URL(`http://${proxy.hostname}:${proxyPort(proxy)}`)));
  try {
    return new Connection(origin, await tlsThroughProxy(proxy, url, timeoutMs, signal));
  } catch (err) {
    if (err instanceof ProxyRefused) throw new UnusableUrl(err.message);
    throw new HttpFailure((err as Error).message);
  }
}

/**
 * GET `href` and resolve once the response head has arrived. Throws UnusableUrl for a URL that can
 * never work; anything else thrown (reset, timeout, protocol error, abort) is worth a retry.
 * `proxy`: the settings to route by (src/config/proxy.ts); undefined connects directly.
 */
export async function leanGet(
  href: string,
  headers: Record<string, string>,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  /** Resolves the host at connect time (url-policy: refuses non-public addresses). */
  lookup?: LookupFunction,
  proxySettings?: ProxySettings,
): Promise<Exchange> {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    throw new UnusableUrl('not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UnusableUrl(`unsupported protocol ${url.protocol}`);
  const proxy = proxyFor(proxySettings, url);
  const viaProxy = proxy !== undefined && url.protocol === 'http:'; // absolute form, no tunnel
  const target = `${viaProxy ? `http://${url.host}` : ''}${url.pathname}${url.search}`;
  const lines = [`GET ${target} HTTP/1.1`, `host: ${url.host}`];
  const auth = viaProxy ? proxyAuthorization(proxy) : undefined;
  if (auth) lines.push(`proxy-authorization: ${auth}`);
  for (const [name, value] of Object.entries(headers)) {
    if (/[\r\n\0]/.test(name + value)) throw new UnusableUrl(`header ${name} cannot be sent`);
    lines.push(`${name}: ${value}`);
  }
  const request = `${lines.join('\r\n')}\r\nconnection: keep-alive\r\n\r\n`;
  // Pooled per route: through a proxy, or under an address check, a connection is a different one.
  const origin = `${proxy ? `${proxy.href} > ` : ''}${url.protocol}//${url.host}${!proxy && lookup ? '|checked' : ''}`;
  for (let fresh = false; ; fresh = true) {
    if (signal?.aborted) throw aborting();
    const idle = fresh ? undefined : takeIdle(origin);
    const conn = idle ?? (await openConnection(url, proxy, origin, timeoutMs, signal, lookup));
    const exchange = new Exchange(conn, request, timeoutMs, signal);
    try {
      return await exchange.head;
    } catch (err) {
      // A kept-alive connection the server had already closed: try once more on a new one.
      if (idle && !exchange.gotBytes && !signal?.aborted) continue;
      throw err;
    }
  }
}
