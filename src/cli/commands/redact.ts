// `genesys-transcripts redact`: a filter. Reads text lines on stdin, writes one redacted line per
// input line on stdout (same count, streamed, so a large file needs constant memory); with
// --counts, prints per-entity counts as JSON on stderr at the end.
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { GtError } from '../../errors.ts';
import type { PiiEntity } from '../../pipeline/transform/model.ts';
import { ALL_PII_ENTITIES, redactText, type RedactOptions } from '../../pipeline/transform/redact/index.ts';
import type { SetExitCode } from './index.ts';
import { list } from './shared-options.ts';

function parseEntities(names: string[] | undefined): PiiEntity[] | undefined {
  if (!names) return undefined;
  const known = new Set<string>(ALL_PII_ENTITIES);
  const unknown = names.filter((n) => !known.has(n.toUpperCase()));
  if (unknown.length)
    throw new GtError(
      'USAGE',
      `unknown entities: ${unknown.join(',')} (known: ${ALL_PII_ENTITIES.join(',')})`,
    );
  return names.map((n) => n.toUpperCase() as PiiEntity);
}

export async function redactStream(
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
  options: RedactOptions,
): Promise<Partial<Record<PiiEntity, number>>> {
  const counts: Partial<Record<PiiEntity, number>> = {};
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    const r = redactText(line, options);
    for (const [e, c] of Object.entries(r.counts))
      counts[e as PiiEntity] = (counts[e as PiiEntity] ?? 0) + (c ?? 0);
    if (!output.write(r.text + '\n')) await once(output, 'drain');
  }
  return counts;
}

export function registerRedactCommand(program: Command, _setExitCode: SetExitCode): void {
  program
    .command('redact')
    .description(
      'redact PII (cards, SSNs, phones, e-mails …, written or spoken) from text lines on stdin to stdout',
    )
    .option('--entities <list>', `entities to redact (default all): ${ALL_PII_ENTITIES.join(',')}`, list)
    .option(
      '--locale <tag>',
      'language of the text (number words of other known locales are used too)',
      'en-US',
    )
    .option('--counts', 'print per-entity counts as JSON on stderr at the end')
    .action(async (flags: { entities?: string[]; locale: string; counts?: boolean }) => {
      const entities = parseEntities(flags.entities);
      const counts = await redactStream(process.stdin, process.stdout, {
        locale: flags.locale,
        ...(entities ? { entities } : {}),
      });
      if (flags.counts) process.stderr.write(JSON.stringify(counts) + '\n');
    });
}
