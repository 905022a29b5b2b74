// The MMO demo's login through the game servers (apps/mmo), with the real npm Pomelo client: the
// gate's queryEntry, the connector's entry with a token checked by the auth server (forged,
// tampered, expired and unknown-user tokens refused with 1001/1002/1003), a hero created with
// connector.roleHandler.createPlayer (and its hostile cases refused), 120 heroes created at once over
// both connectors, entry again returning the hero, and a second login of the same user kicking the
// first session.
//   node entry_test.js            SQLite (the default database)
//   node entry_test.js postgres   a real PostgreSQL (tools/node/engines.js)
// Run by CTest (mmo_entry, mmo_entry_postgres): SHADDOCK_HOST.
'use strict';
const assert = require('assert');
const client = require('../connector/lib/pomelo_js_client');
const { waitFor } = require('../connector/lib/harness');
const { Checks, requiredEnv } = require('../../tools/node/util');
const { testDatabase, prepareAppDir, startMmoCluster, makeToken, developmentSecret, account, connect } = require('./mmo_cluster');

const HOST = requiredEnv('SHADDOCK_HOST');

async function gateAnswer(cluster, msg) {
  const gate = client.loadClient();
  await client.init(gate, { host: '127.0.0.1', port: cluster.gatePort, log: false });
  const r = await client.request(gate, 'gate.gateHandler.queryEntry', msg);
  gate.disconnect();
  return r;
}

