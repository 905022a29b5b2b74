// A small stand-in for the MMO servers, for the browser client's test: the HTTP side (static files of
// apps/mmo/web-server/public, POST /register and /login), a gate and a connector speaking the Pomelo
// protocol over WebSocket (with the app's route dictionary and the client proto of
// area.fightHandler.attack, decoded here by the npm pomelo-protobuf), and just enough of the game for
// every client feature: two scenes with collisions, a mob that dies and drops an item, picking, chat,
// teams (create, invite, team chat, disband), an NPC that sends players to the other scene. The real rules live in the area server; this checks
// the client's side of the protocol (LORDOFPOMELO.md §2) and lets a test push anything it wants.
'use strict';
const fs = require('fs');
const http = require('http');
const path = require('path');
const { requireInterop } = require('../connector/lib/harness');
const { freePort } = require('../../tools/node/util');
const WebSocket = requireInterop('ws');
const { Package, Message } = requireInterop('pomelo-protocol');
const protobuf = requireInterop('pomelo-protobuf');

const APP = path.join(__dirname, '..', '..', 'apps', 'mmo');
const PUBLIC = path.join(APP, 'web-server', 'public');
const DICT_ROUTES = JSON.parse(fs.readFileSync(path.join(APP, 'config', 'dictionary.json'), 'utf8'));
const CLIENT_PROTOS = protobuf.parse(JSON.parse(fs.readFileSync(path.join(APP, 'config', 'clientProtos.json'), 'utf8')));
protobuf.init({ encoderProtos: {}, decoderProtos: CLIENT_PROTOS });
const DICT = {}, ROUTE_OF = {};
DICT_ROUTES.forEach((r, i) => { DICT[r] = i + 1; ROUTE_OF[i + 1] = r; });
const TYPES = { '.html': 'text/html', '.js': 'application/javascript', '.css': 'text/css', '.png': 'image/png' };

// Scenes: 1200x900 px, 20 px tiles; blocked rectangles in px (a wall with a gap forces a detour).
const SCENES = {
  1: { name: 'desert', width: 1200, height: 900, blocked: [[500, 0, 60, 640], [800, 500, 200, 100], [100, 700, 120, 120]] },
  2: { name: 'oasis', width: 1200, height: 900, blocked: [[300, 300, 240, 160], [700, 100, 80, 400]] },
};
function weightMap(scene) {
  const cols = Math.ceil(scene.width / 20), rows = Math.ceil(scene.height / 20), out = [];
  for (let x = 0; x < cols; x++) {
    const runs = [];
    let start = -1;
    for (let y = 0; y <= rows; y++) {
      const b = y < rows && scene.blocked.some(([bx, by, bw, bh]) => x * 20 < bx + bw && x * 20 + 20 > bx && y * 20 < by + bh && y * 20 + 20 > by);
      if (b && start < 0) start = y;
      if (!b && start >= 0) { runs.push({ start, length: y - start }); start = -1; }
    }
    out.push({ collisions: runs });
  }
  return out;
}
function free(scene, x, y) {
  return x >= 0 && y >= 0 && x < scene.width && y < scene.height &&
    !weightMap(scene)[Math.floor(x / 20)].collisions.some((r) => Math.floor(y / 20) >= r.start && Math.floor(y / 20) < r.start + r.length);
}

