// Hostile tests of the master port (docs/security.md, "Master port"): every attack on the master
// link, each followed by a check that the master is alive and still serving (an admin `list` over an
// authenticated link answers, and the real servers stay registered).
// Run by CTest (cluster_master_hostile): SHADDOCK_HOST.
'use strict';
const fs = require('fs');
const path = require('path');
const { freePort, sleep, SANITIZED, requiredEnv, tempDir } = require('../../tools/node/util.js');
const { startHost, waitFor, alive } = require('./lib/host_process.js');
const net = require('net');
const crypto = require('crypto');
const { frame, linkMac, deriveKeys, Sealer, Conn, serverHello, adminLogin, adminCommand, captureProxy } = require('./lib/master_link.js');

const HOST = requiredEnv('SHADDOCK_HOST');
const start = (dir, args) => startHost(HOST, dir, args);
let passed = 0, failed = 0;
function check(name, ok, detail) {
  if (ok) { passed++; console.log('ok   ' + name); }
  else { failed++; console.log('FAIL ' + name + (detail !== undefined ? ': ' + (typeof detail === 'string' ? detail : JSON.stringify(detail)) : '')); }
}

const TOKEN = 'hello-token-' + Math.random().toString(36).slice(2);
const PASSWORD = 'pw-' + Math.random().toString(36).slice(2);

function appDir(files) {
  const dir = tempDir('shd-hostile-');
  fs.mkdirSync(path.join(dir, 'config'));
  for (const [name, content] of Object.entries(files))
    fs.writeFileSync(path.join(dir, 'config', name), typeof content === 'string' ? content : JSON.stringify(content));
  return dir;
}



function fdCount(pid) { try { return fs.readdirSync(`/proc/${pid}/fd`).length; } catch (e) { return -1; } }
function rssKiB(pid) {
  try { return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]); } catch (e) { return -1; }
}

