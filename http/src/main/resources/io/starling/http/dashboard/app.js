// Starling's dashboard: a page per URL, drawn from the JSON API under /api/v1 (docs/admin-api.md)
// and nothing else. Plain DOM, no framework and no build; uPlot (a WebJar) draws the charts.

const API = '/api/v1';
const POLL_MS = 2000;
const HISTORY_SECONDS = 5 * 60;
const PAGE_SIZE = 100;
const CLIENTS_REFRESH_MS = 5000;
const LIVE_ROWS = 500;
const TREE_PAGES = 10;          // the topic tree reads at most 10 pages of 1000 retained messages
const enc = encodeURIComponent;

// ---- DOM, API and messages -------------------------------------------------------------------

/** An element with attributes (on* are listeners) and children (strings become text, never HTML). */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value == null || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : value);
  }
  el.append(...children.flat().filter(c => c != null && c !== false).map(c => c instanceof Node ? c : String(c)));
  return el;
}

class ApiError extends Error {}

/** Calls the API; answers its JSON (null for 204), or throws its {"error": ...} as an ApiError. */
async function api(path, { method = 'GET', body, signal } = {}) {
  const response = await fetch(API + path, {
    method, signal,
    headers: body === undefined ? { Accept: 'application/json' }
      : { Accept: 'application/json', 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON: reported below if an error */ }
  if (!response.ok) {
    const reason = json && json.error ? json.error : `${response.status} ${response.statusText}`.trim();
    throw new ApiError(`${method} ${API}${path}: ${reason}`);
  }
  return json;
}

function showError(error) {
  if (error && error.name === 'AbortError') return;    // the page was left; nobody is waiting
  document.getElementById('error-text').textContent = error instanceof Error ? error.message : String(error);
  document.getElementById('error').hidden = false;
}

function clearError() {
  document.getElementById('error').hidden = true;
}

let pendingNotice = null;

/** A success message, shown now or, with afterNavigation, on the next page. */
function notice(text, afterNavigation = false) {
  if (afterNavigation) { pendingNotice = text; return; }
  const el = document.getElementById('notice');
  el.textContent = text;
  el.hidden = false;
}

const time = ms => new Date(ms).toLocaleString();
const bytesOf = base64 => Uint8Array.from(atob(base64), c => c.charCodeAt(0));
const hex = bytes => Array.from(bytes, b => b.toString(16).padStart(2, '0')).join(' ');
const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
const duration = seconds => seconds < 60 ? `${seconds} s`
  : [[Math.floor(seconds / 86400), 'd'], [Math.floor(seconds / 3600) % 24, 'h'], [Math.floor(seconds / 60) % 60, 'min']]
    .filter(([n]) => n > 0).map(([n, unit]) => `${n} ${unit}`).join(' ');
const level = name => name === '' ? h('em', { class: 'muted' }, '(empty)') : name;

/** A table of items, one row per item, a column per [header, item => cell]. */
function table(testid, columns, items) {
  return h('table', { 'data-testid': testid },
    h('thead', {}, h('tr', {}, columns.map(([header]) => h('th', { scope: 'col' }, header)))),
    h('tbody', {}, items.length === 0
      ? h('tr', {}, h('td', { colspan: columns.length, class: 'muted' }, 'None'))
      : items.map(item => h('tr', { 'data-key': item.client_id ?? item.topic ?? '' },
        columns.map(([, cell]) => h('td', {}, cell(item)))))));
}

/** A paged list: fetchPage(offset, limit) answers an API page; the view redraws on reload(). */
function pagedTable(testid, columns, fetchPage) {
  const el = h('div', { class: 'paged' });
  let offset = 0;
  async function reload(at = offset) {
    const page = await fetchPage(at, PAGE_SIZE);
    offset = page.offset;
    const last = Math.min(page.offset + page.items.length, page.total);
    el.replaceChildren(table(testid, columns, page.items), h('p', { class: 'pager' },
      h('span', { 'data-testid': `${testid}-count` },
        page.total === 0 ? 'none' : `${page.offset + 1}–${last} of ${page.total}`),
      h('button', { type: 'button', disabled: offset === 0, onclick: () => reload(Math.max(0, offset - PAGE_SIZE)).catch(showError) }, 'Previous'),
      h('button', { type: 'button', disabled: last >= page.total, onclick: () => reload(offset + PAGE_SIZE).catch(showError) }, 'Next')));
  }
  return { el, reload };
}

/** A search form whose inputs mirror the URL's query; onChange runs (debounced) as one types. */
function searchForm(fields, onChange, signal) {
  const query = new URLSearchParams(location.search);
  let timer;
  const inputs = fields.map(([name, label]) => h('label', {}, label,
    h('input', { type: 'search', name, value: query.get(name) ?? '', 'data-testid': `search-${name}`,
      oninput: () => { clearTimeout(timer); timer = setTimeout(changed, 250); } })));
  signal.addEventListener('abort', () => clearTimeout(timer));
  const form = h('form', { role: 'search', class: 'search', onsubmit: e => { e.preventDefault(); changed(); } }, inputs);
  function values() {
    const params = new URLSearchParams();
    for (const input of form.querySelectorAll('input')) if (input.value) params.set(input.name, input.value);
    return params;
  }
  function changed() {
    const params = values();
    const query = String(params);
    history.replaceState(null, '', location.pathname + (query ? `?${query}` : ''));
    onChange(params);
  }
  return { form, values };
}

// ---- Overview: counters sampled every 2 s, whatever the page, for the last 5 minutes -----------

const samples = [];             // {t: epoch seconds, o: an /overview answer}
let overviewListener = null;    // the overview page, while it is shown

async function sample() {
  try {
    const o = await api('/overview');
    const t = Date.now() / 1000;
    samples.push({ t, o });
    while (samples.length > 0 && samples[0].t < t - HISTORY_SECONDS) samples.shift();
    overviewListener?.(o, null);
  } catch (error) {
    overviewListener?.(null, error);
  } finally {
    setTimeout(sample, POLL_MS);
  }
}

const dropped = o => Object.values(o.dropped ?? {}).reduce((a, b) => a + b, 0);

/** Chart data from the differences between two samples; a counter that went back (a restart) is a gap. */
function series() {
  const t = [], connections = [], received = [], sent = [], drops = [], commitMs = [];
  const rate = (a, b, dt) => b >= a ? (b - a) / dt : null;
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1], b = samples[i], dt = b.t - a.t;
    if (dt <= 0) continue;
    t.push(b.t);
    connections.push(b.o.connections);
    received.push(rate(a.o.messages_received, b.o.messages_received, dt));
    sent.push(rate(a.o.messages_sent, b.o.messages_sent, dt));
    drops.push(rate(dropped(a.o), dropped(b.o), dt));
    const commits = b.o.store_commits - a.o.store_commits;
    commitMs.push(commits > 0 ? 1000 * (b.o.store_commit_seconds_total - a.o.store_commit_seconds_total) / commits : null);
  }
  return { t, connections, received, sent, drops, commitMs };
}

