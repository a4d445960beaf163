// A loopback Standard Webhooks receiver: verifies every signature, records each POST's webhook-id
// and conversation, and answers 204. A receiver dedupes by webhook-id; the tests count both the raw
// POSTs (a resend after a crash shows up here) and the distinct IDs.
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
  /** whsec_… for GT_WEBHOOK_SECRET */
  secret: string;
  received: ReceivedWebhook[];
  /** POSTs whose signature did not verify (answered 401). */
  badSignatures: number;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const verifier = new Webhook(secret);
  const state: WebhookReceiver = { url: '', secret, received: [], badSignatures: 0, close: async () => {} };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      try {
        const event = verifier.verify(body, req.headers as Record<string, string>) as {
          data: { conversationId: string; deliveryId: string };
        };
        state.received.push({
          webhookId: String(req.headers['webhook-id']),
          conversationId: event.data.conversationId,
          deliveryId: event.data.deliveryId,
        });
        res.writeHead(204).end();
      } catch {
        state.badSignatures += 1;
        res.writeHead(401).end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/genesys`;
  state.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return state;
}
