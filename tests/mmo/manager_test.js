// The MMO demo's manager server (apps/mmo/src/platform/team_manager.hpp, instance_manager.hpp)
// through a probe app (manager_probe/). Teams: create, join (full at 3: -1, already in: -2, in another team: -3), team
// chat to members only, kick-out and disband by the captain only, a member going offline, the
// captain leaving ending the team, with the pushes onUpdateTeam, onTeammateLeaveTeam, onDisbandTeam
// and onChat reaching the team's members. Instances: made on the instance servers in turn, the same
// key answering the same instance, a refused creation answering 500, a removed one made again. The
// area route: a session's area requests go to the server its serverId names, and fail without one.
// The path server: pathFindingRemote.findPath over RPC on the desert's map.
// Run by CTest (mmo_manager): SHADDOCK_HOST, SHADDOCK_APPS_DIR (the probe app).
'use strict';
const { spawnCluster } = require('./mmo_cluster');
const fs = require('fs');
const path = require('path');
const assert = require('assert');
const client = require('../connector/lib/pomelo_js_client');
const { freePort, sleep, waitFor } = require('../connector/lib/harness');
const { Checks, requiredEnv, tempDir } = require('../../tools/node/util');

const HOST = requiredEnv('SHADDOCK_HOST');
const PROBE = path.join(__dirname, 'manager_probe', 'config');
const PUSHES = ['onUpdateTeam', 'onTeammateLeaveTeam', 'onDisbandTeam', 'onChat'];
// The MMO's team names (config/data/team.json: two header rows, then [id, name]), used in turn.
const TEAM_NAMES = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'apps', 'mmo', 'config', 'data', 'team.json'), 'utf8'))
  .slice(2).map((row) => row[1]);

async function startProbe() {
  const dir = tempDir('shd-mmo-manager-');
  fs.mkdirSync(path.join(dir, 'config'));
  const servers = JSON.parse(fs.readFileSync(path.join(PROBE, 'servers.json'), 'utf8'));
  for (const list of Object.values(servers.development))
    for (const s of list) { s.port = await freePort(); if (s.clientPort) s.clientPort = await freePort(); }
  fs.writeFileSync(path.join(dir, 'config', 'servers.json'), JSON.stringify(servers));
  fs.writeFileSync(path.join(dir, 'config', 'master.json'),
                   JSON.stringify({ development: { id: 'master-server-1', host: '127.0.0.1', port: await freePort() } }));
  fs.copyFileSync(path.join(PROBE, 'plugins.json'), path.join(dir, 'config', 'plugins.json'));
  // The path server reads the MMO's game data and maps.
  for (const sub of ['data', 'map'])
    fs.symlinkSync(path.join(__dirname, '..', '..', 'apps', 'mmo', 'config', sub), path.join(dir, 'config', sub));
  const { stop } = await spawnCluster(HOST, dir);
  const port = JSON.parse(fs.readFileSync(path.join(dir, 'config', 'servers.json'), 'utf8')).development.connector[0].clientPort;
  return { port, stop };
}

// Player i: a bound session recording the team pushes.
async function player(port, i) {
  const pomelo = client.loadClient();
  pomelo.pushes = {};
  for (const r of PUSHES) { pomelo.pushes[r] = []; pomelo.on(r, (m) => pomelo.pushes[r].push(m)); }
  await client.init(pomelo, { host: '127.0.0.1', port, log: false });
  assert.deepStrictEqual(await client.request(pomelo, 'connector.teamProbe.login', { uid: 'u' + i }), { code: 200 });
  const member = { playerId: i, uid: 'u' + i, frontendId: 'connector-server-1', name: 'P' + i, kindId: 210, level: i, hp: 100 + i,
                   mp: 20, maxHp: 220, maxMp: 20 };
  return { pomelo, member, i };
}

