// The chat demo's `scaled` environment (docs/scaling.md, "The chat demo on engines"): the checked-in
// apps/chat/config run with --env scaled against real Redis, NATS and ZooKeeper with credentials, the
// engines' addresses handed over in the environment as `tools/dev.sh scaled` does (only the ports of
// the servers are moved to free ones). The npm Pomelo client plays chatofpomelo's users.
//  1. Every server loads its engine plugins: RPC over NATS (no TCP rpc plugin), status on the
//     frontends and the chat servers, rooms as global channels in Redis, masterha everywhere; the
//     standby of masterha.json waits.
//  2. Users on different connectors chat: the room and the online status are Pomelo's keys in Redis;
//     broadcasts reach every user, a private message only its target.
//  3. kill -9 of the active master while the users chat: the standby takes over within seconds with
//     the same server processes, and every chat request is answered, every broadcast received.
// Run by CTest (chat_scaled): SHADDOCK_HOST, SHADDOCK_CLI.
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const engines = require('../../tools/node/engines.js');
const { freePort, sleep, tempDir, requiredEnv, Checks } = require('../../tools/node/util.js');
const ha = require('../masterha/ha_cluster.js');

const HOST = requiredEnv('SHADDOCK_HOST');
const CLI = requiredEnv('SHADDOCK_CLI');
const APP = path.join(__dirname, '..', '..', 'apps', 'chat');
const ROOM = 'ha-room';  // the room of ha_cluster's chatUsers
const t = new Checks();

// A copy of apps/chat whose `scaled` servers, masters and web port are on free ports; everything
// else (plugins.json with its ${...} references) is the checked-in file.
async function appCopy() {
  const dir = tempDir('shd-scaled-');
  fs.mkdirSync(path.join(dir, 'config'));
  for (const f of fs.readdirSync(path.join(APP, 'config'))) fs.copyFileSync(path.join(APP, 'config', f), path.join(dir, 'config', f));
  fs.symlinkSync(path.join(APP, 'web-server'), path.join(dir, 'web-server'));
  const rewrite = async (file, fn) => {
    const p = path.join(dir, 'config', file);
    const json = JSON.parse(fs.readFileSync(p, 'utf8'));
    await fn(json);
    fs.writeFileSync(p, JSON.stringify(json, null, 2));
    return json;
  };
  const servers = (await rewrite('servers.json', async (j) => {
    for (const list of Object.values(j.scaled))
      for (const s of list) { if (s.port) s.port = await freePort(); if (s.clientPort) s.clientPort = await freePort(); }
  })).scaled;
  const master = (await rewrite('master.json', async (j) => { j.scaled.port = await freePort(); })).scaled;
  const standby = (await rewrite('masterha.json', async (j) => { j.scaled[0].port = await freePort(); })).scaled[0];
  const webPort = await freePort(), adminHttpPort = await freePort();
  await rewrite('plugins.json', async (j) => {
    for (const p of j.plugins) {
      if (p.name === 'static_web') p.options.port = webPort;
      if (p.name === 'cluster') p.options.adminHttpPort = adminHttpPort;
    }
  });
  return { dir, servers, master, standby, webPort };
}

function logOf(dir, id) {
  try { return fs.readFileSync(path.join(dir, 'logs', id + '.log'), 'utf8'); } catch (e) { return ''; }
}

