// Pomelo's own tools against a Shaddock master with the `pomeloAdmin` option (docs/operations.md,
// "Pomelo's own tools"): the real npm `pomelo` 2.2.7 command (bench/pomelo) runs `list` (every server
// with its pid), `add`, `restart -i`, `stop ID`, `stop` and `kill`, each checked by its output and its
// effect; its md5 login against plain and md5: entries of adminUser.json, a PBKDF2 entry refused, a wrong
// password slowed and then locked out, a level-2 user refused; the `shaddock` CLI still served on the
// same port; and hostile MQTT clients (bad packets, lengths, publishes before login, bad JSON, a server
// posing as a pomelo-admin monitor, slow and flooding clients), each closed while the master serves
// everyone else. Without the option, the port speaks the master link only.
// Run by CTest (cluster_pomelo_tools): SHADDOCK_HOST, SHADDOCK_CLI.
'use strict';
const { spawn, spawnSync } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');
const util = require('../../tools/node/util.js');
const { freePort, sleep, requiredEnv } = util;
// A folder removed when the test passes, kept when it fails (tools/node/util.js's tempDir where it has one).
const ownDirs = [];
const tempDir = util.tempDir || ((prefix) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  if (ownDirs.length === 0)
    process.on('exit', (code) => { for (const d of ownDirs) if (code === 0) fs.rmSync(d, { recursive: true, force: true }); else console.error(`kept for inspection: ${d}`); });
  ownDirs.push(dir);
  return dir;
});
const { startHost, waitFor, alive } = require('./lib/host_process.js');

const HOST = requiredEnv('SHADDOCK_HOST');
const CLI = requiredEnv('SHADDOCK_CLI');
const POMELO = path.resolve(__dirname, '..', '..', 'bench', 'pomelo', 'node_modules', '.bin', 'pomelo');
const POMELO_CLI = path.resolve(__dirname, 'pomelo_cli', 'node_modules', 'pomelo-cli', 'bin', 'pomelo-cli');
let passed = 0, failed = 0;
function check(name, ok, detail) {
  if (ok) { passed++; console.log('ok   ' + name); }
  else { failed++; console.log('FAIL ' + name + (detail !== undefined ? ': ' + (typeof detail === 'string' ? detail : JSON.stringify(detail)) : '')); }
}

