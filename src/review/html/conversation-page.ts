// The page of one conversation (DIR/review/c/<id>.html): facts, a player per recording with its
// transcript beside it (click a line to hear it; the line playing is highlighted), digital
// conversations as a message thread, redactions marked with their type, skipped items with their
// reasons, and the manifest's hashes. Rendered to static HTML (readable without JS), so a page
// needs nothing but itself and the recordings it links to.
import type { RedactionSpan, Segment, Speaker, Transcript } from '../../pipeline/transform/model.ts';
import { speakerName } from '../../pipeline/transform/formats/labels.ts';
import { orderedTranscripts, rowOf, type ReviewEntry, type ReviewRow } from '../entry.ts';
import { CONVERSATION_SCRIPT, STYLE } from './assets.ts';
import { clock, CSP, duration, esc, href } from './escape.ts';

/** Why an item is missing, in words a reviewer understands. */
const REASONS: Record<string, string> = {
  archived: 'archived in Genesys Cloud (export again with --restore-archived DAYS to get it back)',
  'restore-requested': 'a restore from the archive was requested; a later run exports it',
  restoring: 'being restored from the archive; a later run exports it',
  deleted: 'deleted in Genesys Cloud',
  error: 'Genesys Cloud reports the recording as failed',
  'transcoding-timeout': 'Genesys Cloud was still transcoding it',
  'no-media': 'no media for this recording',
  'not-requested': 'not requested by this export (--no-media)',
  'no-transcript': 'Speech & Text Analytics has no transcript for this call',
  'file not found': 'the media file was not found',
};

export function reasonText(reason: string): string {
  return REASONS[reason] ?? reason;
}

/** Speaker → colour class, stable within the page: agents numbered in order of first appearance. */
function speakerClasses(transcripts: Transcript[]): (s: Speaker) => string {
  const agents = new Map<string, number>();
  for (const t of transcripts)
    for (const seg of t.segments) {
      const s = seg.speaker;
      if (s.role !== 'agent') continue;
      const key = s.userId ?? s.participantId ?? s.name ?? '';
      if (!agents.has(key)) agents.set(key, agents.size);
    }
  return (s) => {
    if (s.role !== 'agent') return `spk-${s.role}`;
    return `spk-agent${(agents.get(s.userId ?? s.participantId ?? s.name ?? '') ?? 0) % 4}`;
  };
}

/** Segment text with each redaction placeholder wrapped in a mark naming its type. */
function markedText(seg: Segment, spans: RedactionSpan[]): string {
  const mine = spans
    .filter(
      (s) => s.segmentIndex === seg.index && s.start >= 0 && s.end <= seg.text.length && s.start < s.end,
    )
    .sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const s of mine) {
    if (s.start < at) continue;
    out += esc(seg.text.slice(at, s.start));
    out += `<mark class="pii" data-entity="${esc(s.entity)}" title="Redacted: ${esc(s.entity)}">${esc(seg.text.slice(s.start, s.end))}</mark>`;
    at = s.end;
  }
  return out + esc(seg.text.slice(at));
}

interface RecordingFile {
  name: string;
  src: string;
  channel?: string;
}

/** One recording: its files (the merged one first, then one per channel when Genesys gave channels). */
interface Recording {
  files: RecordingFile[];
}

function recordingsOf(entry: ReviewEntry): Recording[] {
  const groups = new Map<string, RecordingFile[]>();
  const files = entry.manifest.files
    .filter((f) => f.name.startsWith('recordings/'))
    .sort((a, b) => a.name.localeCompare(b.name));
  for (const f of files) {
    const key = f.recordingId ?? f.name;
    const file: RecordingFile = {
      name: f.name.slice('recordings/'.length),
      src: href('..', '..', ...entry.folder, ...f.name.split('/')),
      ...(f.channel ? { channel: f.channel } : {}),
    };
    groups.set(key, [...(groups.get(key) ?? []), file]);
  }
  const rank = (f: RecordingFile) => (f.channel === undefined || f.channel === 'merged' ? 0 : 1);
  return [...groups.values()].map((g) => ({ files: g.sort((a, b) => rank(a) - rank(b)) }));
}

