// The undici dispatcher for API, token and signed-URL (transcript) calls: a plain keep-alive Agent,
// or with a proxy configured undici's EnvHttpProxyAgent, given the resolved settings explicitly
// (never process.env behind the caller's back) so it applies the same NO_PROXY rule as the media
// path (src/config/proxy.ts, src/pipeline/fetch/lean-get.ts).
import { Agent, EnvHttpProxyAgent, type Dispatcher } from 'undici';
import type { ProxySettings } from '../config/proxy.ts';

export function createDispatcher(proxy: ProxySettings | undefined, agent: Agent.Options): Dispatcher {
  if (!proxy) return new Agent(agent);
  return new EnvHttpProxyAgent({
    ...agent,
    // '' (not undefined) so undici does not fall back to the process environment.
    httpProxy: proxy.httpProxy ?? '',
    httpsProxy: proxy.httpsProxy ?? '',
    noProxy: proxy.noProxy,
    // http targets (loopback only: the emulator, test servers) are sent in absolute form, so the
    // proxy sees, and can log, each request; https targets are always tunnelled with CONNECT.
    proxyTunnel: false,
  });
}
