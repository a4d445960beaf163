import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { generate, sdkIndexPath } from '../scripts/gen-sdk-models.ts';

test('src/sdk/models.ts is exactly what the installed official SDK generates', () => {
  const expected = generate(readFileSync(sdkIndexPath(), 'utf8'));
  const actual = readFileSync(new URL('../src/sdk/models.ts', import.meta.url), 'utf8');
  assert.equal(actual, expected, 'run: node scripts/gen-sdk-models.ts');
});
