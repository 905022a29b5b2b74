// The MMO's HTML5 client (apps/mmo/web-server/public) in headless Chromium (Debian's chromium driven by
// playwright-core), against the protocol stand-in of browser_fake_world.js: two players register,
// create heroes and enter the desert; one walks around a wall (client-side A* on the weightMap) while
// the other sees it move; a far onPathCheckout snaps, a near one does not; a mob is fought (the
// attack's body as pomelo-protobuf, a skill on key 2) until it dies and drops a potion, which is
// picked into the bag; world and private chat; a team made from the player menu, with team chat; an
// NPC sends a player to the oasis; a player logs in
// again with the password. Every step is read back from the page (window.__mmo) or the server's log.
// Usage: node browser_test.js <screenshot folder>   (run by CTest, mmo_browser)
'use strict';
const fs = require('fs');
const path = require('path');
const { requireInterop, launchChromium } = require('../connector/lib/harness');
const { Checks, waitFor } = require('../../tools/node/util');
const { startFakeWorld } = require('./browser_fake_world');
const { until, clickWorld, registerAndCreate } = require('./browser_page');
const { chromium } = requireInterop('playwright-core');

const SHOTS = process.argv[2];
const checks = new Checks();
const VIEW = { width: 1000, height: 700 };

const ents = (page) => page.evaluate(() => window.__mmo.entities());
const named = async (page, name) => (await ents(page)).find((e) => e.name === name);
const byId = async (page, id) => (await ents(page)).find((e) => e.entityId === id);
async function main() {
  const world = await startFakeWorld();
  const logOf = (route) => world.log.filter((l) => l.route === route);
  let browser;
  try {
    browser = await launchChromium(chromium);
    let ann, ben, annId, benId;

    await checks.run('the page serves the project\'s browser Pomelo client unchanged (the chat demo\'s)', async () => {
      const here = path.join(__dirname, '..', '..', 'apps');
      const mine = fs.readFileSync(path.join(here, 'mmo', 'web-server', 'public', 'js', 'pomelo-client.js'));
      const chat = fs.readFileSync(path.join(here, 'chat', 'web-server', 'public', 'js', 'pomelo-client.js'));
      if (!mine.equals(chat)) throw new Error('js/pomelo-client.js differs from apps/chat/web-server/public/js/pomelo-client.js: copy it again');
    });

    await checks.run('two players register, create heroes and enter the desert', async () => {
      ann = await registerAndCreate(browser, checks, world.url, 'ann', 'Ann', 210, { view: VIEW });
      ben = await registerAndCreate(browser, checks, world.url, 'ben', 'Ben', 211, { view: VIEW,
        beforeCreate: (page) => SHOTS && page.screenshot({ path: path.join(SHOTS, 'mmo-create.png') }) });
      const reg = logOf('http /register').map((l) => l.body.name).join();
      if (reg !== 'ann,ben') throw new Error('registrations ' + reg);
      const created = logOf('connector.roleHandler.createPlayer').map((l) => `${l.body.name}/${l.body.roleId}`).join();
      if (created !== 'Ann/210,Ben/211') throw new Error('createPlayer bodies ' + created);
      for (const r of ['area.resourceHandler.loadAreaResource', 'area.playerHandler.enterScene', 'area.playerHandler.changeView'])
        if (logOf(r).length < 2) throw new Error(r + ' not sent by both');
      const view = logOf('area.playerHandler.changeView')[0].body;
      if (!(view.width === VIEW.width && view.height === VIEW.height)) throw new Error('changeView ' + JSON.stringify(view));
      annId = (await named(ann, 'Ann')).entityId; benId = (await named(ben, 'Ben')).entityId;
    });

    await checks.run('each sees the other, the mob and the NPC; the scene is drawn', async () => {
      await until(ann, (id) => window.__mmo.entities().some((e) => e.entityId === id), benId, 'Ann to see Ben (onAddEntities)');
      const seen = await ents(ben);
      if (!seen.some((e) => e.entityId === annId)) throw new Error('Ben does not see Ann (enterScene entities)');
      if (!seen.some((e) => e.type === 'mob' && e.kindId === 201)) throw new Error('no mob');
      if (!seen.some((e) => e.type === 'npc' && e.kindId === 301)) throw new Error('no npc');
      // The canvas has a drawn map: many distinct colours, not one flat fill.
      const colours = await ann.evaluate(() => {
        const c = document.getElementById('scene'), d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data, set = new Set();
        for (let i = 0; i < d.length; i += 4 * 97) set.add((d[i] >> 4) * 256 + (d[i + 1] >> 4) * 16 + (d[i + 2] >> 4));
        return set.size;
      });
      if (colours < 20) throw new Error('only ' + colours + ' colours on the canvas');
      const hud = await ann.textContent('#hud-name');
      if (!hud.includes('Ann')) throw new Error('HUD ' + hud);
    });

    await checks.run('a click beyond the wall walks a client-side A* path, verified by the server; the other player sees it', async () => {
      const before = await named(ann, 'Ann');
      await clickWorld(ann, 700, 200);
      await waitFor(() => logOf('area.playerHandler.move').length === 1, 10000, 'the move request');
      const p = logOf('area.playerHandler.move')[0].body.path;
      if (p.length < 3) throw new Error('no detour around the wall: ' + JSON.stringify(p));
      if (Math.hypot(p[0].x - before.x, p[0].y - before.y) > 1) throw new Error('the path does not start at the player: ' + JSON.stringify(p[0]));
      if (Math.hypot(p[p.length - 1].x - 700, p[p.length - 1].y - 200) > 2) throw new Error('the path does not end at the click');
      const clear = await ann.evaluate((pts) => {
        const pm = window.__mmo.scene.pathMap;
        return pts.every((q, i) => i === 0 || pm.segmentClear(pts[i - 1], q));
      }, p);
      if (!clear) throw new Error('a segment crosses a collision');
      await until(ben, (id) => window.__mmo.entities().some((e) => e.entityId === id && e.moving), annId, 'Ben to see Ann walk');
      await until(ben, (id) => window.__mmo.entities().some((e) => e.entityId === id && !e.moving && Math.hypot(e.x - 700, e.y - 200) < 2), annId, 'Ann to arrive on Ben\'s screen');
      await until(ann, () => { const e = window.__mmo.scene.me(); return !e.path && Math.hypot(e.x - 700, e.y - 200) < 2; }, null, 'Ann to arrive');
      if (world.log.some((l) => l.route === 'area.playerHandler.move' && l.refused)) throw new Error('refused');
    });

    await checks.run('onPathCheckout: a position within 100 px is kept, a farther one snaps', async () => {
      world.pushTo('Ann', 'onPathCheckout', { entityId: annId, position: { x: 660, y: 240 } });
      await ann.waitForTimeout(300);  // nothing is expected to change: give the push time to arrive
      const near = await named(ann, 'Ann');
      if (Math.hypot(near.x - 700, near.y - 200) > 1) throw new Error('moved on a near checkout: ' + JSON.stringify(near));
      Object.assign(world.playerNamed('Ann'), { x: 620, y: 330 });
      world.pushTo('Ann', 'onPathCheckout', { entityId: annId, position: { x: 620, y: 330 } });
      await until(ann, () => { const e = window.__mmo.scene.me(); return e.x === 620 && e.y === 330; }, null, 'the snap');
    });

    let mobId, itemId;
    await checks.run('clicking the mob attacks it (protobuf body), key 2 uses a skill, hits show on both screens until it dies and drops', async () => {
      const mob = (await ents(ann)).find((e) => e.type === 'mob');
      mobId = mob.entityId;
      await clickWorld(ann, mob.x, mob.y - 15);
      await waitFor(() => logOf('area.fightHandler.attack').length === 1, 10000, 'the attack request');
      const a = logOf('area.fightHandler.attack')[0];
      if (!a.binary || a.body.targetId !== mobId) throw new Error('attack ' + JSON.stringify(a));
      await until(ben, (id) => window.__mmo.entities().some((e) => e.entityId === id && e.hp === 20), mobId, 'Ben to see the mob hit');
      if (SHOTS) await ben.screenshot({ path: path.join(SHOTS, 'mmo-fight.png') });
      await ann.keyboard.press('2');
      await waitFor(() => logOf('area.fightHandler.useSkill').length === 1, 10000, 'useSkill');
      const u = logOf('area.fightHandler.useSkill')[0].body;
      if (u.skillId !== 2 || typeof u.playerId !== 'number') throw new Error('useSkill ' + JSON.stringify(u));
      await until(ann, (id) => window.__mmo.entities().some((e) => e.entityId === id && e.hp === 5), mobId, 'the skill hit');
      await clickWorld(ann, mob.x, mob.y - 15);
      await until(ann, () => window.__mmo.entities().some((e) => e.type === 'item'), null, 'the drop');
      await until(ann, (id) => !window.__mmo.entities().some((e) => e.entityId === id), mobId, 'the dead mob to fade out');
      if (await ann.evaluate(() => window.__mmo.S.me.experience) !== 20) throw new Error('experience not updated from onAttack.exp');
      await until(ben, () => window.__mmo.entities().some((e) => e.type === 'item'), null, 'Ben to see the drop');
      itemId = (await ents(ann)).find((e) => e.type === 'item').entityId;
    });

    await checks.run('clicking the drop picks it into the bag panel; it vanishes for both', async () => {
      const item = await byId(ann, itemId);
      await clickWorld(ann, item.x, item.y - 8);
      await until(ann, (id) => !window.__mmo.entities().some((e) => e.entityId === id), itemId, 'the pick');
      await until(ben, (id) => !window.__mmo.entities().some((e) => e.entityId === id), itemId, 'the item to vanish for Ben');
      await ann.keyboard.press('b');
      await ann.waitForSelector('#panel-bag:not([hidden]) .slot.full[data-key="1"]', { timeout: 5000 });
      const title = await ann.getAttribute('.slot.full[data-key="1"]', 'title');
      if (title !== 'Minor Potion') throw new Error('bag slot titled ' + title);
      if (SHOTS) await ann.screenshot({ path: path.join(SHOTS, 'mmo-desert.png') });
      await ann.keyboard.press('b');
    });

    await checks.run('world chat reaches the other player; private chat reaches its target; an offline name is told', async () => {
      await ann.fill('#chat-text', 'hello <b>world</b>');
      await ann.press('#chat-text', 'Enter');
      await until(ben, () => document.getElementById('chat-log').textContent.includes('[World] Ann: hello <b>world</b>'), null, 'the world line');
      if (await ben.$('#chat-log b')) throw new Error('chat text was rendered as HTML');
      await ben.selectOption('#chat-scope', 'private');
      await ben.fill('#chat-to', 'Ann');
      await ben.fill('#chat-text', 'psst');
      await ben.press('#chat-text', 'Enter');
      await until(ann, () => document.getElementById('chat-log').textContent.includes('[Private] Ben: psst'), null, 'the private line');
      const sent = logOf('chat.chatHandler.send').map((l) => l.body.scope).join();
      if (sent !== 'D41313,279106') throw new Error('scopes ' + sent);
      await ben.fill('#chat-to', 'Nobody');
      await ben.fill('#chat-text', 'anyone?');
      await ben.press('#chat-text', 'Enter');
      await until(ben, () => document.getElementById('chat-log').textContent.includes('Nobody is not online'), null, 'the offline notice');
    });

    await checks.run('teams: Ann creates one, invites Ben from his menu, he accepts; team chat; Ann disbands it', async () => {
      await ann.click('#btn-team');
      await ann.click('#team-create');
      await until(ann, () => window.__mmo.S.me.teamId > 0 && window.__mmo.S.me.isCaptain === 1 && document.querySelectorAll('#team-list li').length === 1, null, 'Ann\'s team');
      const benNow = await byId(ann, benId);
      await clickWorld(ann, benNow.x, benNow.y - 25);
      await ann.click('#player-menu button:has-text("Invite to team")');
      await ben.waitForSelector('.confirm button.accept', { timeout: 10000 });
      await ben.click('.confirm button.accept');
      await until(ann, () => document.querySelectorAll('#team-list li').length === 2, null, 'two members on Ann\'s panel');
      const teamId = await ann.evaluate(() => window.__mmo.S.me.teamId);
      await until(ben, (t) => window.__mmo.S.me.teamId === t && Object.keys(window.__mmo.S.team).length === 2, teamId, 'Ben in the team');
      await until(ann, ([id, t]) => window.__mmo.entities().some((e) => e.entityId === id && e.teamId === t), [benId, teamId], 'Ben\'s flag on Ann\'s screen');
      await ben.selectOption('#chat-scope', 'team');
      await ben.fill('#chat-text', 'to the team');
      await ben.press('#chat-text', 'Enter');
      await until(ann, () => document.getElementById('chat-log').textContent.includes('[Team] Ben: to the team'), null, 'the team line');
      if (SHOTS) await ann.screenshot({ path: path.join(SHOTS, 'mmo-team.png') });
      if (await ann.isHidden('#team-disband')) throw new Error('no disband button for the captain');
      await ann.click('#team-disband');
      await until(ben, () => !window.__mmo.S.me.teamId && Object.keys(window.__mmo.S.team).length === 0, null, 'the team to end for Ben');
      await ann.click('#btn-team');
    });

    await checks.run('the NPC offers travel; changeArea then a new enterScene puts Ann in the oasis; Ben sees her leave', async () => {
      const npc = (await ents(ann)).find((e) => e.type === 'npc');
      await clickWorld(ann, npc.x, npc.y - 20);
      await ann.waitForSelector('#npc-travel', { timeout: 10000 });
      await ann.click('#npc-travel');
      await until(ann, () => window.__mmo.S.areaId === 2 && window.__mmo.S.state === 'playing', null, 'the oasis');
      const ca = logOf('area.playerHandler.changeArea')[0].body;
      if (ca.areaId !== 1 || ca.target !== 2 || typeof ca.playerId !== 'number') throw new Error('changeArea ' + JSON.stringify(ca));
      if (await ann.evaluate(() => window.__mmo.scene.theme) !== 'oasis') throw new Error('not drawn as the oasis');
      await until(ben, (id) => !window.__mmo.entities().some((e) => e.entityId === id), annId, 'Ann to leave Ben\'s desert');
      if (SHOTS) { await ann.waitForTimeout(200); await ann.screenshot({ path: path.join(SHOTS, 'mmo-oasis.png') }); }
    });

    await checks.run('Ben logs in again with his password and finds his hero', async () => {
      await ben.goto(world.url);
      await ben.fill('#username', 'ben');
      await ben.fill('#password', 'wrong');
      await ben.click('#login-btn');
      await until(ben, () => /wrong password/.test(document.getElementById('status').textContent), null, 'the refusal');
      await ben.fill('#password', 'secret-ben');
      await ben.click('#login-btn');
      await until(ben, () => window.__mmo.S.state === 'playing', null, 'Ben back in the game');
      if ((await ben.evaluate(() => window.__mmo.S.me.name)) !== 'Ben') throw new Error('not Ben');
      if (logOf('connector.roleHandler.createPlayer').length !== 2) throw new Error('a hero was created again');
      if (SHOTS) await ben.screenshot({ path: path.join(SHOTS, 'mmo-desert-ben.png') });
    });
  } catch (e) {
    checks.fail('no exception', e);
  } finally {
    if (browser) await browser.close();
    await world.close();
  }
  checks.finish();
}

if (SHOTS) fs.mkdirSync(SHOTS, { recursive: true });
main();
