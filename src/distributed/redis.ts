// One place that turns a `redis://` URL into an ioredis client. BullMQ 6 running as native ESM
// cannot load ioredis by itself (it `require`s it lazily), so every Queue/Worker here receives a
// client we built. `maxRetriesPerRequest: null` is what BullMQ requires for workers: a blocking
// command must wait through a Redis restart instead of failing the worker.
import { Redis } from 'ioredis';
import { GtError } from '../errors.ts';

export const REDIS_START_HINT =
  "start Redis: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no";

/** The URL without a password, for messages and logs. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(invalid URL)';
  }
}

export interface ConnectRedisOptions {
  /** Give up after this long (ms) with REDIS_UNAVAILABLE: connecting, TLS and the first PING
   * together, so a port that accepts but never answers cannot hang the caller. */
  connectTimeoutMs?: number;
}

/** Connects and waits until Redis answers, or fails with REDIS_UNAVAILABLE and how to start it. */
export async function connectRedis(url: string, options: ConnectRedisOptions = {}): Promise<Redis> {
  if (!/^rediss?:\/\//.test(url))
    throw new GtError('USAGE', `--redis must be a redis:// or rediss:// URL, got ${redactRedisUrl(url)}`);
  const redis = new Redis(url, {
    maxRetriesPerRequest: null,
    lazyConnect: true,
    connectTimeout: options.connectTimeoutMs ?? 5000,
    retryStrategy: () => null,
    // disconnect() after a failed attempt: drop the socket now, not after ioredis' default 2 s
    // wait for a peer that may never answer.
    disconnectTimeout: 0,
  });
  // ioredis reports connection problems as 'error' events; without a listener they are printed
  // as "Unhandled error event". The first one is the real reason (e.g. ECONNREFUSED).
  let firstError: Error | undefined;
  redis.on('error', (err: Error) => {
    firstError ??= err;
  });
  const timeoutMs = options.connectTimeoutMs ?? 5000;
  // ioredis' connectTimeout covers the TCP connect only: a server that accepts and stays silent
  // (another service on the port, a TLS/plain mismatch) would leave connect() or PING pending
  // forever. One deadline for the whole handshake keeps the attempt bounded.
  let timer: NodeJS.Timeout | undefined;
  const attempt = (async () => {
    await redis.connect();
    await redis.ping();
  })();
  attempt.catch(() => {}); // settled after a timeout too; its rejection is not news then
  try {
    await Promise.race([
      attempt,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (err) {
    redis.disconnect();
    const why = (firstError ?? (err as Error)).message;
    throw new GtError(
      'REDIS_UNAVAILABLE',
      `cannot reach Redis at ${redactRedisUrl(url)} (${why}); ${REDIS_START_HINT}`,
      { url: redactRedisUrl(url), reason: why },
      { cause: err },
    );
  } finally {
    clearTimeout(timer);
  }
  firstError = undefined;
  // Connected: from now on reconnect after blips (a worker must survive a Redis restart).
  redis.options.retryStrategy = (times: number) => Math.min(times * 200, 5000);
  return redis;
}
