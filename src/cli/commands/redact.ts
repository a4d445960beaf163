// `genesys-transcripts redact`: a filter. Reads text lines on stdin, writes one redacted line per
// input line on stdout (same count, streamed, so a large file needs constant memory); with
// --counts, prints per-entity counts as JSON on stderr at the end.
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { GtError } from '../../errors.ts';
import type { PiiEntity } from '../../pipeline/transform/model.ts';
import { ALL_PII_ENTITIES, redactText, type RedactOptions } from '../../pipeline/transform/redact/index.ts';
import { LOCALES } from '../../pipeline/transform/redact/lexicon.ts';
import type { SetExitCode } from './index.ts';
import { list } from './shared-options.ts';

function parseEntities(names: string[] | undefined): PiiEntity[] | undefined {
  if (!names) return undefined;
  const known = new Set<string>(ALL_PII_ENTITIES);
  const unknown = names.filter((n) => !known.has(n.toUpperCase()));
  if (unknown.length)
    throw new GtError(
      'USAGE',
      `--entities: unknown ${unknown.join(',')}; use some of ${ALL_PII_ENTITIES.join(',')}`,
    );
  return names.map((n) => n.toUpperCase() as PiiEntity);
}

/** Primary language subtags the redactor has words for (en, es, fr, de, pt). */
const LANGUAGES = [...new Set(LOCALES.map((l) => l.split('-')[0]!.toLowerCase()))];

/**
 * --locale as given, if the redactor knows its language: any region of en, es, fr, de, pt (e.g.
 * en-GB, es-MX). Anything else is a usage error: the redactor would silently read it as en-US,
 * missing spoken numbers of the language the user meant.
 */
export function parseLocale(tag: string): string {
  const m = /^([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*$/.exec(tag);
  if (m && LANGUAGES.includes(m[1]!.toLowerCase())) return tag;
  throw new GtError(
    'USAGE',
    `--locale: "${tag}" is not a supported locale; use one of ${LOCALES.join(', ')} ` +
      `(or another region of ${LANGUAGES.join(', ')}, e.g. en-GB)`,
  );
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
      `language of the text: ${LOCALES.join(', ')} or another region of those languages (number words of the others are used too)`,
      parseLocale,
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
