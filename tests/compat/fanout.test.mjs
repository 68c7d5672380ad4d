// Fan-out queues (docs/api.md, "Fan-out"): the real wrangler adds several consumers to a
// queue with settings.consumer_mode "multi"; the real SDK creates it and pulls and acks
// as each consumer (consumer_id rides along as an extra body field).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { startServer } from './server.mjs';
import { wranglerFor } from './wrangler.mjs';

const require = createRequire(process.env.SLUICE_COMPAT_DIR + '/node_modules/');
const Cloudflare = require('cloudflare').default ?? require('cloudflare');

let server;
let cf;
let account_id;
let wrangler;

before(async () => {
  server = await startServer();
  cf = new Cloudflare({ apiToken: server.token, baseURL: server.baseURL, maxRetries: 0 });
  account_id = server.accountId;
  wrangler = wranglerFor(server);
});

after(async () => server && (await server.stop()));

async function queueNamed(name) {
  for await (const q of cf.queues.list({ account_id })) if (q.queue_name === name) return q;
  return undefined;
}

test('wrangler adds a second consumer only to a fan-out queue', async () => {
  await wrangler.ok('queues', 'create', 'wr-single');
  await wrangler.ok('queues', 'consumer', 'http', 'add', 'wr-single');
  const refused = await wrangler.run('queues', 'consumer', 'http', 'add', 'wr-single');
  assert.notEqual(refused.code, 0);
  assert.match(refused.out, /consumer_mode/);

  const q = await cf.queues.create({
    account_id, queue_name: 'wr-fan', settings: { consumer_mode: 'multi' },
  });
  assert.equal(q.settings.consumer_mode, 'multi');
  await wrangler.ok('queues', 'consumer', 'http', 'add', 'wr-fan', '--batch-size', '3');
  await wrangler.ok('queues', 'consumer', 'http', 'add', 'wr-fan', '--message-retries', '1');
  const fan = await queueNamed('wr-fan');
  assert.equal(fan.consumers.length, 2);
  assert.equal(fan.consumers[0].settings.batch_size, 3);
  assert.equal(fan.consumers[1].settings.max_retries, 1);
});

test('the SDK pulls and acks as each consumer of a fan-out queue', async () => {
  const q = await cf.queues.create({ account_id, queue_name: 'sdk-fan' });
  await cf.queues.edit(q.queue_id, { account_id, settings: { consumer_mode: 'multi' } });
  const a = await cf.queues.consumers.create(q.queue_id, { account_id, type: 'http_pull' });
  const b = await cf.queues.consumers.create(q.queue_id, { account_id, type: 'http_pull' });
  await cf.queues.messages.bulkPush(q.queue_id, {
    account_id,
    messages: [{ body: 'one', content_type: 'text' }, { body: 'two', content_type: 'text' }],
  });
  await assert.rejects(
    cf.queues.messages.pull(q.queue_id, { account_id, batch_size: 10 }),
    (e) => e.status === 400 && /consumer_id is required/.test(e.message),
  );
  for (const c of [a, b]) {
    const pulled = await cf.queues.messages.pull(q.queue_id, {
      account_id, batch_size: 10, consumer_id: c.consumer_id,
    });
    assert.deepEqual(pulled.messages.map((m) => m.body).sort(), ['one', 'two']);
    const acked = await cf.queues.messages.ack(q.queue_id, {
      account_id,
      consumer_id: c.consumer_id,
      acks: pulled.messages.map((m) => ({ lease_id: m.lease_id })),
    });
    assert.equal(acked.ackCount, 2);
  }
  assert.equal((await cf.queues.getMetrics(q.queue_id, { account_id })).backlog_count, 0);
});
