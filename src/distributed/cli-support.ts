// Flags shared by the enqueue, worker and queue-status commands (where the queue is), and the
// rate-limiter construction they share. Kept here, beside the code it configures.
import type { Command } from 'commander';
import type { Redis } from 'ioredis';
import type { GenesysConfig } from '../config/index.ts';
import { GtError, isGtError } from '../errors.ts';
import { DEFAULT_PREFIX, DEFAULT_QUEUE_NAME } from './defaults.ts';
import type { QueueLocation } from './queue.ts';
import { RedisRateLimiter } from './redis-limiter.ts';

export function addQueueOptions(cmd: Command): Command {
  return cmd
    .option(
      '--redis <url>',
      'Redis URL (or GT_REDIS_URL); a password in it is never printed',
      process.env.GT_REDIS_URL ?? 'redis://127.0.0.1:6379',
    )
    .option('--queue-name <name>', 'BullMQ queue name', DEFAULT_QUEUE_NAME)
    .option('--prefix <prefix>', 'BullMQ key prefix in Redis', DEFAULT_PREFIX);
}

export function queueLocationFromFlags(flags: Record<string, unknown>, redis: Redis): QueueLocation {
  return { redis, queueName: String(flags.queueName), prefix: String(flags.prefix) };
}

/** The shared limiter: the announced budget less the headroom, capped by --rate-limit; keys under the queue prefix. */
export function limiterFor(
  redis: Redis,
  config: GenesysConfig,
  flags: Record<string, unknown>,
): RedisRateLimiter {
  return new RedisRateLimiter(redis, {
    ceiling: config.rateLimitPerMinute,
    windowMs: typeof flags.rateWindowMs === 'number' ? flags.rateWindowMs : 60_000,
    prefix: `${String(flags.prefix)}:ratelimit`,
  });
}

/**
 * The Redis of --redis for a command, before any work: unreachable is the operator's to fix (a
 * wrong --redis/GT_REDIS_URL or Redis not running), so it is a PREFLIGHT error (exit 2) in one
 * line naming both and how to start Redis. Bounded: one attempt, 5 s at most.
 */
export async function connectQueueRedis(flags: Record<string, unknown>): Promise<Redis> {
  // Loaded here, not at the top: every command imports this file, only these three need ioredis.
  const { connectRedis, REDIS_START_HINT } = await import('./redis.ts');
  try {
    return await connectRedis(String(flags.redis));
  } catch (err) {
    if (!isGtError(err, 'REDIS_UNAVAILABLE')) throw err;
    throw new GtError(
      'PREFLIGHT',
      `--redis: cannot reach Redis at ${String(err.details.url)} (${String(err.details.reason)}); ` +
        `give --redis (or GT_REDIS_URL) the URL of a running Redis, or ${REDIS_START_HINT}`,
      {},
      { cause: err },
    );
  }
}
