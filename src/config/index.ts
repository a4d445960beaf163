// Genesys connection settings, merged from a JSON config file, environment variables and command
// flags (flags win, then env, then the file), validated once here into a typed GenesysConfig.
// Every mistake is reported in one CONFIG_INVALID error, one line each.
//
// The client secret never comes from a flag value (it would show in `ps` and shell history): only
// from GENESYSCLOUD_OAUTHCLIENT_SECRET, the config file, or --client-secret-file (`-` = stdin).
// Inside the config it lives in a closure, so printing or serialising the config cannot leak it.
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { z } from 'zod';
import { GtError } from '../errors.ts';
import { describeUnknownRegion, resolveRegion } from './regions.ts';
import { describeProxy, resolveProxySettings, type ProxySettings } from './proxy.ts';
import { NETWORK_DEFAULTS, readSecretFileCapped } from './limits.ts';

export { proxyFor, describeProxy, type ProxySettings } from './proxy.ts';
export { REGION_DOMAINS, regionNames, resolveRegion, requireRegion, type RegionHosts } from './regions.ts';

export interface GenesysConfig {
  /** API base URL without a trailing slash, e.g. https://api.mypurecloud.ie */
  readonly apiUrl: string;
  /** Login base URL; the token endpoint is `${loginUrl}/oauth/token`. */
  readonly loginUrl: string;
  /** Canonical region name when the URLs came from a region, else undefined (gateway/emulator). */
  readonly region: string | undefined;
  readonly clientId: string;
  /** Per-request timeout (headers and idle body), ms. */
  readonly requestTimeoutMs: number;
  /**
   * Ceiling on API requests per minute for this client (`--rate-limit`): the limiter paces to the
   * smaller of it and the budget Genesys announces minus a headroom (src/genesys/budget.ts).
   * Undefined: the announced budget minus the headroom.
   */
  readonly rateLimitPerMinute: number | undefined;
  /** Attempts per request for transient failures (5xx, network, timeouts), first try included. */
  readonly maxAttempts: number;
  /** Returns the OAuth client secret. A function so that JSON/inspect/logs never contain it. */
  readonly clientSecret: () => string;
  /** HTTP(S) proxy for every call to Genesys (API, token, downloads); undefined: direct. See proxy.ts. */
  readonly proxy?: ProxySettings | undefined;
  /** Hardening against a hostile network or upstream (see NETWORK_DEFAULTS; limits.ts). */
  readonly allowPrivateDownloads?: boolean;
  /** Longest server-requested wait (Retry-After) honoured; a longer one fails as RATE_LIMITED. */
  readonly maxRetryAfterSeconds?: number;
  /** Minimum body transfer rate (bytes/s over 30 s) for downloads and API bodies; 0 = off. */
  readonly minTransferRate?: number;
  /** The window the minimum rate is measured over (default 30 s). */
  readonly minTransferWindowSeconds?: number;
  /** Absolute cap on one media file, whatever its metadata says. */
  readonly maxMediaBytes?: number;
}

export const CONFIG_DEFAULTS = { requestTimeoutMs: 30_000, maxAttempts: 4 } as const;
export { NETWORK_DEFAULTS, readSecretFileCapped, MAX_SECRET_FILE_BYTES } from './limits.ts';

/** The config file (JSON). Strict, so a typo'd key is reported rather than silently ignored.
 * The descriptions end up in the published JSON Schema (json-schema.ts, `config-schema`). */