const CHARTS = [
  { id: 'connections', title: 'Connections', lines: [['connections', 'connections', '#2563eb']] },
  { id: 'messages', title: 'Messages per second', lines: [['in', 'received', '#16a34a'], ['out', 'sent', '#9333ea']] },
  { id: 'drops', title: 'Dropped per second', lines: [['dropped', 'drops', '#dc2626']] },
  { id: 'latency', title: 'Store commit, mean ms', lines: [['commit', 'commitMs', '#d97706']] },
];

async function overviewPage(root, signal) {
  const stats = h('dl', { class: 'stats' });
  const charts = h('div', { class: 'charts' });
  // shown only when the broker is a cluster node (GET /cluster says enabled)
  const cluster = h('section', { class: 'cluster', 'data-testid': 'cluster', hidden: true });
  root.append(h('h1', {}, 'Overview'), stats, cluster, charts);
  if (typeof uPlot === 'undefined') showError('The charting library (uPlot) did not load.');
  // every box is laid out before the first chart measures the width of its own
  const boxes = CHARTS.map(spec => h('figure', { class: 'chart', 'data-testid': 'chart', 'data-chart': spec.id, 'data-points': 0 }));
  charts.append(...boxes);
  // uPlot draws on a canvas, which CSS does not reach: the axes take the page's colours from here
  const css = getComputedStyle(document.documentElement);
  const axis = { stroke: css.getPropertyValue('--muted'), grid: { stroke: css.getPropertyValue('--line'), width: 1 },
    ticks: { stroke: css.getPropertyValue('--line'), width: 1 } };
  const plots = typeof uPlot === 'undefined' ? [] : CHARTS.map((spec, i) => {
    const box = boxes[i];
    const plot = new uPlot({
      title: spec.title, width: box.clientWidth || 500, height: 200, axes: [axis, axis],
      series: [{}, ...spec.lines.map(([label, , stroke]) => ({ label, stroke, width: 2 }))],
      scales: { y: { range: (u, min, max) => [0, Math.max(1, max)] } },
    }, [[], ...spec.lines.map(() => [])], box);
    return { spec, box, plot };
  });
  // the boxes' width changes with the window, and when a scroll bar comes or goes
  const resized = new ResizeObserver(() => plots.forEach(p => p.plot.setSize({ width: p.box.clientWidth, height: 200 })));
  boxes.forEach(box => resized.observe(box));
  signal.addEventListener('abort', () => resized.disconnect());

  const stat = (key, label, value) => h('div', { class: 'stat' }, h('dt', {}, label), h('dd', { 'data-testid': `stat-${key}` }, value));
  function draw(o, error) {
    if (error) return showError(error);
    const s = series();
    const last = values => values.length ? values[values.length - 1] : null;
    const perSecond = v => v == null ? '–' : v.toFixed(1);
    stats.replaceChildren(...[
      stat('connections', 'Connections', o.connections),
      stat('sessions', 'Sessions online / offline', `${o.sessions_online} / ${o.sessions_offline}`),
      stat('subscriptions', 'Subscriptions', o.subscriptions),
      stat('retained', 'Retained messages', `${o.retained_messages} (${o.retained_bytes} bytes)`),
      stat('received', 'Messages in /s', perSecond(last(s.received))),
      stat('sent', 'Messages out /s', perSecond(last(s.sent))),
      stat('dropped', 'Dropped since start', dropped(o)),
      stat('commit', 'Store commit, mean ms', last(s.commitMs)?.toFixed(2) ?? '–'),
      stat('uptime', 'Uptime', duration(o.uptime_seconds)),
      stat('version', 'Version', o.version),
    ]);
    for (const { spec, box, plot } of plots) {
      plot.setData([s.t, ...spec.lines.map(([, key]) => s[key])]);
      box.dataset.points = s.t.length;
    }
    api('/cluster', { signal }).then(c => drawCluster(cluster, c)).catch(showError);
  }
  overviewListener = draw;
  signal.addEventListener('abort', () => { if (overviewListener === draw) overviewListener = null; });
  const latest = samples[samples.length - 1];
  if (latest) draw(latest.o, null);
}

