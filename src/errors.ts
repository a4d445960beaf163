// Every error this library throws on purpose is a GtError with a stable `code`, so callers (the
// CLI's exit codes, the pipeline's retry decisions, the audit log) branch on codes, not messages.
// Messages must never carry a secret, a token or PII: they end up in logs.

export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'USAGE'
  | 'AUTH_FAILED'
  | 'HTTP_ERROR'
  | 'RATE_LIMITED'
  | 'RETRY_BUDGET_EXHAUSTED'
  | 'NETWORK'
  | 'TIMEOUT'
  | 'INVALID_RESPONSE'
  | 'NOT_FOUND'
  | 'UNSAFE_NAME'
  | 'DOWNLOAD_FAILED'
  | 'INTEGRITY'
  | 'DISK_FULL'
  | 'CHECKPOINT'
  | 'AUDIT_TAMPERED'
  | 'SINK_FAILED'
  | 'ABORTED'
  | 'REDIS_UNAVAILABLE'
  /** A recording is still transcoding or being restored: try the conversation again later. */
  | 'NOT_READY'
  /** A check before any work failed (output/state folder, credentials, API reachability): exit 2. */
  | 'PREFLIGHT'
  /** Another export holds the state folder's lock. */
  | 'STATE_LOCKED'
  /** A download URL the policy refuses: not https, a downgrade, a private or internal address. */
  | 'URL_REFUSED'
  /** A body larger than its cap (media beyond its announced size, a token response, a secret file). */
  | 'TOO_LARGE'
  /** A body trickling in below the minimum transfer rate. */
  | 'TOO_SLOW'
  /** A conversation that did not finish within its deadline. */
  | 'DEADLINE';

export class GtError extends Error {
  readonly code: ErrorCode;
  /** Structured, non-secret context (HTTP status, Genesys contextId, route …). */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: ErrorCode,
    message: string,
    details: Record<string, unknown> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'GtError';
    this.code = code;
    this.details = details;
  }
}

export function isGtError(err: unknown, code?: ErrorCode): err is GtError {
  return err instanceof GtError && (code === undefined || err.code === code);
}

/** Failures that will hit every following conversation too: a run (or a worker) stops instead of burning through them. */
const RUN_FATAL: ReadonlySet<ErrorCode> = new Set([
  'AUTH_FAILED',
  'CONFIG_INVALID',
  'DISK_FULL',
  'CHECKPOINT',
]);

/** Fatal by code, or flagged by its source (a sink whose destination refuses every write). */
export function isRunFatal(err: unknown): err is GtError {
  return isGtError(err) && (RUN_FATAL.has(err.code) || err.details.fatal === true);
}

/** The storage is full: ENOSPC/EDQUOT from the filesystem, or SQLite's SQLITE_FULL (13). */
export function isNoSpace(err: unknown): boolean {
  const e = err as { code?: unknown; errcode?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  return (
    e.code === 'ENOSPC' ||
    e.code === 'EDQUOT' ||
    e.errcode === 13 ||
    (e.code === 'ERR_SQLITE_ERROR' && /database or disk is full/i.test(String(e.message)))
  );
}

/** A no-space error as DISK_FULL naming what could not be written; anything else unchanged. */
export function asDiskFull(err: unknown, what: string): unknown {
  if (err instanceof GtError || !isNoSpace(err)) return err;
  return new GtError('DISK_FULL', `no space left on the device holding ${what}`, {}, { cause: err });
}
