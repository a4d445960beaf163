// Checks an export folder against the emulator's oracle: every conversation has a complete folder
// (manifest last, every listed file with its size and sha256, nothing else), every available
// recording is byte-identical to what the emulator holds, every transcript the emulator has is
// there in every requested format, redacted (no planted PII as a whole token in what was said,
// even once control and zero-width characters are taken out) and free of control characters.
// Shared by the fault campaign; the helpers mirror test/pipeline/export.test.ts.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { RunningEmulator } from '../../../src/emulator/index.ts';
import { safeName } from '../../../src/util/safe-name.ts';
import { listFiles } from '../../helpers/export.ts';

export type Format = 'json' | 'txt' | 'vtt' | 'srt';

export { listFiles };

/** The conversation folder in the filesystem sink's layout: YYYY/MM/DD/<safe id>. */
export function conversationDir(out: string, conversationStart: string, conversationId: string): string {
  const d = new Date(conversationStart);
  const p = (n: number) => String(n).padStart(2, '0');
  return join(
    out,
    String(d.getUTCFullYear()),
    p(d.getUTCMonth() + 1),
    p(d.getUTCDate()),
    safeName(conversationId),
  );
}

/** What was said in a transcript file: segment and word texts, without headers, timestamps, cue
 *  numbers and IDs (a planted 3-digit CVV must not "match" a cue number or a UUID group, and a
 *  kept "8:30" must not be mistaken for a timestamp). */
export function spokenText(name: string, content: string): string {
  if (name.endsWith('.json')) {
    const doc = JSON.parse(content) as { segments: { text: string; words?: { text: string }[] }[] };
    return doc.segments.flatMap((s) => [s.text, ...(s.words ?? []).map((w) => w.text)]).join('\n');
  }
  let lines = content.split('\n');
  if (name.endsWith('.txt')) {
    // The header block (conversation, media, language, start, duration …) ends at the first blank line.
    lines = lines.slice(Math.max(0, lines.indexOf('')));
    lines = lines.map((l) => l.replace(/^\[\d{2}:\d{2}:\d{2}\]\s*/, ''));
  } else {
    lines = lines.filter((l) => l !== 'WEBVTT' && !l.includes('-->') && !/^\d+$/.test(l.trim()));
  }
  return lines.join('\n').replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, ' ');
}

/** `needle` occurs in `text` as a whole token (not inside a longer number or word), ignoring case. */
let lastText = '';
let lastLower = '';

export function standsIn(text: string, needle: string): boolean {
  // The same text is checked against many needles in a row: lower-case it once.
  if (text !== lastText) {
    lastText = text;
    lastLower = text.toLowerCase();
  }
  const n = needle.toLowerCase();
  for (let i = lastLower.indexOf(n); i >= 0; i = lastLower.indexOf(n, i + 1)) {
    const before = /[\p{L}\p{N}]$/u.test(lastLower.slice(Math.max(0, i - 2), i));
    const after = /^[\p{L}\p{N}]/u.test(lastLower.slice(i + n.length, i + n.length + 2));
    if (!before && !after) return true;
  }
  return false;
}

/** Text as a reader sees it: control and format (zero-width, bidi) characters gone. */
export function visible(text: string): string {
  return text.replace(/[\p{Cc}\p{Cf}]/gu, (c) => (c === '\n' || c === '\t' ? c : ''));
}

// C0 controls but \t \n, DEL, C1 controls, bidi embeddings/overrides/isolates.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const FORBIDDEN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;

export function forbiddenCharIn(text: string): string | undefined {
  const m = FORBIDDEN.exec(text);
  return m ? `U+${m[0].codePointAt(0)!.toString(16).padStart(4, '0')} at ${m.index}` : undefined;
}

export interface VerifyOptions {
  /** Conversations that must be exported completely. */
  ids: readonly string[];
  formats: readonly Format[];
  /** Conversations that may also have a folder (e.g. activity overlapping a day boundary). */
  alsoAllowed?: ReadonlySet<string>;
}

export interface Verified {
  conversations: number;
  recordings: number;
  transcripts: number;
  files: number;
}

