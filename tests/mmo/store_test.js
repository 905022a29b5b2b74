// The MMO demo's PlayerStore (apps/mmo/src/platform/player_store.hpp) through a probe app
// (store_probe/): a player's full record loads with its bag, equipments, skills and tasks; saves are
// written behind through the sync plugin, merged by id (the database gets the latest value without
// any flush); flush_player is in the database when it answers; a skill is inserted then updated; and
// a kill -9 of the server holding the write-behind loses nothing written before the last interval:
// the database holds the last value written by the interval, or a newer one, never an older.
//   node store_test.js            SQLite (the default database)
//   node store_test.js postgres   a real PostgreSQL (tools/node/engines.js), the schema with BIGSERIAL ids
// Run by CTest (mmo_store, mmo_store_postgres): SHADDOCK_HOST, SHADDOCK_APPS_DIR (the probe app).
'use strict';
const fs = require('fs');
const path = require('path');
const assert = require('assert');
const client = require('../connector/lib/pomelo_js_client');
const { freePort, waitFor } = require('../connector/lib/harness');
const { Checks, requiredEnv, tempDir } = require('../../tools/node/util');
const { APP, testDatabase, usePostgres, spawnCluster } = require('./mmo_cluster');

const HOST = requiredEnv('SHADDOCK_HOST');
const PROBE = path.join(__dirname, 'store_probe', 'config');
const INTERVAL = 500;

// The probe's config with free ports, the MMO app's schema and a short sync interval.
async function prepare(pg) {
  const dir = tempDir('shd-mmo-store-');
  fs.mkdirSync(path.join(dir, 'config'));
  const servers = JSON.parse(fs.readFileSync(path.join(PROBE, 'servers.json'), 'utf8'));
  const c = servers.development.connector[0];
  c.port = await freePort();
  c.clientPort = await freePort();
  fs.writeFileSync(path.join(dir, 'config', 'servers.json'), JSON.stringify(servers));
  fs.writeFileSync(path.join(dir, 'config', 'master.json'),
                   JSON.stringify({ development: { id: 'master-server-1', host: '127.0.0.1', port: await freePort() } }));
  const plugins = JSON.parse(fs.readFileSync(path.join(PROBE, 'plugins.json'), 'utf8'));
  const appSync = JSON.parse(fs.readFileSync(path.join(APP, 'config', 'plugins.json'), 'utf8')).plugins.find((p) => p.name === 'sync');
  const sync = plugins.plugins.find((p) => p.name === 'sync');
  sync.options.init = appSync.options.init;
  sync.options.interval = INTERVAL;
  if (pg) usePostgres(sync.options, pg);
  fs.writeFileSync(path.join(dir, 'config', 'plugins.json'), JSON.stringify(plugins));
  return { dir, port: c.clientPort };
}

