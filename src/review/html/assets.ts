// The review pages' only style and code, inlined into every page: no CDN, no fetch, so a page
// works from file:// and from any static web server alike.

export const STYLE = `
:root { color-scheme: light; --fg:#1d2430; --muted:#5b6677; --line:#e3e7ee; --bg:#f6f7fa; --card:#fff;
  --accent:#2457c5; --pii:#b3261e; --pii-bg:#fde8e6; --active:#fff4c2;
  --customer:#2457c5; --agent0:#1b7f4b; --agent1:#8a4bbf; --agent2:#b25d00; --agent3:#0f7c8c;
  --ivr:#6b7280; --bot:#6b7280; --system:#6b7280; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; color:var(--fg); background:var(--bg); }
header.top { background:#16213a; color:#fff; padding:14px 24px; }
header.top h1 { margin:0; font-size:18px; font-weight:600; }
header.top .sub { color:#c5cde0; font-size:13px; margin-top:2px; }
header.top a { color:#c5d7ff; }
main { padding:16px 24px 48px; }
.card { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:14px 16px; margin-bottom:16px; }
.card h2 { margin:0 0 10px; font-size:15px; }
dl.facts { display:grid; grid-template-columns:max-content 1fr; gap:4px 16px; margin:0; }
dl.facts dt { color:var(--muted); }
dl.facts dd { margin:0; }
.tag { display:inline-block; padding:0 7px; border-radius:10px; background:#eef1f7; color:#2b3550; font-size:12px; margin:1px 2px 1px 0; white-space:nowrap; }
.tag.pii { background:var(--pii-bg); color:var(--pii); }
.tag.skip { background:#fff1dc; color:#8a4b00; }
table.grid { border-collapse:collapse; width:100%; background:var(--card); }
table.grid th, table.grid td { border-bottom:1px solid var(--line); padding:6px 8px; text-align:left; vertical-align:top; }
table.grid th { background:#eef1f7; position:sticky; top:0; cursor:pointer; user-select:none; white-space:nowrap; font-weight:600; }
table.grid th[aria-sort=ascending]::after { content:" ▲"; font-size:10px; }
table.grid th[aria-sort=descending]::after { content:" ▼"; font-size:10px; }
table.grid tr:hover td { background:#f8faff; }
.mono, code { font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; font-size:12px; }
.filters { display:flex; flex-wrap:wrap; gap:8px 16px; align-items:center; margin-bottom:12px; }
.filters label { color:var(--muted); }
.filters input, .filters select { font:inherit; padding:4px 6px; border:1px solid #c9d0dc; border-radius:4px; }
.count { color:var(--muted); }
.pair { display:grid; grid-template-columns:minmax(260px, 340px) 1fr; gap:16px; align-items:start; }
.pair .player { position:sticky; top:8px; }
.pair audio { width:100%; }
.noaudio { color:var(--muted); font-style:italic; }
ol.lines { list-style:none; margin:0; padding:0; }
ol.lines li { display:grid; grid-template-columns:70px 150px 1fr; gap:8px; padding:5px 8px; border-left:4px solid transparent; border-radius:4px; cursor:pointer; }
ol.lines li:hover { background:#f3f6fc; }
ol.lines li.active { background:var(--active); }
ol.lines li.target { outline:2px solid var(--accent); }
ol.lines .time { color:var(--muted); font-variant-numeric:tabular-nums; }
.who { font-weight:600; }
mark.pii { background:var(--pii-bg); color:var(--pii); border:1px dashed var(--pii); border-radius:3px; padding:0 3px; font-weight:600; }
ol.thread { list-style:none; margin:0; padding:0; display:flex; flex-direction:column; gap:8px; }
ol.thread li { max-width:70%; padding:8px 12px; border-radius:12px; background:#eef1f7; border-left:4px solid transparent; }
ol.thread li.side-customer { align-self:flex-start; background:#e8effd; }
ol.thread li.side-staff { align-self:flex-end; background:#e9f6ef; }
ol.thread li.target { outline:2px solid var(--accent); }
ol.thread .meta { font-size:12px; color:var(--muted); margin-bottom:2px; }
ol.thread .text, .email .text { white-space:pre-wrap; }
.email { border:1px solid var(--line); border-radius:8px; padding:10px 12px; margin-bottom:10px; border-left:4px solid transparent; }
.email .subject { font-weight:600; }
.email.target { outline:2px solid var(--accent); }
.spk-customer { border-left-color:var(--customer) !important; } .spk-customer .who, .who.spk-customer { color:var(--customer); }
.spk-agent0 { border-left-color:var(--agent0) !important; } .spk-agent0 .who, .who.spk-agent0 { color:var(--agent0); }
.spk-agent1 { border-left-color:var(--agent1) !important; } .spk-agent1 .who, .who.spk-agent1 { color:var(--agent1); }
.spk-agent2 { border-left-color:var(--agent2) !important; } .spk-agent2 .who, .who.spk-agent2 { color:var(--agent2); }
.spk-agent3 { border-left-color:var(--agent3) !important; } .spk-agent3 .who, .who.spk-agent3 { color:var(--agent3); }
.spk-ivr, .spk-bot, .spk-system, .spk-acd, .spk-unknown { border-left-color:var(--ivr) !important; }
.spk-ivr .who, .spk-bot .who, .spk-system .who, .spk-acd .who, .spk-unknown .who { color:var(--ivr); }
.legend { display:flex; flex-wrap:wrap; gap:6px 14px; }
.legend > span { border-left:4px solid; padding-left:6px; }
table.grid td.when { white-space:nowrap; }
footer.hashes table { font-size:12px; }
.muted { color:var(--muted); }
`;

