// Master HA over a ZooKeeper ensemble of three nodes (tools/node/engines.js startZooKeeperEnsemble), the
// way production runs it: the chat demo with the masterha plugin on every server given all three nodes
// in `server`, the master of master.json and one standby, users chatting throughout.
//  1. kill -9 of the ZooKeeper leader: the other two elect a new one, every session moves to a live node
//     and survives (no process logs an expiry), the cluster keeps its master (the standby stays a
//     standby), every chat request is answered.
//  2. With that node still down (two of three: a quorum), kill -9 of the active master: the standby
//     takes over with the same servers (adopted, none started again).
//  3. The quorum lost (a second node killed) and restored: the cluster keeps serving chat meanwhile (the
//     data path does not go through ZooKeeper), and afterwards one master answers with every server.
// Run by CTest (masterha_ensemble): SHADDOCK_HOST, SHADDOCK_CLI.
'use strict';
const engines = require('../../tools/node/engines.js');
const { sleep, requiredEnv } = require('../../tools/node/util.js');
const ha = require('./ha_cluster.js');

const HOST = requiredEnv('SHADDOCK_HOST');
const CLI = requiredEnv('SHADDOCK_CLI');
let passed = 0, failed = 0;
function check(name, ok, detail) {
  if (ok) { passed++; console.log('ok   ' + name); }
  else { failed++; console.log('FAIL ' + name + (detail !== undefined ? ': ' + (typeof detail === 'string' ? detail : JSON.stringify(detail)) : '')); }
}

