// The admin console (docs/operations.md, "Admin console"; docs/cluster.md, "Admin console messages")
// against a live cluster started with `shaddock start -D` and driven by the `shaddock` CLI: the info
// modules (systemInfo, nodeInfo, monitorLog, watchServer, components), settings get/set, a cron added at
// run time that fires and is removed, a connector refusing a blacklisted address, a module registered
// through shd.admin/1 by a test plugin answering, module enable/disable, level-2 users refused every
// write, audit lines, and hostile input: malformed console messages on the master link, unknown servers
// and modules, oversized and too deep answers and values, and a server that does not answer in time.
// Run by CTest (cluster_console): SHADDOCK_CLI, SHADDOCK_CONSOLE_PROBE (the test plugin).
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');
const { freePort, sleep, waitFor, requiredEnv } = require('../../tools/node/util.js');
const { adminLogin } = require('./lib/master_link.js');

const CLI = requiredEnv('SHADDOCK_CLI');
const PROBE = requiredEnv('SHADDOCK_CONSOLE_PROBE');
const REPO = path.resolve(__dirname, '..', '..');
let passed = 0, failed = 0;
function check(name, ok, detail) {
  if (ok) { passed++; console.log('ok   ' + name); }
  else { failed++; console.log('FAIL ' + name + (detail !== undefined ? ': ' + (typeof detail === 'string' ? detail : JSON.stringify(detail)) : '')); }
}

function cli(args, { password = 'admin', user } = {}) {
  const env = { ...process.env, SHADDOCK_ADMIN_PASSWORD: password };
  const r = spawnSync(CLI, user ? [...args, '-u', user] : args, { encoding: 'utf8', env, timeout: 60000, stdio: ['ignore', 'pipe', 'pipe'] });
  return { code: r.status, out: r.stdout || '', err: r.stderr || '', all: (r.stdout || '') + (r.stderr || '') };
}
// `<server id>: <JSON>` lines of a console command's output, by server id.
function answers(out) {
  const m = {};
  for (const line of out.split('\n')) {
    const i = line.indexOf(': ');
    if (i > 0) try { m[line.slice(0, i)] = JSON.parse(line.slice(i + 2)); } catch (e) { /* not an answer */ }
  }
  return m;
}

// A Pomelo handshake over raw TCP from `localAddress`; the reply, or null when the connection is closed.
function handshake(port, localAddress = '127.0.0.1', keep = false) {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host: '127.0.0.1', localAddress });
    let buf = Buffer.alloc(0);
    let t = null;
    const done = (v) => { clearTimeout(t); sock.destroy(); resolve(v); };
    t = setTimeout(() => done(null), 5000);
    sock.on('error', () => done(null));
    sock.on('close', () => done(null));
    sock.on('connect', () => {
      const body = Buffer.from(JSON.stringify({ sys: { type: 'console-test', version: '0.0.1' }, user: {} }));
      sock.write(Buffer.concat([Buffer.from([1, (body.length >> 16) & 255, (body.length >> 8) & 255, body.length & 255]), body]));
    });
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length < 4) return;
      const n = (buf[1] << 16) | (buf[2] << 8) | buf[3];
      if (buf.length < 4 + n) return;
      let reply = null;
      try { reply = { type: buf[0], body: JSON.parse(buf.subarray(4, 4 + n).toString()) }; } catch (e) { /* null */ }
      if (keep && reply) {  // the handshake ACK: the session is established, the socket stays open
        clearTimeout(t);
        sock.removeAllListeners('close');
        sock.write(Buffer.from([2, 0, 0, 0]));
        reply.socket = sock;
        resolve(reply);
        return;
      }
      done(reply);
    });
  });
}

