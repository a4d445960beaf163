// Structured logs (pino) on stderr. Secrets and PII never reach a log: callers log IDs, counts
// and codes only, and these paths are censored as a second line of defence.
import { pino, type Logger } from 'pino';

const REDACT_PATHS = [
  'clientSecret',
  '*.clientSecret',
  'secret',
  '*.secret',
  'token',
  '*.token',
  'access_token',
  '*.access_token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'text',
  '*.text',
  'ani',
  'dnis',
  '*.ani',
  '*.dnis',
];

export type { Logger };

export function createLogger(options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  return pino(
    {
      name: 'genesys-transcripts',
      level: options.level ?? process.env.GT_LOG_LEVEL ?? 'info',
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: undefined,
    },
    options.destination ?? process.stderr,
  );
}

/** A logger that drops everything: the library default, so embedding apps opt in to logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
