#!/usr/bin/env node
// Integration tests of the rpc plugin: starts real shaddock-host processes (a driver "rpca-1" and
// backends "rpcb-1..3", all running tests/rpc/rpc_test_app with static peers, no master), sends the
// driver JSON commands on its stdin and checks the "@@ {json}" result lines it prints.
//
//   node rpc_cluster_test.mjs --scenario basic|routing|faults|cluster|master|bench|filters|errors|hostile
//                             [--transport nats] --work-dir <dir>
// run by CTest (rpc_cluster_<scenario>, and rpc_nats_<scenario> with --transport nats), which sets SHADDOCK_HOST, SHADDOCK_PLUGINS_DIR, SHADDOCK_APPS_DIR (the
// folder of rpc_test_app) and SHADDOCK_TEST_PLUGINS_DIR (the folder of fake_cluster.so).
//
// Also speaks the wire format of docs/rpc.md itself (RawPeer) to check it from outside and to send
// bad frames. Prints "ok"/"not ok" per check and "N passed, M failed" at the end.
//
// With --transport nats every scenario runs the same servers with the rpc_nats plugin instead of rpc,
// over a real nats-server this script starts (tools/node/engines.js); the checks of the TCP wire
// (RawPeer, sockets) are skipped there, and the scenarios nats_hostile and nats_restart
// (rpc_nats_hostile_test.mjs) attack and restart NATS instead.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { freePort, sleep, requiredEnv } from '../../tools/node/util.js';

// ------------------------------------------------------------------------------------------------
// Command line, bookkeeping

const opts = {
  host: requiredEnv('SHADDOCK_HOST'),
  'plugins-dir': requiredEnv('SHADDOCK_PLUGINS_DIR'),
  'apps-dir': requiredEnv('SHADDOCK_APPS_DIR'),
  'test-plugins-dir': requiredEnv('SHADDOCK_TEST_PLUGINS_DIR'),
};
for (let i = 2; i < process.argv.length; i += 2) opts[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
for (const k of ['scenario', 'work-dir'])
  if (!opts[k]) { console.error(`missing --${k}`); process.exit(2); }
const NATS = opts.transport === 'nats';
const TCP = !NATS;
const RPC_NAME = NATS ? 'rpc_nats' : 'rpc';  // the plugin, as its log lines name it
const NATS_TOKEN = 'nats-test-token-' + crypto.randomBytes(6).toString('hex');
let natsEngine = null;  // started on first use
const engines = createRequire(import.meta.url)('../../tools/node/engines.js');
async function nats() {
  if (!natsEngine) natsEngine = await engines.start('nats', { token: NATS_TOKEN });
  return natsEngine;
}
// The RPC plugin entry of plugins.json: the name is the only difference between the transports, plus
// where NATS is. `prefix` keeps the clusters of one scenario apart on the one nats-server.
async function rpcPlugin(entry, prefix) {
  if (TCP) return { name: 'rpc', ...entry };
  const n = await nats();
  return { ...entry, name: 'rpc_nats', options: { url: n.url, token: NATS_TOKEN, subjectPrefix: prefix, ...(entry.options || {}) } };
}
function tcpOnly(what) {
  if (NATS) console.log(`# skipped over NATS (TCP wire only): ${what}`);
  return TCP;
}

const SECRET = 'rpc-test-secret';
let passed = 0, failed = 0;
const children = new Set();
process.on('exit', () => { for (const c of children) try { c.kill('SIGKILL'); } catch {} });

function check(name, cond, detail) {
  if (cond) { passed++; console.log(`ok - ${name}`); }
  else { failed++; console.log(`not ok - ${name}${detail !== undefined ? ': ' + (typeof detail === 'string' ? detail : JSON.stringify(detail)) : ''}`); }
  return cond;
}
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

// ------------------------------------------------------------------------------------------------
// Pomelo's crc32 route, written from its definition (the low byte of each UTF-16 code unit), to
// check the C++ routing against an independent implementation.

const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let i = 0; i < 256; i++) { let c = i; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; t[i] = c; }
  return t;
})();
function crc32(str) {
  let crc = -1;
  for (let i = 0; i < str.length; i++) crc = CRC_TABLE[(crc ^ str.charCodeAt(i)) & 0xff] ^ (crc >>> 8);
  return (crc ^ -1) | 0;  // signed int32, as the npm crc module returns it
}
const pomeloIndex = (uid, n) => Math.abs(crc32(String(uid || ''))) % n;

// ------------------------------------------------------------------------------------------------
// A cluster of shaddock-host processes

class Server {
  constructor(cluster, id) { this.cluster = cluster; this.id = id; this.lines = []; this.waiters = []; this.proc = null; }

  start({ waitStarted = true } = {}) {
    const c = this.cluster;
    this.lines = [];  // a restart must not see the lines of the previous process
    const proc = spawn(opts.host, ['--app-dir', c.dir, '--env', 'development', '--server-id', this.id,
      '--plugins-dir', opts['plugins-dir'], '--apps-dir', opts['apps-dir'], '--log-dir', path.join(c.dir, 'logs'),
      '--log-level', c.logLevel || 'info'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc = proc;
    children.add(proc);
    this.exited = new Promise((resolve) => proc.on('exit', (code, signal) => { children.delete(proc); resolve({ code, signal }); }));
    let buf = '';
    proc.stdout.on('data', (d) => {
      buf += d.toString('utf8');
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl); buf = buf.slice(nl + 1);
        if (!line.startsWith('@@ ')) continue;
        let msg; try { msg = JSON.parse(line.slice(3)); } catch { msg = { unparsable: line }; }
        this.lines.push(msg);
        for (const w of [...this.waiters]) if (w.pred(msg)) { this.waiters.splice(this.waiters.indexOf(w), 1); w.resolve(msg); }
      }
    });
    proc.stderr.on('data', () => {});  // the host writes the same lines to --log-dir
    proc.stdin.on('error', () => {});
    if (!waitStarted) return Promise.resolve({});
    return this.waitFor((m) => m.event === 'started', 10000, `${this.id} started`);
  }

  send(cmd) { this.proc.stdin.write(JSON.stringify(cmd) + '\n'); }

  // The first line (already seen or still to come) that matches.
  waitFor(pred, timeoutMs, what) {
    const seen = this.lines.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => {
      const w = { pred, resolve };
      this.waiters.push(w);
      setTimeout(() => {
        const i = this.waiters.indexOf(w);
        if (i >= 0) { this.waiters.splice(i, 1); resolve({ timeout: true, what }); }
      }, timeoutMs);
    });
  }

  count(pred) { return this.lines.filter(pred).length; }

  // Sends one command and waits for the line carrying its tag.
  async run(cmd, timeoutMs = 10000) {
    this.send(cmd);
    return this.waitFor((m) => m.tag === cmd.tag && !m.duplicate, timeoutMs, cmd.tag);
  }

  kill(signal) { this.proc.kill(signal); return this.exited; }
}

