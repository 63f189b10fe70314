// linkmon's built-in page: the live matrix (GET /api/v1/matrix), one path's history and breaches
// (GET /api/v1/paths/{src}/{dst}), and the breach list (GET /api/v1/breaches).
//
// Security: everything from the API is data. It reaches the page only through textContent and
// element attributes set one by one (never parsed as markup), and the server
// sends Content-Security-Policy: default-src 'self', so no inline or foreign script runs.
'use strict';

const MATRIX_EVERY_MS = 5000;
const BREACHES_EVERY_MS = 15000;
// Worst first: the state a cell shows when its methods disagree. A cell is grey only when
// nothing about it is known (stale and unknown rank below ok).
const STATE_RANK = {
  breach: 3,
  bad: 2,
  ok: 1,
  stale: 0,
  unknown: 0
};
const KNOWN_STATES = new Set(Object.keys(STATE_RANK));

let selected = null;  // {src, dst} of the open path view

function el(tag, options = {}, ...children) {
  const node = document.createElement(tag);
  if (options.className) node.className = options.className;
  if (options.text !== undefined && options.text !== null) node.textContent = String(options.text);
  if (options.title) node.title = String(options.title);
  if (options.attrs) {
    for (const [name, value] of Object.entries(options.attrs))
      node.setAttribute(name, String(value));
  }
  for (const child of children)
    if (child) node.appendChild(child);
  return node;
}

function stateOf(value) {
  return KNOWN_STATES.has(value) ? value : 'unknown';
}

function ms(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '–';
  const v = seconds * 1000;
  return (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)) + ' ms';
}

function percent(ratio) {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '–';
  return (ratio * 100).toFixed(ratio < 0.01 ? 3 : 1) + ' %';
}

function seconds(value) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  if (value < 120) return value.toFixed(0) + ' s';
  if (value < 7200) return (value / 60).toFixed(0) + ' min';
  return (value / 3600).toFixed(1) + ' h';
}

function bandwidth(bps) {
  if (bps === null || bps === undefined || !Number.isFinite(bps)) return '–';
  if (bps >= 1e9) return (bps / 1e9).toFixed(2) + ' Gbit/s';
  return (bps / 1e6).toFixed(1) + ' Mbit/s';
}

function setStatus(text, isError) {
  const status = document.getElementById('status');
  status.textContent = text;
  status.classList.toggle('error', Boolean(isError));
}

async function getJson(url) {
  const response = await fetch(url, {headers: {Accept: 'application/json'}, cache: 'no-store'});
  let body = null;
  try {
    body = await response.json();
  } catch (e) {
    throw new Error(url + ': ' + response.status + ' (not JSON)');
  }
  if (!response.ok) {
    const reason = body && typeof body.error === 'string' ? body.error : String(response.status);
    throw new Error(url + ': ' + reason);
  }
  return body;
}

// ------------------------------------------------------------------ matrix

function buildCells(paths) {
  const cells = new Map();  // "src\u0000dst" -> {src, dst, state, paths: []}
  const sources = new Set();
  const targets = new Set();
  for (const path of paths) {
    if (typeof path.src !== 'string' || typeof path.dst !== 'string') continue;
    sources.add(path.src);
    targets.add(path.dst);
    const key = path.src + '\u0000' + path.dst;
    let cell = cells.get(key);
    if (!cell) {
      cell = {src: path.src, dst: path.dst, state: 'unknown', rank: -1, paths: []};
      cells.set(key, cell);
    }
    cell.paths.push(path);
    const state = stateOf(path.sla_state);
    if (STATE_RANK[state] > cell.rank) {
      cell.rank = STATE_RANK[state];
      cell.state = state;
    }
  }
  return {cells, sources: [...sources].sort(), targets: [...targets].sort()};
}

function cellText(cell) {
  // The highest p99 among the cell's methods: the figure the SLA is most likely judged on.
  let worst = null;
  for (const path of cell.paths) {
    const p99 = path.rtt_p99_seconds;
    if (typeof p99 === 'number' && (worst === null || p99 > worst)) worst = p99;
  }
  return worst === null ? cell.state : ms(worst);
}

function cellTitle(cell) {
  const lines = [cell.src + ' → ' + cell.dst];
  for (const path of cell.paths) {
    lines.push(
        String(path.method) + ' (' + String(path.sla_class) + '): ' + stateOf(path.sla_state) +
        ', p50 ' + ms(path.rtt_p50_seconds) + ', p99 ' + ms(path.rtt_p99_seconds) + ', loss ' +
        percent(path.loss_ratio) + ', age ' + seconds(path.data_age_seconds));
  }
  return lines.join('\n');
}

