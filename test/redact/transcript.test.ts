import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Segment, SpeakerRole, Transcript, Word } from '../../src/pipeline/transform/model.ts';
import { redactText, redactTranscript } from '../../src/pipeline/transform/redact/index.ts';
import { expectKept, expectRedacted } from '../helpers/redact.ts';

/** A segment whose words are its text split on spaces, 500 ms apart, starting at `startMs`. */
function segment(
  index: number,
  role: SpeakerRole,
  text: string,
  startMs: number,
  meta?: Record<string, string>,
): Segment {
  const words: Word[] = text.split(' ').map((w, i) => ({
    text: w,
    startMs: startMs + i * 500,
    endMs: startMs + i * 500 + 400,
    confidence: 0.9,
  }));
  return {
    index,
    speaker: { role },
    startMs,
    endMs: startMs + words.length * 500,
    text,
    words,
    ...(meta ? { meta } : {}),
  };
}

function transcript(segments: Segment[]): Transcript {
  return {
    schemaVersion: 1,
    conversationId: 'c-1',
    mediaType: 'voice',
    language: 'en-US',
    source: 'speech-text-analytics',
    startedAt: '2026-11-25T10:00:00.000Z',
    durationMs: 60_000,
    segments,
    redaction: { applied: false, counts: {}, spans: [] },
  };
}

test('a card read in two phrases is found across segments; each part becomes a placeholder', () => {
  const input = transcript([
    segment(0, 'customer', 'my card is four one one one one one one one', 0),
    segment(1, 'customer', 'one one one one one one one one', 10_000),
    segment(2, 'agent', 'thank you', 20_000),
  ]);
  const out = redactTranscript(input);
  assert.equal(out.segments[0]!.text, 'my card is [CARD]');
  assert.equal(out.segments[1]!.text, '[CARD]');
  assert.equal(out.segments[2]!.text, 'thank you');
  assert.deepEqual(out.redaction.counts, { CARD: 1 });
  assert.equal(out.redaction.applied, true);
  assert.deepEqual(
    out.redaction.spans.map((s) => [s.segmentIndex, s.entity, s.start, s.end]),
    [
      [0, 'CARD', 11, 17],
      [1, 'CARD', 0, 6],
    ],
  );
  // Neither half alone would have been a card.
  assert.equal(redactText(input.segments[0]!.text).text, input.segments[0]!.text);
});

test('agent read-back: the customer number and the read-back are both redacted', () => {
  const out = redactTranscript(
    transcript([
      segment(0, 'customer', 'my phone is 555 010 1234', 0),
      segment(1, 'agent', '555 010 1234', 5_000),
      segment(2, 'customer', 'card 4111 1111 1111 1111', 10_000),
      segment(3, 'agent', '4111 1111 1111 1111 correct?', 15_000),
    ]),
  );
  assert.deepEqual(
    out.segments.map((s) => s.text),
    ['my phone is [PHONE]', '[PHONE]', 'card [CARD]', '[CARD] correct?'],
  );
  assert.deepEqual(out.redaction.counts, { PHONE: 2, CARD: 2 });
});

test('a phone and then a card in the next phrase keep their own labels (no card window across them)', () => {
  const out = redactTranscript(
    transcript([
      segment(0, 'customer', 'my number is five five five oh one oh one two three four', 0),
      segment(1, 'customer', '1 2 3 4 5 6 7 8 9', 10_000),
      segment(2, 'customer', 'five five five oh one oh one two three four', 20_000),
      segment(3, 'customer', '4111 1111 1111 1111', 30_000),
    ]),
  );
  assert.deepEqual(
    out.segments.map((s) => s.text),
    ['my number is [PHONE]', '1 2 3 4 5 6 7 8 9', '[PHONE]', '[CARD]'],
  );
});

test('a card whose second half alone looks like a phone number is still one card', () => {
  // 411111 | 1111111111: the second phrase is ten digits starting with 1 → not NANP, so use a
  // 5-series card whose tail starts with 2-9: 555555 | 5555554444.
  const out = redactTranscript(
    transcript([
      segment(0, 'customer', 'card five five five five five five', 0),
      segment(1, 'customer', '5555554444', 5_000),
    ]),
  );
  assert.deepEqual(
    out.segments.map((s) => s.text),
    ['card [CARD]', '[CARD]'],
  );
  assert.deepEqual(out.redaction.counts, { CARD: 1 });
});

