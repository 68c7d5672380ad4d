// The queues page: every queue with its backlog and what it is made of, its
// consumer, paused or active, and rates; refreshes itself; creates queues.
import { api, prometheusText, session } from './api.js';
import { el, field, form, table } from './dom.js';
import { age, bytes, rate } from './format.js';
import { operationCounters, record } from './stats.js';

export const REFRESH_MS = 3000;

const HEADS = ['name', 'backlog', 'bytes', 'oldest age', 'ready', 'delayed', 'in flight', 'in', 'out', 'net', 'consumer', 'state'];

export async function render(ctx) {
  const name = el('input', { id: 'new-queue', placeholder: 'queue-name', required: true });
  const delay = el('input', { id: 'new-queue-delay', type: 'number', min: 0, max: 43200, placeholder: '0' });
  const list = table('queues', HEADS);
  const updated = el('span', { id: 'updated', class: 'hint' });
  ctx.main.replaceChildren(el('h1', {}, 'Queues'),
    form({ id: 'create-queue-form' }, async () => {
      const settings = delay.value ? { delivery_delay: Number(delay.value) } : undefined;
      await api('POST', '/queues', { queue_name: name.value, settings });
      name.value = '';
      await refresh();
    }, field('Name', name), field('Delivery delay (s)', delay), el('button', { id: 'create-queue' }, 'Create queue')),
    list, el('p', {}, updated, ' Rates are messages per second since the previous refresh: in = sent, out = acked, dead-lettered or expired, net = backlog change.'));

  async function refresh() {
    const [queues, prom] = await Promise.all([api('GET', '/queues'), prometheusText()]);
    const counters = operationCounters(prom, session().account);
    const rows = await Promise.all(queues.map(async (q) => {
      const m = await api('GET', `/queues/${q.queue_id}/metrics`);
      const r = record(q.queue_id, Date.now(), m, prom ? counters.get(q.queue_name) || { in: 0, out: 0 } : undefined);
      const paused = q.settings.delivery_paused;
      const consumer = q.consumers.map((c) => (c.type === 'worker' ? `worker (${c.script_name})` : c.type)).join(', ') || 'none';
      return el('tr', { 'data-queue': q.queue_name },
        el('td', {}, el('a', { href: `#/queue/${q.queue_id}` }, q.queue_name)),
        el('td', { class: 'num backlog' }, String(m.backlog_count)),
        el('td', { class: 'num' }, bytes(m.backlog_bytes)),
        el('td', { class: 'num' }, age(m.oldest_message_timestamp_ms)),
        el('td', { class: 'num' }, String(m.ready_count ?? '')),
        el('td', { class: 'num' }, String(m.delayed_count ?? '')),
        el('td', { class: 'num' }, String(m.in_flight_count ?? '')),
        el('td', { class: 'num' }, rate(r.in)),
        el('td', { class: 'num' }, rate(r.out)),
        el('td', { class: 'num' }, rate(r.net)),
        el('td', {}, consumer),
        el('td', { class: paused ? 'paused' : 'ok' }, paused ? 'paused' : 'active'));
    }));
    if (!ctx.alive()) return;
    list.body.replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { colspan: HEADS.length, class: 'hint' }, 'No queues yet.'))]));
    updated.textContent = `Updated ${new Date().toLocaleTimeString()}.`;
  }
  await refresh();
  ctx.every(REFRESH_MS, refresh);
}