let clusterCount = 0;
// `cluster`: {order: [ids], secret} runs the fake_cluster test plugin (membership in that order,
// the secret from it) instead of static peers.
// `noPeers`: only the secret, so the plugin takes the servers of servers.json (the host's list_servers).
async function startCluster(name, { driver = {}, backend = {}, backends = 3, weights = [], cluster: fake = null, hosts = {}, noPeers = false, logLevel } = {}) {
  const dir = path.join(opts['work-dir'], `${name}-${++clusterCount}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'config'), { recursive: true });
  const ids = ['rpca-1', ...Array.from({ length: backends }, (_, i) => `rpcb-${i + 1}`)];
  const entries = {};
  for (const [i, id] of ids.entries()) {
    const e = { id, host: hosts[id] || '127.0.0.1', port: await freePort(), serverType: id.startsWith('rpca') ? 'rpca' : 'rpcb' };
    if (i > 0 && weights[i - 1] !== undefined) e.weight = weights[i - 1];
    entries[id] = e;
  }
  const servers = { rpca: [], rpcb: [] };
  for (const id of ids) { const { serverType, ...rest } = entries[id]; servers[serverType].push(rest); }
  fs.writeFileSync(path.join(dir, 'config', 'servers.json'), JSON.stringify({ development: servers }, null, 2));
  const peers = Object.fromEntries(ids.map((id) => [id, entries[id]]));
  const common = fake ? {} : noPeers ? { secret: SECRET } : { secret: SECRET, peers };
  const prefix = `shd.rpc.t${clusterCount}`;
  const plugins = [
    await rpcPlugin({ serverTypes: 'rpca', options: { ...common, ...driver } }, prefix),
    await rpcPlugin({ serverTypes: 'rpcb', options: { ...common, ...backend } }, prefix),
  ];
  if (fake) {
    plugins.unshift({ name: 'fake_cluster', path: path.join(opts['test-plugins-dir'], 'fake_cluster.so'),
      options: { servers: fake.order.map((id) => entries[id]), secret: fake.secret } });
  }
  fs.writeFileSync(path.join(dir, 'config', 'plugins.json'),
    JSON.stringify({ plugins, app: { name: 'rpc_test_app' } }, null, 2));
  const cluster = { dir, entries, servers: {}, logLevel, prefix };
  for (const id of ids) cluster.servers[id] = new Server(cluster, id);
  const started = await Promise.all(Object.values(cluster.servers).map((s) => s.start()));
  if (!check(`${name}: cluster of ${ids.length} servers started`, started.every((m) => !m.timeout), started)) {
    dumpLogs(cluster);
    process.exit(1);
  }
  return cluster;
}

async function stopCluster(cluster, name) {
  // The driver first, so its pending calls meet its own stop rather than a backend's.
  const driver = cluster.servers['rpca-1'];
  driver.send({ op: 'stop' });
  const first = await Promise.race([driver.exited, sleep(15000).then(() => 'timeout')]);
  const others = Object.values(cluster.servers).filter((s) => s !== driver && s.proc.exitCode === null && !s.proc.killed);
  for (const s of others) s.proc.kill('SIGTERM');
  const rest = await Promise.race([Promise.all(others.map((s) => s.exited)), sleep(15000).then(() => 'timeout')]);
  const results = first === 'timeout' || rest === 'timeout' ? 'timeout' : [first, ...rest];
  check(`${name}: every server stopped cleanly (exit 0)`, results !== 'timeout' && results.every((r) => r.code === 0), results);
}

function dumpLogs(cluster) {
  const logs = path.join(cluster.dir, 'logs');
  if (!fs.existsSync(logs)) return;
  for (const f of fs.readdirSync(logs)) {
    const text = fs.readFileSync(path.join(logs, f), 'utf8').split('\n').slice(-30).join('\n');
    console.log(`--- ${f} (last lines)\n${text}`);
  }
}

// Checks a call result line: status, and that the callback ran outside the call.
function checkResult(name, line, status, result) {
  const ok = !line.timeout && line.status === status && line.inline === false && (result === undefined || same(line.result, result));
  return check(name, ok, line);
}

// ------------------------------------------------------------------------------------------------
// The wire format of docs/rpc.md, spoken by hand

const T = { challenge: 0x01, hello: 0x02, welcome: 0x03, request: 0x10, response: 0x11, forward: 0x12 };
const u16 = (n) => { const b = Buffer.alloc(2); b.writeUInt16BE(n); return b; };
const field = (b) => Buffer.concat([u16(b.length), b]);
const str = (s) => field(Buffer.from(s, 'utf8'));
function frame(type, body) {
  const h = Buffer.alloc(5); h.writeUInt32BE(1 + body.length); h[4] = type;
  return Buffer.concat([h, body]);
}
function proof(label, secret, serverNonce, clientNonce, clientId, serverId) {
  return crypto.createHmac('sha256', secret).update(Buffer.concat([Buffer.from(label + '\0'), field(serverNonce),
    field(clientNonce), field(Buffer.from(clientId)), field(Buffer.from(serverId))])).digest();
}

class RawPeer {
  constructor(port) {
    this.frames = []; this.waiters = []; this.buf = Buffer.alloc(0);
    this.sock = net.connect(port, '127.0.0.1');
    this.sock.setNoDelay(true);
    this.closed = new Promise((resolve) => this.sock.on('close', () => resolve(true)));
    this.sock.on('error', () => {});
    this.sock.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      while (this.buf.length >= 4 && this.buf.length >= 4 + this.buf.readUInt32BE(0)) {
        const len = this.buf.readUInt32BE(0);
        const f = { type: this.buf[4], body: this.buf.subarray(5, 4 + len) };
        this.buf = this.buf.subarray(4 + len);
        const w = this.waiters.shift();
        if (w) w(f); else this.frames.push(f);
      }
    });
  }
  next(timeoutMs = 3000) {
    if (this.frames.length) return Promise.resolve(this.frames.shift());
    return new Promise((resolve) => {
      const w = (f) => resolve(f);
      this.waiters.push(w);
      setTimeout(() => { const i = this.waiters.indexOf(w); if (i >= 0) { this.waiters.splice(i, 1); resolve(null); } }, timeoutMs);
    });
  }
  write(b) { this.sock.write(b); }
  // Resolves true if the server closes the connection within timeoutMs.
  closedWithin(timeoutMs) { return Promise.race([this.closed, sleep(timeoutMs).then(() => false)]); }
  end() { this.sock.destroy(); }
  static parseChallenge(f) {
    const idLen = f.body.readUInt16BE(33);
    return { version: f.body[0], nonce: f.body.subarray(1, 33), serverId: f.body.subarray(35, 35 + idLen).toString() };
  }
  // A full handshake; returns the welcome frame (or null).
  async handshake(serverId, { secret = SECRET, clientId = 'raw-client', claim = serverId } = {}) {
    const ch = await this.next();
    if (!ch || ch.type !== T.challenge) return { error: 'no challenge' };
    const c = RawPeer.parseChallenge(ch);
    const nonce = crypto.randomBytes(32);
    const mac = proof('shd.rpc/1 hello', secret, c.nonce, nonce, clientId, claim);
    this.write(frame(T.hello, Buffer.concat([Buffer.from([1]), nonce, mac, str(clientId), str(claim)])));
    const welcome = await this.next(2000);
    const expected = proof('shd.rpc/1 welcome', secret, c.nonce, nonce, clientId, claim);
    return { challenge: c, welcome, welcomeValid: !!welcome && welcome.type === T.welcome && welcome.body.equals(expected) };
  }
  request(id, ns, service, method, args) {
    const idb = Buffer.alloc(8); idb.writeBigUInt64BE(BigInt(id));
    this.write(frame(T.request, Buffer.concat([idb, str(ns), str(service), str(method), Buffer.from(args)])));
  }
  // A FORWARD frame (docs/rpc.md); settings null sends the "settings unchanged" flag instead.
  static forwardFrame(id, { kind = 0, flags = null, msgId = 1, sessionId = 1, route = 'rpcb.h.m', frontendId = 'raw-client', uid = 'u', settings = '{}', body = '{}' } = {}) {
    const head = Buffer.alloc(22);
    head.writeBigUInt64BE(BigInt(id)); head[8] = kind; head[9] = flags ?? (settings === null ? 1 : 0);
    head.writeUInt32BE(msgId, 10); head.writeBigUInt64BE(BigInt(sessionId), 14);
    const parts = [head, str(route), str(frontendId), str(uid)];
    if (settings !== null) { const b = Buffer.from(settings); const n = Buffer.alloc(4); n.writeUInt32BE(b.length); parts.push(n, b); }
    parts.push(Buffer.from(body));
    return frame(T.forward, Buffer.concat(parts));
  }
  static parseResponse(f) {
    return { id: Number(f.body.readBigUInt64BE(0)), status: f.body.readInt32BE(8), result: f.body.subarray(12).toString() };
  }
}

// ------------------------------------------------------------------------------------------------
// Scenarios

async function basic() {
  // rpcb-3 is known by a host name: listening and connecting resolve it.
  const cl = await startCluster('basic', { driver: { timeout: 1500, ioThreads: 3 }, backend: { ioThreads: 2 }, hosts: { 'rpcb-3': 'localhost' } });
  const d = cl.servers['rpca-1'];
  const inv = (tag, server, method, args, extra = {}) => d.run({ op: 'invoke', tag, server, type: 'rpcb', method, args, ...extra });
  const call = (tag, route, method, args, extra = {}) => d.run({ op: 'call', tag, type: 'rpcb', route, method, args, ...extra });

  checkResult('echo round trip', await inv('echo', 'rpcb-1', 'echo', [1, 'two', { three: [3] }, null, 'ü€😀']),
    0, [null, [1, 'two', { three: [3] }, null, 'ü€😀']]);
  checkResult('add on another server', await inv('add', 'rpcb-2', 'add', [40, 2]), 0, [null, 42]);
  checkResult('remote sees the caller id', await inv('caller', 'rpcb-3', 'caller', []), 0, [null, 'rpca-1']);
  checkResult('a server calls itself', await d.run({ op: 'invoke', tag: 'self', server: 'rpca-1', method: 'whoami', args: [] }),
    0, [null, 'rpca-1']);
  checkResult('empty args mean []', await d.run({ op: 'invoke', tag: 'noargs', server: 'rpcb-1', method: 'echo', args: '' }),
    0, [null, []]);

  let r = await inv('nosrv', 'rpcb-9', 'echo', []);
  checkResult('unknown server -> SHD_ERR_NOT_FOUND', r, 5);
  check('  with a message naming it', typeof r.result === 'string' && r.result.includes('rpcb-9'), r.result);
  r = await inv('nomethod', 'rpcb-1', 'nosuch', []);
  checkResult('unknown remote method -> SHD_ERR_NOT_FOUND from the remote', r, 5, 'no remote user.testRemote.nosuch on rpcb-1');
  checkResult('unknown namespace -> SHD_ERR_NOT_FOUND', await inv('nons', 'rpcb-1', 'echo', [], { ns: 'sys' }), 5);
  checkResult('remote replies an error status', await inv('remoteerr', 'rpcb-1', 'add', ['x']), 1, 'add expects two numbers');
  checkResult('args that are not an array -> SHD_ERR_INVALID', await inv('badargs', 'rpcb-1', 'echo', { x: 1 }), 1);
  checkResult('call to an unknown type -> SHD_ERR_NOT_FOUND', await d.run({ op: 'call', tag: 'notype', type: 'nosuch', route: {}, method: 'echo', args: [] }), 5);

  checkResult('toServer "*" calls every member in membership order',
    await inv('star', '*', 'whoami', []), 0, [[null, 'rpcb-1'], [null, 'rpcb-2'], [null, 'rpcb-3']]);
  checkResult('"*" of an unknown type -> SHD_ERR_NOT_FOUND',
    await d.run({ op: 'invoke', tag: 'starnone', server: '*', type: 'nosuch', method: 'whoami', args: [] }), 5);
  r = await d.run({ op: 'invoke', tag: 'starerr', server: '*', type: 'rpcb', method: 'add', args: ['x'] });
  checkResult('"*" reports the first error', r, 1);
  check('  and every server\'s answer', Array.isArray(r.result) && r.result.length === 3 && r.result.every((x) => x === 'add expects two numbers'), r.result);

  // Timeouts: a per-call override, and the configured default (the driver's option timeout 1500).
  const [t1, t2] = await Promise.all([
    inv('timeout', 'rpcb-1', 'sleep', [1000], { timeout: 200 }),
    inv('deftimeout', 'rpcb-2', 'sleep', [2500]),
  ]);
  checkResult('per-call timeout -> SHD_ERR_TIMEOUT', t1, 7, 'rpc to rpcb-1 timed out after 200 ms');
  check('  fired near its deadline', t1.ms >= 190 && t1.ms < 900, t1.ms);
  checkResult('default timeout option -> SHD_ERR_TIMEOUT', t2, 7, 'rpc to rpcb-2 timed out after 1500 ms');

  // Route functions.
  const route = async (mode, type = 'rpcb') => d.run({ op: 'set_route', tag: `route-${mode}-${type}`, type, mode });
  await route('param');
  checkResult('route function: chooses from the route param', await call('rparam', { target: 'rpcb-3' }, 'whoami', []), 0, [null, 'rpcb-3']);
  await route('last');
  checkResult('route function: last candidate', await call('rlast', {}, 'whoami', []), 0, [null, 'rpcb-3']);
  await route('async');
  checkResult('route function answering later', await call('rasync', {}, 'whoami', []), 0, [null, 'rpcb-3']);
  await route('bogus');
  r = await call('rbogus', {}, 'whoami', []);
  checkResult('route function choosing a non-member -> SHD_ERR_NOT_FOUND', r, 5);
  check('  with a message naming the choice', typeof r.result === 'string' && r.result.includes('no-such-server'), r.result);
  await route('fail');
  checkResult('route function failing -> its status', await call('rfail', {}, 'whoami', []), 1);
  await route('none');
  await route('last', 'default');
  checkResult('the "default" route function', await call('rdefault', { uid: 'alice*r1' }, 'whoami', []), 0, [null, 'rpcb-3']);
  await route('none', 'default');
  checkResult('back to the crc32 route', await call('rcrc', { uid: 'alice*r1' }, 'whoami', []), 0, [null, 'rpcb-1']);

  // 1000 pipelined calls, each answered exactly once with its own echo.
  for (const [tag, cmd] of [['burst-invoke', { server: 'rpcb-2' }], ['burst-call', { type: 'rpcb', route: { uid: 'bob' } }]]) {
    r = await d.run({ op: 'burst', tag, count: 1000, method: 'echo', ...cmd }, 30000);
    check(`1000 pipelined calls (${tag}) all answered once, correctly, never inline`,
      r.count === 1000 && r.ok === 1000 && r.mismatched === 0 && r.inline === 0, r);
  }

  // Late responses (the timed-out sleeps) and any second callback would show up by now.
  await sleep(1200);
  check('no callback ran twice', d.count((m) => m.duplicate) === 0, d.lines.filter((m) => m.duplicate));
  check('no callback ran inside its call', d.count((m) => m.inline === true) === 0);

  // Stopping fails what is pending with SHD_ERR_SHUTDOWN.
  d.send({ op: 'invoke', tag: 'shutdown', server: 'rpcb-1', method: 'sleep', args: [5000] });
  await cl.servers['rpcb-1'].waitFor((m) => m.event === 'sleeping' && m.ms === 5000, 5000);
  const stopping = stopCluster(cl, 'basic');
  r = await d.waitFor((m) => m.tag === 'shutdown', 10000, 'shutdown');
  checkResult('host stopping -> SHD_ERR_SHUTDOWN for a pending call', r, 9);
  await stopping;
}

async function routing() {
  // Pomelo's default route, computed above in JS, for ASCII, non-ASCII, astral, numeric and falsy uids.
  check('JS crc32("123456789") = 0xcbf43926', (crc32('123456789') >>> 0) === 0xcbf43926);
  check('JS crc32("abc") = 0x352441c2', (crc32('abc') >>> 0) === 0x352441c2);
  check('JS crc32("alice*r1") = -1310075493', crc32('alice*r1') === -1310075493);
  const uids = ['', 'alice*r1', 'abc', '123456789', 'bob', 'Zoë', 'émile', '中文', '用户42', '😀', 'a😀b', 'ß',
    ...Array.from({ length: 24 }, (_, i) => `user-${i}`), 42, 7, 123456, 0, true, false, null];
  const expected = uids.map((u) => `rpcb-${pomeloIndex(u, 3) + 1}`);
  const cl = await startCluster('routing');
  const d = cl.servers['rpca-1'];
  const r = await d.run({ op: 'route', tag: 'crc', type: 'rpcb', uids });
  check(`crc32 routing matches Pomelo's for ${uids.length} uids`, same(r.servers, expected), { got: r.servers, expected });
  check('  and spreads over every server', new Set(expected).size === 3);
  await stopCluster(cl, 'routing');

  // The routerType option, end to end (membership order rpcb-1, -2, -3; weights 3, 1, 2).
  const six = Array.from({ length: 6 }, (_, i) => `u${i}`);
  for (const [router, want] of [
    ['rr', [1, 2, 3, 1, 2, 3]],
    ['wrr', [1, 1, 3, 1, 2, 3]],
    ['la', [1, 2, 3, 1, 2, 3]],
  ]) {
    const c = await startCluster(`routing-${router}`, { driver: { routerType: router }, weights: [3, 1, 2] });
    const got = await c.servers['rpca-1'].run({ op: 'route', tag: router, type: 'rpcb', uids: six });
    check(`routerType ${router} picks ${want.join(',')}`, same(got.servers, want.map((n) => `rpcb-${n}`)), got);
    await stopCluster(c, `routing-${router}`);
  }
  // Without a peers option the membership is servers.json, in file order.
  const cfg = await startCluster('routing-config', { noPeers: true });
  checkResult('no peers option: membership from servers.json',
    await cfg.servers['rpca-1'].run({ op: 'invoke', tag: 'star', server: '*', type: 'rpcb', method: 'whoami', args: [] }), 0,
    [[null, 'rpcb-1'], [null, 'rpcb-2'], [null, 'rpcb-3']]);
  const cr = await cfg.servers['rpca-1'].run({ op: 'route', tag: 'crc', type: 'rpcb', uids: uids.slice(0, 12) });
  check('  and crc32 routing over it', same(cr.servers, expected.slice(0, 12)), cr);
  await stopCluster(cfg, 'routing-config');

  const c = await startCluster('routing-ch', { driver: { routerType: 'ch' } });
  const uids40 = Array.from({ length: 40 }, (_, i) => `player-${i}`);
  const a = await c.servers['rpca-1'].run({ op: 'route', tag: 'ch1', type: 'rpcb', uids: uids40 });
  const b = await c.servers['rpca-1'].run({ op: 'route', tag: 'ch2', type: 'rpcb', uids: uids40 });
  check('routerType ch is sticky per uid and uses several servers', same(a.servers, b.servers) && new Set(a.servers).size > 1, { a, b });
  await stopCluster(c, 'routing-ch');
}

async function faults() {
  const cl = await startCluster('faults', { driver: { failMode: 'failover', connectTimeout: 1000 }, backend: { connectTimeout: 1000 } });
  const d = cl.servers['rpca-1'];
  const port = (id) => cl.entries[id].port;

  if (tcpOnly('the wire format spoken by hand, bad peers on the RPC port')) {
    // The documented wire format, spoken by an independent client.
    let p = new RawPeer(port('rpcb-1'));
    let hs = await p.handshake('rpcb-1');
    check('raw client: challenge names the server', hs.challenge && hs.challenge.serverId === 'rpcb-1' && hs.challenge.version === 1, hs.challenge);
    check('raw client: the server proves the secret in its welcome', hs.welcomeValid);
    p.request(1, 'user', 'testRemote', 'echo', '["raw",1]');
    p.request(2, 'user', 'testRemote', 'caller', '[]');
    const f1 = await p.next(), f2 = await p.next();
    const r1 = f1 && RawPeer.parseResponse(f1), r2 = f2 && RawPeer.parseResponse(f2);
    check('raw client: pipelined requests answered in frames of docs/rpc.md',
      f1 && f1.type === T.response && r1.id === 1 && r1.status === 0 && r1.result === '[null,["raw",1]]' &&
      r2.id === 2 && r2.result === '[null,"raw-client"]', { r1, r2 });
    p.end();

    // Bad peers are cut off; the server keeps serving.
    p = new RawPeer(port('rpcb-1'));
    hs = await p.handshake('rpcb-1', { secret: 'wrong-secret' });
    check('hello with a wrong secret: no welcome, connection closed', !hs.welcome && await p.closedWithin(2000));
    p = new RawPeer(port('rpcb-1'));
    hs = await p.handshake('rpcb-1', { claim: 'rpcb-2' });
    check('hello meant for another server: connection closed', !hs.welcome && await p.closedWithin(2000));
    p = new RawPeer(port('rpcb-1'));
    p.write(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    check('garbage bytes: connection closed', await p.closedWithin(2000));
    p = new RawPeer(port('rpcb-1'));
    await p.next();
    p.request(1, 'user', 'testRemote', 'echo', '[]');
    const answer = await p.next(1000);
    check('request before authenticating: no answer, connection closed', !answer && await p.closedWithin(2000));
    p = new RawPeer(port('rpcb-1'));
    await p.next();
    p.write(Buffer.from([0x7f, 0xff, 0xff, 0xff, 0x10]));
    check('oversized frame length: connection closed', await p.closedWithin(2000));
    p = new RawPeer(port('rpcb-1'));
    await p.next();
    p.write(Buffer.from([0x00, 0x01, 0x86, 0xa0, 0x02]));  // 100000 bytes announced: fine later, not before the hello
    check('large frame before authenticating: connection closed', await p.closedWithin(2000));
    p = new RawPeer(port('rpcb-1'));
    check('silent peer: closed after connectTimeout', await p.closedWithin(4000));
  }
  checkResult('the server keeps serving after all of that', await d.run({ op: 'invoke', tag: 'alive', server: 'rpcb-1', method: 'whoami', args: [] }), 0, [null, 'rpcb-1']);

  // SIGKILL mid-call: SHD_ERR_IO exactly once, then the next call after a restart reconnects.
  const b2 = cl.servers['rpcb-2'];
  checkResult('warm link to rpcb-2', await d.run({ op: 'invoke', tag: 'warm', server: 'rpcb-2', method: 'whoami', args: [] }), 0);
  d.send({ op: 'invoke', tag: 'killed', server: 'rpcb-2', method: 'sleep', args: [5000] });
  await b2.waitFor((m) => m.event === 'sleeping' && m.ms === 5000, 5000);
  await b2.kill('SIGKILL');
  let r = await d.waitFor((m) => m.tag === 'killed', 5000, 'killed');
  checkResult('peer SIGKILLed mid-call -> SHD_ERR_IO', r, 10);
  check('  promptly (not by the timeout)', r.ms < 4000, r.ms);
  r = await d.run({ op: 'invoke', tag: 'down', server: 'rpcb-2', method: 'whoami', args: [] });
  checkResult('call to the dead peer -> SHD_ERR_IO (connect refused)', r, 10);
  check('  promptly', r.ms < 1500, r.ms);

  // failMode failover (the driver's option): a routed call to the dead server goes to the next one.
  const uidFor2 = Array.from({ length: 100 }, (_, i) => `fo-${i}`).find((u) => pomeloIndex(u, 3) === 1);
  checkResult('failover: routed call to a dead server answered by the next one',
    await d.run({ op: 'call', tag: 'failover', type: 'rpcb', route: { uid: uidFor2 }, method: 'whoami', args: [] }), 0, [null, 'rpcb-3']);

  await b2.start();
  checkResult('restarted peer: the next call reconnects', await d.run({ op: 'invoke', tag: 'back', server: 'rpcb-2', method: 'whoami', args: [] }), 0, [null, 'rpcb-2']);

  // Failover also covers a connection lost mid-call (the call runs again on the next server).
  d.send({ op: 'call', tag: 'failover-mid', type: 'rpcb', route: { uid: uidFor2 }, method: 'sleep', args: [800] });
  await b2.waitFor((m) => m.event === 'sleeping' && m.ms === 800, 5000);
  await b2.kill('SIGKILL');
  r = await d.waitFor((m) => m.tag === 'failover-mid', 5000, 'failover-mid');
  checkResult('failover: connection lost mid-call, retried on the next server', r, 0, [null, 800, 'rpcb-3']);

  await sleep(500);
  check('no callback ran twice', d.count((m) => m.duplicate) === 0, d.lines.filter((m) => m.duplicate));
  await stopCluster(cl, 'faults');

  // maxQueuedBytes: a burst staged in one turn of the logic thread is cut at the limit; the calls past
  // it fail with SHD_ERR_BUSY at once, the rest are answered, and the link serves on.
  const small = await startCluster('busy', { backends: 1, driver: { maxQueuedBytes: 1024 } });
  const sd = small.servers['rpca-1'];
  r = await sd.run({ op: 'burst', tag: 'busy', count: 500, method: 'echo', server: 'rpcb-1' }, 30000);
  check('a burst past maxQueuedBytes: SHD_ERR_BUSY past the limit, the rest answered correctly',
    r.count === 500 && r.ok > 0 && r.ok < 100 && r.statuses['4'] === 500 - r.ok && r.mismatched === 0, r);
  checkResult('after the burst the link serves again',
    await sd.run({ op: 'invoke', tag: 'after-busy', server: 'rpcb-1', method: 'whoami', args: [] }), 0, [null, 'rpcb-1']);
  await stopCluster(small, 'busy');
}

async function cluster() {
  // Membership from shd.cluster/1, deliberately in another order than servers.json.
  const order = ['rpca-1', 'rpcb-3', 'rpcb-1', 'rpcb-2'];
  const secret = 'secret-from-the-cluster';
  const cl = await startCluster('cluster', { cluster: { order, secret } });
  const d = cl.servers['rpca-1'];
  checkResult('echo with membership from shd.cluster/1',
    await d.run({ op: 'invoke', tag: 'echo', server: 'rpcb-1', method: 'echo', args: ['c'] }), 0, [null, ['c']]);
  checkResult('"*" follows the membership order',
    await d.run({ op: 'invoke', tag: 'star', server: '*', type: 'rpcb', method: 'whoami', args: [] }), 0,
    [[null, 'rpcb-3'], [null, 'rpcb-1'], [null, 'rpcb-2']]);
  const uids = ['', 'alice*r1', 'abc', 'bob', 'carol', 'dave', '中文', 42];
  const backends = order.slice(1);
  const r = await d.run({ op: 'route', tag: 'crc', type: 'rpcb', uids });
  check('crc32 routing indexes the membership order', same(r.servers, uids.map((u) => backends[pomeloIndex(u, 3)])), r);

  if (tcpOnly('handshakes with the cluster secret on the RPC port')) {
    let p = new RawPeer(cl.entries['rpcb-1'].port);
    let hs = await p.handshake('rpcb-1', { secret });
    check('peers authenticate with the cluster secret', hs.welcomeValid);
    p.end();
    p = new RawPeer(cl.entries['rpcb-1'].port);
    hs = await p.handshake('rpcb-1', { secret: SECRET });
    check('  and not with another one', !hs.welcome && await p.closedWithin(2000));
  }

  // remove_servers fails the calls pending on a departed server at once, and it is no member after.
  d.send({ op: 'invoke', tag: 'departed', server: 'rpcb-2', method: 'sleep', args: [5000] });
  await cl.servers['rpcb-2'].waitFor((m) => m.event === 'sleeping' && m.ms === 5000, 5000);
  await d.run({ op: 'emit', tag: 'remove', name: 'test.remove_servers', payload: ['rpcb-2'] });
  const gone = await d.waitFor((m) => m.tag === 'departed', 5000, 'departed');
  checkResult('remove_servers -> pending call fails with SHD_ERR_IO', gone, 10);
  check('  at once, saying why', gone.ms < 3000 && String(gone.result).includes('left the cluster'), gone);
  checkResult('a departed server is not found',
    await d.run({ op: 'invoke', tag: 'after', server: 'rpcb-2', method: 'whoami', args: [] }), 5);
  checkResult('"*" no longer includes it',
    await d.run({ op: 'invoke', tag: 'star2', server: '*', type: 'rpcb', method: 'whoami', args: [] }), 0,
    [[null, 'rpcb-3'], [null, 'rpcb-1']]);
  await stopCluster(cl, 'cluster');
}

async function filters() {
  // RPC filters and rpcErrorHandler on the caller (rpc_test_app's "filters" command: before filters
  // B1, B2 (B2 finishes 5 ms later), after filters A1, A2, error handler E, each printing a line).
  // The driver also loads the built-in rpcLog from its options.
  const cl = await startCluster('filters', { driver: { timeout: 1500, filters: ['rpcLog'] } });
  const d = cl.servers['rpca-1'];
  const b1 = cl.servers['rpcb-1'];
  check('filters installed', (await d.run({ op: 'filters', tag: 'install' })).done === true);
  const inv = (tag, server, method, args, extra = {}) => d.run({ op: 'invoke', tag, server, type: 'rpcb', method, args, ...extra });
  // The filter lines of the calls whose first argument is `label`, with their positions in the output.
  const trail = (label) => d.lines.map((m, i) => ({ ...m, at: i })).filter((m) => m.filter && Array.isArray(m.args) && m.args[0] === label);
  const resultAt = (tag) => d.lines.findIndex((m) => m.tag === tag && m.status !== undefined);
  const names = (t) => t.map((m) => m.filter);
  const before = (t, tag) => t.every((m) => m.at < resultAt(tag));

  let r = await inv('f-order', 'rpcb-1', 'echo', ['f-order', 1]);
  checkResult('a call passes the filters', r, 0, [null, ['f-order', 1]]);
  let t = trail('f-order');
  check('before and after filters run in registration order, before the callback',
    same(names(t), ['B1', 'B2', 'A1', 'A2']) && before(t, 'f-order'), t);
  check('  they see the server id, the type, the route and the args',
    t.every((m) => m.server === 'rpcb-1' && m.type === 'rpcb' && m.route === 'user.testRemote.echo' && same(m.args, ['f-order', 1])), t);
  check('  one call id for the before and the after halves', new Set(t.map((m) => m.call)).size === 1, t);
  check('  the after filters see the result', t.slice(2).every((m) => m.status === 0 && same(m.result, [null, ['f-order', 1]])), t);

  r = await d.run({ op: 'call', tag: 'f-routed', type: 'rpcb', route: { uid: 'alice*r1' }, method: 'sleep', args: [120] });
  checkResult('a routed call passes the filters', r, 0, [null, 120, 'rpcb-1']);
  t = trail(120);
  check('  the before filters see the server the route chose', t.length === 4 && t.every((m) => m.server === 'rpcb-1'), t);
  const a1 = t.find((m) => m.filter === 'A1');
  check('  the after filters get the elapsed time (>= the remote\'s 120 ms, < the call\'s)',
    a1 && a1.elapsed_us >= 120000 && a1.elapsed_us <= r.ms * 1000 + 1000, { a1, ms: r.ms });

  r = await inv('f-star', '*', 'echo', ['f-star']);
  checkResult('"*" passes the filters', r, 0, [[null, ['f-star']], [null, ['f-star']], [null, ['f-star']]]);
  t = trail('f-star');
  check('  per member, with each member\'s id',
    same(t.filter((m) => m.filter === 'B1').map((m) => m.server).sort(), ['rpcb-1', 'rpcb-2', 'rpcb-3']) && t.length === 12, t);

  // A before filter rejecting: the callback gets its error once, the remote never runs.
  r = await inv('f-reject', 'rpcb-1', 'mark', ['reject', 'x']);
  checkResult('a before filter rejects: the callback gets its status and message', r, 1, 'rejected by B1');
  t = trail('reject');
  check('  the later before filter does not run; the after filters and the error handler do, before the callback',
    same(names(t), ['B1', 'A1', 'A2', 'E']) && before(t, 'f-reject') && t[3].status === 1 && t[3].message === 'rejected by B1', t);
  checkResult('  a later call reaches the remote', await inv('f-mark', 'rpcb-1', 'mark', ['ok-mark']), 0, [null]);
  await b1.waitFor((m) => m.event === 'marked' && m.args[0] === 'ok-mark', 3000);
  check('  the rejected call never reached the remote',
    b1.count((m) => m.event === 'marked' && m.args[0] === 'ok-mark') === 1 && b1.count((m) => m.event === 'marked' && m.args[0] === 'reject') === 0,
    b1.lines.filter((m) => m.event === 'marked'));

  // rpcErrorHandler: timeout, no server of the type, the remote's error.
  r = await inv('f-timeout', 'rpcb-1', 'sleep', [1000], { timeout: 200 });
  checkResult('timeout -> SHD_ERR_TIMEOUT', r, 7, 'rpc to rpcb-1 timed out after 200 ms');
  t = trail(1000);
  check('  rpcErrorHandler sees the timeout (server, route, status, message) after the after filters, before the callback',
    same(names(t), ['B1', 'B2', 'A1', 'A2', 'E']) && before(t, 'f-timeout') && t[4].status === 7 && t[4].server === 'rpcb-1' &&
    t[4].route === 'user.testRemote.sleep' && t[4].message === 'rpc to rpcb-1 timed out after 200 ms', t);
  r = await d.run({ op: 'call', tag: 'f-notype', type: 'nosuch', route: {}, method: 'echo', args: ['f-notype'] });
  checkResult('no server of the type -> SHD_ERR_NOT_FOUND', r, 5);
  t = trail('f-notype');
  check('  no filter runs (no target), rpcErrorHandler does, with an empty server id',
    same(names(t), ['E']) && t[0].server === '' && t[0].type === 'nosuch' && t[0].status === 5, t);
  r = await inv('f-remote', 'rpcb-1', 'add', ['f-remote']);
  checkResult('the remote answers an error', r, 1, 'add expects two numbers');
  t = trail('f-remote');
  check('  rpcErrorHandler sees it', names(t).join() === 'B1,B2,A1,A2,E' && t[4].message === 'add expects two numbers', t);

  // rpcErrorHandler: a dead peer, mid-call and refused.
  const b2 = cl.servers['rpcb-2'];
  d.send({ op: 'invoke', tag: 'f-killed', server: 'rpcb-2', method: 'sleep', args: [5000] });
  await b2.waitFor((m) => m.event === 'sleeping' && m.ms === 5000, 5000);
  await b2.kill('SIGKILL');
  r = await d.waitFor((m) => m.tag === 'f-killed', 5000, 'f-killed');
  checkResult('peer killed mid-call -> SHD_ERR_IO', r, 10);
  t = trail(5000);
  check('  rpcErrorHandler sees the dead peer', t.length === 5 && t[4].filter === 'E' && t[4].status === 10 && t[4].server === 'rpcb-2' && before(t, 'f-killed'), t);
  r = await inv('f-down', 'rpcb-2', 'echo', ['f-down']);
  checkResult('call to the dead peer -> SHD_ERR_IO', r, 10);
  t = trail('f-down');
  check('  rpcErrorHandler sees the refused connection', t.length === 5 && t[4].filter === 'E' && t[4].status === 10 && /cannot connect|closed|refused/.test(t[4].message), t);

  // The built-in toobusy filter rejects calls made while the logic thread lags.
  check('toobusy installed', (await d.run({ op: 'toobusy', tag: 'tb', options: { maxLag: 30 } })).done === true);
  r = await d.run({ op: 'busy_call', tag: 'f-busy', busy: 300, server: 'rpcb-1', type: 'rpcb', method: 'mark', args: ['busy-mark'] });
  checkResult('toobusy: a call made behind a 300 ms task -> SHD_ERR_BUSY', r, 4, 'Backend server rpcb-1 is too busy now!');
  await sleep(200);
  checkResult('toobusy: calls pass again once the lag is gone', await inv('f-calm', 'rpcb-1', 'mark', ['calm-mark']), 0, [null]);
  await b1.waitFor((m) => m.event === 'marked' && m.args[0] === 'calm-mark', 3000);
  check('  the rejected call never reached the remote', b1.count((m) => m.event === 'marked' && m.args[0] === 'busy-mark') === 0);

  await sleep(300);
  check('no callback ran twice', d.count((m) => m.duplicate) === 0, d.lines.filter((m) => m.duplicate));
  check('no callback ran inside its call', d.count((m) => m.inline === true) === 0);
  const perCall = {};
  for (const m of d.lines.filter((x) => x.filter === 'E' || x.filter === 'A1')) perCall[m.filter + m.call] = (perCall[m.filter + m.call] || 0) + 1;
  check('each call\'s after filter and error handler ran at most once', Object.values(perCall).every((n) => n === 1), perCall);
  const log = fs.readFileSync(path.join(cl.dir, 'logs', 'rpca-1.log'), 'utf8');
  check('the rpcLog option logs each call with its route, target, time and status',
    /rpcLog: user\.testRemote\.echo to rpcb-1 took \d+\.\d{3} ms \(ok\)/.test(log) &&
    /rpcLog: user\.testRemote\.sleep to rpcb-1 took \d+\.\d{3} ms \(timeout\)/.test(log), log.split('\n').filter((l) => l.includes('rpcLog')).slice(0, 5).join('\n'));
  await stopCluster(cl, 'filters');
}

async function tcpOpen(port, timeoutMs) {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    const ok = await new Promise((resolve) => {
      const sock = net.connect(port, '127.0.0.1', () => { sock.destroy(); resolve(true); });
      sock.on('error', () => resolve(false));
    });
    if (ok) return true;
    await sleep(50);
  }
  return false;
}

async function master() {
  // The real cluster plugin: a master (told not to spawn, so this script starts every server and owns
  // its stdin) and a monitor in each server providing shd.cluster/1 with the master's secret.
  const dir = path.join(opts['work-dir'], 'master');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'config'), { recursive: true });
  const ids = ['rpca-1', 'rpcb-1', 'rpcb-2', 'rpcb-3'];
  const entries = {};
  for (const id of ids) entries[id] = { id, host: '127.0.0.1', port: await freePort() };
  const masterPort = await freePort();
  const write = (name, obj) => fs.writeFileSync(path.join(dir, 'config', name), JSON.stringify(obj, null, 2));
  write('master.json', { development: { id: 'master-server-1', host: '127.0.0.1', port: masterPort } });
  write('servers.json', { development: { rpca: [entries['rpca-1']], rpcb: ids.slice(1).map((id) => entries[id]) } });
  write('plugins.json', {
    plugins: [
      { name: 'cluster', serverTypes: '*', options: { spawn: false } },
      await rpcPlugin({ serverTypes: '*' }, 'shd.rpc.master'),  // on the master too: it must not take the master's port
    ],
    app: { name: 'rpc_test_app', serverTypes: ['rpca', 'rpcb'] },
  });
  const cl = { dir, entries, servers: {} };
  const m = new Server(cl, 'master-server-1');
  await m.start({ waitStarted: false });
  if (!check('master: the master listens', await tcpOpen(masterPort, 10000))) { dumpLogs(cl); return; }
  for (const id of ids) cl.servers[id] = new Server(cl, id);
  const started = await Promise.all(ids.map((id) => cl.servers[id].start()));
  if (!check('master: 4 servers joined and passed the start barrier', started.every((x) => !x.timeout), started)) {
    dumpLogs(cl);
    return;
  }
  const d = cl.servers['rpca-1'];
  checkResult('echo with the real cluster plugin', await d.run({ op: 'invoke', tag: 'echo', server: 'rpcb-2', method: 'echo', args: [7] }), 0, [null, [7]]);
  let r = await d.run({ op: 'invoke', tag: 'star', server: '*', type: 'rpcb', method: 'whoami', args: [] });
  check('"*" reaches every member', r.status === 0 && same((r.result || []).map((x) => x[1]).sort(), ['rpcb-1', 'rpcb-2', 'rpcb-3']), r);
  if (tcpOnly('a handshake with a guessable secret on the RPC port')) {
    const p = new RawPeer(entries['rpcb-1'].port);
    const hs = await p.handshake('rpcb-1', { secret: SECRET });
    check('the secret is the master\'s, not a guessable one', !hs.welcome && await p.closedWithin(2000));
  }

  // A member killed mid-call: the call fails at once; the master's remove_servers drops it.
  const b2 = cl.servers['rpcb-2'];
  d.send({ op: 'invoke', tag: 'killed', server: 'rpcb-2', method: 'sleep', args: [5000] });
  await b2.waitFor((x) => x.event === 'sleeping' && x.ms === 5000, 5000);
  await b2.kill('SIGKILL');
  r = await d.waitFor((x) => x.tag === 'killed', 5000, 'killed');
  checkResult('member SIGKILLed mid-call -> SHD_ERR_IO', r, 10);
  check('  promptly', r.ms < 4000, r.ms);
  let gone = null;
  for (let i = 0; i < 40 && !gone; i++) {
    const x = await d.run({ op: 'invoke', tag: `gone-${i}`, server: 'rpcb-2', method: 'whoami', args: [] });
    if (x.status === 5) gone = x; else await sleep(100);
  }
  check('after remove_servers the member is not found', !!gone, gone);
  await b2.start({ waitStarted: false });
  let back = null;
  for (let i = 0; i < 60 && !back; i++) {
    const x = await d.run({ op: 'invoke', tag: `back-${i}`, server: 'rpcb-2', method: 'whoami', args: [] });
    if (x.status === 0) back = x; else await sleep(100);
  }
  check('a member that rejoins is reachable again', back && same(back.result, [null, 'rpcb-2']), back);

  d.send({ op: 'stop' });
  await Promise.race([d.exited, sleep(10000)]);
  for (const id of ids.slice(1)) cl.servers[id].proc.kill('SIGTERM');
  m.proc.kill('SIGTERM');
  const codes = await Promise.race([Promise.all([d, ...ids.slice(1).map((id) => cl.servers[id]), m].map((x) => x.exited)), sleep(15000).then(() => 'timeout')]);
  check('master: everything stopped cleanly (exit 0)', codes !== 'timeout' && codes.every((c) => c.code === 0), codes);
}

