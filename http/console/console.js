// The Sluice web console: the router. Each page is a module (page_*.js) whose
// render(ctx, arg) fills ctx.main using the public REST API only.
import { session, signOut } from './api.js';
import { showError } from './dom.js';
import * as signin from './page_signin.js';
import * as queues from './page_queues.js';
import * as queue from './page_queue.js';
import * as subscriptions from './page_subscriptions.js';
import * as catalog from './page_catalog.js';
import * as tokens from './page_tokens.js';
import * as scripts from './page_scripts.js';
import * as audit from './page_audit.js';

const main = document.getElementById('main');
const ROUTES = [
  [/^#\/queues$/, queues, 'queues'],
  [/^#\/queue\/([0-9a-f]+)$/, queue, 'queues'],
  [/^#\/subscriptions$/, subscriptions, 'subscriptions'],
  [/^#\/catalog(?:\/(.+))?$/, catalog, 'catalog'],
  [/^#\/tokens$/, tokens, 'tokens'],
  [/^#\/scripts$/, scripts, 'scripts'],
  [/^#\/script\/(.+)$/, scripts, 'scripts'],
  [/^#\/audit(?:\?(.*))?$/, audit, 'audit'],
];

let generation = 0;
let timers = [];

function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

/** What a page may do: know whether it is still shown, refresh itself, move on. */
function context(gen) {
  const alive = () => gen === generation;
  return {
    main,
    alive,
    go,
    reload: () => route(),
    // Runs fn every `ms` while the page is shown, one run at a time. stop()
    // ends it and resolves once a run in progress has finished (so a page can
    // delete what it polls without a poll seeing it vanish).
    every(ms, fn) {
      let stopped = false;
      let running = Promise.resolve();
      const tick = async () => {
        if (!alive() || stopped) return;
        running = (async () => {
          try {
            await fn();
          } catch (e) {
            if (alive() && !stopped) showError(e.message);
          }
        })();
        await running;
        if (alive() && !stopped) timers.push(setTimeout(tick, ms));
      };
      timers.push(setTimeout(tick, ms));
      return {
        stop() {
          stopped = true;
          return running;
        },
      };
    },
  };
}

async function route() {
  generation += 1;
  const gen = generation;
  timers.forEach(clearTimeout);
  timers = [];
  showError('');
  let h = location.hash;
  if (h === '#/signout') {
    signOut();
    history.replaceState(null, '', location.pathname);
    h = '';
  }
  const s = session();
  const nav = document.getElementById('nav');
  nav.hidden = !s.token;
  document.getElementById('who').textContent = s.token ? `account ${s.account}` : '';
  if (!s.token) return signin.render(context(gen));
  let found = ROUTES.map(([re, page, tab]) => [h.match(re), page, tab]).find(([m]) => m);
  if (!found) {
    history.replaceState(null, '', '#/queues');
    found = [[], queues, 'queues'];
  }
  const [m, page, tab] = found;
  for (const a of nav.querySelectorAll('a[data-tab]')) a.classList.toggle('current', a.dataset.tab === tab);
  main.setAttribute('data-page', tab);
  try {
    await page.render(context(gen), m[1]); // raw: each page decodes its own part
  } catch (e) {
    if (gen === generation) showError(e.message);
  }
}

window.addEventListener('hashchange', route);
route();
