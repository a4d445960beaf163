// Which URLs handed to us by the API (recording mediaUris, download links, transcript URLs) we
// fetch, and at which addresses. A compromised or confused upstream must not turn the exporter
// into a proxy for the network it runs in (a `127.0.0.1:<port>/admin` page saved as a recording,
// a cloud metadata endpoint, an internal service reached by a redirect).
//
// The rule, checked for the first URL and again for every redirect:
//   1. scheme: https. Plain http only when the API base URL is itself http on loopback (the
//      emulator, a local gateway) AND the URL is on that same origin (scheme, host and port): the
//      emulator serves its media there — or, with `allowPrivate`, any loopback origin (a test or
//      local media server beside a local API). Any other http URL is refused, and a redirect from
//      https to http (a downgrade) is refused even to those origins;
//   2. address: every address the host resolves to must be public unicast — not loopback, private
//      (RFC 1918, fc00::/7), link-local (169.254/16 with the cloud metadata endpoints, fe80::/10),
//      shared/CGNAT, unspecified, multicast, documentation or reserved ranges, nor their
//      IPv4-mapped IPv6 forms. The check runs in the socket's own DNS lookup, so the address
//      checked is the address connected to (a DNS answer that changes between a check and the
//      connection — rebinding — cannot slip through). The API's own loopback origin (rule 1) is
//      exempt; everything else private is refused unless `allowPrivate` (--allow-private-downloads,
//      for an on-premises S3-compatible store), which lifts rule 2 only, never rule 1.
// Refusals are GtError URL_REFUSED naming the host (never the query: signed URLs carry credentials).
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { GtError } from '../errors.ts';

export interface DownloadPolicyOptions {
  /** The API base URL: its origin is the one http/loopback origin allowed when it is loopback. */
  apiUrl: string;
  /** Allow private, loopback and link-local addresses (https still required). */
  allowPrivate?: boolean;
}

/** What a checked URL may connect with: `lookup` refuses non-public addresses at connect time. */
export interface CheckedUrl {
  url: URL;
  /** undefined when the host needs no address check (the API's own origin, allowPrivate, or an IP literal already checked). */
  lookup: LookupFunction | undefined;
}

// Non-public ranges (IANA special-purpose registries). IPv4-mapped IPv6 addresses are matched
// against the IPv4 rules by BlockList itself.
const BLOCKED = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // shared address space (CGNAT)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata (169.254.169.254)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments (incl. 192.0.0.192 metadata on some clouds)
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const)
  BLOCKED.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local (incl. fd00:ec2::254 metadata)
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const)
  BLOCKED.addSubnet(net, prefix, 'ipv6');

/** Names that are internal whatever they resolve to (cloud metadata services). */
const INTERNAL_NAMES = /(^|\.)(localhost|metadata\.google\.internal|metadata|instance-data)\.?$/i;

/** True for an address a download must not reach (loopback, private, link-local, metadata …). */
export function isNonPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  return BLOCKED.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

const refused = (host: string, why: string) =>
  new GtError('URL_REFUSED', `download from ${host} refused: ${why}`, { host });

const isLoopbackHost = (hostname: string) => {
  const h = hostname.replace(/^\[|\]$/g, '');
  return h === 'localhost' || (isIP(h) !== 0 && isNonPublicAddress(h) && /^(127\.|::1$)/.test(h));
};

export class DownloadUrlPolicy {
  readonly allowPrivate: boolean;
  /** The http loopback origin of the API (the emulator's media host), when there is one. */
  private readonly localOrigin: string | undefined;

  constructor(o: DownloadPolicyOptions) {
    this.allowPrivate = o.allowPrivate ?? false;
    const api = new URL(o.apiUrl);
    this.localOrigin = api.protocol === 'http:' && isLoopbackHost(api.hostname) ? api.origin : undefined;
  }

  /**
   * Checks `href` (and, for a redirect, that it does not downgrade from `from`). Throws URL_REFUSED;
   * returns the URL and the lookup to connect with.
   */
  check(href: string, from?: string): CheckedUrl {
    let url: URL;
    try {
      url = new URL(href);
    } catch {
      throw new GtError('URL_REFUSED', 'download URL is not a valid URL');
    }
    const host = url.host;
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw refused(host || url.protocol, `scheme ${url.protocol} (https only)`);
    if (url.username || url.password) throw refused(host, 'credentials in the URL');
    if (from !== undefined && new URL(from).protocol === 'https:' && url.protocol !== 'https:')
      throw refused(host, 'redirect from https to http (downgrade)');
    const sameLocal = this.localOrigin !== undefined && url.origin === this.localOrigin;
    const localAllowed =
      sameLocal || (this.allowPrivate && this.localOrigin !== undefined && isLoopbackHost(url.hostname));
    if (url.protocol === 'http:' && !localAllowed)
      throw refused(
        host,
        this.localOrigin
          ? `plain http to a host other than the API's own ${this.localOrigin}`
          : 'plain http (https only)',
      );
    if (sameLocal || this.allowPrivate) return { url, lookup: undefined };
    const hostname = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(hostname) !== 0) {
      if (isNonPublicAddress(hostname))
        throw refused(
          host,
          'a loopback, private or link-local address (--allow-private-downloads allows it)',
        );
      return { url, lookup: undefined };
    }
    if (INTERNAL_NAMES.test(hostname))
      throw refused(host, 'an internal host name (--allow-private-downloads allows it)');
    return { url, lookup: publicOnlyLookup };
  }
}

/**
 * A `lookup` for net/tls connect that resolves like the default one but refuses the whole host
 * when any address it resolves to is not public (a mixed answer is how rebinding is staged).
 */
export const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  const all: LookupAllOptions = { ...options, all: true };
  dnsLookup(hostname, all, (err, addresses: LookupAddress[]) => {
    if (err) return callback(err, '', 4);
    const bad = addresses.find((a) => isNonPublicAddress(a.address));
    if (bad || addresses.length === 0) {
      return callback(
        refused(
          hostname,
          `it resolves to ${bad ? 'a loopback, private or link-local address' : 'nothing'} (--allow-private-downloads allows it)`,
        ) as unknown as NodeJS.ErrnoException,
        '',
        4,
      );
    }
    if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
    callback(null, addresses[0]!.address, addresses[0]!.family);
  });
};