// The npm `pomelo` command; its output without colours.
function pomelo(args, timeout = 60000) {
  const t0 = Date.now();
  const r = spawnSync(POMELO, args, { encoding: 'utf8', timeout, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  // eslint-disable-next-line no-control-regex
  const plain = (s) => (s || '').replace(/\x1b\[[0-9;]*m/g, '');
  return { code: r.status, out: plain(r.stdout), err: plain(r.stderr), all: plain(r.stdout) + plain(r.stderr), ms: Date.now() - t0 };
}
const admin = (port, user = 'admin', password = 'admin') => ['-h', '127.0.0.1', '-P', String(port), '-u', user, '-p', password];

function shaddock(args, password = 'admin') {
  const r = spawnSync(CLI, args, { encoding: 'utf8', timeout: 60000, stdio: ['ignore', 'pipe', 'pipe'],
                                   env: { ...process.env, SHADDOCK_ADMIN_PASSWORD: password } });
  return { code: r.status, out: (r.stdout || '') + (r.stderr || '') };
}
function listJson(dir) {
  const r = shaddock(['list', '-d', dir, '--json']);
  try { return JSON.parse(r.out); } catch (e) { return null; }
}

// pomelo-cli, a REPL: driven through its stdin, one line at a time, reading its output.
function startRepl(args) {
  const child = spawn(process.execPath, [POMELO_CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  child.output = '';
  // eslint-disable-next-line no-control-regex
  const add = (d) => { child.output += String(d).replace(/\x1b\[[0-9;]*m/g, ''); };
  child.stdout.on('data', add);
  child.stderr.on('data', add);
  child.exited = new Promise((resolve) => child.on('exit', (code) => resolve({ code })));
  child.stdin.on('error', () => {});
  return child;
}
// Writes a line; the match of `pattern` in what comes after it, or null after ms.
function say(child, line, pattern, ms = 20000) {
  const from = child.output.length;
  child.stdin.write(line + '\n');
  return waitFor(child, pattern, ms, from);
}

// `pomelo list`'s table: rows of [serverId, serverType, pid, rss, heapTotal, heapUsed, uptime].
function table(out) {
  const lines = out.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  const head = lines.findIndex((l) => /^serverId\s+serverType\s+pid\s+rss\(M\)\s+heapTotal\(M\)\s+heapUsed\(M\)\s+uptime\(m\)$/.test(l));
  if (head < 0) return null;
  return lines.slice(head + 1).map((l) => l.split(/\s+/)).filter((r) => r.length === 7);
}

async function appDir(clusterOptions, users, servers = 2) {
  const dir = tempDir('shd-pomelo-tools-');
  fs.mkdirSync(path.join(dir, 'config'));
  const port = await freePort();
  const hellos = [];
  for (let i = 1; i <= servers; i++) hellos.push({ id: `hello-server-${i}`, host: '127.0.0.1', port: await freePort() });
  const files = {
    'master.json': { development: { id: 'master-server-1', host: '127.0.0.1', port } },
    'servers.json': { development: { hello: hellos } },
    'plugins.json': { plugins: [{ name: 'cluster', serverTypes: '*', options: clusterOptions }, { name: 'greeter', serverTypes: 'hello' }],
                      app: { name: 'hello', serverTypes: 'hello' } },
    'adminServer.json': [{ type: 'hello', token: 'a-token-of-our-own' }],
    'adminUser.json': users,
  };
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, 'config', name), JSON.stringify(content));
  return { dir, port };
}

const md5 = (s) => crypto.createHash('md5').update(s).digest('hex');

// ---- a raw MQTT client for the hostile cases ----
function remainingLength(n) {
  const out = [];
  do { let b = n & 0x7f; n >>= 7; if (n > 0) b |= 0x80; out.push(b); } while (n > 0);
  return Buffer.from(out);
}
const str16 = (s) => { const b = Buffer.from(s); return Buffer.concat([Buffer.from([b.length >> 8, b.length & 255]), b]); };
function packet(type, flags, body) { return Buffer.concat([Buffer.from([(type << 4) | flags]), remainingLength(body.length), body]); }
const CONNECT = packet(1, 0, Buffer.concat([str16('MQTT'), Buffer.from([4, 2, 0, 0]), str16('MQTT_ADMIN_test')]));
const publish = (topic, payload) => packet(3, 0, Buffer.concat([str16(topic), Buffer.from(payload)]));
const register = (user, password, id = 'raw_' + Math.random()) =>
  publish('register', JSON.stringify({ type: 'client', id, username: user, password: md5(password), md5: true }));

// Connects, sends `chunks` (Buffers, or numbers: a pause in ms), collects what comes back; resolves once
// the master closes the connection (closed: true) or after `ms` (closed: false).
function raw(port, chunks, ms = 4000) {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host: '127.0.0.1' });
    let data = Buffer.alloc(0);
    const t0 = Date.now();
    let done = false;
    const finish = (closed) => { if (done) return; done = true; clearTimeout(timer); sock.destroy(); resolve({ closed, data, ms: Date.now() - t0 }); };
    const timer = setTimeout(() => finish(false), ms);
    sock.on('data', (d) => { data = Buffer.concat([data, d]); });
    sock.on('close', () => finish(true));
    sock.on('error', () => {});
    sock.on('connect', async () => {
      for (const c of chunks) {
        if (typeof c === 'number') await sleep(c);
        else if (!sock.destroyed) sock.write(c);
      }
    });
  });
}
// The PUBLISH packets in a byte stream: [{topic, payload}].
function publishes(buf) {
  const out = [];
  let i = 0;
  while (i < buf.length) {
    const type = buf[i] >> 4;
    let len = 0, mul = 1, j = i + 1;
    for (;;) { const b = buf[j++]; len += (b & 0x7f) * mul; mul *= 128; if (!(b & 0x80)) break; }
    const body = buf.slice(j, j + len);
    if (type === 3) { const tl = body.readUInt16BE(0); out.push({ topic: body.slice(2, 2 + tl).toString(), payload: body.slice(2 + tl).toString() }); }
    i = j + len;
  }
  return out;
}

