// STA transcripts and the dataset behind them: signed transcript URLs, the real sample's shape,
// phrase times that agree with the analytics segments, planted PII and kept numbers, languages.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunningEmulator } from '../../src/emulator/index.ts';
import { api, json, sleep, start, token } from './helpers.ts';

const STA = '/api/v2/speechandtextanalytics/conversations';

function withTranscript(emu: RunningEmulator): { cid: string; comm: string }[] {
  const out: { cid: string; comm: string }[] = [];
  for (const cid of emu.dataset.conversationIds()) {
    const r = emu.dataset.recordings(cid)[0];
    if (r?.media === 'audio' && r.sessionId && emu.dataset.transcript(cid, r.sessionId) !== undefined)
      out.push({ cid, comm: r.sessionId });
  }
  return out;
}

interface Phrase {
  text: string;
  startTimeMs: number;
  duration: { milliseconds: number };
  participantPurpose: string;
  words: { word: string; startTimeMs: number }[];
}

test('transcripturl gives a signed link (no token needed) to the STA transcript JSON', async (t) => {
  const emu = await start(t, { conversations: 40, mediaMix: { voice: 1 } });
  const bearer = await token(emu);
  const { cid, comm } = withTranscript(emu)[0]!;
  const res = await api(emu, bearer, `${STA}/${cid}/communications/${comm}/transcripturl`);
  assert.equal(res.status, 200);
  const { url } = await json(res);
  assert.match(url, /X-Amz-Expires=600/);
  const file = await fetch(url);
  assert.equal(file.status, 200);
  const transcript = await json(file);
  assert.deepEqual(emu.dataset.transcript(cid, comm), transcript);
  for (const key of [
    'organizationId',
    'conversationId',
    'communicationId',
    'mediaType',
    'conversationStartTime',
    'startTime',
    'duration',
    'uri',
    'transcripts',
    'participants',
  ]) {
    assert.ok(key in transcript, key);
  }
  assert.equal(transcript.mediaType, 'call');
  assert.equal(transcript.communicationId, comm);
  const tr = transcript.transcripts[0];
  assert.ok(['en-US', 'es-US', 'fr-CA'].includes(tr.language));
  const p: Phrase = tr.phrases[0];
  assert.ok(p.startTimeMs > 1_700_000_000_000, 'phrase times are epoch milliseconds');
  assert.ok(['internal', 'external'].includes(p.participantPurpose));
  assert.ok(p.words.length > 0);
  assert.ok(emu.stats().bytesServed > 0);

  const urls = await json(await api(emu, bearer, `${STA}/${cid}/communications/${comm}/transcripturls`));
  assert.equal(urls.communicationId, comm);
  assert.equal(urls.conversation.id, cid);
  assert.equal(urls.urls[0].recording.id, emu.dataset.recordings(cid)[0]!.recordingId);
  assert.equal((await fetch(urls.urls[0].url)).status, 200);
});

test('no transcript (not transcribed, not recorded, unknown) is a 404 ErrorBody', async (t) => {
  const emu = await start(t, { conversations: 200 });
  const bearer = await token(emu);
  const noTranscript = emu.dataset.conversationIds().find((cid) => {
    const r = emu.dataset.recordings(cid)[0];
    return (
      r?.media === 'audio' &&
      r.fileState === 'AVAILABLE' &&
      emu.dataset.transcript(cid, r.sessionId!) === undefined
    );
  })!;
  assert.ok(noTranscript, 'the dataset has recorded calls without a transcript');
  const comm = emu.dataset.recordings(noTranscript)[0]!.sessionId!;
  for (const suffix of ['transcripturl', 'transcripturls']) {
    const res = await api(emu, bearer, `${STA}/${noTranscript}/communications/${comm}/${suffix}`);
    assert.equal(res.status, 404);
    assert.equal((await json(res)).code, 'not.found');
  }
  assert.equal(
    (
      await api(
        emu,
        bearer,
        `${STA}/${noTranscript}/communications/ffffffff-0000-4000-8000-000000000000/transcripturl`,
      )
    ).status,
    404,
  );
});

test('a transcript URL expires after signedUrlTtlSeconds', async (t) => {
  const emu = await start(t, { conversations: 30, mediaMix: { voice: 1 }, signedUrlTtlSeconds: 1 });
  const bearer = await token(emu);
  const { cid, comm } = withTranscript(emu)[0]!;
  const { url } = await json(await api(emu, bearer, `${STA}/${cid}/communications/${comm}/transcripturl`));
  assert.equal((await fetch(url)).status, 200);
  await sleep(2100);
  const expired = await fetch(url);
  assert.equal(expired.status, 403);
  assert.match(await expired.text(), /Request has expired/);
});

test("agent phrases fall inside that agent's interact segments; transfers, holds and IVR line up", async (t) => {
  const emu = await start(t, { conversations: 300, mediaMix: { voice: 1 } });
  let transfers = 0;
  let holds = 0;
  let checked = 0;
  for (const { cid, comm } of withTranscript(emu)) {
    const c = emu.dataset.conversation(cid)!;
    const tr = emu.dataset.transcript(cid, comm) as { transcripts: { phrases: Phrase[] }[] };
    const agents = c.participants!.filter((p) => p.purpose === 'agent');
    if (agents.length > 1) transfers += 1;
    const interact = agents.flatMap((a) =>
      a
        .sessions![0]!.segments!.filter((s) => s.segmentType === 'interact')
        .map((s) => [Date.parse(s.segmentStart!), Date.parse(s.segmentEnd!)] as const),
    );
    const holdSegs = agents.flatMap((a) => a.sessions![0]!.segments!.filter((s) => s.segmentType === 'hold'));
    if (holdSegs.length) holds += 1;
    const ivr = c.participants!.find((p) => p.purpose === 'ivr')?.sessions![0]!.segments![0];
    for (const p of tr.transcripts[0]!.phrases) {
      const end = p.startTimeMs + p.duration.milliseconds;
      const inInteract = interact.some(([a, b]) => p.startTimeMs >= a && end <= b);
      const inIvr =
        ivr !== undefined &&
        p.startTimeMs >= Date.parse(ivr.segmentStart!) &&
        end <= Date.parse(ivr.segmentEnd!);
      assert.ok(
        inInteract || (p.participantPurpose === 'internal' && inIvr),
        `${cid}: phrase "${p.text}" outside every interact/IVR segment`,
      );
      for (const w of p.words) assert.ok(w.startTimeMs >= p.startTimeMs && w.startTimeMs < end);
    }
    checked += 1;
  }
  assert.ok(checked > 100);
  assert.ok(transfers > 10, `${transfers} transfers`);
  assert.ok(holds > 10, `${holds} holds`);
});

