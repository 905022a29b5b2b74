// The world's saves (apps/mmo area servers) with a short sync interval: a player's walk reaches the
// database behind its back (write-behind), a learned skill and a started task at once; a kill -9 of
// the area server loses at most the last interval, and the player, logging in again, enters where
// the database has it.
// Run by CTest (mmo_world_persistence): SHADDOCK_HOST.
'use strict';
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { waitFor } = require('../connector/lib/harness');
const { Checks, requiredEnv } = require('../../tools/node/util');
const { testDatabase, prepareAppDir, startMmoCluster, account, connect, requestWithin } = require('./mmo_cluster');

const HOST = requiredEnv('SHADDOCK_HOST');

const req = requestWithin;

async function main() {
  const checks = new Checks();
  const db = await testDatabase(process.argv[2]);
  const dir = await prepareAppDir({ syncInterval: 500, pg: db.pg });
  // The master starts the desert's server again when it dies.
  const serversFile = path.join(dir, 'config', 'servers.json');
  const servers = JSON.parse(fs.readFileSync(serversFile, 'utf8'));
  servers.development.area.find((s) => s.id === 'area-server-1')['auto-restart'] = true;
  fs.writeFileSync(serversFile, JSON.stringify(servers));
  const q = (sql) => db.query(dir, sql);
  const cluster = await startMmoCluster(HOST, dir);
  let pomelo = null;
  try {
    const a = await account(cluster, 'fay');
    let c = await connect(cluster, a.uid, a.token);
    pomelo = c.pomelo;
    const made = await req(pomelo, 'connector.roleHandler.createPlayer', { name: 'fay', roleId: 210 });
    assert.strictEqual(made.code, 200, JSON.stringify(made));
    const id = made.player.id;
    let scene = await req(pomelo, 'area.playerHandler.enterScene', {});
    const start = { x: scene.curPlayer.x, y: scene.curPlayer.y };
    const first = { x: 360, y: 100 };
    const second = { x: 460, y: 200 };

    await checks.run('a walk reaches the database behind; a skill and a task are written at once', async () => {
      assert.strictEqual((await req(pomelo, 'area.playerHandler.move', { path: [start, first] })).code, 200);
      await waitFor(() => q(`SELECT x || ',' || y FROM player WHERE id = ${id}`) === `${first.x},${first.y}`, 20000,
                    'the walk\'s end in the database');
      assert.strictEqual((await req(pomelo, 'area.playerHandler.learnSkill', { skillId: 2 })).status, true);
      const task = await req(pomelo, 'area.taskHandler.startTask', { taskId: 1 });
      assert.strictEqual(task.code, 200, JSON.stringify(task));
      assert.strictEqual(q(`SELECT level FROM fight_skill WHERE playerId = ${id} AND skillId = 2`), '1');
      assert.strictEqual(q(`SELECT kindId || ',' || taskState FROM task WHERE id = ${task.taskData.id}`), '1,0');
    });

    await checks.run('kill -9 of the area server: at most the last interval lost; the next login enters there', async () => {
      assert.strictEqual((await req(pomelo, 'area.playerHandler.move', { path: [first, second] })).code, 200);
      await new Promise((r) => setTimeout(r, 800));  // arrived (141 px at 240 px/s), maybe saved
      const pid = Number((cluster.output().match(/started area-server-1 \(pid (\d+)/) || [])[1]);
      assert.ok(pid > 0, 'area-server-1\'s pid in the master\'s log');
      process.kill(pid, 'SIGKILL');
      // What the database has is a point of that walk (saved every second while walking, so maybe
      // one on the way): nothing older than the walk's start, nothing off its line.
      const at = q(`SELECT x || ',' || y FROM player WHERE id = ${id}`).split(',').map(Number);
      const t = ((at[0] - first.x) * (second.x - first.x) + (at[1] - first.y) * (second.y - first.y)) /
                ((second.x - first.x) ** 2 + (second.y - first.y) ** 2);
      const off = Math.hypot(first.x + t * (second.x - first.x) - at[0], first.y + t * (second.y - first.y) - at[1]);
      assert.ok(t >= -0.01 && t <= 1.01 && off < 3, `${at} is not on the walk`);
      pomelo.disconnect();
      // The master starts the server again; the player logs in and enters where the database says.
      await waitFor(() => (cluster.output().match(/started area-server-1 \(pid (\d+)/g) || []).length >= 2, 30000, 'area-server-1 again');
      let entered = null;
      await waitFor(async () => {
        c = await connect(cluster, a.uid, a.token);
        pomelo = c.pomelo;
        entered = await req(pomelo, 'area.playerHandler.enterScene', {});
        if (entered.curPlayer) return true;
        pomelo.disconnect();
        return false;
      }, 30000, 'entering again', 500);
      const now = q(`SELECT x || ',' || y FROM player WHERE id = ${id}`);
      assert.strictEqual(`${entered.curPlayer.x},${entered.curPlayer.y}`, now);
      assert.ok(entered.curPlayer.fightSkills.some((f) => f.id === 2), 'the skill');
      assert.ok(entered.curPlayer.curTasks.some((t) => t.kindId === 1), 'the task');
    });
  } finally {
    try { if (pomelo) pomelo.disconnect(); } catch (e) { /* closed */ }
    await cluster.stop();
    await db.close();
  }
  checks.finish();
}

main().catch((e) => { console.error(e); process.exit(1); });
