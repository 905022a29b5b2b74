// The chat web page in headless Chromium (Debian's chromium, driven by playwright-core): two browser
// users in one room see each other join, exchange a broadcast and a private message, and see the
// other leave. Saves a screenshot to the path given as the argument.
// Usage: node web_page_test.js <screenshot.png>   (run by CTest, chat_web_page: SHADDOCK_HOST)
'use strict';
const fs = require('fs');
const path = require('path');
const { requireInterop, launchChromium } = require('../connector/lib/harness');
const { startChatCluster } = require('./chat_cluster');
const { requiredEnv } = require('../../tools/node/util.js');
const { chromium } = requireInterop('playwright-core');

const HOST = requiredEnv('SHADDOCK_HOST');
const SHOT = process.argv[2];
let passed = 0, failed = 0;
function check(name, ok, detail) {
  if (ok) { passed++; console.log('ok   ' + name); } else { failed++; console.log('FAIL ' + name + (detail ? ': ' + detail : '')); }
}

async function main() {
  const cluster = await startChatCluster(HOST);
  const { servers, webPort } = cluster;
  const out = () => cluster.output();
  let browser;
  try {
    check('the log names the web client URL', out().includes(`web client at http://127.0.0.1:${webPort}/`));
    browser = await launchChromium(chromium);
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
    check('no exception', false, e.stack + '\n' + out().slice(-2000));
  } finally {
    if (browser) await browser.close();
    const exit = await cluster.stop();
    check('the cluster stops cleanly', exit.code === 0, JSON.stringify(exit));
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}
main();