/** The cluster panel of the overview: the members as this node sees them, and what it forwarded. */
function drawCluster(section, c) {
  section.hidden = !c.enabled;
  if (!c.enabled) return section.replaceChildren();
  const role = m => [m.coordinator && 'coordinator', m.self && 'this node'].filter(Boolean).join(', ');
  section.replaceChildren(
    h('h2', {}, `Cluster ${c.cluster}: ${plural(c.members.length, 'member')}`),
    table('cluster-members', [
      ['Node', m => h('code', {}, m.node)],
      ['Role', role],
      ['Routes', m => m.routes],
      ['Waiting to be forwarded', m => m.forward_queue ?? '–'],
    ], c.members),
    h('p', { class: 'muted', 'data-testid': 'cluster-traffic' },
      `Forwarded since start: ${c.messages.out} messages out, ${c.messages.in} in, ${c.messages.dropped} dropped; `
      + `retained changes replicated: ${c.retained_replicated.out} out, ${c.retained_replicated.in} in; `
      + `${c.replication_queue} waiting.`));
}

// ---- Clients ----------------------------------------------------------------------------------

/** Kicks the client off, then done(a message saying so). */
async function disconnect(clientId, done) {
  await api(`/clients/${enc(clientId)}/disconnect`, { method: 'POST' });
  done(`Disconnected ${clientId}.`);
}

