// Redrive (docs/api.md, "Redrive") through the official `cloudflare` SDK: it has
// no redrive call, so its raw `post`/`get`/`delete` drive the Sluice extension
// with the SDK's auth, envelope handling and errors.
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

async function queueId(name) {
  for await (const q of cf.queues.list({ account_id })) if (q.queue_name === name) return q.queue_id;
  throw new Error(`no queue ${name}`);
}

test('redrive: dead letters go back with their id and body, then the task reads COMPLETED', async () => {
  const src = (await cf.queues.create({ account_id, queue_name: 'sdk-rd-src' })).queue_id;
  await cf.queues.consumers.create(src, {
    account_id,
    type: 'http_pull',
    dead_letter_queue: 'sdk-rd-dlq',
    settings: { max_retries: 0 },
  });
  const dlq = await queueId('sdk-rd-dlq');
  await cf.queues.messages.push(src, { account_id, body: 'again', content_type: 'text' });
  const pulled = await cf.queues.messages.pull(src, { account_id, batch_size: 10 });
  assert.equal(pulled.messages.length, 1);
  const { id, timestamp_ms } = pulled.messages[0];
  await cf.queues.messages.ack(src, {
    account_id,
    retries: [{ lease_id: pulled.messages[0].lease_id }],
  });

  // The move to the dead-letter queue follows the retry's answer.
  for (let i = 0; i < 100 && (await cf.queues.getMetrics(dlq, { account_id })).backlog_count < 1; ++i)
    await new Promise((r) => setTimeout(r, 50));

  const path = `/accounts/${account_id}/queues/${dlq}/redrive`;
  const started = await cf.post(path, { body: {} });
  assert.equal(started.success, true);
  assert.equal(started.result.source_queue_id, dlq);
  assert.equal(started.result.messages_to_move, 1);
  let task;
  for (let i = 0; i < 100; ++i) {
    task = (await cf.get(path)).result;
    if (task.state !== 'RUNNING') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(task.state, 'COMPLETED');
  assert.equal(task.messages_moved, 1);

  const back = await cf.queues.messages.pull(src, { account_id, batch_size: 10 });
  assert.equal(back.messages.length, 1);
  assert.equal(back.messages[0].id, id);
  assert.equal(back.messages[0].body, 'again');
  assert.equal(back.messages[0].timestamp_ms, timestamp_ms);
  assert.equal(back.messages[0].attempts, 1);

  await assert.rejects(
    cf.post(path, { body: { max_messages_per_second: 0 } }),
    (e) => e.status === 400 && /max_messages_per_second/.test(e.message),
  );
  await assert.rejects(cf.delete(path), (e) => e.status === 404);
});
