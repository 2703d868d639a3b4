// The live view's page: draws what the server-sent events say and posts the controls.
// Plain JavaScript, no build step, nothing fetched from outside 127.0.0.1.
'use strict';

// Every uncaught error is kept, so the browser test can check the page ran without one.
window.liveErrors = [];
window.addEventListener('error', (e) => window.liveErrors.push(String(e.message)));

const PALETTE = ['#2563eb', '#ea580c', '#16a34a', '#9333ea', '#db2777', '#0891b2', '#ca8a04', '#4b5563'];
const MAX_ROWS = 60;
const SEQUENCE = 40;

const page = {
  servers: [], sides: [], algorithm: '', backend: '', ring: false,
  sequence: { haproxy: [], lbkit: [] }, lastState: null, lastRequest: null,
};

const $ = (id) => document.getElementById(id);
const el = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v; else if (k === 'text') e.textContent = v; else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
};
const color = (server) => {
  const i = page.servers.indexOf(server);
  return i < 0 ? '#9ca3af' : PALETTE[i % PALETTE.length];
};
const sideLabel = (side) => (side === 'haproxy' ? 'HAProxy' : 'lbkit');
const hex = (n) => '0x' + Number(n).toString(16).padStart(8, '0');

async function post(path, params) {
  const response = await fetch(path, { method: 'POST', body: new URLSearchParams(params) });
  const body = await response.json().catch(() => ({ error: 'no answer' }));
  if (!response.ok) {
    addCommand({ command: path.replace('/api/', '') + ' ' + new URLSearchParams(params), kind: 'refused by the page',
      answers: [{ side: 'live view', answer: body.error || response.statusText, ok: false }], alike: true });
  }
  return body;
}

// ---- events ----

function connect() {
  const events = new EventSource('events');
  events.addEventListener('hello', (e) => hello(JSON.parse(e.data)));
  events.addEventListener('request', (e) => request(JSON.parse(e.data), true));
  events.addEventListener('state', (e) => state(JSON.parse(e.data)));
  events.addEventListener('command', (e) => addCommand(JSON.parse(e.data)));
  events.addEventListener('reset', () => {
    $('requests').tBodies[0].replaceChildren();
    page.sequence = { haproxy: [], lbkit: [] };
    drawSequence();
  });
  events.onopen = () => { $('connection').textContent = 'live'; $('connection').className = 'pill live'; };
  events.onerror = () => { $('connection').textContent = 'disconnected'; $('connection').className = 'pill lost'; };
}

function hello(h) {
  page.servers = h.servers;
  page.sides = h.haproxy ? ['haproxy', 'lbkit'] : ['lbkit'];
  page.algorithm = h.algorithm;
  page.backend = h.backend;
  page.ring = h.ring;
  document.title = 'lbkit live — ' + h.title;
  $('title').textContent = h.title;
  $('sides').textContent = (h.haproxy ? h.haproxy + '  ·  ' : 'no HAProxy on this machine  ·  ') + h.lbkit
    + ', balancing as HAProxy ' + h.line;
  $('sides').dataset.haproxy = h.haproxy || '';
  $('config').textContent = h.config;
  $('lbkit-config').textContent = h.lbkitConfig;
  $('algorithm-title').textContent = 'The algorithm: balance ' + h.algorithm;
  buildServerControls();
  $('requests').tBodies[0].replaceChildren();
  $('commands').replaceChildren();
  page.sequence = { haproxy: [], lbkit: [] };
  for (const r of h.recentRequests) request(r, false);
  for (const c of h.recentCommands) addCommand(c);
  state(h.state);
}

