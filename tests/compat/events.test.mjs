// Event subscriptions with the real SDK (`cf.queues.subscriptions.*`) and the real
// `wrangler queues subscription …` commands, plus publishing, against a real server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { startServer } from './server.mjs';
import { wranglerFor } from './wrangler.mjs';

const dir = process.env.SLUICE_COMPAT_DIR;
const require = createRequire(dir + '/node_modules/');
const Cloudflare = require('cloudflare').default ?? require('cloudflare');

let server;
let cf;
let account_id;
let wrangler;
let ok;

before(async () => {
  server = await startServer();
  cf = new Cloudflare({ apiToken: server.token, baseURL: server.baseURL, maxRetries: 0 });
  account_id = server.accountId;
  ({ run: wrangler, ok } = wranglerFor(server));
});

after(async () => server && (await server.stop()));

async function publish(body) {
  const res = await fetch(`${server.baseURL}/accounts/${account_id}/event_subscriptions/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

test('SDK: subscriptions create, get, list (paged, by queue), update, delete', async () => {
  const q = await cf.queues.create({ account_id, queue_name: 'sdk-events' });
  const sub = await cf.queues.subscriptions.create({
    account_id,
    name: 'models',
    enabled: true,
    source: { type: 'workersAi.model', model_name: '@cf/meta/llama' },
    events: ['batch.queued', 'batch.failed'],
    destination: { type: 'queues.queue', queue_id: q.queue_id },
  });
  assert.match(sub.id, /^[0-9a-f]{32}$/);
  assert.equal(sub.source.model_name, '@cf/meta/llama');
  assert.deepEqual(sub.events, ['batch.queued', 'batch.failed']);

  const got = await cf.queues.subscriptions.get(sub.id, { account_id });
  assert.equal(got.name, 'models');

  const listed = [];
  for await (const s of cf.queues.subscriptions.list({ account_id, per_page: 1 })) listed.push(s.id);
  assert.deepEqual(listed, [sub.id]);

  const updated = await cf.queues.subscriptions.update(sub.id, { account_id, enabled: false });
  assert.equal(updated.enabled, false);

  // Publishing: a disabled subscription gets nothing; enabled, it gets the envelope.
  const event = {
    source: { type: 'workersAi.model', model_name: '@cf/meta/llama' },
    event: 'batch.queued',
    payload: { requestId: 'r-1' },
  };
  assert.equal((await publish(event)).json.result.deliveries, 0);
  await cf.queues.subscriptions.update(sub.id, { account_id, enabled: true });
  const published = await publish(event);
  assert.equal(published.status, 200);
  assert.equal(published.json.result.deliveries, 1);
  const pulled = await cf.queues.messages.pull(q.queue_id, { account_id, batch_size: 10 });
  assert.equal(pulled.messages.length, 1);
  const envelope = JSON.parse(Buffer.from(pulled.messages[0].body, 'base64').toString());
  assert.equal(envelope.type, 'cf.workersAi.model.batch.queued');
  assert.deepEqual(envelope.source, { type: 'workersAi.model', modelName: '@cf/meta/llama' });
  assert.deepEqual(envelope.payload, { requestId: 'r-1' });
  assert.equal(envelope.metadata.eventSubscriptionId, sub.id);
  assert.equal(envelope.metadata.accountId, account_id);
  assert.equal(envelope.id, published.json.result.ids[0]);

  const bad = await publish({ ...event, payload: { requestId: 7 } });
  assert.equal(bad.status, 400);
  assert.match(bad.json.errors[0].message, /requestId/);

  const deleted = await cf.queues.subscriptions.delete(sub.id, { account_id });
  assert.equal(deleted.id, sub.id);
  await assert.rejects(cf.queues.subscriptions.get(sub.id, { account_id }), (e) => e.status === 404);
});

test('wrangler queues subscription create, list, get, update, delete', async () => {
  await ok('queues', 'create', 'wr-events');
  const created = await ok('queues', 'subscription', 'create', 'wr-events', '--source', 'r2',
    '--events', 'bucket.created,bucket.deleted', '--name', 'buckets');
  const id = created.match(/with id '([0-9a-f]{32})'/)?.[1];
  assert.ok(id, created);
  assert.match(await ok('queues', 'subscription', 'list', 'wr-events'), /buckets/);
  assert.match(await ok('queues', 'subscription', 'get', 'wr-events', '--id', id), /bucket\.created/);
  await ok('queues', 'subscription', 'update', 'wr-events', '--id', id, '--name', 'renamed');
  assert.equal((await cf.queues.subscriptions.get(id, { account_id })).name, 'renamed');
  await ok('queues', 'subscription', 'delete', 'wr-events', '--id', id, '--force');
  await assert.rejects(cf.queues.subscriptions.get(id, { account_id }), (e) => e.status === 404);
  const missing = await wrangler('queues', 'subscription', 'create', 'wr-events', '--source',
    'workersAi.model', '--events', 'batch.queued');
  assert.notEqual(missing.code, 0); // wrangler itself asks for --model-name
});
