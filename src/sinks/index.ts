// Builds a sink from a CLI spec string or a config object. Secrets never appear in specs:
// the webhook secret comes from GT_WEBHOOK_SECRET, S3 credentials from the standard AWS env vars.
//   fs:./out
//   webhook:https://example.com/hooks/genesys
//   s3://bucket/prefix?endpoint=http://127.0.0.1:4569&region=us-east-1&forcePathStyle=true&partSizeMiB=8
//   postgres://user@host:5432/database (password from PGPASSWORD or ~/.pgpass)
import { z } from 'zod';
import { GtError } from '../errors.ts';
import { createFsSink } from './fs.ts';
import { createS3Sink, type S3SinkOptions } from './s3.ts';
import { createPostgresSink, postgresSinkName } from './postgres/index.ts';
import type { Sink } from './types.ts';
import { createWebhookSink } from './webhook.ts';

export type { BundleFile, ConversationBundle, DeliveryReceipt, Sink } from './types.ts';
export { createFsSink } from './fs.ts';
export { createS3Sink } from './s3.ts';
export { createPostgresSink } from './postgres/index.ts';
export { createWebhookSink, replayDeadLetters, type ReplayResult, type WebhookSink } from './webhook.ts';
export { listDeadLetters, type DeadLetter } from './dead-letters.ts';

export const DEFAULT_DEAD_LETTER_DIR = './.genesys-transcripts/dead-letters';

