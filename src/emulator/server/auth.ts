// OAuth client credentials: the login host's token endpoint and bearer checks on API routes.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export type TokenResult = { ok: true; clientId: string } | { ok: false };

const MAX_REMEMBERED = 100_000;

export class TokenStore {
  private readonly clients: Map<string, string>;
  /** what expires_in announces */
  private readonly ttlMs: number;
  /** how long a token is really accepted (shorter than ttlMs emulates a skewed clock) */
  private readonly lifetimeMs: number;
  private tokens = new Map<string, { clientId: string; expiresAt: number }>();
  private readonly issued: string[] = [];

  constructor(
    clients: { clientId: string; clientSecret: string }[],
    ttlSeconds: number,
    lifetimeSeconds = ttlSeconds,
  ) {
    this.clients = new Map(clients.map((c) => [c.clientId, c.clientSecret]));
    this.ttlMs = ttlSeconds * 1000;
    this.lifetimeMs = lifetimeSeconds * 1000;
  }

  /**
   * Checks Basic credentials the way login.<domain>/oauth/token does. Returns the token response,
   * or the exact invalid_client body for an unknown client / wrong secret.
   */
  issue(authorization: string | undefined, form: URLSearchParams): { status: number; json: unknown } {
    const grant = form.get('grant_type');
    const basic = /^Basic\s+(.+)$/i.exec(authorization ?? '');
    let id: string | undefined;
    let secret: string | undefined;
    if (basic) {
      const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) {
        id = decoded.slice(0, colon);
        secret = decoded.slice(colon + 1);
      }
    }
    if (id === undefined || !this.clients.has(id))
      return { status: 400, json: invalidClient('client not found') };
    if (this.clients.get(id) !== secret) return { status: 400, json: invalidClient('authentication failed') };
    if (grant !== 'client_credentials') {
      return {
        status: 400,
        json: {
          error: 'unsupported_grant_type',
          description: 'grant type not supported',
          error_description: 'grant type not supported',
        },
      };
    }
    const token = randomBytes(48).toString('base64url');
    this.tokens.set(token, { clientId: id, expiresAt: Date.now() + this.lifetimeMs });
    if (this.issued.length < MAX_REMEMBERED) this.issued.push(token);
    return {
      status: 200,
      json: { access_token: token, token_type: 'bearer', expires_in: Math.round(this.ttlMs / 1000) },
    };
  }

  check(req: IncomingMessage): TokenResult {
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    const entry = m ? this.tokens.get(m[1]!) : undefined;
    if (!entry) return { ok: false };
    if (Date.now() >= entry.expiresAt) {
      this.tokens.delete(m![1]!);
      return { ok: false };
    }
    return { ok: true, clientId: entry.clientId };
  }

  revokeAll(): void {
    this.tokens = new Map();
  }

  /** Every token issued (up to 100,000): lets tests check that none reached a log. */
  allIssued(): string[] {
    return [...this.issued];
  }
}

function invalidClient(description: string) {
  return { error: 'invalid_client', description, error_description: description };
}
