// A queue's message tools: send a test message and the browser, which peeks
// (without leasing) and shows decoded bodies, each deletable by its ref.
import { api } from './api.js';
import { action, el, field, form, table } from './dom.js';
import { age, decodeBody, when } from './format.js';

function encodeBody(type, text) {
  if (type === 'json') return JSON.parse(text);
  if (type === 'bytes') {
    const raw = new TextEncoder().encode(text);
    return btoa(String.fromCharCode(...raw));
  }
  return text;
}

/** The send form and the browser for queue `id`; returns {sendSection, browser, browse()}. */
export function messageTools(id) {
  const body = el('textarea', { id: 'send-body', rows: 3, cols: 50 }, 'hello');
  const type = el('select', { id: 'send-type' }, ['text', 'json', 'bytes'].map((t) => el('option', { value: t }, t)));
  const delay = el('input', { id: 'send-delay', type: 'number', min: 0, max: 43200, placeholder: '0' });
  const sent = el('span', { id: 'sent', class: 'hint' });
  const sendSection = el('section', { id: 'send-section' }, el('h2', {}, 'Send a test message'),
    form({ id: 'send-form' }, async () => {
      let b;
      try {
        b = encodeBody(type.value, body.value);
      } catch (e) {
        throw new Error(`the body is not JSON: ${e.message}`);
      }
      const msg = { body: b, content_type: type.value };
      if (delay.value) msg.delay_seconds = Number(delay.value);
      const r = await api('POST', `/queues/${id}/messages`, msg);
      const m = (r && r.metadata && r.metadata.metrics) || {};
      sent.textContent = `Sent at ${new Date().toLocaleTimeString()}; backlog now ${m.backlog_count ?? '?'}.`;
    }, field('Body', body), field('Content type', type), field('Delay (s)', delay), el('button', { id: 'send' }, 'Send'), sent),
    el('p', { class: 'hint' }, 'bytes: the text is sent as its UTF-8 bytes (base64 on the wire).'));

  const count = el('input', { id: 'peek-count', type: 'number', min: 1, max: 100, value: 20 });
  const list = table('messages', ['id', 'type', 'sent', 'attempts', 'body', '']);
  const summary = el('p', { id: 'browse-summary', class: 'hint' });
  async function browse() {
    const r = await api('POST', `/queues/${id}/messages/peek`, { batch_size: Number(count.value) || 20 });
    summary.textContent = `Showing ${r.messages.length} of ${r.message_backlog_count} messages (peek leases nothing).`;
    list.body.replaceChildren(...r.messages.map((m) => {
      const d = decodeBody(m);
      return el('tr', { class: 'message' },
        el('td', { class: 'mono' }, m.id),
        el('td', {}, d.type, d.shown !== d.type ? el('span', { class: 'hint' }, ` (${d.shown})`) : null),
        el('td', { title: when(m.timestamp_ms) }, `${age(m.timestamp_ms)} ago`),
        el('td', { class: 'num' }, String(m.attempts)),
        el('td', {}, el('pre', { class: 'body' }, d.text)),
        el('td', {}, action('Delete', null, async () => {
          if (!confirm('Delete this message?')) return;
          await api('POST', `/queues/${id}/messages/purge`, { refs: [{ ref: m.ref }] });
          await browse();
        }, 'small')));
    }));
  }
  const browser = el('section', { id: 'browser' }, el('h2', {}, 'Messages'),
    el('p', {}, field('Show up to', count), action('Browse', 'browse', browse)), summary, list);
  return { sendSection, browser, browse };
}
