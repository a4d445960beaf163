// `genesys-transcripts search "cancel my account" --out DIR`: full-text search over an export's
// redacted transcripts. One line per hit (conversation, offset, speaker, snippet, review page),
// or --json.
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Option, type Command } from 'commander';
import { searchExport, type SearchFilters } from '../../review/search.ts';
import { printable } from '../../util/printable.ts';
import { positive } from './shared-options.ts';
import type { SetExitCode } from './index.ts';

interface SearchFlags {
  out: string;
  from?: string;
  to?: string;
  agent?: string;
  queue?: string;
  mediaType?: string;
  speaker?: 'customer' | 'agent';
  limit: number;
  json?: boolean;
}

export function registerSearchCommand(program: Command, setExitCode: SetExitCode): void {
  program
    .command('search')
    .description('Find a phrase in the redacted transcripts of an export folder')
    .argument('<phrase>', 'words to find, as a phrase (case and accents ignored)')
    .option('--out <dir>', 'the export folder', './export')
    .option('--from <iso>', 'conversations started at or after this date')
    .option('--to <iso>', 'conversations started before this date')
    .option('--agent <id-or-name>', "an agent's user ID or part of their name")
    .option('--queue <id-or-name>', 'a queue ID or part of its name')
    .addOption(new Option('--media-type <type>', 'media type').choices(['voice', 'chat', 'message', 'email']))
    .addOption(new Option('--speaker <who>', 'who said it').choices(['customer', 'agent']))
    .option('--limit <n>', 'most hits to print', positive, 1000)
    .option('--json', 'print as JSON')
    .action((phrase: string, flags: SearchFlags) => {
      const filters: SearchFilters = {
        limit: flags.limit,
        ...(flags.from ? { from: flags.from } : {}),
        ...(flags.to ? { to: flags.to } : {}),
        ...(flags.agent ? { agent: flags.agent } : {}),
        ...(flags.queue ? { queue: flags.queue } : {}),
        ...(flags.mediaType ? { mediaType: flags.mediaType } : {}),
        ...(flags.speaker ? { speaker: flags.speaker } : {}),
      };
      const hits = searchExport(flags.out, phrase, filters);
      const root = resolve(flags.out);
      if (flags.json) {
        const out = hits.map((h) => ({
          ...h,
          url: pathToFileURL(join(root, h.page.split('#')[0]!)).href + `#${h.page.split('#')[1]}`,
        }));
        process.stdout.write(`${JSON.stringify({ phrase, hits: out }, null, 2)}\n`);
      } else {
        // Transcript text and names come from outside: escaped for the terminal like every such string.
        const lines = hits.map(
          (h) =>
            `${printable(h.conversationId)}  ${h.conversationStart}  +${h.offset}  ${h.mediaType}  ${h.speaker.role}${h.speaker.name ? ` ${printable(h.speaker.name)}` : ''}\n    ${printable(h.snippet, 400)}\n    ${printable(h.page)}`,
        );
        const conversations = new Set(hits.map((h) => h.conversationId)).size;
        lines.push(`${hits.length} hit(s) in ${conversations} conversation(s)`);
        process.stdout.write(`${lines.join('\n')}\n`);
      }
      setExitCode(hits.length > 0 ? 0 : 1);
    });
}