async function main() {
  const checks = new Checks();
  const db = await testDatabase(process.argv[2]);
  const dir = await prepareAppDir({ pg: db.pg });
  const cluster = await startMmoCluster(HOST, dir);
  const secret = developmentSecret();
  const open = [];
  try {
    const alice = await account(cluster, 'alice');
    await checks.run('queryEntry: 500 without a uid, else connectors[uid mod 2]', async () => {
      assert.deepStrictEqual(await gateAnswer(cluster, {}), { code: 500 });
      assert.deepStrictEqual(await gateAnswer(cluster, { uid: 'x1' }), { code: 500 });
      const ports = cluster.servers.connector.map((c) => c.clientPort);
      for (const uid of [4, 7, String(9)]) {
        const r = await gateAnswer(cluster, { uid });
        assert.strictEqual(r.code, 200);
        assert.strictEqual(r.host, '127.0.0.1');
        assert.strictEqual(r.port, ports[Number(uid) % 2], JSON.stringify(r));
      }
    });

    await checks.run('entry refuses forged, tampered, expired and unknown-user tokens (1001, 1001, 1002, 1003)', async () => {
      const now = Date.now();
      const [uid, ms] = alice.token.split('|');
      const cases = [
        ['garbage', 1001], [`${uid}|${ms}`, 1001], [`${uid}|${ms}|${'0'.repeat(64)}`, 1001],
        [alice.token.replace(/^\d+/, String(Number(uid) + 1)), 1001],
        [makeToken('not-the-secret', uid, now), 1001],
        [makeToken(secret, uid, now - 7 * 3600 * 1000), 1002],
        [makeToken(secret, 999999, now), 1003],
      ];
      for (const [token, code] of cases) {
        const c = await connect(cluster, alice.uid, token);
        open.push(c.pomelo);
        assert.deepStrictEqual(c.res, { code, player: null }, token);
        c.pomelo.disconnect();
      }
      const c = await connect(cluster, alice.uid, 12345);
      assert.deepStrictEqual(c.res, { code: 1001, player: null });
      c.pomelo.disconnect();
    });

    let first;
    await checks.run('entry with a good token answers 200 and no hero yet', async () => {
      first = await connect(cluster, alice.uid, alice.token);
      open.push(first.pomelo);
      assert.deepStrictEqual(first.res, { code: 200, player: null });
    });

    await checks.run('createPlayer before entry answers 500', async () => {
      const c = client.loadClient();
      open.push(c);
      await client.init(c, { host: first.entry.host, port: first.entry.port, log: false });
      const r = await client.request(c, 'connector.roleHandler.createPlayer', { name: 'sneaky', roleId: 210 });
      assert.strictEqual(r.code, 500, JSON.stringify(r));
      c.disconnect();
    });

    await checks.run('createPlayer refuses a bad roleId and long, empty, HTML or odd names with 500', async () => {
      const bad = [
        { name: 'hero', roleId: 212 }, { name: 'hero', roleId: '210' }, { name: 'hero' }, { roleId: 210 },
        { name: 'abcdefghij', roleId: 210 }, { name: '', roleId: 210 }, { name: '<b>x</b>', roleId: 210 },
        { name: 'a b', roleId: 211 }, { name: ['x'], roleId: 211 }, { name: 'x\u0000y', roleId: 211 },
        // Look-alikes and invisible characters: a Cyrillic A, a zero-width space, a right-to-left
        // override, a full-width letter, an emoji; and a quote.
        { name: '\u0410lice', roleId: 210 }, { name: 'al\u200bice', roleId: 210 }, { name: '\u202eecila', roleId: 210 },
        { name: '\uff21lice', roleId: 210 }, { name: 'al\u{1F600}', roleId: 210 }, { name: "o'hero", roleId: 210 },
        { name: 'x', roleId: -210 }, { name: 'x', roleId: 1e300 },
      ];
      for (const msg of bad) {
        const r = await client.request(first.pomelo, 'connector.roleHandler.createPlayer', msg);
        assert.deepStrictEqual(r, { code: 500 }, JSON.stringify(msg));
      }
    });

    let hero;
    await checks.run('createPlayer makes the hero with the kind\'s stats in area 1 at a born point', async () => {
      const r = await client.request(first.pomelo, 'connector.roleHandler.createPlayer', { name: 'Alice_9', roleId: 210 });
      assert.strictEqual(r.code, 200, JSON.stringify(r));
      assert.deepStrictEqual(r.user, { id: alice.uid, name: 'alice' });
      hero = r.player;
      assert.strictEqual(hero.name, 'Alice_9');
      assert.strictEqual(hero.userId, alice.uid);
      for (const [k, v] of Object.entries({ kindId: 210, kindName: 'Angle', level: 1, experience: 0, areaId: 1, hp: 220,
                                            maxHp: 220, mp: 20, maxMp: 20, attackValue: 23, defenceValue: 9, hitRate: 90,
                                            dodgeRate: 13, walkSpeed: 240, attackSpeed: 1.2, skillPoint: 0 }))
        assert.strictEqual(hero[k], v, k);
      assert.ok(hero.x >= 346 && hero.x <= 471 && hero.y >= 81 && hero.y <= 209, JSON.stringify(hero));
      const q = (sql) => db.query(dir, sql);
      assert.strictEqual(q(`SELECT itemCount, items FROM bag WHERE playerId = ${hero.id}`), '20|[]');
      assert.strictEqual(q(`SELECT skillId, level FROM fight_skill WHERE playerId = ${hero.id}`), '1|1');
      assert.strictEqual(q(`SELECT weapon + armor + helmet + necklace + ring + belt + shoes + amulet + legguard FROM equipments WHERE playerId = ${hero.id}`), '0');
    });

    await checks.run('a second hero for the same user is refused', async () => {
      const r = await client.request(first.pomelo, 'connector.roleHandler.createPlayer', { name: 'Another', roleId: 211 });
      assert.deepStrictEqual(r, { code: 500 });
    });

    await checks.run('a name taken by another user answers 501', async () => {
      const bob = await account(cluster, 'bob');
      const c = await connect(cluster, bob.uid, bob.token);
      open.push(c.pomelo);
      assert.deepStrictEqual(c.res, { code: 200, player: null });
      const r = await client.request(c.pomelo, 'connector.roleHandler.createPlayer', { name: 'Alice_9', roleId: 211 });
      assert.deepStrictEqual(r, { code: 501 });
      const ok = await client.request(c.pomelo, 'connector.roleHandler.createPlayer', { name: '鲍勃', roleId: 211 });
      assert.strictEqual(ok.code, 200, JSON.stringify(ok));
      assert.strictEqual(ok.player.name, '鲍勃');
      assert.strictEqual(ok.player.maxHp, 180);
      c.pomelo.disconnect();
    });

    await checks.run('120 heroes created at once over both connectors: every one made (200), none twice', async () => {
      // Users straight into the database (the web server's per-address limit would slow 120 sign-ups
      // from one address), then tokens as the web server makes them. Both connectors write the same
      // database at once: under SQLite a creation that read before it wrote failed with "database is
      // locked" whenever the other had written in between (a 1,600-robot run lost 2 % of them).
      const N = 120;
      const names = Array.from({ length: N }, (_, i) => `crowd${i}`);
      const values = names.map((n) => `('${n}', 'unused', 0, '', 0)`).join(',');
      db.query(dir, `INSERT INTO mmo_user (name, password, loginCount, origin, lastLoginTime) VALUES ${values}`);
      const uids = db.query(dir, "SELECT id FROM mmo_user WHERE name LIKE 'crowd%' ORDER BY id").split('\n').map(Number);
      assert.strictEqual(uids.length, N);
      const sessions = await Promise.all(uids.map((uid) => connect(cluster, uid, makeToken(secret, uid, Date.now()))));
      open.push(...sessions.map((c) => c.pomelo));
      const ports = new Set(sessions.map((c) => c.entry.port));
      assert.strictEqual(ports.size, 2, 'both connectors');
      for (const c of sessions) assert.deepStrictEqual(c.res, { code: 200, player: null });
      const made = await Promise.all(sessions.map((c, i) =>
        client.request(c.pomelo, 'connector.roleHandler.createPlayer', { name: `Crowd_${i}`, roleId: 210 + (i % 2) })));
      const failed = made.filter((r) => r.code !== 200);
      assert.strictEqual(failed.length, 0, `${failed.length} of ${N} failed: ${JSON.stringify(failed.slice(0, 3))}`);
      assert.strictEqual(new Set(made.map((r) => r.player.id)).size, N);
      assert.strictEqual(Number(db.query(dir, "SELECT count(*) FROM player WHERE name LIKE 'Crowd_%'")), N);
      assert.strictEqual(Number(db.query(dir, "SELECT count(*) FROM bag WHERE playerId IN (SELECT id FROM player WHERE name LIKE 'Crowd_%')")), N);
      for (const c of sessions) c.pomelo.disconnect();
    });

    await checks.run('timeSync answers 200', async () => {
      assert.deepStrictEqual(await client.request(first.pomelo, 'connector.timeSyncHandler.timeSync', { clientTime: Date.now() }),
                             { code: 200 });
    });

    await checks.run('entry again returns the hero, and the older session of the user is kicked', async () => {
      const again = await connect(cluster, alice.uid, alice.token);
      open.push(again.pomelo);
      assert.strictEqual(again.res.code, 200);
      assert.deepStrictEqual(again.res.player, hero);
      await waitFor(() => first.pomelo.closed, 10000, 'the first session to close');
      assert.deepStrictEqual(await client.request(again.pomelo, 'connector.timeSyncHandler.timeSync', {}), { code: 200 });
    });
  } finally {
    for (const p of open) try { p.disconnect(); } catch (e) { /* closed */ }
    await cluster.stop();
    await db.close();
  }
  checks.finish();
}

main().catch((e) => { console.error(e); process.exit(1); });
