// The master's dashboard in headless Chromium (Debian's chromium, driven by playwright-core) against a
// live cluster (master, a connector and two backends of apps/echo) kept busy by the npm Pomelo client:
// a wrong password is shown, the login works, every server appears running with its pid, the routes
// table and charts fill, Stop (confirmed by a second click) stops backend-server-2 and Start brings it
// back, Restart gives backend-server-1 a new pid; a level-2 user sees no buttons. No request leaves the
// master's origin and the page logs no error (its Content-Security-Policy holds). Saves a screenshot to
// the path given as the argument.
// Usage: node dashboard_browser_test.js <screenshot.png> [seconds of traffic before it, default 8]
//        (run by CTest, cluster_dashboard_browser: SHADDOCK_HOST)
'use strict';
const fs = require('fs');
const path = require('path');
const client = require('../connector/lib/pomelo_js_client');
const { requireInterop, launchChromium, sleep } = require('../connector/lib/harness');
const { requiredEnv } = require('../../tools/node/util.js');
const { startDashboardCluster, USERS } = require('./lib/dashboard_cluster.js');

const HOST = requiredEnv('SHADDOCK_HOST');
const SHOT = process.argv[2];
const SETTLE_MS = Number(process.argv[3] || 8) * 1000;
let passed = 0, failed = 0;
function check(name, ok, detail) {
  if (ok) { passed++; console.log('ok   ' + name); } else { failed++; console.log('FAIL ' + name + (detail ? ': ' + detail : '')); }
}