/** The players of one recording: the first (merged, or the first channel) is the one lines seek. */
function players(rec: Recording): string {
  return rec.files
    .map(
      (f, i) =>
        `${i > 0 ? `<div class="muted">channel ${esc(f.channel ?? '')}</div>` : ''}<audio controls preload="metadata" src="${esc(f.src)}" data-recording="${esc(f.name)}"></audio><div class="muted mono">${esc(f.name)}</div>`,
    )
    .join('');
}

function voiceLines(t: Transcript, ti: number, cls: (s: Speaker) => string): string {
  return t.segments
    .map(
      (s) =>
        `<li id="t${ti}-s${s.index}" class="${cls(s.speaker)}" data-start="${Math.round(s.startMs)}" data-end="${Math.round(s.endMs)}" title="Play from ${clock(s.startMs)}">` +
        `<span class="time">${clock(s.startMs)}</span><span class="who">${esc(speakerName(s.speaker))}</span>` +
        `<span class="text">${markedText(s, t.redaction.spans)}</span></li>`,
    )
    .join('\n');
}

function voiceSection(
  t: Transcript,
  ti: number,
  rec: Recording | undefined,
  cls: (s: Speaker) => string,
): string {
  const player = rec
    ? players(rec)
    : `<p class="noaudio">No recording for this transcript (see Missing below).</p>`;
  const lang = t.language ? ` · ${esc(t.language)}` : '';
  return `<section class="card" data-pair="${ti}"><h2>Call transcript${lang} <span class="muted">· ${t.segments.length} lines · ${esc(duration(t.durationMs))}</span></h2>
<div class="pair"><div class="player">${player}</div><ol class="lines">
${voiceLines(t, ti, cls)}
</ol></div></section>`;
}

function digitalSection(t: Transcript, ti: number, startedAt: string, cls: (s: Speaker) => string): string {
  const base = Date.parse(startedAt);
  const at = (ms: number) =>
    new Date(base + ms)
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d+Z$/, 'Z');
  if (t.mediaType === 'email') {
    const mails = t.segments
      .map(
        (s) =>
          `<article id="t${ti}-s${s.index}" class="email ${cls(s.speaker)}" data-start="${Math.round(s.startMs)}">` +
          `<div class="meta"><span class="who">${esc(speakerName(s.speaker))}</span> <span class="muted">${at(s.startMs)}</span></div>` +
          (s.meta?.subject ? `<div class="subject">${esc(s.meta.subject)}</div>` : '') +
          `<div class="text">${markedText(s, t.redaction.spans)}</div>` +
          (s.meta?.attachments ? `<div class="muted">Attachments: ${esc(s.meta.attachments)}</div>` : '') +
          `</article>`,
      )
      .join('\n');
    return `<section class="card" data-pair="${ti}"><h2>E-mail thread <span class="muted">· ${t.segments.length} messages</span></h2>${mails}</section>`;
  }
  const items = t.segments
    .map((s) => {
      const side = s.speaker.role === 'customer' ? 'side-customer' : 'side-staff';
      return (
        `<li id="t${ti}-s${s.index}" class="${side} ${cls(s.speaker)}" data-start="${Math.round(s.startMs)}">` +
        `<div class="meta"><span class="who">${esc(speakerName(s.speaker))}</span> · ${at(s.startMs)}</div>` +
        `<div class="text">${markedText(s, t.redaction.spans)}</div>` +
        (s.meta?.attachments ? `<div class="muted">Attachments: ${esc(s.meta.attachments)}</div>` : '') +
        `</li>`
      );
    })
    .join('\n');
  const title = t.mediaType === 'chat' ? 'Chat' : 'Messaging';
  return `<section class="card" data-pair="${ti}"><h2>${title} thread <span class="muted">· ${t.segments.length} messages</span></h2><ol class="thread">
${items}
</ol></section>`;
}