async function clientsPage(root, signal) {
  const list = pagedTable('clients', [
    ['Client id', c => h('a', { href: `/clients/${enc(c.client_id)}`, 'data-testid': 'client-link' }, c.client_id)],
    ['User', c => c.username ?? h('span', { class: 'muted' }, '–')],
    ['Address', c => c.address],
    ['Protocol', c => c.protocol],
    ['Connected', c => time(c.connected_at)],
    ['', c => h('button', { type: 'button', class: 'danger', 'data-testid': 'row-disconnect',
      'aria-label': `Disconnect ${c.client_id}`,
      onclick: () => disconnect(c.client_id, text => { notice(text); return list.reload(); }).catch(showError) }, 'Disconnect')],
  ], (offset, limit) => api(`/clients?${search.values()}&offset=${offset}&limit=${limit}`, { signal }));
  const search = searchForm([['client_id', 'Client id'], ['user', 'User'], ['address', 'Address']],
    () => list.reload(0).catch(showError), signal);
  root.append(h('h1', {}, 'Clients'), search.form, list.el);
  await list.reload(0);
  // connections come and go: the table follows them while it is shown
  const timer = setInterval(() => list.reload().catch(showError), CLIENTS_REFRESH_MS);
  signal.addEventListener('abort', () => clearInterval(timer));
}

async function clientPage(root, signal, clientId) {
  root.append(h('p', {}, h('a', { href: '/clients' }, '← Clients')),
    h('h1', {}, 'Client ', h('code', { 'data-testid': 'client-id' }, clientId)));
  const c = await api(`/clients/${enc(clientId)}`, { signal });
  const conn = c.connection, session = c.session;
  const row = (label, value, testid) => [h('dt', {}, label), h('dd', { 'data-testid': testid }, value ?? '–')];
  root.append(h('dl', { class: 'details' }, [
    row('Connected', c.connected ? 'yes' : 'no', 'client-connected'),
    conn && row('Address', conn.address), conn && row('Protocol', conn.protocol),
    conn && row('User', conn.username), conn && row('Connected at', time(conn.connected_at)),
    conn && row('Keep alive', `${c.keep_alive_seconds} s`),
    session && row('Session', session.persistent ? 'persistent' : 'ends with the connection'),
    session && row('Session expiry', session.expiry_seconds === 4294967295 ? 'never' : `${session.expiry_seconds} s`),
    session && row('Queued', `${plural(session.queued, 'message')}, ${session.queued_bytes} bytes`, 'client-queued'),
    session && row('In flight', session.inflight, 'client-inflight'),
  ].flat().filter(Boolean)),
  h('p', { class: 'actions' },
    h('button', { type: 'button', class: 'danger', 'data-testid': 'disconnect', disabled: !c.connected,
      onclick: () => disconnect(clientId, text => { notice(text, true); navigate('/clients'); }).catch(showError) }, 'Disconnect'),
    session && !c.connected && h('button', { type: 'button', class: 'danger', 'data-testid': 'delete-session',
      onclick: () => api(`/sessions/${enc(clientId)}`, { method: 'DELETE' })
        .then(() => { notice(`Deleted the session of ${clientId}.`, true); navigate('/clients'); }).catch(showError) },
    'Delete session')),
  h('h2', {}, 'Subscriptions'),
  table('client-subscriptions', SUBSCRIPTION_COLUMNS.slice(1), c.subscriptions));
}

// ---- Subscriptions ----------------------------------------------------------------------------

const yes = b => b ? 'yes' : 'no';
const SUBSCRIPTION_COLUMNS = [
  ['Client id', s => h('a', { href: `/clients/${enc(s.client_id)}` }, s.client_id)],
  ['Filter', s => h('code', {}, s.filter)],
  ['QoS', s => s.qos],
  ['No local', s => yes(s.no_local)],
  ['Retain as published', s => yes(s.retain_as_published)],
  ['Retain handling', s => s.retain_handling],
  ['Share group', s => s.share_group ?? '–'],
];

async function subscriptionsPage(root, signal) {
  const list = pagedTable('subscriptions', SUBSCRIPTION_COLUMNS,
    (offset, limit) => api(`/subscriptions?${search.values()}&offset=${offset}&limit=${limit}`, { signal }));
  const search = searchForm([['filter', 'Filter contains'], ['client_id', 'Client id (exact)']],
    () => list.reload(0).catch(showError), signal);
  root.append(h('h1', {}, 'Subscriptions'), search.form, list.el);
  await list.reload(0);
}

// ---- Topics: the retained messages as a tree of levels ------------------------------------------