test('planted PII is in the phrases, spoken and written; kept numbers too; languages and non-ASCII vary', async (t) => {
  const emu = await start(t, { conversations: 200, mediaMix: { voice: 1 } });
  const entities = new Set<string>();
  let spoken = 0;
  let written = 0;
  const languages = new Set<string>();
  let nonAscii = 0;
  let hourLong = 0;
  for (const { cid, comm } of withTranscript(emu)) {
    const tr = emu.dataset.transcript(cid, comm) as {
      transcripts: { language: string; phrases: Phrase[] }[];
    };
    const text = tr.transcripts[0]!.phrases.map((p) => p.text).join('\n');
    languages.add(tr.transcripts[0]!.language);
    if ([...text].some((ch) => ch.codePointAt(0)! > 0x7f)) nonAscii += 1;
    const c = emu.dataset.conversation(cid)!;
    if (Date.parse(c.conversationEnd!) - Date.parse(c.conversationStart!) > 3_000_000) hourLong += 1;
    const planted = emu.dataset.planted(cid);
    assert.ok(planted.pii.length >= 3);
    for (const p of planted.pii) {
      assert.ok(text.includes(p.text), `${p.entity} planted text is in the transcript`);
      assert.equal(
        text.indexOf(p.text),
        text.lastIndexOf(p.text),
        `${p.entity} "${p.text}" occurs once (no collision with another number)`,
      );
      entities.add(p.entity);
      if (p.spoken) spoken += 1;
      else written += 1;
    }
    for (const k of planted.keep) assert.ok(text.includes(k), `kept number ${k}`);
  }
  assert.deepEqual([...entities].sort(), [
    'BANK_ACCOUNT',
    'CARD',
    'CVV',
    'DOB',
    'EMAIL',
    'EXPIRY',
    'IBAN',
    'PHONE',
    'ROUTING_NUMBER',
    'SSN',
  ]);
  assert.ok(spoken > 20 && written > 20, `${spoken} spoken, ${written} written`);
  assert.deepEqual([...languages].sort(), ['en-US', 'es-US', 'fr-CA']);
  assert.ok(nonAscii > 10);
  assert.ok(hourLong >= 1, 'a few hour-long calls');
});

test('planted card numbers pass Luhn, routing numbers their ABA checksum, IBANs mod 97', async (t) => {
  const emu = await start(t, { conversations: 300 });
  const words: Record<string, string> = {
    zero: '0',
    oh: '0',
    one: '1',
    two: '2',
    three: '3',
    four: '4',
    five: '5',
    six: '6',
    seven: '7',
    eight: '8',
    nine: '9',
    cero: '0',
    uno: '1',
    dos: '2',
    tres: '3',
    cuatro: '4',
    cinco: '5',
    seis: '6',
    siete: '7',
    ocho: '8',
    nueve: '9',
    zéro: '0',
    un: '1',
    deux: '2',
    trois: '3',
    quatre: '4',
    cinq: '5',
    sept: '7',
    huit: '8',
    neuf: '9',
  };
  const digits = (text: string) => {
    // Written values may use full-width digits (NFKC folds them to ASCII).
    const parts = text.normalize('NFKC').split(/\s+/);
    let out = '';
    for (let i = 0; i < parts.length; i++) {
      if (parts[i] === 'double') out += (words[parts[++i]!] ?? '').repeat(2);
      else out += words[parts[i]!] ?? parts[i]!.replace(/\D/g, '');
    }
    return out;
  };
  const luhn = (n: string) =>
    [...n]
      .reverse()
      .reduce((s, c, i) => s + (i % 2 ? [0, 2, 4, 6, 8, 1, 3, 5, 7, 9][Number(c)]! : Number(c)), 0) %
      10 ===
    0;
  let cards = 0;
  for (const cid of emu.dataset.conversationIds()) {
    for (const p of emu.dataset.planted(cid).pii) {
      if (p.entity === 'CARD') {
        const n = digits(p.text);
        assert.ok(n.length >= 15 && luhn(n), `card ${p.spoken ? 'spoken' : 'written'} is Luhn-valid`);
        cards += 1;
      } else if (p.entity === 'ROUTING_NUMBER') {
        const n = digits(p.text);
        const w = [3, 7, 1, 3, 7, 1, 3, 7, 1];
        assert.equal([...n].reduce((s, c, i) => s + Number(c) * w[i]!, 0) % 10, 0);
      } else if (p.entity === 'IBAN') {
        const s = p.text.replace(/\s/g, '');
        const moved = (s.slice(4) + s.slice(0, 4)).replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
        assert.equal(
          [...moved].reduce((r, c) => (r * 10 + Number(c)) % 97, 0),
          1,
        );
      }
    }
  }
  assert.ok(cards > 10);
});
