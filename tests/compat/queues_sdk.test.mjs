// The official `cloudflare` SDK against a real Sluice server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { startServer } from './server.mjs';

const require = createRequire(process.env.SLUICE_COMPAT_DIR + '/node_modules/');
const Cloudflare = require('cloudflare').default ?? require('cloudflare');

let server;
let cf;
let account_id;

before(async () => {
  server = await startServer();
  cf = new Cloudflare({ apiToken: server.token, baseURL: server.baseURL, maxRetries: 0 });
  account_id = server.accountId;
});

after(async () => server && (await server.stop()));

async function listAll() {
  const names = [];
  for await (const q of cf.queues.list({ account_id })) names.push(q.queue_name);
  return names;
}

test('queues: create, list, get, update, edit, delete', async () => {
  const q = await cf.queues.create({
    account_id,
    queue_name: 'sdk-orders',
    settings: { delivery_delay: 5, message_retention_period: 3600 },
  });
  assert.match(q.queue_id, /^[0-9a-f]{32}$/);
  assert.equal(q.queue_name, 'sdk-orders');
  assert.equal(q.settings.delivery_delay, 5);
  assert.equal(q.settings.message_retention_period, 3600);

  assert.ok((await listAll()).includes('sdk-orders'));

  const got = await cf.queues.get(q.queue_id, { account_id });
  assert.equal(got.queue_name, 'sdk-orders');

  const updated = await cf.queues.update(q.queue_id, {
    account_id,
    queue_name: 'sdk-orders',
    settings: { delivery_delay: 7 },
  });
  assert.equal(updated.settings.delivery_delay, 7);
  assert.equal(updated.settings.message_retention_period, 345600); // PUT replaces

  const edited = await cf.queues.edit(q.queue_id, { account_id, settings: { delivery_paused: true } });
  assert.equal(edited.settings.delivery_paused, true);
  assert.equal(edited.settings.delivery_delay, 7); // PATCH merges

  await cf.queues.delete(q.queue_id, { account_id });
  await assert.rejects(cf.queues.get(q.queue_id, { account_id }), (e) => e.status === 404);
  assert.ok(!(await listAll()).includes('sdk-orders'));
});

test('queues: a duplicate name is a 409', async () => {
  await cf.queues.create({ account_id, queue_name: 'sdk-dup' });
  await assert.rejects(cf.queues.create({ account_id, queue_name: 'sdk-dup' }), (e) => {
    assert.equal(e.status, 409);
    assert.match(e.message, /already exists/);
    return true;
  });
});

test('messages: push, bulkPush, pull, ack, peek, purge, metrics', async () => {
  const q = await cf.queues.create({ account_id, queue_name: 'sdk-messages' });
  const id = q.queue_id;
  const pushed = await cf.queues.messages.push(id, { account_id, body: { hello: 'world' } });
  assert.equal(pushed.metadata.metrics.backlog_count, 1);
  await cf.queues.messages.bulkPush(id, {
    account_id,
    messages: [
      { body: 'one', content_type: 'text' },
      { body: 'two', content_type: 'text' },
      { body: [1, 2, 3], content_type: 'json' },
    ],
  });
  const metrics = await cf.queues.getMetrics(id, { account_id });
  assert.equal(metrics.backlog_count, 4);

  const peeked = await cf.queues.messages.peek(id, { account_id, batch_size: 10 });
  assert.equal(peeked.messages.length, 4);
  assert.ok(peeked.messages.every((m) => typeof m.ref === 'string'));

  const pulled = await cf.queues.messages.pull(id, { account_id, batch_size: 10 });
  assert.equal(pulled.messages.length, 4);
  const bodies = pulled.messages.map((m) =>
    m.metadata['CF-Content-Type'] === 'text' ? m.body : Buffer.from(m.body, 'base64').toString());
  assert.deepEqual(bodies.sort(), ['[1,2,3]', 'one', 'two', '{"hello":"world"}'].sort());
  assert.ok(pulled.messages.every((m) => m.attempts === 1 && m.lease_id));

  const acked = await cf.queues.messages.ack(id, {
    account_id,
    acks: pulled.messages.slice(1).map((m) => ({ lease_id: m.lease_id })),
    retries: [{ lease_id: pulled.messages[0].lease_id, delay_seconds: 0 }],
  });
  assert.equal(acked.ackCount, 3);
  assert.equal(acked.retryCount, 1);

  const again = await cf.queues.messages.pull(id, { account_id, batch_size: 10 });
  assert.equal(again.messages.length, 1);
  assert.equal(again.messages[0].attempts, 2);

  const status = await cf.queues.purge.start(id, { account_id, delete_messages_permanently: true });
  assert.equal(status.queue_id, id);
  const purge = await cf.queues.purge.status(id, { account_id });
  assert.equal(purge.completed, true);
});

