#!/usr/bin/env node
// Entry point for `npx genesys-transcripts`. The source is TypeScript run through Node's built-in
// type stripping (Node >= 22.18), so there is no build step between `npm ci` and a working CLI.
import { main } from '../src/cli/main.ts';

process.exitCode = await main(process.argv.slice(2));