function request(r, fresh) {
  page.lastRequest = r;
  const tbody = $('requests').tBodies[0];
  const row = el('tr', { 'data-n': r.n, class: (r.same ? 'same' : 'differ') + (fresh ? ' fresh' : '') });
  const who = (s) => { const td = el('td'); td.append(el('span', { class: 'swatch', style: 'background:' + color(s) }), s ?? '-'); return td; };
  row.append(el('td', { class: 'mono', text: r.n }), el('td', { class: 'mono cut', text: r.request, title: r.request }),
    r.haproxy !== undefined ? who(r.haproxy) : el('td', { text: '-' }), who(r.lbkit),
    el('td', { class: 'mark ' + (r.same ? 'same' : 'differ'), text: r.same ? '=' : '≠' }),
    el('td', { class: 'mono cut wide', text: explainText(r), title: explainText(r) }),
    el('td', { class: 'mono', text: (r.haproxyMs ?? '-') + ' / ' + r.lbkitMs }));
  tbody.prepend(row);
  while (tbody.rows.length > MAX_ROWS) tbody.deleteRow(tbody.rows.length - 1);
  for (const side of page.sides) {
    page.sequence[side].push(r[side]);
    if (page.sequence[side].length > SEQUENCE) page.sequence[side].shift();
  }
  agreement(r.agreement);
  drawBars(r.counts, fresh ? r.lbkit : null);
  drawSequence();
  if (page.ring) drawRing();
}

function explainText(r) {
  const a = r.algorithm || {};
  if (a.point !== undefined) {
    return a.key + ' → ' + hex(a.point) + (a.owner ? ' → ring: ' + a.owner : '');
  }
  if (a.draws) {
    if (!a.draws.length) return 'draws not replayable (first draw of a 3.0+ process)';
    return a.draws.map((d, i) => 'draw ' + (i + 1) + ' ' + hex(d.point) + ' → ' + d.owner).join(', ') + ' ⇒ ' + r.lbkitPick;
  }
  return r.lbkitPick ? 'picked ' + r.lbkitPick : '';
}

function agreement(a) {
  const badge = $('agree');
  badge.dataset.same = a.same;
  badge.dataset.answered = a.answered;
  $('agree-text').textContent = 'same server ' + a.same + '/' + a.answered;
  const differ = a.same < a.answered;
  badge.className = 'badge' + (differ ? ' differ' : '');
  $('agree-note').textContent = page.sides.length < 2 ? 'no HAProxy: lbkit alone'
    : differ ? (a.answered - a.same) + ' request(s) went to different servers' : 'HAProxy and lbkit, request by request';
}

function drawBars(counts, hit) {
  const box = $('bars');
  const keys = new Set(page.servers);
  for (const side of page.sides) for (const k of Object.keys(counts[side] || {})) keys.add(k);
  let max = 1;
  for (const side of page.sides) for (const v of Object.values(counts[side] || {})) max = Math.max(max, v);
  box.replaceChildren();
  for (const server of keys) {
    const group = el('div', { class: 'bar-group' + (server === hit ? ' hit' : ''), 'data-server': server });
    group.append(el('div', { class: 'label' }, el('span', {}, el('span', { class: 'swatch', style: 'background:' + color(server) }), server)));
    for (const side of page.sides) {
      const n = (counts[side] || {})[server] || 0;
      const track = el('div', { class: 'bar-track' }, el('div', { class: 'bar ' + side, style: 'width:' + (100 * n / max) + '%;background:' + color(server) }));
      group.append(el('div', { class: 'bar-line' }, el('span', { text: sideLabel(side) }), track,
        el('span', { class: 'count', id: 'count-' + side + '-' + server, text: n })));
    }
    box.append(group);
  }
}

function drawSequence() {
  const box = $('sequence');
  box.replaceChildren();
  for (const side of page.sides) {
    const line = el('div', { class: 'seq' }, el('span', { class: 'who', text: sideLabel(side) }));
    for (const s of page.sequence[side]) {
      const i = page.servers.indexOf(s);
      line.append(el('span', { class: 'chip' + (i < 0 ? ' none' : ''), style: i < 0 ? '' : 'background:' + color(s), title: s, text: i < 0 ? '×' : i + 1 }));
    }
    box.append(line);
  }
}

// ---- state ----

