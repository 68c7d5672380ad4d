// A queue's consumers as readable lines (the queue object embeds them).
import { api } from './api.js';
import { el } from './dom.js';
import { duration } from './format.js';

function lines(c) {
  const s = c.settings || {};
  const out = [['Type', c.type === 'worker' ? 'worker (push)' : 'http_pull (pull)']];
  if (c.type === 'worker') out.push(['Script', c.script_name || c.script || '']);
  out.push(['Batch size', String(s.batch_size ?? '')]);
  if (c.type === 'worker') {
    out.push(['Max wait', s.max_wait_time_ms === undefined ? '' : `${s.max_wait_time_ms} ms`]);
    out.push(['Max concurrency', s.max_concurrency === null || s.max_concurrency === undefined ? 'automatic (up to 250)' : String(s.max_concurrency)]);
  } else {
    out.push(['Visibility timeout', s.visibility_timeout_ms === undefined ? '' : duration(s.visibility_timeout_ms / 1000)]);
  }
  out.push(['Max retries', String(s.max_retries ?? '')]);
  out.push(['Retry delay', s.retry_delay ? duration(s.retry_delay) : 'none']);
  out.push(['Dead-letter queue', c.dead_letter_queue || 'none']);
  return out;
}

/** A <section> describing queue `q`'s consumers; links the dead-letter queue once found. */
export function consumersSection(q) {
  const box = el('section', { id: 'consumers' }, el('h2', {}, 'Consumers'));
  if (!q.consumers.length) {
    box.append(el('p', { class: 'hint' }, 'No consumer: messages wait until one is added (e.g. sluice queues consumer http add) or are pulled.'));
    return box;
  }
  for (const c of q.consumers) {
    const dl = el('dl', { class: 'lines consumer' });
    for (const [k, v] of lines(c)) {
      const dd = el('dd', {}, v);
      dl.append(el('dt', {}, k), dd);
      if (k === 'Dead-letter queue' && c.dead_letter_queue) {
        api('GET', `/queues?name=${encodeURIComponent(c.dead_letter_queue)}`).then((found) => {
          if (found.length) dd.replaceChildren(el('a', { href: `#/queue/${found[0].queue_id}` }, c.dead_letter_queue));
        }).catch(() => {});
      }
    }
    box.append(el('h3', {}, `Consumer ${c.consumer_id || ''}`), dl);
  }
  return box;
}
