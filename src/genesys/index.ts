// The Genesys Cloud API client in one import: the transport, its rate limiter and retry pieces,
// the typed endpoints and conversation discovery.
export * from './transport.ts';
export { TokenManager, type TokenManagerOptions } from './auth.ts';
export { clientOfKey, type AcquireOptions, type Headers as RateLimitHeaders } from './rate-limiter.ts';
export * from './retry.ts';
export * from './discovery.ts';
export * from './endpoints/analytics.ts';
export * from './endpoints/jobs.ts';
export * from './endpoints/recordings.ts';
export * from './endpoints/batch.ts';
export * from './endpoints/transcripts.ts';
export * from './endpoints/downloads.ts';
export { isValidId, pathId } from './endpoints/ids.ts';
export type { CallOptions } from './endpoints/validate.ts';
