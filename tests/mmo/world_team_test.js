// Teams in the world (apps/mmo area.teamHandler.*), with the real npm Pomelo client: five players in
// the desert. ann creates a team (a notify, as lordofpomelo's client sends it) and invites bob, who
// accepts; cat applies, is rejected, applies again and is accepted; dan is refused as a fourth member
// (-1); bob (not the captain) cannot kick; the pushes each one gets; hostile bodies get errors; team
// chat reaches the team (the session keys); a kick; a captain leaving or logging out ends its team;
// ann entering the cave (a team instance) drags bob into the same instance; and ann logging out there
// ends the team on bob's own area server (the manager's areaRemote.teamLeft).
// Run by CTest (mmo_world_team): SHADDOCK_HOST.
'use strict';
const assert = require('assert');
const client = require('../connector/lib/pomelo_js_client');
const { waitFor } = require('../connector/lib/harness');
const { Checks, requiredEnv } = require('../../tools/node/util');
const { prepareAppDir, startMmoCluster, account, connect, requestWithin } = require('./mmo_cluster');

const HOST = requiredEnv('SHADDOCK_HOST');
const PUSHES = ['onNPCTalk', 'onChat', 'onTeamCaptainStatusChange', 'onTeamMemberStatusChange', 'onInviteJoinTeam',
  'onApplyJoinTeam', 'onInviteJoinTeamReply', 'onApplyJoinTeamReply', 'onUpdateTeam', 'onTeammateLeaveTeam',
  'onDisbandTeam', 'onDragMember2gameCopy'];

const req = requestWithin;

async function hero(cluster, name) {
  const a = await account(cluster, name);
  const c = await connect(cluster, a.uid, a.token, PUSHES);
  assert.strictEqual(c.res.code, 200, JSON.stringify(c.res));
  const r = await client.request(c.pomelo, 'connector.roleHandler.createPlayer', { name, roleId: 210 });
  assert.strictEqual(r.code, 200, JSON.stringify(r));
  const scene = await req(c.pomelo, 'area.playerHandler.enterScene', {});
  assert.strictEqual(scene.map.name, 'desert');
  return { name, pomelo: c.pomelo, id: scene.curPlayer.id, scene };
}

const pushed = (h, route, pred, what) =>
  waitFor(() => h.pomelo.pushes[route].some(pred), 20000, `${h.name}: ${route} ${what || ''}`)
    .then(() => h.pomelo.pushes[route].filter(pred).pop());
const team = (h, route, msg) => req(h.pomelo, 'area.teamHandler.' + route, msg);

