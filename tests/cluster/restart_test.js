// Close-on-exec and a master restart (docs/cluster.md, "Master restart"): only the master holds its
// listening port (the servers it spawned inherit no descriptor of it); a master killed with SIGKILL
// while its servers run is started again, binds its port, re-adopts the servers that still run (no
// duplicates, same pids, same cluster secret), replaces one that does not register again in time,
// supervises the adopted ones (auto-restart), and stops them all on a clean stop.
// Run by CTest (cluster_master_restart): SHADDOCK_HOST.
'use strict';
const fs = require('fs');
const path = require('path');
const { freePort, sleep, requiredEnv, tempDir } = require('../../tools/node/util.js');
const { startHost, waitFor, alive } = require('./lib/host_process.js');
const { adminCommand } = require('./lib/master_link.js');

const HOST = requiredEnv('SHADDOCK_HOST');
const start = (dir, args) => startHost(HOST, dir, args);
let passed = 0, failed = 0;
function check(name, ok, detail) {
  if (ok) { passed++; console.log('ok   ' + name); }
  else { failed++; console.log('FAIL ' + name + (detail !== undefined ? ': ' + (typeof detail === 'string' ? detail : JSON.stringify(detail)) : '')); }
}
const PASSWORD = 'restart-pw';


// The socket inodes listening on `port` (from /proc/net/tcp and tcp6).
function listeningInodes(port) {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  const out = [];
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try { text = fs.readFileSync(f, 'utf8'); } catch (e) { continue; }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length > 9 && cols[1].endsWith(':' + hex) && cols[3] === '0A') out.push(cols[9]);
    }
  }
  return out;
}
function holds(pid, inodes) {
  let fds = [];
  try { fds = fs.readdirSync(`/proc/${pid}/fd`); } catch (e) { return false; }
  return fds.some((fd) => {
    try { const l = fs.readlinkSync(`/proc/${pid}/fd/${fd}`); return inodes.some((i) => l === `socket:[${i}]`); } catch (e) { return false; }
  });
}
async function list(port) {
  const r = await adminCommand(port, 'admin', PASSWORD, 'list');
  return r.ok ? r.servers : null;
}

