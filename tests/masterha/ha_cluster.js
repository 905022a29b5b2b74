'use strict';
// Helpers the master-HA tests and the failover bench share: the chat demo (apps/chat) as a cluster on
// free ports with the masterha plugin on every server, against a real ZooKeeper (tools/node/engines.js);
// the master of master.json in the foreground, standbys from config/masterha.json started with
// `shaddock masterha`; admin commands over the master link; chatting clients.
const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { freePort, sleep, tempDir } = require('../../tools/node/util.js');
const { adminCommand } = require('../cluster/lib/master_link.js');

const APP = path.join(__dirname, '..', '..', 'apps', 'chat');
const ADMIN_PASSWORD = 'admin';  // apps/chat/config/adminUser.json (development)

// Writes the app folder. opts: zk (host:port), timeout (ms), username/password (digest), standbys (n),
// path (base znode), extra (more masterha options).
async function makeApp(opts) {
  const dir = tempDir('shd-ha-');
  const config = path.join(dir, 'config');
  fs.mkdirSync(config);
  for (const f of fs.readdirSync(path.join(APP, 'config'))) fs.copyFileSync(path.join(APP, 'config', f), path.join(config, f));
  const servers = JSON.parse(fs.readFileSync(path.join(APP, 'config', 'servers.json'), 'utf8')).development;
  for (const list of Object.values(servers))
    for (const s of list) { if (s.port) s.port = await freePort(); if (s.clientPort) s.clientPort = await freePort(); }
  fs.writeFileSync(path.join(config, 'servers.json'), JSON.stringify({ development: servers }));
  const masters = [{ id: 'master-server-1', host: '127.0.0.1', port: await freePort() }];
  for (let i = 0; i < (opts.standbys === undefined ? 2 : opts.standbys); ++i)
    masters.push({ id: `master-server-${i + 2}`, host: '127.0.0.1', port: await freePort() });
  fs.writeFileSync(path.join(config, 'master.json'), JSON.stringify(masters[0]));
  fs.writeFileSync(path.join(config, 'masterha.json'), JSON.stringify({ development: masters.slice(1) }));
  const plugins = JSON.parse(fs.readFileSync(path.join(APP, 'config', 'plugins.json'), 'utf8'));
  // Every master process would serve the web page on the same port: not here.
  plugins.plugins = plugins.plugins.filter((p) => p.name !== 'static_web');
  plugins.plugins.find((p) => p.name === 'cluster').options = { adminHttp: false, adoptTimeout: 20000 };
  const ha = { server: opts.zk, path: opts.path || '/shaddock/test', timeout: opts.timeout || 2000, ...(opts.extra || {}) };
  if (opts.username) Object.assign(ha, { username: opts.username, password: opts.password });
  plugins.plugins.push({ name: 'masterha', serverTypes: '*', options: ha });
  fs.writeFileSync(path.join(config, 'plugins.json'), JSON.stringify(plugins));
  return { dir, servers, masters, gatePort: servers.gate[0].clientPort };
}

