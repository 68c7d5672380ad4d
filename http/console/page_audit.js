// The audit log (needs admin): every control-plane change, newest first,
// filterable by action and resource id, a page at a time.
import { call } from './api.js';
import { el, field, form, table } from './dom.js';
import { when } from './format.js';

const PER_PAGE = 50;

export async function render(ctx, query) {
  const params = new URLSearchParams(query || '');
  const page = Number(params.get('page')) || 1;
  const q = new URLSearchParams({ page: String(page), per_page: String(PER_PAGE) });
  for (const k of ['action', 'resource_id']) if (params.get(k)) q.set(k, params.get(k));
  const env = await call('GET', `/sluice/audit?${q}`);
  const entries = env.result;
  const info = env.result_info || {};

  const t = table('audit', ['time', 'action', 'resource', 'token', 'details']);
  t.body.replaceChildren(...entries.map((e) => el('tr', { class: 'entry' },
    el('td', {}, when(e.time)),
    el('td', { class: 'action' }, e.action),
    el('td', {}, `${e.resource.type} ${e.resource.name || ''}`, el('br'), el('span', { class: 'mono hint' }, e.resource.id)),
    el('td', { class: 'mono' }, e.actor.token_id),
    el('td', { class: 'mono' }, Object.entries(e.details || {}).map(([k, v]) => `${k}=${v}`).join(' ')))));
  if (!entries.length) t.body.append(el('tr', {}, el('td', { colspan: 5, class: 'hint' }, 'No entries.')));

  const action = el('input', { id: 'audit-action', placeholder: 'e.g. CreateQueue', value: params.get('action') || '' });
  const rid = el('input', { id: 'audit-resource', placeholder: 'resource id', value: params.get('resource_id') || '' });
  const link = (p) => {
    const n = new URLSearchParams(params);
    n.set('page', String(p));
    return `#/audit?${n}`;
  };
  const total = info.total_count;
  const nav = el('p', { id: 'audit-pages' },
    page > 1 ? el('a', { href: link(page - 1) }, '← newer') : null, ` page ${page}${total !== undefined ? ` (${total} entries)` : ''} `,
    entries.length === PER_PAGE ? el('a', { href: link(page + 1) }, 'older →') : null);
  ctx.main.replaceChildren(el('h1', {}, 'Audit log'),
    form({ id: 'audit-filter' }, async () => {
      const n = new URLSearchParams();
      if (action.value) n.set('action', action.value);
      if (rid.value) n.set('resource_id', rid.value);
      ctx.go(`#/audit?${n}`);
    }, field('Action', action), field('Resource id', rid), el('button', {}, 'Filter')),
    t, nav);
}
