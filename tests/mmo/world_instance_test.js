// Dungeon instances over the wire (apps/mmo), with the real npm Pomelo client: a player in the desert
// talks to the arena herald (NPC 302), changes area to the arena (4): the manager opens an instance on
// an instance server and the session follows it; enterScene there answers the arena's map; the
// instance's NPC 305 leads back to the desert, where the player enters again. A second player gets
// an instance of its own; one logging out inside its instance comes back in the desert.
// Run by CTest (mmo_world_instance): SHADDOCK_HOST.
'use strict';
const assert = require('assert');
const client = require('../connector/lib/pomelo_js_client');
const { waitFor } = require('../connector/lib/harness');
const { Checks, requiredEnv } = require('../../tools/node/util');
const { prepareAppDir, startMmoCluster, account, connect, requestWithin } = require('./mmo_cluster');

const HOST = requiredEnv('SHADDOCK_HOST');
const accounts = {};

async function hero(cluster, name) {
  const a = await account(cluster, name);
  accounts[name] = a;
  const c = await connect(cluster, a.uid, a.token, ['onNPCTalk', 'onAddEntities']);
  assert.strictEqual(c.res.code, 200, JSON.stringify(c.res));
  const r = await client.request(c.pomelo, 'connector.roleHandler.createPlayer', { name, roleId: 211 });
  assert.strictEqual(r.code, 200, JSON.stringify(r));
  return c.pomelo;
}

const req = requestWithin;

// Talks to the NPC of that kind in view and changes area through it.
async function traverse(pomelo, scene, npcKind, target) {
  const npc = (scene.entities.npc || []).find((n) => n.kindId === npcKind);
  assert.ok(npc, `NPC ${npcKind} in view: ` + JSON.stringify(scene.entities.npc));
  pomelo.notify('area.playerHandler.npcTalk', { targetId: npc.entityId });
  await waitFor(() => pomelo.pushes.onNPCTalk.some((m) => m.npc === npc.entityId), 20000, 'onNPCTalk');
  const talk = pomelo.pushes.onNPCTalk.filter((m) => m.npc === npc.entityId).pop();
  assert.deepStrictEqual(talk.params, { target });
  return req(pomelo, 'area.playerHandler.changeArea', { areaId: scene.curPlayer.areaId, target, triggerByPlayer: 1 });
}

async function main() {
  const checks = new Checks();
  const cluster = await startMmoCluster(HOST, await prepareAppDir());
  const open = [];
  try {
    const dan = await hero(cluster, 'dan');
    const eve = await hero(cluster, 'eve');
    open.push(dan, eve);
    let desert = await req(dan, 'area.playerHandler.enterScene', {});
    const eveDesert = await req(eve, 'area.playerHandler.enterScene', {});
    let arena;

    await checks.run('through the arena herald to an arena instance of its own', async () => {
      const r = await traverse(dan, desert, 302, 4);
      assert.deepStrictEqual({ areaId: r.areaId, target: r.target, success: r.success }, { areaId: 1, target: 4, success: true }, JSON.stringify(r));
      arena = await req(dan, 'area.playerHandler.enterScene', {});
      assert.strictEqual(arena.map.name, 'arena', JSON.stringify(arena).slice(0, 300));
      assert.strictEqual(arena.curPlayer.areaId, 4);
      assert.strictEqual(arena.map.width, 1600);
      assert.ok((arena.entities.mob || []).length > 0, 'the arena has its mobs');
      const resources = await req(dan, 'area.resourceHandler.loadAreaResource', {});
      assert.strictEqual(resources.mapName, 'arena');
    });

    await checks.run('a second player gets another instance: they do not see each other', async () => {
      const r = await traverse(eve, eveDesert, 302, 4);
      assert.strictEqual(r.success, true, JSON.stringify(r));
      const eveArena = await req(eve, 'area.playerHandler.enterScene', {});
      assert.strictEqual(eveArena.map.name, 'arena');
      assert.ok(!(eveArena.entities.player || []).some((p) => p.name === 'dan'), JSON.stringify(eveArena.entities.player));
    });

    await checks.run('the instance\'s NPC 305 leads back to the desert', async () => {
      const r = await traverse(dan, arena, 305, 1);
      assert.strictEqual(r.success, true, JSON.stringify(r));
      desert = await req(dan, 'area.playerHandler.enterScene', {});
      assert.strictEqual(desert.map.name, 'desert');
      assert.ok(desert.curPlayer.x >= 346 && desert.curPlayer.x <= 471, 'at the birth place');
      const move = await req(dan, 'area.playerHandler.move', { path: [{ x: desert.curPlayer.x, y: desert.curPlayer.y }, { x: 400, y: 150 }] });
      assert.strictEqual(move.code, 200, JSON.stringify(move));
    });

    await checks.run('logging out inside a dungeon and in again: back in the desert at the birth place', async () => {
      eve.disconnect();
      await new Promise((r) => setTimeout(r, 500));
      const again = await connect(cluster, accounts.eve.uid, accounts.eve.token, ['onNPCTalk']);
      open.push(again.pomelo);
      assert.strictEqual(again.res.code, 200, JSON.stringify(again.res));
      let scene = await req(again.pomelo, 'area.playerHandler.enterScene', {});
      // The logout's save may land just after the new login's read: then the connector still sent it to
      // the first scene, and the area put it at its birth place all the same.
      assert.strictEqual(scene.map.name, 'desert', JSON.stringify(scene).slice(0, 200));
      assert.strictEqual(scene.curPlayer.areaId, 1);
      assert.ok(scene.curPlayer.x >= 346 && scene.curPlayer.x <= 471 && scene.curPlayer.y >= 81 && scene.curPlayer.y <= 209,
                JSON.stringify(scene.curPlayer));
    });
  } finally {
    for (const p of open) { try { p.disconnect(); } catch (e) { /* closed */ } }
    await cluster.stop();
  }
  checks.finish();
}

main().catch((e) => { console.error(e); process.exit(1); });
