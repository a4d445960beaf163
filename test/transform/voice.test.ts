import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normaliseVoiceTranscript } from '../../src/pipeline/transform/voice.ts';
import { renderTranscript, OUTPUT_FORMATS } from '../../src/pipeline/transform/formats/index.ts';
import { mergeTurns } from '../../src/pipeline/transform/turns.ts';
import { MAX_SEGMENT_CHARS } from '../../src/pipeline/transform/text.ts';
import type { TransformWarnings } from '../../src/pipeline/transform/warnings.ts';
import { isGtError } from '../../src/errors.ts';
import { conversation, fixture, iso, staFile } from './helpers.ts';

// The real Genesys sample (trailing comma removed) and a conversation built around its timeline.
const sample = fixture<Record<string, unknown>>('genesys-voice-sample.json');
const SAMPLE_START = 1610679598066;
const AGENT_USER = '6ade8ef8-bbc5-4f05-9ad5-31be015fda25';
const sampleConversation = conversation('12345abc-1234-123a-5678-abc123xyz', 1610679597052, 1610679650389, [
  {
    id: 'p-customer',
    purpose: 'customer',
    name: 'Jane Doe',
    segments: [['interact', 1610679597477, 1610679650389]],
  },
  {
    id: 'p-ivr',
    purpose: 'ivr',
    name: 'Main IVR',
    flowName: 'Main Menu',
    segments: [['interact', 1610679597375, 1610679608178]],
  },
  { id: 'p-acd', purpose: 'acd', name: 'Billing', segments: [['interact', 1610679608191, 1610679608500]] },
  {
    id: 'p-agent',
    purpose: 'agent',
    name: 'Alice Smith',
    userId: AGENT_USER,
    segments: [
      ['alert', 1610679608191, 1610679608500],
      ['interact', 1610679608500, 1610679650388],
      ['wrapup', 1610679650388, 1610679660000],
    ],
  },
]);

test('the real Genesys sample normalises with offsets from startTime and aligned speakers', () => {
  const t = normaliseVoiceTranscript(sample, sampleConversation);
  assert.equal(t.schemaVersion, 1);
  assert.equal(t.mediaType, 'voice');
  assert.equal(t.source, 'speech-text-analytics');
  assert.equal(t.language, 'en-US');
  assert.equal(t.communicationId, '12345abc-1234-123a-5678-abc123xyz');
  assert.equal(t.startedAt, iso(SAMPLE_START));
  assert.deepEqual(t.redaction, { applied: false, counts: {}, spans: [] });
  assert.deepEqual(
    t.segments.map((s) => [s.index, s.startMs, s.endMs, s.speaker.role, s.text]),
    [
      [0, 1610679608966 - SAMPLE_START, 1610679608966 + 3600 - SAMPLE_START, 'agent', 'hello Jane Doe'],
      [1, 1610679614466 - SAMPLE_START, 1610679614466 + 900 - SAMPLE_START, 'agent', 'how are you'],
      [
        2,
        1610679614866 - SAMPLE_START,
        1610679614866 + 2000 - SAMPLE_START,
        'customer',
        "i'm fine how about you",
      ],
      [3, 1610679615766 - SAMPLE_START, 1610679615766 + 600 - SAMPLE_START, 'agent', 'okay'],
      [4, 1610679647566 - SAMPLE_START, 1610679647566 + 1400 - SAMPLE_START, 'agent', 'thank you goodbye'],
    ],
  );
  assert.deepEqual(t.segments[0]!.speaker, {
    role: 'agent',
    participantId: 'p-agent',
    userId: AGENT_USER,
    name: 'Alice Smith',
  });
  // Customers are aligned but never named.
  assert.deepEqual(t.segments[2]!.speaker, { role: 'customer', participantId: 'p-customer' });
  const firstWord = t.segments[0]!.words![0]!;
  assert.deepEqual(firstWord, {
    text: 'hello',
    startMs: 1610679609256 - SAMPLE_START,
    endMs: 1610679609256 + 1000 - SAMPLE_START,
    confidence: 0.69,
  });
  // Phrase confidence is absent in the sample: the words' mean stands in.
  assert.equal(t.segments[0]!.confidence, Math.round(((0.69 + 0.7 + 0.78) / 3) * 1000) / 1000);
  assert.ok(t.durationMs >= t.segments.at(-1)!.endMs);
});

test('no ANI/DNIS and no customer name reach any output format', () => {
  const t = mergeTurns(normaliseVoiceTranscript(sample, sampleConversation));
  for (const format of OUTPUT_FORMATS) {
    const out = renderTranscript(t, format);
    for (const pii of ['163288406444', '18443572040', '15550001111', '18005550199', 'tel:', 'ani', 'dnis']) {
      assert.ok(!out.toLowerCase().includes(pii), `${format} output contains ${pii}`);
    }
    // "Jane Doe" is spoken by the agent (redaction's job), but never a speaker label.
    assert.ok(!/Customer Jane|<v [^>]*Jane/.test(out), `${format} names the customer`);
  }
});

