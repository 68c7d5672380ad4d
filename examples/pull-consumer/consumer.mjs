// A pull consumer for Sluice written against the official `cloudflare` SDK:
// the same code runs against Cloudflare Queues. It pulls batches, hands each
// message to a handler, acks what succeeded and retries what threw (with a
// backoff growing with `attempts`), so a message is never lost: one that is
// neither acked nor retried comes back when its lease ends.
//
//   SLUICE_URL=http://127.0.0.1:8787 SLUICE_TOKEN=... SLUICE_ACCOUNT=my-account \
//     node consumer.mjs QUEUE_NAME
//
// Needs Node 18+ and `npm install cloudflare`.

/** Decodes a pulled message's body (docs/api.md: text raw, json and bytes base64). */
export function decodeBody(m) {
  const type = m.metadata?.['CF-Content-Type'] ?? 'json';
  if (type === 'text') return m.body;
  const raw = Buffer.from(m.body, 'base64');
  return type === 'json' ? JSON.parse(raw.toString('utf8')) : raw;
}

/**
 * Pulls from `queueId` until `signal` aborts (or, with `untilEmpty`, until a
 * pull finds nothing). `handle(body, message)` may be async; a throw retries.
 * Returns the number of messages acked.
 */
export async function consume(cf, { accountId, queueId, handle, untilEmpty = false, signal }) {
  let acked = 0;
  while (!signal?.aborted) {
    const asked = Date.now();
    let messages;
    try {
      ({ messages = [] } = await cf.queues.messages.pull(
        queueId,
        {
          account_id: accountId,
          batch_size: 100,
          visibility_timeout_ms: 60_000,
          // A long poll (docs/api.md): Sluice answers as soon as a message is
          // ready, or empty after 20 s. Cloudflare ignores the field.
          wait_time_ms: untilEmpty ? 0 : 20_000,
        },
        { signal }, // an abort ends a waiting pull at once
      ));
    } catch (e) {
      if (signal?.aborted) break;
      throw e;
    }
    if (messages.length === 0) {
      if (untilEmpty) break;
      // Only a server that did not wait (Cloudflare) answers empty at once.
      if (Date.now() - asked < 1000) await new Promise((r) => setTimeout(r, 1000));
      continue;
    }
    const acks = [];
    const retries = [];
    for (const m of messages) {
      try {
        await handle(decodeBody(m), m);
        acks.push({ lease_id: m.lease_id });
      } catch {
        retries.push({ lease_id: m.lease_id, delay_seconds: Math.min(2 ** m.attempts, 3600) });
      }
    }
    const r = await cf.queues.messages.ack(queueId, { account_id: accountId, acks, retries });
    acked += r.ackCount;
  }
  return acked;
}

/** The queue id of `name` (wrangler resolves names the same way). */
export async function queueIdOf(cf, accountId, name) {
  for await (const q of cf.queues.list({ account_id: accountId }))
    if (q.queue_name === name) return q.queue_id;
  throw new Error(`queue '${name}' does not exist`);
}

// Run as a program: print each message's body.
if (import.meta.url === `file://${process.argv[1]}`) {
  const { default: Cloudflare } = await import('cloudflare');
  const url = process.env.SLUICE_URL ?? 'http://127.0.0.1:8787';
  const cf = new Cloudflare({ apiToken: process.env.SLUICE_TOKEN, baseURL: `${url}/client/v4` });
  const accountId = process.env.SLUICE_ACCOUNT ?? 'default';
  const queue = process.argv[2];
  if (!queue) {
    console.error('usage: node consumer.mjs QUEUE_NAME');
    process.exit(2);
  }
  const stop = new AbortController();
  process.on('SIGINT', () => stop.abort());
  const queueId = await queueIdOf(cf, accountId, queue);
  const n = await consume(cf, {
    accountId,
    queueId,
    signal: stop.signal,
    handle: (body) => console.log(typeof body === 'string' ? body : JSON.stringify(body)),
  });
  console.error(`acked ${n} messages`);
}
