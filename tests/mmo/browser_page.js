'use strict';
// What the MMO's two Chromium tests (browser_test.js against the stand-in, browser_real_test.js against
// the real cluster) do on a page of the client: wait for a state of window.__mmo, click a world point,
// register a user and create its hero until the scene is entered.

// Waits until fn(arg) holds in the page; the error names `what` and the page's state.
async function until(page, fn, arg, what, ms = 15000) {
  try {
    await page.waitForFunction(fn, arg, { timeout: ms, polling: 50 });
  } catch (e) {
    const st = await page.evaluate(() => ({ state: window.__mmo.S.state, error: window.__mmo.S.lastError,
      areaId: window.__mmo.S.areaId, pushes: window.__mmo.S.pushes }));
    throw new Error(`waiting for ${what}: ${e.message.split('\n')[0]}; page state ${JSON.stringify(st)}`);
  }
}

// Clicks the canvas at a world point of the player's current view; throws when the point is off
// screen or under a panel.
async function clickWorld(page, x, y) {
  const s = await page.evaluate(([wx, wy]) => {
    const p = window.__mmo.worldToScreen(wx, wy);
    return { x: p.x, y: p.y, canvas: document.elementFromPoint(p.x, p.y) === document.getElementById('scene') };
  }, [x, y]);
  if (!s.canvas) throw new Error(`(${x},${y}) is off screen or under a panel at ${JSON.stringify(s)}`);
  await page.mouse.click(s.x, s.y);
}

// A new page (its script errors fail `checks`) on which `name` registers (password "secret-<name>"),
// picks hero kind `role`, names it and enters the scene. opts: view (viewport), ms (each wait),
// beforeCreate(page) (called with the hero chosen, before it is named: a screenshot, say).
async function registerAndCreate(browser, checks, url, name, heroName, role, opts = {}) {
  const page = await (await browser.newContext({ viewport: opts.view || { width: 1000, height: 700 } })).newPage();
  page.on('pageerror', (e) => checks.fail(`no script error on ${name}'s page`, e));
  await page.goto(url);
  await page.fill('#username', name);
  await page.fill('#password', 'secret-' + name);
  await page.click('#register');
  await page.waitForSelector('#create:not([hidden])', { timeout: opts.ms || 15000 });
  await page.click(`.hero-choice[data-role="${role}"]`);
  if (opts.beforeCreate) await opts.beforeCreate(page);
  await page.fill('#hero-name', heroName);
  await page.click('#create-btn');
  await until(page, () => window.__mmo.S.state === 'playing', null, `${heroName} to enter the scene`, (opts.ms || 15000) * 2);
  return page;
}

module.exports = { until, clickWorld, registerAndCreate };