async function bench() {
  const rows = [];
  const measure = async (label, d, cmd) => {
    const r = await d.run({ op: 'bench', server: 'rpcb-1', ...cmd, tag: label }, 120000);
    check(`bench ${label}: every call answered`, !r.timeout && r.errors === 0, r);
    rows.push([label, Math.round(r.calls_per_s), Math.round(r.p50_us), Math.round(r.p99_us), r.calls]);
  };
  let cl = await startCluster('bench', { backends: 1 });
  const d = cl.servers['rpca-1'];
  await measure('warm-up', d, { inflight: 10, count: 2000 });
  await measure('1 in flight', d, { inflight: 1, count: 5000 });
  await measure('100 in flight', d, { inflight: 100, count: 50000 });
  await measure('100 in flight, 1 KiB args', d, { inflight: 100, count: 20000, bytes: 1024 });
  await stopCluster(cl, 'bench');
  cl = await startCluster('bench-buffered', { backends: 1, driver: { bufferMsg: true, interval: 5 }, backend: { bufferMsg: true, interval: 5 } });
  await measure('1 in flight, bufferMsg 5 ms', cl.servers['rpca-1'], { inflight: 1, count: 200 });
  await measure('100 in flight, bufferMsg 5 ms', cl.servers['rpca-1'], { inflight: 100, count: 20000 });
  await stopCluster(cl, 'bench-buffered');
  // The cost of RPC filters: the built-in rpcLog as an after filter that logs nothing (slowMs high),
  // so every call keeps its copy and runs the after chain.
  cl = await startCluster('bench-filtered', { backends: 1, driver: { filters: [{ name: 'rpcLog', slowMs: 60000 }] } });
  await measure('warm-up', cl.servers['rpca-1'], { inflight: 10, count: 2000 });
  await measure('1 in flight, an after filter', cl.servers['rpca-1'], { inflight: 1, count: 5000 });
  await measure('100 in flight, an after filter', cl.servers['rpca-1'], { inflight: 100, count: 50000 });
  await stopCluster(cl, 'bench-filtered');
  console.log('\nrpc echo over loopback (driver and backend are separate processes on this machine):');
  console.log('| case | calls/s | p50 µs | p99 µs | calls |');
  console.log('|---|---|---|---|---|');
  for (const r of rows.filter((x) => x[0] !== 'warm-up')) console.log(`| ${r.join(' | ')} |`);
  console.log('');
}

