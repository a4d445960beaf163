// Defaults of the limits that keep a hostile network or upstream from hanging or flooding an
// export, and the capped read of a secret file. All are configurable (flags, config file).
import { closeSync, openSync, readSync } from 'node:fs';
import { GtError } from '../errors.ts';

export const NETWORK_DEFAULTS = {
  /** A 429/503 asking for a longer wait than this fails the request as RATE_LIMITED. */
  maxRetryAfterSeconds: 120,
  /** Bytes per second over a 30 s window: a trickling body fails as TOO_SLOW. */
  minTransferRate: 1024,
  minTransferWindowSeconds: 30,
  /** One media file, whatever its metadata announces: 4 GiB (an hour of stereo WAV is ~115 MB). */
  maxMediaBytes: 4 * 1024 ** 3,
} as const;

/** A client secret is tens of bytes; a secret file larger than this is refused. */
export const MAX_SECRET_FILE_BYTES = 64 * 1024;

/**
 * Reads a secret file (`-` = stdin) up to MAX_SECRET_FILE_BYTES; more is a TOO_LARGE GtError
 * (`/dev/urandom`, a log file given by mistake). Other read errors are thrown as they come.
 */
export function readSecretFileCapped(file: string, cap = MAX_SECRET_FILE_BYTES): string {
  const fd = file === '-' ? 0 : openSync(file, 'r');
  try {
    const buf = Buffer.alloc(cap + 1);
    let n = 0;
    for (;;) {
      const read = readSync(fd, buf, n, buf.length - n, null);
      if (read === 0) break;
      n += read;
      if (n > cap) throw new GtError('TOO_LARGE', `larger than ${cap} bytes: not a secret`, { cap });
    }
    return buf.toString('utf8', 0, n);
  } finally {
    if (fd !== 0) closeSync(fd);
  }
}