async function app() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shd-console-'));
  fs.mkdirSync(path.join(dir, 'config'));
  const src = path.join(REPO, 'apps', 'chat', 'config');
  const files = {};
  for (const f of ['adminServer.json', 'clientProtos.json', 'dictionary.json', 'serverProtos.json'])
    files[f] = fs.readFileSync(path.join(src, f), 'utf8');
  const plugins = JSON.parse(fs.readFileSync(path.join(src, 'plugins.json'), 'utf8'));
  plugins.plugins = plugins.plugins.filter((p) => p.name !== 'static_web');
  plugins.plugins[0].options = { consoleTimeout: 1500 };
  plugins.plugins.push({ name: 'cron', serverTypes: 'chat' }, { name: 'console_probe', path: PROBE, serverTypes: 'chat' });
  const port = await freePort();
  const connector = { id: 'connector-server-1', host: '127.0.0.1', port: await freePort(), clientHost: '127.0.0.1',
                      clientPort: await freePort(), frontend: true };
  const chat = { id: 'chat-server-1', host: '127.0.0.1', port: await freePort() };
  Object.assign(files, {
    'plugins.json': plugins,
    'adminUser.json': [{ id: 'user-1', username: 'admin', password: 'admin', level: 1 },
                       { id: 'user-2', username: 'monitor', password: 'monitor', level: 2 }],
    'master.json': { development: { id: 'master-server-1', host: '127.0.0.1', port } },
    'servers.json': { development: { connector: [connector], chat: [chat] } },
  });
  for (const [name, content] of Object.entries(files))
    fs.writeFileSync(path.join(dir, 'config', name), typeof content === 'string' ? content : JSON.stringify(content));
  return { dir, port, connector, chat };
}

const log = (dir, id) => { try { return fs.readFileSync(path.join(dir, 'logs', id + '.log'), 'utf8'); } catch (e) { return ''; } };

