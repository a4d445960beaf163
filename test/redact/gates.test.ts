// The detector skips a scan when the tokenizer's flags say nothing could start it. A gate that
// misses a start would silently skip PII, so each gate is checked against the pattern it guards
// on random text.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tokenize } from '../../src/pipeline/transform/redact/tokenize.ts';
import { F_IBAN_HEAD } from '../../src/pipeline/transform/redact/word-flags.ts';

/** Where IBAN_RE (detect.ts) can begin: two ASCII letters after a word boundary, two digits. */
const IBAN_START = /\b[A-Za-z]{2}\d{2}/g;

function randomText(seed: number, length: number): string {
  const alphabet = ['D', 'E', 'g', 'b', 'x', '1', '8', '9', '0', '_', 'é', ' ', ' ', '-', '[', ']', '.', 'ß'];
  let s = seed;
  let out = '';
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out += alphabet[(s >>> 16) % alphabet.length];
  }
  return out;
}

test('the IBAN gate flags every text where IBAN_RE can begin, and tickets like INC1799967 not', () => {
  let flagged = 0;
  for (let seed = 1; seed <= 5000; seed++) {
    const text = randomText(seed, 24);
    const canStart = IBAN_START.test(text);
    IBAN_START.lastIndex = 0;
    const gate = (tokenize(text).flags & F_IBAN_HEAD) !== 0;
    if (canStart) assert.ok(gate, `gate closed on ${JSON.stringify(text)}`);
    if (gate) flagged++;
  }
  assert.ok(flagged > 100, 'the random texts exercise the gate');
  for (const text of ['case INC1799967', 'ref12345678901234', 'x_DE89370400440532013000', '1DE8937040044'])
    assert.equal(tokenize(text).flags & F_IBAN_HEAD, 0, text);
  for (const text of ['DE89 3704', 'éDE89370400440532013000', 'iban: gb82west', '[DE89 3704 0044]'])
    assert.notEqual(tokenize(text).flags & F_IBAN_HEAD, 0, text);
});
