// Scripts: deployed consumer plugins with their variables. List, view one
// (values only for admins), deploy (create or replace) and delete.
import { api } from './api.js';
import { action, el, field, form, table } from './dom.js';
import { when } from './format.js';

function parseEnv(text) {
  const env = {};
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t) continue;
    const eq = t.indexOf('=');
    if (eq <= 0) throw new Error(`env line '${t}' is not NAME=value`);
    env[t.slice(0, eq)] = t.slice(eq + 1);
  }
  return env;
}

async function one(ctx, name) {
  const s = await api('GET', `/sluice/scripts/${encodeURIComponent(name)}`);
  const env = table('script-env', ['variable', 'value']);
  env.body.replaceChildren(...Object.entries(s.env || {}).map(([k, v]) =>
    el('tr', {}, el('td', { class: 'mono' }, k), el('td', { class: 'mono' }, v === null ? el('span', { class: 'hint' }, 'hidden (admins only)') : v))));
  ctx.main.replaceChildren(el('h1', {}, `Script ${s.name}`), el('p', {}, el('a', { href: '#/scripts' }, '← all scripts')),
    el('dl', { class: 'lines', id: 'script' }, el('dt', {}, 'Plugin'), el('dd', {}, s.plugin), el('dt', {}, 'Id'), el('dd', {}, s.id),
      el('dt', {}, 'Created'), el('dd', {}, when(s.created_on)), el('dt', {}, 'Modified'), el('dd', {}, when(s.modified_on))),
    el('h2', {}, 'Variables'), env,
    el('p', {}, action('Delete script', 'delete-script', async () => {
      if (!confirm(`Delete the script ${s.name}?`)) return;
      await api('DELETE', `/sluice/scripts/${encodeURIComponent(s.name)}`);
      ctx.go('#/scripts');
    }, 'danger')));
}

export async function render(ctx, name) {
  if (name) return one(ctx, decodeURIComponent(name));
  const [scripts, plugins] = await Promise.all([api('GET', '/sluice/scripts'), api('GET', '/sluice/plugins')]);
  const list = table('scripts', ['name', 'plugin', 'variables', 'modified']);
  list.body.replaceChildren(...scripts.map((s) => el('tr', {},
    el('td', {}, el('a', { href: `#/script/${encodeURIComponent(s.name)}` }, s.name)),
    el('td', {}, s.plugin), el('td', { class: 'mono' }, Object.keys(s.env || {}).join(', ')), el('td', {}, when(s.modified_on)))));
  if (!scripts.length) list.body.append(el('tr', {}, el('td', { colspan: 4, class: 'hint' }, 'No scripts deployed.')));
  const sname = el('input', { id: 'script-name', required: true });
  const plugin = el('select', { id: 'script-plugin' }, plugins.map((p) => el('option', { value: p }, p)));
  const env = el('textarea', { id: 'script-env-text', rows: 4, cols: 50, placeholder: 'URL=http://127.0.0.1:9000/hook' });
  ctx.main.replaceChildren(el('h1', {}, 'Scripts'),
    el('p', { class: 'hint' }, 'A script is a deployed consumer plugin with its variables, as a Worker is a deployed script with its bindings; a worker consumer names it.'),
    list, el('h2', {}, 'Deploy a script'),
    form({ id: 'script-form' }, async () => {
      await api('PUT', `/sluice/scripts/${encodeURIComponent(sname.value)}`, { plugin: plugin.value, env: parseEnv(env.value) });
      ctx.go(`#/script/${encodeURIComponent(sname.value)}`);
    }, field('Name', sname), field('Plugin', plugin), field('Variables (NAME=value per line)', env),
    el('button', { id: 'deploy-script' }, 'Deploy')),
    el('p', { class: 'hint' }, `Plugins available: ${plugins.join(', ')}. Deploying an existing name replaces it; its consumers use the new one from their next batch.`));
}