async function main(A) {
  const d = ['-d', A.dir];
  const started = cli(['start', '-D', ...d]);
  check('the cluster starts', started.code === 0, started.all);
  await waitFor(() => {
    const l = cli(['list', ...d, '--json']);
    try { return JSON.parse(l.out).servers.every((s) => s.state === 'running'); } catch (e) { return false; }
  }, 60000, 'every server running', 200);

  for (const cmd of ['info', 'module', 'settings', 'cron', 'blacklist']) {
    const h = cli([cmd, '--help']);
    check(`${cmd} --help: usage, options and exit codes`, h.code === 0 && h.out.startsWith('usage: shaddock ' + cmd) &&
          /-i \[ --id \] ID/.test(h.out) && /Exit status:/.test(h.out), h.all);
  }
  const top = cli(['--help']);
  check('shaddock --help lists the console commands', ['info MODULE', 'module list', 'settings get', 'cron add', 'blacklist add']
    .every((c) => top.out.includes('  ' + c)), top.all);

  // ---- info ----
  let r = cli(['info', 'nodeInfo', ...d]);
  let a = answers(r.out);
  check('info nodeInfo: every server answers, the master included', r.code === 0 &&
        ['master-server-1', 'connector-server-1', 'chat-server-1'].every((id) => a[id] && a[id].serverId === id && a[id].pid > 0 && a[id].rssKb > 0), r.all);
  r = cli(['info', 'systemInfo', 'chat-server-1', ...d]);
  a = answers(r.out);
  check('info systemInfo SERVER: that server only, with CPUs, load and memory', r.code === 0 && Object.keys(a).length === 1 &&
        a['chat-server-1'].cpus > 0 && a['chat-server-1'].loadavg.length === 3 && a['chat-server-1'].memTotalKb > 0, r.all);
  const hs = await handshake(A.connector.clientPort, '127.0.0.1', true);
  check('a client session (handshake and ACK)', hs && hs.type === 1 && hs.socket, hs && hs.body);
  await sleep(300);
  r = cli(['info', 'watchServer', '-t', 'connector', '--comd', 'connections', ...d]);
  a = answers(r.out);
  check('info watchServer -t connector --comd connections: the connector counts the session', r.code === 0 &&
        a['connector-server-1'] && a['connector-server-1'].connections.handshakes >= 1 &&
        a['connector-server-1'].connections.open >= 1 && !a['connector-server-1'].handlers, r.all);
  r = cli(['info', 'watchServer', '-t', 'connector', '--comd', 'logins', ...d]);
  a = answers(r.out);
  check('info watchServer --comd logins: the session, not bound to a user', r.code === 0 && a['connector-server-1'] &&
        a['connector-server-1'].logins.sessions >= 1 && a['connector-server-1'].logins.bound === 0, r.all);
  if (hs && hs.socket) hs.socket.destroy();
  r = cli(['info', 'watchServer', 'connector-server-1', ...d]);
  a = answers(r.out);
  check('info watchServer: logins, handlers, rpc, pushes and lag', r.code === 0 && a['connector-server-1'] &&
        a['connector-server-1'].logins && typeof a['connector-server-1'].logins.bound === 'number' &&
        Array.isArray(a['connector-server-1'].handlers) && Array.isArray(a['connector-server-1'].rpc) &&
        a['connector-server-1'].pushes && typeof a['connector-server-1'].lagSeconds === 'number', r.all);
  r = cli(['info', 'components', '-i', 'chat-server-1', ...d]);
  a = answers(r.out);
  const names = a['chat-server-1'] ? a['chat-server-1'].map((c) => c.name) : [];
  check('info components: the plugins and the app of the server', r.code === 0 && ['cluster', 'cron', 'console_probe', 'chat'].every((n) => names.includes(n)), r.all);
  r = cli(['info', 'monitorLog', 'chat-server-1', '--match', 'is running', '--lines', '3', ...d]);
  a = answers(r.out);
  check('info monitorLog: the last lines of the server\'s log that match', r.code === 0 && a['chat-server-1'] &&
        a['chat-server-1'].file === 'logs/chat-server-1.log' && a['chat-server-1'].lines.length >= 1 &&
        a['chat-server-1'].lines.every((l) => l.includes('is running')), r.all);
  r = cli(['info', 'monitorLog', 'chat-server-1', '--lines', '100000', ...d]);
  check('info monitorLog --lines 100000: refused by the server, exit 1', r.code === 1 && /lines: expected a number from 1 to 1000/.test(r.err), r.all);
  r = cli(['info', 'monitorLog', 'chat-server-1', '--lines', '0', ...d]);
  check('info monitorLog --lines 0: refused too', r.code === 1 && /lines: expected a number from 1 to 1000/.test(r.err), r.all);
  r = cli(['info', 'scripts', ...d]);
  check('info scripts: no such module (nothing runs code), exit 1', r.code === 1 && /info: module: expected/.test(r.err), r.all);

  // ---- a module registered through shd.admin/1 ----
  r = cli(['module', 'list', '-i', 'chat-server-1', ...d]);
  a = answers(r.out);
  const mods = a['chat-server-1'] ? a['chat-server-1'].map((m) => m.name) : [];
  check('module list: built-in modules and the probe plugin\'s', r.code === 0 &&
        ['probe', 'cron', 'settings', 'nodeInfo', 'systemInfo', 'monitorLog', 'watchServer', 'components'].every((n) => mods.includes(n)), r.all);
  r = cli(['module', 'call', 'probe', '{"echo":"hi"}', '-i', 'chat-server-1', ...d]);
  a = answers(r.out);
  check('module call probe: the test plugin\'s module answers', r.code === 0 && a['chat-server-1'] &&
        a['chat-server-1'].echo === 'hi' && a['chat-server-1'].server === 'chat-server-1', r.all);
  r = cli(['module', 'call', 'probe', '{"fail":true}', '-i', 'chat-server-1', ...d]);
  check('a module\'s error reaches the CLI, exit 1', r.code === 1 && /chat-server-1: error: probe refused the request/.test(r.err), r.all);
  r = cli(['module', 'call', 'probe', '{"big":true}', '-i', 'chat-server-1', ...d]);
  check('an oversized answer is refused by the server', r.code === 1 && /over the console's limit/.test(r.err), r.all);
  r = cli(['module', 'call', 'probe', '{"deep":true}', '-i', 'chat-server-1', ...d]);
  check('a too deep answer is refused by the server', r.code === 1 && /nests deeper/.test(r.err), r.all);
  r = cli(['module', 'call', 'probe', '{"echo":2}', '-i', 'chat-server-1', ...d]);
  check('... and the server still answers afterwards (its link is intact)', r.code === 0 && answers(r.out)['chat-server-1'].echo === 2, r.all);
  r = cli(['module', 'call', 'nosuch', '-i', 'chat-server-1', ...d]);
  check('an unknown module: exit 1, named', r.code === 1 && /no admin module nosuch on this server/.test(r.err), r.all);
  r = cli(['module', 'call', 'probe', '-i', 'nosuch-server', ...d]);
  check('an unknown server: exit 1, named', r.code === 1 && /unknown server id: nosuch-server/.test(r.err) && r.err.trim().split('\n').length === 1, r.all);
  r = cli(['module', 'call', 'probe', '{not json', '-i', 'chat-server-1', ...d]);
  check('a request that is not JSON: exit 2', r.code === 2, r.all);
  r = cli(['module', 'disable', 'probe', '-i', 'chat-server-1', ...d]);
  const off = cli(['module', 'call', 'probe', '{}', '-i', 'chat-server-1', ...d]);
  const on = cli(['module', 'enable', 'probe', '-i', 'chat-server-1', ...d]);
  const back = cli(['module', 'call', 'probe', '{"echo":3}', '-i', 'chat-server-1', ...d]);
  check('module disable: calls refused; module enable: answered again', r.code === 0 && off.code === 1 &&
        /admin module probe is disabled/.test(off.err) && on.code === 0 && back.code === 0 && answers(back.out)['chat-server-1'].echo === 3,
        [r.all, off.all, on.all, back.all]);
  const t0 = Date.now();
  r = cli(['module', 'call', 'probe', '{"sleep":3000}', '-i', 'chat-server-1', ...d]);
  const took = Date.now() - t0;
  check('a server that does not answer in time: consoleTimeout, a clear error, exit 1', r.code === 1 &&
        /chat-server-1: error: no answer within 1500 ms \(consoleTimeout\)/.test(r.err) && took < 3500, [r.all, took]);
  await sleep(2500);
  r = cli(['module', 'call', 'probe', '{"echo":4}', '-i', 'chat-server-1', ...d]);
  check('... its late answer is dropped; the next call is answered', r.code === 0 && answers(r.out)['chat-server-1'].echo === 4, r.all);

  // ---- settings ----
  r = cli(['settings', 'set', 'motd', 'hello world', '-i', 'chat-server-1', ...d]);
  const got = cli(['settings', 'get', 'motd', '-t', 'chat', ...d]);
  a = answers(got.out);
  check('settings set then get (a word that is not JSON is a string)', r.code === 0 && got.code === 0 &&
        a['chat-server-1'] && a['chat-server-1'].value === 'hello world' && a['chat-server-1'].set === true, [r.all, got.all]);
  r = cli(['settings', 'get', 'serverId', ...d]);
  a = answers(r.out);
  check('settings get serverId: each server its own', r.code === 0 && a['master-server-1'].value === 'master-server-1' &&
        a['connector-server-1'].value === 'connector-server-1', r.all);
  r = cli(['settings', 'set', 'big', JSON.stringify('x'.repeat(70000)), '-i', 'chat-server-1', ...d]);
  check('an oversized setting value is refused', r.code === 1 && /over the limit/.test(r.all), r.all);

  // ---- level 2: read-only ----
  const mon = { user: 'monitor', password: 'monitor' };
  const reads = [cli(['info', 'nodeInfo', 'chat-server-1', ...d], mon), cli(['settings', 'get', 'env', ...d], mon),
                 cli(['module', 'list', ...d], mon), cli(['blacklist', 'list', ...d], mon), cli(['cron', 'list', '-t', 'chat', ...d], mon)];
  check('a level-2 user may read (info, settings get, module list, blacklist list, cron list)', reads.every((x) => x.code === 0), reads.map((x) => x.all));
  const writes = [cli(['settings', 'set', 'motd', '1', ...d], mon), cli(['module', 'call', 'probe', '-i', 'chat-server-1', ...d], mon),
                  cli(['module', 'disable', 'probe', ...d], mon), cli(['blacklist', 'add', '127.0.0.3', ...d], mon),
                  cli(['cron', 'add', 'id=9', 'time=* * * * * *', 'action=probeCron.tick', 'serverId=chat-server-1', ...d], mon),
                  cli(['cron', 'remove', '9', ...d], mon)];
  check('a level-2 user is refused every write, exit 1', writes.every((x) => x.code === 1 && /command level not allowed/.test(x.err)), writes.map((x) => x.all));

  // ---- cron at run time ----
  r = cli(['cron', 'add', 'id=77', 'time=* * * * * *', 'action=probeCron.tick', 'serverId=chat-server-1', ...d]);
  check('cron add: accepted by the server', r.code === 0 && /chat-server-1: \[.*"id":77/.test(r.out), r.all);
  let fired = [];
  try {
    await waitFor(() => (fired = log(A.dir, 'chat-server-1').match(/probe cron fired id=77/g) || []).length >= 2, 5000, 'cron runs', 100);
  } catch (e) { /* checked below */ }
  check('the added cron fires every second', fired.length >= 2, log(A.dir, 'chat-server-1').slice(-1500));
  r = cli(['cron', 'list', '-i', 'chat-server-1', ...d]);
  check('cron list shows it', r.code === 0 && /"id":77/.test(r.out), r.all);
  r = cli(['cron', 'add', 'id=78', 'time=0 61 * * * *', 'action=probeCron.tick', 'serverId=chat-server-1', ...d]);
  check('a bad cron expression is refused with the reason', r.code === 1 && /minute field "61"/.test(r.err), r.all);
  r = cli(['cron', 'add', 'id=77', 'time=* * * * * *', 'action=probeCron.tick', 'serverId=chat-server-1', ...d]);
  check('a cron id in use is refused', r.code === 1, r.all);
  r = cli(['cron', 'remove', '77', '-i', 'chat-server-1', ...d]);
  check('cron remove', r.code === 0 && /"removed":\[77\]/.test(r.out), r.all);
  await sleep(1200);
  const before = (log(A.dir, 'chat-server-1').match(/probe cron fired id=77/g) || []).length;
  await sleep(2200);
  const after = (log(A.dir, 'chat-server-1').match(/probe cron fired id=77/g) || []).length;
  check('a removed cron fires no more', after === before, [before, after]);
  r = cli(['cron', 'add', 'id=79', 'time=* * * * * *', 'action=probeCron.tick', ...d]);
  check('cron add with no server named: exit 2', r.code === 2, r.all);

  // ---- blacklist ----
  r = cli(['blacklist', 'add', '127.0.0.2', ...d]);
  a = answers(r.out);
  check('blacklist add: every frontend (and only frontends) takes it', r.code === 0 && a['connector-server-1'] &&
        a['connector-server-1'].blacklist.includes('127.0.0.2') && !a['chat-server-1'] && !a['master-server-1'], r.all);
  const refused = await handshake(A.connector.clientPort, '127.0.0.2');
  const other = await handshake(A.connector.clientPort, '127.0.0.1');
  check('the connector refuses the blacklisted address at accept', refused === null, refused);
  check('... and serves other addresses', other && other.type === 1, other);
  r = cli(['blacklist', 'remove', '127.0.0.2', ...d]);
  const again = await handshake(A.connector.clientPort, '127.0.0.2');
  check('blacklist remove: the address is served again', r.code === 0 && again && again.type === 1, [r.all, again]);
  r = cli(['blacklist', 'add', 'not-an-ip', ...d]);
  check('blacklist add of something that is not an IP address: refused', r.code === 1 && /is not an IP address/.test(r.err), r.all);

  // ---- malformed console messages on the master link ----
  const logBefore = log(A.dir, 'master-server-1').length;
  const login = await adminLogin(A.port, 'admin', 'admin');
  check('raw admin login', login.ok);
  const raw = async (msg) => { login.conn.send(msg); return login.conn.next(5000); };
  const bad = [
    { t: 'admin', cmd: 'module', op: 'call', module: '../../etc' },
    { t: 'admin', cmd: 'module', op: 'explode', module: 'probe' },
    { t: 'admin', cmd: 'module', op: 'call', module: 'probe', ids: 'chat-server-1' },
    { t: 'admin', cmd: 'settings', op: 'set', key: 'k' },
    { t: 'admin', cmd: 'settings', op: 'get', key: 'k'.repeat(300) },
    { t: 'admin', cmd: 'addCron', cron: 'every second' },
    { t: 'admin', cmd: 'removeCron', id: { x: 1 } },
    { t: 'admin', cmd: 'blacklist', op: 'add', ips: [] },
    { t: 'admin', cmd: 'info', module: 5 },
    { t: 'admin', cmd: 'module', op: 'call', module: 'probe', ids: ['chat-server-1'], body: 'x'.repeat(70000) },
  ];
  let nested = 1;
  for (let i = 0; i < 15; i++) nested = [nested];  // 15 arrays: the master link's 16 levels with the frame
  bad.push({ t: 'admin', cmd: 'settings', op: 'set', key: 'k', value: 1, ids: [5] },
           { t: 'admin', cmd: 'settings', op: 'set', key: 'k', value: 1, type: ['chat'] });
  const replies = [];
  for (const m of bad) replies.push(await raw(m));
  check('malformed console commands: each answered with an error, the link stays open',
        replies.every((x) => x && x.t === 'admin_result' && x.ok === false && typeof x.error === 'string' && x.error.length > 0), replies);
  check('... a malformed target is refused before any server is asked (never widened to every server)',
        replies[2] && replies[2].error === 'ids: expected a list of server ids' && !replies[2].results &&
        replies[10] && replies[10].error === 'ids: expected a list of server ids' &&
        replies[11] && replies[11].error === 'type: expected a server type', replies.slice(10));
  const deep = await raw({ t: 'admin', cmd: 'settings', op: 'set', key: 'deep', value: nested, ids: ['chat-server-1'] });
  check('a value nested as deep as the link allows, one level too deep for the server\'s frame: refused by the master',
        deep && deep.ok === false && /nests deeper than 15 levels/.test(deep.error), deep);
  const ok = await raw({ t: 'admin', cmd: 'module', op: 'call', module: 'probe', ids: ['chat-server-1'], body: { echo: 5 } });
  check('... and a good one after them is answered', ok && ok.ok === true && ok.results[0].answer.echo === 5, ok);
  login.conn.destroy();
  check('... and no server lost its link to the master over them',
        !/left the cluster/.test(log(A.dir, 'master-server-1').slice(logBefore)), log(A.dir, 'master-server-1').slice(logBefore).slice(-1500));

  // ---- a stopped server ----
  r = cli(['stop', 'chat-server-1', ...d]);
  await waitFor(() => {
    try { return JSON.parse(cli(['list', ...d, '--json']).out).servers.find((x) => x.id === 'chat-server-1').state === 'stopped'; } catch (e) { return false; }
  }, 30000, 'chat-server-1 stopped', 200).catch(() => {});
  r = cli(['info', 'nodeInfo', ...d]);
  a = answers(r.out);
  check('a stopped server fails at once with "not running"; the others answer, exit 1', r.code === 1 &&
        /chat-server-1: error: not running/.test(r.err) && a['master-server-1'] && a['connector-server-1'], r.all);

  // ---- audit ----
  const mlog = log(A.dir, 'master-server-1');
  check('audit lines for console commands, refusals included',
        /admin audit: user="admin" address=127\.0\.0\.1 command="module call probe -i chat-server-1|admin audit: user="admin" address=127\.0\.0\.1 command="module call probe chat-server-1/.test(mlog) &&
        /admin audit: user="monitor" .*command="settings set motd.*result=refused \(level 2\)/.test(mlog) &&
        /admin audit: user="admin" .*command="blacklist add .*127\.0\.0\.2.*result=ok/.test(mlog),
        mlog.split('\n').filter((l) => l.includes('admin audit')).slice(-12).join('\n'));
}

(async () => {
  const A = await app();
  try {
    await main(A);
  } catch (e) {
    failed++;
    console.log('FAIL exception: ' + e.stack);
  } finally {
    cli(['kill', '-f', '-d', A.dir]);
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
})();
