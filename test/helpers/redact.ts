// Shared by the redaction tests: a text with one value redacted as one entity, or kept as it is.
import assert from 'node:assert/strict';
import type { PiiEntity } from '../../src/pipeline/transform/model.ts';
import { redactText } from '../../src/pipeline/transform/redact/index.ts';

/** `value` (which occurs in `text`) and nothing else becomes `[ENTITY]`, counted once. */
export function expectRedacted(text: string, value: string, entity: PiiEntity, locale?: string): void {
  const at = text.indexOf(value);
  assert.ok(at >= 0, 'test bug: value not in text');
  const r = redactText(text, locale ? { locale } : {});
  const expected = text.slice(0, at) + `[${entity}]` + text.slice(at + value.length);
  assert.equal(r.text, expected, `${entity} in: ${text}`);
  assert.equal(r.counts[entity], 1);
}

/** Nothing in `text` is redacted. */
export function expectKept(text: string, locale?: string): void {
  assert.equal(redactText(text, locale ? { locale } : {}).text, text);
}
