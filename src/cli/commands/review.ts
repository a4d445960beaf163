// `genesys-transcripts review DIR`: rebuilds the review pages (DIR/index.html, DIR/review/) and the
// search index from the conversation folders in DIR. Exports keep them up to date on their own;
// this is for folders exported with --no-review, by an older version, or copied together.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { GtError } from '../../errors.ts';
import { readExport } from '../../review/read.ts';
import { ReviewSite } from '../../review/site.ts';

export function registerReviewCommand(program: Command): void {
  program
    .command('review')
    .description('Rebuild the review pages (index.html) and the search index of an export folder')
    .argument('<dir>', 'the export folder (what --out was)')
    .action(async (dir: string) => {
      const root = resolve(dir);
      if (!existsSync(root))
        throw new GtError(
          'USAGE',
          `review: ${dir} does not exist: give the export folder (--out of the export)`,
        );
      const site = new ReviewSite(root);
      try {
        const n = await site.rebuild(readExport(root));
        process.stdout.write(`${n} conversations; open ${join(root, 'index.html')}\n`);
      } finally {
        site.close();
      }
    });
}
