import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normaliseDigitalRecording } from '../../src/pipeline/transform/digital.ts';
import { renderTranscript, OUTPUT_FORMATS } from '../../src/pipeline/transform/formats/index.ts';
import { mergeTurns } from '../../src/pipeline/transform/turns.ts';
import type { TransformWarnings } from '../../src/pipeline/transform/warnings.ts';
import type { Recording } from '../../src/sdk/models.ts';
import { isGtError } from '../../src/errors.ts';
import { conversation, fixture } from './helpers.ts';

const at = (s: string) => Date.parse(s);

const chatConversation = conversation(
  'conv-chat-0001',
  at('2024-03-05T10:00:00Z'),
  at('2024-03-05T10:05:00Z'),
  [
    {
      id: 'p-cust-chat',
      purpose: 'customer',
      name: 'Jane Doe',
      sessionId: 'sess-cust-chat',
      mediaType: 'chat',
      segments: [['interact', at('2024-03-05T10:00:00Z'), at('2024-03-05T10:04:30Z')]],
    },
    {
      id: 'p-agent-chat',
      purpose: 'agent',
      name: 'Alice Smith',
      userId: 'user-alice-0001',
      sessionId: 'sess-agent-chat',
      mediaType: 'chat',
      segments: [['interact', at('2024-03-05T10:00:20Z'), at('2024-03-05T10:04:30Z')]],
    },
  ],
);

test('chat: messages become instants with aligned speakers; typing indicators are skipped', () => {
  let warnings: TransformWarnings | undefined;
  const t = normaliseDigitalRecording(fixture<Recording>('chat-recording.json'), chatConversation, {
    onWarnings: (w) => (warnings = w),
  })!;
  assert.equal(t.mediaType, 'chat');
  assert.equal(t.source, 'recording-transcript');
  assert.equal(t.recordingId, 'rec-chat-0001');
  assert.equal(t.communicationId, 'sess-cust-chat');
  assert.equal(t.startedAt, '2024-03-05T10:00:00.000Z');
  assert.equal(t.language, undefined);
  assert.equal(t.durationMs, 270_000);
  assert.deepEqual(
    t.segments.map((s) => [s.startMs, s.speaker.participantId ?? s.speaker.role, s.text]),
    [
      [5000, 'p-cust-chat', 'Hi, I was double charged on my last bill'],
      [40_000, 'p-agent-chat', 'Hello! Sorry about that, let me check.'],
      // No session ID on this one: the Genesys user identifies the agent participant.
      [42_000, 'p-agent-chat', 'Can you confirm the account email?'],
      [70_000, 'p-cust-chat', 'jane.doe@example.com'],
      [180_000, 'p-agent-chat', 'Thanks, refund issued.\nAnything else?'],
    ],
  );
  assert.ok(t.segments.every((s) => s.startMs === s.endMs));
  assert.deepEqual(t.segments[1]!.speaker, {
    role: 'agent',
    participantId: 'p-agent-chat',
    userId: 'user-alice-0001',
    name: 'Alice Smith',
  });
  assert.deepEqual(t.segments[0]!.speaker, { role: 'customer', participantId: 'p-cust-chat' });
  assert.deepEqual(warnings, { droppedItems: 0, droppedWords: 0, emptyItems: 1, truncatedTexts: 0 });

  // Chat captions show each message from its time until the next one (bounded).
  const vtt = renderTranscript(mergeTurns(t), 'vtt');
  assert.match(
    vtt,
    /00:00:40\.000 --> 00:00:47\.000\n<v Agent Alice Smith>Hello! Sorry about that, let me check.\nCan you confirm the account email\?/,
  );
  assert.match(vtt, /00:00:05\.000 --> 00:00:10\.000\n<v Customer>Hi, I was/);
});