// Exceptions across the ABI: a remote that throws and a route function that throws answer the caller
// SHD_ERR_INTERNAL exactly once and at once (not by the call's timeout); the server keeps serving and
// its table of incoming calls does not grow (the count is logged when the rpc plugin stops).
async function errors() {
  const timeout = 3000;
  const cl = await startCluster('errors', { backends: 1, driver: { timeout } });
  const d = cl.servers['rpca-1'];
  const N = 20;
  const results = [];
  for (let i = 0; i < N; i++)
    results.push(await d.run({ op: 'invoke', tag: `throw-${i}`, server: 'rpcb-1', method: 'throw', args: [i] }, timeout + 2000));
  checkResult('a remote that throws -> SHD_ERR_INTERNAL', results[0], 3);
  check('  at once, not by the timeout', results[0].ms < timeout / 2, results[0].ms);
  check(`  every one of ${N} throwing calls answered SHD_ERR_INTERNAL at once`,
    results.every((r) => !r.timeout && r.status === 3 && r.ms < timeout / 2), results.filter((r) => r.status !== 3 || r.ms >= timeout / 2));
  checkResult('the server keeps serving', await d.run({ op: 'invoke', tag: 'alive', server: 'rpcb-1', method: 'whoami', args: [] }), 0, [null, 'rpcb-1']);

  await d.run({ op: 'set_route', tag: 'route-throws', type: 'rpcb', mode: 'throw' });
  const routed = await d.run({ op: 'call', tag: 'routed', type: 'rpcb', route: { uid: 'x' }, method: 'whoami', args: [] }, timeout + 2000);
  checkResult('a route function that throws -> SHD_ERR_INTERNAL', routed, 3);
  check('  at once, not by the timeout', routed.ms < timeout / 2, routed.ms);
  await d.run({ op: 'set_route', tag: 'route-none', type: 'rpcb', mode: 'none' });
  checkResult('routing serves again', await d.run({ op: 'call', tag: 'routed-again', type: 'rpcb', route: { uid: 'x' }, method: 'whoami', args: [] }), 0, [null, 'rpcb-1']);

  await sleep(timeout + 500);  // a late second completion (the call's timeout) would show by now
  check('no callback ran twice', d.count((m) => m.duplicate) === 0, d.lines.filter((m) => m.duplicate));
  await stopCluster(cl, 'errors');
  const log = fs.readFileSync(path.join(cl.dir, 'logs', 'rpcb-1.log'), 'utf8');
  check('the log names the remote that threw and why', log.includes(`${RPC_NAME}: remote user.testRemote.throw threw: remote boom`));
  check(`after ${N} throwing remotes no incoming call is left in the table`,
    log.includes('incoming calls left unanswered: 0'), log.split('\n').filter((l) => l.includes('unanswered')));
  const driverLog = fs.readFileSync(path.join(cl.dir, 'logs', 'rpca-1.log'), 'utf8');
  check('the log names the route function that threw', driverLog.includes('the route function for server type rpcb threw: route boom'));
}