const SinkConfig = z.discriminatedUnion('type', [
  z.object({ type: z.literal('fs'), root: z.string().min(1) }),
  z.object({
    type: z.literal('webhook'),
    url: z.url({ protocol: /^https?$/ }),
    secret: z.string().startsWith('whsec_').optional(),
    timeoutMs: z.number().int().positive().optional(),
    maxAttempts: z.number().int().positive().optional(),
    deadLetterDir: z.string().min(1).optional(),
  }),
  z.object({ type: z.literal('postgres'), url: z.string().regex(/^postgres(ql)?:\/\//) }),
  z.object({
    type: z.literal('s3'),
    bucket: z.string().min(3),
    prefix: z.string().optional(),
    region: z.string().min(1).optional(),
    endpoint: z.url({ protocol: /^https?$/ }).optional(),
    forcePathStyle: z.boolean().optional(),
    partSizeBytes: z
      .number()
      .int()
      .min(5 * 1024 * 1024)
      .optional(),
  }),
]);
export type SinkConfig = z.infer<typeof SinkConfig>;

export interface SinkEnv {
  /** Where undeliverable webhooks are kept when the spec does not say. */
  deadLetterDir?: string;
  env?: NodeJS.ProcessEnv;
  /** Webhooks on plain http:// to hosts other than loopback (--allow-insecure-webhook). */
  allowInsecureWebhook?: boolean;
}

/** Parses a spec string into a config object; throws CONFIG_INVALID naming what is wrong (never echoing secrets). */
export function parseSinkSpec(spec: string): SinkConfig {
  if (spec.startsWith('fs:')) return { type: 'fs', root: spec.slice(3) };
  if (spec.startsWith('webhook:'))
    return SinkConfig.parse({ type: 'webhook', url: spec.slice('webhook:'.length) });
  if (spec.startsWith('postgres://') || spec.startsWith('postgresql://')) {
    postgresSinkName(spec); // validates: a database named, no password
    return { type: 'postgres', url: spec };
  }
  if (spec.startsWith('s3://')) {
    let u: URL;
    try {
      u = new URL(spec);
    } catch {
      throw new GtError('CONFIG_INVALID', 'S3 sink spec is not a valid URL (s3://bucket/prefix?region=…)');
    }
    const q = u.searchParams;
    const known = new Set(['endpoint', 'region', 'forcePathStyle', 'partSizeMiB']);
    for (const key of q.keys())
      if (!known.has(key)) throw new GtError('CONFIG_INVALID', `S3 sink spec: unknown option '${key}'`);
    const fps = q.get('forcePathStyle');
    if (fps !== null && fps !== 'true' && fps !== 'false')
      throw new GtError('CONFIG_INVALID', 'S3 sink spec: forcePathStyle must be true or false');
    const partMiB = q.get('partSizeMiB');
    return SinkConfig.parse({
      type: 's3',
      bucket: u.hostname,
      prefix: decodeURIComponent(u.pathname.replace(/^\/+/, '')),
      ...(q.get('region') ? { region: q.get('region') } : {}),
      ...(q.get('endpoint') ? { endpoint: q.get('endpoint') } : {}),
      ...(fps !== null ? { forcePathStyle: fps === 'true' } : {}),
      ...(partMiB !== null ? { partSizeBytes: Number(partMiB) * 1024 * 1024 } : {}),
    });
  }
  // Only the scheme is quoted: the rest of a spec may hold a token or a password.
  const scheme = /^[a-z][a-z0-9+.-]{0,19}:/i.exec(spec)?.[0];
  throw new GtError(
    'CONFIG_INVALID',
    `sink spec ${scheme ? `"${scheme}…"` : 'without a type'} (--sink): unknown sink type; expected 'fs:PATH', 'webhook:https://…', 's3://bucket/prefix?…' or 'postgres://user@host:5432/database'`,
  );
}

export function createSink(spec: string | object, sinkEnv: SinkEnv = {}): Sink {
  const env = sinkEnv.env ?? process.env;
  let config: SinkConfig;
  try {
    config = typeof spec === 'string' ? parseSinkSpec(spec) : SinkConfig.parse(spec);
  } catch (err) {
    if (err instanceof GtError) throw err;
    const issues =
      err instanceof z.ZodError
        ? err.issues.map((i) => `${i.path.join('.') || 'spec'}: ${i.message}`).join('; ')
        : String(err);
    throw new GtError('CONFIG_INVALID', `invalid sink: ${issues}`);
  }
  switch (config.type) {
    case 'fs':
      return createFsSink({ root: config.root });
    case 'postgres':
      postgresSinkName(config.url);
      return createPostgresSink({ url: config.url });
    case 'webhook': {
      const secret = config.secret ?? env.GT_WEBHOOK_SECRET;
      if (!secret)
        throw new GtError(
          'CONFIG_INVALID',
          'webhook sink needs a signing secret: set GT_WEBHOOK_SECRET (whsec_…)',
        );
      return createWebhookSink({
        url: config.url,
        secret,
        deadLetterDir: config.deadLetterDir ?? sinkEnv.deadLetterDir ?? DEFAULT_DEAD_LETTER_DIR,
        ...(sinkEnv.allowInsecureWebhook ? { allowInsecure: true } : {}),
        ...(config.timeoutMs ? { timeoutMs: config.timeoutMs } : {}),
        ...(config.maxAttempts ? { maxAttempts: config.maxAttempts } : {}),
      });
    }
    case 's3': {
      const region = config.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
      if (!region) throw new GtError('CONFIG_INVALID', 'S3 sink needs a region: ?region=… or AWS_REGION');
      const options: S3SinkOptions = {
        bucket: config.bucket,
        region,
        ...(config.prefix ? { prefix: config.prefix } : {}),
        ...(config.endpoint ? { endpoint: config.endpoint } : {}),
        ...(config.forcePathStyle !== undefined ? { forcePathStyle: config.forcePathStyle } : {}),
        ...(config.partSizeBytes ? { partSizeBytes: config.partSizeBytes } : {}),
      };
      // Explicit keys when set; otherwise the SDK's default chain (profiles, instance roles …).
      if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
        options.credentials = {
          accessKeyId: env.AWS_ACCESS_KEY_ID,
          secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
          ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
        };
      }
      return createS3Sink(options);
    }
  }
}
