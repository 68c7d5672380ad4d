// Run by tls.test.mjs as a child process, because Node reads NODE_EXTRA_CA_CERTS
// only at start: the `cloudflare` SDK over https creates a queue, sends, pulls and
// acks. SLUICE_TLS_URL, SLUICE_TLS_TOKEN and SLUICE_TLS_ACCOUNT say where; prints
// "ok" and exits 0 on success, else prints the error and exits 1.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(process.env.SLUICE_COMPAT_DIR + '/node_modules/');
const Cloudflare = require('cloudflare').default ?? require('cloudflare');

const cf = new Cloudflare({
  apiToken: process.env.SLUICE_TLS_TOKEN,
  baseURL: process.env.SLUICE_TLS_URL,
  maxRetries: 0,
});
const account_id = process.env.SLUICE_TLS_ACCOUNT;

try {
  const q = await cf.queues.create({ account_id, queue_name: 'tls-sdk' });
  await cf.queues.messages.push(q.queue_id, { account_id, body: { over: 'tls' } });
  const pulled = await cf.queues.messages.pull(q.queue_id, { account_id, batch_size: 10 });
  assert.equal(pulled.messages.length, 1);
  const acked = await cf.queues.messages.ack(q.queue_id, {
    account_id,
    acks: [{ lease_id: pulled.messages[0].lease_id }],
  });
  assert.equal(acked.ackCount, 1);
  console.log('ok');
} catch (e) {
  // The SDK wraps a refused certificate in APIConnectionError (fetch failed):
  // the chain of causes says why.
  const why = [];
  for (let c = e; c; c = c.cause) why.push(`${c.code ?? ''} ${c.message}`.trim());
  console.log(`failed: ${why.join(' <- ')}`);
  process.exit(1);
}