const USERS = [
  { id: 'u1', username: 'admin', password: 'admin', level: 1 },
  { id: 'u2', username: 'ops', password: 'md5:' + md5('ops-pw'), level: 1 },
  { id: 'u3', username: 'watcher', password: 'watch-pw', level: 2 },
  // `shaddock hash-password` form: not usable by pomelo-admin's md5 login.
  { id: 'u4', username: 'strong', password: 'pbkdf2-sha256:2000:00112233445566778899aabbccddeeff:' + crypto.pbkdf2Sync('strong-pw', Buffer.from('00112233445566778899aabbccddeeff', 'hex'), 2000, 32, 'sha256').toString('hex'), level: 1 },
];

async function main() {
  const opts = { pomeloAdmin: true, handshakeTimeout: 1500, adminMaxFailures: 3, adminFailWindow: 60000, adminLockout: 2500, adminFailDelay: 400 };
  const { dir, port } = await appDir(opts, USERS);
  const master = startHost(HOST, dir);
  const up = await waitFor(master, /all servers startup in/, 60000);
  check('cluster with pomeloAdmin up', !!up, master.output.slice(-1500));
  if (!up) { master.kill('SIGKILL'); return; }

  // ---- pomelo list ----
  const before = listJson(dir);
  check('the shaddock CLI still works on the same port (master link after the sniffing)', before && before.servers.length === 2, before);
  const list = pomelo(['list', ...admin(port)]);
  const rows = table(list.out);
  check('pomelo list exits 0 and prints its table', list.code === 0 && rows !== null, list.all);
  if (rows && before) {
    const byId = Object.fromEntries(rows.map((r) => [r[0], r]));
    check('pomelo list shows the master and every server, sorted by type then id',
          rows.map((r) => r[0]).join(',') === 'hello-server-1,hello-server-2,master-server-1', rows);
    check('... with their types and pids', byId['master-server-1'][1] === 'master' && String(before.master.pid) === byId['master-server-1'][2] &&
          before.servers.every((s) => byId[s.id] && byId[s.id][1] === 'hello' && byId[s.id][2] === String(s.pid)), { rows, before });
    check('... rss in MB and uptime in minutes, heap columns "-"',
          rows.every((r) => /^\d+\.\d\d$/.test(r[3]) && r[4] === '-' && r[5] === '-' && /^\d+\.\d\d$/.test(r[6])) &&
          Math.abs(Number(byId['hello-server-1'][3]) - before.servers[0].rssKb / 1024) < 20, rows);
  }
  check('the login and the command are audited', !!(await waitFor(master, /admin audit: user="admin" address=127\.0\.0\.1 command="login \(pomelo-admin\)" result=ok/, 3000)) &&
        !!(await waitFor(master, /admin audit: user="admin" address=127\.0\.0\.1 command="list" result=ok/, 3000)), master.output.slice(-1500));
  const md5User = pomelo(['list', ...admin(port, 'ops', 'ops-pw')]);
  check('an md5: entry of adminUser.json logs in', md5User.code === 0 && table(md5User.out) && table(md5User.out).length === 3, md5User.all);

  // ---- refused logins ----
  const strong = pomelo(['list', ...admin(port, 'strong', 'strong-pw')]);
  check('a PBKDF2 entry cannot log in over the md5 login (Pomelo\'s failure line)',
        /Fail to connect to admin console server\.client auth failed with username or password error/.test(strong.all) && !table(strong.out), strong.all);
  check('... and the audit line says why', !!(await waitFor(master, /user="strong" .*result=refused \(a PBKDF2 password cannot be checked/, 3000)));
  const level = pomelo(['stop', 'hello-server-1', ...admin(port, 'watcher', 'watch-pw')]);
  await sleep(500);
  check('a level-2 user may list but not stop (the error printed, the server still runs)',
        /command level not allowed for this user/.test(level.all) && before && alive(before.servers[0].pid), level.all);
  check('... audited as refused', !!(await waitFor(master, /user="watcher" .*command="stop hello-server-1" result=refused \(level 2\)/, 3000)));
  // Wrong passwords: slowed, then the address locked out (adminMaxFailures 3) even for the right one.
  // The PBKDF2 refusal above was the first failure: the successful logins since did not clear it (as
  // on the master link), so two wrong passwords make three.
  const wrong = [];
  for (let i = 0; i < 2; i++) wrong.push(pomelo(['list', ...admin(port, 'admin', 'wrong' + i)]));
  check('a wrong password prints Pomelo\'s failure line', wrong.every((w) => /Fail to connect to admin console server\.client auth failed with username or password error/.test(w.all)), wrong.map((w) => w.all));
  check('... late (adminFailDelay 400 ms)', wrong.every((w) => w.ms >= 400), wrong.map((w) => w.ms));
  const locked = pomelo(['list', ...admin(port)]);
  check('after 3 failures even the right password is refused for a while', /too many failed logins/.test(locked.all) && !table(locked.out), locked.all);
  const lockedCli = shaddock(['list', '-d', dir]);
  check('... by the master link too (one lockout per address)', lockedCli.code === 4 && /too many failed logins/.test(lockedCli.out), lockedCli.out);
  await sleep(2700);
  check('the lockout ends', table(pomelo(['list', ...admin(port)]).out) !== null);

  // ---- hostile MQTT ----
  const cases = [
    ['a PUBLISH before CONNECT', [publish('register', '{}')]],
    ['a first byte that is not CONNECT (0x30), closed at the sniffing', [Buffer.from([0x30, 0, 0, 0])]],
    ['a reserved packet type after CONNECT', [CONNECT, Buffer.from([0xf0, 0])]],
    ['reserved flags (a PINGREQ with flags)', [CONNECT, Buffer.from([0xc1, 0])]],
    ['a remaining length of 5 bytes', [Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff, 0x01])]],
    ['a packet over the 4096-byte cap before login', [Buffer.concat([Buffer.from([0x10]), remainingLength(100000)])]],
    ['a CONNECT for another protocol', [packet(1, 0, Buffer.concat([str16('HTTP'), Buffer.from([4, 2, 0, 0]), str16('x')]))]],
    ['a CONNECT with bytes left over', [packet(1, 0, Buffer.concat([str16('MQTT'), Buffer.from([4, 2, 0, 0]), str16('x'), Buffer.from([1, 2, 3])]))]],
    ['a second CONNECT', [CONNECT, CONNECT]],
    ['a SUBSCRIBE', [CONNECT, packet(8, 2, Buffer.concat([Buffer.from([0, 1]), str16('#'), Buffer.from([0])]))]],
    ['a request before register', [CONNECT, publish('client', JSON.stringify(JSON.stringify({ reqId: 1, moduleId: '__console__', body: { signal: 'kill' } })))]],
    ['a register that is not JSON', [CONNECT, publish('register', '{"type":')]],
    ['a register nested 10000 deep', [CONNECT, publish('register', '['.repeat(10000))]],
    ['a QoS 2 PUBLISH', [CONNECT, packet(3, 4, Buffer.concat([str16('register'), Buffer.from([0, 1]), Buffer.from('{}')]))]],
    ['a topic with a wildcard', [CONNECT, publish('reg#', '{}')]],
  ];
  for (const [what, chunks] of cases) {
    const r = await raw(port, chunks);
    const pubs = publishes(r.data);
    check(`hostile: ${what}: closed, nothing answered past CONNACK`, r.closed && pubs.length === 0, { closed: r.closed, data: r.data.toString('hex').slice(0, 80) });
  }
  {
    const r = await raw(port, [CONNECT, publish('register', JSON.stringify({ type: 'monitor', id: 'hello-server-1', serverType: 'hello', pid: 1, info: {} }))]);
    const pubs = publishes(r.data);
    check('hostile: a server posing as a pomelo-admin monitor is refused (code -1) and closed',
          r.closed && pubs.length === 1 && JSON.parse(pubs[0].payload).code === -1, pubs);
  }
  {
    // A packet that closes the connection, then a valid login in the same write: never logged in.
    const logins = () => (master.output.match(/user="ops" address=127\.0\.0\.1 command="login \(pomelo-admin\)" result=ok/g) || []).length;
    const before = logins();
    const sub = packet(8, 2, Buffer.concat([Buffer.from([0, 1]), str16('#'), Buffer.from([0])]));
    const r = await raw(port, [Buffer.concat([CONNECT, sub, register('ops', 'ops-pw')])]);
    await sleep(300);
    check('hostile: what follows a packet that closes the connection is not run (no login)', r.closed && publishes(r.data).length === 0 && logins() === before,
          { closed: r.closed, logins: logins(), before });
  }
  {
    const r = await raw(port, [CONNECT], 6000);
    check('hostile: a client that never registers is closed at the handshake deadline (1.5 s)', r.closed && r.ms >= 1300 && r.ms < 5000, r.ms);
  }
  {
    // One byte every 300 ms: the deadline is not reset by dribbled bytes.
    const body = Buffer.concat([str16('MQTT'), Buffer.from([4, 2, 0, 0]), str16('MQTT_ADMIN_slow')]);
    const bytes = [...packet(1, 0, body)].flatMap((b) => [Buffer.from([b]), 300]);
    const r = await raw(port, bytes, 8000);
    check('hostile: a slow client (a byte every 300 ms) is closed at the deadline', r.closed && r.ms < 3000, r.ms);
  }
  {
    const pings = Buffer.concat(Array.from({ length: 2000 }, () => Buffer.from([0xc0, 0])));
    const r = await raw(port, [CONNECT, register('admin', 'admin'), 300, pings], 6000);
    const pubs = publishes(r.data);
    check('hostile: a logged-in client flooding 2000 PINGREQs is closed', r.closed && pubs.length === 1 && JSON.parse(pubs[0].payload).code === 1,
          { closed: r.closed, pubs });
  }
  {
    const r = await raw(port, [CONNECT, register('admin', 'admin'), 300, publish('client', 'not json')], 4000);
    check('hostile: bad JSON after login: closed', r.closed);
  }
  {
    // Logged in: an unknown module and a signal the master does not know are answered with an error.
    const req = (id, body, moduleId = '__console__') => publish('client', JSON.stringify(JSON.stringify({ reqId: id, moduleId, body })));
    const r = await raw(port, [CONNECT, register('admin', 'admin'), 300, req(1, { signal: 'list' }, 'scripts'), req(2, { signal: 'no-such' }), 500], 1500);
    const answers = publishes(r.data).filter((p) => p.topic === 'client').map((p) => JSON.parse(JSON.parse(p.payload)));
    check('the scripts module (remote code in Pomelo) is not served', answers.some((a) => a.respId === 1 && /not served/.test(a.error)), answers);
    check('an unknown signal gets an error answer', answers.some((a) => a.respId === 2 && /unknown command/.test(a.error)), answers);
  }
  const after = pomelo(['list', ...admin(port)]);
  check('after all that the master still serves pomelo list', table(after.out) && table(after.out).length === 3, after.all);
  check('... and the shaddock CLI', shaddock(['list', '-d', dir]).code === 0);

  // ---- add, restart, stop ID ----
  const addPort = await freePort();
  const add = pomelo(['add', 'host=127.0.0.1', `port=${addPort}`, 'id=hello-server-3', 'serverType=hello', ...admin(port)]);
  check('pomelo add prints "Successfully add server."', /Successfully add server\./.test(add.out), add.all);
  let l = listJson(dir);
  const added = l && l.servers.find((s) => s.id === 'hello-server-3');
  check('... and the server runs, registered', added && added.pid > 0 && added.registered && alive(added.pid), l);
  const bad = pomelo(['add', 'host=127.0.0.1', 'id=hello-server-4', 'serverType=hello', ...admin(port)]);
  check('pomelo add without a port prints the master\'s error', /port: required/.test(bad.all) && !/Successfully/.test(bad.all), bad.all);
  const old1 = l && l.servers.find((s) => s.id === 'hello-server-1');
  const restart = pomelo(['restart', '-i', 'hello-server-1', ...admin(port)]);
  l = listJson(dir);
  const new1 = l && l.servers.find((s) => s.id === 'hello-server-1');
  check('pomelo restart -i prints "Successfully restart server." and the server has a new pid',
        /Successfully restart server\./.test(restart.out) && old1 && new1 && new1.pid > 0 && new1.pid !== old1.pid && !alive(old1.pid), { out: restart.all, old1, new1 });
  const stop3 = pomelo(['stop', 'hello-server-3', ...admin(port)]);
  check('pomelo stop ID prints Pomelo\'s closing lines', /Closing the application\.\.\.\.\.\.\nPlease wait\.\.\.\.\.\./.test(stop3.out), stop3.all);
  let gone = false;
  for (let i = 0; i < 100 && !gone; i++) { gone = added && !alive(added.pid); await sleep(100); }
  l = listJson(dir);
  check('... that server stops and stays stopped; the others run', gone && l && l.servers.find((s) => s.id === 'hello-server-3').pid <= 0 &&
        l.servers.filter((s) => s.id !== 'hello-server-3').every((s) => alive(s.pid)), l);

  // ---- pomelo-cli ----
  if (fs.existsSync(POMELO_CLI)) {
    const repl = startRepl(admin(port));
    const hello = await waitFor(repl, /Welcome to Pomelo interactive client[\s\S]*admin@pomelo : all>/, 20000);
    check('pomelo-cli logs in and shows its prompt', !!hello, repl.output);
    const shown = await say(repl, 'show servers', /serverId\s+serverType\s+host\s+port\s+pid\s+heapUsed\(M\)\s+uptime\(m\)[\s\S]*admin@pomelo/);
    const now = listJson(dir);
    const servers = now ? [now.master, ...now.servers.filter((s) => s.registered)] : [];
    check('pomelo-cli show servers: every registered server with host, port and pid', !!shown && servers.length === 3 &&
          servers.every((s) => new RegExp(`${s.id}\\s+${s.serverType}\\s+127\\.0\\.0\\.1\\s+${s.port}\\s+${s.pid}\\s`).test(shown[0])), repl.output.slice(-1500));
    const conns = await say(repl, 'show connections', /serverId\s+totalConnCount\s+loginedCount\s*\n\s*\n?admin@pomelo/);
    check('pomelo-cli show connections: answered (no frontend here: the header only)', !!conns, repl.output.slice(-800));
    const use = await say(repl, 'use hello-server-2', /switch to server: hello-server-2[\s\S]*admin@pomelo : hello-server-2>/);
    check('pomelo-cli use ID switches to a server it found in the list', !!use, repl.output.slice(-800));
    const nouse = await say(repl, 'use no-such-server', /not in pomelo clusters/);
    check('pomelo-cli use of an unknown id is refused', !!nouse, repl.output.slice(-800));
    const victim = now && now.servers.find((s) => s.id === 'hello-server-2');
    await say(repl, 'stop hello-server-2', /do you really want to stop this server/);
    await say(repl, 'yes', /admin@pomelo/);
    let stopped = false;
    for (let i = 0; i < 100 && !stopped; i++) { stopped = victim && !alive(victim.pid); await sleep(100); }
    check('pomelo-cli stop ID (answered yes) stops that server', stopped, repl.output.slice(-800));
    const cliPort = await freePort();
    await say(repl, `add host=127.0.0.1 port=${cliPort} id=hello-server-9 serverType=hello`, /do you really want to add this server/);
    await say(repl, 'yes', /admin@pomelo/, 60000);
    const l9 = listJson(dir);
    const s9 = l9 && l9.servers.find((s) => s.id === 'hello-server-9');
    check('pomelo-cli add (answered yes) starts the server', s9 && s9.pid > 0 && s9.registered, l9);
    const quit = await say(repl, 'quit', /bye admin/);
    const rexit = await Promise.race([repl.exited, sleep(10000).then(() => null)]);
    if (!rexit) repl.kill('SIGKILL');
    check('pomelo-cli quit', !!quit && !!rexit, repl.output.slice(-300));

    const weak = startRepl(admin(port, 'watcher', 'watch-pw'));
    await waitFor(weak, /watcher@pomelo : all>/, 20000);
    await say(weak, 'stop hello-server-1', /do you really want to stop this server/);
    const denied = await say(weak, 'yes', /command level not allowed for this user/);
    check('pomelo-cli as a level-2 user: stop is refused with the master\'s error', !!denied && now && alive(now.servers[0].pid), weak.output.slice(-800));
    weak.stdin.end();
    const wexit = await Promise.race([weak.exited, sleep(10000).then(() => null)]);
    if (!wexit) weak.kill('SIGKILL');
    const wrongRepl = startRepl(admin(port, 'admin', 'not-the-password'));
    const wexit2 = await Promise.race([wrongRepl.exited, sleep(20000).then(() => null)]);
    if (!wexit2) wrongRepl.kill('SIGKILL');
    check('pomelo-cli with a wrong password prints the failure and exits', !!wexit2 && /client auth failed with username or password error/.test(wrongRepl.output), wrongRepl.output);
    l = listJson(dir);
  } else {
    console.log('skip: pomelo-cli not installed (npm ci in tests/cluster/pomelo_cli)');
  }

  // ---- kill ----
  const pids = [l.master.pid, ...l.servers.filter((s) => s.pid > 0).map((s) => s.pid)];
  const kill = pomelo(['kill', ...admin(port)]);
  check('pomelo kill prints "All the servers have been terminated!"', /All the servers have been terminated!/.test(kill.out), kill.all);
  const exit = await Promise.race([master.exited, sleep(20000).then(() => null)]);
  if (!exit) master.kill('SIGKILL');
  await sleep(300);
  check('... the master has exited and every server of the cluster is gone', !!exit && pids.every((p) => !alive(p)), { exit, alive: pids.filter(alive) });
  check('... audited', /user="admin" .*command="kill" result=ok/.test(master.output));
}

