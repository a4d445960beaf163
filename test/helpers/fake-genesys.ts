// A tiny scripted HTTP server on 127.0.0.1 for transport unit tests that need exact control of
// each answer (hostile bodies, resets, Retry-After). End-to-end behaviour is tested against the
// real emulator (src/emulator); this is only for shapes the emulator does not produce.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig, type GenesysConfig } from '../../src/config/index.ts';

export interface SeenRequest {
  method: string;
  url: string;
  authorization: string | undefined;
  at: number;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

export interface FakeGenesys {
  baseUrl: string;
  seen: SeenRequest[];
  tokensIssued: number;
  /** Replace the API handler (the token endpoint stays built in). */
  setHandler(h: Handler): void;
  config(overrides?: Record<string, unknown>): GenesysConfig;
  close(): Promise<void>;
}

export const FAKE_SECRET = 'fake-secret-3f9a1c';

export async function startFakeGenesys(
  handler: Handler,
  opts: { tokenTtl?: number } = {},
): Promise<FakeGenesys> {
  let current = handler;
  const state = { tokensIssued: 0 };
  const seen: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (req.url === '/oauth/token') {
        const ok =
          req.headers.authorization === `Basic ${Buffer.from(`client-1:${FAKE_SECRET}`).toString('base64')}`;
        if (!ok) {
          res.writeHead(400, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              error: 'invalid_client',
              description: 'authentication failed',
              error_description: 'authentication failed',
            }),
          );
          return;
        }
        state.tokensIssued += 1;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            access_token: `tok-${state.tokensIssued}`,
            token_type: 'bearer',
            expires_in: opts.tokenTtl ?? 3600,
          }),
        );
        return;
      }
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        authorization: req.headers.authorization,
        at: Date.now(),
      });
      current(req, res, body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl,
    seen,
    get tokensIssued() {
      return state.tokensIssued;
    },
    setHandler(h) {
      current = h;
    },
    config(overrides = {}) {
      return loadConfig({
        flags: { apiUrl: baseUrl, loginUrl: baseUrl, clientId: 'client-1', ...overrides },
        env: { GENESYSCLOUD_OAUTHCLIENT_SECRET: FAKE_SECRET },
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