// Resident memory of a process, in bytes.
function rssOf(pid) {
  return Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;
}
const MiB = 1024 * 1024;
// A process built with a sanitizer (ASan, TSan) maps terabytes of shadow memory and keeps freed
// memory in quarantine: its RSS says nothing about the code's, so RSS bounds are not checked there.
function sanitized(pid) {
  return Number(/VmSize:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) > 1024 * 1024 * 1024;
}

// Whether each socket descriptor of a process (other than stdio) is close-on-exec.
function socketFds(pid) {
  const out = [];
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    let link;
    try { link = fs.readlinkSync(`/proc/${pid}/fd/${fd}`); } catch { continue; }
    if (!link.startsWith('socket:') || Number(fd) <= 2) continue;  // 0-2: the pipes this script gave it
    const flags = parseInt(/flags:\s*([0-7]+)/.exec(fs.readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'))[1], 8);
    out.push({ fd: Number(fd), cloexec: (flags & 0o2000000) !== 0 });
  }
  return out;
}

// Hostile peers before and after authentication: the limits of the transport (docs/security.md).
async function hostile() {
  const CONNECT_TIMEOUT = 2000;
  const cl = await startCluster('hostile', {
    backends: 1, logLevel: 'debug',
    driver: { maxJsonDepth: 8 },
    backend: { connectTimeout: CONNECT_TIMEOUT, maxFrameSize: 64 * MiB },
  });
  const d = cl.servers['rpca-1'], b = cl.servers['rpcb-1'];
  const port = cl.entries['rpcb-1'].port;
  const whoami = (tag) => d.run({ op: 'invoke', tag, server: 'rpcb-1', method: 'whoami', args: [] });
  await sleep(300);

  // 500 connections that never say hello: the server's memory stays bounded (small pre-auth buffers,
  // at most maxUnauthenticated = 128 kept, the oldest closed first), and a real server still gets
  // through (the driver opens its first link to rpcb-1 in the middle of the flood).
  const rssBefore = rssOf(b.proc.pid);
  const idle = [];
  for (let i = 0; i < 500; i++) {
    const p = new RawPeer(port);
    p.gone = false;
    p.closed.then(() => { p.gone = true; });
    idle.push(p);
    if (i % 50 === 49) await sleep(20);
  }
  await sleep(1000);
  const rssFlood = rssOf(b.proc.pid);
  const open = idle.filter((p) => !p.gone).length;
  console.log(`# rpcb-1 RSS ${(rssBefore / MiB).toFixed(1)} MiB before, ${(rssFlood / MiB).toFixed(1)} MiB with 500 idle unauthenticated connections (${open} still open)`);
  check('500 idle unauthenticated connections: at most maxUnauthenticated (128) kept open', open <= 128 && open > 0, open);
  const noRss = sanitized(b.proc.pid);
  if (noRss) console.log('# RSS bounds not checked: the server runs under a sanitizer');
  else check('  the server\'s RSS grows by less than 4 MiB', rssFlood - rssBefore < 4 * MiB, { before: rssBefore, flood: rssFlood });
  checkResult('  a real call still served (a new authenticated link amid the flood)', await whoami('amid-flood'), 0, [null, 'rpcb-1']);
  for (const p of idle) p.end();

  // Before authentication: frames beyond the handshake size close at once, without waiting for them.
  let p = new RawPeer(port);
  await p.next();
  let t0 = Date.now();
  p.write(Buffer.from([0x00, 0x00, 0x27, 0x10, 0x02]));  // a 10000-byte "hello" announced, never sent
  check('pre-auth frame of 10000 bytes announced: closed at once', await p.closedWithin(500), Date.now() - t0);
  p = new RawPeer(port);
  await p.next();
  p.write(Buffer.concat([Buffer.from([0x00, 0x00, 0x02, 0x01, 0x02]), Buffer.alloc(512)]));  // 513: one past the limit
  check('pre-auth frame of 513 bytes: closed', await p.closedWithin(500));
  p = new RawPeer(port);
  await p.next();
  p.write(crypto.randomBytes(64));
  check('random bytes: closed', await p.closedWithin(1000));
  p = new RawPeer(port);
  t0 = Date.now();
  await p.next();
  const silentClosed = await p.closedWithin(CONNECT_TIMEOUT + 1500);
  const ms = Date.now() - t0;
  check('a peer that connects and says nothing: closed at connectTimeout', silentClosed && ms >= CONNECT_TIMEOUT - 200, ms);
  p = new RawPeer(port);
  let hs = await p.handshake('rpcb-1', { clientId: 'c'.repeat(200), claim: 'rpcb-1' });
  check('a hello with a 200-byte client id still fits the handshake limit', hs.welcomeValid);
  p.end();
  checkResult('served after the pre-auth attacks', await whoami('after-preauth'), 0, [null, 'rpcb-1']);

  // JSON nested without bound never reaches a parser: args 1 MiB deep (the test app's "add" parses
  // its args with RapidJSON's recursive parser) are answered SHD_ERR_INVALID by the transport.
  p = new RawPeer(port);
  hs = await p.handshake('rpcb-1');
  check('authenticated raw peer', hs.welcomeValid);
  p.request(1, 'user', 'testRemote', 'add', '['.repeat(MiB));
  let f = await p.next(5000);
  let r = f && RawPeer.parseResponse(f);
  check('args nested 1 MiB deep: SHD_ERR_INVALID naming maxJsonDepth, link kept', r && r.id === 1 && r.status === 1 && /maxJsonDepth 128/.test(r.result), r);
  p.request(2, 'user', 'testRemote', 'add', '[2,3]');
  f = await p.next(5000);
  r = f && RawPeer.parseResponse(f);
  check('  the same link serves the next call', r && r.id === 2 && r.status === 0 && r.result === '[null,5]', r);
  p.end();

  // FORWARD frames. Well formed, to a server without a forward handler (no server plugin here): an
  // answer SHD_ERR_NOT_FOUND, the link kept; a body nested too deep: SHD_ERR_INVALID, link kept.
  p = new RawPeer(port);
  hs = await p.handshake('rpcb-1');
  p.write(RawPeer.forwardFrame(20, { settings: '{"a":1}' }));
  f = await p.next(5000);
  r = f && RawPeer.parseResponse(f);
  check('a well-formed forward to a server without a forward handler: SHD_ERR_NOT_FOUND', r && r.id === 20 && r.status === 5 && /no forward handler/.test(r.result), r);
  p.write(RawPeer.forwardFrame(21, { settings: null, body: '['.repeat(MiB) }));
  f = await p.next(5000);
  r = f && RawPeer.parseResponse(f);
  check('  a forward body nested 1 MiB deep (settings from the link cache): SHD_ERR_INVALID naming maxJsonDepth', r && r.id === 21 && r.status === 1 && /maxJsonDepth 128/.test(r.result), r);
  p.request(22, 'user', 'testRemote', 'add', '[2,3]');
  f = await p.next(5000);
  r = f && RawPeer.parseResponse(f);
  check('  the same link serves the next call', r && r.id === 22 && r.status === 0 && r.result === '[null,5]', r);
  p.end();
  // Malformed forwards close the link; the server goes on serving.
  const badForwards = {
    'a forward before authentication': null,
    'a truncated forward (a whole frame, its fields cut short)': frame(T.forward, RawPeer.forwardFrame(30).subarray(5, 30)),
    'a forward of unknown kind': RawPeer.forwardFrame(31, { kind: 2 }),
    'a forward with an unknown flag': RawPeer.forwardFrame(32, { flags: 0x82 }),
    'a forward whose settings length runs past the frame': (() => {
      const b = RawPeer.forwardFrame(33, { settings: '{}' }); b.writeUInt32BE(0x7fff, 5 + 22 + 2 + 8 + 2 + 10 + 2 + 1); return b;
    })(),
    'a forward flagged "settings unchanged" on a link that never carried them': RawPeer.forwardFrame(34, { settings: null, sessionId: 77 }),
  };
  for (const [what, bytes] of Object.entries(badForwards)) {
    p = new RawPeer(port);
    if (bytes === null) {
      await p.next();
      p.write(RawPeer.forwardFrame(35));
    } else {
      hs = await p.handshake('rpcb-1');
      p.write(bytes);
    }
    const got = await p.next(1000);
    check(`${what}: closed, no answer`, await p.closedWithin(2000) && (!got || got.type !== T.response), got);
    p.end();
  }
  checkResult('served after the malformed forwards', await whoami('after-forwards'), 0, [null, 'rpcb-1']);
  // A result nested deeper than the caller's maxJsonDepth (8 on the driver) fails the call instead.
  let nested = 1;
  for (let i = 0; i < 20; i++) nested = [nested];
  r = await d.run({ op: 'invoke', tag: 'deep-result', server: 'rpcb-1', method: 'echo', args: [nested] });
  check('a result nested deeper than the caller\'s maxJsonDepth: SHD_ERR_INVALID', r.status === 1 && /maxJsonDepth 8/.test(JSON.stringify(r.result)), r);
  checkResult('  the next call on that link is answered', await d.run({ op: 'invoke', tag: 'shallow', server: 'rpcb-1', method: 'echo', args: [[1]] }), 0, [null, [[1]]]);

  // One 40 MiB frame, then small ones: the link's read buffer goes back to its usual size.
  p = new RawPeer(port);
  hs = await p.handshake('rpcb-1');
  await sleep(200);
  const rssSmall = rssOf(b.proc.pid);
  p.request(10, 'user', 'testRemote', 'whoami', `["${'x'.repeat(40 * MiB)}"]`);
  f = await p.next(20000);
  const rssPeak = rssOf(b.proc.pid);
  for (let i = 0; i < 5; i++) p.request(11 + i, 'user', 'testRemote', 'whoami', '[]');
  let answered = 0;
  for (let i = 0; i < 5; i++) if (await p.next(3000)) answered++;
  await sleep(300);
  const rssAfter = rssOf(b.proc.pid);
  console.log(`# rpcb-1 RSS ${(rssSmall / MiB).toFixed(1)} MiB before a 40 MiB frame, ${(rssPeak / MiB).toFixed(1)} MiB after it, ${(rssAfter / MiB).toFixed(1)} MiB after 5 small frames`);
  check('a 40 MiB frame answered, then 5 small ones', f && RawPeer.parseResponse(f).status === 0 && answered === 5, { answered });
  const log = fs.readFileSync(path.join(cl.dir, 'logs', 'rpcb-1.log'), 'utf8');
  const shrunk = [...log.matchAll(/read buffer back to (\d+) bytes from (\d+) after a large frame/g)].find((m) => Number(m[2]) >= 40 * MiB);
  check('  the read buffer shrank back (debug log: at most 128 KiB, from at least 40 MiB)',
    shrunk && Number(shrunk[1]) <= 128 * 1024 && Number(shrunk[2]) >= 40 * MiB, shrunk && shrunk[0]);
  if (!noRss)
    check('  and the memory with it: RSS at most 16 MiB above what it was before the frame', rssAfter - rssSmall < 16 * MiB,
      { before: rssSmall, peak: rssPeak, after: rssAfter });

  // Sockets: the listening one and every accepted one are close-on-exec.
  const fds = socketFds(b.proc.pid);
  check('every socket of the server is close-on-exec', fds.length >= 2 && fds.every((x) => x.cloexec), fds);
  p.end();
  await stopCluster(cl, 'hostile');
}

// ------------------------------------------------------------------------------------------------
// NATS only: the envelope of plugins/rpc_nats/README.md spoken by hand, hostile NATS clients, and NATS
// restarted under the cluster.

const requestFrame = (id, ns, service, method, args) => {
  const idb = Buffer.alloc(8); idb.writeBigUInt64BE(BigInt(id));
  return frame(T.request, Buffer.concat([idb, str(ns), str(service), str(method), Buffer.from(args)]));
};
const responseFrame = (id, status, result) => {
  const h = Buffer.alloc(12); h.writeBigUInt64BE(BigInt(id)); h.writeInt32BE(status, 8);
  return frame(T.response, Buffer.concat([h, Buffer.from(result)]));
};
function natsMac(secret, subject, reply, sender, frameBuf) {
  const s = Buffer.from(sender);
  return crypto.createHmac('sha256', secret).update(Buffer.concat([Buffer.from('shd.rpc/1 nats\0'),
    field(Buffer.from(subject)), field(Buffer.from(reply || '')), Buffer.from([s.length]), s, frameBuf])).digest();
}
function seal(secret, subject, reply, sender, frameBuf) {
  const s = Buffer.from(sender);
  return Buffer.concat([Buffer.from([1, s.length]), s, natsMac(secret, subject, reply, sender, frameBuf), frameBuf]);
}
function openEnvelope(buf) {
  if (buf.length < 2) return null;
  const n = buf[1];
  return { version: buf[0], sender: buf.subarray(2, 2 + n).toString(), mac: buf.subarray(2 + n, 34 + n), frame: buf.subarray(34 + n) };
}

// A NATS client written from the protocol's text (CONNECT, SUB, PUB, MSG, HMSG, PING/PONG).
class RawNats {
  constructor(port, token) {
    this.token = token; this.buf = Buffer.alloc(0); this.msgs = []; this.sid = 0; this.pongs = 0; this.errors = [];
    this.sock = net.connect(port, '127.0.0.1');
    this.sock.on('error', () => {});
    this.ready = new Promise((resolve) => { this.onPong = resolve; });
    this.sock.on('data', (d) => { this.buf = Buffer.concat([this.buf, d]); this.parse(); });
  }
  parse() {
    for (;;) {
      const nl = this.buf.indexOf('\r\n');
      if (nl < 0) return;
      const line = this.buf.subarray(0, nl).toString();
      if (line.startsWith('MSG ') || line.startsWith('HMSG ')) {
        const parts = line.split(' ');
        const h = parts[0] === 'HMSG';
        const total = Number(parts[parts.length - 1]), hdr = h ? Number(parts[parts.length - 2]) : 0;
        const fixed = h ? 5 : 4;
        if (this.buf.length < nl + 2 + total + 2) return;
        const body = this.buf.subarray(nl + 2, nl + 2 + total);
        this.msgs.push({ subject: parts[1], reply: parts.length > fixed ? parts[3] : '', headers: body.subarray(0, hdr).toString(), payload: Buffer.from(body.subarray(hdr)) });
        this.buf = this.buf.subarray(nl + 2 + total + 2);
        continue;
      }
      this.buf = this.buf.subarray(nl + 2);
      if (line.startsWith('INFO')) {
        this.sock.write(`CONNECT ${JSON.stringify({ verbose: false, pedantic: false, auth_token: this.token, headers: true, no_responders: true, protocol: 1, name: 'raw' })}\r\nPING\r\n`);
      } else if (line === 'PING') this.sock.write('PONG\r\n');
      else if (line === 'PONG') { this.pongs++; this.onPong(); }
      else if (line.startsWith('-ERR')) this.errors.push(line);
    }
  }
  sub(subject) { this.sock.write(`SUB ${subject} ${++this.sid}\r\n`); }
  pub(subject, reply, payload) {
    this.sock.write(`PUB ${subject}${reply ? ' ' + reply : ''} ${payload.length}\r\n`);
    this.sock.write(Buffer.concat([payload, Buffer.from('\r\n')]));
  }
  // Resolves once the server has seen everything sent so far.
  async flush() {
    const want = this.pongs + 1;
    this.sock.write('PING\r\n');
    for (let i = 0; i < 100 && this.pongs < want; i++) await sleep(20);
  }
  async waitMsg(pred, timeoutMs = 3000) {
    for (let t = 0; t < timeoutMs; t += 20) {
      const m = this.msgs.find(pred);
      if (m) return m;
      await sleep(20);
    }
    return null;
  }
  end() { this.sock.destroy(); }
}

// Malicious or broken messages from another client of the same NATS: dropped (a log line and a
// counter), never answered, and the servers serve on.
async function natsHostile() {
  const n = await nats();
  const cl = await startCluster('nats-hostile', { backends: 1, driver: { maxJsonDepth: 8 }, backend: { maxFrameSize: 1024 } });
  const d = cl.servers['rpca-1'];
  const target = `${cl.prefix}.rpcb-1`;
  const raw = new RawNats(n.port, NATS_TOKEN);
  await raw.ready;
  raw.sub(`${cl.prefix}.>`);
  raw.sub('_INBOX.>');
  await raw.flush();

  // What a call looks like on NATS (README.md, "Wire"), checked by an independent implementation.
  checkResult('a call over NATS', await d.run({ op: 'invoke', tag: 'seen', server: 'rpcb-1', method: 'echo', args: ['seen'] }), 0, [null, ['seen']]);
  const req = await raw.waitMsg((m) => m.subject === target && openEnvelope(m.payload)?.frame[4] === T.request);
  const env = req && openEnvelope(req.payload);
  check('the request is one message to <subjectPrefix>.<server id>, reply <inbox>.<link>.<call id>',
    req && /^_INBOX\.[^.]+\.\d+\.\d+$/.test(req.reply), req && { subject: req.subject, reply: req.reply });
  const reqId = env && Number(env.frame.readBigUInt64BE(5));
  check('  in an envelope: version 1, the caller\'s id, a REQUEST frame, its call id in the reply subject',
    env && env.version === 1 && env.sender === 'rpca-1' && env.frame[4] === T.request && req.reply.endsWith(`.${reqId}`), env && { version: env.version, sender: env.sender });
  check('  signed: HMAC-SHA256 of the subject, the reply subject, the sender and the frame with the cluster secret',
    env && env.mac.equals(natsMac(SECRET, req.subject, req.reply, env.sender, env.frame)));
  const ans = await raw.waitMsg((m) => req && m.subject === req.reply);
  const aenv = ans && openEnvelope(ans.payload);
  check('the answer: a RESPONSE frame on that reply subject, signed by the server called',
    aenv && aenv.sender === 'rpcb-1' && aenv.frame[4] === T.response && aenv.mac.equals(natsMac(SECRET, ans.subject, '', 'rpcb-1', aenv.frame)),
    aenv && { sender: aenv.sender });
  const [, inboxId, linkSerial] = /^(_INBOX\.[^.]+)\.(\d+)\.\d+$/.exec(req ? req.reply : '_INBOX.x.0.0');

  // Messages to rpcb-1 that must be dropped, each with a reply subject this client listens on.
  const echo = (id, args = '["x"]') => requestFrame(id, 'user', 'testRemote', 'echo', args);
  let k = 0;
  const rawReply = () => `_INBOX.rawpeer.1.${++k}`;
  const signed = (subject, reply, f, sender = 'raw-peer', secret = SECRET) => seal(secret, subject, reply, sender, f);
  const bad = [];
  const seenBefore = raw.msgs.length;
  const send = (what, subject, reply, payload) => { bad.push({ what, reply }); raw.pub(subject, reply, payload); };
  let r0 = rawReply();
  send('random bytes', target, r0, crypto.randomBytes(64));
  send('an empty message', target, rawReply(), Buffer.alloc(0));
  r0 = rawReply();
  send('an envelope of another version', target, r0, Buffer.concat([Buffer.from([2]), signed(target, r0, echo(k)).subarray(1)]));
  r0 = rawReply();
  send('a request signed with another secret', target, r0, signed(target, r0, echo(k), 'raw-peer', 'not-the-secret'));
  if (req) {
    send('a captured request replayed with another reply subject', target, rawReply(), req.payload);
    send('a captured request replayed to another server', `${cl.prefix}.rpca-1`, req.reply, req.payload);
  }
  r0 = rawReply();
  send('a signed request whose frame is cut short', target, r0, signed(target, r0, (() => { const f = echo(k).subarray(0, 20); f.writeUInt32BE(16, 0); return f; })()));
  r0 = rawReply();
  send('a signed frame whose length lies', target, r0, signed(target, r0, (() => { const f = Buffer.from(echo(k)); f.writeUInt32BE(9999, 0); return f; })()));
  r0 = rawReply();
  send('a signed request above maxFrameSize (1024)', target, r0, signed(target, r0, echo(k, `["${'x'.repeat(2000)}"]`)));
  r0 = rawReply();
  send('a signed frame of unknown type', target, r0, signed(target, r0, frame(0x7f, Buffer.from('hello'))));
  r0 = rawReply();
  send('a signed forward flagged "settings unchanged"', target, r0, signed(target, r0, RawPeer.forwardFrame(k, { settings: null })));
  r0 = `_INBOX.rawpeer.1.notanid`;
  send('a signed request whose reply subject does not name its call id', target, r0, signed(target, r0, echo(4242)));
  send('a signed request without a reply subject', target, '', signed(target, '', echo(4243)));
  await raw.flush();
  await sleep(700);
  const answered = bad.filter((b) => b.reply && raw.msgs.slice(seenBefore).some((m) => m.subject === b.reply));
  check(`${bad.length} malformed, forged or replayed messages: none answered`, answered.length === 0, answered.map((b) => b.what));
  checkResult('  the server serves on', await d.run({ op: 'invoke', tag: 'after-bad', server: 'rpcb-1', method: 'whoami', args: [] }), 0, [null, 'rpcb-1']);
  const logOf = (id) => fs.readFileSync(path.join(cl.dir, 'logs', `${id}.log`), 'utf8');
  const counts = (text) => [...text.matchAll(/dropped a message on [^:]+: .*\((\d+) dropped so far\)/g)].map((m) => Number(m[1]));
  const dropsB = counts(logOf('rpcb-1')), dropsA = counts(logOf('rpca-1'));
  check('  each dropped with a log line and counted (rpcb-1, and rpca-1 for the replay sent to it)',
    Math.max(0, ...dropsB) + Math.max(0, ...dropsA) === bad.length && dropsA.length === (req ? 1 : 0), { dropsB, dropsA, sent: bad.length });
  check('  the log says why (bad MAC, maxFrameSize, ...)',
    /bad MAC/.test(logOf('rpcb-1')) && /more than maxFrameSize 1024/.test(logOf('rpcb-1')) && /unexpected frame type 127/.test(logOf('rpcb-1')));

  // A client that knows the cluster secret is a member: its calls are answered, within the limits.
  const call = async (method, args) => {
    const reply = rawReply();
    raw.pub(target, reply, signed(target, reply, requestFrame(k, 'user', 'testRemote', method, args)));
    const m = await raw.waitMsg((x) => x.subject === reply);
    const e = m && openEnvelope(m.payload);
    return e && { id: Number(e.frame.readBigUInt64BE(5)), status: e.frame.readInt32BE(13), result: e.frame.subarray(17).toString() };
  };
  let r = await call('caller', '[]');
  check('a signed request from another client is answered, naming it as the caller', r && r.status === 0 && r.result === '[null,"raw-peer"]', r);
  r = await call('add', '['.repeat(200) + ']'.repeat(200));
  check('  args nested 200 deep: SHD_ERR_INVALID naming maxJsonDepth, no remote runs', r && r.status === 1 && /maxJsonDepth 128/.test(r.result), r);

  // Answers nobody asked for, sent to the driver's inbox: ignored.
  raw.pub(`${inboxId}.${linkSerial}.999999`, '', seal(SECRET, `${inboxId}.${linkSerial}.999999`, '', 'rpcb-1', responseFrame(999999, 0, '[null,"ghost"]')));
  raw.pub(`${inboxId}.777777.1`, '', seal(SECRET, `${inboxId}.777777.1`, '', 'rpcb-1', responseFrame(1, 0, '[null,"ghost"]')));
  raw.pub(`${inboxId}.${linkSerial}.5`, '', crypto.randomBytes(40));
  // A forged answer to a call in flight: the real one wins.
  d.send({ op: 'invoke', tag: 'inflight', server: 'rpcb-1', method: 'sleep', args: [400] });
  const live = await raw.waitMsg((m) => m.subject === target && m !== req && openEnvelope(m.payload)?.frame[4] === T.request &&
    openEnvelope(m.payload).sender === 'rpca-1' && openEnvelope(m.payload).frame.subarray(13).toString().includes('sleep'));
  if (live) {
    const id = Number(openEnvelope(live.payload).frame.readBigUInt64BE(5));
    raw.pub(live.reply, '', seal('not-the-secret', live.reply, '', 'rpcb-1', responseFrame(id, 0, '[null,"forged"]')));
    raw.pub(live.reply, '', seal(SECRET, live.reply, '', 'raw-peer', responseFrame(id, 0, '[null,"forged"]')));
  }
  r = await d.waitFor((m) => m.tag === 'inflight', 5000, 'inflight');
  checkResult('forged answers to a call in flight (wrong secret, wrong signer) are dropped: the real answer arrives', r, 0, [null, 400, 'rpcb-1']);
  checkResult('answers to unknown calls and links are ignored: the driver serves on',
    await d.run({ op: 'invoke', tag: 'after-ghosts', server: 'rpcb-1', method: 'whoami', args: [] }), 0, [null, 'rpcb-1']);
  await sleep(300);
  check('no callback ran twice', d.count((m) => m.duplicate) === 0, d.lines.filter((m) => m.duplicate));
  check('the forged answers were dropped with a reason', /signed by raw-peer, not by rpcb-1/.test(logOf('rpca-1')) && /bad MAC/.test(logOf('rpca-1')));
  raw.end();

  // A client with a wrong token never gets in; the plugin refuses to start with a clear error.
  const dir = path.join(opts['work-dir'], 'nats-auth');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'config'), { recursive: true });
  const port = await freePort();
  const startOne = (env, options) => {
    fs.writeFileSync(path.join(dir, 'config', 'servers.json'), JSON.stringify({ [env]: { rpcb: [{ id: 'rpcb-9', host: '127.0.0.1', port }] } }));
    fs.writeFileSync(path.join(dir, 'config', 'plugins.json'), JSON.stringify({ plugins: [{ name: 'rpc_nats', options: { secret: 'a-secret-of-ours', url: n.url, ...options } }], app: { name: 'rpc_test_app' } }));
    return new Promise((resolve) => {
      let out = '';
      const proc = spawn(opts.host, ['--app-dir', dir, '--env', env, '--server-id', 'rpcb-9', '--plugins-dir', opts['plugins-dir'],
        '--apps-dir', opts['apps-dir'], '--log-dir', path.join(dir, 'logs')], { stdio: ['pipe', 'pipe', 'pipe'] });
      children.add(proc);
      proc.stdout.on('data', (x) => { out += x; });
      proc.stderr.on('data', (x) => { out += x; });
      const timer = setTimeout(() => proc.kill('SIGKILL'), 15000);
      proc.on('exit', (code) => { clearTimeout(timer); children.delete(proc); resolve({ code, out }); });
    });
  };
  let x = await startOne('development', { token: 'a-wrong-token-123' });
  check('a wrong NATS token: the server does not start, saying why', x.code !== 0 && /NATS/.test(x.out) && /[Aa]uthori[sz]ation/.test(x.out), x.out.slice(-400));
  check('  without printing the token', !x.out.includes('a-wrong-token-123'));
  x = await startOne('production', {});
  check('production without NATS credentials: refused at start', x.code !== 0 && /refused in production/.test(x.out), x.out.slice(-400));

  // Forged requests pouring in while the servers stop: rpcb-1's dispatcher checks their MACs to the
  // end, yet every server stops cleanly (exit 0, which under LeakSanitizer also means nothing it
  // held leaked) and the NATS library is down in time.
  const badMacs = () => logOf('rpcb-1').split('\n').filter((l) => /bad MAC/.test(l)).length;
  const badMacsBefore = badMacs();
  const flooder = new RawNats(n.port, NATS_TOKEN);
  await flooder.ready;
  let flooding = true, flooded = 0;
  const flood = (async () => {
    while (flooding) {
      for (let i = 0; i < 200 && flooder.sock.writableLength < (1 << 20); i++, flooded++) {
        const r = rawReply();
        flooder.pub(target, r, signed(target, r, echo(k), 'raw-peer', 'not-the-secret'));
      }
      await sleep(5);
    }
  })();
  await sleep(300);
  await stopCluster(cl, 'nats-hostile');
  flooding = false;
  await flood;
  flooder.end();
  check(`forged requests flooding in during the stop (${flooded} sent): rpcb-1 dropped them and shut NATS down in time`,
    flooded > 0 && badMacs() > badMacsBefore && !/did not (shut down|close|finish)/.test(logOf('rpcb-1')),
    logOf('rpcb-1').split('\n').filter((l) => /NATS/.test(l)).slice(-5));
}