// `pomelo stop` without ids stops the whole cluster; a cluster without the option does not speak MQTT.
async function stopAllAndOptionOff() {
  {
    const { dir, port } = await appDir({ pomeloAdmin: true }, USERS, 1);
    const master = startHost(HOST, dir);
    const up = await waitFor(master, /all servers startup in/, 60000);
    const l = listJson(dir);
    const stop = pomelo(['stop', ...admin(port)]);
    const exit = await Promise.race([master.exited, sleep(30000).then(() => null)]);
    if (!exit) master.kill('SIGKILL');
    check('pomelo stop (no ids) prints the closing lines and the cluster stops cleanly',
          !!up && /Closing the application/.test(stop.out) && exit && exit.code === 0 && l && l.servers.every((s) => !alive(s.pid)), { out: stop.all, exit });
  }
  {
    // The production check of the shipped credentials applies with the option on (USERS holds admin/admin).
    const { dir } = await appDir({ pomeloAdmin: true }, USERS, 1);
    const prod = path.join(dir, 'config');
    for (const f of ['master.json', 'servers.json']) {
      const c = JSON.parse(fs.readFileSync(path.join(prod, f), 'utf8'));
      fs.writeFileSync(path.join(prod, f), JSON.stringify({ ...c, production: c.development }));
    }
    const master = startHost(HOST, dir, ['--env', 'production']);
    const exit = await Promise.race([master.exited, sleep(20000).then(() => null)]);
    if (!exit) master.kill('SIGKILL');
    check('production with pomeloAdmin: the shipped admin/admin is still refused at start', exit && exit.code === 1 &&
          /config\/adminUser\.json: \[0\]\.password \(user "admin"\) is the shipped development password: refused in production/.test(master.output),
          { exit, out: master.output.slice(-600) });
  }
  {
    const { dir, port } = await appDir({}, USERS, 1);
    const master = startHost(HOST, dir);
    const up = await waitFor(master, /all servers startup in/, 60000);
    const t0 = Date.now();
    const list = pomelo(['list', ...admin(port)], 20000);
    check('option off (the default): pomelo list gets no table', !!up && table(list.out) === null && Date.now() - t0 < 20000, list.all);
    check('... the master link serves as before', shaddock(['list', '-d', dir]).code === 0);
    master.kill('SIGTERM');
    const exit = await Promise.race([master.exited, sleep(20000).then(() => null)]);
    if (!exit) master.kill('SIGKILL');
  }
}