// A shaddock-host process with its output collected.
function startHost(host, dir, args = []) {
  const child = spawn(host, ['--app-dir', dir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.output = '';
  child.stdout.on('data', (d) => { child.output += d; });
  child.stderr.on('data', (d) => { child.output += d; });
  child.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return child;
}

// `shaddock masterha -d dir [args]`: {code, out}.
function masterhaCommand(cli, dir, args = []) {
  const r = spawnSync(cli, ['masterha', '-d', dir, ...args], { encoding: 'utf8', timeout: 30000 });
  return { code: r.status, out: (r.stdout || '') + (r.stderr || '') };
}

// The pids of `shaddock masterha`'s standbys, from its output.
function standbyPids(out) {
  const pids = {};
  for (const m of out.matchAll(/^(\S+): standby master running in the background \(pid (\d+)/gm)) pids[m[1]] = Number(m[2]);
  return pids;
}

// `list` over the master link of `port`: the answer, or null (no master there, refused, no answer).
async function list(port) {
  try {
    const r = await Promise.race([adminCommand(port, 'admin', ADMIN_PASSWORD, 'list'), sleep(4000).then(() => null)]);
    return r && r.t === 'admin_result' ? r : r && r.ok !== undefined ? r : null;
  } catch (e) {
    return null;
  }
}

// True when `answer` is an ok list where every server is running and registered.
function allRegistered(answer, count) {
  return !!(answer && answer.ok && Array.isArray(answer.servers) && answer.servers.length === count &&
            answer.servers.every((s) => s.pid > 0 && s.registered === true && s.state === 'running'));
}

// Waits until one of `masters` answers `list` ok with every server registered; {master, answer, ms}.
async function waitActive(masters, count, ms) {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    for (const m of masters) {
      const a = await list(m.port);
      if (allRegistered(a, count)) return { master: m, answer: a, ms: Date.now() - t0 };
    }
    await sleep(50);
  }
  return null;
}

function pidsOf(answer) {
  const out = {};
  for (const s of answer.servers) out[s.id] = s.pid;
  return out;
}

function alive(pid) {
  try { process.kill(pid, 0); } catch (e) { return false; }
  try { return !/\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch (e) { return false; }
}

// The log of process `id` of the app folder `dir` ('' while there is none), and every log there at once.
function serverLog(dir, id) {
  try { return fs.readFileSync(path.join(dir, 'logs', id + '.log'), 'utf8'); } catch (e) { return ''; }
}
function allServerLogs(dir) {
  return fs.readdirSync(path.join(dir, 'logs')).map((f) => fs.readFileSync(path.join(dir, 'logs', f), 'utf8')).join('\n');
}

function countServers(servers) {
  return Object.values(servers).reduce((n, l) => n + l.length, 0);
}

// Chatting users (chatofpomelo's client): each logs in through the gate; chat() starts every user
// sending a broadcast every `everyMs`; stats() counts sends, answers, errors and receptions.
async function chatUsers(gatePort, names, client) {
  const users = [];
  for (const username of names) {
    const gate = client.loadClient();
    await client.init(gate, { host: '127.0.0.1', port: gatePort, log: false });
    const entry = await client.request(gate, 'gate.gateHandler.queryEntry', { uid: username });
    gate.disconnect();
    const pomelo = client.loadClient();
    const u = { username, pomelo, entry, received: 0, sent: 0, answered: 0, errors: 0, closed: false };
    pomelo.on('onChat', () => { u.received++; });
    pomelo.on('close', () => { u.closed = true; });
    pomelo.on('disconnect', () => { u.closed = true; });
    await client.init(pomelo, { host: entry.host, port: entry.port, log: false });
    u.enter = await client.request(pomelo, 'connector.entryHandler.enter', { username, rid: 'ha-room' });
    users.push(u);
  }
  let timer = null;
  // Requests are also counted by the `tag` current when they were sent (a bench run's window).
  const byTag = {};
  const tagged = (tag) => byTag[tag] || (byTag[tag] = { sent: 0, answered: 0, errors: 0, slowestMs: 0 });
  return {
    users,
    tag: 'none',
    byTag,
    chat(everyMs) {
      timer = setInterval(() => {
        for (const u of users) {
          u.sent++;
          const t = Date.now();
          const w = tagged(this.tag);
          w.sent++;
          client.request(u.pomelo, 'chat.chatHandler.send', { content: 'tick ' + u.sent, target: '*' })
            .then((r) => {
              if (r && r.route === 'chat.chatHandler.send') {
                u.answered++;
                w.answered++;
                u.worst = Math.max(u.worst || 0, Date.now() - t);
                w.slowestMs = Math.max(w.slowestMs, Date.now() - t);
              } else { u.errors++; w.errors++; }
            })
            .catch(() => { u.errors++; w.errors++; });
        }
      }, everyMs);
    },
    async stop() {
      clearInterval(timer);
      await sleep(1500);  // the last answers and pushes
    },
    close() { for (const u of users) u.pomelo.disconnect(); },
  };
}

module.exports = { makeApp, startHost, masterhaCommand, standbyPids, list, allRegistered, waitActive, pidsOf, alive,
  countServers, chatUsers, serverLog, allServerLogs, ADMIN_PASSWORD };