function topicTree(items) {
  const top = { children: new Map() };
  for (const item of items) {
    const levels = item.topic.split('/');
    let node = top;
    levels.forEach((name, i) => {
      if (!node.children.has(name)) {
        node.children.set(name, { name, path: levels.slice(0, i + 1).join('/'), children: new Map(), item: null });
      }
      node = node.children.get(name);
    });
    node.item = item;
  }
  return top;
}

/** Nested lists; levels open and close with their toggle, all open when the tree is small. */
function treeList(node, open, select) {
  return h('ul', { class: 'tree' }, [...node.children.values()].map(child => {
    const sub = child.children.size > 0 ? treeList(child, open, select) : null;
    if (sub) sub.hidden = !open;
    const toggle = sub && h('button', { type: 'button', class: 'toggle', 'aria-expanded': String(open),
      'aria-label': `${open ? 'Collapse' : 'Expand'} ${child.path}`, 'data-testid': 'topic-toggle', 'data-topic': child.path,
      onclick: () => {
        sub.hidden = !sub.hidden;
        toggle.setAttribute('aria-expanded', String(!sub.hidden));
        toggle.setAttribute('aria-label', `${sub.hidden ? 'Expand' : 'Collapse'} ${child.path}`);
      } }, '▸');
    const label = child.item
      ? h('button', { type: 'button', class: 'topic', 'data-testid': 'topic-select', 'data-topic': child.path,
        onclick: () => select(child.path) }, level(child.name), h('small', {}, ` ${child.item.payload_bytes} B`))
      : h('span', { class: 'level' }, level(child.name));
    return h('li', {}, h('div', { class: 'node' }, toggle || h('span', { class: 'toggle-space' }), label), sub);
  }));
}

function payloadView(m) {
  const bytes = bytesOf(m.payload_base64);
  const views = { text: m.payload, hex: hex(bytes), base64: m.payload_base64 };
  const pre = h('pre', { class: 'payload', 'data-testid': 'payload' });
  const choose = h('select', { 'data-testid': 'payload-view', onchange: () => { pre.textContent = views[choose.value]; } },
    Object.keys(views).filter(k => views[k] != null).map(k => h('option', { value: k }, k)));
  pre.textContent = views[choose.value];
  return [h('p', {}, h('label', {}, 'Payload as ', choose), ` ${plural(bytes.length, 'byte')}`), pre];
}

async function topicsPage(root, signal) {
  const query = new URLSearchParams(location.search);
  const filter = h('input', { name: 'filter', value: query.get('filter') ?? '#', 'data-testid': 'topics-filter', required: true });
  const tree = h('div', { class: 'tree-box', 'data-testid': 'topic-tree' });
  const detail = h('section', { class: 'detail', 'data-testid': 'retained-detail', 'aria-live': 'polite' });
  root.append(h('h1', {}, 'Topics'),
    h('form', { class: 'search', onsubmit: e => { e.preventDefault(); load().catch(showError); } },
      h('label', {}, 'Topic filter', filter), h('button', { class: 'primary' }, 'Show')),
    h('div', { class: 'split' }, tree, detail));

  function remember(topic) {
    const params = new URLSearchParams({ filter: filter.value });
    if (topic != null) params.set('topic', topic);
    history.replaceState(null, '', `/topics?${params}`);
  }

  async function select(topic) {
    remember(topic);
    for (const b of tree.querySelectorAll('[aria-current]')) b.removeAttribute('aria-current');
    tree.querySelector(`[data-testid=topic-select][data-topic="${CSS.escape(topic)}"]`)?.setAttribute('aria-current', 'true');
    const m = await api(`/retained/${enc(topic)}`, { signal });
    const row = (label, value) => [h('dt', {}, label), h('dd', {}, value)];
    detail.replaceChildren(h('h2', {}, h('code', { 'data-testid': 'retained-topic' }, m.topic)),
      h('dl', { class: 'details' }, [
        row('QoS', m.qos), row('Publisher', m.publisher_id === '' ? '(the broker)' : m.publisher_id ?? '–'),
        row('Content type', m.content_type ?? '–'), row('Expires', m.expires_at ? time(m.expires_at) : 'never'),
      ].flat()),
      ...payloadView(m),
      h('button', { type: 'button', class: 'danger', 'data-testid': 'delete-retained', onclick: () =>
        api(`/retained/${enc(topic)}`, { method: 'DELETE' }).then(() => {
          notice(`Deleted the retained message of ${topic}.`);
          detail.replaceChildren();
          remember(null);
          return load();
        }).catch(showError) }, 'Delete retained message'));
  }

  async function load() {
    remember(null);
    const items = [];
    let total = 0;
    for (let page = 0; page < TREE_PAGES; page++) {
      const answer = await api(`/retained?filter=${enc(filter.value)}&offset=${items.length}&limit=1000`, { signal });
      items.push(...answer.items);
      total = answer.total;
      if (answer.items.length === 0 || items.length >= total) break;
    }
    tree.replaceChildren(h('p', { 'data-testid': 'topics-count' }, `${plural(total, 'retained message')}`
      + (items.length < total ? `, the first ${items.length} shown` : '')),
    treeList(topicTree(items), items.length <= 100, topic => select(topic).catch(showError)));
  }

  await load();
  if (query.get('topic') != null) await select(query.get('topic'));
}

