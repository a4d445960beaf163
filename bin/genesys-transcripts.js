#!/usr/bin/env node
// Entry point for `npx genesys-transcripts`. Plain JavaScript that any Node can parse, so that on a
// Node older than package.json's engines floor the user reads one line saying which Node is
// needed, not a syntax error or a stack trace from deep inside.
//
// Which code runs: in a clone of the repository the TypeScript sources (src/, run by Node's type
// stripping, no build step); in an installed package, which ships no src/, the compiled dist/.
// A stale dist/ in a clone therefore never shadows the sources. Node refuses to strip types under
// node_modules, so there the sources are never used even if present.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const floor = /(\d+)\.(\d+)/.exec(pkg.engines.node);
const [major, minor] = process.versions.node.split('.').map(Number);
if (floor && (major < Number(floor[1]) || (major === Number(floor[1]) && minor < Number(floor[2])))) {
  process.stderr.write(
    `genesys-transcripts: needs Node.js ${pkg.engines.node} (this is ${process.version}); install a newer Node from https://nodejs.org\n`,
  );
  process.exit(2);
}

const sources = new URL('../src/cli/main.ts', import.meta.url);
const inNodeModules = fileURLToPath(import.meta.url)
  .split(/[\\/]/)
  .includes('node_modules');
const entry =
  !inNodeModules && existsSync(sources) ? sources : new URL('../dist/cli/main.js', import.meta.url);
const { main } = await import(entry.href);

process.exitCode = await main(process.argv.slice(2));
