// Structured logs (pino) on stderr. Secrets and PII never reach a log: callers log IDs, counts
// and codes only, and these paths are censored as a second line of defence.
import { pino, type Logger } from 'pino';
import { printable, printableDeep } from '../util/printable.ts';

/** Log lines reach a terminal: strings in them are escaped and cut (an API ID may be 70,000 characters). */
const LOG_STRING_MAX = 1000;

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
      formatters: { log: (record) => printableDeep(record, LOG_STRING_MAX) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          // The message itself (usually a constant) is held to the same rule.
          const [first, ...rest] = args;
          if (typeof first === 'string' && rest.length === 0)
            return method.apply(this, [printable(first, LOG_STRING_MAX)]);
          if (typeof rest[0] === 'string') rest[0] = printable(rest[0], LOG_STRING_MAX);
          return method.apply(this, [first, ...rest] as Parameters<typeof method>);
        },
      },
    },
    options.destination ?? process.stderr,
  );
}

/** A logger that drops everything: the library default, so embedding apps opt in to logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
