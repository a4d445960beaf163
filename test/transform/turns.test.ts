import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeTurns } from '../../src/pipeline/transform/turns.ts';
import type { Segment, Speaker, Transcript } from '../../src/pipeline/transform/model.ts';

const alice: Speaker = { role: 'agent', participantId: 'a', userId: 'u-a', name: 'Alice' };
const bob: Speaker = { role: 'agent', participantId: 'b', userId: 'u-b', name: 'Bob' };
const customer: Speaker = { role: 'customer', participantId: 'c' };

function seg(
  index: number,
  speaker: Speaker,
  startMs: number,
  endMs: number,
  text: string,
  confidence?: number,
): Segment {
  const words = text.split(' ').map((w, i, all) => ({
    text: w,
    startMs: startMs + i * Math.floor((endMs - startMs) / all.length),
    endMs: startMs + (i + 1) * Math.floor((endMs - startMs) / all.length),
  }));
  return { index, speaker, startMs, endMs, text, words, ...(confidence !== undefined ? { confidence } : {}) };
}

function transcript(segments: Segment[], mediaType: Transcript['mediaType'] = 'voice'): Transcript {
  return {
    schemaVersion: 1,
    conversationId: 'c1',
    mediaType,
    source: 'speech-text-analytics',
    startedAt: '2024-01-01T00:00:00.000Z',
    durationMs: 60_000,
    segments,
    redaction: { applied: false, counts: {}, spans: [] },
  };
}

test('adjacent segments of the same speaker merge; words kept, confidence duration-weighted, reindexed', () => {
  const t = transcript([
    seg(0, alice, 0, 1000, 'hello there', 0.9),
    seg(1, alice, 1500, 4500, 'how can i help', 0.5),
    seg(2, customer, 5000, 6000, 'my bill'),
    seg(3, customer, 6200, 7000, 'is wrong'),
    seg(4, bob, 7500, 8000, 'bob here'),
  ]);
  const m = mergeTurns(t);
  assert.deepEqual(
    m.segments.map((s) => [s.index, s.speaker.participantId, s.startMs, s.endMs, s.text]),
    [
      [0, 'a', 0, 4500, 'hello there how can i help'],
      [1, 'c', 5000, 7000, 'my bill is wrong'],
      [2, 'b', 7500, 8000, 'bob here'],
    ],
  );
  assert.equal(m.segments[0]!.confidence, Math.round(((0.9 * 1000 + 0.5 * 3000) / 4000) * 1000) / 1000);
  assert.equal(m.segments[1]!.confidence, undefined);
  assert.deepEqual(
    m.segments[0]!.words!.map((w) => w.text),
    ['hello', 'there', 'how', 'can', 'i', 'help'],
  );
  // The input is not mutated.
  assert.equal(t.segments.length, 5);
  assert.equal(t.segments[0]!.text, 'hello there');
});

test('a long pause, a different agent or different meta splits turns; maxGapMs is honoured', () => {
  const t = transcript([
    seg(0, alice, 0, 1000, 'one'),
    seg(1, alice, 5000, 6000, 'two'),
    seg(2, bob, 6100, 7000, 'three'),
  ]);
  assert.equal(mergeTurns(t).segments.length, 3);
  assert.equal(mergeTurns(t, { maxGapMs: 4000 }).segments.length, 2);
  // Same role but another agent: never one turn.
  const sameRole = transcript([
    seg(0, { role: 'agent' }, 0, 1000, 'x'),
    seg(1, { role: 'agent', userId: 'u2' }, 1000, 2000, 'y'),
  ]);
  assert.equal(mergeTurns(sameRole).segments.length, 2);
  const withMeta = transcript([
    { ...seg(0, alice, 0, 1000, 'a'), meta: { language: 'es-US' } },
    seg(1, alice, 1000, 2000, 'b'),
  ]);
  assert.equal(mergeTurns(withMeta).segments.length, 2);
});

test('digital messages join with newlines; emails never merge', () => {
  const chat = transcript([seg(0, alice, 1000, 1000, 'hi'), seg(1, alice, 2000, 2000, 'one moment')], 'chat');
  assert.equal(mergeTurns(chat).segments[0]!.text, 'hi\none moment');
  const email = transcript(
    [seg(0, alice, 0, 0, 'first mail'), seg(1, alice, 10, 10, 'second mail')],
    'email',
  );
  assert.equal(mergeTurns(email).segments.length, 2);
});

test('redaction spans move into the merged segment coordinates', () => {
  const t = transcript([
    seg(0, customer, 0, 1000, 'my card'),
    seg(1, customer, 1000, 2000, 'is [CARD]'),
    seg(2, alice, 3000, 4000, 'thanks'),
  ]);
  t.redaction = {
    applied: true,
    counts: { CARD: 1 },
    spans: [{ segmentIndex: 1, entity: 'CARD', start: 3, end: 9, startMs: 1200, endMs: 2000 }],
  };
  const m = mergeTurns(t);
  const span = m.redaction.spans[0]!;
  assert.equal(span.segmentIndex, 0);
  assert.equal(m.segments[0]!.text.slice(span.start, span.end), '[CARD]');
  assert.deepEqual(m.redaction.counts, { CARD: 1 });
});
