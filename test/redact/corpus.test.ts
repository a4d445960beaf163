import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { loadCorpus, score } from '../../src/pipeline/transform/redact/evaluate.ts';
import { redactText } from '../../src/pipeline/transform/redact/index.ts';

const CORPUS = fileURLToPath(new URL('../../bench/data/utterances.jsonl', import.meta.url));

test('labelled corpus: recall >= 0.95 and precision >= 0.9 (behaviour bar)', () => {
  const corpus = loadCorpus(CORPUS);
  assert.ok(corpus.length >= 200, `corpus has ${corpus.length} utterances`);
  const s = score(corpus, (text, locale) =>
    redactText(text, { locale }).spans.map((x) => ({ start: x.originalStart, end: x.originalEnd })),
  );
  const detail = `missed: ${JSON.stringify(s.missed.slice(0, 5))} wrong: ${JSON.stringify(s.wrong.slice(0, 5))}`;
  assert.ok(s.recall >= 0.95, `recall ${s.recall.toFixed(3)}; ${detail}`);
  assert.ok(s.precision >= 0.9, `precision ${s.precision.toFixed(3)}; ${detail}`);
});

test('scorer: a redactor that redacts nothing has zero recall, one that redacts everything has low precision', () => {
  const corpus = loadCorpus(CORPUS);
  assert.equal(score(corpus, () => []).recall, 0);
  const all = score(corpus, (text) => [{ start: 0, end: text.length }]);
  assert.equal(all.recall, 1);
  assert.ok(all.precision < 0.9, `precision ${all.precision}`);
});