function renderMatrix(matrix) {
  const {cells, sources, targets} = buildCells(Array.isArray(matrix.paths) ? matrix.paths : []);
  const table = el('table', {className: 'matrix', attrs: {id: 'matrix-table'}});
  const head = el('tr', {}, el('th', {text: 'src \\ dst'}));
  for (const target of targets) head.appendChild(el('th', {text: target, attrs: {scope: 'col'}}));
  table.appendChild(el('thead', {}, head));
  const body = el('tbody');
  for (const source of sources) {
    const row = el('tr', {}, el('th', {className: 'row', text: source, attrs: {scope: 'row'}}));
    for (const target of targets) {
      const cell = cells.get(source + '\u0000' + target);
      if (!cell) {
        row.appendChild(el('td', {className: 'none'}));
        continue;
      }
      const td = el('td', {
        className: 'cell state-' + cell.state,
        text: cellText(cell),
        title: cellTitle(cell),
        attrs: {
          tabindex: 0,
          role: 'button',
          'data-src': cell.src,
          'data-dst': cell.dst,
          'data-state': cell.state
        },
      });
      if (selected && selected.src === cell.src && selected.dst === cell.dst)
        td.classList.add('selected');
      td.addEventListener('click', () => openPath(cell.src, cell.dst));
      td.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' || event.key === ' ') openPath(cell.src, cell.dst);
      });
      row.appendChild(td);
    }
    body.appendChild(row);
  }
  table.appendChild(body);
  const holder = document.getElementById('matrix');
  holder.replaceChildren(
      sources.length > 0 ? table : el('p', {text: 'No paths in the collector\'s config.'}));
}

async function refreshMatrix() {
  try {
    const matrix = await getJson('/api/v1/matrix');
    renderMatrix(matrix);
    setStatus(
        'updated ' + new Date().toISOString().slice(11, 19) + ' UTC · minutes judged up to ' +
        String(matrix.windows_end || '–'));
  } catch (error) {
    setStatus('matrix: ' + error.message, true);
  }
}

// ------------------------------------------------------------------ one path

function kv(pairs) {
  const box = el('div', {className: 'kv'});
  for (const [name, value, className] of pairs) {
    box.appendChild(
        el('span', {}, el('b', {text: name + ': '}), el('span', {text: value, className})));
  }
  return box;
}

function windowsTable(windows) {
  const table = el('table', {className: 'windows'});
  table.appendChild(
      el('tr', {},
         ...['window', 'probes', 'p50', 'p95', 'p99', 'loss', 'jitter', 'bandwidth'].map(
             (name) => el('th', {text: name}))));
  for (const w of Array.isArray(windows) ? windows : []) {
    const probes = (w.probes_received ?? '–') + ' / ' + (w.probes_sent ?? '–');
    table.appendChild(
        el('tr', {},
           ...[String(w.window), probes, ms(w.rtt_p50_seconds), ms(w.rtt_p95_seconds),
               ms(w.rtt_p99_seconds), percent(w.loss_ratio), ms(w.jitter_seconds),
               bandwidth(w.throughput_bits_per_second)]
               .map((text) => el('td', {text}))));
  }
  return table;
}

function thresholdsTable(judgement) {
  const table = el('table', {className: 'thresholds'});
  table.appendChild(
      el('tr', {},
         ...['threshold', 'window', 'limit', 'value', 'margin', 'outcome'].map(
             (name) => el('th', {text: name}))));
  const format = (unit, value) => unit === 'seconds' ? ms(value) :
      unit === 'ratio'                               ? percent(value) :
      unit === 'bits_per_second'                     ? bandwidth(value) :
                                                       String(value ?? '–');
  for (const t of Array.isArray(judgement && judgement.thresholds) ? judgement.thresholds : []) {
    const margin = el('td', {text: format(t.unit, t.margin)});
    if (typeof t.margin === 'number' && t.margin < 0) margin.className = 'negative';
    table.appendChild(
        el('tr', {}, el('td', {text: t.name}), el('td', {text: t.window}),
           el('td', {text: format(t.unit, t.limit)}), el('td', {text: format(t.unit, t.value)}),
           margin,
           el('td', {text: t.outcome, className: t.outcome === 'violated' ? 'negative' : ''})));
  }
  return table;
}

function history(minutes) {
  const strip =
      el('div', {className: 'history', attrs: {'aria-label': 'minute verdicts, oldest first'}});
  for (const m of Array.isArray(minutes) ? minutes : []) {
    const verdict = ['good', 'bad', 'unknown'].includes(m.verdict) ? m.verdict : 'unknown';
    strip.appendChild(el('span', {
      className: 'minute verdict-' + verdict,
      title: String(m.start) + ': ' + verdict + ', p99 ' + ms(m.rtt_p99_seconds) + ', loss ' +
          percent(m.loss_ratio),
    }));
  }
  return strip;
}

