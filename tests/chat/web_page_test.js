// The chat web page in headless Chromium (Debian's chromium, driven by playwright-core): two browser
// users in one room see each other join, exchange a broadcast and a private message, and see the
// other leave. Saves a screenshot to the path given as the third argument.
// Usage: node web_page_test.js <shaddock-host> <screenshot.png>
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { requireInterop, freePort, waitFor } = require('../connector/lib/harness');
const { chromium } = requireInterop('playwright-core');

const HOST = process.argv[2];
const SHOT = process.argv[3];
let passed = 0, failed = 0;
function check(name, ok, detail) {
  if (ok) { passed++; console.log('ok   ' + name); } else { failed++; console.log('FAIL ' + name + (detail ? ': ' + detail : '')); }
}

async function main() {
  const src = path.join(__dirname, '..', '..', 'apps', 'chat');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shd-web-'));
  fs.mkdirSync(path.join(dir, 'config'));
  for (const f of fs.readdirSync(path.join(src, 'config'))) fs.copyFileSync(path.join(src, 'config', f), path.join(dir, 'config', f));
  const servers = JSON.parse(fs.readFileSync(path.join(src, 'config', 'servers.json'), 'utf8')).development;
  for (const list of Object.values(servers))
    for (const s of list) { if (s.port) s.port = await freePort(); if (s.clientPort) s.clientPort = await freePort(); }
  fs.writeFileSync(path.join(dir, 'config', 'servers.json'), JSON.stringify({ development: servers }));
  fs.writeFileSync(path.join(dir, 'config', 'master.json'), JSON.stringify({ id: 'master-server-1', host: '127.0.0.1', port: await freePort() }));
  const webPort = await freePort();
  const plugins = JSON.parse(fs.readFileSync(path.join(src, 'config', 'plugins.json'), 'utf8'));
  const web = plugins.plugins.find((p) => p.name === 'static_web');
  web.options = { port: webPort, root: path.join(src, 'web-server', 'public') };
  fs.writeFileSync(path.join(dir, 'config', 'plugins.json'), JSON.stringify(plugins));

  const master = spawn(HOST, ['--app-dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  master.stdout.on('data', (d) => { out += d; });
  master.stderr.on('data', (d) => { out += d; });
  const exited = new Promise((r) => master.on('exit', (code, signal) => r({ code, signal })));
  let browser;
  try {
    await waitFor(() => /all servers startup in/.test(out), 20000, 'cluster start');
    check('the log names the web client URL', out.includes(`web client at http://127.0.0.1:${webPort}/`));
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
             '--disable-component-update', '--disable-sync'],
    });
    const url = `http://127.0.0.1:${webPort}/?gate=${servers.gate[0].clientPort}`;
    const open = async (name) => {
      const page = await (await browser.newContext()).newPage();
      await page.goto(url);
      await page.fill('#username', name);
      await page.fill('#room', 'garden');
      await page.click('#join');
      await page.waitForSelector('#chat:not([hidden])', { timeout: 10000 });
      return page;
    };
    const ann = await open('ann');
    const ben = await open('ben');
    await ann.waitForSelector('#users li[data-user="ben"]', { timeout: 5000 });
    check('ann sees ben join (user list and a join line)',
          (await ann.textContent('#messages')).includes('ben joined'));
    check('ben sees both users', (await ben.$$eval('#users li', (l) => l.map((x) => x.dataset.user).sort())).join() === 'ann,ben');

    await ben.fill('#text', 'hello garden');
    await ben.click('#send');
    await ann.waitForFunction(() => document.querySelector('#messages').textContent.includes('ben: hello garden'), null, { timeout: 5000 });
    check('a broadcast reaches the other browser', true);

    await ann.selectOption('#target', 'ben');
    await ann.fill('#text', 'just for you');
    await ann.click('#send');
    await ben.waitForFunction(() => document.querySelector('#messages').textContent.includes('ann (to ben): just for you'), null, { timeout: 5000 });
    check('a private message reaches its target', true);
    if (SHOT) {
      fs.mkdirSync(path.dirname(SHOT), { recursive: true });
      await ben.screenshot({ path: SHOT });
      check('a screenshot is saved', fs.statSync(SHOT).size > 1000);
    }
    await ben.context().close();
    await ann.waitForFunction(() => document.querySelector('#messages').textContent.includes('ben left'), null, { timeout: 8000 });
    check('ann sees ben leave', (await ann.$$eval('#users li', (l) => l.map((x) => x.dataset.user))).join() === 'ann');
  } catch (e) {
    check('no exception', false, e.stack + '\n' + out.slice(-2000));
  } finally {
    if (browser) await browser.close();
    master.kill('SIGTERM');
    const exit = await exited;
    check('the cluster stops cleanly', exit.code === 0, JSON.stringify(exit));
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}
main();
