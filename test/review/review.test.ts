// The review pages in a real headless Chromium (Debian's /usr/bin/chromium driven by
// playwright-core), opened from disk after an emulator export: the table lists every conversation,
// filters and sorts, a click on a transcript line seeks the recording, redactions are marked, and
// nothing is requested from another origin. Then `search` against the same export, and
// `review DIR` rebuilding the very same pages.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DatabaseSync } from 'node:sqlite';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.ts';
import type { Manifest } from '../../src/pipeline/manifest.ts';
import { listFiles, runExport } from '../helpers/export.ts';
import { conversationSegments } from '../../src/sinks/layout.ts';

const CLI = new URL('../../bin/genesys-transcripts.js', import.meta.url).pathname;
const CHROMIUM = '/usr/bin/chromium';
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wav': 'audio/wav',
};
const ARTIFACTS = new URL('../../test-artifacts/review/', import.meta.url).pathname;

let emu: RunningEmulator;
let work: string;
let out: string;
/** Conversations delivered by the export, with their manifests. */
const delivered = new Map<string, Manifest>();

before(async () => {
  emu = await startEmulator({
    conversations: 72,
    seed: 17,
    // 64-80 s of audio: several transcript lines fall inside every recording.
    audioBytes: { min: 1024 * 1024, max: 1280 * 1024 },
    transcodeMs: 0,
    rateLimit: null,
  });
  work = await mkdtemp(join(tmpdir(), 'gt-review-'));
  out = join(work, 'out');
  const { results } = await runExport(emu, { outDir: out, stateDir: join(work, 'state') });
  for (const r of results.filter((x) => x.status === 'done')) {
    const c = emu.dataset.conversation(r.conversationId)!;
    const dir = join(
      out,
      ...conversationSegments({ conversationId: r.conversationId, conversationStart: c.conversationStart! }),
    );
    delivered.set(
      r.conversationId,
      JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest,
    );
  }
  assert.ok(delivered.size >= 60, `${delivered.size} conversations delivered`);
});

