// A hostile network or a broken upstream, as a security review met them (issue 15):
//   internal-url      a download URL that points at an internal service: the link of downloads.get,
//                     a recording's mediaUri or a transcript URL names `http://127.0.0.1:<other
//                     port>/admin/secret` (even variants), or the signed host answers 302 to it
//                     (odd variants; every 4th variant to the cloud metadata address instead);
//   endless           a body that never ends: media as audio/wav without a length, a token
//                     response as chunked JSON; stops only when the client hangs up;
//   trickle           the right headers, then the body one byte every `trickleIntervalMs`;
//   retry-after-long  429 with `Retry-After: 86400`.
// The "internal service" is a second server on loopback that counts every request it gets: a
// client that refuses internal addresses leaves `internalFetches` at 0.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FaultKind, RouteName } from '../types.ts';

export type HostileNetKind = 'internal-url' | 'endless' | 'trickle' | 'retry-after-long';
export const HOSTILE_NET_KINDS: readonly HostileNetKind[] = [
  'internal-url',
  'endless',
  'trickle',
  'retry-after-long',
];

export function isHostileNet(kind: FaultKind | undefined): kind is HostileNetKind {
  return kind !== undefined && (HOSTILE_NET_KINDS as readonly string[]).includes(kind);
}

/** Replies that carry a URL the client will fetch. */
const URL_ROUTES: ReadonlySet<RouteName> = new Set<RouteName>([
  'downloads.get',
  'recordings.list',
  'recordings.get',
  'sta.transcripturl',
  'signed.media',
  'signed.transcript',
]);

/** Can `kind` change the reply of `route`? (Random faults of a kind that cannot apply are never rolled.) */
export function hostileNetApplies(kind: HostileNetKind, route: RouteName): boolean {
  switch (kind) {
    case 'internal-url':
      return URL_ROUTES.has(route);
    case 'endless':
      return route === 'signed.media' || route === 'signed.transcript' || route === 'oauth.token';
    case 'trickle':
      return true;
    case 'retry-after-long':
      return route !== 'oauth.token' && !route.startsWith('signed.');
  }
}

export const RETRY_AFTER_LONG_SECONDS = 86_400;
export const METADATA_URL = 'http://169.254.169.254/latest/meta-data/iam/security-credentials/';

/** The internal service a hostile URL points at; every request it serves is counted. */
export class InternalService {
  fetches = 0;
  url = '';
  private readonly server: Server;

  constructor(onFetch: () => void = () => {}) {
    this.server = createServer((req, res) => {
      this.fetches += 1;
      onFetch();
      req.resume();
      const body = Buffer.from('INTERNAL-ONLY admin page: db password hunter2\n');
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
      res.end(body);
    });
  }

  async start(host: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, host, () => resolve());
    });
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  }

  /** Where a hostile URL of this variant points. */
  target(variant: number): string {
    return variant % 4 === 3 ? METADATA_URL : `${this.url}/admin/secret?v=${variant}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

/** Points the URLs of an API reply at `target`; false when the reply has none. */
export function rewriteUrls(route: RouteName, json: unknown, target: string): boolean {
  if (typeof json !== 'object' || json === null) return false;
  if (route === 'downloads.get' || route === 'sta.transcripturl') {
    const o = json as { url?: unknown };
    if (typeof o.url !== 'string') return false;
    o.url = target;
    return true;
  }
  const list = Array.isArray(json) ? json : [json];
  let changed = false;
  for (const r of list as { mediaUris?: Record<string, { mediaUri?: string }> }[]) {
    for (const m of Object.values(r?.mediaUris ?? {})) {
      if (typeof m?.mediaUri === 'string') {
        m.mediaUri = target;
        changed = true;
      }
    }
  }
  return changed;
}

export function redirectTo(res: ServerResponse, location: string): void {
  res.writeHead(302, { location, 'content-length': 0 });
  res.end();
}

/** A body that never ends (until the client hangs up, or a safety stop at `safetyBytes`). */
export async function serveEndless(
  res: ServerResponse,
  status: number,
  contentType: string,
  prefix: Buffer,
  safetyBytes = 16 * 1024 ** 3,
): Promise<number> {
  res.writeHead(status, { 'content-type': contentType });
  const slab = Buffer.alloc(64 * 1024, 0x61);
  let written = prefix.length;
  res.write(prefix);
  while (!res.destroyed && written < safetyBytes) {
    written += slab.length;
    if (!res.write(slab))
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
  }
  res.destroy();
  return written;
}

/**
 * Announces `length` bytes (default: the body's), then sends `body` one byte every `intervalMs`
 * until done or the client leaves.
 */
export async function serveTrickle(
  res: ServerResponse,
  status: number,
  headers: Record<string, string | number>,
  body: Buffer,
  intervalMs: number,
  length = body.length,
): Promise<number> {
  res.writeHead(status, { ...headers, 'content-length': length });
  let sent = 0;
  while (sent < body.length && !res.destroyed) {
    res.write(body.subarray(sent, sent + 1));
    sent += 1;
    await new Promise((r) => setTimeout(r, intervalMs).unref());
  }
  if (!res.destroyed) res.end();
  return sent;
}