interface ManifestFile {
  name: string;
  size: number;
  sha256: string;
}
interface Manifest {
  conversationId: string;
  files: ManifestFile[];
  skipped: { kind: string; id?: string; reason: string }[];
  redaction?: { audio?: { recordingId: string; sha256: string; ranges: unknown[] }[] };
}

const DIGITAL = new Set(['chat', 'message', 'email']);

/** Which transcript formats the oracle says this conversation must have (empty: none). */
export function expectedTranscriptFormats(
  emu: RunningEmulator,
  id: string,
  formats: readonly Format[],
): Format[] {
  const rec = emu.dataset.recordings(id)[0];
  if (!rec) return [];
  if (rec.media === 'audio') {
    return rec.sessionId && emu.dataset.transcript(id, rec.sessionId) !== undefined ? [...formats] : [];
  }
  if (!DIGITAL.has(rec.media) || rec.fileState !== 'AVAILABLE') return [];
  // Captions are for timed media: e-mail gets json and txt only.
  return rec.media === 'email' ? formats.filter((f) => f === 'json' || f === 'txt') : [...formats];
}

/** One conversation's folder against the oracle. */
export async function verifyConversation(
  emu: RunningEmulator,
  out: string,
  id: string,
  formats: readonly Format[],
): Promise<Omit<Verified, 'conversations'>> {
  const conversation = emu.dataset.conversation(id);
  assert.ok(conversation, `${id} is in the oracle`);
  const dir = conversationDir(out, conversation.conversationStart!, id);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  } catch (err) {
    assert.fail(`conversation ${id}: no readable manifest (${(err as Error).message.slice(0, 80)})`);
  }
  assert.equal(manifest.conversationId, id);

  // Exactly the files the manifest lists, with their sizes and hashes; nothing half-written.
  const listed = new Set(manifest.files.map((f) => f.name));
  assert.equal(listed.size, manifest.files.length, `${id}: a file listed twice`);
  const present = (await listFiles(dir)).map((f) => relative(dir, f).split(sep).join('/'));
  const extra = present.filter((f) => !listed.has(f) && f !== 'manifest.json' && f !== '.delivery.json');
  assert.deepEqual(extra, [], `${id}: files the manifest does not list`);
  for (const f of manifest.files) {
    const bytes = await readFile(join(dir, f.name));
    assert.equal(bytes.length, f.size, `${id}/${f.name}: size`);
    assert.equal(createHash('sha256').update(bytes).digest('hex'), f.sha256, `${id}/${f.name}: sha256`);
  }

  // Recordings: byte-identical when available, skipped with a reason otherwise.
  let recordings = 0;
  for (const rec of emu.dataset.recordings(id)) {
    if (rec.media !== 'audio') continue;
    if (rec.fileState === 'AVAILABLE') {
      // Byte-identical, or with redacted words silenced (issue 14): then the manifest names the
      // ranges and the delivered hash (test/pipeline/audio-redaction.test.ts checks the samples).
      const audio = manifest.redaction?.audio?.find(
        (a) => a.recordingId === rec.recordingId && a.ranges.length > 0,
      );
      const file = manifest.files.find(
        (f) => f.name.startsWith('recordings/') && (f.sha256 === rec.sha256 || f.sha256 === audio?.sha256),
      );
      assert.ok(file, `${id}: recording ${rec.recordingId} missing or not byte-identical`);
      const media = manifest.files.filter((f) => f.name.startsWith('recordings/'));
      assert.equal(media.length, 1, `${id}: one media file per recording`);
      recordings += 1;
    } else {
      // (Under a hostile-id fault the API named the recording "../../…": the skip carries that name.)
      assert.ok(
        manifest.skipped.some(
          (s) =>
            s.kind === 'recording' && (s.id === rec.recordingId || s.id?.includes('gt-escape')) && s.reason,
        ),
        `${id}: recording ${rec.recordingId} (${rec.fileState}) skipped without a reason`,
      );
      assert.ok(
        !manifest.files.some((f) => f.name.startsWith('recordings/')),
        `${id}: media for a ${rec.fileState} recording`,
      );
    }
  }

  // Transcripts: in every requested format when the emulator has one, none otherwise.
  const want = expectedTranscriptFormats(emu, id, formats);
  const transcriptFiles = manifest.files.filter((f) => f.name.startsWith('transcript-'));
  const have = new Set(transcriptFiles.map((f) => f.name.slice(f.name.lastIndexOf('.') + 1)));
  for (const f of want) assert.ok(have.has(f), `${id}: transcript in ${f} missing`);
  if (want.length === 0) assert.deepEqual([...have], [], `${id}: a transcript the emulator does not have`);
  const perFormat = new Map<string, number>();
  for (const f of transcriptFiles) {
    const ext = f.name.slice(f.name.lastIndexOf('.') + 1);
    perFormat.set(ext, (perFormat.get(ext) ?? 0) + 1);
  }
  for (const [ext, n] of perFormat) assert.equal(n, 1, `${id}: ${n} transcripts in ${ext}`);

  // Redacted, and clean of control characters.
  const spoken: string[] = [];
  for (const f of transcriptFiles) {
    const content = await readFile(join(dir, f.name), 'utf8');
    const text = spokenText(f.name, content);
    const bad = forbiddenCharIn(text);
    assert.equal(bad, undefined, `${id}/${f.name}: control character ${bad}`);
    spoken.push(text);
  }
  // Captions wrap long cues: compare with whitespace runs as single spaces.
  const said = visible(spoken.join('\n')).replace(/\s+/g, ' ');
  const planted = emu.dataset.planted(id);
  for (const p of planted.pii)
    assert.ok(!standsIn(said, p.text), `${id}: ${p.entity} (${p.text.length} chars) leaked`);
  // (E-mail asked for in captions only has no transcript file: nothing to keep then.)
  if (transcriptFiles.length > 0)
    for (const k of planted.keep) assert.ok(standsIn(said, k), `${id}: non-PII "${k}" was redacted`);
  return { recordings, transcripts: want.length > 0 ? 1 : 0, files: manifest.files.length + 1 };
}