test('a transferred call: each phrase goes to the agent whose interact segment holds it', () => {
  const T0 = Date.parse('2024-05-01T12:00:00.000Z');
  const s = (sec: number) => T0 + sec * 1000;
  const conv = conversation('conv-transfer', s(0), s(200), [
    { id: 'cust', purpose: 'customer', name: 'Sam Customer', segments: [['interact', s(0), s(200)]] },
    {
      id: 'agent-a',
      purpose: 'agent',
      name: 'Alice A',
      userId: 'user-a',
      segments: [
        ['alert', s(5), s(10)],
        ['interact', s(10), s(40)],
        ['hold', s(40), s(50)],
        ['interact', s(50), s(60)],
        ['wrapup', s(60), s(90)],
      ],
    },
    {
      id: 'agent-b',
      purpose: 'agent',
      name: 'Bob B',
      userId: 'user-b',
      segments: [
        ['alert', s(60), s(66)],
        ['interact', s(66), s(180)],
      ],
    },
  ]);
  const raw = staFile('conv-transfer', s(0), [
    ['internal', s(12), 2000, 'hello this is alice'],
    ['external', s(20), 3000, 'hi i need help'],
    ['internal', s(55), 2000, 'transferring you now'],
    // In the silence between the two agents: the nearest talking segment wins (B starts 2 s later).
    ['internal', s(63), 1000, 'one moment'],
    ['internal', s(70), 2000, 'bob here how can i help'],
    ['internal', s(170), 2000, 'goodbye'],
  ]);
  const t = normaliseVoiceTranscript(raw, conv);
  assert.deepEqual(
    t.segments.map((x) => x.speaker.participantId),
    ['agent-a', 'cust', 'agent-a', 'agent-b', 'agent-b', 'agent-b'],
  );
  assert.equal(t.segments[4]!.speaker.name, 'Bob B');
  assert.equal(t.segments[4]!.speaker.userId, 'user-b');
  assert.equal(t.segments[1]!.speaker.name, undefined);
});

test('IVR, bot and agent phrases are labelled by who was connected', () => {
  const T0 = Date.parse('2024-05-02T08:00:00.000Z');
  const s = (sec: number) => T0 + sec * 1000;
  const conv = conversation('conv-ivr', s(0), s(120), [
    { id: 'cust', purpose: 'customer', segments: [['interact', s(0), s(120)]] },
    { id: 'ivr', purpose: 'ivr', name: 'Inbound', flowName: 'Main Menu', segments: [['ivr', s(0), s(20)]] },
    {
      id: 'bot',
      purpose: 'botflow',
      name: 'bot',
      flowName: 'Billing Bot',
      segments: [['interact', s(20), s(40)]],
    },
    { id: 'acd', purpose: 'acd', name: 'Billing Queue', segments: [['interact', s(40), s(50)]] },
    {
      id: 'agent',
      purpose: 'agent',
      name: 'Carol C',
      userId: 'user-c',
      segments: [['interact', s(50), s(120)]],
    },
  ]);
  const raw = staFile('conv-ivr', s(0), [
    ['internal', s(2), 3000, 'welcome to acme press one for billing'],
    ['external', s(8), 1000, 'billing'],
    ['internal', s(22), 2000, 'i am the billing assistant'],
    ['internal', s(42), 2000, 'your call is important to us'],
    ['internal', s(60), 2000, 'carol speaking'],
  ]);
  const t = normaliseVoiceTranscript(raw, conv);
  assert.deepEqual(
    t.segments.map((x) => [x.speaker.role, x.speaker.name]),
    [
      ['ivr', 'Main Menu'],
      ['customer', undefined],
      ['bot', 'Billing Bot'],
      ['acd', 'Billing Queue'],
      ['agent', 'Carol C'],
    ],
  );
  const txt = renderTranscript(t, 'txt');
  assert.match(txt, /\[00:00:02\] IVR Main Menu:\nwelcome to acme/);
  assert.match(txt, /\[00:00:22\] Bot Billing Bot:\n/);
  assert.match(txt, /\[00:01:00\] Agent Carol C \(user user-c…\):\ncarol speaking/);
});