async function main() {
  let chromium;
  try {
    ({ chromium } = requireInterop('playwright-core'));
  } catch (e) {
    console.log('skipped: playwright-core is needed (npm ci in tests/interop)');
    process.exit(77);
  }
  const cluster = await startDashboardCluster(HOST);
  const out = cluster.output;
  const origin = `http://127.0.0.1:${cluster.ports.adminHttp}`;
  let browser, driving = true, pomelo;
  const driver = (async () => {
    // Steady traffic so the charts have something to show: echoes, now and then an error and a push.
    pomelo = client.loadClient();
    await client.init(pomelo, { host: '127.0.0.1', port: cluster.ports.client });
    await client.request(pomelo, 'connector.entryHandler.login', { uid: 'browser-user' });
    for (let i = 0; driving; i++) {
      const route = i % 23 === 0 ? 'backend.backendHandler.fail' : 'backend.backendHandler.echo';
      await Promise.race([client.request(pomelo, route, { n: i }), sleep(2000)]);
      if (i % 5 === 0) await Promise.race([client.request(pomelo, 'connector.entryHandler.push', { route: 'onPush', msg: { i } }), sleep(2000)]);
      await sleep(40 + (i % 7) * 10);
    }
  })().catch((e) => console.log('driver: ' + e.message));
  try {
    browser = await launchChromium(chromium);
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    const errors = [], foreign = [];
    // The page asks /api/session before anyone logs in, and a wrong password is refused: those two
    // 401s are expected (Chromium logs every failed fetch); anything else is an error.
    const expected401 = [];
    page.on('response', (r) => { if (r.status() === 401) expected401.push(new URL(r.url()).pathname); });
    page.on('console', (m) => {
      if (m.type() !== 'error') return;
      if (/status of 401/.test(m.text()) && expected401.length) return;
      errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('request', (r) => { if (!r.url().startsWith(origin + '/')) foreign.push(r.url()); });
    await page.goto(origin + '/');
    await page.waitForSelector('#login:not([hidden])', { timeout: 10000 });
    check('the login form is shown first', await page.isVisible('#username'));

    await page.fill('#username', 'admin');
    await page.fill('#password', 'wrong');
    await page.click('#login-button');
    await page.waitForFunction(() => document.querySelector('#login-error').textContent.length > 0, null, { timeout: 10000 });
    check('a wrong password is shown as an error', /wrong user name or password/.test(await page.textContent('#login-error')));

    await page.fill('#password', USERS.admin.password);
    await page.click('#login-button');
    await page.waitForSelector('#app:not([hidden])', { timeout: 10000 });
    check('the login opens the dashboard', (await page.textContent('#who')).includes('admin · level 1'));

    const ids = ['master-server-1', 'connector-server-1', 'backend-server-1', 'backend-server-2'];
    await page.waitForFunction((want) => want.every((id) => {
      const tr = document.querySelector(`#servers tr[data-id="${id}"]`);
      return tr && tr.dataset.state === 'running' && Number(tr.dataset.pid) > 0;
    }), ids, { timeout: 15000 });
    check('every server of the cluster is shown running with its pid', true);
    const row = await page.$$eval('#servers tr[data-id="connector-server-1"] td', (tds) => tds.map((t) => t.textContent));
    check('the connector row shows type, state, CPU, RSS and its one connection',
          row[1] === 'connector' && row[2] === 'running' && / %$/.test(row[4]) && /MiB$/.test(row[5]) && row[6] === '1', JSON.stringify(row));
    check('level-1 users get Stop and Restart buttons, the master none',
          (await page.$$('#servers tr[data-id="backend-server-1"] button[data-action="stop"]')).length === 1 &&
          (await page.$$('#servers tr[data-id="backend-server-1"] button[data-action="restart"]')).length === 1 &&
          (await page.$$('#servers tr[data-id="master-server-1"] button')).length === 0);

    await page.waitForSelector('#routes tr[data-route="backend.backendHandler.echo"]', { timeout: 15000 });
    await page.waitForFunction(() => parseFloat(document.querySelector('#t-rps').textContent) > 0, null, { timeout: 15000 });
    check('the routes table and the requests/s tile fill from live traffic', true);

    // Stop backend-server-2 (two clicks: Stop, Confirm stop), watch it stop, then start it again.
    const stopSel = '#servers tr[data-id="backend-server-2"] button[data-action="stop"]';
    await page.click(stopSel);
    check('the first click on Stop asks for a confirmation', (await page.textContent(stopSel)) === 'Confirm stop');
    await page.click(stopSel);
    await page.waitForSelector('#servers tr[data-id="backend-server-2"][data-state="stopped"]', { timeout: 15000 });
    check('backend-server-2 is shown stopped', true);
    check('the stop is audited', /user="admin" address=127\.0\.0\.1 command="stop backend-server-2" result=ok/.test(out()));
    const startSel = '#servers tr[data-id="backend-server-2"] button[data-action="restart"]';
    check('a stopped server offers Start', (await page.textContent(startSel)) === 'Start');
    await page.click(startSel);
    await page.waitForSelector('#servers tr[data-id="backend-server-2"][data-state="running"]', { timeout: 20000 });
    check('backend-server-2 is shown running again', Number(await page.getAttribute('#servers tr[data-id="backend-server-2"]', 'data-pid')) > 0);

    // Restart a running server: a new pid.
    const oldPid = await page.getAttribute('#servers tr[data-id="backend-server-1"]', 'data-pid');
    await page.click('#servers tr[data-id="backend-server-1"] button[data-action="restart"]');
    await page.waitForFunction((pid) => {
      const tr = document.querySelector('#servers tr[data-id="backend-server-1"]');
      return tr && tr.dataset.state === 'running' && tr.dataset.pid !== pid && Number(tr.dataset.pid) > 0;
    }, oldPid, { timeout: 20000 });
    check('Restart gives backend-server-1 a new pid and it runs again', true);
    await page.waitForFunction(() => /restart backend-server-1: done/.test(document.querySelector('#action-status').textContent), null, { timeout: 20000 });
    check('the command result is shown', true);

    // Let the charts fill, then the screenshot.
    await sleep(SETTLE_MS);
    const legend = await page.textContent('#l-rps');
    check('the requests/s chart has the echo route in its legend', legend.includes('backend.backendHandler.echo'), legend);
    const drawn = await page.$eval('#c-rps', (c) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let lit = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) lit++;
      return lit;
    });
    check('the chart is drawn (canvas pixels)', drawn > 1000, String(drawn));
    if (SHOT) {
      fs.mkdirSync(path.dirname(SHOT), { recursive: true });
      await page.screenshot({ path: SHOT, fullPage: true });
      check('a screenshot is saved', fs.statSync(SHOT).size > 10000);
    }
    check('the page logged no error (Content-Security-Policy violations included)', errors.length === 0, errors.join('\n'));
    check('the only 401s were the first /api/session and the wrong password',
          expected401.join() === '/api/session,/api/login', expected401.join());
    check('no request left the master\'s origin', foreign.length === 0, foreign.join());

    // A level-2 user reads only.
    const reader = await (await browser.newContext()).newPage();
    await reader.goto(origin + '/');
    await reader.fill('#username', 'monitor');
    await reader.fill('#password', USERS.monitor.password);
    await reader.click('#login-button');
    await reader.waitForSelector('#servers tr[data-id="backend-server-1"]', { timeout: 10000 });
    check('a level-2 user sees the servers, read only, without buttons',
          (await reader.$$('#servers button')).length === 0 && (await reader.textContent('#who')).includes('read only'));

    // Logging out returns to the form; a reload stays logged out.
    await page.click('#logout');
    await page.waitForSelector('#login:not([hidden])', { timeout: 5000 });
    await page.reload();
    await page.waitForSelector('#login:not([hidden])', { timeout: 5000 });
    check('Log out ends the session (a reload shows the login form)', true);
  } catch (e) {
    check('no exception', false, e.stack + '\n' + out().slice(-2000));
  } finally {
    driving = false;
    await Promise.race([driver, sleep(3000)]);
    if (pomelo) try { pomelo.disconnect(); } catch (e) { /* gone */ }
    if (browser) await browser.close();
    const exit = await cluster.stop();
    check('the cluster stops cleanly', exit && exit.code === 0, JSON.stringify(exit));
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}
main();