/**
 * Every conversation in `ids` against the oracle, and nothing else in `out`: no folder for an
 * unknown conversation, no temp or partial file anywhere.
 */
export async function verifyExport(emu: RunningEmulator, out: string, o: VerifyOptions): Promise<Verified> {
  const total: Verified = { conversations: 0, recordings: 0, transcripts: 0, files: 0 };
  for (const id of o.ids) {
    const v = await verifyConversation(emu, out, id, o.formats);
    total.conversations += 1;
    total.recordings += v.recordings;
    total.transcripts += v.transcripts;
    total.files += v.files;
  }
  const allowed = new Set<string>();
  for (const id of [...o.ids, ...(o.alsoAllowed ?? [])]) {
    const c = emu.dataset.conversation(id);
    if (c) allowed.add(relative(out, conversationDir(out, c.conversationStart!, id)));
  }
  for (const f of await listFiles(out)) {
    const rel = relative(out, f);
    // The review pages and search index (src/review) sit beside the conversation folders.
    if (rel === 'index.html' || rel.startsWith(`review${sep}`)) {
      assert.doesNotMatch(rel, /(^|[\\/])\.tmp-/, `leftover temp file ${rel}`);
      continue;
    }
    const folder = rel.split(sep).slice(0, 4).join(sep);
    assert.ok(allowed.has(folder), `unexpected file in the export: ${rel}`);
    assert.doesNotMatch(rel, /(^|[\\/])\.tmp-|\.part$/, `leftover temp file ${rel}`);
  }
  return total;
}

/** Conversations whose start falls in [fromMs, toMs) (must be exported), and those whose activity
 *  merely overlaps it (may be). */
export function conversationsIn(
  emu: RunningEmulator,
  fromMs: number,
  toMs: number,
): { must: string[]; may: Set<string> } {
  const must: string[] = [];
  const may = new Set<string>();
  for (const id of emu.dataset.conversationIds()) {
    const c = emu.dataset.conversation(id)!;
    const start = Date.parse(c.conversationStart!);
    const end = Date.parse(c.conversationEnd ?? c.conversationStart!);
    if (start >= fromMs && start < toMs) must.push(id);
    else if (start < toMs && end > fromMs) may.add(id);
  }
  return { must, may };
}