function legend(transcripts: Transcript[], cls: (s: Speaker) => string): string {
  const seen = new Map<string, string>();
  for (const t of transcripts)
    for (const s of t.segments) {
      const label = speakerName(s.speaker);
      if (!seen.has(label)) seen.set(label, cls(s.speaker));
    }
  if (seen.size === 0) return '';
  return `<div class="legend">${[...seen].map(([label, c]) => `<span class="${c}"><span class="who ${c}">${esc(label)}</span></span>`).join('')}</div>`;
}

function facts(row: ReviewRow): string {
  const item = (k: string, v: string) => (v ? `<dt>${k}</dt><dd>${v}</dd>` : '');
  const redactions = Object.entries(row.redactions)
    .map(([k, n]) => `<span class="tag pii">${esc(k)} ${n}</span>`)
    .join('');
  return `<dl class="facts">
${item('Started', `<span class="mono">${esc(row.start)}</span>`)}
${item('Duration', esc(duration(row.durationMs)))}
${item('Media', row.media.map((m) => `<span class="tag">${esc(m)}</span>`).join(''))}
${item('Queue', esc(row.queues.map((q) => q.name ?? q.id).join(', ')))}
${item('Agents', esc(row.agents.map((a) => a.name ?? a.userId ?? '').join(', ')))}
${item('Language', esc(row.language ?? ''))}
${item('Redactions', row.redacted ? redactions || '<span class="muted">none found</span>' : '<span class="tag skip">redaction was turned off for this export</span>')}
</dl>`;
}

function missing(row: ReviewRow): string {
  if (row.skipped.length === 0) return '';
  const items = row.skipped
    .map(
      (s) =>
        `<li><span class="tag skip">${esc(s.kind)}</span> <span class="mono">${esc(s.id ?? '')}</span> — ${esc(reasonText(s.reason))}${s.detail ? ` <span class="muted">(${esc(s.detail)})</span>` : ''}</li>`,
    )
    .join('');
  return `<section class="card"><h2>Missing</h2><ul>${items}</ul></section>`;
}

function hashes(entry: ReviewEntry): string {
  const rows = entry.manifest.files
    .map(
      (f) =>
        `<tr><td class="mono">${esc(f.name)}</td><td>${f.size.toLocaleString('en-US')}</td><td class="mono">${esc(f.sha256)}</td></tr>`,
    )
    .join('');
  return `<footer class="card hashes"><h2>Files (from manifest.json)</h2>
<table class="grid"><thead><tr><th>file</th><th>bytes</th><th>sha256</th></tr></thead><tbody>${rows}</tbody></table>
<p class="muted">Exported by ${esc(entry.manifest.tool.name)} ${esc(entry.manifest.tool.version)} · folder <span class="mono">${esc(entry.folder.join('/'))}</span></p></footer>`;
}

export function renderConversationPage(entry: ReviewEntry): string {
  const row = rowOf(entry);
  const transcripts = orderedTranscripts(entry);
  const cls = speakerClasses(transcripts);
  const recordings = recordingsOf(entry);
  let voiceIndex = 0;
  const sections = transcripts.map((t, ti) =>
    t.mediaType === 'voice'
      ? voiceSection(t, ti, recordings[voiceIndex++], cls)
      : digitalSection(t, ti, t.startedAt, cls),
  );
  // Recordings without a transcript still get a player.
  const extra = recordings
    .slice(voiceIndex)
    .map(
      (r, i) =>
        `<section class="card" data-pair="r${i}"><h2>Recording</h2>${players(r)}<p class="noaudio">No transcript for this recording.</p></section>`,
    );
  const noText =
    transcripts.length === 0 && recordings.length === 0
      ? '<section class="card"><p class="noaudio">Nothing to play or read for this conversation (see Missing).</p></section>'
      : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Conversation ${esc(row.id)}</title>
<style>${STYLE}</style></head>
<body>
<header class="top"><h1>Conversation <span class="mono">${esc(row.id)}</span></h1>
<div class="sub"><a href="../../index.html">← all conversations</a></div></header>
<main>
<section class="card">${facts(row)}${legend(transcripts, cls)}</section>
${sections.join('\n')}
${extra.join('\n')}
${noText}
${missing(row)}
${hashes(entry)}
</main>
<script>${CONVERSATION_SCRIPT}</script>
</body></html>
`;
}