test('without analytics participants, the STA participants or the bare role are used', () => {
  const T0 = Date.parse('2024-05-03T08:00:00.000Z');
  const raw = staFile('conv-bare', T0, [
    ['internal', T0 + 1000, 1000, 'hello'],
    ['external', T0 + 3000, 1000, 'hi'],
    ['', T0 + 5000, 1000, 'who knows'],
  ]);
  const t = normaliseVoiceTranscript(raw, { conversationId: 'conv-bare' });
  assert.deepEqual(
    t.segments.map((s) => s.speaker),
    [{ role: 'agent' }, { role: 'customer' }, { role: 'unknown' }],
  );
  // The STA file's own participants (an agent window with a userId) fill in when analytics is silent.
  (raw.participants as unknown[]).push({
    participantPurpose: 'agent',
    userId: 'user-z',
    startTimeMs: T0,
    endTimeMs: T0 + 60_000,
  });
  const t2 = normaliseVoiceTranscript(raw, { conversationId: 'conv-bare' });
  assert.deepEqual(t2.segments[0]!.speaker, { role: 'agent', userId: 'user-z' });
});

test('several transcripts[] entries merge in time order; language is the dominant one', () => {
  const T0 = Date.parse('2024-05-04T08:00:00.000Z');
  const en = staFile('conv-lang', T0, [
    ['internal', T0 + 1000, 4000, 'hello how can i help'],
    ['internal', T0 + 20_000, 4000, 'let me transfer you to spanish support'],
  ]);
  const es = staFile('conv-lang', T0, [['external', T0 + 10_000, 2000, 'hola necesito ayuda']], 'es-US');
  const raw = { ...en, transcripts: [...(es.transcripts as unknown[]), ...(en.transcripts as unknown[])] };
  const t = normaliseVoiceTranscript(raw, { conversationId: 'conv-lang' });
  assert.deepEqual(
    t.segments.map((s) => [s.index, s.startMs, s.meta?.language]),
    [
      [0, 1000, undefined],
      [1, 10_000, 'es-US'],
      [2, 20_000, undefined],
    ],
  );
  assert.equal(t.language, 'en-US');
});

test('decoratedText is the segment text when present; words stay from words[]', () => {
  const T0 = Date.parse('2024-05-05T08:00:00.000Z');
  const raw = staFile('conv-dec', T0, [['internal', T0 + 1000, 3000, 'that is twelve hundred dollars']]);
  const phrase = (
    (raw.transcripts as Record<string, unknown>[])[0]!.phrases as Record<string, unknown>[]
  )[0]!;
  phrase.decoratedText = 'That is $1,200.';
  const t = normaliseVoiceTranscript(raw, { conversationId: 'conv-dec' });
  assert.equal(t.segments[0]!.text, 'That is $1,200.');
  assert.deepEqual(
    t.segments[0]!.words!.map((w) => w.text),
    ['that', 'is', 'twelve', 'hundred', 'dollars'],
  );
});

test('a malformed envelope throws INVALID_RESPONSE without echoing content', () => {
  for (const raw of [
    null,
    'a string',
    42,
    [],
    {},
    { transcripts: 'nope' },
    { transcripts: [], startTime: 'yesterday' },
  ]) {
    assert.throws(
      () => normaliseVoiceTranscript(raw, { conversationId: 'c1' }),
      (err: unknown) =>
        isGtError(err, 'INVALID_RESPONSE') &&
        !err.message.includes('yesterday') &&
        !err.message.includes('nope'),
      `input ${JSON.stringify(raw)}`,
    );
  }
  assert.throws(
    () => normaliseVoiceTranscript({ conversationId: 'other', transcripts: [] }, { conversationId: 'c1' }),
    (err: unknown) => isGtError(err, 'INVALID_RESPONSE') && /another conversation/.test(err.message),
  );
});

