// The event catalog: every source with its events and schema versions, and
// one source's payload schemas (GET …/event_subscriptions/sources[/{type}]).
import { api } from './api.js';
import { el, table } from './dom.js';

async function one(ctx, type) {
  const s = await api('GET', `/event_subscriptions/sources/${encodeURIComponent(type)}`);
  const parts = [el('h1', {}, `Event source ${s.type}`), el('p', {}, el('a', { href: '#/catalog' }, '← all sources')),
    el('p', {}, 'Required source fields: ', s.required_fields.length ? s.required_fields.join(', ') : 'none')];
  for (const e of s.events) {
    for (const v of e.versions) {
      const t = table(null, ['field', 'type', 'required']);
      t.classList.add('schema');
      t.body.replaceChildren(...v.fields.map((f) => el('tr', {}, el('td', { class: 'mono' }, f.name), el('td', {}, f.type), el('td', {}, f.required ? 'yes' : 'no'))));
      parts.push(el('h2', { class: 'event-type' }, `cf.${s.type}.${e.type}`, el('span', { class: 'hint' }, ` version ${v.version}`)), t);
    }
  }
  ctx.main.replaceChildren(...parts);
}

export async function render(ctx, type) {
  if (type) return one(ctx, decodeURIComponent(type));
  const sources = await api('GET', '/event_subscriptions/sources');
  const t = table('catalog', ['source', 'required fields', 'events (schema versions)']);
  t.body.replaceChildren(...sources.map((s) => el('tr', {},
    el('td', {}, el('a', { href: `#/catalog/${encodeURIComponent(s.type)}` }, s.type)),
    el('td', {}, s.required_fields.join(', ')),
    el('td', {}, s.events.map((e) => `${e.type} (${e.versions.join(', ')})`).join('; ')))));
  ctx.main.replaceChildren(el('h1', {}, 'Event catalog'),
    el('p', { class: 'hint' }, 'Events published from these sources are validated against their schema and delivered to matching subscriptions. Open a source for its payload schemas.'), t);
}
