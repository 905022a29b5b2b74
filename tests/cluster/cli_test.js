// The `shaddock` command line against live clusters (docs/operations.md): `start -D`, `list` (every
// column), `add` (a connector that then accepts a Pomelo handshake; clusterCount; refusals), `restart -i`
// and `restart -t` (new pids), `stop ID` and `start -i ID`, `kill -f` (every process of the cluster gone,
// another cluster untouched) and `kill`, `kill -f` with the master gone (its servers killed from its state
// file), `--help` and `help CMD` of every command, and the exit codes of
// bad usage (2), a master that is down (3) and a wrong password (4), each failure on one line.
// Run by CTest (cluster_cli): SHADDOCK_CLI (which finds shaddock-host beside it), SHADDOCK_PLUGINS_DIR,
// SHADDOCK_APPS_DIR.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');
const { freePort, sleep, waitFor, requiredEnv, tempDir } = require('../../tools/node/util.js');
const { alive } = require('./lib/host_process.js');

const CLI = requiredEnv('SHADDOCK_CLI');
const REPO = path.resolve(__dirname, '..', '..');
let passed = 0, failed = 0;
function check(name, ok, detail) {
  if (ok) { passed++; console.log('ok   ' + name); }
  else { failed++; console.log('FAIL ' + name + (detail !== undefined ? ': ' + (typeof detail === 'string' ? detail : JSON.stringify(detail)) : '')); }
}

// Runs the CLI; the password comes from the environment (never argv).
function cli(args, { password = 'admin', cwd } = {}) {
  const env = { ...process.env, SHADDOCK_ADMIN_PASSWORD: password };
  const r = spawnSync(CLI, args, { encoding: 'utf8', env, cwd, timeout: 200000, stdio: ['ignore', 'pipe', 'pipe'] });
  return { code: r.status, out: r.stdout || '', err: r.stderr || '', all: (r.stdout || '') + (r.stderr || '') };
}
const oneLine = (text) => text.trim().length > 0 && text.trim().split('\n').length === 1;

function listJson(dir) {
  const r = cli(['list', '-d', dir, '--json']);
  if (r.code !== 0) return null;
  try { return JSON.parse(r.out); } catch (e) { return null; }
}
const server = (l, id) => l && l.servers.find((s) => s.id === id);

// Every pid this test saw, and its app directories, to clean up after a failure (only processes whose
// command line names one of our directories).
const seen = new Set();
const ourDirs = [];
function remember(l) { if (l) [l.master, ...l.servers].forEach((s) => { if (s && s.pid > 0) seen.add(s.pid); }); }

// A Pomelo handshake over raw TCP (package type 1, 3-byte length, JSON body); the reply, or null.
function handshake(port) {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host: '127.0.0.1' });
    let buf = Buffer.alloc(0);
    let t = null;
    const done = (v) => { clearTimeout(t); sock.destroy(); resolve(v); };
    t = setTimeout(() => done(null), 5000);
    sock.on('error', () => done(null));
    sock.on('connect', () => {
      const body = Buffer.from(JSON.stringify({ sys: { type: 'cli-test', version: '0.0.1' }, user: {} }));
      sock.write(Buffer.concat([Buffer.from([1, (body.length >> 16) & 255, (body.length >> 8) & 255, body.length & 255]), body]));
    });
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length < 4) return;
      const n = (buf[1] << 16) | (buf[2] << 8) | buf[3];
      if (buf.length < 4 + n) return;
      try { done({ type: buf[0], body: JSON.parse(buf.subarray(4, 4 + n).toString()) }); } catch (e) { done(null); }
    });
  });
}

function portFree(port) {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '0.0.0.0', () => s.close(() => resolve(true)));
  });
}
// n consecutive free ports.
async function freeRange(n) {
  for (;;) {
    const base = 30000 + Math.floor(Math.random() * 25000);
    let ok = true;
    for (let i = 0; i < n && ok; i++) ok = await portFree(base + i);
    if (ok) return base;
  }
}

function writeConfig(dir, files) {
  fs.mkdirSync(path.join(dir, 'config'), { recursive: true });
  for (const [name, content] of Object.entries(files))
    fs.writeFileSync(path.join(dir, 'config', name), typeof content === 'string' ? content : JSON.stringify(content, null, 1));
}