function state(s) {
  page.lastState = s;
  $('rate-value').textContent = s.rate + '/s' + (s.queued ? ' +' + s.queued + ' queued' : '');
  if (document.activeElement !== $('rate')) $('rate').value = Math.min(50, s.rate);
  agreement(s.agreement);
  drawBars(s.counts, null);
  const tbody = $('state').tBodies[0];
  tbody.replaceChildren();
  const lbkitServers = Object.fromEntries(s.lbkit.servers.map((x) => [x.name, x]));
  const delays = Object.fromEntries(s.replicas.map((x) => [x.server, x.delayMs]));
  for (const server of page.servers) {
    const row = el('tr', { 'data-server': server });
    row.append(el('td', {}, el('span', { class: 'swatch', style: 'background:' + color(server) }), server));
    for (const side of ['haproxy', 'lbkit']) {
      const st = ((s.showStat || {})[side] || {})[server];
      if (!st) { for (let i = 0; i < 4; i++) row.append(el('td', { class: 'muted', text: '-' })); continue; }
      const status = String(st.status);
      row.append(el('td', { class: 'status-' + status.split(' ')[0], id: 'status-' + side + '-' + server, text: status }),
        el('td', { id: 'weight-' + side + '-' + server, text: st.weight }), el('td', { text: st.scur }), el('td', { text: st.lbtot }));
    }
    const mine = lbkitServers[server] || {};
    row.append(el('td', { text: mine.eweight }),
      el('td', { text: mine.eweight ? (mine.inFlight + ' ÷ ' + mine.eweight) : '-' }),
      el('td', { text: mine.maxInFlight }),
      el('td', { id: 'delay-' + server, text: (delays[server] || 0) + ' ms' }));
    tbody.append(row);
  }
  for (const row of $('server-controls').tBodies[0].rows) {
    const mine = lbkitServers[row.dataset.server];
    if (!mine) continue;
    const weightInput = $('weight-input-' + row.dataset.server);
    if (!weightInput.dataset.edited) weightInput.value = mine.weight;
    const delayInput = $('delay-input-' + row.dataset.server);
    if (!delayInput.dataset.edited) delayInput.value = delays[row.dataset.server] || 0;
    for (const b of row.querySelectorAll('button[data-state]')) {
      b.classList.toggle('current', b.dataset.state.toUpperCase() === (mine.state === 'UP' ? 'READY' : mine.state));
    }
  }
  drawAlgorithm(s);
}

function buildServerControls() {
  const tbody = $('server-controls').tBodies[0];
  tbody.replaceChildren();
  for (const server of page.servers) {
    const weight = el('input', { type: 'number', min: '0', max: '256', value: '1', id: 'weight-input-' + server });
    weight.oninput = () => { weight.dataset.edited = 'yes'; };
    const setWeight = el('button', { class: 'apply', id: 'set-weight-' + server, text: 'set' });
    setWeight.onclick = () => { delete weight.dataset.edited; post('api/weight', { server, weight: weight.value }); };
    const states = el('td');
    for (const st of ['ready', 'drain', 'maint']) {
      const b = el('button', { class: 'state', 'data-state': st, id: st + '-' + server, text: st === 'maint' ? 'DOWN (maint)' : st });
      b.onclick = () => post('api/state', { server, state: st });
      states.append(b);
    }
    const delay = el('input', { type: 'number', min: '0', step: '100', value: '0', id: 'delay-input-' + server });
    delay.oninput = () => { delay.dataset.edited = 'yes'; };
    const setDelay = el('button', { class: 'apply', id: 'set-delay-' + server, text: 'set' });
    setDelay.onclick = () => { delete delay.dataset.edited; post('api/delay', { server, ms: delay.value }); };
    tbody.append(el('tr', { 'data-server': server },
      el('td', {}, el('span', { class: 'swatch', style: 'background:' + color(server) }), server),
      el('td', {}, weight, setWeight), states, el('td', {}, delay, el('span', { class: 'muted small', text: 'ms' }), setDelay)));
  }
}

