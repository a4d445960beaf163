// The campaign's webhook receiver: the shared one (test/helpers/webhook-receiver.ts) with a fixed
// secret, so the CLI runner can pass it to every export.
import { startWebhookReceiver, type WebhookReceiver } from '../../helpers/webhook-receiver.ts';

export const WEBHOOK_SECRET = `whsec_${Buffer.from('fault-campaign-webhook-secret-0123').toString('base64')}`;

export type Receiver = WebhookReceiver;

export const startReceiver = (): Promise<Receiver> => startWebhookReceiver({ secret: WEBHOOK_SECRET });