async function main() {
  const checks = new Checks();
  const probe = await startProbe();
  const ps = [];
  try {
    for (let i = 1; i <= 5; i++) ps.push(await player(probe.port, i));
    const [p1, p2, p3, p4, p5] = ps;
    const call = async (method, args) => {
      const r = await client.request(p1.pomelo, 'connector.teamProbe.call', { method, args });
      assert.strictEqual(r.status, 0, JSON.stringify(r));
      return r.result[1];
    };
    let teamId;
    await checks.run('createTeam: the creator is captain; onUpdateTeam reaches it', async () => {
      const r = await call('createTeam', [p1.member]);
      assert.strictEqual(r.result, 1);
      teamId = r.teamId;
      assert.ok(teamId > 0);
      assert.strictEqual(r.teamName, TEAM_NAMES[(teamId - 1) % TEAM_NAMES.length], 'a name of team.json');
      await waitFor(() => p1.pomelo.pushes.onUpdateTeam.length === 1, 10000, 'onUpdateTeam');
      assert.deepStrictEqual(p1.pomelo.pushes.onUpdateTeam[0], {
        1: { name: 'P1', kindId: 210, hp: 101, mp: 20, maxHp: 220, maxMp: 20, level: 1, teamId, isCaptain: true, instanceId: null } });
    });
    await checks.run('joinTeam: 1 up to three members, -1 full, -2 already in, -3 in another team, -4 no such team', async () => {
      assert.strictEqual((await call('joinTeam', [teamId, p2.member])).result, 1);
      assert.strictEqual((await call('joinTeam', [teamId, p3.member])).result, 1);
      assert.strictEqual((await call('joinTeam', [teamId, p4.member])).result, -1);
      assert.strictEqual((await call('joinTeam', [teamId, p2.member])).result, -2);
      assert.strictEqual((await call('createTeam', [p2.member])).result, -3);
      assert.strictEqual((await call('joinTeam', [teamId + 100, p4.member])).result, -4);
      assert.strictEqual((await call('joinTeam', [teamId, { playerId: 'x' }])).result, -4);
      await waitFor(() => p3.pomelo.pushes.onUpdateTeam.length >= 1, 10000, 'onUpdateTeam to the third');
      const last = p1.pomelo.pushes.onUpdateTeam[p1.pomelo.pushes.onUpdateTeam.length - 1];
      assert.deepStrictEqual(Object.keys(last).sort(), ['1', '2', '3']);
      assert.strictEqual(last[2].isCaptain, false);
      const team = (await call('getTeam', [teamId])).team;
      assert.deepStrictEqual(team.members.map((m) => m.playerId), [1, 2, 3]);
      assert.strictEqual(team.captainId, 1);
    });
    await checks.run('chatInTeam reaches the members only; a non-member is refused', async () => {
      const body = { playerId: 2, uid: 'u2', content: 'team!', scope: '0897f7', kind: 0, from: 'P2' };
      assert.strictEqual((await call('chatInTeam', [teamId, 2, body])).result, 1);
      await waitFor(() => [p1, p2, p3].every((p) => p.pomelo.pushes.onChat.length === 1), 10000, 'team onChat');
      assert.deepStrictEqual(p3.pomelo.pushes.onChat[0], body);
      assert.strictEqual((await call('chatInTeam', [teamId, 4, body])).result, -4);
      await sleep(300);
      assert.strictEqual(p4.pomelo.pushes.onChat.length, 0);
      assert.strictEqual(p1.pomelo.pushes.onChat.length, 1);
    });
    await checks.run('updateMemberInfo pushes the new figures', async () => {
      assert.strictEqual((await call('updateMemberInfo', [teamId, { ...p3.member, hp: 5, level: 9 }])).result, 1);
      await waitFor(() => p1.pomelo.pushes.onUpdateTeam.some((u) => u[3] && u[3].hp === 5 && u[3].level === 9), 10000, 'update');
    });
    await checks.run('kickOut by the captain only; the kicked one and the others are told', async () => {
      assert.strictEqual((await call('kickOut', [teamId, 2, 3])).result, -4);
      assert.strictEqual((await call('kickOut', [teamId, 1, 3])).result, 1);
      await waitFor(() => p3.pomelo.pushes.onTeammateLeaveTeam.length === 1 && p2.pomelo.pushes.onTeammateLeaveTeam.length === 1,
                    10000, 'onTeammateLeaveTeam');
      assert.deepStrictEqual(p2.pomelo.pushes.onTeammateLeaveTeam[0], { playerId: 3 });
      assert.deepStrictEqual((await call('getTeam', [teamId])).team.members.map((m) => m.playerId), [1, 2]);
    });
    await checks.run('a member going offline leaves the team', async () => {
      assert.strictEqual((await call('memberOffline', [2])).result, 1);
      assert.deepStrictEqual((await call('getTeam', [teamId])).team.members.map((m) => m.playerId), [1]);
      assert.strictEqual((await call('memberOffline', [2])).result, 1, 'a player in no team: nothing to do');
    });
    await checks.run('disbandTeam by the captain only; onDisbandTeam reaches every member', async () => {
      assert.strictEqual((await call('joinTeam', [teamId, p4.member])).result, 1);
      assert.strictEqual((await call('disbandTeam', [teamId, 4])).result, -4);
      assert.strictEqual((await call('disbandTeam', [teamId, 1])).result, 1);
      await waitFor(() => p1.pomelo.pushes.onDisbandTeam.length === 1 && p4.pomelo.pushes.onDisbandTeam.length === 1, 10000,
                    'onDisbandTeam');
      assert.deepStrictEqual(p4.pomelo.pushes.onDisbandTeam[0], [1, 4]);
      assert.strictEqual((await call('getTeam', [teamId])).result, -4);
      assert.strictEqual((await call('createTeam', [p4.member])).result, 1, 'free to make a team again');
    });
    await checks.run('the captain leaving ends the team', async () => {
      const t = (await call('createTeam', [p5.member])).teamId;
      assert.strictEqual((await call('joinTeam', [t, p3.member])).result, 1);
      assert.strictEqual((await call('leaveTeam', [t, 5])).result, 1);
      await waitFor(() => p3.pomelo.pushes.onDisbandTeam.length === 1, 10000, 'onDisbandTeam');
      assert.deepStrictEqual(p3.pomelo.pushes.onDisbandTeam[0], [5, 3]);
      assert.strictEqual((await call('getTeam', [t])).result, -4);
    });
    await checks.run('each member\'s area server is told when it leaves the team (areaRemote.teamLeft [playerId, teamId])', async () => {
      const left = async (serverId) => {
        const r = await client.request(p1.pomelo, 'connector.teamProbe.made', { serverId, what: 'left' });
        assert.strictEqual(r.status, 0, JSON.stringify(r));
        return r.result[0];
      };
      const on = (p, server) => ({ ...p.member, areaServerId: server });
      const made = await call('createTeam', [on(p1, 'instance-server-1')]);
      const t = made.teamId;
      assert.strictEqual(made.teamName, TEAM_NAMES[(t - 1) % TEAM_NAMES.length], 'names in turn');
      assert.strictEqual((await call('joinTeam', [t, on(p2, 'instance-server-2')])).result, 1);
      assert.strictEqual((await call('joinTeam', [t, on(p3, 'instance-server-2')])).result, 1);
      assert.strictEqual((await call('kickOut', [t, 1, 3])).result, 1);
      await waitFor(async () => (await left('instance-server-2')).length === 1, 10000, 'teamLeft for the kicked one');
      assert.deepStrictEqual(await left('instance-server-2'), [[3, t]]);
      // A member's info names where it is now (it changed area): the end of the team goes there.
      assert.strictEqual((await call('updateMemberInfo', [t, on(p2, 'instance-server-1')])).result, 1);
      assert.strictEqual((await call('disbandTeam', [t, 1])).result, 1);
      await waitFor(async () => (await left('instance-server-1')).length === 2, 10000, 'teamLeft for both');
      assert.deepStrictEqual((await left('instance-server-1')).sort((a, b) => a[0] - b[0]), [[1, t], [2, t]]);
      assert.deepStrictEqual(await left('instance-server-2'), [[3, t]], 'nothing more where p2 was');
      // A member with an areaServerId that is not a string of a sane length is refused (-4).
      assert.strictEqual((await call('createTeam', [{ ...p4.member, areaServerId: 'x'.repeat(200) }])).result, -4);
    });
    const instance = async (method, args) => {
      const r = await client.request(p1.pomelo, 'connector.teamProbe.call', { service: 'instanceRemote', method, args });
      assert.strictEqual(r.status, 0, JSON.stringify(r));
      return r.result[1];
    };
    const made = async (serverId) => {
      const r = await client.request(p1.pomelo, 'connector.teamProbe.made', { serverId });
      assert.strictEqual(r.status, 0, JSON.stringify(r));
      return r.result[0];
    };
    await checks.run('pathFindingRemote.findPath over RPC: a path around the desert\'s walls; null for no area or bad args', async () => {
      const findPath = async (args) => {
        const r = await client.request(p1.pomelo, 'connector.teamProbe.call',
                                       { serverType: 'path', service: 'pathFindingRemote', method: 'findPath', args });
        assert.strictEqual(r.status, 0, JSON.stringify(r));
        return r.result[1];
      };
      // From the birth place across the desert: both points on free ground, the straight line blocked
      // (tests/mmo/scene_tiles.js says so), so the path turns at least once.
      const start = { x: 400, y: 150 }, end = { x: 1500, y: 1200 };
      const found = await findPath([{ areaId: 1, start, end }]);
      assert.ok(found && Array.isArray(found.path) && found.path.length >= 3, JSON.stringify(found));
      assert.deepStrictEqual([found.path[0], found.path[found.path.length - 1]], [start, end]);
      let walked = 0;
      for (let i = 1; i < found.path.length; i++)
        walked += Math.hypot(found.path[i].x - found.path[i - 1].x, found.path[i].y - found.path[i - 1].y);
      assert.ok(found.cost > Math.hypot(end.x - start.x, end.y - start.y), JSON.stringify(found));
      assert.ok(Math.abs(walked - found.cost) < found.path.length + 1, `cost ${found.cost}, walked ${walked}`);
      for (const args of [[{ areaId: 99, start, end }], [{ areaId: 1, start }], [{ areaId: 1, start: { x: 'a', y: 1 }, end }],
                          [{ areaId: 1, start, end: { x: 1e9, y: 1e9 } }], ['x'], []])
        assert.strictEqual(await findPath(args), null, JSON.stringify(args));
    });
    await checks.run('instances: made on the instance servers in turn; one key, one instance', async () => {
      const a = await instance('create', [{ areaId: 4, id: 1 }]);
      const b = await instance('create', [{ areaId: 5, id: 7 }]);
      assert.deepStrictEqual([a.code, a.instanceId, b.code, b.instanceId], [200, '4_1', 200, '5_7']);
      assert.deepStrictEqual([a.serverId, b.serverId].sort(), ['instance-server-1', 'instance-server-2']);
      assert.deepStrictEqual(await instance('create', [{ areaId: 4, id: 1 }]), a);
      assert.deepStrictEqual(await instance('find', ['4_1']), { code: 200, serverId: a.serverId });
      assert.deepStrictEqual(await made(a.serverId), ['4_1']);
      assert.deepStrictEqual(await made(b.serverId), ['5_7']);
    });
    await checks.run('instances: a bad request or a refused creation answers 500; a removed one is made again', async () => {
      for (const args of [[], [{ areaId: '4', id: 1 }], [{ areaId: 4 }], ['4_1']])
        assert.deepStrictEqual(await instance('create', args), { code: 500 }, JSON.stringify(args));
      assert.deepStrictEqual(await instance('create', [{ areaId: 99, id: 1 }]), { code: 500 });
      assert.deepStrictEqual(await instance('find', ['99_1']), { code: 500 });
      const before = (await instance('find', ['4_1'])).serverId;
      assert.deepStrictEqual(await instance('remove', ['4_1']), { code: 200 });
      assert.deepStrictEqual(await instance('find', ['4_1']), { code: 500 });
      const again = await instance('create', [{ areaId: 4, id: 1 }]);
      assert.strictEqual(again.code, 200);
      assert.deepStrictEqual((await made(again.serverId)).filter((i) => i === '4_1').length, again.serverId === before ? 2 : 1);
    });
    await checks.run('the area route: a session\'s area requests go to its serverId; none without one', async () => {
      const none = await client.request(p2.pomelo, 'area.probe.where', {});
      assert.deepStrictEqual(none, { code: 500 });
      for (const id of ['instance-server-2', 'instance-server-1', 'instance-server-2']) {
        assert.deepStrictEqual(await client.request(p2.pomelo, 'connector.teamProbe.goto', { serverId: id }), { code: 200 });
        assert.deepStrictEqual(await client.request(p2.pomelo, 'area.probe.where', {}), { serverId: id });
      }
      assert.deepStrictEqual(await client.request(p2.pomelo, 'connector.teamProbe.goto', { serverId: 'no-such-server' }), { code: 200 });
      assert.deepStrictEqual(await client.request(p2.pomelo, 'area.probe.where', {}), { code: 500 });
    });
  } finally {
    for (const p of ps) try { p.pomelo.disconnect(); } catch (e) { /* closed */ }
    await probe.stop();
  }
  checks.finish();
}

main().catch((e) => { console.error(e); process.exit(1); });
