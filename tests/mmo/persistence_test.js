// The MMO demo's records survive a restart (apps/mmo): a user and the hero created through the
// connector are in the database (SQLite through the app's connection), so after the whole cluster
// is stopped and started again on the same folder, login and entry return the same hero, with its
// bag, equipments and first skill rows still there, and the name stays taken.
// Run by CTest (mmo_persistence): SHADDOCK_HOST.
'use strict';
const { execFileSync } = require('child_process');
const path = require('path');
const assert = require('assert');
const client = require('../connector/lib/pomelo_js_client');
const { Checks, requiredEnv } = require('../../tools/node/util');
const { prepareAppDir, startMmoCluster, httpPost, account, connect } = require('./mmo_cluster');

const HOST = requiredEnv('SHADDOCK_HOST');

async function main() {
  const checks = new Checks();
  const dir = await prepareAppDir();
  let cluster = await startMmoCluster(HOST, dir);
  let hero, uid;
  try {
    const a = await account(cluster, 'keeper', 'pa55word');
    uid = a.uid;
    const c = await connect(cluster, a.uid, a.token);
    const r = await client.request(c.pomelo, 'connector.roleHandler.createPlayer', { name: 'Keeper', roleId: 211 });
    assert.strictEqual(r.code, 200, JSON.stringify(r));
    hero = r.player;
    c.pomelo.disconnect();
  } finally {
    await cluster.stop();
  }
  cluster = await startMmoCluster(HOST, dir);
  const open = [];
  try {
    await checks.run('after a restart the password still logs in, with the same uid', async () => {
      const r = await httpPost(cluster.webPort, '/login', { username: 'keeper', password: 'pa55word' });
      assert.strictEqual(r.body.code, 200);
      assert.strictEqual(r.body.uid, uid);
      const c = await connect(cluster, uid, r.body.token);
      open.push(c.pomelo);
      assert.strictEqual(c.res.code, 200);
      assert.deepStrictEqual(c.res.player, hero);
      assert.deepStrictEqual(await client.request(c.pomelo, 'connector.roleHandler.createPlayer', { name: 'Second', roleId: 210 }),
                             { code: 500 }, 'the hero is known again: no second one');
    });
    await checks.run('the hero\'s bag, equipments and skill rows are still there', async () => {
      const q = (sql) => execFileSync('sqlite3', [path.join(dir, 'data', 'mmo.db'), sql], { encoding: 'utf8' }).trim();
      assert.strictEqual(q(`SELECT count(*) FROM bag WHERE playerId = ${hero.id} AND itemCount = 20`), '1');
      assert.strictEqual(q(`SELECT count(*) FROM equipments WHERE playerId = ${hero.id}`), '1');
      assert.strictEqual(q(`SELECT count(*) FROM fight_skill WHERE playerId = ${hero.id} AND skillId = 1`), '1');
    });
    await checks.run('the name stays taken for other users', async () => {
      const b = await account(cluster, 'other');
      const c = await connect(cluster, b.uid, b.token);
      open.push(c.pomelo);
      assert.deepStrictEqual(await client.request(c.pomelo, 'connector.roleHandler.createPlayer', { name: 'Keeper', roleId: 210 }),
                             { code: 501 });
    });
  } finally {
    for (const p of open) try { p.disconnect(); } catch (e) { /* closed */ }
    await cluster.stop();
  }
  checks.finish();
}

main().catch((e) => { console.error(e); process.exit(1); });