// The chat demo's configuration with one connector, one chat server and free ports (no web server).
async function chatApp() {
  const dir = tempDir('shd-cli-a-');
  ourDirs.push(dir);
  const src = path.join(REPO, 'apps', 'chat', 'config');
  const files = {};
  for (const f of ['adminServer.json', 'adminUser.json', 'clientProtos.json', 'dictionary.json', 'serverProtos.json'])
    files[f] = fs.readFileSync(path.join(src, f), 'utf8');
  const plugins = JSON.parse(fs.readFileSync(path.join(src, 'plugins.json'), 'utf8'));
  plugins.plugins = plugins.plugins.filter((p) => p.name !== 'static_web');
  const port = await freePort();
  const connector = { id: 'connector-server-1', host: '127.0.0.1', port: await freePort(), clientHost: '127.0.0.1',
                      clientPort: await freePort(), frontend: true };
  const chat = { id: 'chat-server-1', host: '127.0.0.1', port: await freePort() };
  writeConfig(dir, { ...files, 'plugins.json': plugins,
                     'master.json': { development: { id: 'master-server-1', host: '127.0.0.1', port } },
                     'servers.json': { development: { connector: [connector], chat: [chat] } } });
  return { dir, port, connector, chat };
}

async function helloApp() {
  const dir = tempDir('shd-cli-b-');
  ourDirs.push(dir);
  const port = await freePort();
  writeConfig(dir, {
    'master.json': { id: 'master-server-1', host: '127.0.0.1', port },
    'servers.json': { hello: [{ id: 'hello-server-1', host: '127.0.0.1', port: await freePort() },
                              { id: 'hello-server-2', host: '127.0.0.1', port: await freePort() }] },
    'adminUser.json': [{ id: 'user-1', username: 'admin', password: 'admin', level: 1 }],
    'plugins.json': { plugins: [{ name: 'cluster', serverTypes: '*' }, { name: 'greeter', serverTypes: 'hello' }],
                      app: { name: 'hello', serverTypes: 'hello' } },
  });
  return { dir, port };
}

async function allRunning(dir, ids, ms = 60000) {
  try {
    await waitFor(() => {
      const l = listJson(dir);
      remember(l);
      return l && ids.every((id) => server(l, id) && server(l, id).state === 'running');
    }, ms, `${ids.join(', ')} running`, 200);
    return true;
  } catch (e) {
    return false;
  }
}

const masterLog = (dir) => { try { return fs.readFileSync(path.join(dir, 'logs', 'master-server-1.log'), 'utf8'); } catch (e) { return ''; } };

function helpAndUsage() {
  const commands = ['start', 'list', 'stop', 'kill', 'add', 'restart', 'hash-password', 'masterha'];
  const top = cli(['--help']);
  check('shaddock --help: exit 0, every command and the exit codes', top.code === 0 &&
        commands.every((c) => top.out.includes('  ' + c + ' ') || top.out.includes('  ' + c + '\n')) &&
        /Exit status:[\s\S]*3  the master is not reachable[\s\S]*4  the master refused the login/.test(top.out), top.all);
  for (const c of commands) {
    const a = cli([c, '--help']);
    const b = cli(['help', c]);
    check(`shaddock ${c} --help and shaddock help ${c}: the same usage, exit 0`,
          a.code === 0 && b.code === 0 && a.out.startsWith(`usage: shaddock ${c}`) && a.out === b.out &&
          /Exit status:/.test(a.out), a.all + b.all);
  }
  const add = cli(['add', '--help']);
  check('add --help names every key it takes', ['serverType', 'id', 'host', 'port', 'clientPort', 'frontend', 'clusterCount']
    .every((k) => add.out.includes(k)), add.out);
  const none = cli([]);
  check('no command: usage on stderr, exit 2', none.code === 2 && /usage: shaddock/.test(none.err), none.all);
  const bogus = cli(['frobnicate']);
  check('an unknown command: one line, exit 2', bogus.code === 2 && oneLine(bogus.err), bogus.all);
  const badOpt = cli(['list', '--frobnicate']);
  check('an unknown option: one line, exit 2', badOpt.code === 2 && oneLine(badOpt.err) && /frobnicate/.test(badOpt.err), badOpt.all);
  const noValue = cli(['list', '-P']);
  check('an option without its value: exit 2', noValue.code === 2, noValue.all);
  const pw = cli(['list', '-p', 'admin']);
  check('-p PASSWORD is refused (exit 2) with the ways to give it', pw.code === 2 && /SHADDOCK_ADMIN_PASSWORD/.test(pw.err), pw.all);
  const restartNothing = cli(['restart']);
  check('restart without -i or -t: exit 2', restartNothing.code === 2 && /-i ID or -t TYPE/.test(restartNothing.err), restartNothing.all);
  const addWord = cli(['add', 'serverType']);
  check('add with a word that is not key=value: exit 2', addWord.code === 2 && /key=value/.test(addWord.err), addWord.all);
}

