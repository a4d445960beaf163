// The one Standard Webhooks receiver the tests use, on loopback: verifies every signature, counts
// deliveries per webhook-id and per conversation, keeps each POST (to check exactly-once and to
// scan payloads for PII), and can be told to fail the next N requests (a flaky receiver) or be
// given any behaviour per attempt (the webhook sink's own tests).
// A receiver dedupes by webhook-id; tests count both raw POSTs (a resend after a crash shows up
// there) and distinct IDs.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhook {
  webhookId: string;
  conversationId: string;
  deliveryId: string;
}

/** Answers a POST itself and returns true, or returns false to verify and accept it. */
export type ReceiverBehaviour = (attempt: number, req: IncomingMessage, res: ServerResponse) => boolean;

export interface WebhookReceiver {
  url: string;
  /** whsec_… to give the exporter as GT_WEBHOOK_SECRET */
  secret: string;
  /** every verified POST, in arrival order */
  received: ReceivedWebhook[];
  /** webhook-id → POSTs seen, failed ones included */
  attempts: Map<string, number>;
  /** webhook-id → accepted deliveries (a resend after a crash reuses the id) */
  accepted: Map<string, number>;
  /** conversationId → webhook-ids */
  conversations: Map<string, Set<string>>;
  /** raw bodies of verified POSTs */
  payloads: string[];
  /** POSTs whose signature did not verify (answered 401) */
  badSignatures(): number;
  /** answer 503 to the next `n` requests */
  failNext(n: number): void;
  /** from now on, let `behaviour` answer first */
  setBehaviour(behaviour: ReceiverBehaviour): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(
  options: { secret?: string; behaviour?: ReceiverBehaviour } = {},
): Promise<WebhookReceiver> {
  const secret = options.secret ?? `whsec_${randomBytes(24).toString('base64')}`;
  const verifier = new Webhook(secret);
  const received: ReceivedWebhook[] = [];
  const attempts = new Map<string, number>();
  const accepted = new Map<string, number>();
  const conversations = new Map<string, Set<string>>();
  const payloads: string[] = [];
  let bad = 0;
  let failing = 0;
  let behaviour: ReceiverBehaviour = options.behaviour ?? (() => false);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const webhookId = String(req.headers['webhook-id']);
      const attempt = (attempts.get(webhookId) ?? 0) + 1;
      attempts.set(webhookId, attempt);
      if (behaviour(attempt, req, res)) return;
      if (failing > 0) {
        failing -= 1;
        res.writeHead(503, { 'retry-after': '0' }).end();
        return;
      }
      const body = Buffer.concat(chunks).toString('utf8');
      let event: { data: { conversationId: string; deliveryId: string } };
      try {
        event = verifier.verify(body, req.headers as Record<string, string>) as typeof event;
      } catch {
        bad += 1;
        res.writeHead(401).end();
        return;
      }
      received.push({
        webhookId,
        conversationId: event.data.conversationId,
        deliveryId: event.data.deliveryId,
      });
      accepted.set(webhookId, (accepted.get(webhookId) ?? 0) + 1);
      const ids = conversations.get(event.data.conversationId) ?? new Set<string>();
      ids.add(webhookId);
      conversations.set(event.data.conversationId, ids);
      payloads.push(body);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/genesys`,
    secret,
    received,
    attempts,
    accepted,
    conversations,
    payloads,
    badSignatures: () => bad,
    failNext: (n) => (failing = n),
    setBehaviour: (b) => (behaviour = b),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
