// The Sluice web console: plain ES module, public REST API only. The token
// lives in sessionStorage, never in the URL.
const main = document.getElementById('main');
const errorBox = document.getElementById('error');
let timer = null;

function session() {
  return { token: sessionStorage.getItem('sluice.token'), account: sessionStorage.getItem('sluice.account') };
}

function showError(msg) {
  errorBox.textContent = msg;
  errorBox.hidden = !msg;
}

async function api(method, path, body) {
  const s = session();
  const res = await fetch(`/client/v4/accounts/${encodeURIComponent(s.account)}${path}`, {
    method,
    headers: { Authorization: `Bearer ${s.token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const env = await res.json().catch(() => null);
  if (!env || !env.success) {
    const msg = env && env.errors && env.errors.length ? env.errors.map((e) => e.message).join('; ') : `HTTP ${res.status}`;
    throw new Error(`${res.status}: ${msg}`);
  }
  return env.result;
}

function el(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const k of kids) e.append(k);
  return e;
}

function signIn() {
  const token = el('input', { id: 'token', type: 'password', size: 50 });
  const account = el('input', { id: 'account', size: 34 });
  main.replaceChildren(el('h1', {}, 'Sign in'),
    el('form', { id: 'signin', onsubmit: (ev) => {
      ev.preventDefault();
      sessionStorage.setItem('sluice.token', token.value);
      sessionStorage.setItem('sluice.account', account.value);
      location.hash = '#/queues';
      route();
    } }, el('p', {}, 'Token ', token), el('p', {}, 'Account id ', account), el('button', {}, 'Sign in')));
}

async function queues() {
  const name = el('input', { id: 'new-queue' });
  const body = el('tbody');
  main.replaceChildren(el('h1', {}, 'Queues'),
    el('form', { onsubmit: async (ev) => {
      ev.preventDefault();
      try { await api('POST', '/queues', { queue_name: name.value }); name.value = ''; await refresh(); } catch (e) { showError(e.message); }
    } }, name, el('button', { id: 'create-queue' }, 'Create queue')),
    el('table', { id: 'queues' }, el('thead', {}, el('tr', {}, ...['name', 'backlog', 'oldest age (s)', 'consumer', 'state'].map((h) => el('th', {}, h)))), body));
  async function refresh() {
    const list = await api('GET', '/queues');
    const rows = await Promise.all(list.map(async (q) => {
      const m = await api('GET', `/queues/${q.queue_id}/metrics`).catch(() => ({}));
      const age = m.oldest_message_timestamp_ms ? ((Date.now() - m.oldest_message_timestamp_ms) / 1000).toFixed(0) : '';
      return el('tr', {}, el('td', {}, el('a', { href: `#/queue/${q.queue_id}` }, q.queue_name)), el('td', {}, String(m.backlog_count ?? '')),
        el('td', {}, age), el('td', {}, q.consumers.map((c) => c.type).join(', ')),
        el('td', { class: q.settings.delivery_paused ? 'paused' : 'ok' }, q.settings.delivery_paused ? 'paused' : 'active'));
    }));
    body.replaceChildren(...rows);
  }
  await refresh();
  timer = setInterval(() => refresh().catch((e) => showError(e.message)), 3000);
}

function decode(m) {
  if (m.content_type === 'text') return m.body;
  try {
    const text = new TextDecoder().decode(Uint8Array.from(atob(m.body), (c) => c.charCodeAt(0)));
    return text;
  } catch { return m.body; }
}

async function queue(id) {
  const q = await api('GET', `/queues/${id}`);
  const msgs = el('tbody');
  const text = el('input', { id: 'send-body', value: 'hello' });
  const act = (label, id2, fn) => el('button', { id: id2, onclick: async () => {
    try { await fn(); showError(''); } catch (e) { showError(e.message); }
  } }, label);
  const browse = async () => {
    const r = await api('POST', `/queues/${id}/messages/peek`, { batch_size: 50 });
    msgs.replaceChildren(...r.messages.map((m) => el('tr', {}, el('td', {}, m.id || ''), el('td', {}, m.content_type), el('td', {}, el('pre', {}, decode(m))))));
  };
  main.replaceChildren(el('h1', {}, `Queue ${q.queue_name}`),
    el('pre', { id: 'settings' }, JSON.stringify(q.settings, null, 2)),
    el('p', {}, text, act('Send test message', 'send', () => api('POST', `/queues/${id}/messages`, { body: text.value, content_type: 'text' })),
      act('Browse', 'browse', browse),
      act(q.settings.delivery_paused ? 'Resume' : 'Pause', 'pause', async () => {
        await api('PATCH', `/queues/${id}`, { settings: { delivery_paused: !q.settings.delivery_paused } }); route();
      }),
      act('Purge', 'purge', async () => { if (confirm('Delete every message of this queue?')) { await api('POST', `/queues/${id}/purge`, { delete_messages_permanently: true }); await browse(); } }),
      act('Delete queue', 'delete', async () => { if (confirm('Delete this queue?')) { await api('DELETE', `/queues/${id}`); location.hash = '#/queues'; } })),
    el('table', { id: 'messages' }, el('thead', {}, el('tr', {}, el('th', {}, 'id'), el('th', {}, 'type'), el('th', {}, 'body'))), msgs));
}

async function route() {
  clearInterval(timer);
  showError('');
  const h = location.hash;
  if (h === '#/signout') { sessionStorage.clear(); location.hash = ''; }
  const s = session();
  document.getElementById('nav').hidden = !s.token;
  if (!s.token) return signIn();
  try {
    const m = h.match(/^#\/queue\/([0-9a-f]+)$/);
    if (m) await queue(m[1]);
    else await queues();
  } catch (e) { showError(e.message); }
}

window.addEventListener('hashchange', route);
route();