/** The conversation page: a click on a line seeks its recording; the line being played is highlighted. */
export const CONVERSATION_SCRIPT = `
(function () {
  var pairs = document.querySelectorAll('[data-pair]');
  function linesOf(pair) { return pair.querySelectorAll('li[data-start]'); }
  function mark(pair, audio) {
    var t = audio.currentTime * 1000, lines = linesOf(pair), current = null;
    for (var i = 0; i < lines.length; i++) {
      var l = lines[i], s = +l.dataset.start, e = +l.dataset.end;
      var on = t >= s && (t < e || (i + 1 < lines.length ? t < +lines[i + 1].dataset.start : true));
      if (on && !current) { current = l; }
      l.classList.toggle('active', l === current);
    }
  }
  pairs.forEach(function (pair) {
    var audio = pair.querySelector('audio');
    if (audio) {
      audio.addEventListener('timeupdate', function () { mark(pair, audio); });
      audio.addEventListener('seeked', function () { mark(pair, audio); });
    }
    pair.addEventListener('click', function (ev) {
      var line = ev.target.closest('li[data-start]');
      if (!line || !audio) return;
      audio.currentTime = (+line.dataset.start) / 1000;
      mark(pair, audio);
    });
  });
  // #t0-s12 (a search hit): show that line, and put its recording at that moment.
  function fromHash() {
    var id = decodeURIComponent(location.hash.slice(1));
    if (!id) return;
    var el = document.getElementById(id);
    if (!el) return;
    document.querySelectorAll('.target').forEach(function (x) { x.classList.remove('target'); });
    el.classList.add('target');
    el.scrollIntoView({ block: 'center' });
    var pair = el.closest('[data-pair]');
    var audio = pair && pair.querySelector('audio');
    if (audio && el.dataset.start) { audio.currentTime = (+el.dataset.start) / 1000; mark(pair, audio); }
  }
  window.addEventListener('hashchange', fromHash);
  fromHash();
})();
`;

