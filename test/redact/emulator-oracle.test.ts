// Issue 5's done-when, checked against the emulator's oracle: across several seeds, every PII value
// the emulator planted in its transcripts is gone after the export's redaction, and every planted
// non-PII number (amounts, times, counts, menu choices) survives. Transcripts are fetched over
// HTTP with the product's own client and code path (recordings for digital transcripts, STA for
// voice), normalised, merged into turns and redacted exactly as src/pipeline/conversation.ts does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/index.ts';
import { startEmulator } from '../../src/emulator/index.ts';
import type { PlantedItem } from '../../src/emulator/index.ts';
import { createGenesysClient } from '../../src/genesys/transport.ts';
import { fetchConversationRecordings } from '../../src/pipeline/fetch/recordings.ts';
import { fetchVoiceTranscripts } from '../../src/pipeline/fetch/transcripts.ts';
import { normaliseDigitalRecording } from '../../src/pipeline/transform/digital.ts';
import type { Transcript } from '../../src/pipeline/transform/model.ts';
import { redactTranscript } from '../../src/pipeline/transform/redact/index.ts';
import { mergeTurns } from '../../src/pipeline/transform/turns.ts';
import { normaliseVoiceTranscript } from '../../src/pipeline/transform/voice.ts';

const SEEDS = [1, 2, 3, 4, 5];
const CONVERSATIONS = 200;
const CONCURRENCY = 16;

/** What was said or written in a transcript: segment text and word texts (joined per segment,
 * so a multi-word spoken value is still found). No IDs, timestamps or meta: nothing is planted
 * there, and the emulator's e-mail subjects carry the conversation index ("Billing question
 * #139"), which may equal a planted CVV without being it. */
