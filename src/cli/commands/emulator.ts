// `genesys-transcripts emulator`: runs the local Genesys Cloud emulator. Prints one JSON line with
// where to reach it ({baseUrl, loginUrl, clientId, clientSecret, interval, statsUrl}), then serves
// until SIGTERM/SIGINT and closes cleanly (exit 0).
import { InvalidArgumentError, type Command } from 'commander';
import { parseInterval } from '../../emulator/options.ts';
import type { EmulatorVariants } from '../../emulator/types.ts';
import { variantSpec } from './shared-options.ts';

function integer(name: string, min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min)
      throw new InvalidArgumentError(`${name} must be an integer >= ${min}`);
    return n;
  };
}

function interval(value: string): string {
  if (!parseInterval(value))
    throw new InvalidArgumentError(
      'expected ISO-8601 start/end, e.g. 2026-11-01T00:00:00Z/2026-11-08T00:00:00Z',
    );
  return value;
}

export function registerEmulatorCommand(program: Command): void {
  program
    .command('emulator')
    .description('Run a local Genesys Cloud emulator (real API paths and shapes, deterministic data)')
    .option('--port <n>', 'port to listen on (0 = any free port)', integer('--port', 0), 0)
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--seed <n>', 'dataset seed (same seed, same data)', integer('--seed', 0), 1)
    .option('--conversations <n>', 'number of conversations', integer('--conversations', 0), 200)
    .option(
      '--interval <start/end>',
      'ISO-8601 interval the dataset covers (default: the 7 full UTC days before today)',
      interval,
    )
    .option(
      '--rate-limit <n>',
      'API requests per minute per OAuth client (0 = no limit)',
      integer('--rate-limit', 0),
      300,
    )
    .option(
      '--faults <spec>',
      "random faults, e.g. '5xx=0.03,503=0.02,reset=0.02,truncate=0.02,slow=0.01,expire=0.01'",
    )
    .option('--token-ttl <seconds>', 'access token lifetime', integer('--token-ttl', 1), 86400)
    .option('--no-range', 'serve media without Range support')
    .option(
      '--data-lag <minutes>',
      'how far the analytics data lake (async jobs) lags behind the clock',
      integer('--data-lag', 0),
      180,
    )
    .option(
      '--variant <spec>',
      'behaviours the public material leaves open, e.g. mediaUri=signed,mediaUris=perChannel,transcriptUrl=withoutUrl,chatBodyType=lower',
      variantSpec,
    )
    .action(
      async (flags: {
        port: number;
        host: string;
        seed: number;
        conversations: number;
        interval?: string;
        rateLimit: number;
        faults?: string;
        tokenTtl: number;
        range: boolean;
        variant?: Partial<EmulatorVariants>;
        dataLag: number;
      }) => {
        const { startEmulator } = await import('../../emulator/index.ts');
        const emu = await startEmulator({
          port: flags.port,
          host: flags.host,
          seed: flags.seed,
          ...(flags.interval !== undefined ? { interval: flags.interval } : {}),
          conversations: flags.conversations,
          rateLimit: flags.rateLimit === 0 ? null : { perWindow: flags.rateLimit, windowMs: 60_000 },
          tokenTtlSeconds: flags.tokenTtl,
          rangeSupport: flags.range,
          dataLagMs: flags.dataLag * 60_000,
          ...(flags.variant ? { variants: flags.variant } : {}),
          ...(flags.faults !== undefined ? { faults: flags.faults } : {}),
        });
        // The handlers go in before the JSON line: the line tells a supervisor the emulator is
        // ready, and a SIGTERM sent the instant it reads it must close cleanly, not kill (the
        // default action, which is what a signal arriving before process.on would get).
        const stopped = new Promise<void>((resolve) => {
          const stop = () => {
            process.off('SIGTERM', stop);
            process.off('SIGINT', stop);
            resolve();
          };
          process.on('SIGTERM', stop);
          process.on('SIGINT', stop);
        });
        const { baseUrl, loginUrl, clientId, clientSecret, interval, variants, statsUrl } = emu;
        process.stdout.write(
          `${JSON.stringify({ baseUrl, loginUrl, clientId, clientSecret, interval, variants, statsUrl })}\n`,
        );
        await stopped;
        await emu.close();
      },
    );
}