after(async () => {
  await emu?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

// What the callbacks run inside the page touch (the project compiles without the DOM library).
interface BrowserElement {
  id: string;
  className: string;
  textContent: string | null;
  dataset: Record<string, string | undefined>;
  querySelector(selector: string): BrowserElement | null;
}
interface BrowserAudio {
  duration: number;
  currentTime: number;
  readyState: number;
}
declare const document: { querySelector(selector: string): BrowserAudio };

interface SearchJson {
  hits: {
    conversationId: string;
    snippet: string;
    speaker: { role: string };
    mediaType: string;
    offsetMs: number;
    page: string;
    url: string;
  }[];
}

function cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A browser page that refuses (and records) every request not for a file:// URL. */
async function offlinePage(browser: Browser, foreign: string[]): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('request', (r) => {
    if (!r.url().startsWith('file://')) foreign.push(r.url());
  });
  await page.route('**/*', (route) =>
    route.request().url().startsWith('file://') ? route.continue() : route.abort('blockedbyclient'),
  );
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('close', () => assert.deepEqual(errors, [], 'no script errors on the page'));
  return page;
}

function pageUrl(conversationId: string): string {
  return pathToFileURL(join(out, 'review', 'c', `${conversationId}.html`)).href;
}

test(
  'the review pages in headless Chromium, from disk',
  // Skipped on a workstation without Chromium; in CI (.ci/run installs it) a missing browser fails.
  { skip: !existsSync(CHROMIUM) && !process.env.CI && `${CHROMIUM} missing (apt-get install chromium)` },
  async (t) => {
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    t.after(() => browser.close());
    const foreign: string[] = [];
    await mkdir(ARTIFACTS, { recursive: true });

    await t.test('index.html lists every conversation, filters by media type, sorts', async () => {
      const page = await offlinePage(browser, foreign);
      await page.goto(pathToFileURL(join(out, 'index.html')).href);
      const ids = await page.$$eval('#rows tr', (trs) => trs.map((tr) => (tr as BrowserElement).dataset.id!));
      assert.deepEqual([...ids].sort(), [...delivered.keys()].sort(), 'one row per delivered conversation');

      const chats = [...delivered].filter(([, m]) => m.mediaTypes.includes('chat')).map(([id]) => id);
      assert.ok(chats.length > 0 && chats.length < delivered.size);
      await page.selectOption('#f-media', 'chat');
      const shown = await page.$$eval('#rows tr', (trs) =>
        trs.map((tr) => (tr as BrowserElement).dataset.id!),
      );
      assert.deepEqual(
        [...shown].sort(),
        [...chats].sort(),
        'filtering by media type narrows the table to chats',
      );
      assert.match((await page.textContent('#count'))!, new RegExp(`^${chats.length} of ${delivered.size} `));

      await page.selectOption('#f-media', '');
      const starts = await page.$$eval('#rows tr td:first-child', (tds) => tds.map((td) => td.textContent!));
      assert.deepEqual(starts, [...starts].sort(), 'sorted by start');
      await page.click('th[data-key=start]');
      const reversed = await page.$$eval('#rows tr td:first-child', (tds) =>
        tds.map((td) => td.textContent!),
      );
      assert.deepEqual(reversed, [...starts].reverse(), 'a second click on Start reverses the order');
      await page.screenshot({ path: join(ARTIFACTS, 'index.png'), fullPage: false });
      await page.close();
    });

    await t.test('a voice page: a click on a line seeks the recording; redactions marked', async () => {
      // A call with a recording, redactions, and a line (not the first) that starts inside the
      // recording's first 64 s (the emulator's audio is at least 65 s long here).
      let id = '';
      for (const [cid, m] of delivered) {
        const json = m.files.find((f) => f.name.startsWith('transcript-') && f.name.endsWith('.json'));
        if (!m.files.some((f) => f.name.startsWith('recordings/')) || !json) continue;
        if (Object.keys(m.redaction.counts).length === 0) continue;
        const dir = join(out, ...conversationSegments(m));
        const t = JSON.parse(await readFile(join(dir, json.name), 'utf8')) as {
          segments: { startMs: number }[];
        };
        if (t.segments.some((s) => s.startMs > 1000 && s.startMs < 64_000)) {
          id = cid;
          break;
        }
      }
      assert.ok(id, 'a voice conversation with a recording, a transcript and redactions');
      const manifest = delivered.get(id)!;
      const page = await offlinePage(browser, foreign);
      await page.goto(pageUrl(id));
      await page.waitForFunction(() => document.querySelector('audio')!.readyState >= 1);
      const duration = await page.$eval('audio', (a) => (a as BrowserAudio).duration);
      const lines = await page.$$eval('[data-pair="0"] li[data-start]', (ls) =>
        ls.map((l) => ({ id: l.id, start: Number((l as BrowserElement).dataset.start) })),
      );
      // The last line that starts inside the recording, and not at 0, so the seek is visible.
      const target = lines.filter((l) => l.start > 0 && l.start / 1000 < duration - 0.5).at(-1);
      assert.ok(target, `a line inside the ${duration} s recording`);
      await page.click(`#${target.id}`);
      const now = await page.$eval('audio', (a) => (a as BrowserAudio).currentTime);
      assert.ok(
        Math.abs(now - target.start / 1000) < 0.01,
        `currentTime ${now} is the line's start ${target.start / 1000}`,
      );
      await page.waitForSelector(`#${target.id}.active`);
      assert.equal(await page.$$eval('li.active', (ls) => ls.length), 1, 'one line highlighted');

      const marks = await page.$$eval('mark.pii', (ms) =>
        ms.map((m) => ({ entity: (m as BrowserElement).dataset.entity, text: m.textContent })),
      );
      assert.ok(marks.length > 0, 'redaction markers');
      for (const m of marks) assert.equal(m.text, `[${m.entity}]`, 'each marker names its type');
      for (const entity of Object.keys(manifest.redaction.counts))
        assert.ok(
          marks.some((m) => m.entity === entity),
          `${entity} marked`,
        );
      // The manifest's hashes are at the bottom.
      const footer = (await page.textContent('footer.hashes'))!;
      for (const f of manifest.files) assert.ok(footer.includes(f.sha256), `${f.name} hash shown`);
      // Speakers: the customer's colour class is the same on every customer line.
      const classes = await page.$$eval('li[data-start]', (ls) =>
        ls.map((l) => ({
          who: l.querySelector('.who')!.textContent,
          cls: l.className.replace(/\s*active|\s*target/g, ''),
        })),
      );
      for (const c of classes.filter((x) => x.who === 'Customer')) assert.equal(c.cls, 'spk-customer');
      await page.screenshot({ path: join(ARTIFACTS, 'voice-conversation.png'), fullPage: false });
      t.diagnostic(`screenshots in ${ARTIFACTS}`);

      // A search hit's link: the line is marked and the recording is put at that moment.
      await page.goto(`${pageUrl(id)}#${target.id}`);
      await page.waitForFunction(() => document.querySelector('audio')!.readyState >= 1);
      assert.equal(await page.$eval('.target', (e) => e.id), target.id);
      await page.close();
    });

    await t.test('a chat page is a message thread', async () => {
      const [id] = [...delivered].find(
        ([, m]) => m.mediaTypes.includes('chat') && m.files.some((f) => f.name.endsWith('.json')),
      )!;
      const page = await offlinePage(browser, foreign);
      await page.goto(pageUrl(id));
      const sides = await page.$$eval('ol.thread li', (ls) => ls.map((l) => l.className));
      assert.ok(
        sides.some((c) => c.includes('side-customer')) && sides.some((c) => c.includes('side-staff')),
      );
      assert.ok((await page.$$('mark.pii')).length > 0, 'redactions marked in the thread');
      await page.screenshot({ path: join(ARTIFACTS, 'chat-conversation.png'), fullPage: false });
      await page.close();
    });

    assert.deepEqual(foreign, [], 'no request left the page for another origin');

    await t.test('the same pages from a plain static web server', async () => {
      const server = createServer((req, res) => {
        const path = join(out, decodeURIComponent(new URL(req.url!, 'http://x').pathname));
        if (!path.startsWith(out)) return void res.writeHead(403).end();
        readFile(path).then(
          (body) =>
            res
              .writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' })
              .end(body),
          () => res.writeHead(404).end(),
        );
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      t.after(() => server.close());
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const page = await browser.newPage();
      const elsewhere: string[] = [];
      page.on('request', (r) => {
        if (!r.url().startsWith(`${origin}/`)) elsewhere.push(r.url());
      });
      await page.goto(`${origin}/index.html`);
      assert.equal(await page.$$eval('#rows tr', (trs) => trs.length), delivered.size);
      await page.click('#rows tr:first-child a');
      await page.waitForSelector('footer.hashes');
      assert.deepEqual(elsewhere, [], 'nothing but the server that serves the export');
      await page.close();
    });
  },
);

test('search finds the planted phrase in exactly the conversations that hold it, never a redacted value', () => {
  const expected = [...delivered.keys()].filter((id) =>
    emu.dataset.planted(id).phrases.includes('cancel my account'),
  );
  assert.ok(expected.length >= 4, `${expected.length} conversations hold the phrase`);
  const run = (extra: string[] = []) => {
    const r = cli(['search', 'cancel my account', '--out', out, '--json', ...extra]);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    return JSON.parse(r.stdout) as SearchJson;
  };
  const { hits } = run();
  assert.deepEqual([...new Set(hits.map((h) => h.conversationId))].sort(), [...expected].sort());
  for (const h of hits) {
    assert.match(h.snippet, /«cancel my account»/i);
    assert.equal(h.speaker.role, 'customer');
    assert.match(h.page, /^review\/c\/[\w-]+\.html#t\d+-s\d+$/);
    assert.ok(h.url.startsWith('file://'));
  }
  // Never a redacted value: not in any hit, not anywhere in the index (a conversation's own
  // values: a CVV "694" may be another call's harmless number), and searching for one finds nothing.
  const stands = (text: string, value: string) =>
    new RegExp(
      `(^|[^\\p{L}\\p{N}])${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\p{L}\\p{N}])`,
      'u',
    ).test(text);
  const leaks = (lines: { conversationId: string; text: string }[]) =>
    lines.flatMap((l) =>
      emu.dataset
        .planted(l.conversationId)
        .pii.filter((p) => stands(l.text, p.text))
        .map((p) => `${l.conversationId}: ${p.entity}`),
    );
  const mine = (JSON.parse(cli(['search', 'my', '--out', out, '--json']).stdout) as SearchJson).hits;
  assert.ok(mine.length > 50, `${mine.length} lines with "my"`);
  assert.deepEqual(
    leaks(mine.map((h) => ({ conversationId: h.conversationId, text: h.snippet.replace(/[«»]/g, '') }))),
    [],
  );
  const db = new DatabaseSync(join(out, 'review', 'index.db'), { readOnly: true });
  const indexed = db
    .prepare(
      'SELECT u.conversation_id AS c, t.text AS text FROM utterance_text t JOIN utterances u ON u.id = t.rowid',
    )
    .all()
    .map((r) => ({ conversationId: String(r.c), text: String(r.text) }));
  db.close();
  assert.ok(indexed.length > 500, `${indexed.length} lines indexed`);
  assert.deepEqual(leaks(indexed), [], 'no planted value in the index');
  const planted = [...delivered.keys()].flatMap((id) => emu.dataset.planted(id).pii);
  for (const p of planted.filter((x) => x.entity === 'EMAIL' || x.entity === 'CARD').slice(0, 6)) {
    const r = cli(['search', p.text, '--out', out, '--json']);
    assert.equal(JSON.parse(r.stdout).hits.length, 0, `a ${p.entity} value is not in the index`);
    assert.equal(r.code, 1, 'no hit: exit 1');
  }

  // Filters.
  assert.equal(run(['--speaker', 'agent']).hits.length, 0, 'agents never say it');
  assert.equal(run(['--speaker', 'customer']).hits.length, hits.length);
  for (const media of ['voice', 'chat']) {
    const want = expected.filter((id) => delivered.get(id)!.mediaTypes.includes(media));
    assert.deepEqual(
      [...new Set(run(['--media-type', media]).hits.map((h) => h.conversationId))].sort(),
      want.sort(),
    );
  }
  const starts = expected.map((id) => delivered.get(id)!.conversationStart).sort();
  const mid = starts[Math.floor(starts.length / 2)]!;
  const early = run(['--to', mid]).hits.map((h) => h.conversationId);
  const late = run(['--from', mid]).hits.map((h) => h.conversationId);
  assert.equal(new Set([...early, ...late]).size, expected.length, '--from/--to split the hits');
  assert.ok(early.every((id) => delivered.get(id)!.conversationStart < mid));
  const one = delivered.get(expected[0]!)!.details!;
  const agent = one.participants.find((p) => p.role === 'agent')!;
  const byAgent = run(['--agent', agent.name!]).hits.map((h) => h.conversationId);
  assert.ok(byAgent.includes(expected[0]!));
  for (const id of byAgent)
    assert.ok(
      delivered.get(id)!.details!.participants.some((p) => p.name === agent.name),
      '--agent narrows',
    );
  const queue = one.queues[0]!;
  const byQueue = run(['--queue', queue.id]).hits.map((h) => h.conversationId);
  assert.ok(byQueue.includes(expected[0]!));
  for (const id of byQueue) assert.ok(delivered.get(id)!.details!.queues.some((q) => q.id === queue.id));
  assert.deepEqual(
    run(['--queue', queue.name!.toUpperCase()]).hits.map((h) => h.conversationId),
    byQueue,
    'a queue by (part of) its name',
  );

  // Other languages' planted phrases, accents ignored.
  const spanish = [...delivered.keys()].filter((id) =>
    emu.dataset.planted(id).phrases.includes('cancelar mi cuenta'),
  );
  const es = JSON.parse(cli(['search', 'CANCELAR mi cuenta', '--out', out, '--json']).stdout).hits as {
    conversationId: string;
  }[];
  assert.deepEqual([...new Set(es.map((h) => h.conversationId))].sort(), spanish.sort());

  // The human-readable form: conversation, offset, speaker, snippet, page.
  const text = cli(['search', 'cancel my account', '--out', out]);
  assert.equal(text.code, 0);
  assert.match(text.stdout, /\+\d\d:\d\d:\d\d {2}\w+ {2}customer\n {4}.*«cancel my account»/);
  assert.match(
    text.stdout,
    new RegExp(`${hits.length} hit\\(s\\) in ${expected.length} conversation\\(s\\)`),
  );
  // Bad input: one line, exit 2.
  const bad = cli(['search', 'x', '--out', join(work, 'nowhere')]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /no search index in .*nowhere: run 'genesys-transcripts review/);
  assert.equal(cli(['search', 'x', '--out', out, '--speaker', 'bot']).code, 2);
});

test('review DIR rebuilds the same pages and index from the conversation folders', async () => {
  const site = async () => {
    const files = (await listFiles(out)).filter((f) => {
      const rel = relative(out, f);
      return rel === 'index.html' || (rel.startsWith('review') && !rel.includes('index.db'));
    });
    return new Map(
      await Promise.all(
        files.map(
          async (f) =>
            [
              relative(out, f),
              createHash('sha256')
                .update(await readFile(f))
                .digest('hex'),
            ] as const,
        ),
      ),
    );
  };
  const before = await site();
  assert.equal(
    before.size,
    1 + delivered.size + new Set([...delivered.values()].map((m) => m.conversationStart.slice(0, 13))).size,
  );
  await rm(join(out, 'review'), { recursive: true });
  await rm(join(out, 'index.html'));
  const r = cli(['review', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^${delivered.size} conversations; open .*index\\.html`));
  assert.deepEqual(await site(), before, 'byte-identical pages');
  const again = cli(['search', 'cancel my account', '--out', out, '--json']);
  assert.equal(again.code, 0, 'the rebuilt search index answers');
  assert.equal(cli(['review', join(work, 'nowhere')]).code, 2);
});

test('a deleted conversation page is written again by the next export run', async () => {
  const [id] = [...delivered.keys()];
  const page = join(out, 'review', 'c', `${id}.html`);
  await rm(page);
  const { results } = await runExport(emu, { outDir: out, stateDir: join(work, 'state') });
  // (Not byte-compared: a skip's detail can differ between the batch and the per-conversation path.)
  assert.match(await readFile(page, 'utf8'), new RegExp(`<title>Conversation ${id}</title>`));
  const redone = results.filter((r) => r.reason !== 'already-exported').map((r) => r.conversationId);
  assert.deepEqual(redone, [id], 'only that conversation is redone');
});

test('--no-review (review: false) leaves the export folder without pages or index', async () => {
  const plain = join(work, 'plain');
  const { summary } = await runExport(emu, {
    outDir: plain,
    stateDir: join(work, 'plain-state'),
    review: false,
    media: false,
  });
  assert.equal(summary.conversations.failed, 0);
  assert.ok(!existsSync(join(plain, 'index.html')) && !existsSync(join(plain, 'review')));
  const r = cli(['search', 'cancel my account', '--out', plain]);
  assert.equal(r.code, 2, 'no index: a usage error naming the review command');
  assert.match(r.stderr, /run 'genesys-transcripts review/);
});