(async () => {
  const port = await freePort();
  const dir = tempDir('shd-restart-');
  fs.mkdirSync(path.join(dir, 'config'));
  const write = (name, obj) => fs.writeFileSync(path.join(dir, 'config', name), JSON.stringify(obj));
  write('master.json', { development: { id: 'master-server-1', host: '127.0.0.1', port } });
  write('servers.json', { development: { hello: [
    { id: 'hello-server-1', host: '127.0.0.1', port: await freePort(), 'auto-restart': true },
    { id: 'hello-server-2', host: '127.0.0.1', port: await freePort() },
    { id: 'hello-server-3', host: '127.0.0.1', port: await freePort() }] } });
  write('adminServer.json', [{ type: 'hello', token: 'restart-token' }]);
  write('adminUser.json', [{ username: 'admin', password: PASSWORD, level: 1 }]);
  write('plugins.json', { plugins: [{ name: 'cluster', serverTypes: '*', options: { restartDelay: 200, adoptTimeout: 4000 } },
                                    { name: 'greeter', serverTypes: 'hello' }],
                          app: { name: 'hello', serverTypes: 'hello' } });
  const leftovers = new Set();
  try {
    const first = start(dir);
    check('the cluster starts', !!await waitFor(first, /all servers startup in/, 60000), first.output.slice(-1500));
    const before = await list(port);
    check('admin list answers', before && before.length === 3, before);
    const pids = Object.fromEntries((before || []).map((s) => [s.id, s.pid]));
    Object.values(pids).forEach((p) => leftovers.add(p));

    // Close-on-exec: the listening socket is the master's alone.
    const inodes = listeningInodes(port);
    check('the master port is listening', inodes.length > 0);
    check('the master holds its listening socket', holds(first.pid, inodes));
    const holders = Object.entries(pids).filter(([, pid]) => holds(pid, inodes)).map(([id]) => id);
    check('no spawned server holds the master\'s listening socket', holders.length === 0, holders);
    const childFds = Object.fromEntries(Object.entries(pids).map(([id, pid]) => {
      try { return [id, fs.readdirSync(`/proc/${pid}/fd`).map((fd) => { try { return fs.readlinkSync(`/proc/${pid}/fd/${fd}`); } catch (e) { return '?'; } })]; }
      catch (e) { return [id, []]; }
    }));

    const secret0 = JSON.parse(fs.readFileSync(path.join(dir, 'logs', 'master-server-1.cluster.json'), 'utf8')).secret;
    // hello-server-3 is frozen: it cannot register again and must be replaced after adoptTimeout.
    process.kill(pids['hello-server-3'], 'SIGSTOP');
    first.kill('SIGKILL');
    await first.exited;
    await sleep(300);
    check('the servers outlive the killed master', alive(pids['hello-server-1']) && alive(pids['hello-server-2']));
    check('nobody holds the master port once the master is dead', listeningInodes(port).length === 0,
          { inodes: listeningInodes(port), childFds });

    const second = start(dir);
    const bound = await waitFor(second, /master listening on 127\.0\.0\.1:\d+/, 20000);
    check('a new master binds the port again while the servers run', !!bound, second.output.slice(-1500));
    check('it finds the running servers', !!await waitFor(second, /3 server\(s\) of a previous master still run/, 5000), second.output.slice(-1500));
    const a1 = await waitFor(second, /re-adopted hello-server-1 \(pid (\d+)\)/, 20000);
    const a2 = await waitFor(second, /re-adopted hello-server-2 \(pid (\d+)\)/, 20000);
    check('the running servers register again and are re-adopted (same pids)',
          a1 && a2 && Number(a1[1]) === pids['hello-server-1'] && Number(a2[1]) === pids['hello-server-2'], second.output.slice(-2000));
    check('no duplicate is spawned for a live server', !/started hello-server-[12] /.test(second.output), second.output.slice(-1500));
    const replaced = await waitFor(second, /hello-server-3 \(pid \d+, started by a previous master\) did not register again in 4000 ms: replacing it/, 15000);
    const restarted3 = await waitFor(second, /started hello-server-3 \(pid (\d+)/, 10000);
    check('a server that does not register again in time is replaced', !!replaced && !!restarted3 && Number(restarted3[1]) !== pids['hello-server-3'],
          second.output.slice(-1500));
    if (restarted3) leftovers.add(Number(restarted3[1]));
    check('the cluster is up again', !!await waitFor(second, /all servers startup in/, 20000), second.output.slice(-1500));
    const after = await list(port);
    check('list: every server registered, adopted pids kept',
          after && after.every((s) => s.registered) && after.find((s) => s.id === 'hello-server-1').pid === pids['hello-server-1'], after);
    const secret1 = JSON.parse(fs.readFileSync(path.join(dir, 'logs', 'master-server-1.cluster.json'), 'utf8')).secret;
    check('the cluster secret is kept across the restart (RPC links stay valid)', secret0 === secret1);

    // An adopted server is still supervised: killed, it is restarted (auto-restart).
    process.kill(pids['hello-server-1'], 'SIGKILL');
    const re = await waitFor(second, /started hello-server-1 \(pid (\d+)/, 15000);
    check('an adopted server that dies is restarted', !!re, second.output.slice(-1500));
    if (re) leftovers.add(Number(re[1]));
    check('... and registers', !!await waitFor(second, /server hello-server-1 \(hello\) registered[\s\S]*server hello-server-1 \(hello\) registered/, 15000));

    second.kill('SIGTERM');
    const exit = await Promise.race([second.exited, sleep(30000).then(() => null)]);
    check('the new master stops cleanly (exit 0)', exit && exit.code === 0, exit || second.output.slice(-1500));
    await sleep(500);
    const still = [...leftovers].filter(alive);
    check('every server, adopted or not, stopped with it', still.length === 0, still);
    check('a clean stop leaves no state to adopt', !fs.existsSync(path.join(dir, 'logs', 'master-server-1.cluster.json')));
  } catch (e) {
    failed++;
    console.log('FAIL exception: ' + e.stack);
  } finally {
    for (const p of leftovers) try { process.kill(p, 'SIGKILL'); } catch (e) { /* gone */ }
    console.log(`${passed} passed, ${failed} failed`);
    process.exit(failed ? 1 : 0);
  }
})();