// ---- Publish ----------------------------------------------------------------------------------

async function publishPage(root) {
  const result = h('output', { 'data-testid': 'publish-result' });
  const form = h('form', { class: 'stacked', 'data-testid': 'publish-form', onsubmit: async e => {
    e.preventDefault();
    const data = new FormData(form);
    const message = { topic: data.get('topic'), qos: Number(data.get('qos')), retain: data.has('retain') };
    message[data.has('base64') ? 'payload_base64' : 'payload'] = data.get('payload');
    result.textContent = 'Publishing…';
    try {
      const answer = await api('/publish', { method: 'POST', body: message });
      result.textContent = `Published to ${message.topic}: ${plural(answer.subscribers, 'subscriber')}.`;
    } catch (error) {
      result.textContent = '';
      showError(error);
    }
  } },
  h('label', {}, 'Topic', h('input', { name: 'topic', required: true, 'data-testid': 'publish-topic' })),
  h('label', {}, 'Payload', h('textarea', { name: 'payload', rows: 5, 'data-testid': 'publish-payload' })),
  h('label', { class: 'inline' }, h('input', { type: 'checkbox', name: 'base64', 'data-testid': 'publish-base64' }),
    'The payload is base64 (for binary payloads)'),
  h('label', {}, 'QoS', h('select', { name: 'qos', 'data-testid': 'publish-qos' },
    [0, 1, 2].map(q => h('option', { value: q }, q)))),
  h('label', { class: 'inline' }, h('input', { type: 'checkbox', name: 'retain', 'data-testid': 'publish-retain' }), 'Retain'),
  h('p', {}, h('button', { class: 'primary', 'data-testid': 'publish-submit' }, 'Publish'), ' ', result));
  root.append(h('h1', {}, 'Publish'), form);
}

// ---- Live messages ----------------------------------------------------------------------------

