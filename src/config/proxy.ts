// HTTP(S) proxy settings: which proxy, if any, a request to a given URL goes through. One rule for
// every outbound call to Genesys (API, token, transcript and media downloads), the same as undici's
// EnvHttpProxyAgent applies to the API (src/genesys/proxy.ts) and lean-get to media:
//   - `--proxy URL` (or `proxy` in the config file) is used for http and https targets alike;
//     otherwise HTTPS_PROXY for https URLs (HTTP_PROXY when it is unset) and HTTP_PROXY for http URLs
//     (lower-case names win over upper-case, as in curl and undici);
//   - NO_PROXY (or `noProxy` in the config file): comma- or space-separated hosts that are reached
//     directly: `example.com` also covers its subdomains, `.example.com` and `*.example.com` only
//     those, `host:port` only that port, `*` everything.
//   - Nothing is exempt implicitly: loopback (127.0.0.1, localhost) goes through the proxy too unless
//     NO_PROXY lists it. (The built-in emulator listens on 127.0.0.1: add it to NO_PROXY when your
//     proxy cannot reach this machine.)
// Proxy URLs are http:// (the connection to the proxy is plain; https targets are tunnelled with
// CONNECT, so the proxy never sees their content). User info in the URL becomes Proxy-Authorization;
// it is never printed.

export interface ProxySettings {
  /** Proxy for http:// targets, or undefined for none. */
  readonly httpProxy: string | undefined;
  /** Proxy for https:// targets, or undefined for none. */
  readonly httpsProxy: string | undefined;
  /** NO_PROXY as given ('' = no exceptions). */
  readonly noProxy: string;
}

type Env = Record<string, string | undefined>;

const nonEmpty = (v: string | undefined): string | undefined =>
  v !== undefined && v.trim() !== '' ? v.trim() : undefined;

/** A proxy given without a scheme (`proxy.corp:3128`, common in HTTPS_PROXY) is http://, as in curl. */
const proxyValue = (v: string | undefined): string | undefined => {
  const t = nonEmpty(v);
  return t !== undefined && !/^[a-z][a-z0-9+.-]*:\/\//i.test(t) ? `http://${t}` : t;
};

/** Lower-case wins, as in curl and undici; an empty value means "unset". */
function envVar(env: Env, name: string): string | undefined {
  return proxyValue(env[name.toLowerCase()]) ?? proxyValue(env[name.toUpperCase()]);
}

/**
 * Resolves the proxy settings (flag > environment > config file). Undefined when no proxy applies.
 * Problems (a malformed proxy URL) are pushed to `problems`, naming where the value came from.
 */
export function resolveProxySettings(
  input: { flag?: string | undefined; env: Env; file?: { proxy?: string; noProxy?: string } },
  problems: string[],
): ProxySettings | undefined {
  const flag = proxyValue(input.flag);
  const fileProxy = proxyValue(input.file?.proxy);
  const one =
    flag ?? (envVar(input.env, 'http_proxy') || envVar(input.env, 'https_proxy') ? undefined : fileProxy);
  const httpProxy = one ?? envVar(input.env, 'http_proxy');
  const httpsProxy = one ?? envVar(input.env, 'https_proxy') ?? httpProxy;
  const noProxy =
    nonEmpty(input.env.no_proxy) ?? nonEmpty(input.env.NO_PROXY) ?? nonEmpty(input.file?.noProxy) ?? '';
  const source = flag ? '--proxy' : one ? 'proxy (config file)' : undefined;
  for (const [value, where] of [
    [httpProxy, source ?? 'HTTP_PROXY'],
    [httpsProxy === httpProxy ? undefined : httpsProxy, source ?? 'HTTPS_PROXY'],
  ] as const) {
    if (value !== undefined) {
      const why = proxyUrlProblem(value);
      if (why) problems.push(`${where} ${why}`);
    }
  }
  if (httpProxy === undefined && httpsProxy === undefined) return undefined;
  return { httpProxy, httpsProxy, noProxy };
}

function proxyUrlProblem(value: string): string | undefined {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return 'is not a URL (expected http://host:port, with user:password@ if the proxy needs them)';
  }
  if (u.protocol !== 'http:')
    return `must be an http:// URL, not ${u.protocol}// (https targets are tunnelled through it with CONNECT)`;
  if (u.pathname !== '/' || u.search || u.hash) return 'must be just http://host:port (no path or query)';
  return undefined;
}

/** The proxy URL with any password masked, for printing. */
export function describeProxy(value: string): string {
  try {
    const u = new URL(value);
    if (u.password) u.password = '***';
    return u.href.replace(/\/$/, '');
  } catch {
    return '(invalid)';
  }
}

interface NoProxyEntry {
  host: string;
  port: number;
}

function parseNoProxy(value: string): NoProxyEntry[] | '*' {
  if (value === '*') return '*';
  const entries: NoProxyEntry[] = [];
  for (const raw of value.split(/[,\s]/)) {
    if (!raw) continue;
    const m = /^(.+):(\d+)$/.exec(raw);
    entries.push({
      host: (m ? m[1]! : raw).replace(/^\*?\./, '').toLowerCase(),
      port: m ? Number(m[2]) : 0,
    });
  }
  return entries;
}

/** The proxy a request to `url` goes through, or undefined to connect directly. */
export function proxyFor(settings: ProxySettings | undefined, url: URL): URL | undefined {
  if (!settings) return undefined;
  const proxy = url.protocol === 'https:' ? settings.httpsProxy : settings.httpProxy;
  if (proxy === undefined) return undefined;
  const entries = parseNoProxy(settings.noProxy);
  if (entries === '*') return undefined;
  // url.host keeps IPv6 brackets ([::1]), as NO_PROXY writes them.
  const host = url.host.replace(/:\d*$/, '').toLowerCase();
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  for (const e of entries) {
    if (e.port && e.port !== port) continue;
    if (host === e.host || host.endsWith(`.${e.host}`)) return undefined;
  }
  return new URL(proxy);
}

/** Just the proxy variables of an environment (for a config built from other settings). */
export function proxyEnv(env: Env): Env {
  const names = ['http_proxy', 'https_proxy', 'no_proxy'].flatMap((n) => [n, n.toUpperCase()]);
  return Object.fromEntries(names.filter((n) => env[n] !== undefined).map((n) => [n, env[n]]));
}
