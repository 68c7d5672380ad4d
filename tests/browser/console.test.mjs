// The web console in a real browser: Debian's headless Chromium driven by
// puppeteer-core clicks through every page against the real server (started by
// ../compat/server.mjs). Fails on any browser console error or page exception;
// keeps a PNG of each page in SLUICE_SCREENSHOT_DIR.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { startServer } from '../compat/server.mjs';

const require = createRequire(process.env.SLUICE_COMPAT_DIR + '/node_modules/');
const puppeteer = require('puppeteer-core');

const CHROMIUM = process.env.SLUICE_CHROMIUM || '/usr/bin/chromium';
const SHOTS = process.env.SLUICE_SCREENSHOT_DIR || join(process.cwd(), 'browser-screenshots');
const WAIT = { timeout: 10000 };

let server;
let browser;
let page;
let origin;
const problems = []; // console errors, page exceptions, unexpected HTTP failures
const dialogs = [];
let expectedFailures = []; // [status] the next API answers may carry (a refused call)

async function api(method, path, body) {
  const res = await fetch(`${server.baseURL}/accounts/${server.accountId}${path}`, {
    method,
    headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const env = await res.json();
  assert.ok(env.success, `${method} ${path}: ${JSON.stringify(env.errors)}`);
  return env.result;
}

let shot = 0;
async function screenshot(name) {
  shot += 1;
  await page.screenshot({ path: join(SHOTS, `${String(shot).padStart(2, '0')}-${name}.png`), fullPage: true });
}

const text = (sel) => page.$eval(sel, (e) => e.textContent);
const texts = (sel) => page.$$eval(sel, (es) => es.map((e) => e.textContent));
const setValue = (sel, v) => page.$eval(sel, (e, value) => { e.value = value; }, v);
const waitText = (sel, re) => page.waitForFunction((s, src) => {
  const e = document.querySelector(s);
  return e && new RegExp(src).test(e.textContent);
}, WAIT, sel, re.source);

async function open(hash, ready) {
  await page.evaluate((h) => { location.hash = h; }, hash);
  await page.waitForSelector(ready, WAIT);
}

async function until(cond, what, ms = 3000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function noProblems(step) {
  assert.deepEqual(problems.splice(0), [], `browser problems during ${step}`);
}

async function signIn(token) {
  await page.goto(`${origin}/`, { waitUntil: 'load' });
  await page.waitForSelector('#signin', WAIT);
  await page.type('#token', token);
  await page.type('#account', server.accountId);
  await page.click('#signin-button');
}

before(async () => {
  rmSync(SHOTS, { recursive: true, force: true }); // no stale pages from an earlier run
  mkdirSync(SHOTS, { recursive: true });
  server = await startServer();
  origin = server.baseURL.replace(/\/client\/v4$/, '');
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
  });
  page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    // A refused API call the test provokes on purpose logs its status once.
    const status = m.text().match(/status of (\d+)/);
    const i = status ? expectedFailures.indexOf(Number(status[1])) : -1;
    if (i >= 0) expectedFailures.splice(i, 1);
    else problems.push(`console error: ${m.text()} (${m.location().url || ''})`);
  });
  page.on('pageerror', (e) => problems.push(`page exception: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    d.accept();
  });
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

test('console: queues, messages, purge, delete, and every other page', async (t) => {
  await t.test('sign in and the queues page', async () => {
    await signIn(server.token);
    await page.waitForSelector('#queues', WAIT);
    assert.equal(await text('h1'), 'Queues');
    await screenshot('signed-in-queues-empty');
    // The asset answer keeps the page self-contained.
    const res = await fetch(`${origin}/`);
    assert.match(res.headers.get('content-security-policy'), /default-src 'self'/);
    noProblems('sign in');
  });

  let queueId;
  await t.test('create a queue, send, browse decoded bodies, live numbers and charts', async () => {
    await page.type('#new-queue', 'console-orders');
    await page.click('#create-queue');
    await page.waitForSelector('tr[data-queue="console-orders"]', WAIT);
    assert.equal(await text('tr[data-queue="console-orders"] .backlog'), '0');
    await page.click('tr[data-queue="console-orders"] a');
    await page.waitForSelector('#settings', WAIT);
    queueId = (await page.evaluate(() => location.hash)).split('/').pop();
    assert.match(await text('#settings'), /Retention4 d 0 h \(345600 s\)/);
    assert.match(await text('#consumers'), /No consumer/);

    const send = async (type, body, count) => {
      await page.select('#send-type', type);
      await setValue('#send-body', body);
      await page.click('#send');
      await waitText('#sent', new RegExp(`backlog now ${count}`));
    };
    await send('json', '{"order": 42, "note": "h\u00e9llo"}', 1);
    await send('text', 'plain text body', 2);
    await send('bytes', 'bytes that are utf-8 \u2713', 3);
    await page.click('#browse');
    await waitText('#browse-summary', /Showing 3 of 3/);
    const bodies = await texts('#messages pre.body');
    assert.ok(bodies.includes('{\n  "order": 42,\n  "note": "h\u00e9llo"\n}'), JSON.stringify(bodies));
    assert.ok(bodies.includes('plain text body'));
    assert.ok(bodies.includes('bytes that are utf-8 \u2713'));

    // The next 3 s refresh shows the backlog; two polls (the queues page's
    // included) give rates and a line on each chart.
    await waitText('[data-key="Backlog"]', /^3 \(/);
    await page.waitForFunction(() => !/—/.test(document.querySelector('[data-key="In / out / net"]')?.textContent ?? '—'), { timeout: 10000 });
    assert.ok(await page.$('#chart-backlog polyline'));
    assert.ok(await page.$('#chart-throughput polyline'));
    await screenshot('queue');
    noProblems('send and browse');
  });

  await t.test('purge after confirming: the browser shows nothing', async () => {
    const before = dialogs.length;
    await page.click('#purge');
    await waitText('#browse-summary', /Showing 0 of 0/);
    assert.match(dialogs[before], /Delete every message of console-orders/);
    assert.equal((await page.$$('#messages tr.message')).length, 0);
    noProblems('purge');
  });

  await t.test('delete the queue after confirming: gone from the list', async () => {
    const before = dialogs.length;
    await page.click('#delete');
    await page.waitForSelector('#queues', WAIT);
    await page.waitForFunction(() => !document.querySelector('tr[data-queue="console-orders"]') && /Updated/.test(document.querySelector('#updated').textContent), WAIT);
    assert.match(dialogs[before], /Delete the queue console-orders/);
    const listed = await api('GET', '/queues');
    assert.ok(!listed.some((q) => q.queue_id === queueId));
    noProblems('delete');
  });

  await t.test('event subscriptions: create and delete', async () => {
    await api('POST', '/queues', { queue_name: 'console-events' });
    await open('#/subscriptions', '#sub-form');
    await page.select('#sub-source', 'workersAi.model');
    await page.waitForSelector('#sub-fields input[name="model_name"]', WAIT);
    await page.type('#sub-fields input[name="model_name"]', '@cf/meta/llama');
    await page.click('#sub-events input[value="batch.failed"]');
    await page.type('#sub-name', 'console-sub');
    await page.click('#create-sub');
    await waitText('#subscriptions', /console-sub/);
    assert.match(await text('#subscriptions tbody'), /workersAi\.model \(model_name=@cf\/meta\/llama\)batch\.failedconsole-events/);
    await screenshot('subscriptions');
    await page.click('#subscriptions tbody button.danger');
    await waitText('#subscriptions tbody', /No subscriptions/);
    assert.deepEqual(await api('GET', '/event_subscriptions/subscriptions'), []);
    noProblems('subscriptions');
  });

  await t.test('event catalog with a payload schema', async () => {
    await open('#/catalog', '#catalog');
    assert.match(await text('#catalog'), /workersAi\.model.*model_name/);
    await page.click('#catalog a[href="#/catalog/r2"]');
    await waitText('h1', /Event source r2/);
    const events = await texts('h2.event-type');
    assert.ok(events.some((e) => /^cf\.r2\.bucket\.created version 2$/.test(e)), JSON.stringify(events));
    assert.ok((await page.$$('table.schema tbody tr')).length > 0, 'a schema lists fields');
    await screenshot('catalog');
    noProblems('catalog');
  });

  await t.test('tokens: create (secret once), a read-only token is refused with the API message, revoke', async () => {
    await open('#/tokens', '#token-form');
    await page.type('#token-name', 'console-reader'); // queues_read is checked by default
    await page.click('#create-token');
    await page.waitForSelector('#token-value', WAIT);
    const secret = await text('#token-value');
    assert.match(secret, /^sluice_/);
    assert.match(await text('#tokens'), /console-reader.*queues_read/);
    await screenshot('tokens');

    await page.evaluate(() => { location.hash = '#/signout'; });
    await signIn(secret);
    await page.waitForSelector('#queues', WAIT);
    expectedFailures = [403];
    await page.type('#new-queue', 'not-allowed');
    await page.click('#create-queue');
    await waitText('#error', /^403: /);
    assert.match(await text('#error'), /queues_write/);
    await until(() => expectedFailures.length === 0, 'the refused call logged its 403');
    await screenshot('read-only-token-refused');

    await page.evaluate(() => { location.hash = '#/signout'; });
    await signIn(server.token);
    await page.waitForSelector('#queues', WAIT);
    await open('#/tokens', '#token-form');
    await page.evaluate(() => [...document.querySelectorAll('#tokens tbody tr')]
      .find((r) => r.cells[0].textContent === 'console-reader').querySelector('button.danger').click());
    await page.waitForFunction(() => !/console-reader/.test(document.querySelector('#tokens').textContent), WAIT);
    const tokens = await api('GET', '/sluice/tokens');
    assert.ok(!tokens.some((x) => x.name === 'console-reader'));
    noProblems('tokens');
  });

  await t.test('scripts: deploy and view', async () => {
    await open('#/scripts', '#script-form');
    assert.match(await text('#script-plugin'), /webhook/);
    await page.type('#script-name', 'console-hook');
    await page.select('#script-plugin', 'webhook');
    await setValue('#script-env-text', 'URL=http://127.0.0.1:9/hook\nTIMEOUT_MS=1000');
    await page.click('#deploy-script');
    await waitText('h1', /Script console-hook/);
    assert.match(await text('#script'), /Pluginwebhook/);
    assert.match(await text('#script-env'), /URLhttp:\/\/127\.0\.0\.1:9\/hook/);
    await screenshot('script');
    await open('#/scripts', '#scripts');
    assert.match(await text('#scripts'), /console-hookwebhook(TIMEOUT_MS, URL|URL, TIMEOUT_MS)/);
    noProblems('scripts');
  });

  await t.test('audit log lists what the console did, filterable', async () => {
    await open('#/audit', '#audit');
    const actions = await texts('#audit td.action');
    for (const a of ['CreateQueue', 'PurgeQueue', 'DeleteQueue', 'CreateSubscription', 'DeleteSubscription', 'CreateToken', 'RevokeToken', 'DeployScript']) {
      assert.ok(actions.includes(a), `${a} in ${actions}`);
    }
    await screenshot('audit');
    await page.type('#audit-action', 'DeleteQueue');
    await page.click('#audit-filter button');
    await page.waitForFunction(() => [...document.querySelectorAll('#audit td.action')].every((e) => e.textContent === 'DeleteQueue'), WAIT);
    assert.equal((await texts('#audit td.action')).length, 1);
    noProblems('audit');
  });
});