// The chat demo ships with pomeloAdmin on: `pomelo list` shows its servers, and pomelo-cli's `show
// connections` counts a real Pomelo client on the connector it entered.
async function chatDemo() {
  const plugins = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'apps', 'chat', 'config', 'plugins.json'), 'utf8'));
  check('apps/chat/config turns pomeloAdmin on', plugins.plugins.find((p) => p.name === 'cluster').options.pomeloAdmin === true);
  let client;
  try { client = require('../connector/lib/pomelo_js_client'); } catch (e) { console.log('skip: the chat demo part needs tests/interop/node_modules'); return; }
  const { startChatCluster } = require('../chat/chat_cluster');
  const cluster = await startChatCluster(HOST);
  try {
    const port = JSON.parse(fs.readFileSync(path.join(cluster.dir, 'config', 'master.json'), 'utf8')).port;
    const list = pomelo(['list', ...admin(port)]);
    const rows = table(list.out) || [];
    const ids = Object.values(cluster.servers).flat().map((s) => s.id).concat(['master-server-1']).sort();
    check('chat demo: pomelo list shows every server of the demo', JSON.stringify(rows.map((r) => r[0]).sort()) === JSON.stringify(ids), list.all);
    // One user enters through the gate and a connector.
    const gate = client.loadClient();
    await client.init(gate, { host: '127.0.0.1', port: cluster.gatePort, log: false });
    const entry = await client.request(gate, 'gate.gateHandler.queryEntry', { uid: 'ann' });
    gate.disconnect();
    const user = client.loadClient();
    await client.init(user, { host: entry.host, port: entry.port, log: false });
    await client.request(user, 'connector.entryHandler.enter', { username: 'ann', rid: 'r1' });
    const connector = cluster.servers.connector.find((c) => c.clientPort === entry.port);
    const repl = startRepl(admin(port));
    await waitFor(repl, /admin@pomelo : all>/, 20000);
    let shown = null;
    for (let i = 0; i < 20 && !shown; i++) {  // the connector reports its figures every second
      const m = await say(repl, 'show connections', /serverId\s+totalConnCount\s+loginedCount[\s\S]*?admin@pomelo/);
      shown = m && new RegExp(`${connector.id}\\s+1\\s+-`).test(m[0]) ? m[0] : null;
      if (!shown) await sleep(300);
    }
    check('chat demo: pomelo-cli show connections lists the frontends (gate, connectors), 1 connection on the one entered', !!shown &&
          cluster.servers.connector.every((c) => shown.includes(c.id)) && shown.includes('gate-server-1') && !/chat-server/.test(shown),
          repl.output.slice(-1200));
    // pomelo-cli's blacklist signal becomes the console's blacklist: every frontend refuses the addresses.
    await say(repl, 'blacklist 10.9.8.7 10.9.8.6', /do you really want to add this blacklist/);
    await say(repl, 'yes', /admin@pomelo/);
    const bl = shaddock(['blacklist', 'list', '-d', cluster.dir]);
    const frontends = cluster.servers.connector.map((c) => c.id).concat(['gate-server-1']);
    check('chat demo: pomelo-cli blacklist (answered yes) reaches every frontend', bl.code === 0 &&
          frontends.every((id) => ['10.9.8.7', '10.9.8.6'].every((ip) => new RegExp(`${id}: .*"${ip.replace(/\./g, '\\.')}"`).test(bl.out))),
          bl.out + repl.output.slice(-600));
    repl.stdin.end();
    await Promise.race([repl.exited, sleep(5000)]);
    user.disconnect();
  } finally {
    await cluster.stop();
  }
}

(async () => {
  if (!fs.existsSync(POMELO)) {
    console.log('skip: bench/pomelo has no node_modules (run npm ci there: tools/dev.sh setup)');
    process.exit(77);
  }
  await main();
  await stopAllAndOptionOff();
  await chatDemo();
})().catch((e) => { failed++; console.log('FAIL exception: ' + e.stack); }).finally(() => {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
});
