// Master HA end to end (docs/scaling.md, "Master HA (ZooKeeper)"): the chat demo with the masterha plugin
// on every server against a real ZooKeeper with digest credentials; the master of master.json and two
// standbys started by `shaddock masterha`.
//  1. Election: only the master of master.json answers admin commands; the standbys wait.
//  2. A server's own ZooKeeper session expires (the gate paused past the session timeout): it opens a
//     new one and follows the master info again (checked in step 3: it registers with the new master).
//  3. kill -9 of the active master while users chat: a standby takes over within seconds, `list`
//     answers through it with every server registered and the same pids (adopted, no duplicates), and
//     every chat request of the users is answered, with every broadcast received.
//  4. SIGSTOP of the new master past the session timeout: the last standby takes over; SIGCONT of the
//     paused one: it refuses admin commands and exits, and no server registers with it.
//  5. ZooKeeper restarted: the cluster keeps its master (or elects one again) and the servers follow.
//  6. The digest password is in no log.
// Run by CTest (masterha_failover): SHADDOCK_HOST, SHADDOCK_CLI.
'use strict';
const engines = require('../../tools/node/engines.js');
const { sleep, requiredEnv } = require('../../tools/node/util.js');
const ha = require('./ha_cluster.js');

const HOST = requiredEnv('SHADDOCK_HOST');
const CLI = requiredEnv('SHADDOCK_CLI');
const PASSWORD = 'zk-digest-s3cret-ha';
let passed = 0, failed = 0;
function check(name, ok, detail) {
  if (ok) { passed++; console.log('ok   ' + name); }
  else { failed++; console.log('FAIL ' + name + (detail !== undefined ? ': ' + (typeof detail === 'string' ? detail : JSON.stringify(detail)) : '')); }
}