test('messages: a long poll (wait_time_ms, an extra body field) is answered when a message comes', async () => {
  const q = await cf.queues.create({ account_id, queue_name: 'sdk-long-poll' });
  const id = q.queue_id;
  const started = Date.now();
  const waiting = cf.queues.messages.pull(id, { account_id, batch_size: 10, wait_time_ms: 15000 });
  await new Promise((r) => setTimeout(r, 300));
  await cf.queues.messages.push(id, { account_id, body: 'late', content_type: 'text' });
  const pulled = await waiting;
  const took = Date.now() - started;
  assert.equal(pulled.messages.length, 1);
  assert.equal(pulled.messages[0].body, 'late');
  assert.ok(took >= 300 && took < 5000, `answered after ${took} ms`);
  await assert.rejects(
    cf.queues.messages.pull(id, { account_id, wait_time_ms: 20001 }),
    (e) => e.status === 400 && /wait_time_ms must be between 0 and 20000/.test(e.message),
  );
});

test('messages: a retried push with a dedup_id (an extra body field) is stored once', async () => {
  const q = await cf.queues.create({ account_id, queue_name: 'sdk-dedup', settings: { dedup_window_seconds: 600 } });
  assert.equal(q.settings.dedup_window_seconds, 600);
  const id = q.queue_id;
  const first = await cf.queues.messages.push(id, { account_id, body: { order: 1 }, dedup_id: 'order-1' });
  assert.match(first.message_id, /^[0-9a-f]{32}$/);
  const again = await cf.queues.messages.push(id, { account_id, body: { order: 1 }, dedup_id: 'order-1' });
  assert.equal(again.message_id, first.message_id);
  assert.equal(again.metadata.metrics.backlog_count, 1);
  const batch = await cf.queues.messages.bulkPush(id, {
    account_id,
    messages: [
      { body: 'a', content_type: 'text', dedup_id: 'order-1' },
      { body: 'b', content_type: 'text', dedup_id: 'order-2' },
    ],
  });
  assert.equal(batch.message_ids[0], first.message_id);
  assert.equal(batch.metadata.metrics.backlog_count, 2);
  await assert.rejects(
    cf.queues.messages.push(id, { account_id, body: 'x', dedup_id: '' }),
    (e) => e.status === 400 && /dedup_id must be 1-128/.test(e.message),
  );
});

test('consumers: http_pull create, list, get, update, delete', async () => {
  const q = await cf.queues.create({ account_id, queue_name: 'sdk-consumed' });
  const c = await cf.queues.consumers.create(q.queue_id, {
    account_id,
    type: 'http_pull',
    dead_letter_queue: 'sdk-consumed-dlq',
    settings: { batch_size: 20, max_retries: 2, visibility_timeout_ms: 5000 },
  });
  assert.equal(c.type, 'http_pull');
  assert.equal(c.settings.batch_size, 20);
  const names = await listAll();
  assert.ok(names.includes('sdk-consumed-dlq'), 'missing dead-letter queue is created');

  const queue = await cf.queues.get(q.queue_id, { account_id });
  assert.equal(queue.consumers.length, 1);
  assert.equal(queue.consumers[0].consumer_id, c.consumer_id);

  const got = await cf.queues.consumers.get(c.consumer_id, { account_id, queue_id: q.queue_id });
  assert.equal(got.dead_letter_queue, 'sdk-consumed-dlq');
  const updated = await cf.queues.consumers.update(c.consumer_id, {
    account_id,
    queue_id: q.queue_id,
    type: 'http_pull',
    settings: { batch_size: 3 },
  });
  assert.equal(updated.settings.batch_size, 3);
  assert.equal(updated.settings.max_retries, 3); // PUT replaces settings
  await cf.queues.consumers.delete(c.consumer_id, { account_id, queue_id: q.queue_id });
  const after = await cf.queues.get(q.queue_id, { account_id });
  assert.equal(after.consumers.length, 0);
});

test('errors: bad token is 401, unknown queue is 404, paused pull is 409', async () => {
  const bad = new Cloudflare({ apiToken: 'nope', baseURL: server.baseURL, maxRetries: 0 });
  await assert.rejects(bad.queues.create({ account_id, queue_name: 'x' }), (e) => e.status === 401);
  await assert.rejects(cf.queues.get('0'.repeat(32), { account_id }), (e) => e.status === 404);
  const q = await cf.queues.create({ account_id, queue_name: 'sdk-paused' });
  await cf.queues.edit(q.queue_id, { account_id, settings: { delivery_paused: true } });
  await cf.queues.messages.push(q.queue_id, { account_id, body: 'still accepted', content_type: 'text' });
  await assert.rejects(cf.queues.messages.pull(q.queue_id, { account_id }), (e) => {
    assert.equal(e.status, 409);
    assert.match(e.message, /queue_delivery_paused/);
    return true;
  });
});