async function startFakeWorld() {
  const [webPort, gatePort, connectorPort] = [await freePort(), await freePort(), await freePort()];
  const users = new Map();      // name -> {uid, password}
  const players = new Map();    // uid -> player record (persisted across logins)
  const sessions = new Set();
  const entities = new Map();   // entityId -> entity (players, mobs, npcs, items)
  const log = [];               // every request/notify: {route, body, uid}
  const teams = new Map();       // teamId -> {id, name, members: [session]}
  let nextEntity = 1, nextUid = 1, nextTeam = 1;

  entities.set(nextEntity, { entityId: nextEntity++, type: 'npc', kindId: 301, areaId: 1, x: 300, y: 180 });
  const spawnMob = () => {
    const m = { entityId: nextEntity++, id: 201, type: 'mob', kindId: 201, kindName: 'Sand Wolf', englishName: 'wolf', areaId: 1,
                x: 360, y: 420, hp: 30, maxHp: 30, mp: 0, maxMp: 0, level: 2, zoneId: 1, walkSpeed: 120 };
    entities.set(m.entityId, m);
    return m;
  };
  spawnMob();

  const inArea = (areaId, type) => [...entities.values()].filter((e) => e.areaId === areaId && (!type || e.type === type));
  const group = (list) => {
    const g = {};
    for (const e of list) (g[e.type] = g[e.type] || []).push(publicView(e));
    return g;
  };
  const publicView = (e) => { const { session, ...rest } = e; return rest; };

  // ---- wire ----
  function send(ws, bytes) { if (ws.readyState === 1) ws.send(bytes); }
  function push(sess, route, body) {
    send(sess.ws, Package.encode(Package.TYPE_DATA,
      Message.encode(0, Message.TYPE_PUSH, 1, DICT[route], Buffer.from(JSON.stringify(body)))));
  }
  function respond(sess, id, body) {
    send(sess.ws, Package.encode(Package.TYPE_DATA, Message.encode(id, Message.TYPE_RESPONSE, 0, null, Buffer.from(JSON.stringify(body)))));
  }
  const toArea = (areaId, route, body, except) => {
    for (const s of sessions) if (s.player && s.player.areaId === areaId && s.inScene && s !== except) push(s, route, body);
  };

  function serve(port, handlers) {
    const wss = new WebSocket.Server({ port, host: '127.0.0.1' });
    wss.on('connection', (ws) => {
      const sess = { ws };
      sessions.add(sess);
      ws.on('message', (raw) => {
        for (const p of [].concat(Package.decode(raw))) {
          if (p.type === Package.TYPE_HANDSHAKE) {
            const sys = { heartbeat: 30, dict: DICT, protos: { server: {}, client: CLIENT_PROTOS, version: 1 } };
            send(ws, Package.encode(Package.TYPE_HANDSHAKE, Buffer.from(JSON.stringify({ code: 200, sys }))));
          } else if (p.type === Package.TYPE_DATA) {
            const m = Message.decode(p.body);
            const route = m.compressRoute ? ROUTE_OF[m.route] : m.route;
            const body = CLIENT_PROTOS[route] ? protobuf.decode(route, m.body) : JSON.parse(m.body.toString() || '{}');
            log.push({ route, body, uid: sess.uid, binary: !!CLIENT_PROTOS[route] });
            const h = handlers[route];
            const reply = h ? h(sess, body) : { code: 500 };
            if (m.id) respond(sess, m.id, reply || {});
          }
        }
      });
      ws.on('close', () => { sessions.delete(sess); leave(sess); });
    });
    return wss;
  }

  function leave(sess) {
    if (!sess.player || !sess.inScene) return;
    entities.delete(sess.player.entityId);
    toArea(sess.player.areaId, 'onRemoveEntities', { entities: [sess.player.entityId] }, sess);
    sess.inScene = false;
  }

  const gate = serve(gatePort, {
    'gate.gateHandler.queryEntry': (s, b) => (b.uid ? { code: 200, host: '127.0.0.1', port: connectorPort } : { code: 500 }),
  });
  const connector = serve(connectorPort, {
    'connector.entryHandler.entry': (s, b) => {
      const m = /^tok-(\d+)$/.exec(String(b.token));
      if (!m) return { code: 1001 };
      s.uid = Number(m[1]);
      s.player = players.get(s.uid) || null;
      return { code: 200, player: s.player ? { id: s.player.id, name: s.player.name } : null };
    },
    'connector.roleHandler.createPlayer': (s, b) => {
      if (!s.uid || typeof b.name !== 'string' || !b.name || ![210, 211].includes(b.roleId)) return { code: 500 };
      s.player = { id: s.uid * 10, name: b.name, kindId: b.roleId, kindName: b.roleId === 210 ? 'Angle' : 'Alchemist', type: 'player',
                   areaId: 1, x: 150 + s.uid * 40, y: 160, hp: 220, maxHp: 220, mp: 20, maxMp: 20, level: 1, experience: 0,
                   nextLevelExp: 58, walkSpeed: 240, attackValue: 23, defenceValue: 9, teamId: 0, isCaptain: 0,
                   bag: { id: 1, itemCount: 20, items: [] }, equipments: { weapon: 0, armor: 0, helmet: 0, necklace: 0, ring: 0, belt: 0, shoes: 0, legguard: 0, amulet: 0 },
                   fightSkills: [{ id: 1, level: 1 }, { id: 2, level: 1 }], curTasks: [] };
      players.set(s.uid, s.player);
      return { code: 200, user: { id: s.uid }, player: { id: s.player.id, name: s.player.name } };
    },
    'connector.timeSyncHandler.timeSync': () => ({ code: 200 }),
    'area.resourceHandler.loadResource': () => ({
      data: { item: { 1: { id: 1, name: 'Minor Potion' } }, npc: { 301: { id: 301, name: 'Caravan Master', kindType: 1 } },
              fightskill: { 1: { id: 1, name: 'Normal Attack' }, 2: { id: 2, name: 'Sudden Attack' } } },
      version: {},
    }),
    'area.resourceHandler.loadAreaResource': (s) => ({ players: [210, 211], mobs: [201], npcs: [301], items: [1], equipments: [], mapName: SCENES[s.player.areaId].name }),
    'area.playerHandler.enterScene': (s) => {
      const p = s.player, sc = SCENES[p.areaId];
      p.entityId = nextEntity++; p.session = s;
      const others = inArea(p.areaId);
      entities.set(p.entityId, p);
      s.inScene = true;
      toArea(p.areaId, 'onAddEntities', { player: [publicView(p)] }, s);
      return { entities: group(others), curPlayer: publicView(p),
               map: { name: sc.name, width: sc.width, height: sc.height, tileW: 20, tileH: 20, weightMap: weightMap(sc) } };
    },
    'area.playerHandler.changeView': () => null,
    'area.playerHandler.move': (s, b) => {
      const p = s.player, sc = SCENES[p.areaId], pts = b.path;
      if (!Array.isArray(pts) || pts.length < 2 || Math.hypot(pts[0].x - p.x, pts[0].y - p.y) > 60 ||
          !pts.every((q) => free(sc, q.x, q.y))) return { code: 500 };
      const end = pts[pts.length - 1];
      toArea(p.areaId, 'onMove', { entityId: p.entityId, path: pts, speed: p.walkSpeed }, s);
      p.x = end.x; p.y = end.y;
      return { code: 200, route: 'area.playerHandler.move' };
    },
    'area.fightHandler.attack': (s, b) => {
      const t = entities.get(b.targetId);
      if (!t || t.type !== 'mob' || t.areaId !== s.player.areaId) return {};
      s.target = t.entityId;
      hit(s, 1);
      return {};
    },
    'area.fightHandler.useSkill': (s, b) => { if (s.target && entities.has(s.target)) hit(s, b.skillId); },
    'area.playerHandler.pickItem': (s, b) => {
      const it = entities.get(b.targetId), bag = s.player.bag;
      if (!it || (it.type !== 'item' && it.type !== 'equipment')) return { code: 500 };
      let index = 1;
      while (bag.items.some((x) => x.key === index)) index++;
      bag.items.push({ key: index, id: it.kindId, type: it.type });
      entities.delete(it.entityId);
      toArea(s.player.areaId, 'onPickItem', { player: s.player.entityId, item: it.entityId, index });
      return {};
    },
    'area.playerHandler.npcTalk': (s, b) => {
      const n = entities.get(b.targetId);
      if (n && n.type === 'npc') push(s, 'onNPCTalk', { npc: n.entityId, npcword: 'The caravan leaves for the oasis. Coming?', myword: 'Take me there.', player: s.player.entityId, kindId: n.kindId, action: 'changeArea', params: { target: 2 } });
    },
    'area.playerHandler.changeArea': (s, b) => {
      if (!SCENES[b.target] || b.target === s.player.areaId) return { success: false };
      leave(s);
      Object.assign(s.player, { areaId: b.target, x: 120, y: 120 });
      return { areaId: b.areaId, target: b.target, success: true };
    },
    'area.teamHandler.createTeam': (s) => {
      if (s.player.teamId) return;
      const team = { id: nextTeam++, name: 'Team ' + nextTeam, members: [s] };
      teams.set(team.id, team);
      joinTeam(team, s, 1);
    },
    'area.teamHandler.inviteJoinTeam': (s, b) => {
      const to = [...sessions].find((x) => x.player && x.player.id === b.inviteeId);
      if (to && s.player.isCaptain) push(to, 'onInviteJoinTeam', { id: s.player.id, name: s.player.name, level: s.player.level, teamId: s.player.teamId });
    },
    'area.teamHandler.inviteJoinTeamReply': (s, b) => {
      const team = teams.get(b.teamId), captain = team && team.members.find((x) => x.player.id === b.captainId);
      if (!captain) return;
      push(captain, 'onInviteJoinTeamReply', { reply: b.reply });
      if (b.reply === 1 && !s.player.teamId) { team.members.push(s); joinTeam(team, s, 0); }
    },
    'area.teamHandler.disbandTeam': (s) => {
      const team = teams.get(s.player.teamId);
      if (!team || !s.player.isCaptain) return;
      teams.delete(team.id);
      const ids = team.members.map((m) => m.player.id);
      for (const m of team.members) {
        push(m, 'onDisbandTeam', ids);
        Object.assign(m.player, { teamId: 0, isCaptain: 0 });
        toArea(m.player.areaId, 'onTeamMemberStatusChange', { playerId: m.player.id, teamId: 0, isCaptain: 0, teamName: '' });
      }
    },
    'chat.chatHandler.send': (s, b) => {
      const msg = { playerId: s.player.id, uid: s.uid, content: String(b.content), scope: b.scope, kind: 0, from: s.player.name };
      if (b.scope === '0897f7') {
        const team = teams.get(s.player.teamId);
        if (!team) return { code: 500 };
        for (const m of team.members) push(m, 'onChat', msg);
      } else if (b.scope === '279106') {
        const to = [...sessions].find((x) => x.player && x.player.name === b.toName);
        if (!to) return { code: 3004 };
        push(to, 'onChat', msg);
      } else for (const x of sessions) if (x.player && x.inScene) push(x, 'onChat', msg);
      return { code: 200 };
    },
  });

  // A member joins: everyone in the area sees its flag, every member gets the team's table.
  function joinTeam(team, s, isCaptain) {
    Object.assign(s.player, { teamId: team.id, isCaptain });
    toArea(s.player.areaId, isCaptain ? 'onTeamCaptainStatusChange' : 'onTeamMemberStatusChange',
           { playerId: s.player.id, teamId: team.id, isCaptain, teamName: team.name });
    const table = {};
    for (const m of team.members) {
      const p = m.player;
      table[p.id] = { name: p.name, kindId: p.kindId, hp: p.hp, mp: p.mp, maxHp: p.maxHp, maxMp: p.maxMp, level: p.level, teamId: team.id, isCaptain: p.isCaptain, instanceId: 0 };
    }
    for (const m of team.members) push(m, 'onUpdateTeam', table);
  }

  // One hit of 10 (15 for skill 2) on the session's target; the mob dies at 0 and drops a potion.
  function hit(s, skillId) {
    const t = entities.get(s.target), p = s.player;
    if (!t || t.hp <= 0) return;
    const damage = Math.min(t.hp, skillId === 2 ? 15 : 10);
    t.hp -= damage;
    const body = { attacker: p.entityId, target: t.entityId, skillId, result: { result: t.hp > 0 ? 1 : 2, damage } };
    if (t.hp <= 0) {
      const item = { entityId: nextEntity++, kindId: 1, x: t.x + 30, y: t.y + 10, playerId: p.id, type: 'item', areaId: p.areaId };
      entities.set(item.entityId, item);
      body.result.items = [publicView(item)];
      p.experience += 20; body.exp = p.experience;
      entities.delete(t.entityId);
      setTimeout(() => toArea(p.areaId, 'onRemoveEntities', { entities: [t.entityId] }), 200);
    }
    toArea(p.areaId, 'onAttack', body);
  }

  const web = http.createServer((req, res) => {
    if (req.method === 'POST') {
      let data = '';
      req.on('data', (d) => { data += d; });
      req.on('end', () => {
        let b = {};
        try { b = JSON.parse(data); } catch (e) { /* answered as a bad request below */ }
        res.setHeader('Content-Type', 'application/json');
        log.push({ route: 'http ' + req.url, body: b });
        if (req.url === '/register') {
          if (typeof b.name !== 'string' || !b.name || typeof b.password !== 'string') return res.end('{"code":500}');
          if (users.has(b.name)) return res.end('{"code":501}');
          const uid = nextUid++;
          users.set(b.name, { uid, password: b.password });
          return res.end(JSON.stringify({ code: 200, token: 'tok-' + uid, uid }));
        }
        if (req.url === '/login') {
          const u = users.get(b.username);
          if (!u) return res.end('{"code":500}');
          if (u.password !== b.password) return res.end('{"code":501}');
          return res.end(JSON.stringify({ code: 200, token: 'tok-' + u.uid, uid: u.uid }));
        }
        res.statusCode = 404; res.end('{}');
      });
      return;
    }
    const rel = decodeURIComponent(new URL(req.url, 'http://x').pathname).replace(/^\/+/, '') || 'index.html';
    const file = path.join(PUBLIC, rel);
    if (!file.startsWith(PUBLIC + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) { res.statusCode = 404; return res.end(); }
    res.setHeader('Content-Type', TYPES[path.extname(file)] || 'application/octet-stream');
    res.end(fs.readFileSync(file));
  });
  await new Promise((r) => web.listen(webPort, '127.0.0.1', r));

  return {
    webPort, gatePort, log, entities, sessions, spawnMob,
    url: `http://127.0.0.1:${webPort}/?gate=${gatePort}`,
    // Pushes `route` to the session of the player named `name` (for checks of the client's reactions).
    pushTo: (name, route, body) => { for (const s of sessions) if (s.player && s.player.name === name && s.inScene) push(s, route, body); },
    playerNamed: (name) => [...entities.values()].find((e) => e.type === 'player' && e.name === name),
    close: () => Promise.all([...gate.clients, ...connector.clients].map((c) => c.terminate()).concat([new Promise((r) => { web.close(r); web.closeAllConnections(); }), new Promise((r) => gate.close(r)), new Promise((r) => connector.close(r))])),
  };
}

module.exports = { startFakeWorld };
