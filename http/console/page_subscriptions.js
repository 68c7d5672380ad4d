// Event subscriptions: list (with enable/disable), create from the catalog's
// sources and events into a queue, delete.
import { api } from './api.js';
import { action, el, field, form, table } from './dom.js';
import { when } from './format.js';

function sourceText(src) {
  const extra = Object.entries(src).filter(([k]) => k !== 'type').map(([k, v]) => `${k}=${v}`);
  return extra.length ? `${src.type} (${extra.join(', ')})` : src.type;
}

export async function render(ctx) {
  const [subs, sources, queues] = await Promise.all([
    api('GET', '/event_subscriptions/subscriptions'), api('GET', '/event_subscriptions/sources'), api('GET', '/queues')]);
  const queueName = new Map(queues.map((q) => [q.queue_id, q.queue_name]));

  const name = el('input', { id: 'sub-name', placeholder: 'optional' });
  const source = el('select', { id: 'sub-source' }, sources.map((s) => el('option', { value: s.type }, s.type)));
  const fields = el('span', { id: 'sub-fields' });
  const events = el('fieldset', { id: 'sub-events' });
  const dest = el('select', { id: 'sub-queue' }, queues.map((q) => el('option', { value: q.queue_id }, q.queue_name)));
  const enabled = el('input', { id: 'sub-enabled', type: 'checkbox', checked: true });
  const showSource = () => {
    const s = sources.find((x) => x.type === source.value);
    fields.replaceChildren(...(s ? s.required_fields : []).map((f) => field(f, el('input', { name: f, required: true, class: 'sub-field' }))));
    events.replaceChildren(el('legend', {}, 'Events'), ...(s ? s.events : []).map((e) =>
      el('label', { class: 'check' }, el('input', { type: 'checkbox', name: 'event', value: e.type }), e.type)));
  };
  source.addEventListener('change', showSource);
  showSource();

  const list = table('subscriptions', ['name', 'enabled', 'source', 'events', 'queue', 'created', '']);
  list.body.replaceChildren(...subs.map((s) => el('tr', { 'data-id': s.id },
    el('td', {}, s.name || el('span', { class: 'hint' }, s.id)),
    el('td', {}, action(s.enabled ? 'enabled' : 'disabled', null, async () => {
      await api('PATCH', `/event_subscriptions/subscriptions/${s.id}`, { enabled: !s.enabled });
      await ctx.reload();
    }, s.enabled ? 'small ok' : 'small paused')),
    el('td', {}, sourceText(s.source)),
    el('td', {}, s.events.join(', ')),
    el('td', {}, el('a', { href: `#/queue/${s.destination.queue_id}` }, queueName.get(s.destination.queue_id) || s.destination.queue_id)),
    el('td', {}, when(s.created_at)),
    el('td', {}, action('Delete', null, async () => {
      if (!confirm(`Delete the subscription ${s.name || s.id}?`)) return;
      await api('DELETE', `/event_subscriptions/subscriptions/${s.id}`);
      await ctx.reload();
    }, 'small danger')))));
  if (!subs.length) list.body.append(el('tr', {}, el('td', { colspan: 7, class: 'hint' }, 'No subscriptions.')));

  ctx.main.replaceChildren(el('h1', {}, 'Event subscriptions'), list,
    el('h2', {}, 'New subscription'),
    queues.length ? form({ id: 'sub-form' }, async () => {
      const src = { type: source.value };
      for (const i of fields.querySelectorAll('input')) src[i.name] = i.value;
      const evs = [...events.querySelectorAll('input:checked')].map((i) => i.value);
      await api('POST', '/event_subscriptions/subscriptions', {
        name: name.value || undefined, enabled: enabled.checked, source: src, events: evs,
        destination: { type: 'queues.queue', queue_id: dest.value } });
      await ctx.reload();
    }, field('Name', name), field('Source', source), fields, events, field('Into queue', dest), field('Enabled', enabled),
    el('button', { id: 'create-sub' }, 'Create subscription'))
      : el('p', { class: 'hint' }, 'Create a queue first: a subscription delivers into a queue.'),
    el('p', {}, 'Sources, events and payload schemas: ', el('a', { href: '#/catalog' }, 'the event catalog'), '.'));
}