// nats-server stopped (and killed) under the cluster: calls in flight fail with SHD_ERR_IO at once,
// calls while it is down fail at once, and once it is back the plugin has reconnected.
async function natsRestart() {
  const n = await nats();
  const cl = await startCluster('nats-restart', { driver: { timeout: 20000 } });
  const d = cl.servers['rpca-1'];
  checkResult('warm call', await d.run({ op: 'invoke', tag: 'warm', server: 'rpcb-1', method: 'whoami', args: [] }), 0, [null, 'rpcb-1']);
  for (const [how, down] of [['stopped', () => n.stop()], ['killed', () => n.kill()]]) {
    const tags = ['rpcb-1', 'rpcb-2', 'rpcb-3'].map((id) => `${how}-${id}`);
    const ms = how === 'stopped' ? 4000 : 4100;  // tells this round's "sleeping" lines from the last
    for (const [i, tag] of tags.entries()) d.send({ op: 'invoke', tag, server: `rpcb-${i + 1}`, method: 'sleep', args: [ms] });
    for (const i of [1, 2, 3]) await cl.servers[`rpcb-${i}`].waitFor((m) => m.event === 'sleeping' && m.ms === ms, 5000);
    const t0 = Date.now();
    await down();
    const results = await Promise.all(tags.map((tag) => d.waitFor((m) => m.tag === tag, 8000, tag)));
    const took = Date.now() - t0;
    check(`NATS ${how} mid-call: 3 calls in flight fail with SHD_ERR_IO`, results.every((r) => !r.timeout && r.status === 10 && r.inline === false), results);
    check('  promptly (within 3 s, not by the 20 s timeout)', took < 3000, took);
    const r = await d.run({ op: 'invoke', tag: `${how}-down`, server: 'rpcb-2', method: 'whoami', args: [] }, 5000);
    checkResult(`  a call while NATS is ${how} fails with SHD_ERR_IO`, r, 10);
    check('    at once', r.ms < 1000, r.ms);
    await n.start();
    const t1 = Date.now();
    // Each server reconnects on its own (reconnectWait): until it has, calls to it are refused by NATS.
    let back = null;
    for (let i = 0; i < 100 && !back; i++) {
      const x = await d.run({ op: 'invoke', tag: `${how}-back-${i}`, server: '*', type: 'rpcb', method: 'whoami', args: [] }, 5000);
      if (x.status === 0) back = x; else await sleep(100);
    }
    console.log(`# NATS ${how}: every server answered ${Date.now() - t1} ms after nats-server served again`);
    check(`NATS back after being ${how}: every plugin reconnected, "*" reaches every server`,
      back && same(back.result, [[null, 'rpcb-1'], [null, 'rpcb-2'], [null, 'rpcb-3']]), back);
    const b = await d.run({ op: 'burst', tag: `${how}-burst`, count: 300, method: 'echo', type: 'rpcb', route: { uid: 'bob' } }, 30000);
    check('  300 pipelined calls all answered once', b.count === 300 && b.ok === 300 && b.mismatched === 0, b);
  }
  await sleep(4500);  // the sleeps of the backends end now; their answers go to links that are gone
  check('no callback ran twice', d.count((m) => m.duplicate) === 0, d.lines.filter((m) => m.duplicate));
  await stopCluster(cl, 'nats-restart');
}

const scenarios = NATS ? { basic, routing, faults, cluster, master, bench, filters, errors, hostile: natsHostile, restart: natsRestart }
  : { basic, routing, faults, cluster, master, bench, filters, errors, hostile };
const run = scenarios[opts.scenario];
if (!run) { console.error(`unknown scenario ${opts.scenario}`); process.exit(2); }
fs.mkdirSync(opts['work-dir'], { recursive: true });
const watchdog = setTimeout(() => { console.log('not ok - scenario took longer than 110 s'); process.exit(1); }, 110000);
try {
  await run();
} catch (e) {
  failed++;
  console.log(`not ok - ${opts.scenario} threw: ${e.stack || e}`);
}
clearTimeout(watchdog);
if (NATS) {
  // No log line may hold the NATS token (docs/security.md: credentials are never logged).
  const leaks = [];
  const walk = (dir) => { for (const f of fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }) : []) {
    const full = path.join(dir, f.name);
    if (f.isDirectory()) walk(full);
    else if (f.name.endsWith('.log') && fs.readFileSync(full, 'utf8').includes(NATS_TOKEN)) leaks.push(full);
  } };
  walk(opts['work-dir']);
  check('no server log holds the NATS token', leaks.length === 0, leaks);
  await engines.closeAll();
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
