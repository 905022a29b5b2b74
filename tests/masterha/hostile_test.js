// Master HA against mistakes and hostile input (docs/scaling.md, "Master HA (ZooKeeper)"):
//  - a standby with the wrong digest password: a clear error naming the options, the process stops, the
//    password is not logged, and the active master is untouched;
//  - garbage in the master info znode (not JSON, wrong types, a port out of range, a huge value): every
//    server logs it and ignores it, none crashes, the cluster keeps its master and answers;
//  - masterha.json with bad entries: the host and `shaddock masterha` name the file and the key;
//  - bad options (a relative path, a username without password): clear errors;
//  - production without ZooKeeper credentials: refused.
// Run by CTest (masterha_hostile): SHADDOCK_HOST, SHADDOCK_CLI, SHADDOCK_ZK_WRITE.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const net = require('net');
const path = require('path');
const engines = require('../../tools/node/engines.js');
const { sleep, requiredEnv, tempDir, freePort } = require('../../tools/node/util.js');
const ha = require('./ha_cluster.js');

const HOST = requiredEnv('SHADDOCK_HOST');
const CLI = requiredEnv('SHADDOCK_CLI');
const ZK_WRITE = requiredEnv('SHADDOCK_ZK_WRITE');
const PASSWORD = 'zk-right-pass-1';
const WRONG = 'zk-wrong-pass-2';
let passed = 0, failed = 0;
function check(name, ok, detail) {
  if (ok) { passed++; console.log('ok   ' + name); }
  else { failed++; console.log('FAIL ' + name + (detail !== undefined ? ': ' + (typeof detail === 'string' ? detail : JSON.stringify(detail)) : '')); }
}

// Runs shaddock-host to its exit (at most ms): {code, out}.
function runHost(dir, args, ms = 20000) {
  const r = spawnSync(HOST, ['--app-dir', dir, ...args], { encoding: 'utf8', timeout: ms });
  return { code: r.status, signal: r.signal, out: (r.stdout || '') + (r.stderr || '') };
}

// A master-only app: master.json, masterha.json and plugins.json (masterha first, so that its checks
// run before the cluster's), for the configuration checks.
async function bareApp(masterha, haOptions, env = 'development') {
  const dir = tempDir('shd-ha-bare-');
  fs.mkdirSync(path.join(dir, 'config'));
  const port = await freePort();
  fs.writeFileSync(path.join(dir, 'config', 'master.json'), JSON.stringify({ id: 'master-server-1', host: '127.0.0.1', port }));
  if (masterha !== null) fs.writeFileSync(path.join(dir, 'config', 'masterha.json'), typeof masterha === 'string' ? masterha : JSON.stringify(masterha));
  fs.writeFileSync(path.join(dir, 'config', 'plugins.json'), JSON.stringify({ plugins: [
    { name: 'masterha', serverTypes: '*', options: haOptions },
    { name: 'cluster', serverTypes: '*', options: { adminHttp: false } }] }));
  return dir;
}