function spokenText(t: Transcript): string {
  return t.segments
    .flatMap((s) => [
      s.text,
      (s.words ?? [])
        .map((w) => w.text)
        .filter(Boolean)
        .join(' '),
    ])
    .join('\n');
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `needle` occurs in `text` as whole tokens: not inside a longer number or word ("666" is not
 * found in "16669", "un un un" is not found in "un un un deux" … but is in "un un un."). Runs of
 * whitespace in the needle match any whitespace. */
export function standsIn(text: string, needle: string): boolean {
  const body = needle.trim().split(/\s+/).map(escape).join('\\s+');
  return new RegExp(`(?<![\\p{L}\\p{N}])${body}(?![\\p{L}\\p{N}])`, 'iu').test(text);
}

test('standsIn: token boundaries for digits and spoken words', () => {
  assert.equal(standsIn('code 666.', '666'), true);
  assert.equal(standsIn('at 1766669012345', '666'), false);
  assert.equal(standsIn('oh double three three', 'double three'), true);
  assert.equal(standsIn('twenty three', 'three'), true);
  assert.equal(standsIn('un un un', 'un un un'), true);
  assert.equal(standsIn('[CVV]', 'un un un'), false);
  assert.equal(standsIn('quatre-vingt', 'vingt'), true); // hyphen is a boundary: stricter, not looser
  assert.equal(standsIn('vingtaine', 'vingt'), false);
});

interface Leak {
  seed: number;
  conversationId: string;
  language: string;
  item: PlantedItem;
}

async function mapConcurrent<T>(items: readonly T[], n: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

test('emulator oracle: every planted PII value is redacted and every planted non-PII number is kept (5 seeds × 200 conversations)', async (t) => {
  const leaks: Leak[] = [];
  const destroyed: { seed: number; conversationId: string; keep: string; text: string }[] = [];
  const perEntity = new Map<string, { planted: number; leaked: number }>();
  let conversationsChecked = 0;
  let piiChecked = 0;
  let spokenChecked = 0;
  let keepChecked = 0;
  const languages = new Set<string>();

  for (const seed of SEEDS) {
    const emu = await startEmulator({ seed, conversations: CONVERSATIONS, rateLimit: null });
    t.after(() => emu.close());
    const config = loadConfig({
      flags: {
        apiUrl: emu.baseUrl,
        loginUrl: emu.loginUrl,
        clientId: emu.clientId,
        rateLimitPerMinute: 100_000,
      },
      env: { GENESYSCLOUD_OAUTHCLIENT_SECRET: emu.clientSecret },
    });
    const client = createGenesysClient(config, { connections: CONCURRENCY });
    t.after(() => client.close());

    await mapConcurrent(emu.dataset.conversationIds(), CONCURRENCY, async (id) => {
      const planted = emu.dataset.planted(id);
      if (planted.pii.length === 0 && planted.keep.length === 0) return;
      const conversation = emu.dataset.conversation(id)!;
      const media = new Set(
        (conversation.participants ?? []).flatMap((p) => (p.sessions ?? []).map((s) => s.mediaType)),
      );
      // The export's transcript steps (conversation.ts): digital transcripts come inside the
      // recordings, voice transcripts from STA; then turns are merged and the result redacted.
      const raw: Transcript[] = [];
      if ([...media].some((m) => m === 'chat' || m === 'message' || m === 'email')) {
        for (const r of await fetchConversationRecordings(client, id, {
          format: 'NONE',
          dir: '/nonexistent',
        })) {
          if (r.kind !== 'digital') continue;
          const tr = normaliseDigitalRecording(r.recording, conversation);
          if (tr) raw.push(tr);
        }
      }
      if (media.has('voice')) {
        for (const v of await fetchVoiceTranscripts(client, conversation)) {
          if (v.kind === 'found')
            raw.push(normaliseVoiceTranscript(v.raw, conversation, { communicationId: v.communicationId }));
        }
      }
      assert.ok(raw.length > 0, `conversation ${id} has planted items but no transcript was fetched`);
      const redacted = raw.map((r) => {
        const merged = mergeTurns(r);
        return redactTranscript(merged, merged.language ? { locale: merged.language } : {});
      });
      const before = raw.map(spokenText).join('\n');
      const after = redacted.map(spokenText).join('\n');
      // Digital transcripts carry no language: the export redacts them with the default locale.
      const language = raw[0]!.language ?? 'none';
      languages.add(language);
      conversationsChecked++;
      for (const item of planted.pii) {
        // The planted value really is in what the export fetched, so "gone" means "redacted".
        // (Minus the invisible characters the export's input cleaning removes from every text.)
        assert.ok(
          standsIn(before, item.text.replace(/[\u00AD\u200B]/g, '')),
          `${item.entity} planted in ${id} is not in the fetched transcript`,
        );
        piiChecked++;
        if (item.spoken) spokenChecked++;
        const e = perEntity.get(item.entity) ?? { planted: 0, leaked: 0 };
        e.planted++;
        if (standsIn(after, item.text)) {
          e.leaked++;
          leaks.push({ seed, conversationId: id, language, item });
        }
        perEntity.set(item.entity, e);
      }
      for (const keep of planted.keep) {
        assert.ok(
          standsIn(before, keep),
          `kept number "${keep}" planted in ${id} is not in the fetched transcript`,
        );
        keepChecked++;
        if (!standsIn(after, keep)) {
          const line = before.split('\n').find((l) => standsIn(l, keep)) ?? '';
          destroyed.push({ seed, conversationId: id, keep, text: line });
        }
      }
    });
  }

  const table = [...perEntity]
    .sort()
    .map(([e, c]) => `${e} ${c.planted - c.leaked}/${c.planted}`)
    .join(', ');
  t.diagnostic(
    `seeds ${SEEDS.join(',')} × ${CONVERSATIONS}: ${conversationsChecked} conversations with transcripts (${[...languages].sort().join(', ')}); ` +
      `PII planted ${piiChecked} (${spokenChecked} spoken), leaked ${leaks.length}; non-PII numbers ${keepChecked}, redacted ${destroyed.length}`,
  );
  t.diagnostic(`per entity redacted/planted: ${table}`);
  // The test is only meaningful if the oracle really covers spoken values in every language.
  assert.ok(conversationsChecked >= 400, `checked ${conversationsChecked} conversations`);
  assert.ok(spokenChecked >= 500, `checked ${spokenChecked} spoken values`);
  for (const l of ['en-US', 'es-US', 'fr-CA']) assert.ok(languages.has(l), `no ${l} transcript checked`);
  // Failures name the entity, language and shape of the value (planted test data, not real PII).
  assert.deepEqual(
    {
      leaked: leaks.map(
        (l) =>
          `${l.item.entity} ${l.language} ${l.item.spoken ? 'spoken' : 'written'} "${l.item.text}" (seed ${l.seed})`,
      ),
      keptNumbersRedacted: destroyed.map((d) => `"${d.keep}" in "${d.text}" (seed ${d.seed})`),
    },
    { leaked: [], keptNumbersRedacted: [] },
    'planted PII survived redaction, or planted non-PII numbers were redacted',
  );
});
