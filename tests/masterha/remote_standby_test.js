// A standby master on "another machine": it runs from its own copy of the app folder, so it shares
// nothing with the master that started the servers (no logs/<id>.cluster.json: no pids, no cluster
// secret). docs/scaling.md, "Master HA (ZooKeeper)".
//  1. kill -9 of the active master while users chat: the standby takes over, waits for the servers to
//     register instead of starting duplicates, adopts each over its link (same pids, as the servers
//     report them), and takes the cluster secret over from them; the users keep chatting.
//  2. `shaddock restart` of the chat servers through the new master: the new processes get the same
//     secret, so the connectors' RPC links to them work (every chat request is answered).
//  3. `shaddock stop` through the new master stops every server, the adopted ones included (over their
//     links: it has no process of theirs to signal).
// Run by CTest (masterha_remote_standby): SHADDOCK_HOST, SHADDOCK_CLI.
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const engines = require('../../tools/node/engines.js');
const { sleep, tempDir, requiredEnv, Checks } = require('../../tools/node/util.js');
const ha = require('./ha_cluster.js');

const HOST = requiredEnv('SHADDOCK_HOST');
const CLI = requiredEnv('SHADDOCK_CLI');
const t = new Checks();

function cli(dir, args) {
  const r = spawnSync(CLI, [...args, '-d', dir], { encoding: 'utf8', timeout: 60000,
    env: { ...process.env, SHADDOCK_ADMIN_PASSWORD: ha.ADMIN_PASSWORD } });
  return { code: r.status, out: (r.stdout || '') + (r.stderr || '') };
}

async function main() {
  const client = require('../connector/lib/pomelo_js_client');  // exits 77 without the npm packages
  const zk = await engines.start('zookeeper');
  const app = await ha.makeApp({ zk: zk.url, timeout: 2000, standbys: 1 });
  // The other machine's copy: the same configuration, its own logs/.
  const other = tempDir('shd-ha-other-');
  fs.cpSync(path.join(app.dir, 'config'), path.join(other, 'config'), { recursive: true });
  const count = ha.countServers(app.servers);
  const [m1, m2] = app.masters;
  const primary = ha.startHost(HOST, app.dir);
  const log = ha.serverLog;
  let chat = null, standbyPid = 0, servers = {}, lastKnown = {};
  try {
    const up = await ha.waitActive([m1], count, 60000);
    t.check('the cluster starts', !!up, primary.output.slice(-3000));
    if (!up) return;
    servers = ha.pidsOf(up.answer);
    lastKnown = { ...servers };
    const started = ha.masterhaCommand(CLI, other);
    standbyPid = ha.standbyPids(started.out)[m2.id] || 0;
    t.check('the standby starts from its own copy of the app folder', started.code === 0 && standbyPid > 0, started.out);
    const t0 = Date.now();
    while (!/standby: waiting for/.test(log(other, m2.id)) && Date.now() - t0 < 15000) await sleep(50);

    // 1. kill -9 under chat traffic.
    chat = await ha.chatUsers(app.gatePort, ['ann', 'bob', 'cyd'], client);
    chat.chat(200);
    await sleep(1000);
    const killed = Date.now();
    process.kill(primary.pid, 'SIGKILL');
    const after = await ha.waitActive([m2], count, 30000);
    t.check(`the standby takes over (complete list after ${Date.now() - killed} ms)`, !!after, log(other, m2.id).slice(-3000));
    if (!after) return;
    const standbyLog = log(other, m2.id);
    t.check('it waited for the servers it has no record of instead of starting any',
            /waiting up to \d+ ms for 7 server\(s\) this machine has no record of to register before starting any/.test(standbyLog) &&
            !/\bstarted \S+ \(pid/.test(standbyLog), standbyLog.slice(-3000));
    t.check('it adopted every server over its link, with the pids the servers report (no duplicate)',
            JSON.stringify(ha.pidsOf(after.answer)) === JSON.stringify(servers) &&
            Object.keys(servers).every((id) => standbyLog.includes(`adopted ${id} (pid ${servers[id]} on `)),
            { before: servers, after: ha.pidsOf(after.answer) });
    t.check('it took the cluster secret over from the first server', /took the cluster secret over from \S+/.test(standbyLog),
            standbyLog.slice(-2000));
    await sleep(1500);
    await chat.stop();
    const sent = chat.users.reduce((n, u) => n + u.sent, 0), answered = chat.users.reduce((n, u) => n + u.answered, 0);
    t.check(`the users kept chatting across the takeover (${answered}/${sent} answered)`,
            sent > 10 && answered === sent && chat.users.every((u) => u.errors === 0 && !u.closed),
            chat.users.map((u) => ({ n: u.username, sent: u.sent, answered: u.answered, errors: u.errors })));

    // 2. New chat server processes from the new master: same secret, so the connectors reach them.
    const restart = cli(other, ['restart', '-t', 'chat', '-P', String(m2.port)]);
    const now = await ha.list(m2.port);
    t.check('`shaddock restart -t chat` through the new master starts new chat servers', restart.code === 0 && ha.allRegistered(now, count) &&
            ['chat-server-1', 'chat-server-2', 'chat-server-3'].every((id) => ha.pidsOf(now)[id] !== servers[id]), restart.out);
    if (now && now.servers) lastKnown = { ...lastKnown, ...ha.pidsOf(now) };
    let ok = 0;
    const answers = [];
    for (const u of chat.users) {
      const r = await Promise.race([client.request(u.pomelo, 'chat.chatHandler.send', { content: 'after', target: '*' }), sleep(5000).then(() => null)]);
      answers.push(r);
      if (r && r.route === 'chat.chatHandler.send') ok++;
    }
    t.check('the connectors\' RPC links to the new chat servers work (the cluster secret is the one they hold)', ok === chat.users.length, answers);

    // 3. Stop through the new master.
    const stop = cli(other, ['stop', '-P', String(m2.port)]);
    const stopped = Date.now();
    const pids = Object.values(lastKnown);
    while (pids.some(ha.alive) && Date.now() - stopped < 20000) await sleep(100);
    t.check('`shaddock stop` through the new master stops every server, the adopted ones over their links',
            stop.code === 0 && !pids.some(ha.alive), { stop, alive: pids.filter(ha.alive) });
  } catch (e) {
    t.check('no exception', false, e.stack);
  } finally {
    if (chat) chat.close();
    for (const pid of [primary.pid, standbyPid, ...Object.values(servers), ...Object.values(lastKnown)]) {
      try { if (pid) process.kill(pid, 'SIGKILL'); } catch (e) { /* gone */ }
    }
    await engines.closeAll();
  }
}

main().then(() => t.finish());