async function main() {
  const checks = new Checks();
  const cluster = await startMmoCluster(HOST, await prepareAppDir());
  const all = [];
  try {
    for (const n of ['ann', 'bob', 'cat', 'dan', 'eve']) all.push(await hero(cluster, n));
    const [ann, bob, cat, dan, eve] = all;
    let teamId = 0;

    await checks.run('createTeam (a notify): the captain status goes to the players around', async () => {
      ann.pomelo.notify('area.teamHandler.createTeam', {});
      const own = await pushed(ann, 'onTeamCaptainStatusChange', (m) => m.playerId === ann.id);
      teamId = own.teamId;
      assert.ok(teamId > 0 && own.isCaptain === 1 && typeof own.teamName === 'string', JSON.stringify(own));
      const seen = await pushed(eve, 'onTeamCaptainStatusChange', (m) => m.playerId === ann.id, 'of ann');
      assert.strictEqual(seen.teamId, teamId);
      const upd = await pushed(ann, 'onUpdateTeam', (m) => m[ann.id] && m[ann.id].teamId === teamId);
      assert.strictEqual(upd[ann.id].isCaptain, true);
      const again = await team(ann, 'createTeam', {});
      assert.strictEqual(again.code, 500, 'a second team: ' + JSON.stringify(again));
    });

    await checks.run('invite and accept: pushes to the invitee, the captain and the team', async () => {
      const r = await team(ann, 'inviteJoinTeam', { inviteeId: bob.id, teamId });
      assert.strictEqual(r.code, 200, JSON.stringify(r));
      const inv = await pushed(bob, 'onInviteJoinTeam', (m) => m.teamId === teamId);
      assert.deepStrictEqual(inv, { id: ann.id, name: 'ann', level: inv.level, teamId });
      const yes = await team(bob, 'inviteJoinTeamReply', { captainId: ann.id, teamId, reply: 1 });
      assert.deepStrictEqual(yes, { code: 200, result: 1 });
      await pushed(ann, 'onInviteJoinTeamReply', (m) => m.reply === 1);
      const upd = await pushed(bob, 'onUpdateTeam', (m) => m[ann.id] && m[bob.id]);
      assert.strictEqual(upd[bob.id].isCaptain, false);
      assert.strictEqual(upd[bob.id].name, 'bob');
      await pushed(ann, 'onUpdateTeam', (m) => m[ann.id] && m[bob.id]);
      const st = await pushed(eve, 'onTeamMemberStatusChange', (m) => m.playerId === bob.id);
      assert.deepStrictEqual({ teamId: st.teamId, isCaptain: st.isCaptain }, { teamId, isCaptain: 0 });
      // The same invitation cannot be answered twice.
      const twice = await team(bob, 'inviteJoinTeamReply', { captainId: ann.id, teamId, reply: 1 });
      assert.strictEqual(twice.code, 500, JSON.stringify(twice));
    });

    await checks.run('apply, rejected, then accepted', async () => {
      assert.strictEqual((await team(cat, 'applyJoinTeam', { captainId: ann.id, teamId })).code, 200);
      const ap = await pushed(ann, 'onApplyJoinTeam', (m) => m.id === cat.id);
      assert.deepStrictEqual({ name: ap.name, teamId: ap.teamId }, { name: 'cat', teamId });
      assert.deepStrictEqual(await team(ann, 'applyJoinTeamReply', { applicantId: cat.id, teamId, reply: 0 }), { code: 200, result: 0 });
      await pushed(cat, 'onApplyJoinTeamReply', (m) => m.reply === 0);
      assert.strictEqual((await team(cat, 'applyJoinTeam', { captainId: ann.id, teamId })).code, 200);
      await waitFor(() => ann.pomelo.pushes.onApplyJoinTeam.filter((m) => m.id === cat.id).length === 2, 20000, 'second application');
      assert.deepStrictEqual(await team(ann, 'applyJoinTeamReply', { applicantId: cat.id, teamId, reply: 1 }), { code: 200, result: 1 });
      await pushed(cat, 'onApplyJoinTeamReply', (m) => m.reply === 1);
      await pushed(bob, 'onUpdateTeam', (m) => m[ann.id] && m[bob.id] && m[cat.id]);
    });

    await checks.run('a fourth member is refused (-1)', async () => {
      assert.strictEqual((await team(dan, 'applyJoinTeam', { captainId: ann.id, teamId })).code, 200);
      await pushed(ann, 'onApplyJoinTeam', (m) => m.id === dan.id);
      assert.deepStrictEqual(await team(ann, 'applyJoinTeamReply', { applicantId: dan.id, teamId, reply: 1 }), { code: 500, result: -1 });
      await pushed(dan, 'onApplyJoinTeamReply', (m) => m.reply === -1);
    });

    await checks.run('team chat reaches the team only (the session keys follow the team)', async () => {
      const r = await req(bob.pomelo, 'chat.chatHandler.send', { scope: '0897f7', content: 'hello team', from: 'bob' });
      assert.strictEqual(r.code, 200, JSON.stringify(r));
      await pushed(ann, 'onChat', (m) => m.content === 'hello team');
      await pushed(cat, 'onChat', (m) => m.content === 'hello team');
      const none = await req(dan.pomelo, 'chat.chatHandler.send', { scope: '0897f7', content: 'not in a team', from: 'dan' });
      assert.strictEqual(none.code, 500, JSON.stringify(none));
    });

    await checks.run('hostile bodies and other teams\' ids get errors', async () => {
      const bad = [
        [bob, 'kickOut', { teamId, kickedPlayerId: cat.id }],           // not the captain
        [ann, 'kickOut', { teamId, kickedPlayerId: ann.id }],           // the captain itself
        [ann, 'kickOut', { teamId: String(teamId), kickedPlayerId: cat.id }],
        [dan, 'leaveTeam', { playerId: dan.id, teamId }],               // not dan's team
        [dan, 'disbandTeam', { playerId: ann.id, teamId }],
        [bob, 'disbandTeam', { playerId: bob.id, teamId }],             // not the captain
        [dan, 'inviteJoinTeam', { inviteeId: eve.id, teamId }],         // no team to invite to
        [ann, 'inviteJoinTeam', { inviteeId: 'eve', teamId }],
        [ann, 'inviteJoinTeam', { inviteeId: 987654321, teamId }],      // nobody
        [eve, 'inviteJoinTeamReply', { captainId: ann.id, teamId, reply: 1 }],  // never invited
        [eve, 'applyJoinTeam', { captainId: bob.id, teamId }],          // bob is no captain
        [eve, 'applyJoinTeam', { captainId: ann.id, teamId: teamId + 1000 }],
        [ann, 'applyJoinTeamReply', { applicantId: eve.id, teamId, reply: 1 }],  // no application
        [ann, 'applyJoinTeamReply', { applicantId: dan.id, teamId, reply: 'yes' }],
        [bob, 'leaveTeam', null],
      ];
      for (const [h, route, body] of bad) {
        const r = await team(h, route, body);
        assert.strictEqual(r.code, 500, `${h.name} ${route} ${JSON.stringify(body)}: ${JSON.stringify(r)}`);
      }
      // Nothing changed: still ann, bob, cat.
      const upd = await pushed(ann, 'onUpdateTeam', () => true);
      assert.deepStrictEqual(Object.keys(upd).map(Number).sort(), [ann.id, bob.id, cat.id].sort());
    });

    await checks.run('the captain kicks cat out: onTeammateLeaveTeam', async () => {
      assert.deepStrictEqual(await team(ann, 'kickOut', { teamId, kickedPlayerId: cat.id }), { code: 200, result: 1 });
      await pushed(cat, 'onTeammateLeaveTeam', (m) => m.playerId === cat.id);
      await pushed(bob, 'onTeammateLeaveTeam', (m) => m.playerId === cat.id);
      const st = await pushed(eve, 'onTeamMemberStatusChange', (m) => m.playerId === cat.id && m.teamId === 0);
      assert.strictEqual(st.isCaptain, 0);
    });

    await checks.run('a captain leaving disbands its team: onDisbandTeam', async () => {
      const made = await team(cat, 'createTeam', {});
      assert.strictEqual(made.code, 200, JSON.stringify(made));
      assert.notStrictEqual(made.teamId, teamId);
      await team(cat, 'inviteJoinTeam', { inviteeId: dan.id, teamId: made.teamId });
      await pushed(dan, 'onInviteJoinTeam', (m) => m.teamId === made.teamId);
      assert.deepStrictEqual(await team(dan, 'inviteJoinTeamReply', { captainId: cat.id, teamId: made.teamId, reply: 1 }), { code: 200, result: 1 });
      assert.deepStrictEqual(await team(cat, 'leaveTeam', { playerId: cat.id, teamId: made.teamId }), { code: 200, result: 1 });
      const d = await pushed(dan, 'onDisbandTeam', (m) => Array.isArray(m) && m.includes(dan.id));
      assert.deepStrictEqual(d.slice().sort(), [cat.id, dan.id].sort());
      await pushed(eve, 'onTeamMemberStatusChange', (m) => m.playerId === dan.id && m.teamId === 0);
      // dan is free again: a new team of its own.
      assert.strictEqual((await team(dan, 'createTeam', {})).code, 200);
    });

    await checks.run('a captain logging out ends its team: the member is free again', async () => {
      const own = await pushed(dan, 'onTeamCaptainStatusChange', (m) => m.playerId === dan.id && m.teamId > 0);
      await team(dan, 'inviteJoinTeam', { inviteeId: eve.id, teamId: own.teamId });
      await pushed(eve, 'onInviteJoinTeam', (m) => m.teamId === own.teamId);
      assert.deepStrictEqual(await team(eve, 'inviteJoinTeamReply', { captainId: dan.id, teamId: own.teamId, reply: 1 }), { code: 200, result: 1 });
      dan.pomelo.disconnect();
      await pushed(eve, 'onDisbandTeam', (m) => Array.isArray(m) && m.includes(eve.id));
      const mine = await team(eve, 'createTeam', {});
      assert.strictEqual(mine.code, 200, JSON.stringify(mine));
    });

    await checks.run('the captain entering the cave drags the members into the same instance', async () => {
      const guide = (ann.scene.entities.npc || []).find((n) => n.kindId === 303);
      assert.ok(guide, 'the cave guide in view');
      // bob cannot open it: not the captain and nothing is open yet.
      const early = await req(bob.pomelo, 'area.playerHandler.changeArea', { areaId: 1, target: 5 });
      assert.strictEqual(early.success, false, JSON.stringify(early));
      const other = await req(eve.pomelo, 'area.playerHandler.changeArea', { areaId: 1, target: 5 });
      assert.strictEqual(other.success, false, 'another team\'s captain far from the guide: ' + JSON.stringify(other));
      ann.pomelo.notify('area.playerHandler.npcTalk', { targetId: guide.entityId });
      await pushed(ann, 'onNPCTalk', (m) => m.npc === guide.entityId);
      const r = await req(ann.pomelo, 'area.playerHandler.changeArea', { areaId: 1, target: 5, triggerByPlayer: 1 });
      assert.strictEqual(r.success, true, JSON.stringify(r));
      const drag = await pushed(bob, 'onDragMember2gameCopy', (m) => m.teamId === teamId);
      assert.strictEqual(drag.target, 5);
      const cave = await req(ann.pomelo, 'area.playerHandler.enterScene', {});
      assert.strictEqual(cave.map.name, 'cave');
      assert.strictEqual(cave.curPlayer.teamId, teamId);
      assert.strictEqual(cave.curPlayer.isCaptain, 1);
      const follow = await req(bob.pomelo, 'area.playerHandler.changeArea', { areaId: 1, target: drag.target });
      assert.strictEqual(follow.success, true, JSON.stringify(follow));
      const bobCave = await req(bob.pomelo, 'area.playerHandler.enterScene', {});
      assert.strictEqual(bobCave.map.name, 'cave');
      assert.ok((bobCave.entities.player || []).some((p) => p.id === ann.id && p.teamId === teamId),
        'bob sees ann in the same instance: ' + JSON.stringify(bobCave.entities.player));
      // The team's copy of bob says where it is now.
      await pushed(ann, 'onUpdateTeam', (m) => m[bob.id] && m[bob.id].instanceId === '5_' + teamId, 'bob in the cave');
      // The captain is on its way already: the drag is for the members only (sent with bob's).
      assert.deepStrictEqual(ann.pomelo.pushes.onDragMember2gameCopy, []);
      // No leaving or disbanding inside a team instance.
      assert.strictEqual((await team(bob, 'leaveTeam', { playerId: bob.id, teamId })).code, 500);
      assert.strictEqual((await team(ann, 'disbandTeam', { playerId: ann.id, teamId })).code, 500);
      // cat, kicked out before, cannot follow.
      const cat5 = await req(cat.pomelo, 'area.playerHandler.changeArea', { areaId: 1, target: 5 });
      assert.strictEqual(cat5.success, false, JSON.stringify(cat5));
    });

    await checks.run('the team ending elsewhere reaches a member\'s own area server (its status and session keys)', async () => {
      // The team's two members are in the cave, on an instance server. The captain logs out: the
      // manager ends the team and tells the server holding bob, which shows bob in no team at once.
      ann.pomelo.disconnect();
      await pushed(bob, 'onDisbandTeam', (m) => Array.isArray(m) && m.includes(bob.id));
      const st = await pushed(bob, 'onTeamMemberStatusChange', (m) => m.playerId === bob.id && m.teamId === 0, 'bob in no team');
      assert.strictEqual(st.isCaptain, 0);
      // The session keys followed: team chat is refused (no team), before any team route ran.
      const none = await req(bob.pomelo, 'chat.chatHandler.send', { scope: '0897f7', content: 'anyone?', from: 'bob' });
      assert.strictEqual(none.code, 500, JSON.stringify(none));
    });
  } finally {
    for (const h of all) { try { h.pomelo.disconnect(); } catch (e) { /* closed */ } }
    await cluster.stop();
  }
  checks.finish();
}

main().catch((e) => { console.error(e); process.exit(1); });
