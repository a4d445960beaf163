// Checks before any work: an export that cannot write its output, or whose credentials Genesys
// rejects, must say so once, up front, naming the flag or variable to fix — not after discovering
// and downloading everything, as one log line per conversation. Each failure is a PREFLIGHT error
// (exit 2). The Genesys check costs one token and one GET /api/v2/tokens/me (no analytics or
// recordings call), which also proves the API host accepts a token from that login host.
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describeProxy, proxyFor, type GenesysConfig } from '../config/index.ts';
import { GtError, isGtError } from '../errors.ts';
import type { GenesysClient } from '../genesys/transport.ts';

export interface FolderCheck {
  dir: string;
  /** How the user named it: '--out', '--state-dir' … */
  flag: string;
  /** Mode for a folder we create (state: 0700). */
  mode?: number;
}

function errnoOf(err: unknown): string {
  return (err as NodeJS.ErrnoException | undefined)?.code ?? 'error';
}

/** The folder exists (or is created) and a file can be written in it. */
export function checkWritableFolder({ dir, flag, mode }: FolderCheck): void {
  const abs = resolve(dir);
  const fail = (why: string, fix: string) =>
    new GtError('PREFLIGHT', `${flag} ${dir}: ${why}; ${fix}`, { flag, path: abs });
  try {
    if (!statSync(abs).isDirectory()) throw fail('is a file, not a folder', `give ${flag} a folder`);
  } catch (err) {
    if (isGtError(err)) throw err;
    if (errnoOf(err) === 'ENOTDIR') throw fail('a part of the path is a file', `choose another ${flag}`);
    if (errnoOf(err) !== 'ENOENT')
      throw fail(`cannot be read (${errnoOf(err)})`, `check the path and its permissions`);
  }
  try {
    mkdirSync(abs, { recursive: true, ...(mode !== undefined ? { mode } : {}) });
  } catch (err) {
    const why =
      errnoOf(err) === 'ENOTDIR' ? 'a part of the path is a file' : `cannot be created (${errnoOf(err)})`;
    throw fail(why, `choose another ${flag} or fix the permissions of its parent`);
  }
  const probe = join(abs, `.gt-write-check-${randomBytes(4).toString('hex')}`);
  try {
    writeFileSync(probe, '', { flag: 'wx', mode: 0o600 });
  } catch (err) {
    throw fail(`is not writable (${errnoOf(err)})`, `choose another ${flag} or make it writable`);
  } finally {
    rmSync(probe, { force: true });
  }
}

/** Where the connection came from, to name in messages (flags and variables differ for the emulator). */
export interface ConnectionHints {
  credentials: string;
  loginHost: string;
  apiHost: string;
  /** The proxy (password masked) the login and API hosts are reached through, if any. */
  loginProxy?: string | undefined;
  apiProxy?: string | undefined;
}

/** The hints with the proxies `config` sends its login and API calls through: an unreachable
 * proxy must be named, or the message sends the user to check a region that is fine. */
export function withProxies(hints: ConnectionHints, config: GenesysConfig): ConnectionHints {
  const via = (url: string) => {
    const p = proxyFor(config.proxy, new URL(url));
    return p && describeProxy(p.href);
  };
  return { ...hints, loginProxy: via(config.loginUrl), apiProxy: via(config.apiUrl) };
}

export const DEFAULT_CONNECTION_HINTS: ConnectionHints = {
  credentials:
    'GENESYSCLOUD_OAUTHCLIENT_ID / GENESYSCLOUD_OAUTHCLIENT_SECRET (or --client-id, --client-secret-file, --config)',
  loginHost: '--region / GENESYSCLOUD_REGION (or --login-url)',
  apiHost: '--region / GENESYSCLOUD_REGION (or --api-url)',
};

/** A token is issued and the API host accepts it. */
export async function checkGenesys(
  client: GenesysClient,
  hints: ConnectionHints = DEFAULT_CONNECTION_HINTS,
  signal?: AbortSignal,
): Promise<void> {
  try {
    await client.request({
      method: 'GET',
      path: '/api/v2/tokens/me',
      family: 'preflight',
      ...(signal ? { signal } : {}),
    });
  } catch (err) {
    const fatal = preflightError(err, hints);
    if (fatal) throw fatal;
    // Anything else (a 5xx, a 429, a garbled body) means the host answered and the token was
    // issued: not a configuration problem, and the run's own retries deal with it.
  }
}

/** The error to stop on (credentials refused, no answer at all), or undefined to carry on. */
function preflightError(err: unknown, hints: ConnectionHints): unknown {
  if (!isGtError(err)) return err;
  if (err.code === 'ABORTED') return err;
  const fromLogin = err.details.route === 'oauth.token';
  const base = err.message.replace(/\s+/g, ' ');
  switch (err.code) {
    case 'AUTH_FAILED':
      return new GtError(
        'PREFLIGHT',
        fromLogin
          ? `credentials rejected: ${base}; check ${hints.credentials}`
          : `the API rejected the token (${base}); check that ${hints.apiHost} is the region the OAuth client belongs to`,
        { check: 'auth' },
        { cause: err },
      );
    case 'NETWORK':
    case 'TIMEOUT': {
      const proxy = fromLogin ? hints.loginProxy : hints.apiProxy;
      const host = fromLogin ? hints.loginHost : hints.apiHost;
      return new GtError(
        'PREFLIGHT',
        proxy
          ? `${fromLogin ? 'login' : 'API'} host unreachable through the proxy ${proxy}: ${base}; check --proxy / HTTPS_PROXY / HTTP_PROXY (NO_PROXY to bypass it), ${host} and the network`
          : `${fromLogin ? 'login' : 'API'} host unreachable: ${base}; check ${host} and the network`,
        { check: 'reachability' },
        { cause: err },
      );
    }
    default:
      // The token host answering nonsense (oversized, garbled after its retries) is no token, but
      // not a setting to fix either: stop on that typed error. An API host that answered at all
      // (a 5xx, a 429) is reachable: the run's own retries deal with it.
      return fromLogin ? err : undefined;
  }
}