test('messaging: bot, agent by fromUser, button responses and attachments (no URLs, no contact names)', () => {
  const conv = conversation('conv-msg-0001', at('2024-03-06T09:00:00Z'), at('2024-03-06T09:10:00Z'), [
    {
      id: 'p-cust-msg',
      purpose: 'customer',
      name: 'Jane Doe',
      mediaType: 'message',
      segments: [['interact', at('2024-03-06T09:00:00Z'), at('2024-03-06T09:10:00Z')]],
    },
    {
      id: 'p-bot-msg',
      purpose: 'botflow',
      name: 'Bot',
      flowName: 'Delivery Bot',
      mediaType: 'message',
      segments: [['interact', at('2024-03-06T09:00:00Z'), at('2024-03-06T09:00:40Z')]],
    },
    {
      id: 'p-agent-msg',
      purpose: 'agent',
      name: 'Bob Jones',
      userId: 'user-bob-0002',
      mediaType: 'message',
      segments: [['interact', at('2024-03-06T09:00:45Z'), at('2024-03-06T09:10:00Z')]],
    },
  ]);
  const t = normaliseDigitalRecording(fixture<Recording>('message-recording.json'), conv)!;
  assert.equal(t.mediaType, 'message');
  assert.deepEqual(
    t.segments.map((s) => [s.speaker.role, s.speaker.name, s.text]),
    [
      ['customer', undefined, 'I need to change my delivery address'],
      ['bot', 'Delivery Bot', 'I can help with that. Is it for order 1234?'],
      ['customer', undefined, 'No'],
      ['agent', 'Bob Jones', 'Hi, Bob here. Which order is it?'],
      ['customer', undefined, 'Here is the receipt'],
      ['agent', 'Bob Jones', 'Updated. Have a nice day!'],
    ],
  );
  assert.deepEqual(t.segments[1]!.meta, { contentType: 'QuickReply', quickReplies: 'Yes | No' });
  assert.equal(t.segments[4]!.meta?.attachments, 'receipt.png');
  assert.equal(t.segments[5]!.speaker.participantId, 'p-agent-msg');
  for (const format of ['json', 'txt', 'vtt', 'srt'] as const) {
    const out = renderTranscript(t, format);
    for (const pii of ['signed?sig', '+1555', 'Jane', 'Doe', 'ext-1'])
      assert.ok(!out.includes(pii), `${format} contains ${pii}`);
  }
});

test('email: customer recognised by address, reply attributed to the agent on the email then; captions refused', () => {
  const conv = conversation('conv-email-0001', at('2024-03-07T08:00:00Z'), at('2024-03-08T12:00:00Z'), [
    {
      id: 'p-cust-email',
      purpose: 'customer',
      name: 'Jane Doe',
      mediaType: 'email',
      address: 'Jane.Doe@example.com',
      segments: [['interact', at('2024-03-07T08:00:00Z'), at('2024-03-08T12:00:00Z')]],
    },
    {
      id: 'p-acd-email',
      purpose: 'acd',
      name: 'Support',
      mediaType: 'email',
      segments: [['interact', at('2024-03-07T08:00:00Z'), at('2024-03-07T15:00:00Z')]],
    },
    {
      id: 'p-agent-email',
      purpose: 'agent',
      name: 'Carol White',
      userId: 'user-carol',
      mediaType: 'email',
      segments: [['interact', at('2024-03-07T15:00:00Z'), at('2024-03-07T16:00:00Z')]],
    },
  ]);
  const t = mergeTurns(normaliseDigitalRecording(fixture<Recording>('email-recording.json'), conv)!);
  assert.equal(t.mediaType, 'email');
  assert.equal(t.segments.length, 2);
  assert.deepEqual(t.segments[0]!.speaker, { role: 'customer', participantId: 'p-cust-email' });
  assert.equal(t.segments[0]!.text, 'Hello,\n\nwhy is invoice 42 higher than usual?\n\nJane');
  assert.deepEqual(t.segments[0]!.meta, { subject: 'Invoice question', attachments: 'invoice-42.pdf' });
  assert.deepEqual(t.segments[1]!.speaker, {
    role: 'agent',
    participantId: 'p-agent-email',
    userId: 'user-carol',
    name: 'Carol White',
  });
  assert.equal(t.segments[1]!.text, 'Hi,\nThe price changed on 1 March & we sent a notice.\nCarol');
  const txt = renderTranscript(t, 'txt');
  assert.match(
    txt,
    /^Conversation: conv-email-0001\nMedia: email\nLanguage: unknown\nStarted: 2024-03-07T08:00:00.000Z\n/,
  );
  assert.match(txt, /\[00:00:00\] Customer:\nSubject: Invoice question\nHello,\n\nwhy is invoice 42/);
  assert.match(txt, /\[07:30:00\] Agent Carol White \(user user-car…\):\nSubject: RE: Invoice question\n/);
  assert.ok(!txt.includes('example.com') && !txt.includes('acme.example'), 'email addresses leak');
  for (const format of ['vtt', 'srt'] as const) {
    assert.throws(
      () => renderTranscript(t, format),
      (err: unknown) => isGtError(err, 'USAGE'),
    );
  }
  assert.doesNotThrow(() => renderTranscript(t, 'json'));
});