/** The index page: rows come from review/rows/*.js (window.GT_ROWS); sort by any column, filter. */
export const INDEX_SCRIPT = `
(function () {
  var rows = (window.GT_ROWS || []).slice();
  var body = document.getElementById('rows'), count = document.getElementById('count');
  var media = document.getElementById('f-media'), text = document.getElementById('f-text');
  var lang = document.getElementById('f-language'), skipOnly = document.getElementById('f-skipped');
  var sortKey = 'start', sortDir = 1;
  function uniq(list) { return list.filter(function (v, i) { return v && list.indexOf(v) === i; }).sort(); }
  function option(sel, v) { var o = document.createElement('option'); o.value = v; o.textContent = v; sel.appendChild(o); }
  uniq([].concat.apply([], rows.map(function (r) { return r.media; }))).forEach(function (v) { option(media, v); });
  uniq(rows.map(function (r) { return r.language || ''; })).forEach(function (v) { option(lang, v); });
  function dur(ms) { if (ms == null) return ''; var s = Math.round(ms / 1000);
    return s < 60 ? s + ' s' : s < 3600 ? Math.floor(s / 60) + ' min ' + (s % 60) + ' s' : Math.floor(s / 3600) + ' h ' + (Math.floor(s / 60) % 60) + ' min'; }
  function queueName(q) { return q.name || q.id; }
  function agentName(a) { return a.name || a.userId || ''; }
  function total(o) { var n = 0; for (var k in o) n += o[k]; return n; }
  var keys = {
    start: function (r) { return r.start; }, duration: function (r) { return r.durationMs == null ? -1 : r.durationMs; },
    media: function (r) { return r.media.join(','); }, queue: function (r) { return r.queues.map(queueName).join(','); },
    agents: function (r) { return r.agents.map(agentName).join(','); }, language: function (r) { return r.language || ''; },
    redactions: function (r) { return total(r.redactions); }, skipped: function (r) { return r.skipped.length; }
  };
  function el(tag, cls, txt) { var e = document.createElement(tag); if (cls) e.className = cls; if (txt != null) e.textContent = txt; return e; }
  function tags(td, list, cls) { list.forEach(function (t) { td.appendChild(el('span', 'tag' + (cls ? ' ' + cls : ''), t)); }); }
  function matches(r) {
    if (media.value && r.media.indexOf(media.value) < 0) return false;
    if (lang.value && r.language !== lang.value) return false;
    if (skipOnly.checked && r.skipped.length === 0) return false;
    var q = text.value.trim().toLowerCase();
    if (!q) return true;
    var hay = [r.id, r.start].concat(r.queues.map(queueName), r.queues.map(function (x) { return x.id; }),
      r.agents.map(agentName), r.agents.map(function (a) { return a.userId || ''; })).join(' ').toLowerCase();
    return hay.indexOf(q) >= 0;
  }
  function render() {
    var shown = rows.filter(matches).sort(function (a, b) {
      var x = keys[sortKey](a), y = keys[sortKey](b);
      return (x < y ? -1 : x > y ? 1 : a.id < b.id ? -1 : 1) * sortDir;
    });
    body.textContent = '';
    shown.forEach(function (r) {
      var tr = el('tr'); tr.dataset.id = r.id; tr.dataset.media = r.media.join(' ');
      var td = el('td', 'when'); var a = el('a', 'mono', r.start.replace('T', ' ').replace(/\\.\\d+Z$/, 'Z')); a.href = r.page; td.appendChild(a); tr.appendChild(td);
      tr.appendChild(el('td', null, dur(r.durationMs)));
      td = el('td'); tags(td, r.media); tr.appendChild(td);
      tr.appendChild(el('td', null, r.queues.map(queueName).join(', ')));
      tr.appendChild(el('td', null, r.agents.map(agentName).join(', ')));
      tr.appendChild(el('td', null, r.language || ''));
      td = el('td'); tags(td, Object.keys(r.redactions).map(function (k) { return k + ' ' + r.redactions[k]; }), 'pii');
      if (!r.redacted) td.appendChild(el('span', 'tag skip', 'not redacted')); tr.appendChild(td);
      td = el('td'); tags(td, r.skipped.map(function (s) { return s.kind + ': ' + s.reason; }), 'skip'); tr.appendChild(td);
      body.appendChild(tr);
    });
    count.textContent = shown.length + ' of ' + rows.length + ' conversations';
    document.querySelectorAll('th[data-key]').forEach(function (th) {
      th.setAttribute('aria-sort', th.dataset.key === sortKey ? (sortDir > 0 ? 'ascending' : 'descending') : 'none');
    });
  }
  document.querySelectorAll('th[data-key]').forEach(function (th) {
    th.addEventListener('click', function () {
      if (sortKey === th.dataset.key) sortDir = -sortDir; else { sortKey = th.dataset.key; sortDir = 1; }
      render();
    });
  });
  [media, lang, skipOnly].forEach(function (x) { x.addEventListener('change', render); });
  text.addEventListener('input', render);
  render();
})();
`;
