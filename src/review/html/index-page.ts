// The export's front page (DIR/index.html): a sortable, filterable table of every conversation.
// Its rows live in one small script per hour of conversations (review/rows/<YYYY-MM-DDTHH>.js),
// so adding a conversation rewrites one hour's file, and this page only when a new hour appears.
// Plain <script src> rather than fetch(): a page opened from file:// may not fetch its neighbours.
import type { ReviewRow } from '../entry.ts';
import { INDEX_SCRIPT, STYLE } from './assets.ts';
import { CSP, esc, href } from './escape.ts';

export function rowsScriptPath(bucket: string): string {
  return `review/rows/${bucket}.js`;
}

export function renderRowsScript(rows: ReviewRow[]): string {
  return `(window.GT_ROWS = window.GT_ROWS || []).push(\n${rows.map((r) => JSON.stringify(r)).join(',\n')}\n);\n`;
}

export function renderIndexPage(buckets: string[]): string {
  const scripts = buckets
    .map((b) => `<script src="${esc(href(...rowsScriptPath(b).split('/')))}"></script>`)
    .join('\n');
  const th = (key: string, label: string) => `<th data-key="${key}" aria-sort="none">${label}</th>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Genesys Cloud export — review</title>
<style>${STYLE}</style></head>
<body>
<header class="top"><h1>Genesys Cloud export</h1>
<div class="sub">Every conversation in this folder. Click a column to sort; open a conversation to hear and read it.</div></header>
<main>
<div class="filters">
<label>Media <select id="f-media"><option value="">all</option></select></label>
<label>Language <select id="f-language"><option value="">all</option></select></label>
<label>Queue, agent or ID <input id="f-text" type="search" placeholder="filter…"></label>
<label><input id="f-skipped" type="checkbox"> with skipped items</label>
<span id="count" class="count"></span>
</div>
<table class="grid" id="conversations"><thead><tr>
${th('start', 'Start (UTC)')}${th('duration', 'Duration')}${th('media', 'Media')}${th('queue', 'Queue')}${th('agents', 'Agents')}${th('language', 'Language')}${th('redactions', 'Redactions')}${th('skipped', 'Skipped')}
</tr></thead><tbody id="rows"></tbody></table>
</main>
${scripts}
<script>${INDEX_SCRIPT}</script>
</body></html>
`;
}
