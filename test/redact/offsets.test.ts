import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PiiEntity } from '../../src/pipeline/transform/model.ts';
import { redactText } from '../../src/pipeline/transform/redact/index.ts';

// Property-style: random ordinary text with PII embedded at random places. Whatever the mix, every
// reported span must point at its placeholder in the redacted text and at the PII in the original,
// and everything outside the spans must be the original text, character for character.

/** Small deterministic PRNG (mulberry32) so a failure is reproducible from its seed. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FILLER = [
  'hello',
  'thanks',
  'okay',
  'the',
  'account',
  'is',
  'fine',
  'yes',
  'please',
  'hold',
  'on',
  'let me',
  'check',
  'that',
  'for you',
  'great',
  'é café',
  '—',
  'right?',
  'sure,',
];
const PII: [PiiEntity, string][] = [
  ['CARD', '4111 1111 1111 1111'],
  ['CARD', 'five five five five five five five five five five five five four four four four'],
  ['PHONE', 'call me at 555-010-1234'],
  ['PHONE', 'phone double five five oh one oh one two three four'],
  ['EMAIL', 'john dot smith at gmail dot com'],
  ['EMAIL', 'ana.lopez@example.com'],
  ['SSN', '123-45-6789'],
  ['CVV', 'security code 737'],
  ['IBAN', 'GB82 WEST 1234 5698 7654 32'],
];

test('spans point at their placeholders and the text outside spans is unchanged (1000 random texts)', () => {
  for (let seed = 1; seed <= 1000; seed++) {
    const next = rng(seed);
    const parts: string[] = [];
    const planted: PiiEntity[] = [];
    const n = 3 + Math.floor(next() * 12);
    for (let i = 0; i < n; i++) {
      if (next() < 0.25) {
        const [entity, value] = PII[Math.floor(next() * PII.length)]!;
        planted.push(entity);
        parts.push(value, next() < 0.5 ? '.' : 'then');
      } else parts.push(FILLER[Math.floor(next() * FILLER.length)]!);
    }
    const text = parts.join(' ');
    const r = redactText(text);
    assert.equal(r.spans.length, planted.length, `seed ${seed}: ${text} -> ${r.text}`);
    assert.deepEqual(
      r.spans.map((s) => s.entity),
      planted,
      `seed ${seed}`,
    );
    let rebuilt = '';
    let cursor = 0;
    let lastEnd = 0;
    for (const s of r.spans) {
      assert.equal(r.text.slice(s.start, s.end), `[${s.entity}]`, `seed ${seed}`);
      assert.equal(
        r.text.slice(lastEnd, s.start),
        text.slice(cursor, s.originalStart),
        `seed ${seed}: text between spans`,
      );
      rebuilt += text.slice(cursor, s.originalStart) + r.text.slice(s.start, s.end);
      cursor = s.originalEnd;
      lastEnd = s.end;
    }
    rebuilt += text.slice(cursor);
    assert.equal(rebuilt, r.text, `seed ${seed}`);
    assert.equal(r.text.slice(lastEnd), text.slice(cursor));
  }
});