function breachesTable(breaches, withPath) {
  const table = el('table', {className: 'breaches'});
  const columns = (withPath ? ['path', 'class'] : []).concat([
    'start', 'end', 'duration', 'bad minutes', 'thresholds crossed'
  ]);
  table.appendChild(el('tr', {}, ...columns.map((name) => el('th', {text: name}))));
  for (const b of breaches) {
    const crossed = (Array.isArray(b.thresholds_crossed) ? b.thresholds_crossed : [])
                        .map(
                            (t) => String(t.name) + ' (' + String(t.window) + ') worst ' +
                                (t.unit === 'seconds'   ? ms(t.worst_value) :
                                     t.unit === 'ratio' ? percent(t.worst_value) :
                                                          String(t.worst_value ?? 'none')) +
                                ' for ' + String(t.violated_minutes) + ' min')
                        .join('; ');
    const cells =
        (withPath ?
             [String(b.src) + ' → ' + String(b.dst) + ' ' + String(b.method), String(b.sla_class)] :
             [])
            .concat([
              String(b.start), b.end === null ? 'open' : String(b.end), seconds(b.duration_seconds),
              String(b.bad_minutes), crossed
            ]);
    const row =
        el('tr', {className: b.open ? 'open' : ''}, ...cells.map((text) => el('td', {text})));
    if (b.open) row.firstChild.classList.add('text-breach');
    if (withPath) {
      row.classList.add('clickable');
      row.addEventListener('click', () => openPath(String(b.src), String(b.dst)));
    }
    table.appendChild(row);
  }
  return table;
}

function renderPath(path) {
  const body = el('div');
  for (const p of Array.isArray(path.paths) ? path.paths : []) {
    const state = stateOf(p.sla_state);
    const section = el('div', {className: 'method', attrs: {'data-method': String(p.method)}});
    section.appendChild(el('h3', {text: String(p.method) + ' · SLA class ' + String(p.sla_class)}));
    const budget = p.error_budget || {};
    section.appendChild(kv([
      ['state', state, 'text-' + state],
      ['data age', seconds(p.data_age_seconds)],
      ['last data', String(p.last_data_time ?? '–')],
      ['minute verdict', String((p.judgement && p.judgement.minute_verdict) ?? '–')],
      [
        'budget left', percent(budget.remaining_ratio), budget.remaining_ratio < 0 ? 'negative' : ''
      ],
      [
        'burn rate 1 h',
        budget.burn_rate_1h === null || budget.burn_rate_1h === undefined ?
            '–' :
            Number(budget.burn_rate_1h).toFixed(1)
      ],
      ['objective', percent(budget.objective_ratio)],
    ]));
    section.appendChild(windowsTable(p.windows));
    section.appendChild(thresholdsTable(p.judgement));
    section.appendChild(el('div', {
      className: 'hint',
      text: 'Minutes ' + String(path.from) + ' to ' + String(path.to) +
          ' (green good, amber bad, grey unknown):'
    }));
    section.appendChild(history(p.minutes));
    const breaches = Array.isArray(p.breaches) ? p.breaches.slice() : [];
    if (p.open_breach && !breaches.some((b) => b.id === p.open_breach.id))
      breaches.push(p.open_breach);
    section.appendChild(
        el('div', {className: 'hint', text: breaches.length + ' breach(es) in this range'}));
    if (breaches.length) section.appendChild(breachesTable(breaches, false));
    body.appendChild(section);
  }
  return body;
}

async function openPath(src, dst) {
  selected = {src, dst};
  for (const td of document.querySelectorAll('td.cell.selected')) td.classList.remove('selected');
  for (const td of document.querySelectorAll('td.cell')) {
    if (td.dataset.src === src && td.dataset.dst === dst) td.classList.add('selected');
  }
  const view = document.getElementById('path-view');
  view.hidden = false;
  document.getElementById('path-title').textContent = src + ' → ' + dst;
  const target = document.getElementById('path-body');
  try {
    const path =
        await getJson('/api/v1/paths/' + encodeURIComponent(src) + '/' + encodeURIComponent(dst));
    if (!selected || selected.src !== src || selected.dst !== dst) return;  // another click won
    target.replaceChildren(renderPath(path));
    view.dataset.loaded = src + '/' + dst;
  } catch (error) {
    target.replaceChildren(el('p', {className: 'negative', text: error.message}));
  }
}

function closePath() {
  selected = null;
  document.getElementById('path-view').hidden = true;
  for (const td of document.querySelectorAll('td.cell.selected')) td.classList.remove('selected');
}

// ------------------------------------------------------------------ breaches

async function refreshBreaches() {
  const holder = document.getElementById('breaches');
  try {
    const answer = await getJson('/api/v1/breaches');
    const breaches = Array.isArray(answer.breaches) ? answer.breaches.slice() : [];
    breaches.sort(
        (a, b) => (b.open === true) - (a.open === true) ||
            String(b.start).localeCompare(String(a.start)));
    holder.replaceChildren(
        breaches.length ? breachesTable(breaches, true) :
                          el('p', {className: 'hint', text: 'No breach in the last 24 h.'}));
  } catch (error) {
    holder.replaceChildren(el('p', {className: 'negative', text: 'breaches: ' + error.message}));
  }
}

function start() {
  document.getElementById('path-close').addEventListener('click', closePath);
  refreshMatrix();
  refreshBreaches();
  setInterval(refreshMatrix, MATRIX_EVERY_MS);
  setInterval(refreshBreaches, BREACHES_EVERY_MS);
  setInterval(() => {
    if (selected) openPath(selected.src, selected.dst);
  }, BREACHES_EVERY_MS);
}

document.addEventListener('DOMContentLoaded', start);
