// One queue: its settings as readable lines, its consumers, live numbers with
// charts of backlog and throughput, the message tools, pause/resume, redrive,
// purge and delete (after a confirmation).
import { api, prometheusText, session } from './api.js';
import { action, el } from './dom.js';
import { age, bytes, duration, rate, when } from './format.js';
import { lineChart } from './chart.js';
import { consumersSection } from './queue_consumers.js';
import { messageTools } from './queue_messages.js';
import { forget, operationCounters, record, samples } from './stats.js';
import { REFRESH_MS } from './page_queues.js';

function settingsLines(q) {
  const s = q.settings;
  const dl = el('dl', { id: 'settings', class: 'lines' });
  const add = (k, v) => dl.append(el('dt', {}, k), el('dd', {}, v));
  add('Id', q.queue_id);
  add('Created', when(q.created_on));
  add('Modified', when(q.modified_on));
  add('Delivery delay', s.delivery_delay ? duration(s.delivery_delay) : 'none (delivered at once)');
  add('Retention', `${duration(s.message_retention_period)} (${s.message_retention_period} s)`);
  add('Delivery', s.delivery_paused ? 'paused (sends still succeed; pulls answer 409)' : 'active');
  add('Producers', String(q.producers_total_count ?? 0));
  return dl;
}

export async function render(ctx, id) {
  const q = await api('GET', `/queues/${id}`);
  const paused = q.settings.delivery_paused;
  const tools = messageTools(id);
  const live = el('dl', { id: 'live', class: 'lines' });
  const charts = el('div', { id: 'charts', class: 'charts' });
  let poll = { stop: async () => {} };

  ctx.main.replaceChildren(
    el('h1', {}, `Queue ${q.queue_name} `, el('span', { id: 'state', class: paused ? 'paused' : 'ok' }, paused ? 'paused' : 'active')),
    el('p', { class: 'actions' },
      action(paused ? 'Resume delivery' : 'Pause delivery', 'pause', async () => {
        await api('PATCH', `/queues/${id}`, { settings: { delivery_paused: !paused } });
        await ctx.reload();
      }),
      action('Redrive', 'redrive', async () => {
        if (!confirm(`Move the messages of ${q.queue_name} back to the queues they were dead-lettered from?`)) return;
        await api('POST', `/queues/${id}/redrive`, {});
        await refresh();
      }),
      action('Purge', 'purge', async () => {
        if (!confirm(`Delete every message of ${q.queue_name}? This cannot be undone.`)) return;
        await api('POST', `/queues/${id}/purge`, { delete_messages_permanently: true });
        await Promise.all([tools.browse(), refresh()]);
      }, 'danger'),
      action('Delete queue', 'delete', async () => {
        if (!confirm(`Delete the queue ${q.queue_name} and all its messages?`)) return;
        await poll.stop();
        await api('DELETE', `/queues/${id}`);
        forget(id);
        ctx.go('#/queues');
      }, 'danger')),
    el('div', { class: 'columns' },
      el('section', {}, el('h2', {}, 'Settings'), settingsLines(q)),
      el('section', {}, el('h2', {}, 'Now'), live, charts)),
    consumersSection(q), tools.sendSection, tools.browser);

  async function refresh() {
    const [m, prom, task] = await Promise.all([api('GET', `/queues/${id}/metrics`), prometheusText(),
      api('GET', `/queues/${id}/redrive`).catch(() => null)]);
    const c = prom ? operationCounters(prom, session().account).get(q.queue_name) || { in: 0, out: 0 } : undefined;
    const r = record(id, Date.now(), m, c);
    if (!ctx.alive()) return;
    const rows = [['Backlog', `${m.backlog_count} (${bytes(m.backlog_bytes)})`], ['Oldest message', age(m.oldest_message_timestamp_ms)],
      ['Ready', String(m.ready_count)], ['Delayed', String(m.delayed_count)], ['In flight', String(m.in_flight_count)],
      ['In / out / net', `${rate(r.in)} / ${rate(r.out)} / ${rate(r.net)}`]];
    if (task) {
      const why = task.failure_reason ? ` (${task.failure_reason})` : '';
      rows.push(['Redrive', `${task.state}: moved ${task.messages_moved} of ${task.messages_to_move}${why}`]);
    }
    live.replaceChildren(...rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', { 'data-key': k }, v)]));
    const h = samples(id);
    const tput = c
      ? [{ name: 'in', cls: 'in', values: h.map((s) => s.rates.in) }, { name: 'out', cls: 'out', values: h.map((s) => s.rates.out) }]
      : [{ name: 'net', cls: 'in', values: h.map((s) => s.rates.net) }];
    charts.replaceChildren(
      lineChart('chart-backlog', 'Backlog', [{ name: 'messages', cls: 'backlog', values: h.map((s) => s.backlog) }]),
      lineChart('chart-throughput', 'Throughput', tput, ' msg/s'));
  }
  await refresh();
  await tools.browse();
  poll = ctx.every(REFRESH_MS, refresh);
}
