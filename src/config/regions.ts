// Genesys Cloud regions, copied from the official SDK's PureCloudRegionHosts.js (v262). A region
// is named like the SDK (`us_east_1`) or like AWS (`us-east-1`), or given as its domain
// (`mypurecloud.ie`); each resolves to `https://api.<domain>` and `https://login.<domain>`.
import { GtError } from '../errors.ts';

export const REGION_DOMAINS: Readonly<Record<string, string>> = {
  us_east_1: 'mypurecloud.com',
  eu_west_1: 'mypurecloud.ie',
  ap_southeast_2: 'mypurecloud.com.au',
  ap_northeast_1: 'mypurecloud.jp',
  eu_central_1: 'mypurecloud.de',
  us_west_2: 'usw2.pure.cloud',
  ca_central_1: 'cac1.pure.cloud',
  ap_northeast_2: 'apne2.pure.cloud',
  eu_west_2: 'euw2.pure.cloud',
  ap_south_1: 'aps1.pure.cloud',
  us_east_2: 'use2.us-gov-pure.cloud',
  sa_east_1: 'sae1.pure.cloud',
  me_central_1: 'mec1.pure.cloud',
  ap_northeast_3: 'apne3.pure.cloud',
  eu_central_2: 'euc2.pure.cloud',
  mx_central_1: 'mxc1.pure.cloud',
  ap_southeast_1: 'apse1.pure.cloud',
  eusc_de_east_1: 'edee1.eusc-pure.cloud',
};

export interface RegionHosts {
  /** Canonical SDK name, e.g. `eu_west_1`. */
  region: string;
  domain: string;
  apiUrl: string;
  loginUrl: string;
}

const KNOWN_DOMAINS = new Map(Object.entries(REGION_DOMAINS).map(([name, domain]) => [domain, name]));

/** The region names a user may type, in the AWS spelling (the SDK's underscores also work). */
export function regionNames(): string[] {
  return Object.keys(REGION_DOMAINS).map((n) => n.replace(/_/g, '-'));
}

/**
 * Resolves `us-east-1`, `us_east_1`, `mypurecloud.ie`, `api.mypurecloud.ie` or
 * `https://api.mypurecloud.ie` (the Genesys CLI's GENESYSCLOUD_API_REGION form) to hosts.
 * Returns undefined for anything unknown; the caller words the error (see describeUnknownRegion).
 */
export function resolveRegion(input: string): RegionHosts | undefined {
  const raw = input.trim().toLowerCase();
  const byName = REGION_DOMAINS[raw.replace(/-/g, '_')];
  // Same normalisation as the SDK's setEnvironment: drop the scheme, a trailing slash and `api.`.
  const domain =
    byName ??
    raw
      .replace(/^https?:\/\//, '')
      .replace(/\/+$/, '')
      .replace(/^(api|login)\./, '');
  const region = KNOWN_DOMAINS.get(domain);
  if (region === undefined) return undefined;
  return { region, domain, apiUrl: `https://api.${domain}`, loginUrl: `https://login.${domain}` };
}

export function describeUnknownRegion(input: string): string {
  return `unknown region "${input}"; valid regions: ${regionNames().join(', ')} (or their domains, e.g. mypurecloud.ie; use apiUrl/loginUrl for gateways)`;
}

/** resolveRegion that throws CONFIG_INVALID: for callers outside loadConfig. */
export function requireRegion(input: string): RegionHosts {
  const hosts = resolveRegion(input);
  if (!hosts) throw new GtError('CONFIG_INVALID', describeUnknownRegion(input), { region: input });
  return hosts;
}