async function main() {
  const client = require('../connector/lib/pomelo_js_client');  // exits 77 without the npm packages
  const zk = await engines.start('zookeeper');
  const app = await ha.makeApp({ zk: zk.url, username: 'shaddock', password: PASSWORD, timeout: 2000 });
  const count = ha.countServers(app.servers);
  const [m1, m2, m3] = app.masters;
  const primary = ha.startHost(HOST, app.dir);
  let chat = null;
  const pids = [];
  let serverPids = {};
  try {
    const up = await ha.waitActive([m1], count, 60000);
    check('the master of master.json is elected and starts the cluster', !!up, primary.output.slice(-3000));
    if (!up) {
      // What the master has (for the failure and the clean-up).
      const last = await ha.list(m1.port);
      if (last && Array.isArray(last.servers)) for (const sv of last.servers) if (sv.pid > 0) serverPids[sv.id] = sv.pid;
      console.log('last list: ' + JSON.stringify(last));
      return;
    }
    const servers = ha.pidsOf(up.answer);
    serverPids = servers;
    check("the master's lock node has Pomelo's name, <path>/lock/<server id>-<sequence>",
          /in the election as \/shaddock\/test\/lock\/master-server-1-\d{10}\n/.test(primary.output), primary.output.slice(-1500));
    const started = ha.masterhaCommand(CLI, app.dir);
    const standby = ha.standbyPids(started.out);
    pids.push(...Object.values(standby));
    check('`shaddock masterha` starts both standbys of masterha.json', started.code === 0 && standby[m2.id] > 0 &&
          standby[m3.id] > 0, started);
    const log = (id) => ha.serverLog(app.dir, id);
    const waitLog = async (id, re, ms) => { const t0 = Date.now(); while (Date.now() - t0 < ms) { if (re.test(log(id))) return true; await sleep(50); } return false; };
    check('each standby waits for the lock node below its own',
          await waitLog(m2.id, /standby: waiting for/, 10000) && await waitLog(m3.id, /standby: waiting for/, 10000),
          log(m2.id).slice(-1500) + log(m3.id).slice(-1500));
    { const a = await ha.list(m2.port); check('a standby does not answer admin commands (it does not listen)', !(a && a.ok), a); }

    // 2. The gate's own session expires; it must follow the master info again afterwards.
    const gatePid = servers['gate-server-1'];
    process.kill(gatePid, 'SIGSTOP');
    await sleep(4500);
    process.kill(gatePid, 'SIGCONT');
    check("a server whose ZooKeeper session expired opens a new one",
          await waitLog('gate-server-1', /ZooKeeper: session expired; opening a new one/, 10000), log('gate-server-1').slice(-1500));
    await sleep(1000);

    // 3. kill -9 of the active master under chat traffic.
    chat = await ha.chatUsers(app.gatePort, ['ann', 'bob', 'cyd'], client);
    chat.chat(200);
    await sleep(1500);
    const t0 = Date.now();
    process.kill(primary.pid, 'SIGKILL');
    const after = await ha.waitActive([m2, m3], count, 30000);
    const failoverMs = Date.now() - t0;
    check(`a standby takes over after kill -9 of the active master (first complete list after ${failoverMs} ms)`,
          !!after && failoverMs < 10000, after ? failoverMs : log(m2.id).slice(-2000) + log(m3.id).slice(-2000));
    if (!after) return;
    check('the new master adopted every server: same pids, none started again',
          JSON.stringify(ha.pidsOf(after.answer)) === JSON.stringify(servers),
          { before: servers, after: ha.pidsOf(after.answer) });
    const cliList = require('child_process').spawnSync(CLI, ['list', '-d', app.dir], { encoding: 'utf8', timeout: 30000,
      env: { ...process.env, SHADDOCK_ADMIN_PASSWORD: ha.ADMIN_PASSWORD } });
    check('`shaddock list` without -P answers through the new master (master.json\'s is down: masterha.json\'s standbys are tried)',
          cliList.status === 0 && cliList.stderr.includes(`using the standby master ${after.master.id}`) &&
          Object.keys(servers).every((id) => cliList.stdout.includes(id)), cliList.stdout + cliList.stderr);
    check('the gate, whose session had expired, registered with the new master',
          after.answer.servers.some((s) => s.id === 'gate-server-1' && s.registered));
    await sleep(2000);
    await chat.stop();
    const users = chat.users;
    const sent = users.reduce((n, u) => n + u.sent, 0);
    const answered = users.reduce((n, u) => n + u.answered, 0);
    check(`clients keep chatting across the failover (${answered}/${sent} sends answered, none failed)`,
          sent > 20 && answered === sent && users.every((u) => u.errors === 0 && !u.closed),
          users.map((u) => ({ n: u.username, sent: u.sent, answered: u.answered, errors: u.errors, closed: u.closed })));
    check('every broadcast reached every user', users.every((u) => u.received === sent),
          users.map((u) => ({ n: u.username, received: u.received, sent })));
    console.log(`# failover: ${failoverMs} ms from kill -9 to a complete list; slowest chat answer ${Math.max(...users.map((u) => u.worst || 0))} ms`);

    // 4. SIGSTOP of the new master past the session timeout.
    const active = after.master, last = active === m2 ? m3 : m2;
    const activePid = standby[active.id];
    process.kill(activePid, 'SIGSTOP');
    const again = await ha.waitActive([last], count, 30000);
    check('with the active master paused past the session timeout, the last standby takes over', !!again,
          log(last.id).slice(-2000));
    check('...and adopts the same servers', again && JSON.stringify(ha.pidsOf(again.answer)) === JSON.stringify(servers));
    const registeredBefore = (log(active.id).match(/\) registered from |re-adopted /g) || []).length;
    process.kill(activePid, 'SIGCONT');
    const answer = await ha.list(active.port);
    check('the resumed old master answers no admin command', !(answer && answer.ok), answer);
    const t1 = Date.now();
    while (ha.alive(activePid) && Date.now() - t1 < 10000) await sleep(50);
    check('the resumed old master steps down and exits', !ha.alive(activePid), log(active.id).slice(-1500));
    check('it said why (session expired)', /ZooKeeper session expired/.test(log(active.id)), log(active.id).slice(-1500));
    check('no server registered with it after it resumed',
          (log(active.id).match(/\) registered from |re-adopted /g) || []).length === registeredBefore, log(active.id).slice(-1500));
    const still = await ha.list(last.port);
    check('the active master still has every server', ha.allRegistered(still, count) &&
          JSON.stringify(ha.pidsOf(still)) === JSON.stringify(servers), still);

    // 5. ZooKeeper restarted; the primary comes back as a standby first.
    const back = ha.startHost(HOST, app.dir);
    pids.push(back.pid);
    const t2 = Date.now();
    while (!/standby: waiting for/.test(back.output) && Date.now() - t2 < 15000) await sleep(50);
    check('the master of master.json started again joins as a standby', /standby: waiting for/.test(back.output), back.output.slice(-1500));
    await zk.stop();
    await sleep(500);
    await zk.start();
    const recovered = await ha.waitActive([last, m1], count, 30000);
    check('after a ZooKeeper restart a master answers with every server registered', !!recovered &&
          JSON.stringify(ha.pidsOf(recovered.answer)) === JSON.stringify(servers), recovered);
    // The servers still follow the master info after ZooKeeper came back: kill -9 the active one.
    if (recovered) {
      const other = recovered.master === last ? m1 : last;
      const victim = recovered.master === last ? standby[last.id] : back.pid;
      if (ha.alive(other === m1 ? back.pid : standby[last.id])) {
        process.kill(victim, 'SIGKILL');
        const final = await ha.waitActive([other], count, 30000);
        check('after the ZooKeeper restart, kill -9 of the active master: the other takes over with the same servers',
              !!final && JSON.stringify(ha.pidsOf(final.answer)) === JSON.stringify(servers), other.id);
      } else {
        check('after the ZooKeeper restart both masters still run', false, log(last.id).slice(-1500) + back.output.slice(-1500));
      }
    }

    // 6. The credential is never logged.
    const logs = ha.allServerLogs(app.dir);
    check('the ZooKeeper password is in no log', !logs.includes(PASSWORD) && !primary.output.includes(PASSWORD) &&
          !back.output.includes(PASSWORD));
  } catch (e) {
    check('no exception', false, e.stack + '\n' + primary.output.slice(-3000));
  } finally {
    if (chat) chat.close();
    // Every master process, then every server of the cluster.
    for (const pid of [primary.pid, ...pids]) { try { process.kill(pid, 'SIGCONT'); process.kill(pid, 'SIGKILL'); } catch (e) { /* gone */ } }
    for (const pid of Object.values(serverPids)) { try { process.kill(pid, 'SIGKILL'); } catch (e) { /* gone */ } }
    await engines.closeAll();
  }
}

main().then(() => {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
});