function addCommand(c) {
  const ok = c.answers.every((a) => a.ok);
  const li = el('li', { class: ok ? 'ok' : 'err' });
  li.append(el('div', { class: 'cmd mono', text: c.command }),
    el('div', { class: 'muted small', text: c.kind + (c.answers.length > 1 ? (c.alike ? ' · both sides answered alike' : ' · the sides answered differently') : '') }));
  const grid = el('div', { class: 'ans' });
  for (const a of c.answers) {
    grid.append(el('span', { text: a.side }), el('span', { class: 'v mono ' + (a.ok ? 'ok' : 'err'),
      text: a.answer === '' ? (a.ok ? 'accepted (empty answer)' : '(empty)') : a.answer }));
  }
  li.append(grid);
  $('commands').prepend(li);
}

// ---- the algorithm's own view ----

function drawAlgorithm(s) {
  const box = $('algorithm');
  box.replaceChildren();
  const servers = s.lbkit.servers;
  if (page.ring && s.lbkit.ring) {
    box.append(ringSvg(s.lbkit.ring, page.lastRequest));
    box.append(ringExplain(page.lastRequest));
    return;
  }
  if (page.algorithm === 'leastconn' || page.algorithm === 'first') {
    box.append(el('p', { class: 'small', text: page.algorithm === 'first'
      ? 'first sends every request to the first usable server (by id) that is below its maxconn, then the next one.'
      : 'leastconn picks the usable server with the fewest requests in flight per unit of weight (in flight ÷ 16·weight); ties go to the server that waited longest.' }));
    box.append(el('p', { class: 'small muted', text: 'Timing decides here: if a slow answer ends just as a request arrives, the two balancers may count different requests in flight and differ on that one request. The parity tests compare such runs statistically.' }));
    let max = 1;
    for (const x of servers) max = Math.max(max, x.inFlight);
    for (const x of servers) {
      box.append(el('div', { class: 'keybar' }, el('span', {}, el('span', { class: 'swatch', style: 'background:' + color(x.name) }), x.name),
        el('div', { class: 'bar-track' }, el('div', { class: 'bar', style: 'width:' + (100 * x.inFlight / max) + '%;background:' + color(x.name) })),
        el('span', { class: 'mono', text: x.usable ? x.inFlight + ' ÷ ' + x.eweight : x.state })));
    }
    return;
  }
  // Round robin (and what is left): the weights and a window's worth of picks.
  const usable = servers.filter((x) => x.usable);
  const window = usable.reduce((t, x) => t + x.weight, 0);
  box.append(el('p', { class: 'small', text: 'roundrobin hands out a window of Σ weights = ' + window
    + ' picks, each server as many as its weight, spread evenly, the heaviest first. Effective weights (16 × weight):' }));
  for (const x of servers) {
    box.append(el('div', { class: 'keybar' }, el('span', {}, el('span', { class: 'swatch', style: 'background:' + color(x.name) }), x.name),
      el('div', { class: 'bar-track' }, el('div', { class: 'bar', style: 'width:' + (100 * x.eweight / Math.max(1, ...servers.map((y) => y.eweight))) + '%;background:' + color(x.name) })),
      el('span', { class: 'mono', text: x.usable ? 'E = ' + x.eweight : x.state })));
  }
  const chips = (label, picks, attrs) => {
    const line = el('div', Object.assign({ class: 'seq start' }, attrs), el('span', { class: 'who small', text: label }));
    for (const p of picks) line.append(el('span', { class: 'chip', style: 'background:' + color(p), title: p, text: page.servers.indexOf(p) + 1 }));
    return line;
  };
  box.append(chips('last ' + Math.max(1, window), page.sequence.lbkit.slice(-Math.max(1, window)), { id: 'last-window' }));
  if (s.lbkit.next) {
    box.append(el('p', { class: 'small', text: 'Next picks if nothing changes, from lbkit\'s algorithm state (its calls replayed into a copy):' }));
    box.append(chips('next', s.lbkit.next, { id: 'next-picks', 'data-next': s.lbkit.next.join(',') }));
  }
}

