// The real `wrangler queues …` commands against a real Sluice server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './server.mjs';
import { wranglerFor } from './wrangler.mjs';

let server;
let ok;

before(async () => {
  server = await startServer();
  ({ ok } = wranglerFor(server));
});

after(async () => server && (await server.stop()));

async function api(path) {
  const res = await fetch(`${server.baseURL}/accounts/${server.accountId}${path}`, {
    headers: { authorization: `Bearer ${server.token}` },
  });
  return res.json();
}

async function queueNamed(name) {
  return (await api(`/queues?name=${name}`)).result[0];
}

test('wrangler queues create, list, info, update, delete', async () => {
  assert.match(await ok('queues', 'create', 'wr-orders', '--delivery-delay-secs', '5'), /wr-orders/);
  assert.equal((await queueNamed('wr-orders')).settings.delivery_delay, 5);
  assert.match(await ok('queues', 'list'), /wr-orders/);
  const info = await ok('queues', 'info', 'wr-orders');
  assert.match(info, /Queue Name: wr-orders/);
  await ok('queues', 'update', 'wr-orders', '--delivery-delay-secs', '10');
  assert.equal((await queueNamed('wr-orders')).settings.delivery_delay, 10);
  await ok('queues', 'delete', 'wr-orders');
  assert.equal(await queueNamed('wr-orders'), undefined);
});

test('wrangler queues consumer http add/remove, pause/resume, purge', async () => {
  await ok('queues', 'create', 'wr-pull');
  await ok('queues', 'consumer', 'http', 'add', 'wr-pull', '--batch-size', '7',
    '--message-retries', '2', '--dead-letter-queue', 'wr-pull-dlq',
    '--visibility-timeout-secs', '20');
  const q = await queueNamed('wr-pull');
  assert.equal(q.consumers.length, 1);
  assert.equal(q.consumers[0].type, 'http_pull');
  assert.equal(q.consumers[0].settings.batch_size, 7);
  assert.equal(q.consumers[0].settings.max_retries, 2);
  assert.equal(q.consumers[0].settings.visibility_timeout_ms, 20000);
  assert.ok(await queueNamed('wr-pull-dlq'), 'the dead-letter queue was created');
  assert.match(await ok('queues', 'info', 'wr-pull'), /wr-pull/);

  await ok('queues', 'pause-delivery', 'wr-pull');
  assert.equal((await queueNamed('wr-pull')).settings.delivery_paused, true);
  await ok('queues', 'resume-delivery', 'wr-pull');
  assert.equal((await queueNamed('wr-pull')).settings.delivery_paused, false);

  await fetch(`${server.baseURL}/accounts/${server.accountId}/queues/${q.queue_id}/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ body: 'x' }),
  });
  assert.equal((await api(`/queues/${q.queue_id}/metrics`)).result.backlog_count, 1);
  await ok('queues', 'purge', 'wr-pull', '--force');
  assert.equal((await api(`/queues/${q.queue_id}/metrics`)).result.backlog_count, 0);

  await ok('queues', 'consumer', 'http', 'remove', 'wr-pull');
  assert.equal((await queueNamed('wr-pull')).consumers.length, 0);
});

async function deployScript(name, plugin, env) {
  const res = await fetch(`${server.baseURL}/accounts/${server.accountId}/sluice/scripts/${name}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ plugin, env }),
  });
  assert.equal(res.status, 200, await res.text());
}

test('wrangler queues consumer add/remove and consumer worker add/remove', async () => {
  await deployScript('wr-sink', 'file-sink', { DIR: 'wr-sink' });
  await ok('queues', 'create', 'wr-push');
  await ok('queues', 'consumer', 'add', 'wr-push', 'wr-sink', '--batch-size', '20',
    '--batch-timeout', '2', '--message-retries', '4', '--max-concurrency', '3',
    '--retry-delay-secs', '7', '--dead-letter-queue', 'wr-push-dlq');
  let q = await queueNamed('wr-push');
  assert.equal(q.consumers.length, 1);
  const c = q.consumers[0];
  assert.equal(c.type, 'worker');
  assert.equal(c.script, 'wr-sink');
  assert.equal(c.script_name, 'wr-sink');
  assert.deepEqual(c.settings, {
    batch_size: 20, max_retries: 4, retry_delay: 7, max_wait_time_ms: 2000, max_concurrency: 3,
  });
  assert.equal(c.dead_letter_queue, 'wr-push-dlq');
  assert.match(await ok('queues', 'info', 'wr-push'), /wr-sink/);
  await ok('queues', 'consumer', 'remove', 'wr-push', 'wr-sink');
  assert.equal((await queueNamed('wr-push')).consumers.length, 0);

  await ok('queues', 'consumer', 'worker', 'add', 'wr-push', 'wr-sink');
  q = await queueNamed('wr-push');
  assert.equal(q.consumers[0].settings.batch_size, 10);
  assert.equal(q.consumers[0].settings.max_concurrency, null);
  await ok('queues', 'consumer', 'worker', 'remove', 'wr-push', 'wr-sink');
  assert.equal((await queueNamed('wr-push')).consumers.length, 0);
});