export const configFileSchema = z
  .object({
    $schema: z
      .string()
      .optional()
      .describe('this schema, for editors: node_modules/genesys-transcripts/dist/config.schema.json'),
    region: z
      .string()
      .optional()
      .describe('Genesys Cloud region (us-east-1, eu-west-1, …) or domain (mypurecloud.ie)'),
    apiUrl: z.string().optional().describe('explicit API base URL (gateways); https, http only for loopback'),
    loginUrl: z
      .string()
      .optional()
      .describe('explicit login base URL; default: apiUrl with api. replaced by login.'),
    clientId: z.string().optional().describe('OAuth client ID (grant type Client Credentials)'),
    clientSecret: z
      .string()
      .optional()
      .describe('OAuth client secret; prefer clientSecretFile or the environment'),
    clientSecretFile: z.string().optional().describe('file holding the OAuth client secret'),
    requestTimeoutMs: z
      .number()
      .optional()
      .describe(`per-request timeout in ms (default ${CONFIG_DEFAULTS.requestTimeoutMs})`),
    rateLimitPerMinute: z
      .number()
      .optional()
      .describe(
        'ceiling on API requests per minute (like --rate-limit); default: the budget Genesys announces, minus a headroom',
      ),
    maxAttempts: z
      .number()
      .optional()
      .describe(`attempts per request, first included (default ${CONFIG_DEFAULTS.maxAttempts})`),
    proxy: z
      .string()
      .optional()
      .describe(
        'http://[user:password@]host:port of an HTTP proxy for every call to Genesys (HTTPS_PROXY/HTTP_PROXY win over it)',
      ),
    noProxy: z
      .string()
      .optional()
      .describe('hosts reached without the proxy, as NO_PROXY (which wins over it)'),
    allowPrivateDownloads: z
      .boolean()
      .optional()
      .describe(
        'allow download URLs on loopback, private or link-local addresses (like --allow-private-downloads)',
      ),
    maxRetryAfterSeconds: z
      .number()
      .optional()
      .describe('longest Retry-After honoured in seconds; longer fails as RATE_LIMITED (default 120)'),
    minTransferRate: z
      .number()
      .optional()
      .describe('minimum body transfer rate in bytes/s; slower fails as TOO_SLOW; 0 = off (default 1024)'),
    minTransferWindowSeconds: z
      .number()
      .optional()
      .describe('window of minTransferRate in seconds (default 30)'),
    maxMediaBytes: z.number().optional().describe('absolute cap on one media file in bytes (default 4 GiB)'),
  })
  .strict()
  .describe('genesys-transcripts config file (--config FILE)');
const fileSchema = configFileSchema;

const isLoopback = (host: string) => host === '127.0.0.1' || host === 'localhost' || host === '[::1]';

const baseUrl = z.string().superRefine((v, ctx) => {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    ctx.addIssue({ code: 'custom', message: `"${v}" is not a URL` });
    return;
  }
  // Plain http would send the client secret and tokens in clear: only allowed to this machine.
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && isLoopback(u.hostname))) {
    ctx.addIssue({ code: 'custom', message: `"${v}" must be https (http only for 127.0.0.1/localhost)` });
  }
  if (u.search || u.hash)
    ctx.addIssue({ code: 'custom', message: `"${v}" must not have a query or fragment` });
});

const finalSchema = z.object({
  apiUrl: baseUrl,
  loginUrl: baseUrl,
  clientId: z
    .string()
    .min(1, 'is missing (--client-id, GENESYSCLOUD_OAUTHCLIENT_ID or the config file)')
    .max(200),
  clientSecret: z
    .string()
    .min(
      1,
      'is missing (GENESYSCLOUD_OAUTHCLIENT_SECRET, the config file, or --client-secret-file; never a flag value)',
    ),
  requestTimeoutMs: z.number().int().min(100).max(600_000),
  rateLimitPerMinute: z
    .number()
    .int('must be a whole number of requests per minute (--rate-limit)')
    .min(1, 'must be at least 1 request per minute (--rate-limit)')
    .max(100_000)
    .optional(),
  maxAttempts: z.number().int().min(1).max(20),
  allowPrivateDownloads: z.boolean(),
  maxRetryAfterSeconds: z.number().min(0).max(86_400),
  minTransferRate: z.number().int().min(0),
  minTransferWindowSeconds: z.number().min(0.1).max(3600),
  maxMediaBytes: z.number().int().min(1),
});

export interface LoadConfigInput {
  /** Parsed command flags (commander camelCase). Unrelated keys are ignored. */
  flags?: Record<string, unknown>;
  env?: Record<string, string | undefined>;
  /** Path of a JSON config file. */
  configFile?: string;
}