function ringSvg(points, r) {
  const size = 300, c = size / 2, radius = 118;
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 ' + size + ' ' + size);
  svg.setAttribute('width', size);
  svg.setAttribute('height', size);
  svg.setAttribute('id', 'ring');
  const add = (tag, attrs) => { const e = document.createElementNS(ns, tag); for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v); svg.append(e); return e; };
  add('circle', { cx: c, cy: c, r: radius, fill: 'none', stroke: '#d1d5db', 'stroke-width': 2 });
  const at = (key, rr) => { const a = 2 * Math.PI * (Number(key) / 4294967296) - Math.PI / 2; return [c + rr * Math.cos(a), c + rr * Math.sin(a)]; };
  for (const [key, server] of points) {
    const [x1, y1] = at(key, radius - 7), [x2, y2] = at(key, radius + 7);
    add('line', { x1, y1, x2, y2, stroke: color(server), 'stroke-width': 2, class: 'point' });
  }
  const a = (r && r.algorithm) || {};
  const marks = a.point !== undefined ? [{ point: a.point, owner: a.owner, label: 'hash' }]
    : (a.draws || []).map((d, i) => ({ point: d.point, owner: d.owner, label: 'draw ' + (i + 1) }));
  marks.forEach((m, i) => {
    const [x, y] = at(m.point, radius - 22 - 16 * i);
    const [x0, y0] = at(m.point, radius + 12);
    add('line', { x1: c, y1: c, x2: x0, y2: y0, stroke: '#111827', 'stroke-width': 1.2, 'stroke-dasharray': '3 3' });
    add('circle', { cx: x, cy: y, r: 5, fill: color(m.owner), stroke: '#111827' });
    const t = add('text', { x: x + 8, y: y + 4 });
    t.textContent = m.label;
  });
  const label = add('text', { x: c, y: c + 4, 'text-anchor': 'middle' });
  label.textContent = points.length + ' points';
  return svg;
}

function ringExplain(r) {
  const p = el('div', { class: 'explain', id: 'ring-explain' });
  if (!r) { p.textContent = 'Each tick is one point of a server on the 32-bit ring (16 per unit of weight). Send a request to see where it lands.'; return p; }
  const a = r.algorithm || {};
  if (a.point !== undefined) {
    p.innerHTML = '';
    p.append(el('code', { text: a.key }), ' hashes to ', el('code', { text: hex(a.point) }),
      '; the closest point belongs to ', el('b', { text: a.owner || '-' }), '. lbkit picked ', el('b', { text: r.lbkitPick || '-' }),
      r.haproxy !== undefined ? ', HAProxy answered from ' : '', r.haproxy !== undefined ? el('b', { text: r.haproxy }) : '', '.');
  } else if (a.draws) {
    p.append('random(' + a.draws.length + ') drew ', ...a.draws.flatMap((d, i) => [i ? ' and ' : '', el('code', { text: hex(d.point) }), ' (' + d.owner + ')']),
      '; each later draw replaces the one kept unless it is more loaded (in flight ÷ weight): ', el('b', { text: r.lbkitPick || '-' }),
      r.haproxy !== undefined ? '. HAProxy: ' : '.', r.haproxy !== undefined ? el('b', { text: r.haproxy }) : '');
  }
  return p;
}

function drawRing() {
  if (page.lastState) drawAlgorithm(page.lastState);
}

// ---- controls ----

function wire() {
  for (const id of ['send-1', 'send-10', 'send-100']) {
    $(id).onclick = () => post('api/send', { count: $(id).dataset.count });
  }
  $('pause').onclick = () => post('api/rate', { value: 0 });
  $('reset').onclick = () => post('api/reset', {});
  $('rate').oninput = () => { $('rate-value').textContent = $('rate').value + '/s'; };
  $('rate').onchange = () => post('api/rate', { value: $('rate').value });
  $('command-form').onsubmit = (e) => {
    e.preventDefault();
    const command = $('command').value;
    if (command.trim()) post('api/command', { command });
  };
}

wire();
connect();
