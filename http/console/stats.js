// What the console remembers between polls: per queue, a short history of
// backlog samples and operation counters, from which it derives rates. The
// REST API has no counters; GET /metrics (Prometheus text, no token) has
// sluice_queue_operations_total, so in/out rates come from there when it can be
// read, and the net rate always comes from successive backlogs.

const KEEP = 60; // samples per queue (3 minutes at one poll every 3 s)
const history = new Map(); // queue_id -> [{t, backlog, in, out}]

/**
 * Sums of sluice_queue_operations_total per queue name of `account` in the
 * Prometheus text `text`: Map(name -> {in: writes, out: deletes of any outcome}).
 */
export function operationCounters(text, account) {
  const out = new Map();
  if (!text) return out;
  for (const line of text.split('\n')) {
    const m = line.match(/^sluice_queue_operations_total\{([^}]*)\}\s+(\S+)/);
    if (!m) continue;
    const labels = Object.fromEntries([...m[1].matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    if (labels.account !== account) continue;
    const c = out.get(labels.queue) || { in: 0, out: 0 };
    if (labels.action === 'write') c.in += Number(m[2]);
    else if (labels.action === 'delete') c.out += Number(m[2]);
    out.set(labels.queue, c);
  }
  return out;
}

/**
 * Records one poll of queue `id` at `t` ms: `metrics` is GET …/metrics,
 * `counters` one entry of operationCounters() or undefined. Returns the rates
 * since the previous poll in messages per second: {net, in, out}; a rate not
 * known yet (first poll, no counters) is null.
 */
export function record(id, t, metrics, counters) {
  const list = history.get(id) || [];
  const prev = list[list.length - 1];
  const sample = { t, backlog: metrics.backlog_count, in: counters ? counters.in : null, out: counters ? counters.out : null };
  const dt = prev ? (t - prev.t) / 1000 : 0;
  const per = (a, b) => (dt > 0 && a !== null && b !== null ? Math.max(0, a - b) / dt : null);
  sample.rates = {
    net: dt > 0 ? (sample.backlog - prev.backlog) / dt : null,
    in: prev ? per(sample.in, prev.in) : null,
    out: prev ? per(sample.out, prev.out) : null,
  };
  list.push(sample);
  if (list.length > KEEP) list.shift();
  history.set(id, list);
  return sample.rates;
}

/** The samples kept for queue `id`, oldest first (each {t, backlog, in, out, rates}). */
export function samples(id) {
  return history.get(id) || [];
}

/** Forgets queue `id` (deleted). */
export function forget(id) {
  history.delete(id);
}