async function livePage(root, signal) {
  const query = new URLSearchParams(location.search);
  const filter = h('input', { name: 'filter', value: query.get('filter') ?? '#', required: true, 'data-testid': 'live-filter' });
  const status = h('span', { class: 'status', 'data-testid': 'live-status', 'data-state': 'stopped' }, 'stopped');
  const count = h('span', { 'data-testid': 'live-count' }, '0 messages');
  const rows = h('tbody', { 'data-testid': 'live-messages' });
  const stopButton = h('button', { type: 'button', 'data-testid': 'live-stop', disabled: true, onclick: stop }, 'Stop');
  let source = null, received = 0;
  root.append(h('h1', {}, 'Live messages'),
    h('form', { class: 'search', onsubmit: e => { e.preventDefault(); start(); } },
      h('label', {}, 'Topic filter', filter), h('button', { class: 'primary', 'data-testid': 'live-start' }, 'Start'), stopButton,
      h('button', { type: 'button', onclick: () => { rows.replaceChildren(); setCount(0); } }, 'Clear')),
    h('p', {}, status, ' · ', count, ` (the newest ${LIVE_ROWS} are kept)`),
    h('table', {}, h('thead', {}, h('tr', {}, ['Received', 'Topic', 'QoS', 'Retain', 'Publisher', 'Payload']
      .map(t => h('th', { scope: 'col' }, t)))), rows));

  function setState(state, text = state) {
    status.dataset.state = state;
    status.textContent = text;
  }
  function setCount(n) {
    received = n;
    count.textContent = plural(n, 'message');
  }
  function start() {
    stop();
    clearError();
    const url = `${API}/stream?filter=${enc(filter.value)}`;
    history.replaceState(null, '', `/live?filter=${enc(filter.value)}`);
    const es = source = new EventSource(url);
    setState('connecting', 'connecting…');
    stopButton.disabled = false;
    es.onopen = () => setState('open', `receiving ${filter.value}`);
    es.onmessage = event => {
      const m = JSON.parse(event.data);
      const payload = m.payload ?? `base64: ${m.payload_base64}`;
      rows.prepend(h('tr', { 'data-testid': 'live-message', 'data-topic': m.topic },
        h('td', {}, time(m.received_at)), h('td', {}, h('code', {}, m.topic)), h('td', {}, m.qos), h('td', {}, yes(m.retain)),
        h('td', {}, m.publisher_id === '' ? '(the broker)' : m.publisher_id),
        h('td', { class: 'payload-cell', 'data-testid': 'live-payload' }, payload.length > 1000 ? `${payload.slice(0, 1000)}…` : payload)));
      while (rows.childElementCount > LIVE_ROWS) rows.lastElementChild.remove();
      setCount(received + 1);
    };
    es.onerror = () => {
      if (es.readyState !== EventSource.CLOSED) return setState('connecting', 'reconnecting…');
      setState('error', 'failed');
      // EventSource does not say why; asking again with fetch() gets the API's {"error": ...}
      const probe = new AbortController();
      fetch(url, { signal: probe.signal }).then(async response => {
        if (!response.ok) showError(`GET ${url}: ${(await response.json().catch(() => ({}))).error ?? response.status}`);
      }).catch(showError).finally(() => probe.abort());
    };
  }
  function stop() {
    source?.close();
    source = null;
    stopButton.disabled = true;
    setState('stopped');
  }
  signal.addEventListener('abort', stop);
  if (query.has('filter')) start();
}

// ---- Routing: a URL per page, history API ---------------------------------------------------

const ROUTES = [
  [/^\/$/, 'overview', 'Overview', overviewPage],
  [/^\/clients$/, 'clients', 'Clients', clientsPage],
  [/^\/clients\/([^/]+)$/, 'clients', 'Client', clientPage],
  [/^\/subscriptions$/, 'subscriptions', 'Subscriptions', subscriptionsPage],
  [/^\/topics$/, 'topics', 'Topics', topicsPage],
  [/^\/publish$/, 'publish', 'Publish', publishPage],
  [/^\/live$/, 'live', 'Live messages', livePage],
];

let leave = null;               // aborts the shown page's requests, timers and streams

function route() {
  leave?.abort();
  const controller = leave = new AbortController();
  clearError();
  document.getElementById('notice').hidden = true;
  if (pendingNotice) { notice(pendingNotice); pendingNotice = null; }
  // each page draws into a section of its own, so a page left half-loaded writes into nothing shown
  const root = h('section', { 'data-testid': 'page-root' });
  const main = document.getElementById('page');
  main.replaceChildren(root);
  const found = ROUTES.find(([pattern]) => pattern.test(location.pathname));
  const [pattern, name, title, page] = found ?? [null, 'none', 'Not found', null];
  main.dataset.page = name;
  document.title = `${title} · Starling`;
  for (const link of document.querySelectorAll('[data-nav]')) {
    if (link.dataset.nav === name) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (!page) {
    root.append(h('h1', {}, 'Not found'), h('p', {}, 'No such page. ', h('a', { href: '/' }, 'Overview')));
    return;
  }
  const args = pattern.exec(location.pathname).slice(1).map(decodeURIComponent);
  page(root, controller.signal, ...args).catch(error => { if (!controller.signal.aborted) showError(error); });
}

function navigate(path) {
  if (path !== location.pathname + location.search) history.pushState(null, '', path);
  route();
}

document.addEventListener('click', event => {
  const link = event.target.closest('a[href]');
  if (!link || link.target || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const url = new URL(link.href);
  if (url.origin !== location.origin || !ROUTES.some(([pattern]) => pattern.test(url.pathname))) return;
  event.preventDefault();
  navigate(url.pathname + url.search);
});
addEventListener('popstate', route);
document.getElementById('error-close').addEventListener('click', clearError);

route();
sample();
