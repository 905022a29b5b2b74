// The MMO demo's chat server (apps/mmo): chat.chatHandler.send in the world, area and private
// scopes pushes onChat {playerId, uid, content, scope, kind, from} to the right players, with the
// sender taken from the session (not the body), HTML stripped, long or empty content refused, 3004
// for a private message to a player who is not online, 500 for the team scope without a team.
// Run by CTest (mmo_chat): SHADDOCK_HOST.
'use strict';
const assert = require('assert');
const client = require('../connector/lib/pomelo_js_client');
const { sleep, waitFor } = require('../connector/lib/harness');
const { Checks, requiredEnv } = require('../../tools/node/util');
const { prepareAppDir, startMmoCluster, account, connect } = require('./mmo_cluster');

const HOST = requiredEnv('SHADDOCK_HOST');
const WORLD = 'D41313', AREA = 'F7A900', TEAM = '0897f7', PRIVATE = '279106';

// A user with a hero, logged in: {pomelo, uid, hero}.
async function player(cluster, name, hero) {
  const a = await account(cluster, name);
  const c = await connect(cluster, a.uid, a.token, ['onChat', 'onUserLeave']);
  assert.strictEqual(c.res.code, 200);
  const r = await client.request(c.pomelo, 'connector.roleHandler.createPlayer', { name: hero, roleId: 211 });
  assert.strictEqual(r.code, 200, JSON.stringify(r));
  return { pomelo: c.pomelo, uid: a.uid, hero: r.player };
}

async function main() {
  const checks = new Checks();
  const cluster = await startMmoCluster(HOST, await prepareAppDir());
  const players = [];
  try {
    // Users 1, 2, 3: on both connectors.
    const [ann, ben, cat] = [await player(cluster, 'ann', 'Ann'), await player(cluster, 'ben', 'Ben'), await player(cluster, 'cat', 'Cat')];
    players.push(ann, ben, cat);
    const send = (p, msg) => client.request(p.pomelo, 'chat.chatHandler.send', msg);

    await checks.run('a world message reaches every player, with the sender from the session', async () => {
      const r = await send(ann, { scope: WORLD, content: 'hello <b>world</b>', from: 'Mallory', areaId: 3 });
      assert.deepStrictEqual(r, { code: 200 });
      await waitFor(() => players.every((p) => p.pomelo.pushes.onChat.length >= 1), 10000, 'onChat everywhere');
      for (const p of players)
        assert.deepStrictEqual(p.pomelo.pushes.onChat[0], { playerId: ann.hero.id, uid: String(ann.uid), content: 'hello world',
                                                           scope: WORLD, kind: 0, from: 'Ann' });
    });

    await checks.run('an area message reaches the players of the sender\'s area (all in area 1)', async () => {
      assert.deepStrictEqual(await send(ben, { scope: AREA, content: 'area one' }), { code: 200 });
      await waitFor(() => players.every((p) => p.pomelo.pushes.onChat.length >= 2), 10000, 'area onChat');
      for (const p of players) assert.strictEqual(p.pomelo.pushes.onChat[1].content, 'area one');
    });

    await checks.run('a private message reaches only the named player', async () => {
      assert.deepStrictEqual(await send(cat, { scope: PRIVATE, content: 'psst', toName: 'Ann' }), { code: 200 });
      await waitFor(() => ann.pomelo.pushes.onChat.length >= 3, 10000, 'private onChat');
      await sleep(300);
      assert.deepStrictEqual(ann.pomelo.pushes.onChat[2], { playerId: cat.hero.id, uid: String(cat.uid), content: 'psst',
                                                           scope: PRIVATE, kind: 0, from: 'Cat' });
      assert.strictEqual(ben.pomelo.pushes.onChat.length, 2);
      assert.strictEqual(cat.pomelo.pushes.onChat.length, 2);
    });

    await checks.run('private to a name that is not online answers 3004, also after its player left', async () => {
      assert.deepStrictEqual(await send(ann, { scope: PRIVATE, content: 'hi', toName: 'Nobody' }), { code: 3004 });
      ben.pomelo.disconnect();
      // Polled slowly: Ann's messages are rate-limited (one a second after a burst of 10).
      await waitFor(async () => (await send(ann, { scope: PRIVATE, content: 'hi', toName: 'Ben' })).code === 3004, 20000,
                    'Ben to be offline', 400);
    });

    await checks.run('the area\'s players get onUserLeave {code:200, playerId} when one logs out', async () => {
      await waitFor(() => ann.pomelo.pushes.onUserLeave.length && cat.pomelo.pushes.onUserLeave.length, 10000, 'onUserLeave');
      for (const p of [ann, cat]) assert.deepStrictEqual(p.pomelo.pushes.onUserLeave, [{ code: 200, playerId: ben.hero.id }]);
    });

    await checks.run('long, empty, tag-only or non-string content, an unknown scope and team without a team answer 500', async () => {
      for (const msg of [{ scope: WORLD, content: 'x'.repeat(201) }, { scope: WORLD, content: '' }, { scope: WORLD, content: '<i></i>' },
                         { scope: WORLD, content: 42 }, { scope: WORLD }, { scope: 'ffffff', content: 'x' },
                         { scope: TEAM, content: 'x' }])
        assert.deepStrictEqual(await send(ann, msg), { code: 500 }, JSON.stringify(msg));
      await sleep(300);
      assert.strictEqual(cat.pomelo.pushes.onChat.length, 2);
    });

    await checks.run('a second login of a user keeps it in the chat after the first session closes', async () => {
      const a = await account(cluster, 'cat');
      const c = await connect(cluster, a.uid, a.token, ['onChat', 'onUserLeave']);
      players.push({ pomelo: c.pomelo });
      assert.strictEqual(c.res.player.name, 'Cat');
      await waitFor(() => cat.pomelo.closed, 10000, 'the first session of cat to close');
      await sleep(500);  // the close's kick reaches the chat server
      // Ann may have used up her burst: tried until a message is accepted (the push is the check).
      await waitFor(async () => (await send(ann, { scope: PRIVATE, content: 'still there?', toName: 'Cat' })).code === 200, 20000,
                    'a private message accepted', 400);
      await waitFor(() => c.pomelo.pushes.onChat.some((m) => m.content === 'still there?'), 10000, 'the private message');
    });

    await checks.run('a player sending faster than a burst of 10 then one a second is refused', async () => {
      const answers = [];
      for (let i = 0; i < 25; i++) answers.push((await send(ann, { scope: AREA, content: 'spam ' + i })).code);
      assert.ok(answers.filter((c) => c === 500).length >= 5, answers.join(','));
      assert.ok(answers.filter((c) => c === 200).length >= 1, answers.join(','));
    });

    await checks.run('a session without a hero cannot chat', async () => {
      const a = await account(cluster, 'dan');
      const c = await connect(cluster, a.uid, a.token);
      players.push({ pomelo: c.pomelo });
      assert.deepStrictEqual(await client.request(c.pomelo, 'chat.chatHandler.send', { scope: WORLD, content: 'x' }), { code: 500 });
    });
  } finally {
    for (const p of players) try { p.pomelo.disconnect(); } catch (e) { /* closed */ }
    await cluster.stop();
  }
  checks.finish();
}

main().catch((e) => { console.error(e); process.exit(1); });