async function main() {
  const client = require('../connector/lib/pomelo_js_client');  // exits 77 without the npm packages
  const zk = await engines.startZooKeeperEnsemble(3);
  const modes = () => Promise.all(zk.nodes.map((n, i) => zk.mode(i)));
  // Waits until one live node leads with `min` nodes serving; the modes, or null.
  const waitQuorum = async (min, ms) => {
    const t0 = Date.now();
    while (Date.now() - t0 < ms) {
      const m = await modes();
      if (m.includes('leader') && m.filter(Boolean).length >= min) return m;
      await sleep(50);
    }
    return null;
  };
  console.log(`# ensemble ${zk.url}: ${JSON.stringify(await modes())}`);
  const app = await ha.makeApp({ zk: zk.url, timeout: 4000, standbys: 1 });
  const count = ha.countServers(app.servers);
  const [m1, m2] = app.masters;
  const primary = ha.startHost(HOST, app.dir);
  const pids = [];
  let serverPids = {};
  let chat = null;
  const log = (id) => ha.serverLog(app.dir, id);
  const allLogs = () => ha.allServerLogs(app.dir) + primary.output;
  try {
    const up = await ha.waitActive([m1], count, 60000);
    check('the master of master.json is elected over the ensemble and starts the cluster', !!up, primary.output.slice(-3000));
    if (!up) return;
    const servers = ha.pidsOf(up.answer);
    serverPids = servers;
    const started = ha.masterhaCommand(CLI, app.dir);
    const standby = ha.standbyPids(started.out);
    pids.push(...Object.values(standby));
    const t0 = Date.now();
    while (!/standby: waiting for/.test(log(m2.id)) && Date.now() - t0 < 15000) await sleep(50);
    check('the standby waits for the lock node below its own', /standby: waiting for/.test(log(m2.id)), started.out + log(m2.id).slice(-1500));

    chat = await ha.chatUsers(app.gatePort, ['ann', 'bob', 'cyd'], client);
    chat.tag = 'steady';
    chat.chat(200);
    await sleep(1500);

    // 1. kill -9 of the ZooKeeper leader.
    const leader = (await modes()).indexOf('leader');
    // Its clients (the sessions of the cluster's processes on it, and the probe's own) must move.
    const onLeader = Math.max(0, (await zk.status(leader)).connections - 1);
    console.log(`# the ZooKeeper leader is node ${leader + 1} with ${onLeader} session(s) of the cluster on it`);
    chat.tag = 'zk leader killed';
    const t1 = Date.now();
    await zk.nodes[leader].kill();
    const after = await waitQuorum(2, 20000);
    check(`the two other nodes elect a new ZooKeeper leader (${after ? Date.now() - t1 + ' ms' : 'none'})`, !!after, await modes());
    await sleep(6000);  // past the session timeout (4 s): an expiry would have shown by now
    const still = await ha.list(m1.port);
    check('the master keeps the lead through the loss of the ZooKeeper leader, with every server',
          ha.allRegistered(still, count) && JSON.stringify(ha.pidsOf(still)) === JSON.stringify(servers), still);
    check('the standby stays a standby (it does not listen)', !((await ha.list(m2.port)) || {}).ok);
    check(`no session expired (the ${onLeader} on the killed node moved to a live one in time)`, !/session expired/i.test(allLogs()),
          (allLogs().match(/.*session expired.*/gi) || []).slice(0, 5));

    // 2. kill -9 of the active master, one ZooKeeper node still down.
    chat.tag = 'master killed';
    const t2 = Date.now();
    process.kill(primary.pid, 'SIGKILL');
    const took = await ha.waitActive([m2], count, 30000);
    const failoverMs = Date.now() - t2;
    check(`with two of three ZooKeeper nodes, the standby takes over after kill -9 of the master (${failoverMs} ms)`,
          !!took, log(m2.id).slice(-2000));
    if (!took) return;
    check('...and adopts every server: same pids, none started again',
          JSON.stringify(ha.pidsOf(took.answer)) === JSON.stringify(servers), { before: servers, after: ha.pidsOf(took.answer) });
    // The master of master.json back as a standby, so that a master is left whatever step 3 costs.
    const back = ha.startHost(HOST, app.dir);
    pids.push(back.pid);
    const t3 = Date.now();
    while (!/standby: waiting for/.test(back.output) && Date.now() - t3 < 15000) await sleep(50);
    check('the master of master.json started again joins as a standby', /standby: waiting for/.test(back.output), back.output.slice(-1500));

    // 3. The quorum lost, then restored.
    chat.tag = 'no quorum';
    const second = (await modes()).findIndex((m) => m);
    await zk.nodes[second].kill();
    await sleep(3000);
    check('with one of three ZooKeeper nodes, none serves (no quorum)', !(await modes()).some(Boolean), await modes());
    await Promise.all([zk.nodes[leader].start(), zk.nodes[second].start()]);
    const restored = await waitQuorum(3, 30000);
    check('the ensemble serves again with all three nodes', !!restored, await modes());
    chat.tag = 'quorum restored';
    const recovered = await ha.waitActive([m2, m1], count, 30000);
    check('after the quorum came back, one master answers with every server (same pids)', !!recovered &&
          JSON.stringify(ha.pidsOf(recovered.answer)) === JSON.stringify(servers), recovered || log(m2.id).slice(-2000));
    if (recovered) console.log(`# after the quorum came back the master is ${recovered.master.id}`);
    await sleep(1000);
    await chat.stop();

    const users = chat.users;
    const sent = users.reduce((n, u) => n + u.sent, 0);
    const answered = users.reduce((n, u) => n + u.answered, 0);
    for (const [tag, w] of Object.entries(chat.byTag)) console.log(`# ${tag}: ${w.answered}/${w.sent} answered, slowest ${w.slowestMs} ms`);
    check(`every chat request is answered through every step (${answered}/${sent})`,
          answered === sent && users.every((u) => u.errors === 0 && !u.closed), chat.byTag);
    check('every broadcast reached every user', users.every((u) => u.received === sent),
          users.map((u) => ({ n: u.username, received: u.received, sent })));
  } catch (e) {
    check('no exception', false, e.stack + '\n' + primary.output.slice(-3000));
  } finally {
    if (chat) chat.close();
    for (const pid of [primary.pid, ...pids]) { try { process.kill(pid, 'SIGKILL'); } catch (e) { /* gone */ } }
    for (const pid of Object.values(serverPids)) { try { process.kill(pid, 'SIGKILL'); } catch (e) { /* gone */ } }
    await engines.closeAll();
  }
}

main().then(() => {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
});
