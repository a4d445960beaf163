// A Standard Webhooks receiver on loopback: verifies every signature, counts deliveries per
// webhook-id and per conversation, keeps the payloads (to check them for PII) and can be told to
// fail the next N requests (a flaky receiver).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export const WEBHOOK_SECRET = `whsec_${Buffer.from('fault-campaign-webhook-secret-0123').toString('base64')}`;

export interface Receiver {
  url: string;
  /** webhook-id → accepted deliveries (a resend after a crash reuses the id) */
  accepted: Map<string, number>;
  /** conversationId → webhook-ids */
  conversations: Map<string, Set<string>>;
  payloads: string[];
  badSignatures(): number;
  /** answer 503 to the next `n` requests */
  failNext(n: number): void;
  close(): Promise<void>;
}

export function startReceiver(): Promise<Receiver> {
  const verifier = new Webhook(WEBHOOK_SECRET);
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
      try {
        const payload = verifier.verify(body, req.headers as Record<string, string>) as {
          data: { conversationId: string };
        };
        const id = String(req.headers['webhook-id']);
        accepted.set(id, (accepted.get(id) ?? 0) + 1);
        const set = conversations.get(payload.data.conversationId) ?? new Set<string>();
        set.add(id);
        conversations.set(payload.data.conversationId, set);
        payloads.push(body);
        res.writeHead(204).end();
      } catch {
        bad += 1;
        res.writeHead(400).end();
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}/hook`,
        accepted,
        conversations,
        payloads,
        badSignatures: () => bad,
        failNext: (n) => (failing = n),
        close: () =>
          new Promise<void>((r) => {
            server.close(() => r());
            server.closeAllConnections();
          }),
      });
    }),
  );
}