const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
const num = (v: unknown): number | undefined =>
  typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : undefined;
const trimSlash = (u: string) => u.replace(/\/+$/, '');

function readSecretFile(file: string, problems: string[]): string | undefined {
  try {
    // `-` reads stdin (fd 0) so the secret can be piped from a vault CLI. Capped: a secret is short,
    // and `--client-secret-file /dev/urandom` must not read forever.
    const text = readSecretFileCapped(file).trim();
    if (text === '') problems.push(`clientSecretFile ${file}: the file is empty`);
    return text || undefined;
  } catch (err) {
    if (err instanceof GtError) {
      problems.push(`clientSecretFile ${file}: ${err.message}`);
      return undefined;
    }
    problems.push(
      `clientSecretFile ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    );
    return undefined;
  }
}

function readConfigFile(path: string, problems: string[]): z.infer<typeof fileSchema> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    const why =
      err instanceof SyntaxError
        ? 'not valid JSON'
        : `cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})`;
    problems.push(`config file ${path}: ${why}`);
    return {};
  }
  const parsed = fileSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) {
    // Never echo values from the file: one of them may be the secret.
    problems.push(`config file ${path}: ${issue.path.join('.') || 'top level'}: ${issue.message}`);
  }
  return {};
}

/** One problem on one line; several as a list. */
function invalidConfig(problems: string[]): GtError {
  const text = problems.length === 1 ? ` ${problems[0]}` : `\n  - ${problems.join('\n  - ')}`;
  return new GtError('CONFIG_INVALID', `invalid Genesys configuration:${text}`, { problems });
}

export function loadConfig(input: LoadConfigInput): GenesysConfig {
  const flags = input.flags ?? {};
  const env = input.env ?? {};
  const problems: string[] = [];

  if (flags.clientSecret !== undefined) {
    problems.push(
      '--client-secret is not accepted (a flag value shows in ps and shell history): set GENESYSCLOUD_OAUTHCLIENT_SECRET, put clientSecret in the config file, or use --client-secret-file <file> (- for stdin)',
    );
  }
  const configFile = input.configFile ?? str(flags.config);
  const file = configFile ? readConfigFile(configFile, problems) : {};
  // An unreadable or invalid file is the problem to fix: "no region", "clientId is missing" … after
  // it would only be its consequences, and wrong when the file does hold them.
  if (problems.length > 0) throw invalidConfig(problems);

  // Hosts: explicit URLs beat a region; within each, flags > env > file.
  const regionInput =
    str(flags.region) ?? str(env.GENESYSCLOUD_REGION) ?? str(env.GENESYSCLOUD_API_REGION) ?? str(file.region);
  let hosts: ReturnType<typeof resolveRegion>;
  if (regionInput !== undefined) {
    hosts = resolveRegion(regionInput);
    if (!hosts) problems.push(describeUnknownRegion(regionInput));
  }
  const apiUrl = str(flags.apiUrl) ?? str(file.apiUrl) ?? hosts?.apiUrl;
  let loginUrl = str(flags.loginUrl) ?? str(file.loginUrl) ?? hosts?.loginUrl;
  if (apiUrl === undefined && regionInput === undefined) {
    problems.push(
      `no region: set --region, GENESYSCLOUD_REGION or region in the config file (e.g. us-east-1, eu-west-1), or apiUrl/loginUrl`,
    );
  }
  // A gateway given only its API URL: the login host follows the api. → login. convention.
  if (apiUrl !== undefined && loginUrl === undefined && /^https?:\/\/api\./.test(apiUrl))
    loginUrl = apiUrl.replace('://api.', '://login.');
  if (apiUrl !== undefined && loginUrl === undefined)
    problems.push('loginUrl is missing (needed with an explicit apiUrl)');

  const secretFile = str(flags.clientSecretFile);
  const clientSecret =
    (secretFile ? readSecretFile(secretFile, problems) : undefined) ??
    str(env.GENESYSCLOUD_OAUTHCLIENT_SECRET) ??
    str(file.clientSecret) ??
    (file.clientSecretFile ? readSecretFile(file.clientSecretFile, problems) : undefined);

  const proxy = resolveProxySettings({ flag: str(flags.proxy), env, file }, problems);
  const candidate = {
    apiUrl: apiUrl === undefined ? undefined : trimSlash(apiUrl),
    loginUrl: loginUrl === undefined ? undefined : trimSlash(loginUrl),
    clientId: str(flags.clientId) ?? str(env.GENESYSCLOUD_OAUTHCLIENT_ID) ?? str(file.clientId) ?? '',
    clientSecret: clientSecret ?? '',
    requestTimeoutMs:
      num(flags.requestTimeoutMs) ?? file.requestTimeoutMs ?? CONFIG_DEFAULTS.requestTimeoutMs,
    rateLimitPerMinute: num(flags.rateLimit) ?? num(flags.rateLimitPerMinute) ?? file.rateLimitPerMinute,
    maxAttempts: num(flags.maxAttempts) ?? file.maxAttempts ?? CONFIG_DEFAULTS.maxAttempts,
    allowPrivateDownloads:
      flags.allowPrivateDownloads === true ||
      (flags.allowPrivateDownloads === undefined && file.allowPrivateDownloads === true),
    maxRetryAfterSeconds:
      num(flags.maxRetryAfter) ?? file.maxRetryAfterSeconds ?? NETWORK_DEFAULTS.maxRetryAfterSeconds,
    minTransferRate: num(flags.minTransferRate) ?? file.minTransferRate ?? NETWORK_DEFAULTS.minTransferRate,
    minTransferWindowSeconds:
      num(flags.minTransferWindow) ??
      file.minTransferWindowSeconds ??
      NETWORK_DEFAULTS.minTransferWindowSeconds,
    maxMediaBytes: num(flags.maxMediaBytes) ?? file.maxMediaBytes ?? NETWORK_DEFAULTS.maxMediaBytes,
  };
  const parsed = finalSchema.safeParse(candidate);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0]);
      // URL problems were already reported as "no region"/"loginUrl is missing" when undefined.
      if ((key === 'apiUrl' || key === 'loginUrl') && candidate[key] === undefined) continue;
      problems.push(`${key} ${issue.message}`);
    }
  }
  if (problems.length > 0 || !parsed.success) throw invalidConfig(problems);
  return makeConfig({ ...parsed.data, region: hosts?.region, proxy });
}

/** Builds the config object with the secret hidden in a closure. */
function makeConfig(
  v: z.infer<typeof finalSchema> & { region: string | undefined; proxy: ProxySettings | undefined },
): GenesysConfig {
  const secret = v.clientSecret;
  const visible = {
    apiUrl: v.apiUrl,
    loginUrl: v.loginUrl,
    region: v.region,
    clientId: v.clientId,
    requestTimeoutMs: v.requestTimeoutMs,
    rateLimitPerMinute: v.rateLimitPerMinute,
    maxAttempts: v.maxAttempts,
    allowPrivateDownloads: v.allowPrivateDownloads,
    maxRetryAfterSeconds: v.maxRetryAfterSeconds,
    minTransferRate: v.minTransferRate,
    minTransferWindowSeconds: v.minTransferWindowSeconds,
    maxMediaBytes: v.maxMediaBytes,
  };
  // Proxy URLs may carry a password: printed and serialised masked, like the secret.
  const shownProxy = v.proxy && {
    ...v.proxy,
    httpProxy: v.proxy.httpProxy && describeProxy(v.proxy.httpProxy),
    httpsProxy: v.proxy.httpsProxy && describeProxy(v.proxy.httpsProxy),
  };
  const config = {
    ...visible,
    proxy: v.proxy,
    clientSecret: () => secret,
    toJSON: () => ({ ...visible, proxy: shownProxy, clientSecret: '[redacted]' }),
    [inspect.custom]: () => ({ ...visible, proxy: shownProxy, clientSecret: '[redacted]' }),
  };
  return Object.freeze(config);
}