test('words: first word of a span becomes the placeholder, the others empty, timings kept; span times from the words', () => {
  const input = transcript([
    segment(0, 'customer', 'call me at five five five oh one oh one two three four okay', 1_000),
  ]);
  const out = redactTranscript(input);
  const words = out.segments[0]!.words!;
  assert.deepEqual(
    words.map((w) => w.text),
    ['call', 'me', 'at', '[PHONE]', '', '', '', '', '', '', '', '', '', 'okay'],
  );
  assert.deepEqual(
    words.map((w) => [w.startMs, w.endMs]),
    input.segments[0]!.words!.map((w) => [w.startMs, w.endMs]),
  );
  const span = out.redaction.spans[0]!;
  assert.equal(span.startMs, input.segments[0]!.words![3]!.startMs);
  assert.equal(span.endMs, input.segments[0]!.words![12]!.endMs);
  assert.equal(out.segments[0]!.text.slice(span.start, span.end), '[PHONE]');
});

test('meta values are redacted, counted, and the input is not mutated', () => {
  const input = transcript([
    segment(0, 'customer', 'hello there', 0, {
      subject: 'refund for jane.doe@example.com',
      ani: 'tel:+15550101234',
    }),
  ]);
  const before = structuredClone(input);
  const out = redactTranscript(input);
  assert.deepEqual(out.segments[0]!.meta, { subject: 'refund for [EMAIL]', ani: 'tel:[PHONE]' });
  assert.deepEqual(out.redaction.counts, { EMAIL: 1, PHONE: 1 });
  assert.deepEqual(input, before);
  assert.notEqual(out.segments[0], input.segments[0]);
});

test('the real Genesys voice transcript sample keeps its ordinary text untouched', () => {
  const raw = readFileSync('/work/shared/genesys-samples/voice-transcript.json', 'utf8').replace(
    /,(\s*[\]}])/g,
    '$1',
  );
  const sample = JSON.parse(raw) as {
    transcripts: {
      phrases: {
        text: string;
        words: { word: string; startTimeMs: number; duration: { milliseconds: number } }[];
      }[];
    }[];
  };
  const phrases = sample.transcripts.flatMap((t) => t.phrases);
  assert.ok(phrases.length > 0);
  const segments: Segment[] = phrases.map((p, i) => ({
    index: i,
    speaker: { role: 'unknown' },
    startMs: 0,
    endMs: 0,
    text: p.text,
    words: p.words.map((w) => ({
      text: w.word,
      startMs: w.startTimeMs,
      endMs: w.startTimeMs + w.duration.milliseconds,
    })),
  }));
  const out = redactTranscript(transcript(segments));
  assert.deepEqual(
    out.segments.map((s) => s.text),
    phrases.map((p) => p.text),
  );
  assert.deepEqual(
    out.segments.map((s) => s.words?.map((w) => w.text)),
    phrases.map((p) => p.words.map((w) => w.word)),
  );
  assert.deepEqual(out.redaction, { applied: true, counts: {}, spans: [] });
});

test('a word the phrase text splits differently (text "0210 00021", word "021000021") is redacted with its span', () => {
  const seg = segment(0, 'customer', 'my routing number is 0210 00021 thanks', 0);
  // The speech engine's word list joins what the phrase text shows as two groups.
  seg.words = [
    ...seg.words!.slice(0, 4),
    { text: '021000021', startMs: 2000, endMs: 2900, confidence: 0.9 },
    { text: 'thanks', startMs: 3000, endMs: 3400, confidence: 0.9 },
  ];
  const out = redactTranscript(transcript([seg]));
  assert.match(out.segments[0]!.text, /^my routing number is \[[A-Z_]+\] thanks$/);
  const words = out.segments[0]!.words!.map((w) => w.text);
  assert.ok(!words.some((w) => /\d{3}/.test(w)), `no digits left in words: ${words.join(' ')}`);
  assert.equal(words[5], 'thanks');
  // A lone number that is no part of any redacted span stays (an amount, an order number).
  const keep = segment(0, 'customer', 'my order is 12 34 and my routing number is 0210 00021', 0);
  keep.words = [
    ...keep.words!.slice(0, 3),
    { text: '1234', startMs: 1500, endMs: 1900, confidence: 0.9 },
    ...keep.words!.slice(5),
  ];
  const kept = redactTranscript(transcript([keep])).segments[0]!.words!.map((w) => w.text);
  assert.ok(kept.includes('1234'), kept.join(' '));
});