test('recordings without a transcript give undefined; hostile digital input is handled', () => {
  assert.equal(
    normaliseDigitalRecording({ id: 'r1', media: 'audio', conversationId: 'c1' }, { conversationId: 'c1' }),
    undefined,
  );
  assert.equal(
    normaliseDigitalRecording({ id: 'r1', media: 'chat', transcript: [] }, { conversationId: 'c1' }),
    undefined,
  );
  assert.throws(
    () =>
      normaliseDigitalRecording({ id: 'r1', media: 'chat', transcript: 'oops' } as unknown as Recording, {
        conversationId: 'c1',
      }),
    (err: unknown) => isGtError(err, 'INVALID_RESPONSE'),
  );
  assert.throws(
    () =>
      normaliseDigitalRecording(
        { id: 'r1', conversationId: 'c2', media: 'chat', transcript: [{ body: 'x' }] },
        { conversationId: 'c1' },
      ),
    (err: unknown) => isGtError(err, 'INVALID_RESPONSE'),
  );
  let warnings: TransformWarnings | undefined;
  const rec = {
    id: 'r2',
    media: 'chat',
    startTime: '2024-01-01T00:00:00.000Z',
    transcript: [
      {
        body: 'first\u0000\u001b]0;pwn\u0007',
        utc: '2024-01-01T00:00:10.000Z',
        participantPurpose: 'customer',
      },
      'garbage',
      null,
      { body: 'no time, keeps its place', utc: 'not a date', participantPurpose: 'agent' },
      { body: 42, utc: '2024-01-01T00:00:20.000Z' },
      { body: 'y'.repeat(100_000), utc: '2024-01-01T00:00:30.000Z', participantPurpose: 'customer' },
    ],
  } as unknown as Recording;
  const t = normaliseDigitalRecording(rec, { conversationId: 'c1' }, { onWarnings: (w) => (warnings = w) })!;
  assert.deepEqual(warnings, { droppedItems: 2, droppedWords: 0, emptyItems: 1, truncatedTexts: 1 });
  assert.deepEqual(
    t.segments.map((s) => [s.startMs, s.speaker.role, s.text.slice(0, 24)]),
    [
      [10_000, 'customer', 'first]0;pwn'],
      [10_000, 'agent', 'no time, keeps its place'],
      [30_000, 'customer', 'y'.repeat(24)],
    ],
  );
  for (const format of OUTPUT_FORMATS)
    assert.ok(
      // eslint-disable-next-line no-control-regex -- looking for control characters is the point
      !/[\u0000-\u0008\u000b-\u001f]/.test(renderTranscript(t, format)),
      `${format} has control characters`,
    );
});

test('chat bodyType follows the model enum in either case: only STANDARD is speech, joins/leaves/typing are not exported, notices are system lines', () => {
  const msg = (id: string, bodyType: string, body: string, second: number) => ({
    id,
    body,
    bodyType,
    utc: `2024-03-05T10:00:${String(second).padStart(2, '0')}.000Z`,
    senderCommunicationId: 'sess-agent-chat',
    participantPurpose: 'agent',
  });
  for (const upper of [true, false]) {
    const c = (v: string) => (upper ? v : v.toLowerCase());
    const t = normaliseDigitalRecording(
      {
        id: 'rec-chat-enum',
        conversationId: 'conv-chat-0001',
        media: 'chat',
        transcript: [
          msg('a', c('MEMBERJOIN'), 'Alice Smith joined the conversation', 21),
          msg('b', c('TYPING'), 'typing', 22),
          msg('c', c('STANDARD'), 'Hello, how can I help?', 23),
          msg('d', c('NOTICE'), 'The chat was transferred', 24),
          msg('e', c('MEMBERLEAVE'), 'Alice Smith left the conversation', 25),
        ],
      },
      chatConversation,
    )!;
    assert.deepEqual(
      t.segments.map((s) => [s.speaker.participantId ?? s.speaker.role, s.text, s.meta?.bodyType]),
      [
        ['p-agent-chat', 'Hello, how can I help?', undefined],
        ['system', 'The chat was transferred', 'NOTICE'],
      ],
      upper ? 'upper case' : 'lower case',
    );
  }
});

test('messaging: `from` is the sender session id and names the speaker', () => {
  const t = normaliseDigitalRecording(
    {
      id: 'rec-msg-from',
      conversationId: 'conv-chat-0001',
      media: 'message',
      messagingTranscript: [
        { from: 'sess-agent-chat', timestamp: '2024-03-05T10:00:30.000Z', messageText: 'Hi there' },
        { from: 'sess-cust-chat', timestamp: '2024-03-05T10:00:40.000Z', messageText: 'Hello' },
      ],
    },
    chatConversation,
  )!;
  assert.deepEqual(
    t.segments.map((s) => s.speaker.participantId),
    ['p-agent-chat', 'p-cust-chat'],
  );
});
