// `npm run build` (and `prepack`): compiles src/ to dist/ (JavaScript, .d.ts, source maps) for the
// published package, and writes dist/config.schema.json. Development never needs it: Node 24 runs
// the .ts sources directly, and bin/genesys-transcripts.js prefers them when they are there.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configFileJsonSchema } from '../src/config/json-schema.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');

rmSync(dist, { recursive: true, force: true }); // nothing stale from an older build ships
execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
  cwd: root,
  stdio: 'inherit',
});

// tsc rewrites `./x.ts` to `./x.js` in the JavaScript it emits but not in declaration files, and a
// consumer's TypeScript refuses `.ts` specifiers without allowImportingTsExtensions.
const tsSpecifier = /((?:from|import)\s*\(?\s*['"]\.{1,2}\/[^'"]*?)\.ts(['"])/g;
for (const entry of readdirSync(dist, { recursive: true, encoding: 'utf8' })) {
  if (!entry.endsWith('.d.ts')) continue;
  const file = join(dist, entry);
  const text = readFileSync(file, 'utf8');
  const fixed = text.replace(tsSpecifier, '$1.js$2');
  if (fixed !== text) writeFileSync(file, fixed);
}

writeFileSync(join(dist, 'config.schema.json'), `${JSON.stringify(configFileJsonSchema(), null, 2)}\n`);
