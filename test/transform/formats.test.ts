import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderTranscript } from '../../src/pipeline/transform/formats/index.ts';
import { clock } from '../../src/pipeline/transform/formats/labels.ts';
import type { Transcript } from '../../src/pipeline/transform/model.ts';
import { isGtError } from '../../src/errors.ts';

function voice(): Transcript {
  return {
    schemaVersion: 1,
    conversationId: 'conv-1',
    communicationId: 'comm-1',
    mediaType: 'voice',
    language: 'en-US',
    source: 'speech-text-analytics',
    startedAt: '2024-01-01T10:00:00.000Z',
    durationMs: 3_725_000,
    // Deliberately out of order: captions must still come out in time order.
    segments: [
      {
        index: 0,
        speaker: { role: 'agent', participantId: 'p-a', userId: '12345678-aaaa', name: 'Alice <Smith>' },
        startMs: 65_000,
        endMs: 67_250,
        text: 'Tom & Jerry --> <script>',
        confidence: 0.9,
        meta: { z: '1', a: '2' },
      },
      {
        index: 1,
        speaker: { role: 'customer', participantId: 'p-c' },
        startMs: 1_500,
        endMs: 3_000,
        text: 'hello',
      },
      {
        index: 2,
        speaker: { role: 'ivr', name: 'Main Menu' },
        startMs: 3_723_004,
        endMs: 3_723_004,
        text: 'goodbye',
      },
    ],
    redaction: { applied: false, counts: {}, spans: [] },
  };
}

test('clock formats hours, minutes, seconds and milliseconds', () => {
  assert.equal(clock(0, '.'), '00:00:00.000');
  assert.equal(clock(3_723_004, '.'), '01:02:03.004');
  assert.equal(clock(3_723_004, ','), '01:02:03,004');
  assert.equal(clock(3_723_999), '01:02:03');
  assert.equal(clock(360_000_000, '.'), '100:00:00.000');
});

test('WebVTT: header, ordered cues, voice tags, escaping, no stray arrows', () => {
  const vtt = renderTranscript(voice(), 'vtt');
  assert.ok(vtt.startsWith('WEBVTT\n\n'));
  const cues = vtt.split('\n\n').slice(1).filter(Boolean);
  assert.deepEqual(
    cues.map((c) => c.split('\n')[1]),
    ['00:00:01.500 --> 00:00:03.000', '00:01:05.000 --> 00:01:07.250', '01:02:03.004 --> 01:02:08.004'],
  );
  assert.equal(
    cues[1],
    '2\n00:01:05.000 --> 00:01:07.250\n<v Agent Alice &lt;Smith&gt;>Tom &amp; Jerry --&gt; &lt;script&gt;',
  );
  assert.equal(cues[0]!.split('\n')[2], '<v Customer>hello');
  assert.equal(cues[2]!.split('\n')[2], '<v IVR Main Menu>goodbye');
  assert.equal(vtt.match(/-->/g)!.length, 3);
});

test('SRT: numbered cues with comma milliseconds, speaker prefix, tags neutralised', () => {
  const srt = renderTranscript(voice(), 'srt');
  const blocks = srt.trimEnd().split('\n\n');
  assert.equal(blocks.length, 3);
  assert.deepEqual(
    blocks.map((b) => b.split('\n').slice(0, 2)),
    [
      ['1', '00:00:01,500 --> 00:00:03,000'],
      ['2', '00:01:05,000 --> 00:01:07,250'],
      ['3', '01:02:03,004 --> 01:02:08,004'],
    ],
  );
  assert.equal(blocks[1]!.split('\n')[2], 'Agent Alice ‹Smith›: Tom & Jerry --› ‹script›');
  assert.equal(srt.match(/-->/g)!.length, 3);
});

test('text: header, one block per turn, customer unnamed, redaction note', () => {
  const t = voice();
  let txt = renderTranscript(t, 'txt');
  assert.equal(
    txt.split('\n\n')[0],
    'Conversation: conv-1\nMedia: voice\nLanguage: en-US\nStarted: 2024-01-01T10:00:00.000Z\nCommunication: comm-1\nDuration: 01:02:05',
  );
  assert.ok(txt.includes('[00:01:05] Agent Alice <Smith> (user 12345678…):\nTom & Jerry --> <script>'));
  assert.ok(txt.includes('[00:00:01] Customer:\nhello'));
  assert.ok(!txt.includes('Redaction'));
  t.redaction = { applied: true, counts: { PHONE: 1, CARD: 2 }, spans: [] };
  txt = renderTranscript(t, 'txt');
  assert.match(txt, /\nRedaction: applied; sensitive data replaced \(CARD 2, PHONE 1\)\n/);
});

test('JSON: canonical key order, pretty-printed, stable across input key order', () => {
  const a = voice();
  const json = renderTranscript(a, 'json');
  const parsed = JSON.parse(json) as Record<string, unknown>;
  assert.deepEqual(Object.keys(parsed), [
    'schemaVersion',
    'conversationId',
    'communicationId',
    'mediaType',
    'language',
    'source',
    'startedAt',
    'durationMs',
    'redaction',
    'segments',
  ]);
  assert.equal(parsed.schemaVersion, 1);
  const seg0 = (parsed.segments as Record<string, unknown>[])[0]!;
  assert.deepEqual(Object.keys(seg0), ['index', 'speaker', 'startMs', 'endMs', 'text', 'confidence', 'meta']);
  assert.deepEqual(Object.keys(seg0.meta as object), ['a', 'z']);
  assert.ok(json.includes('\n  "conversationId": "conv-1",\n'));
  // Same content, keys inserted in another order → byte-identical output.
  const b = Object.fromEntries(Object.entries(voice()).reverse()) as unknown as Transcript;
  b.segments = b.segments.map((s) => Object.fromEntries(Object.entries(s).reverse()) as unknown as typeof s);
  assert.equal(renderTranscript(b, 'json'), json);
});

test('unknown formats are a USAGE error', () => {
  assert.throws(
    () => renderTranscript(voice(), 'pdf' as 'json'),
    (err: unknown) => isGtError(err, 'USAGE'),
  );
});
