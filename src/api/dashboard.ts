/**
 * The dashboard: one HTML page and one script, plain strings (no build step, nothing to copy into dist/). The script
 * reads /api/worklist, orders it by triage priority and refreshes itself. Rows are built with textContent, never
 * innerHTML, so nothing in the data can inject markup; the Content-Security-Policy allows only our own script.
 * The page holds no data and needs no credential: it asks for an API token (viewer role), keeps it in sessionStorage
 * (gone when the tab closes) and sends it as Authorization: Bearer. No cookies, so no cross-site request forgery.
 */
import { createHash } from 'crypto';

export const DASHBOARD_REFRESH_MS = 5000;

const STYLE = `
body { font: 14px system-ui, sans-serif; margin: 1.5rem; color: #222; }
h1 { font-size: 1.3rem; margin: 0 0 .3rem; }
.banner { background: #fff3cd; border: 1px solid #e0c36c; padding: .4rem .6rem; margin-bottom: .8rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #ddd; }
td.uid { font-family: monospace; font-size: 12px; }
tr.urgent td.priority { color: #fff; background: #b00020; font-weight: bold; }
tr.suspicious td.priority { background: #ffd27f; }
#state { color: #666; margin: .5rem 0; }
#login input { width: 28rem; font-family: monospace; }
#detail { white-space: pre-wrap; font: 12px monospace; background: #f6f6f6; padding: .5rem; }
[hidden] { display: none; }
`;

/** CSP hash of the inline style (CSP Level 2), so no 'unsafe-inline' is needed. */
const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');

export const DASHBOARD_CSP = `default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'sha256-${STYLE_HASH}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>gastric-ai-node worklist</title>
<style>${STYLE}</style>
</head>
<body data-refresh-ms="${DASHBOARD_REFRESH_MS}">
<h1>gastric-ai-node: worklist by triage priority</h1>
<div class="banner">AI results from demo models: not for clinical use.</div>
<form id="login" hidden>
<label for="token">API token (role viewer):</label>
<input id="token" name="token" type="password" autocomplete="off" required>
<button type="submit">Open</button>
</form>
<div id="state">loading…</div>
<button id="logout" type="button" hidden>Forget token</button>
<table id="worklist">
<thead><tr><th>Priority</th><th>Status</th><th>Cancer probability</th><th>Stage</th><th>Modalities</th><th>Instances</th><th>Received</th><th>Analysed</th><th>Study Instance UID</th><th>Reason</th></tr></thead>
<tbody></tbody>
</table>
<pre id="detail" hidden></pre>
<script src="/dashboard.js"></script>
</body>
</html>
`;

export const DASHBOARD_JS = `'use strict';
(function () {
  // Urgent first; studies not analysed yet (no priority) last. Array.prototype.sort is stable, so the store's order
  // (oldest first) holds within a priority.
  var RANK = { urgent: 0, suspicious: 1, routine: 2 };
  function rank(entry) { return Object.prototype.hasOwnProperty.call(RANK, entry.priority) ? RANK[entry.priority] : 3; }
  function byPriority(entries) { return entries.slice().sort(function (a, b) { return rank(a) - rank(b); }); }

  function cell(row, text, className) {
    var td = document.createElement('td');
    td.textContent = text;
    if (className) td.className = className;
    row.appendChild(td);
    return td;
  }
  function percent(p) { return typeof p === 'number' ? (p * 100).toFixed(1) + ' %' : ''; }
  function time(iso) { return iso ? new Date(iso).toLocaleString() : ''; }

  function render(entries) {
    var body = document.querySelector('#worklist tbody');
    var rows = byPriority(entries).map(function (e) {
      var tr = document.createElement('tr');
      tr.className = e.priority || 'pending';
      tr.setAttribute('data-study-uid', e.studyInstanceUid);
      cell(tr, e.priority || '', 'priority');
      cell(tr, e.status);
      cell(tr, percent(e.cancerProbability));
      cell(tr, e.stage || '');
      cell(tr, (e.modalities || []).join(', '));
      cell(tr, String(e.instanceCount));
      cell(tr, time(e.receivedAt));
      cell(tr, time(e.analysedAt));
      // A button, not a link: a navigation would not carry the token.
      var link = document.createElement('button');
      link.type = 'button';
      link.className = 'study';
      link.textContent = e.studyInstanceUid;
      link.addEventListener('click', function () { showDetail(e.studyInstanceUid); });
      cell(tr, '', 'uid').appendChild(link);
      cell(tr, e.reason || '');
      return tr;
    });
    body.replaceChildren.apply(body, rows);
  }

  var KEY = 'gastric-ai-api-token';
  var login = document.getElementById('login');
  var logout = document.getElementById('logout');
  function token() { return sessionStorage.getItem(KEY); }
  function askForToken(why) {
    sessionStorage.removeItem(KEY);
    login.hidden = false;
    logout.hidden = true;
    document.getElementById('state').textContent = why;
  }
  function api(path) {
    return fetch(path, { headers: { accept: 'application/json', authorization: 'Bearer ' + token() } }).then(function (res) {
      if (res.status === 401) { askForToken('the token was not accepted: enter a valid one'); throw new Error('HTTP 401'); }
      if (!res.ok) throw new Error('HTTP ' + res.status);
      return res.json();
    });
  }
  function showDetail(uid) {
    var pre = document.getElementById('detail');
    api('/api/studies/' + encodeURIComponent(uid))
      .then(function (d) { pre.textContent = JSON.stringify(d, null, 2); pre.hidden = false; })
      .catch(function (err) { pre.textContent = 'study detail unavailable (' + err.message + ')'; pre.hidden = false; });
  }
  login.addEventListener('submit', function (ev) {
    ev.preventDefault();
    sessionStorage.setItem(KEY, document.getElementById('token').value.trim());
    document.getElementById('token').value = '';
    login.hidden = true;
    logout.hidden = false;
    refresh();
  });
  logout.addEventListener('click', function () { askForToken('token forgotten'); });

  function refresh() {
    var state = document.getElementById('state');
    if (!token()) { askForToken('enter an API token to see the worklist'); return; }
    logout.hidden = false;
    api('/api/worklist')
      .then(function (entries) {
        render(entries);
        state.textContent = entries.length + ' studies, updated ' + new Date().toLocaleTimeString();
      })
      .catch(function (err) { if (token()) state.textContent = 'worklist unavailable (' + err.message + '), retrying'; });
  }

  refresh();
  setInterval(refresh, Number(document.body.getAttribute('data-refresh-ms')) || ${DASHBOARD_REFRESH_MS});
})();
`;