async function start(dir) {
  const { output, stop } = await spawnCluster(HOST, dir);
  const pid = Number((output().match(/started connector-server-1 \(pid (\d+)/) || [])[1]);
  const port = JSON.parse(fs.readFileSync(path.join(dir, 'config', 'servers.json'), 'utf8')).development.connector[0].clientPort;
  const pomelo = client.loadClient();
  await client.init(pomelo, { host: '127.0.0.1', port, log: false });
  return { pomelo, pid, output, stop };
}

async function main() {
  const checks = new Checks();
  const db = await testDatabase(process.argv[2]);
  const { dir } = await prepare(db.pg);
  const q = (sql) => db.query(dir, sql);
  let probe = await start(dir);
  const call = (route, msg) => client.request(probe.pomelo, 'connector.probe.' + route, msg);
  let player;
  try {
    await checks.run('a created player loads whole: player, bag, equipments, skill 1, no tasks', async () => {
      const c = await call('create', { name: 'Probe' });
      assert.strictEqual(c.code, 200, JSON.stringify(c));
      player = c.player;
      const r = await call('load', { id: player.id });
      assert.strictEqual(r.ok, true);
      assert.deepStrictEqual(r.record.player, player);
      assert.deepStrictEqual(r.record.bag, { id: r.record.bag.id, playerId: player.id, itemCount: 20, items: [] });
      assert.strictEqual(r.record.equipments.weapon, 0);
      assert.deepStrictEqual(r.record.fightSkills.map((s) => [s.skillId, s.level]), [[1, 1]]);
      assert.deepStrictEqual(r.record.tasks, []);
      assert.deepStrictEqual(await call('load', { id: 999999 }), { ok: false, record: null });
    });

    await checks.run('a second hero of the same user is refused by the store itself (500, no row)', async () => {
      // The connector refuses it too, but two connectors (two database connections) could both have
      // read "no hero yet" for the user.
      const c = await call('create', { name: 'Second' });
      assert.deepStrictEqual(c, { code: 500, player: null });
      assert.strictEqual(q("SELECT count(*) FROM player WHERE userId = 1"), '1');
      assert.strictEqual(q("SELECT count(*) FROM bag"), '1');
    });

    await checks.run('saves are written behind, merged by id: the database gets the latest value', async () => {
      for (let x = 1; x <= 50; x++) {
        const r = await call('save', { player: { ...player, x, y: 7 } });
        assert.deepStrictEqual(r.queued, [true]);
      }
      const bag = { playerId: player.id, itemCount: 20, items: [{ key: 1, id: 5, type: 'item' }] };
      const eq = { playerId: player.id, weapon: 12, armor: 0, helmet: 0, necklace: 0, ring: 0, belt: 0, shoes: 0, amulet: 0, legguard: 3 };
      assert.deepStrictEqual((await call('save', { bag, equipments: eq })).queued, [true, true]);
      await waitFor(() => q(`SELECT x, y FROM player WHERE id = ${player.id}`) === '50|7' &&
                          q(`SELECT weapon, legguard FROM equipments WHERE playerId = ${player.id}`) === '12|3', 20000, 'the write-behind');
      const r = await call('load', { id: player.id });
      assert.deepStrictEqual(r.record.bag.items, bag.items);
    });

    await checks.run('a record without its id is not queued', async () => {
      const { id, ...noId } = player;
      assert.deepStrictEqual((await call('save', { player: noId })).queued, [false]);
    });

    await checks.run('tasks and skills are written directly; a task\'s data is saved behind', async () => {
      const t = await call('task', { playerId: player.id, kindId: 3 });
      assert.strictEqual(t.ok, true);
      assert.deepStrictEqual(t.task.taskData, { mobKilled: 0 });
      assert.deepStrictEqual(await call('skill', { playerId: player.id, skillId: 2, level: 1 }), { ok: true });
      assert.deepStrictEqual(await call('skill', { playerId: player.id, skillId: 2, level: 3 }), { ok: true });
      assert.strictEqual(q(`SELECT level FROM fight_skill WHERE playerId = ${player.id} AND skillId = 2`), '3');
      assert.deepStrictEqual((await call('save', { task: { ...t.task, taskState: 1, taskData: { mobKilled: 4 } } })).queued, [true]);
      await waitFor(() => q(`SELECT taskState, taskData FROM task WHERE id = ${t.task.id}`) === '1|{"mobKilled":4}', 20000, 'the task');
    });

    await checks.run('flush_player is in the database when it answers', async () => {
      assert.deepStrictEqual(await call('flush', { player: { ...player, x: 777, y: 8 } }), { ok: true });
      assert.strictEqual(q(`SELECT x, y FROM player WHERE id = ${player.id}`), '777|8');
    });

    await checks.run('kill -9 of the server holding the write-behind: nothing older than the last interval is lost', async () => {
      await call('save', { player: { ...player, x: 300, y: 9 } });
      await waitFor(() => q(`SELECT x FROM player WHERE id = ${player.id}`) === '300', 20000, 'x 300 written behind');
      await call('save', { player: { ...player, x: 400, y: 9 } });
      assert.ok(probe.pid > 0, 'the server\'s pid in the master\'s log');
      process.kill(probe.pid, 'SIGKILL');
      probe.pomelo.disconnect();
      await probe.stop();
      const x = q(`SELECT x FROM player WHERE id = ${player.id}`);
      assert.ok(x === '300' || x === '400', 'x = ' + x);
      probe = await start(dir);
      const r = await call('load', { id: player.id });
      assert.strictEqual(String(r.record.player.x), x);
      assert.strictEqual(r.record.bag.items.length, 1);
    });
  } finally {
    try { probe.pomelo.disconnect(); } catch (e) { /* closed */ }
    await probe.stop();
    await db.close();
  }
  checks.finish();
}

main().catch((e) => { console.error(e); process.exit(1); });
