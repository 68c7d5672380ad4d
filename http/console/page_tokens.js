// API tokens (needs admin): list, create (the secret is shown once), revoke.
import { api } from './api.js';
import { action, el, field, form, table } from './dom.js';
import { when } from './format.js';

const PERMISSIONS = ['queues_read', 'queues_write', 'events_publish', 'admin'];

export async function render(ctx) {
  const tokens = await api('GET', '/sluice/tokens');
  const name = el('input', { id: 'token-name', placeholder: 'e.g. billing-service' });
  const perms = PERMISSIONS.map((p) => el('input', { type: 'checkbox', name: 'perm', value: p, checked: p === 'queues_read' }));
  const all = el('input', { id: 'token-all', type: 'checkbox' });
  const secret = el('div', { id: 'token-secret', hidden: true });

  const list = table('tokens', ['name', 'id', 'account', 'permissions', 'created', '']);
  list.body.replaceChildren(...tokens.map((t) => el('tr', { 'data-id': t.id },
    el('td', {}, t.name || el('span', { class: 'hint' }, '(no name)')),
    el('td', { class: 'mono' }, t.id),
    el('td', {}, t.account || 'all accounts'),
    el('td', {}, t.permissions.join(', ')),
    el('td', {}, when(t.created_on)),
    el('td', {}, action('Revoke', null, async () => {
      if (!confirm(`Revoke the token ${t.name || t.id}? Clients using it get 401 at once.`)) return;
      await api('DELETE', `/sluice/tokens/${t.id}`);
      await ctx.reload();
    }, 'small danger')))));

  ctx.main.replaceChildren(el('h1', {}, 'API tokens'), secret, list,
    el('h2', {}, 'New token'),
    form({ id: 'token-form' }, async () => {
      const t = await api('POST', '/sluice/tokens', {
        name: name.value || undefined, permissions: perms.filter((p) => p.checked).map((p) => p.value), all_accounts: all.checked || undefined });
      await ctx.reload();
      // After the reload (which rebuilds the page), show the secret once.
      const box = document.getElementById('token-secret');
      box.hidden = false;
      box.replaceChildren(el('strong', {}, `Token ${t.name || t.id} created. Its secret is shown only now; store it:`),
        el('pre', { id: 'token-value', class: 'secret' }, t.value));
    }, field('Name', name),
    el('fieldset', {}, el('legend', {}, 'Permissions'), perms.map((p) => el('label', { class: 'check' }, p, p.value))),
    field('Valid for all accounts', all), el('button', { id: 'create-token' }, 'Create token')),
    el('p', { class: 'hint' }, 'Only the SHA-256 of a secret is stored: a lost secret cannot be shown again, only revoked and replaced.'));
}
