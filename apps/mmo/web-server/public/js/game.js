// The game page: login → gate → connector → entry (→ createPlayer) → loadAreaResource → enterScene →
// changeView; then the scene fed by the area's pushes, mouse and keyboard input, the HUD, bag,
// equipment, chat, team and task panels. window.__mmo exposes the state for tests and debugging.
(function (MMO) {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var Net = MMO.Net, ui = MMO.UI;
  var RESULT = { SUCCESS: 1, KILLED: 2, MISS: 3, NOT_IN_RANGE: 4 };
  var CHAT_SCOPES = { world: 'D41313', area: 'F7A900', team: '0897f7', private: '279106' };

  var S = {
    state: 'login', client: null, uid: null, player: null, me: null, areaId: null, rtt: 0,
    data: {}, pushes: {}, chat: [], team: {}, lastError: null, moveRequests: 0, skillUses: {},
  };
  var scene = new MMO.Scene($('scene'));

  function fail(where, err) {
    S.lastError = where + ': ' + (err && err.message ? err.message : JSON.stringify(err));
    ui.status(S.lastError, true);
  }

  // ---- login and entering --------------------------------------------------------------------

  function loginAs(name, password, isRegister) {
    if (S.client) { S.client.disconnect(); S.client = null; }  // a failed attempt's connection
    ui.status(isRegister ? 'registering…' : 'logging in…');
    var step = isRegister ? Net.register(name, password) : Net.login(name, password);
    return step.then(function (res) {
      if (!res || res.code !== 200) {
        var why = { 500: isRegister ? 'registration failed' : 'unknown user', 501: isRegister ? 'that name is taken' : 'wrong password' }[res && res.code];
        throw new Error(why || 'code ' + (res && res.code));
      }
      S.uid = res.uid; S.token = res.token;
      S.state = 'connecting';
      return Net.enterConnector(res.uid);
    }).then(function (client) {
      S.client = client;
      bindPushes(client);
      return Net.request(client, 'connector.entryHandler.entry', { token: S.token });
    }).then(function (res) {
      if (!res || res.code !== 200) throw new Error('entry refused (code ' + (res && res.code) + ')');
      if (res.player) return enterGame(res.player);
      S.state = 'create';
      ui.show('create'); ui.status('choose a hero');
    }).catch(function (e) { S.state = 'login'; fail('login', e); });
  }

  function createPlayer(name, roleId) {
    ui.status('creating your hero…');
    return Net.request(S.client, 'connector.roleHandler.createPlayer', { name: name, roleId: roleId }).then(function (res) {
      if (!res || res.code !== 200 || !res.player) throw new Error('could not create the hero (code ' + (res && res.code) + ')');
      return enterGame(res.player);
    }).catch(function (e) { fail('create', e); });
  }

  function enterGame(player) {
    S.player = player;
    startTimeSync();
    loadResources();
    return enterArea();
  }

  // Data tables (names of items, equipment, skills): optional, the game plays without them.
  function loadResources() {
    Net.request(S.client, 'area.resourceHandler.loadResource', { version: {} }).then(function (res) {
      if (res && res.data && typeof res.data === 'object')
        for (var name in res.data) S.data[name] = tableById(res.data[name]);
      for (var id in scene.entities) if (scene.entities[id].type === 'npc') markTraverse(scene.entities[id]);
      ui.refreshPanels(S);
    });
  }

  // A data table as rows keyed by id. The server sends config/data tables as they are stored
  // (a row of column titles, a row of field names, then value rows); an object keyed by id passes.
  function tableById(table) {
    if (!Array.isArray(table)) return table && typeof table === 'object' ? table : {};
    var fields = table[1], out = {};
    if (!Array.isArray(fields)) return out;
    for (var i = 2; i < table.length; i++) {
      if (!Array.isArray(table[i])) continue;
      var row = {};
      for (var f = 0; f < fields.length; f++) row[fields[f]] = table[i][f];
      if (row.id !== undefined) out[row.id] = row;
    }
    return out;
  }

  // loadAreaResource then enterScene. The area answers enterScene at most once a second per player
  // (each one reads the database): a refusal is tried again a little later, a few times.
  function enterArea() {
    S.state = 'loading'; ui.status('loading the area…');
    var enter = function (triesLeft) {
      return Net.request(S.client, 'area.playerHandler.enterScene', {}).then(function (res) {
        if (res && res.map && res.curPlayer) return res;
        if (triesLeft > 0) return new Promise(function (r) { setTimeout(r, 1100); }).then(function () { return enter(triesLeft - 1); });
        throw new Error('enterScene answered ' + JSON.stringify(res).slice(0, 200));
      });
    };
    return Net.request(S.client, 'area.resourceHandler.loadAreaResource', {}).then(function (res) {
      S.areaResource = res;
      return enter(3);
    }).then(setupScene).catch(function (e) { fail('enterScene', e); });
  }

  function setupScene(res) {
    var cp = res.curPlayer;
    S.me = cp; S.areaId = cp.areaId;
    scene.setMap(res.map, cp.areaId);
    addEntities(res.entities || {});
    scene.myId = cp.entityId;
    var me = scene.add('player', cp);
    if (me) me.isMe = true;
    S.state = 'playing';
    ui.show('game');
    ui.setArea(MMO.Art.THEMES[scene.theme].label + (res.map.name ? ' (' + res.map.name + ')' : ''));
    ui.status('');
    resize();
    ui.refreshPanels(S);
  }

  // ---- pushes --------------------------------------------------------------------------------

  function addEntities(groups) {
    for (var type in groups) {
      var list = groups[type];
      if (!Array.isArray(list)) continue;
      for (var i = 0; i < list.length; i++) {
        var ent = scene.add(type, list[i]);
        if (ent && type === 'npc') markTraverse(ent);
      }
    }
  }
  function markTraverse(ent) {
    var row = S.data.npc && S.data.npc[ent.kindId];
    ent.traverse = !!(row && Number(row.kindType) === 1);
  }

  var handlers = {
    onAddEntities: addEntities,
    onRemoveEntities: function (m) {
      (m.entities || []).forEach(function (id) {
        var e = scene.entities[id];
        if (e && e.died && e.type === 'mob') { if (!e.fadeAt) e.fadeAt = performance.now() + 1500; }
        else scene.remove(id);
        if (scene.targetId === id) scene.targetId = null;
      });
    },
    onMove: function (m) {
      var e = scene.entities[m.entityId];
      if (!e || !Array.isArray(m.path) || m.path.length < 2) return;
      var start = m.path[0];
      // Far from where the path begins (a missed update): jump there rather than cut across.
      if (Math.hypot(start.x - e.x, start.y - e.y) > 100) { e.x = start.x; e.y = start.y; }
      var path = [{ x: e.x, y: e.y }].concat(m.path.slice(1));
      scene.walk(e, path, m.speed || e.walkSpeed || 240, e.entityId === scene.myId ? 0 : S.rtt / 2);
    },
    onPathCheckout: function (m) {
      var e = scene.entities[m.entityId], p = m.position;
      if (!e || !p) return;
      if (Math.hypot(p.x - e.x, p.y - e.y) > 100) { e.x = p.x; e.y = p.y; S.snaps = (S.snaps || 0) + 1; }
    },
    onAttack: onAttack,
    onRevive: function (m) {
      var e = scene.entities[m.entityId];
      if (!e) return;
      e.x = m.x; e.y = m.y; e.hp = m.hp; e.died = false; e.path = null;
      scene.setAction(e, 'Stand');
      if (e.entityId === scene.myId) { S.me.hp = m.hp; ui.notice('You are revived.'); }
    },
    onPickItem: function (m) {
      var item = scene.entities[m.item];
      if (m.player === scene.myId && item) {
        var bag = S.me.bag || (S.me.bag = { itemCount: 20, items: [] });
        bag.items = bag.items.filter(function (it) { return it.key !== m.index; });
        bag.items.push({ key: m.index, id: item.kindId, type: item.type });
        ui.notice('Picked up ' + ui.itemName(S, item.type, item.kindId) + '.');
      }
      scene.remove(m.item);
      ui.refreshPanels(S);
    },
    onUpgrade: function (m) {
      Object.assign(S.me, m);
      var e = scene.me();
      if (e) { Object.assign(e, { level: m.level, hp: m.hp, maxHp: m.maxHp, mp: m.mp, maxMp: m.maxMp }); scene.floater(e, 'LEVEL UP!', '#ffe45c', true); }
      ui.refreshPanels(S);
    },
    onNPCTalk: function (m) { ui.npcDialog(S, m, changeArea); },
    onUserLeave: function (m) { var e = scene.byPlayerId(m.playerId); if (e) scene.remove(e.entityId); },
    onChat: function (m) { S.chat.push(m); ui.chatLine(m, scopeName(m.scope)); },
    onUpdateTaskData: function (m) {
      (S.me.curTasks || []).forEach(function (t) { if (m[t.id]) t.taskData = m[t.id]; });
      ui.refreshTasks(S);
    },
    onTaskCompleted: function (m) {
      (S.me.curTasks || []).forEach(function (t) { if (t.id === m.taskId) { t.taskState = 1; ui.notice(t.name + ': done. Hand it over.'); } });
      ui.refreshTasks(S);
    },
    onDropItems: function (m) { addEntities({ equipment: Array.isArray(m) ? m : (m.dropItems || []) }); },
    onTeamCaptainStatusChange: teamStatus,
    onTeamMemberStatusChange: teamStatus,
    onInviteJoinTeam: function (m) {
      ui.confirm(m.name + ' (lv ' + m.level + ') invites you to a team.', function (yes) {
        S.client.notify('area.teamHandler.inviteJoinTeamReply', { captainId: m.id, teamId: m.teamId, reply: yes ? 1 : 0 });
      });
    },
    onApplyJoinTeam: function (m) {
      ui.confirm(m.name + ' (lv ' + m.level + ') asks to join your team.', function (yes) {
        S.client.notify('area.teamHandler.applyJoinTeamReply', { applicantId: m.id, teamId: m.teamId, reply: yes ? 1 : 0 });
      });
    },
    onInviteJoinTeamReply: function (m) { ui.notice(m.reply === 1 ? 'Your invitation was accepted.' : 'Your invitation was declined.'); },
    onApplyJoinTeamReply: function (m) { ui.notice(m.reply === 1 ? 'You joined the team.' : 'Your application was declined.'); },
    onUpdateTeam: function (m) { S.team = m || {}; ui.refreshTeam(S); },
    onTeammateLeaveTeam: function (m) { delete S.team[m.playerId]; ui.refreshTeam(S); },
    onDisbandTeam: function () { S.team = {}; S.me.teamId = 0; S.me.isCaptain = 0; ui.refreshTeam(S); ui.notice('The team was disbanded.'); },
    onDragMember2gameCopy: function (m) { changeArea(m.target); },
    onKick: function () { S.state = 'kicked'; ui.status('kicked by the server', true); },
    close: function () { if (S.state !== 'kicked') { S.state = 'disconnected'; ui.status('disconnected', true); } },
  };

  function bindPushes(client) {
    Object.keys(handlers).forEach(function (route) {
      client.on(route, function (m) {
        if (client !== S.client) return;  // a connection given up on (a new login replaced it)
        S.pushes[route] = (S.pushes[route] || 0) + 1;
        try { handlers[route](m || {}); } catch (e) { fail(route, e); }
      });
    });
  }

  function scopeName(code) {
    for (var k in CHAT_SCOPES) if (CHAT_SCOPES[k].toLowerCase() === String(code).toLowerCase()) return k;
    return 'world';
  }

  function teamStatus(m) {
    var e = scene.byPlayerId(m.playerId);
    if (e) { e.teamId = m.teamId; e.isCaptain = m.isCaptain; }
    if (S.me && m.playerId === S.me.id) { S.me.teamId = m.teamId; S.me.isCaptain = m.isCaptain; ui.refreshTeam(S); }
  }

  function onAttack(m) {
    var a = scene.entities[m.attacker], t = scene.entities[m.target], r = m.result || {};
    if (a) {
      if (t) a.dir = MMO.Art.orientation(t.x - a.x, t.y - a.y, a.dir);
      scene.setAction(a, 'Attack');
    }
    if (t && (r.result === RESULT.SUCCESS || r.result === RESULT.KILLED)) {
      t.hp = Math.max(0, (t.hp || 0) - (r.damage || 0));
      scene.floater(t, '-' + (r.damage || 0), t.entityId === scene.myId ? '#ff5a4d' : '#ffe066');
      if (r.result === RESULT.KILLED) {
        t.hp = 0; t.died = true; t.path = null;
        if (t.type === 'mob') t.fadeAt = performance.now() + 1500;
        if (scene.targetId === t.entityId) scene.targetId = null;
        if (t.entityId === scene.myId) ui.notice('You died. Reviving in ' + Math.round((m.reviveTime || 5000) / 1000) + ' s…');
      }
      if (t.entityId === scene.myId) S.me.hp = t.hp;
    } else if (t && r.result === RESULT.MISS) scene.floater(t, 'miss', '#ddd');
    if (Array.isArray(r.items) && r.items.length) {
      r.items.forEach(function (it) { scene.add(it.type || 'item', it); });
    }
    if (a && a.entityId === scene.myId) {
      S.skillUses[m.skillId] = (S.skillUses[m.skillId] || 0) + 1;
      if (typeof m.exp === 'number') S.me.experience = m.exp;
      if (r.mpUse > 0) S.me.mp = Math.max(0, (S.me.mp || 0) - r.mpUse);
    }
  }

  // ---- actions -------------------------------------------------------------------------------

  function moveTo(wx, wy) {
    var me = scene.me();
    if (!me || me.died) return null;
    var found = scene.pathMap.findPath({ x: me.x, y: me.y }, { x: wx, y: wy });
    if (!found) { ui.notice('You cannot go there.'); return null; }
    var path = found.path.map(function (p) { return { x: Math.round(p.x), y: Math.round(p.y) }; });
    // Walking starts at once; the server verifies the path and corrects us through onPathCheckout.
    // The server starts the walk half a round trip later: play it that much slower, so both end together.
    var speed = S.me.walkSpeed || me.walkSpeed || 240, dist = found.cost;
    if (dist > 0 && S.rtt > 0) speed = dist / (dist / speed + S.rtt / 2000);
    scene.targetId = null;
    scene.walk(me, path, speed, 0);
    S.moveRequests++;
    S.client.request('area.playerHandler.move', { path: path }, function (res) {
      if (!res || res.code !== 200) {
        scene.stop(me);
        // Back to where the server has us: the next path must start there.
        if (res && res.position) { me.x = res.position.x; me.y = res.position.y; }
        ui.notice('The server refused that move.');
        S.moveRefused = (S.moveRefused || 0) + 1;
      }
    });
    return path;
  }

  function attack(ent) {
    scene.targetId = ent.entityId;
    S.client.request('area.fightHandler.attack', { targetId: ent.entityId }, function () {});
  }
  function pick(ent) {
    S.client.request('area.playerHandler.pickItem', { targetId: ent.entityId }, function (res) {
      if (res && res.code && res.code !== 200) ui.notice('You cannot pick that up.');
    });
  }
  function useSkill(slot) {
    var skills = (S.me && S.me.fightSkills) || [], sk = skills[slot - 1];
    if (!sk) return;
    S.client.notify('area.fightHandler.useSkill', { skillId: sk.id, playerId: S.me.id });
  }

  function changeArea(target) {
    if (!target) return;
    S.state = 'changing';
    Net.request(S.client, 'area.playerHandler.changeArea',
                { areaId: S.areaId, target: target, uid: S.uid, playerId: S.me.id, triggerByPlayer: 1 }).then(function (res) {
      if (!res || !res.success) { S.state = 'playing'; ui.notice('You cannot travel there now.'); return; }
      return enterArea();
    });
  }

  function clickScene(ev) {
    if (S.state !== 'playing') return;
    var rect = ev.target.getBoundingClientRect(), sx = ev.clientX - rect.left, sy = ev.clientY - rect.top;
    var ent = scene.pick(sx, sy);
    ui.hideMenu();
    if (!ent) { moveTo(sx + scene.cam.x, sy + scene.cam.y); return; }
    if (ent.type === 'mob' && !ent.died) attack(ent);
    else if (ent.type === 'item' || ent.type === 'equipment') pick(ent);
    else if (ent.type === 'npc') S.client.notify('area.playerHandler.npcTalk', { targetId: ent.entityId });
    else if (ent.type === 'player') ui.playerMenu(S, ent, sx, sy, playerActions);
  }

  var playerActions = {
    attack: attack,
    invite: function (ent) { S.client.notify('area.teamHandler.inviteJoinTeam', { inviteeId: ent.id, teamId: S.me.teamId }); },
    apply: function (ent) { S.client.notify('area.teamHandler.applyJoinTeam', { captainId: ent.id, teamId: ent.teamId }); },
    whisper: function (ent) { ui.whisperTo(ent.name); },
  };

  function sendChat(scope, content, toName) {
    content = String(content || '').trim().slice(0, 200);
    if (!content || !S.client) return;
    var msg = { scope: CHAT_SCOPES[scope] || CHAT_SCOPES.world, content: content, areaId: S.areaId,
                toName: toName || '', teamId: (S.me && S.me.teamId) || 0, from: S.me ? S.me.name : '' };
    S.client.request('chat.chatHandler.send', msg, function (res) {
      if (res && res.code === 3004) ui.chatLine({ from: '', content: toName + ' is not online.', kind: 1 }, 'system');
      else if (res && res.code !== 200) ui.chatLine({ from: '', content: 'Message not sent (code ' + res.code + ').', kind: 1 }, 'system');
      else if (scope === 'private') ui.chatLine({ from: 'to ' + toName, content: content }, 'private');
    });
  }

  var bagActions = {
    use: function (slot) {
      S.client.request('area.playerHandler.useItem', { index: slot.key }, function (r) {
        if (!r || !r.status) { ui.notice('You cannot use that now.'); return; }
        dropFromBag(slot.key);
        drink(S.data.item && S.data.item[slot.id]);
      });
    },
    equip: function (slot) {
      S.client.request('area.equipHandler.equip', { index: slot.key }, function (r) {
        if (!r || !r.status) { ui.notice('You cannot equip that.'); return; }
        var kind = ui.equipmentSlot(S, slot.id);
        var old = S.me.equipments && kind ? S.me.equipments[kind] : 0;
        dropFromBag(slot.key);
        if (kind) S.me.equipments[kind] = slot.id;
        if (old && r.bagIndex > 0) S.me.bag.items.push({ key: r.bagIndex, id: old, type: 'equipment' });
        ui.refreshPanels(S);
      });
    },
    drop: function (slot) { S.client.request('area.playerHandler.dropItem', { index: slot.key }, function (r) { if (r && r.status) dropFromBag(slot.key); }); },
    unEquip: function (kind) {
      S.client.request('area.equipHandler.unEquip', { type: kind, putInBag: true }, function (r) {
        if (!r || !r.status) { ui.notice('Your bag is full.'); return; }
        var id = S.me.equipments[kind];
        S.me.equipments[kind] = 0;
        if (r.bagIndex > 0) S.me.bag.items.push({ key: r.bagIndex, id: id, type: 'equipment' });
        ui.refreshPanels(S);
      });
    },
  };
  // A potion's effect as the server applies it (item.json hp and mp, up to the maxima).
  function drink(item) {
    var me = scene.me();
    if (!item || !me) return;
    S.me.hp = me.hp = Math.min(S.me.maxHp || me.maxHp, (me.hp || 0) + (Number(item.hp) || 0));
    S.me.mp = Math.min(S.me.maxMp || 0, (S.me.mp || 0) + (Number(item.mp) || 0));
    if (item.hp > 0) scene.floater(me, '+' + item.hp, '#6f6');
  }

  function dropFromBag(key) {
    S.me.bag.items = S.me.bag.items.filter(function (it) { return it.key !== key; });
    ui.refreshPanels(S);
  }

  var taskActions = {
    ask: function () {
      Net.request(S.client, 'area.taskHandler.getNewTask', { playerId: S.me.id }).then(function (r) {
        S.offeredTask = r && r.code === 200 ? r.task : null;
        if (!S.offeredTask) ui.notice('No task for you now.');
        ui.refreshTasks(S);
      });
    },
    start: function (taskId) {
      Net.request(S.client, 'area.taskHandler.startTask', { playerId: S.me.id, taskId: taskId }).then(function (r) {
        if (!r || r.code !== 200 || !r.taskData) { ui.notice('That task cannot be started now.'); return; }
        S.offeredTask = null;
        (S.me.curTasks = S.me.curTasks || []).push(r.taskData);
        ui.refreshTasks(S);
      });
    },
    handover: function () {
      Net.request(S.client, 'area.taskHandler.handoverTask', { playerId: S.me.id }).then(function (r) {
        if (!r || r.code !== 200) { ui.notice('Nothing to hand over.'); return; }
        S.me.curTasks = (S.me.curTasks || []).filter(function (t) { return t.taskState !== 1; });
        ui.notice('Task handed over: your reward lies at your feet.');
        ui.refreshTasks(S);
      });
    },
  };

  var skillActions = {
    learn: function (skillId) {
      Net.request(S.client, 'area.playerHandler.learnSkill', { skillId: skillId }).then(function (r) {
        if (!r || !r.status) { ui.notice('You cannot learn that yet.'); return; }
        (S.me.fightSkills = S.me.fightSkills || []).push(r.skill || { id: skillId, level: 1 });
        ui.refreshPanels(S);
      });
    },
    upgrade: function (skillId) {
      Net.request(S.client, 'area.playerHandler.upgradeSkill', { skillId: skillId }).then(function (r) {
        if (!r || !r.status) { ui.notice('You cannot upgrade that yet.'); return; }
        (S.me.fightSkills || []).forEach(function (sk) { if (sk.id === skillId) sk.level = (sk.level || 1) + 1; });
        S.me.skillPoint = Math.max(0, (S.me.skillPoint || 0) - 1);
        ui.refreshPanels(S);
      });
    },
  };

  var teamActions = {
    create: function () { S.client.notify('area.teamHandler.createTeam', {}); },
    leave: function () { S.client.notify('area.teamHandler.leaveTeam', { playerId: S.me.id, teamId: S.me.teamId }); },
    disband: function () { S.client.notify('area.teamHandler.disbandTeam', { playerId: S.me.id, teamId: S.me.teamId }); },
    kick: function (playerId) { S.client.notify('area.teamHandler.kickOut', { teamId: S.me.teamId, kickedPlayerId: playerId }); },
  };

  // ---- loop, view, time sync -----------------------------------------------------------------

  function resize() {
    var c = $('scene');
    c.width = window.innerWidth; c.height = window.innerHeight;
    if (S.client && S.state === 'playing') S.client.notify('area.playerHandler.changeView', { width: c.width, height: c.height });
  }

  function startTimeSync() {
    var sync = function () {
      var sent = Date.now();
      S.client.request('connector.timeSyncHandler.timeSync', { clientTime: sent }, function () { S.rtt = Date.now() - sent; });
    };
    sync();
    clearInterval(S.timeSyncTimer);
    S.timeSyncTimer = setInterval(sync, 60000);
  }

  var last = performance.now();
  function frame(now) {
    var dt = Math.min(0.1, (now - last) / 1000);
    last = now;
    scene.update(dt);
    var me = scene.me();
    if (me && S.me) { S.me.x = me.x; S.me.y = me.y; S.me.hp = me.hp; ui.hud(S, me); }
    scene.draw();
    requestAnimationFrame(frame);
  }

  ui.init({
    login: function (n, p) { loginAs(n, p, false); },
    register: function (n, p) { loginAs(n, p, true); },
    create: createPlayer,
    chat: sendChat,
    bag: bagActions,
    team: teamActions,
    task: taskActions,
    skills: skillActions,
    skill: useSkill,
  });
  $('scene').addEventListener('click', clickScene);
  // A hand over anything clickable: mobs, items, NPCs, other players.
  $('scene').addEventListener('mousemove', function (ev) {
    if (S.state !== 'playing') return;
    ev.target.style.cursor = scene.pick(ev.offsetX, ev.offsetY) ? 'pointer' : '';
  });
  window.addEventListener('keydown', function (ev) {
    if (S.state !== 'playing' || /INPUT|SELECT|TEXTAREA/.test(document.activeElement.tagName)) return;
    if (ev.key === 'Enter') { ev.preventDefault(); $('chat-text').focus(); }
    else if (ev.key >= '1' && ev.key <= '9') useSkill(Number(ev.key));
    else if (ev.key === 'b' || ev.key === 'B') ui.toggle('bag');
    else if (ev.key === 'e' || ev.key === 'E') ui.toggle('equip');
  });
  window.addEventListener('resize', resize);
  resize();
  requestAnimationFrame(frame);

  // The debug hook: page state for tests and the console.
  window.__mmo = {
    S: S, scene: scene,
    entities: function () {
      return Object.keys(scene.entities).map(function (k) {
        var e = scene.entities[k];
        return { entityId: e.entityId, id: e.id, type: e.type, kindId: e.kindId, name: e.name, x: e.x, y: e.y, hp: e.hp,
                 maxHp: e.maxHp, level: e.level, died: !!e.died, moving: !!e.path, action: e.action, dir: e.dir, teamId: e.teamId };
      });
    },
    worldToScreen: function (x, y) { scene.updateCamera(); return { x: x - scene.cam.x, y: y - scene.cam.y }; },
    findPath: function (a, b) { return scene.pathMap && scene.pathMap.findPath(a, b); },
    moveTo: moveTo,
  };
})(window.MMO = window.MMO || {});