test('a code finished after the agent prompt ends in a homophone ("cinq… / oui ? / neuf un."), or is nothing but homophones', () => {
  const fr = { ...transcript([]), language: 'fr-FR' };
  const out = redactTranscript({
    ...fr,
    segments: [
      segment(0, 'customer', 'le cryptogramme est cinq…', 0),
      segment(1, 'agent', 'Oui, la suite ?', 5_000),
      segment(2, 'customer', 'neuf un.', 10_000),
    ],
  });
  assert.deepEqual(
    out.segments.map((s) => s.text),
    ['le cryptogramme est [CVV]…', 'Oui, la suite ?', '[CVV].'],
  );
  const pt = redactTranscript({
    ...fr,
    language: 'pt-PT',
    segments: [
      segment(0, 'customer', 'o CVV é sete…', 0),
      segment(1, 'agent', 'E o resto?', 5_000),
      segment(2, 'customer', 'um um.', 10_000),
    ],
  });
  assert.deepEqual(
    pt.segments.map((s) => s.text),
    ['o CVV é [CVV]…', 'E o resto?', '[CVV].'],
  );
  // Without a number before it, a lone homophone stays a word.
  expectKept('oui, un.', 'fr-FR');
});

test('a date of birth before its cue, with another number after the cue, is the date', () => {
  expectRedacted(
    'Sure. 03/14/1962, that is my date of birth, I paid $1200.50 yesterday.',
    '03/14/1962',
    'DOB',
  );
  expectRedacted(
    'ich bin am 3. Mai 1971 geboren. Seit Version 4.2.1 geht nichts.',
    '3. Mai 1971',
    'DOB',
    'de-DE',
  );
  expectRedacted('mi fecha de nacimiento es 11/02/1983, gracias', '11/02/1983', 'DOB', 'es-ES');
});

test('a code split around the prompt without any cue is still redacted; misheard digits ("for", "to") inside a spoken number', () => {
  const out = redactTranscript(
    transcript([
      segment(0, 'customer', 'Yes, two zero four…', 0),
      segment(1, 'agent', 'Okay, and the rest?', 5_000),
      segment(2, 'customer', 'double one six.', 10_000),
    ]),
  );
  assert.deepEqual(
    out.segments.map((s) => s.text),
    ['Yes, [BANK_ACCOUNT]…', 'Okay, and the rest?', '[BANK_ACCOUNT].'],
  );
  expectRedacted(
    'routing number zero two one zero zero zero zero to, um, one please',
    'zero two one zero zero zero zero to, um, one',
    'ROUTING_NUMBER',
  );
  expectRedacted(
    'card for one one one one one one one one one one one one one one one thanks',
    'for one one one one one one one one one one one one one one one',
    'CARD',
  );
});

test('a code split around the prompt keeps the homophones that end or start a turn, a cut-off "double", and a turn of nothing but homophones after a cue', () => {
  const run = (language: string, texts: string[]): string[] =>
    redactTranscript({
      ...transcript([]),
      language,
      segments: texts.map((t, i) => segment(i, i % 2 ? 'agent' : 'customer', t, i * 5_000)),
    }).segments.map((s) => s.text);
  // The first part ends in a misheard "four".
  assert.deepEqual(
    run('en-US', [
      'the account number is six four one nine for…',
      'Okay, and the rest?',
      'two oh six three seven six.',
    ]),
    ['the account number is [BANK_ACCOUNT]…', 'Okay, and the rest?', '[BANK_ACCOUNT].'],
  );
  // The second part starts with a misheard "two".
  assert.deepEqual(run('en-US', ['valid through oh nine…', 'Sorry?', 'to eight.']), [
    'valid through [EXPIRY]…',
    'Sorry?',
    '[EXPIRY].',
  ]);
  // Only a zero said before the prompt.
  assert.deepEqual(run('en-US', ['the security code is oh…', 'Go on.', 'four one.']), [
    'the security code is [CVV]…',
    'Go on.',
    '[CVV].',
  ]);
  // "double" cut off by the prompt doubles the first digit after it: 512 33 34567.
  assert.deepEqual(
    run('en-US', ['you can reach me on five one two double…', 'Go ahead.', 'three four five six seven.']),
    ['you can reach me on [PHONE]…', 'Go ahead.', '[PHONE].'],
  );
  // A national number with its leading zero, no cue at all.
  assert.deepEqual(
    run('de-DE', ['null eins sieben eins zwei…', 'Bitte.', 'null drei drei vier fünf sechs.']),
    ['[PHONE]…', 'Bitte.', '[PHONE].'],
  );
  // Without a cue, a lone "oh" is an exclamation.
  assert.deepEqual(run('en-US', ['Oh…', 'Yes?', 'nine days ago.']), ['Oh…', 'Yes?', 'nine days ago.']);
});
