// The one Standard Webhooks receiver the tests use, on loopback: verifies every signature, counts
// deliveries per webhook-id and per conversation, keeps each POST (to check exactly-once and to
// scan payloads for PII), and can be told to fail the next N requests (a flaky receiver).
// A receiver dedupes by webhook-id; tests count both raw POSTs (a resend after a crash shows up
// there) and distinct IDs.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhook {
  webhookId: string;
  conversationId: string;
  deliveryId: string;
}

export interface WebhookReceiver {
  url: string;
  /** whsec_… to give the exporter as GT_WEBHOOK_SECRET */
  secret: string;
  /** every verified POST, in arrival order */
  received: ReceivedWebhook[];
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
  close(): Promise<void>;
}

export async function startWebhookReceiver(options: { secret?: string } = {}): Promise<WebhookReceiver> {
  const secret = options.secret ?? `whsec_${randomBytes(24).toString('base64')}`;
  const verifier = new Webhook(secret);
  const received: ReceivedWebhook[] = [];
  const accepted = new Map<string, number>();
  const conversations = new Map<string, Set<string>>();
  const payloads: string[] = [];
  let bad = 0;
  let failing = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
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
      const webhookId = String(req.headers['webhook-id']);
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
    accepted,
    conversations,
    payloads,
    badSignatures: () => bad,
    failNext: (n) => (failing = n),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