async function main() {
  const client = require('../connector/lib/pomelo_js_client');  // exits 77 without the npm packages
  const redisPassword = 'scaled-redis-pw-' + process.pid, natsToken = 'scaled-nats-token-' + process.pid;
  const redis = await engines.start('redis', { password: redisPassword });
  const nats = await engines.start('nats', { token: natsToken });
  const zk = await engines.start('zookeeper');
  const env = { ...process.env, ...engines.environment({ redis, nats, zookeeper: zk }), SHADDOCK_ENV: 'scaled' };
  const redisCli = (...args) => execFileSync('redis-cli', ['-p', String(redis.port), '-a', redisPassword, '--no-auth-warning', ...args],
    { encoding: 'utf8' }).split('\n').filter((l) => l.length);

  const app = await appCopy();
  const count = ha.countServers(app.servers);
  const primary = require('child_process').spawn(HOST, ['--app-dir', app.dir, '--env', 'scaled'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  primary.output = '';
  primary.stdout.on('data', (d) => { primary.output += d; });
  primary.stderr.on('data', (d) => { primary.output += d; });
  let chat = null, standbyPid = 0, serverPids = {};
  try {
    const up = await ha.waitActive([app.master], count, 60000);
    t.check('the scaled cluster starts: every server registered with the master of master.json', !!up, primary.output.slice(-3000));
    if (!up) return;
    serverPids = ha.pidsOf(up.answer);

    // 1. The plugins of each server.
    const started = require('child_process').spawnSync(CLI, ['masterha', '-d', app.dir, '-e', 'scaled'], { env, encoding: 'utf8', timeout: 30000 });
    standbyPid = ha.standbyPids(started.stdout + started.stderr)[app.standby.id] || 0;
    t.check('`shaddock masterha -e scaled` starts the standby of masterha.json', started.status === 0 && standbyPid > 0,
            started.stdout + started.stderr);
    for (const id of ['connector-server-1', 'chat-server-1']) {
      const log = logOf(app.dir, id);
      t.check(`${id} runs RPC over NATS, not over TCP`, /start plugin rpc_nats: ok/.test(log) && !/start plugin rpc: ok/.test(log),
              log.slice(-2000));
      t.check(`${id} publishes or reads the online status in Redis`, /start plugin status: ok/.test(log), log.slice(-2000));
    }
    t.check('the chat servers keep their rooms as global channels in Redis, private messages through the status service',
            /rooms are global channels in Redis; private messages go through the status service/.test(logOf(app.dir, 'chat-server-2')),
            logOf(app.dir, 'chat-server-2').slice(-2000));
    t.check('every server, the master too, takes part in master HA',
            ['master-server-1', 'gate-server-1', 'connector-server-3', 'chat-server-3'].every((id) => /start plugin masterha: ok/.test(logOf(app.dir, id))));
    const waited = Date.now();
    while (!/standby: waiting for/.test(logOf(app.dir, app.standby.id)) && Date.now() - waited < 15000) await sleep(50);
    t.check('the standby waits for the active master', /standby: waiting for/.test(logOf(app.dir, app.standby.id)),
            logOf(app.dir, app.standby.id).slice(-1500));

    // 2. Users on several connectors.
    const names = ['ann', 'bob', 'cyd', 'dan', 'eve'];
    chat = await ha.chatUsers(app.servers.gate[0].clientPort, names, client);
    const users = chat.users;
    for (const u of users) u.pomelo.on('onChat', (m) => { if (m.target !== '*') (u.privates = u.privates || []).push(m); });
    const connectors = new Set(users.map((u) => u.entry.port));
    t.check(`the users are spread over several connectors (${connectors.size})`, connectors.size >= 2, users.map((u) => u.entry));
    const last = users[users.length - 1];
    t.check('the last user to enter is told every member of the room (read from Redis)',
            Array.isArray(last.enter.users) && names.every((n) => last.enter.users.includes(n)), last.enter);
    const room = ROOM;
    const channelKeys = redisCli('--scan', '--pattern', `POMELO:CHANNEL:${room}:*`);
    const members = [].concat(...channelKeys.map((k) => redisCli('SMEMBERS', k)));
    t.check('the room is a global channel in Redis: one set per connector holding its users (Pomelo\'s keys)',
            channelKeys.length === connectors.size && names.every((n) => members.includes(`${n}*${room}`)), { channelKeys, members });
    const annStatus = redisCli('SMEMBERS', `POMELO:STATUS:ann*${room}`);
    t.check('the online status of a user is the set of its frontend ids in Redis (Pomelo\'s key)',
            annStatus.length === 1 && /^connector-server-\d$/.test(annStatus[0]), annStatus);

    // A private message to a user on another connector than the sender when there is one.
    const from = users[0];
    const to = users.find((u) => u.entry.port !== from.entry.port) || users[1];
    const answer = await client.request(from.pomelo, 'chat.chatHandler.send', { content: 'psst', target: to.username });
    await sleep(500);
    t.check('a private message reaches its target only (through the status service)',
            answer && answer.route === 'chat.chatHandler.send' && (to.privates || []).length === 1 && to.privates[0].msg === 'psst' &&
            users.every((u) => u === to || !(u.privates || []).length), users.map((u) => [u.username, u.privates]));

    // 3. kill -9 of the active master under traffic.
    const before = users.map((u) => u.received);
    chat.chat(250);
    await sleep(1500);
    const t0 = Date.now();
    process.kill(primary.pid, 'SIGKILL');
    const after = await ha.waitActive([app.standby], count, 30000);
    const failoverMs = Date.now() - t0;
    t.check(`the standby takes over after kill -9 of the active master (complete list after ${failoverMs} ms)`,
            !!after && failoverMs < 15000, after ? failoverMs : logOf(app.dir, app.standby.id).slice(-2000));
    if (after) {
      t.check('the new master adopted every server (same pids)', JSON.stringify(ha.pidsOf(after.answer)) === JSON.stringify(serverPids),
              { before: serverPids, after: ha.pidsOf(after.answer) });
    }
    await sleep(2000);
    await chat.stop();
    const sent = users.reduce((n, u) => n + u.sent, 0), answered = users.reduce((n, u) => n + u.answered, 0);
    t.check(`the users kept chatting across the failover (${answered}/${sent} answered, no error, no disconnection)`,
            sent > 20 && answered === sent && users.every((u) => u.errors === 0 && !u.closed),
            users.map((u) => ({ n: u.username, sent: u.sent, answered: u.answered, errors: u.errors, closed: u.closed })));
    t.check('every broadcast reached every user', users.every((u, i) => u.received - before[i] === sent),
            users.map((u, i) => ({ n: u.username, received: u.received - before[i], sent })));
    console.log(`# scaled failover: ${failoverMs} ms from kill -9 to a complete list`);

    const logs = fs.readdirSync(path.join(app.dir, 'logs')).map((f) => fs.readFileSync(path.join(app.dir, 'logs', f), 'utf8')).join('\n');
    t.check('neither the Redis password nor the NATS token is in any log',
            !logs.includes(redisPassword) && !logs.includes(natsToken) && !primary.output.includes(redisPassword));
  } catch (e) {
    t.check('no exception', false, e.stack + '\n' + primary.output.slice(-3000));
  } finally {
    if (chat) chat.close();
    for (const pid of [primary.pid, standbyPid, ...Object.values(serverPids)]) {
      try { if (pid) process.kill(pid, 'SIGKILL'); } catch (e) { /* gone */ }
    }
    await engines.closeAll();
  }
}

main().then(() => t.finish());
