// The examples/ programs against a real Sluice server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { startServer } from './server.mjs';
import { consume, queueIdOf } from '../../examples/pull-consumer/consumer.mjs';

const require = createRequire(process.env.SLUICE_COMPAT_DIR + '/node_modules/');
const Cloudflare = require('cloudflare').default ?? require('cloudflare');

let server;
let cf;

before(async () => {
  server = await startServer();
  cf = new Cloudflare({ apiToken: server.token, baseURL: server.baseURL, maxRetries: 0 });
});

after(async () => server && (await server.stop()));

test('pull-consumer: handles every message once, retries a failure, drains the queue', async () => {
  const accountId = server.accountId;
  await cf.queues.create({ account_id: accountId, queue_name: 'example-work' });
  const queueId = await queueIdOf(cf, accountId, 'example-work');
  await cf.queues.messages.bulkPush(queueId, {
    account_id: accountId,
    messages: [
      { body: { order: 1 } },
      { body: 'two', content_type: 'text' },
      { body: { order: 3, fail_once: true } },
    ],
  });

  const seen = [];
  let failed = false;
  const handle = (body) => {
    if (body?.fail_once && !failed) {
      failed = true;
      throw new Error('transient');
    }
    seen.push(body);
  };
  // The failure is retried with a 2 s backoff (attempts 1): run until it is back.
  let acked = 0;
  for (let i = 0; i < 20 && seen.length < 3; ++i) {
    acked += await consume(cf, { accountId, queueId, handle, untilEmpty: true });
    if (seen.length < 3) await new Promise((r) => setTimeout(r, 500));
  }
  assert.equal(acked, 3);
  // Shards are pulled in parallel, so only the retried message's place is fixed: last.
  const order = seen.map((b) => (typeof b === 'string' ? b : b.order));
  assert.deepEqual(order.slice(0, 2).sort(), [1, 'two'].sort());
  assert.equal(order[2], 3);
  const metrics = await cf.queues.getMetrics(queueId, { account_id: accountId });
  assert.equal(metrics.backlog_count, 0);
});