test('bad phrases and words are dropped and counted; text is cleaned and capped', () => {
  const T0 = Date.parse('2024-05-06T08:00:00.000Z');
  const raw = staFile('conv-hostile', T0, [
    ['internal', T0 + 1000, 1000, 'first ok'],
    ['external', T0 + 3000, 1000, 'placeholder'],
    ['internal', T0 + 5000, 1000, 'third'],
  ]);
  const phrases = (raw.transcripts as Record<string, unknown>[])[0]!.phrases as Record<string, unknown>[];
  phrases[1]!.text = 'evil\u0000 \u001b[31mred\u001b[0m\r\nline\u202Egnp.exe --> <b>bold</b>\u0007';
  phrases[2]!.text = 'x'.repeat(MAX_SEGMENT_CHARS * 50);
  (phrases[0]!.words as unknown[]).push({ word: 42, startTimeMs: 'soon' }, 'not a word');
  phrases.push({ text: 'no start time', participantPurpose: 'internal' });
  phrases.push({ text: 123, startTimeMs: T0, participantPurpose: 'internal' });
  phrases.push({ text: '\u0000\u0001  ', startTimeMs: T0 + 7000, participantPurpose: 'internal' });
  (phrases as unknown[]).push('not an object', null);
  let warnings: TransformWarnings | undefined;
  const t = normaliseVoiceTranscript(
    raw,
    { conversationId: 'conv-hostile' },
    { onWarnings: (w) => (warnings = w) },
  );
  assert.deepEqual(warnings, { droppedItems: 4, droppedWords: 2, emptyItems: 1, truncatedTexts: 1 });
  assert.equal(t.segments.length, 3);
  assert.equal(t.segments[0]!.words!.length, 2);
  const evil = t.segments[1]!.text;
  assert.equal(evil, 'evil [31mred[0m linegnp.exe --> <b>bold</b>');
  // eslint-disable-next-line no-control-regex -- looking for control characters is the point
  assert.ok(!/[\u0000-\u001f\u007f\u202e]/.test(evil));
  assert.equal(t.segments[2]!.text.length, MAX_SEGMENT_CHARS + 1);
  assert.ok(t.segments[2]!.text.endsWith('…'));

  const vtt = renderTranscript(t, 'vtt');
  assert.ok(vtt.includes('--&gt; &lt;b&gt;bold&lt;/b&gt;'));
  // Every "-->" in the file is a timing line.
  for (const line of vtt.split('\n'))
    if (line.includes('-->')) assert.match(line, /^\d{2}:\d{2}:\d{2}\.\d{3} --> \d{2}:\d{2}:\d{2}\.\d{3}$/);
  const srt = renderTranscript(t, 'srt');
  for (const line of srt.split('\n'))
    if (line.includes('-->')) assert.match(line, /^\d{2}:\d{2}:\d{2},\d{3} --> \d{2}:\d{2}:\d{2},\d{3}$/);
});

test('a phrase with hundreds of thousands of words normalises (no spread into Math.max)', () => {
  // ~8 MB of JSON, well under the 64 MB fetch cap: hostile or not, it must not overflow the stack.
  const T0 = Date.parse('2024-05-07T08:00:00.000Z');
  const words = Array.from({ length: 200_000 }, (_, i) => ({ word: 'a', startTimeMs: T0 + i }));
  const raw = {
    conversationId: 'conv-many',
    startTime: T0,
    transcripts: [{ phrases: [{ text: 'a', startTimeMs: T0, duration: { milliseconds: 10 }, words }] }],
  };
  const t = normaliseVoiceTranscript(raw, { conversationId: 'conv-many' });
  assert.equal(t.segments[0]!.words!.length, 200_000);
  // The last word ends after its phrase: the duration covers it.
  assert.equal(t.durationMs, 199_999);
});

test('times beyond the range of a Date are malformed, not a RangeError', () => {
  const T0 = Date.parse('2024-05-08T08:00:00.000Z');
  const MAX_DATE_MS = 8.64e15;
  assert.throws(
    () => normaliseVoiceTranscript({ transcripts: [], startTime: MAX_DATE_MS + 1 }, { conversationId: 'c1' }),
    (err: unknown) => isGtError(err, 'INVALID_RESPONSE'),
  );
  // A phrase out of range is dropped and counted like any malformed phrase (here it would have
  // been the time base: no startTime in the file).
  const raw = staFile('conv-far', T0, [['internal', 1e16, 1000, 'far away']]);
  delete raw.startTime;
  for (const entry of raw.transcripts as Record<string, unknown>[]) delete entry.startTime;
  let warnings: TransformWarnings | undefined;
  const t = normaliseVoiceTranscript(
    raw,
    { conversationId: 'conv-far' },
    { onWarnings: (w) => (warnings = w) },
  );
  assert.equal(warnings?.droppedItems, 1);
  assert.equal(t.segments.length, 0);
  assert.equal(t.startedAt, iso(T0));
});

test('a word that starts before its phrase and the file moves the time base: no negative times', () => {
  const T0 = Date.parse('2024-05-09T08:00:00.000Z');
  const raw = {
    conversationId: 'conv-early-word',
    startTime: T0,
    transcripts: [
      {
        phrases: [
          {
            text: 'hello there',
            startTimeMs: T0 + 1000,
            duration: { milliseconds: 1000 },
            words: [
              { word: 'hello', startTimeMs: T0 - 500, duration: { milliseconds: 300 } },
              { word: 'there', startTimeMs: T0 + 1500, duration: { milliseconds: 300 } },
            ],
          },
        ],
      },
    ],
  };
  const t = normaliseVoiceTranscript(raw, { conversationId: 'conv-early-word' });
  assert.equal(t.startedAt, iso(T0 - 500));
  const seg = t.segments[0]!;
  assert.deepEqual([seg.startMs, seg.words!.map((w) => w.startMs)], [1500, [0, 2000]]);
});