async function main() {
  const port = await freePort();
  const sniffPort = await freePort(), fakePort = await freePort();
  const plugins = {
    plugins: [{ name: 'cluster', serverTypes: '*', options: {
      restartDelay: 200, handshakeTimeout: 1500, maxUnauthenticated: 32, maxQueuedBytes: 262144,
      adminFailDelay: 100, adminMaxFailures: 50 } },
    { name: 'greeter', serverTypes: 'hello' }],
    app: { name: 'hello', serverTypes: 'hello' },
  };
  const hellos = { hello: [
    { id: 'hello-server-1', host: '127.0.0.1', port: await freePort(), 'auto-restart': true },
    { id: 'hello-server-2', host: '127.0.0.1', port: await freePort() },
    { id: 'hello-server-3', host: '127.0.0.1', port: await freePort() }] };
  const dir = appDir({
    'master.json': { development: { id: 'master-server-1', host: '127.0.0.1', port },
                     // The sniffed server reads this environment: its master is the capturing proxy.
                     sniff: { id: 'master-server-1', host: '127.0.0.1', port: sniffPort },
                     // ... and in this one, a hostile master played by the test.
                     fake: { id: 'master-server-1', host: '127.0.0.1', port: fakePort } },
    'servers.json': { development: hellos, sniff: hellos, fake: hellos },
    'adminServer.json': [{ type: 'hello', token: TOKEN }],
    'adminUser.json': [{ id: 'user-1', username: 'admin', password: PASSWORD, level: 1 }],
    'plugins.json': plugins,
  });
  // hello-server-3 is stopped through an admin command below so that its id is free for the
  // id-mismatch attack, then started by hand behind a capturing proxy for the sniffing test.
  const master = start(dir);
  const up = await waitFor(master, /all servers startup in/, 60000);
  check('the cluster starts', !!up, master.output.slice(-2000));
  if (!up) { master.kill('SIGKILL'); return; }
  const mpid = master.pid;

  const serving = async (what) => {
    const r = await adminCommand(port, 'admin', PASSWORD, 'list');
    const servers = (r && r.servers) || [];
    const ok = alive(mpid) && r.ok === true && servers.filter((s) => s.registered).length >= 1;
    check(`after ${what}: the master is alive and serving`, ok, r);
    return servers;
  };
  const registered = async (id) => ((await adminCommand(port, 'admin', PASSWORD, 'list')).servers || [])
    .find((s) => s.id === id && s.registered);

  // -- Type spoof, the old way: a plain register claiming "serverType":"master" got the secret.
  {
    const c = await Conn.open(port);
    c.send({ t: 'register', id: 'master-server-2', serverType: 'master', token: '', server: { id: 'master-server-2', serverType: 'master', host: '127.0.0.1', port: 1 } });
    await c.closedWithin(3000);
    const got = Buffer.concat(c.frames).toString();
    check('spoof: a plain "register" as type master gets no secret and no server list',
          !/secret|registered|hello-server/.test(got) && c.closedAt !== null, got);
  }
  // -- Type spoof with the new handshake: type master (no token of its own) and type hello with a wrong token.
  for (const [id, type, token, what] of [['master-server-2', 'master', TOKEN, 'type "master" with another type\'s token'],
    ['master-server-2', 'master', '', 'type "master" with no token'],
    ['hello-server-9', 'hello', 'wrong-token', 'type "hello" with a wrong token']]) {
    const r = await serverHello(port, id, type, token);
    const closed = await r.conn.closedWithin(3000);
    check(`spoof: ${what} is refused and closed`, !r.ok && r.refused && r.refused.t === 'refused' && closed, r.refused);
  }
  await serving('type spoofing');

  // -- Squatting: a live id with the right token is refused; the real server keeps its registration.
  {
    const before = await registered('hello-server-1');
    const r = await serverHello(port, 'hello-server-1', 'hello', TOKEN);
    check('squat: a second registration of a live id is refused', !r.ok && r.refused && /already registered/.test(r.refused.reason), r.refused);
    r.conn.destroy();
    await sleep(300);
    const after = await registered('hello-server-1');
    check('squat: the real server stays registered (same pid)', before && after && before.pid === after.pid, { before, after });
  }

  // -- An id that is not in servers.json (a type's token is not enough to invent members).
  {
    const r = await serverHello(port, 'hello-server-99', 'hello', TOKEN);
    check('unknown id: a server absent from servers.json is refused', !r.ok && r.refused && /servers\.json/.test(r.refused.reason), r.refused);
    r.conn.destroy();
  }

  // -- Id mismatch: free hello-server-3's id (admin stop), authenticate as it, register another id's entry.
  {
    const s = await adminCommand(port, 'admin', PASSWORD, 'stop', ['hello-server-3']);
    const stopped = await waitFor(master, /hello-server-3 stopped/, 10000);
    check('mismatch: hello-server-3 stopped to free its id', s.ok && !!stopped, s);
    const r = await serverHello(port, 'hello-server-3', 'hello', TOKEN);
    check('mismatch: authenticates as hello-server-3', r.ok);
    r.conn.send({ t: 'register', server: { id: 'hello-server-1', serverType: 'hello', host: '10.6.6.6', port: 6666 } });
    const reply = await r.conn.next(3000);
    const closed = await r.conn.closedWithin(3000);
    check('mismatch: a server entry naming another id is refused and the link closed',
          reply && reply.t === 'refused' && /does not match/.test(reply.reason) && closed, reply);
    // The right id with a forged host and port: the member list carries servers.json's entry.
    const r2 = await serverHello(port, 'hello-server-3', 'hello', TOKEN);
    r2.conn.send({ t: 'register', server: { id: 'hello-server-3', serverType: 'hello', host: '10.6.6.6', port: 6666 } });
    const reg = await r2.conn.next(3000);
    const mine = reg && reg.servers && reg.servers.find((x) => x.id === 'hello-server-3');
    check('mismatch: a forged host/port is not published (servers.json entry kept)', mine && mine.host === '127.0.0.1' && mine.port !== 6666, mine);
    check('an authenticated server gets the secret only over the sealed link', reg && typeof reg.secret === 'string' && reg.secret.length === 48);
    const during = await registered('hello-server-3');
    r2.conn.destroy();
    await waitFor(master, /server hello-server-3 left the cluster/, 3000);
    const afterLeave = await registered('hello-server-3');
    check('the membership entry leaves with its link', !!during && !afterLeave, { during, afterLeave });

    // A registration that names a pid and a cluster secret of its own (a server no process of this
    // master runs is adopted over its link): the master never signals that pid, and outside a master
    // HA takeover it keeps its own secret.
    const victim = require('child_process').spawn('sleep', ['60'], { stdio: 'ignore' });
    const forged = 'ab'.repeat(24);
    const r3 = await serverHello(port, 'hello-server-3', 'hello', TOKEN);
    r3.conn.send({ t: 'register', pid: victim.pid, secret: forged,
                   server: { id: 'hello-server-3', serverType: 'hello', host: '127.0.0.1', port: 1 } });
    const reg3 = await r3.conn.next(3000);
    check('a registration\'s own secret is not taken over: the master answers its own',
          reg3 && reg3.t === 'registered' && reg3.secret === reg.secret && reg3.secret !== forged, reg3 && reg3.t);
    const stopAdopted = await adminCommand(port, 'admin', PASSWORD, 'stop', ['hello-server-3']);
    await sleep(500);
    check('stopping a server adopted over its link asks it over the link and signals no pid it named',
          stopAdopted.ok && alive(victim.pid), { stop: stopAdopted, victimAlive: alive(victim.pid) });
    victim.kill('SIGKILL');
    r3.conn.destroy();
    await waitFor(master, /hello-server-3 stopped \(left: its link closed/, 5000);
  }
  await serving('id mismatch and squatting');

  // -- Deep and oversized frames before authentication.
  {
    const c = await Conn.open(port);
    await c.next();
    c.sendRaw(frame(Buffer.alloc(200 * 1024, '[')));
    check('deep: a 200 KB frame of "[" before auth is closed (over the pre-auth cap)', await c.closedWithin(3000));
    const c2 = await Conn.open(port);
    await c2.next();
    c2.sendRaw(frame(Buffer.alloc(3000, '[')));
    check('deep: a 3000-deep "[" within the cap is closed as not a cluster message', await c2.closedWithin(3000));
    const c3 = await Conn.open(port);
    await c3.next();
    const head = Buffer.alloc(4); head.writeUInt32BE(1 << 20);
    const t0 = Date.now();
    c3.sendRaw(head);
    const closed = await c3.closedWithin(3000);
    check('oversized: a 1 MiB frame announced before auth is closed at once (not buffered)', closed && c3.closedAt - t0 < 1000, c3.closedAt - t0);
    // After authentication the cap is larger, but depth is still limited.
    const a = await adminLogin(port, 'admin', PASSWORD);
    a.conn.send(Buffer.alloc(100 * 1024, '[').toString());
    check('deep: a 100 KB frame of "[" after admin auth closes the link', await a.conn.closedWithin(3000));
  }
  await serving('deep and oversized frames');

  // -- Nothing but the challenge before auth: pings are not answered, an idle link is closed.
  {
    const c = await Conn.open(port);
    for (let i = 0; i < 50; i++) c.send({ t: 'ping' });
    await c.closedWithin(3000);
    // (The challenge itself may be lost to the reset that closing over unread pings causes.)
    check('no replies before auth: 50 pings get no pong, nothing but the challenge, then a close',
          c.frames.every((f) => /"t":"challenge"/.test(f.toString())) && c.closedAt !== null, c.frames.map(String));
    const idle = await Conn.open(port);
    const t0 = Date.now();
    const ch = await idle.next();
    const closed = await idle.closedWithin(6000);
    check('idle: a link that says nothing is closed by the handshake deadline (1.5 s)',
          ch && ch.t === 'challenge' && closed && idle.closedAt - t0 >= 1300 && idle.closedAt - t0 < 4000, idle.closedAt && idle.closedAt - t0);
  }
  await serving('idle links and pings');

  // -- A peer that never reads: an authenticated admin link floods commands and reads nothing.
  {
    const a = await adminLogin(port, 'admin', PASSWORD);
    a.conn.sock.pause();  // read nothing
    const rss0 = rssKiB(mpid);
    let sent = 0;
    const t0 = Date.now();
    while (sent < 60000 && !a.conn.closedAt && Date.now() - t0 < 20000) {
      for (let i = 0; i < 500; i++, sent++) a.conn.send({ t: 'admin', cmd: 'list', ids: [] });
      await sleep(5);
    }
    // The master answers every command it has read before its queue passes the bound: under a
    // sanitizer that backlog takes it far longer.
    const logged = await waitFor(master, /the peer does not read/, SANITIZED ? 60000 : 10000);
    const rss1 = rssKiB(mpid);
    // A paused socket sees no FIN: read again, and the close must come once the answers are drained.
    a.conn.sock.resume();
    check('unread: the master closes a link whose queue passes maxQueuedBytes', !!logged && await a.conn.closedWithin(10000),
          master.output.slice(-800));
    if (!SANITIZED) {  // RSS measures the sanitizer there (tools/node/util.js)
      check('unread: the master\'s memory stays bounded (< 64 MiB growth)', rss1 - rss0 < 65536, { rss0, rss1, sent });
    }
    a.conn.destroy();
  }
  await serving('an unread link');

  // -- A connection flood: 500 unauthenticated connections; the cap (32) holds, a real server re-registers.
  {
    const fds0 = fdCount(mpid);
    // (While the flood fills the cap, new links, an admin's included, are closed at once.)
    const pid1 = ((await adminCommand(port, 'admin', PASSWORD, 'list')).servers || []).find((s) => s.id === 'hello-server-1');
    const conns = await Promise.all(Array.from({ length: 500 }, () => Conn.open(port)));
    await sleep(500);
    const fdsFlood = fdCount(mpid);
    const challenged = conns.filter((c) => c.frames.length > 0).length;
    const shut = conns.filter((c) => c.closedAt !== null && c.frames.length === 0).length;
    check('flood: at most 32 unauthenticated links are served, the rest closed at once',
          challenged <= 32 && shut >= 400, { challenged, shut });
    check('flood: the master holds a bounded number of descriptors', fdsFlood - fds0 <= 40, { fds0, fdsFlood });
    // A real server dies and is restarted by the master during the flood: it must get back in.
    const mark = master.output.length;
    if (pid1 && pid1.pid > 0) process.kill(pid1.pid, 'SIGKILL');
    const t0 = Date.now();
    let back = false;
    while (!back && Date.now() - t0 < 20000) {
      back = /server hello-server-1 \(hello\) registered/.test(master.output.slice(mark));
      await sleep(100);
    }
    check('flood: a real server registers again while the flood is on', back, master.output.slice(mark).slice(-1500));
    conns.forEach((c) => c.destroy());
  }
  await serving('a connection flood');

  // -- Passive sniffing: a real server registers through a capturing proxy, an admin logs in through it.
  {
    const proxy = await captureProxy(sniffPort, port);
    // Free hello-server-3 (stopped above) and start it in the "sniff" environment: its master is the proxy.
    const mark = master.output.length;
    const s3 = start(dir, ['--env', 'sniff', '--server-id', 'hello-server-3']);
    const reg = await waitFor(master, /server hello-server-3 \(hello\) registered from 127\.0\.0\.1/, 20000, mark);
    const started = await waitFor(s3, /registered with the master/, 5000);
    check('sniff: a real server registered through the proxy', !!reg && !!started, s3.output.slice(-1500));
    const login = await adminCommand(sniffPort, 'admin', PASSWORD, 'list');
    check('sniff: an admin logged in through the proxy', login.ok === true, login);
    await sleep(300);
    const bytes = proxy.bytes();
    const state = JSON.parse(fs.readFileSync(path.join(dir, 'logs', 'master-server-1.cluster.json'), 'utf8'));
    const md5 = require('crypto').createHash('md5').update(PASSWORD).digest('hex');
    check('sniff: the capture holds the handshake (the check can see the traffic)',
          bytes.includes('"challenge"') && bytes.includes('"id":"hello-server-3"') && bytes.includes('"user":"admin"'),
          bytes.toString('latin1').replace(/[^ -~]/g, '.').slice(0, 3000));
    check('sniff: the cluster secret never crosses in clear', state.secret.length === 48 && !bytes.includes(state.secret));
    check('sniff: the token never crosses', !bytes.includes(TOKEN));
    check('sniff: the admin password never crosses, nor its md5', !bytes.includes(PASSWORD) && !bytes.includes(md5));
    s3.kill('SIGTERM');
    await Promise.race([s3.exited, sleep(5000)]);
    proxy.server.close();
  }
  await serving('sniffing');

  master.kill('SIGTERM');
  const exit = await Promise.race([master.exited, sleep(20000).then(() => null)]);
  check('the master still stops cleanly after every attack', exit && exit.code === 0, exit);
  if (!exit) master.kill('SIGKILL');

  await hostileMaster(dir, fakePort);
}

// The server's side: a master that sends deep JSON (sealed, after a valid handshake), an oversized
// frame before authentication, or that cannot prove it holds the token.
async function hostileMaster(dir, fakePort) {
  const conns = [];
  const server = net.createServer((sock) => conns.push(new Conn(sock)));
  await new Promise((r) => server.listen(fakePort, '127.0.0.1', r));
  const nextConn = async (ms) => {
    const t0 = Date.now();
    while (!conns.length && Date.now() - t0 < ms) await sleep(20);
    return conns.shift() || null;
  };
  const s = start(dir, ['--env', 'fake', '--server-id', 'hello-server-2']);
  // 1. A valid handshake, then a sealed frame of 100 KB of "[".
  let c = await nextConn(10000);
  const mn = crypto.randomBytes(32);
  c.sendRaw(frame(JSON.stringify({ t: 'challenge', v: 2, nonce: mn.toString('hex') })));
  const hello = await c.next(5000);
  const ok = hello && hello.t === 'hello' && hello.id === 'hello-server-2' &&
    hello.mac === linkMac(TOKEN, 'shd.cluster/2 server-hello', [mn, Buffer.from(hello.nonce, 'hex'), 'hello-server-2', 'hello']).toString('hex');
  check('hostile master: the server proves its token and never sends it', ok && !JSON.stringify(hello).includes(TOKEN), hello);
  const pn = Buffer.from(hello.nonce, 'hex');
  c.sendRaw(frame(JSON.stringify({ t: 'welcome', mac: linkMac(TOKEN, 'shd.cluster/2 server-welcome', [mn, pn, 'hello-server-2', 'hello']).toString('hex') })));
  const keys = deriveKeys(TOKEN, mn, pn, Buffer.concat([Buffer.from('server\0hello-server-2\0hello')]));
  c.sealer = new Sealer(keys.masterToPeer);
  c.opener = new Sealer(keys.peerToMaster);
  const reg = await c.next(5000);
  check('hostile master: after the welcome the server registers over the sealed link', reg && reg.t === 'register', reg);
  c.send(Buffer.alloc(100 * 1024, '[').toString());
  check('hostile master: a deep sealed frame closes the link on the server side', await c.closedWithin(5000));
  // 2. Before authentication: a 200 KB frame instead of the challenge.
  c = await nextConn(10000);
  check('hostile master: the server is alive and reconnects', !!c && s.exitCode === null);
  if (c) {
    c.sendRaw(frame(Buffer.alloc(200 * 1024, '[')));
    check('hostile master: an oversized frame before auth closes the link', await c.closedWithin(5000));
  }
  // 3. A master that cannot prove it holds the token.
  c = await nextConn(10000);
  if (c) {
    const mn2 = crypto.randomBytes(32);
    c.sendRaw(frame(JSON.stringify({ t: 'challenge', v: 2, nonce: mn2.toString('hex') })));
    await c.next(5000);
    c.sendRaw(frame(JSON.stringify({ t: 'welcome', mac: crypto.randomBytes(32).toString('hex') })));
    const closed = await c.closedWithin(5000);
    check('hostile master: a master without the token is not talked to',
          closed && c.frames.length === 0 && !!await waitFor(s, /did not prove it holds this type's token/, 3000), s.output.slice(-800));
  }
  check('hostile master: the server survived it all', s.exitCode === null && !!await nextConn(10000));
  s.kill('SIGTERM');
  await Promise.race([s.exited, sleep(10000)]);
  if (s.exitCode === null) s.kill('SIGKILL');
  conns.forEach((x) => x.destroy());
  server.close();
}

main().catch((e) => { failed++; console.log('FAIL exception: ' + e.stack); }).finally(() => {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
});