(async () => {
  helpAndUsage();
  const A = await chatApp();
  const B = await helloApp();

  // ---- the master is down ----
  const down = cli(['list', '-d', A.dir]);
  check('list with the master down: exit 3, one line naming the address', down.code === 3 && oneLine(down.err) &&
        down.err.includes(`cannot reach the master at 127.0.0.1:${A.port}`) && down.out === '', down);
  const downHP = cli(['stop', '-h', '127.0.0.1', '-P', String(A.port)]);
  check('-h/-P without an app directory: the same (exit 3)', downHP.code === 3 && oneLine(downHP.err), downHP);
  const empty = tempDir('shd-cli-empty-');
  const dflt = cli(['list'], { cwd: empty });
  check("without config/master.json the master is Pomelo's 127.0.0.1:3005", dflt.code === 0 || dflt.err.includes('127.0.0.1:3005'), dflt);

  // ---- start -D, list ----
  const started = cli(['start', '-D', '-d', A.dir]);
  check('start -D: exit 0 once the master listens', started.code === 0 &&
        new RegExp(`running in the background now \\(master pid \\d+, listening on 127\\.0\\.0\\.1:${A.port}`).test(started.out), started);
  check('start -D: every server comes up', await allRunning(A.dir, ['connector-server-1', 'chat-server-1']), masterLog(A.dir).slice(-2000));
  const table = cli(['list', '-d', A.dir]);
  const lines = table.out.trim().split('\n').map((l) => l.trim().split(/\s+/));
  check('list: the columns', table.code === 0 && JSON.stringify(lines[0]) ===
        JSON.stringify(['serverId', 'serverType', 'pid', 'rss(M)', 'cpu(%)', 'uptime(m)', 'connections', 'state']), table.all);
  const l0 = listJson(A.dir);
  remember(l0);
  for (const [id, type] of [['master-server-1', 'master'], ['connector-server-1', 'connector'], ['chat-server-1', 'chat']]) {
    const cols = lines.find((c) => c[0] === id);
    const entry = id.startsWith('master') ? l0.master : server(l0, id);
    let vmRss = 0;
    try { vmRss = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${cols[2]}/status`, 'utf8'))[1]); } catch (e) { /* checked below */ }
    const rssKb = cols ? Number(cols[3]) * 1024 : 0;
    check(`list: ${id} with its type, pid, rss, cpu, uptime, connections and state`, !!cols && cols[1] === type &&
          Number(cols[2]) === entry.pid && alive(entry.pid) && vmRss > 0 && Math.abs(rssKb - vmRss) < vmRss * 0.5 &&
          /^\d+\.\d$/.test(cols[4]) && /^\d+\.\d\d$/.test(cols[5]) && /^(-|\d+)$/.test(cols[6]) && cols[7] === 'running',
          { cols, vmRss });
  }

  // ---- login failures, levels ----
  const wrong = cli(['list', '-d', A.dir], { password: 'not-the-password' });
  check('a wrong password: exit 4, one line', wrong.code === 4 && oneLine(wrong.err) && wrong.out === '' &&
        /login refused by the master at 127\.0\.0\.1:\d+ for user "admin": .*username or password/.test(wrong.err), wrong);
  const monitor = cli(['stop', '-d', A.dir, '-u', 'monitor', 'chat-server-1'], { password: 'monitor' });
  check('a level-2 user may not stop (exit 1)', monitor.code === 1 && /level/.test(monitor.err), monitor);
  const monitorList = cli(['list', '-d', A.dir, '-u', 'monitor'], { password: 'monitor' });
  check('a level-2 user may list', monitorList.code === 0 && /chat-server-1/.test(monitorList.out), monitorList);
  const byHP = cli(['list', '-h', '127.0.0.1', '-P', String(A.port)], { cwd: empty });
  check('list -h HOST -P PORT from anywhere', byHP.code === 0 && /connector-server-1/.test(byHP.out), byHP);

  // ---- add ----
  const addPort = await freePort(), addClient = await freePort();
  const added = cli(['add', '-d', A.dir, 'serverType=connector', 'id=connector-server-9', 'host=127.0.0.1',
                     `port=${addPort}`, `clientPort=${addClient}`, 'frontend=true', 'clientHost=127.0.0.1']);
  check('add: exit 0 once the server has joined', added.code === 0 && /connector-server-9: added \(pid \d+\), joined the cluster/.test(added.out),
        { added, log: masterLog(A.dir).slice(-2000) });
  const l1 = listJson(A.dir);
  remember(l1);
  const c9 = server(l1, 'connector-server-9');
  check('add: the server is in the list, running, with its ports', c9 && c9.state === 'running' && c9.port === addPort &&
        c9.clientPort === addClient && c9.added === true && alive(c9.pid), l1);
  const hs = await handshake(addClient);
  check('add: the new connector accepts a Pomelo handshake', hs && hs.type === 1 && hs.body.code === 200, hs);
  check('add is audited', /admin audit: user="admin" address=127\.0\.0\.1 command="add serverType=connector id=connector-server-9 [^"]*" result=ok/
    .test(masterLog(A.dir)), masterLog(A.dir).slice(-1500));
  const dup = cli(['add', '-d', A.dir, 'serverType=chat', 'id=chat-server-1', 'host=127.0.0.1', `port=${await freePort()}`]);
  check('add: a duplicate id is refused (exit 1)', dup.code === 1 && oneLine(dup.err) && /chat-server-1: a server with this id already exists/.test(dup.err), dup);
  const taken = cli(['add', '-d', A.dir, 'serverType=chat', 'id=chat-server-8', 'host=127.0.0.1', `port=${A.chat.port}`]);
  check('add: a port of the cluster is refused', taken.code === 1 && /taken by server chat-server-1/.test(taken.err), taken);
  const squatter = net.createServer();
  const squatPort = await freePort();
  await new Promise((r) => squatter.listen(squatPort, '127.0.0.1', r));
  const inUse = cli(['add', '-d', A.dir, 'serverType=chat', 'id=chat-server-8', 'host=127.0.0.1', `port=${squatPort}`]);
  squatter.close();
  check('add: a port another program listens on is refused', inUse.code === 1 && /in use by another program/.test(inUse.err), inUse);
  const badPort = cli(['add', '-d', A.dir, 'serverType=chat', 'id=chat-server-8', 'host=127.0.0.1', 'port=80x']);
  check('add: a malformed port is refused', badPort.code === 1 && /port=80x: expected a port/.test(badPort.err), badPort);
  const badKey = cli(['add', '-d', A.dir, 'serverType=chat', 'id=chat-server-8', 'host=127.0.0.1', 'port=1', 'args=--inspect']);
  check('add: an unknown key is refused', badKey.code === 1 && /unknown key "args"/.test(badKey.err), badKey);
  const noToken = cli(['add', '-d', A.dir, 'serverType=area', 'id=area-server-1', 'host=127.0.0.1', `port=${await freePort()}`]);
  check('add: a type without a token in adminServer.json is refused', noToken.code === 1 && /adminServer\.json/.test(noToken.err), noToken);
  const addMonitor = cli(['add', '-d', A.dir, '-u', 'monitor', 'serverType=chat', 'id=chat-server-8', 'host=127.0.0.1', 'port=1'],
                         { password: 'monitor' });
  check('add: refused for a level-2 user', addMonitor.code === 1 && /level/.test(addMonitor.err), addMonitor);
  const base = await freeRange(2);
  const cluster = cli(['add', '-d', A.dir, 'serverType=chat', 'host=127.0.0.1', `port=${base}`, 'clusterCount=2']);
  const l2 = listJson(A.dir);
  remember(l2);
  const cc0 = server(l2, 'cluster-server-chat-0'), cc1 = server(l2, 'cluster-server-chat-1');
  check('add clusterCount=2: two servers with generated ids and consecutive ports, both running', cluster.code === 0 &&
        cc0 && cc1 && cc0.port === base && cc1.port === base + 1 && cc0.state === 'running' && cc1.state === 'running',
        { cluster, l2 });

  // ---- restart ----
  const oldChat = server(l2, 'chat-server-1').pid;
  const restarted = cli(['restart', '-d', A.dir, '-i', 'chat-server-1']);
  const m = /chat-server-1: restarted \(pid (\d+) -> (\d+)\), joined the cluster/.exec(restarted.out);
  const l3 = listJson(A.dir);
  remember(l3);
  check('restart -i: a new process that has joined, the old one gone', restarted.code === 0 && m && Number(m[1]) === oldChat &&
        Number(m[2]) !== oldChat && server(l3, 'chat-server-1').pid === Number(m[2]) &&
        server(l3, 'chat-server-1').state === 'running' && !alive(oldChat), { restarted, l3 });
  const oldConnectors = ['connector-server-1', 'connector-server-9'].map((id) => server(l3, id).pid);
  const byType = cli(['restart', '-d', A.dir, '-t', 'connector']);
  const l4 = listJson(A.dir);
  remember(l4);
  const newConnectors = ['connector-server-1', 'connector-server-9'].map((id) => server(l4, id).pid);
  check('restart -t connector: every connector (the added one too) has a new pid', byType.code === 0 &&
        (byType.out.match(/restarted \(pid/g) || []).length === 2 && newConnectors.every((p, i) => p > 0 && p !== oldConnectors[i]) &&
        oldConnectors.every((p) => !alive(p)), { byType, oldConnectors, newConnectors });
  const hs2 = await handshake(addClient);
  check('the added connector serves again after its restart', hs2 && hs2.body.code === 200, hs2);
  check('restart is audited', /command="restart chat-server-1" result=ok/.test(masterLog(A.dir)));
  const unknown = cli(['restart', '-d', A.dir, '-i', 'nobody-1']);
  check('restart of an unknown id: exit 1', unknown.code === 1 && /unknown server id: nobody-1/.test(unknown.err), unknown);

  // ---- stop ID, start -i ID ----
  const c9pid = server(l4, 'connector-server-9').pid;
  const stopped = cli(['stop', '-d', A.dir, 'connector-server-9']);
  let gone = false;
  try {
    await waitFor(() => { const l = listJson(A.dir); return l && server(l, 'connector-server-9').state === 'stopped'; }, 20000, 'stopped', 200);
    gone = true;
  } catch (e) { /* reported below */ }
  check('stop ID: that server stops, the others run', stopped.code === 0 && gone && !alive(c9pid) &&
        server(listJson(A.dir), 'connector-server-1').state === 'running', stopped);
  check('a stopped connector no longer accepts clients', (await handshake(addClient)) === null);
  const again = cli(['start', '-d', A.dir, '-i', 'connector-server-9']);
  const sm = /connector-server-9: started \(pid (\d+)\), joined the cluster/.exec(again.out);
  check('start -i ID: the stopped server starts again and joins', again.code === 0 && sm && alive(Number(sm[1])), again);
  const hs3 = await handshake(addClient);
  check('... and accepts clients again', hs3 && hs3.body.code === 200, hs3);
  const twice = cli(['start', '-d', A.dir, '-t', 'chat']);
  check('start -t TYPE when all of them run: exit 1, already running', twice.code === 1 && /already running/.test(twice.err), twice);
  remember(listJson(A.dir));

  // ---- a master killed and started again re-adopts the servers it had added ----
  const beforeCrash = listJson(A.dir);
  remember(beforeCrash);
  const addedIds = ['connector-server-9', 'cluster-server-chat-0', 'cluster-server-chat-1'];
  const addedPids = addedIds.map((id) => server(beforeCrash, id).pid);
  process.kill(beforeCrash.master.pid, 'SIGKILL');
  await waitFor(() => !alive(beforeCrash.master.pid), 10000, 'the master to die').catch(() => {});
  const restartedMaster = cli(['start', '-D', '-d', A.dir]);
  const readopted = await allRunning(A.dir, ['connector-server-1', 'chat-server-1', ...addedIds], 60000);
  const lR = listJson(A.dir);
  remember(lR);
  check('a master killed and started again re-adopts the added servers (same pids, running)', restartedMaster.code === 0 &&
        readopted && addedIds.every((id, i) => server(lR, id).pid === addedPids[i] && server(lR, id).added === true),
        { restartedMaster, lR, log: masterLog(A.dir).slice(-1500) });
  const hs4 = await handshake(addClient);
  check('... and the added connector still serves', hs4 && hs4.body.code === 200, hs4);

  // ---- kill -f: only this cluster ----
  const startedB = cli(['start', '-D', '-d', B.dir]);
  check('a second cluster starts beside the first', startedB.code === 0 && await allRunning(B.dir, ['hello-server-1', 'hello-server-2']), startedB);
  const lA = listJson(A.dir), lB = listJson(B.dir);
  remember(lA);
  remember(lB);
  const pidsA = [lA.master.pid, ...lA.servers.filter((s) => s.pid > 0).map((s) => s.pid)];
  const pidsB = [lB.master.pid, ...lB.servers.map((s) => s.pid)];
  // A server that gets SIGTERM or a stop from the master logs "host: stopping"; one killed by SIGKILL cannot.
  const serverLog = (dir, id) => { try { return fs.readFileSync(path.join(dir, 'logs', id + '.log'), 'utf8'); } catch (e) { return ''; } };
  const stops = (dir, id) => (serverLog(dir, id).match(/host: stopping/g) || []).length;
  const idsA = lA.servers.filter((s) => s.pid > 0).map((s) => s.id);
  const stopsBefore = idsA.map((id) => stops(A.dir, id));
  const killed = cli(['kill', '-f', '-d', A.dir]);
  check('kill -f: exit 0 once every process of the cluster has ended', killed.code === 0 &&
        new RegExp(`Killed the cluster \\(SIGKILL\\): ${pidsA.length} process\\(es\\) ended`).test(killed.out), { killed, pidsA });
  check('kill -f: the master and all its servers are gone', pidsA.every((p) => !alive(p)), pidsA.filter(alive));
  check('kill -f: the servers died of SIGKILL (none of them could log a stop)',
        idsA.length >= 5 && idsA.every((id, i) => stops(A.dir, id) === stopsBefore[i]), { idsA, stopsBefore });
  check('kill -f: the other cluster is untouched', pidsB.every(alive) && (await allRunning(B.dir, ['hello-server-1', 'hello-server-2'], 5000)));
  const after = cli(['list', '-d', A.dir]);
  check('list after kill: the master is down (exit 3, one line)', after.code === 3 && oneLine(after.err), after);

  // ---- kill (SIGTERM) ----
  const killedB = cli(['kill', '-d', B.dir]);
  check('kill: exit 0, every process of the cluster ended', killedB.code === 0 && /Killed the cluster \(SIGTERM\)/.test(killedB.out) &&
        pidsB.every((p) => !alive(p)), killedB);
  check('kill: the servers stopped on SIGTERM (cleanly)', /hello-server-1 stopped \(exited with code 0\)/.test(masterLog(B.dir)) &&
        ['hello-server-1', 'hello-server-2'].every((id) => /host: server stopped cleanly/.test(serverLog(B.dir, id))),
        masterLog(B.dir).slice(-1500));

  // ---- kill -f with the master gone: the servers it had started, from its state file ----
  const C = await helloApp();
  const startedC = cli(['start', '-D', '-d', C.dir]);
  const upC = startedC.code === 0 && (await allRunning(C.dir, ['hello-server-1', 'hello-server-2']));
  const lC = listJson(C.dir);
  remember(lC);
  const serversC = lC ? lC.servers.map((s) => s.pid) : [];
  if (lC) process.kill(lC.master.pid, 'SIGKILL');
  await waitFor(() => lC && !alive(lC.master.pid), 10000, 'the master of C to die').catch(() => {});
  const noForce = cli(['kill', '-d', C.dir]);
  check('kill without -f and no master: exit 3, nothing killed', upC && noForce.code === 3 && oneLine(noForce.err) &&
        serversC.length === 2 && serversC.every(alive), { noForce, serversC });
  const orphans = cli(['kill', '-f', '-d', C.dir]);
  check('kill -f with the master gone: the servers it had started are killed (pids from its state file)',
        orphans.code === 0 && /is not reachable; killed 2 server\(s\) it had started/.test(orphans.out) &&
        serversC.length === 2 && serversC.every((p) => !alive(p)), orphans);
})().catch((e) => { failed++; console.log('FAIL exception: ' + e.stack); }).finally(() => {
  // Leave nothing running: any process of ours still alive (its command line names one of our dirs).
  const pids = new Set(seen);
  for (const name of fs.readdirSync('/proc')) if (/^\d+$/.test(name)) pids.add(Number(name));
  for (const pid of pids) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (ourDirs.some((d) => cmd.includes(d + '\0'))) process.kill(pid, 'SIGKILL');
    } catch (e) { /* gone */ }
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
});