async function main() {
  const zk = await engines.start('zookeeper');
  const app = await ha.makeApp({ zk: zk.url, username: 'shaddock', password: PASSWORD, standbys: 2, path: '/hostile/master' });
  const count = ha.countServers(app.servers);
  const [m1] = app.masters;
  const primary = ha.startHost(HOST, app.dir);
  let serverPids = {};
  const standbyPids = {};
  try {
    const up = await ha.waitActive([m1], count, 60000);
    check('the cluster starts with the masterha plugin and digest credentials', !!up, primary.output.slice(-2000));
    if (!up) {
      // What the master has (for the failure and the clean-up).
      const last = await ha.list(m1.port);
      if (last && Array.isArray(last.servers)) for (const sv of last.servers) if (sv.pid > 0) serverPids[sv.id] = sv.pid;
      console.log('last list: ' + JSON.stringify(last));
      return;
    }
    serverPids = ha.pidsOf(up.answer);

    // Wrong credentials: the same base path, another password.
    const wrong = await ha.makeApp({ zk: zk.url, username: 'shaddock', password: WRONG, standbys: 1, path: '/hostile/master' });
    const w = runHost(wrong.dir, ['--server-id', 'master-server-2']);
    // (It stops through the host's request_stop, which exits 0 like every stop asked at run time.)
    check('a standby with the wrong digest password stops at once with a clear error naming the options',
          w.code !== null && /ZooKeeper refused .*check options username and password/.test(w.out), w);
    check('...and does not log the password', !w.out.includes(WRONG));
    check('the active master is untouched', ha.allRegistered(await ha.list(m1.port), count));

    // Garbage in the master info.
    const before = primary.output.length;
    const garbage = ['not json at all', '{"host":1,"port":"x"}', '{"id":"m","host":"127.0.0.1","port":70000}', '[1,2,3]',
      '{"id":"m","host":"' + 'h'.repeat(300) + '","port":3005}', '\u0001\u00ff'];
    for (const g of garbage) {
      const r = spawnSync(ZK_WRITE, [zk.url, '/hostile/master', g, 'shaddock:' + PASSWORD], { encoding: 'utf8' });
      check(`garbage written to the master info: ${JSON.stringify(g.slice(0, 24))}`, r.status === 0, r.stderr);
      await sleep(300);
    }
    // Well-formed, but naming no master of master.json or masterha.json: a writer of the znode cannot
    // send the servers to an address of its choosing.
    for (const g of ['{"id":"elsewhere","host":"127.0.0.1","port":1}', '{"id":"m","host":"rebind.example","port":3005}']) {
      const r = spawnSync(ZK_WRITE, [zk.url, '/hostile/master', g, 'shaddock:' + PASSWORD], { encoding: 'utf8' });
      check(`a master info naming another address written: ${g}`, r.status === 0, r.stderr);
      await sleep(300);
    }
    const noAuth = spawnSync(ZK_WRITE, [zk.url, '/hostile/master', 'x'], { encoding: 'utf8' });
    check('without the digest credentials the master info cannot be written (creator-only ACL)', noAuth.status !== 0 &&
          /not authenticated|NOAUTH|no auth/i.test(noAuth.stderr), noAuth.stderr);
    await sleep(500);
    const logged = primary.output.slice(before);
    check('servers log the garbage master info and ignore it',
          (logged.match(/is not \{"id","host","port"\}: ignored/g) || []).length >= 7, logged.slice(-2000));
    check('servers log a master info naming another address and ignore it',
          /names 127\.0\.0\.1:1, not a master of config\/master\.json or config\/masterha\.json: ignored/.test(logged) &&
          /names rebind\.example:3005, not a master/.test(logged) && !/registering with it/.test(logged), logged.slice(-2000));
    check('no server crashed or left', Object.values(serverPids).every(ha.alive) && !/left the cluster|killed by signal/.test(logged),
          logged.slice(-2000));
    const still = await ha.list(m1.port);
    check('the cluster keeps its master and answers with every server', ha.allRegistered(still, count) &&
          JSON.stringify(ha.pidsOf(still)) === JSON.stringify(serverPids), still);
    const restore = spawnSync(ZK_WRITE, [zk.url, '/hostile/master', JSON.stringify(m1), 'shaddock:' + PASSWORD], { encoding: 'utf8' });
    await sleep(500);
    check('the right master info written back changes nothing', restore.status === 0 &&
          ha.allRegistered(await ha.list(m1.port), count) && !/lost the master/.test(primary.output.slice(before)));

    // A standby elected while its port is taken cannot act: it stops, and the next one leads.
    const logOf = (id) => ha.serverLog(app.dir, id);
    const waitLog = async (id, re, ms) => { const t0 = Date.now(); while (Date.now() - t0 < ms) { if (re.test(logOf(id))) return true; await sleep(50); } return false; };
    const started = ha.masterhaCommand(CLI, app.dir);
    Object.assign(standbyPids, ha.standbyPids(started.out));
    check('two standbys wait behind the active master', started.code === 0 &&
          await waitLog(app.masters[1].id, /standby: waiting for/, 10000) && await waitLog(app.masters[2].id, /standby: waiting for/, 10000), started);
    // The next in line is the standby watching the master's own lock node.
    const primaryNode = (primary.output.match(/in the election as (\S+)/) || [])[1];
    const m2 = app.masters.slice(1).find((m) => logOf(m.id).includes(`waiting for ${primaryNode} to go`));
    const m3 = app.masters.slice(1).find((m) => m !== m2);
    check('the standbys queue behind the master, each watching the node below its own', !!primaryNode && !!m2, { primaryNode });
    if (!m2) return;
    const squatter = net.createServer().listen(m2.port, '127.0.0.1');
    await new Promise((r) => squatter.once('listening', r));
    process.kill(primary.pid, 'SIGKILL');
    const next = await ha.waitActive([m3], count, 30000);
    for (const t1 = Date.now(); ha.alive(standbyPids[m2.id]) && Date.now() - t1 < 15000;) await sleep(50);  // slow exits (sanitizers)
    check('kill -9 of the master with the next standby\'s port taken: that standby stops, the one after it leads',
          !!next && /cannot listen on/.test(logOf(m2.id)) && !ha.alive(standbyPids[m2.id]), logOf(m2.id).slice(-1500));
    check('...with the same servers', next && JSON.stringify(ha.pidsOf(next.answer)) === JSON.stringify(serverPids));
    await new Promise((r) => squatter.close(r));

    // A clean stop of the cluster (SIGTERM to the active master) is not undone by a standby.
    const again = ha.masterhaCommand(CLI, app.dir, ['-i', m2.id]);
    Object.assign(standbyPids, ha.standbyPids(again.out));
    check('`shaddock masterha -i` starts that standby again', again.code === 0 && await waitLog(m2.id, /standby: waiting for[^\n]*\n(?![\s\S]*cannot listen)/, 10000), again);
    process.kill(standbyPids[m3.id], 'SIGTERM');
    let t0 = Date.now();
    while (ha.alive(standbyPids[m3.id]) && Date.now() - t0 < 30000) await sleep(50);
    check('the active master stops the cluster on SIGTERM: it asks every server to stop, then exits',
          !ha.alive(standbyPids[m3.id]) && /stopping: SIGTERM/.test(logOf(m3.id)) &&
          Object.keys(serverPids).every((id) => /the master asked this server to stop/.test(logOf(id))), logOf(m3.id).slice(-1000));
    t0 = Date.now();
    while (ha.alive(standbyPids[m2.id]) && Date.now() - t0 < 15000) await sleep(50);
    check('the standby that gets the lock then does not start the cluster again: it stops, saying why',
          !ha.alive(standbyPids[m2.id]) && /the cluster was stopped .*this standby does not start it again/.test(logOf(m2.id)),
          logOf(m2.id).slice(-1500));
    check('no server runs any more, none was started again', Object.values(serverPids).every((p) => !ha.alive(p)) &&
          !/started \S+ \(pid/.test(logOf(m2.id)));
  } catch (e) {
    check('no exception', false, e.stack + '\n' + primary.output.slice(-3000));
  } finally {
    try { process.kill(primary.pid, 'SIGKILL'); } catch (e) { /* gone */ }
    for (const pid of Object.values(standbyPids)) { try { process.kill(pid, 'SIGKILL'); } catch (e) { /* gone */ } }
    for (const pid of Object.values(serverPids)) { try { process.kill(pid, 'SIGKILL'); } catch (e) { /* gone */ } }
  }

  // masterha.json with bad entries.
  const opts = { server: zk.url, path: '/hostile/bare', timeout: 2000 };
  const cases = [
    [{ development: [{ id: 'master-server-2', host: '127.0.0.1', port: 'x' }] }, /config\/masterha\.json \(development\): \[0\]\.port: expected a port number/, /masterha\.json: development\[0\]\.port: expected a port number/],
    [{ development: [{ id: 'master-server-2', host: '127.0.0.1', port: 4001 }, { host: '127.0.0.1', port: 4002 }] }, /config\/masterha\.json \(development\): \[1\]\.id: expected a non-empty string/, /masterha\.json: development\[1\]\.id: expected a non-empty string/],
    [{ development: { id: 'master-server-2' } }, /config\/masterha\.json \(development\): expected a list of standby masters/, /masterha\.json: development: expected a list/],
    ['{"development": [', /config\/masterha\.json/, /masterha\.json: not valid JSON/],
  ];
  for (const [content, hostError, cliError] of cases) {
    const dir = await bareApp(content, opts);
    const r = runHost(dir, ['--server-id', 'master-server-2']);
    check(`the host names the file and key of a bad masterha.json (${JSON.stringify(content).slice(0, 60)})`,
          r.code !== 0 && hostError.test(r.out), r.out.slice(-600));
    const c = ha.masterhaCommand(CLI, dir);
    check('...and so does `shaddock masterha`', c.code !== 0 && cliError.test(c.out), c);
  }
  {
    const dir = await bareApp({ development: [{ id: 'master-server-1', host: '127.0.0.1', port: 4001 }] }, opts);
    const r = runHost(dir, []);
    check("a standby with master.json's id is refused", r.code !== 0 && /\[0\]\.id: "master-server-1" is master\.json's master/.test(r.out), r.out.slice(-600));
  }
  {
    const dir = await bareApp({ development: [{ id: 'master-server-2', host: '127.0.0.1', port: 4001 }] }, opts);
    const c = ha.masterhaCommand(CLI, dir, ['-i', 'master-server-9']);
    check('`shaddock masterha -i` of an id not in masterha.json is refused', c.code === 2 && /master-server-9: not a standby master/.test(c.out), c);
    const none = await bareApp(null, opts);
    const n = ha.masterhaCommand(CLI, none);
    check('`shaddock masterha` without masterha.json says so', n.code === 2 && /masterha\.json is missing/.test(n.out), n);
  }

  // Bad options.
  const optionCases = [
    [{ server: zk.url, path: 'pomelo/master' }, /option path: expected a znode path/],
    [{ server: zk.url, lockPath: '/a//b' }, /option lockPath: expected a znode path/],
    [{ server: zk.url, username: 'u' }, /options username and password: give both/],
    [{ path: '/x' }, /server/],
    [{ server: zk.url, timeout: 10 }, /timeout/],
  ];
  for (const [o, re] of optionCases) {
    const dir = await bareApp(null, o);
    const r = runHost(dir, []);
    check(`bad options are refused with a clear error (${JSON.stringify(o).replace(zk.url, 'ZK')})`, r.code !== 0 && re.test(r.out), r.out.slice(-600));
  }

  // Production without credentials.
  {
    const dir = await bareApp(null, { server: zk.url }, 'production');
    const r = runHost(dir, ['--env', 'production']);
    check('production without ZooKeeper credentials is refused', r.code !== 0 &&
          /refuses to start in production without ZooKeeper digest credentials/.test(r.out), r.out.slice(-600));
  }
  await engines.closeAll();
}

main().then(() => {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}, (e) => { console.log('FAIL ' + e.stack); process.exit(1); });
