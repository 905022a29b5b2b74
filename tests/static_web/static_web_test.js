// The static_web plugin attacked from outside: a host running only static_web on a temporary app
// directory whose root folder "site" has a sibling "site.bak" (the backup copy an attacker wants)
// and symlinks pointing out of and inside the root. Every traversal form, absolute targets, huge
// request lines and headers, a slowloris client, connection floods; after each attack a normal GET
// must still work. Also checks that every socket of the server is close-on-exec.
//
// Run by CTest (static_web_hostile): SHADDOCK_HOST, SHADDOCK_PLUGINS_DIR.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { freePort, sleep, waitFor, SANITIZED, listening, Checks, requiredEnv, tempDir } = require('../../tools/node/util.js');

const hostBin = requiredEnv('SHADDOCK_HOST');
const pluginsDir = requiredEnv('SHADDOCK_PLUGINS_DIR');
if (!hostBin || !pluginsDir) {
  console.error('usage: node static_web_test.js <shaddock-host> <plugins-dir>');
  process.exit(2);
}

const HEADER_TIMEOUT = 2000;
const KEEP_ALIVE = 8000;
const PER_ADDRESS = 20;
// How late a deadline may fire on a loaded machine (a sanitized server runs several times slower).
const SLACK = SANITIZED ? 3000 : 1500;
const TOTAL = 30;
const SECRET = 'backup-secret-42';
const OUTSIDE = 'outside-secret-17';

function assert(cond, what, detail) {
  if (!cond) throw new Error(what + (detail !== undefined ? ': ' + (typeof detail === 'string' ? detail : JSON.stringify(detail)) : ''));
}

// One raw HTTP exchange: writes `bytes`, reads until the server closes or `timeoutMs` passes.
// Resolves {status, head, body, closed, ms}.
function exchange(port, bytes, { timeoutMs = 4000, localAddress } = {}) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const sock = net.connect({ port, host: '127.0.0.1', localAddress });
    let data = Buffer.alloc(0);
    let done = false;
    const finish = (closed) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      const text = data.toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      const split = text.indexOf('\r\n\r\n');
      resolve({ status: m ? Number(m[1]) : 0, head: split >= 0 ? text.slice(0, split) : text,
                body: split >= 0 ? text.slice(split + 4) : '', closed, ms: Date.now() - t0 });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    sock.on('connect', () => sock.write(bytes));
    sock.on('data', (d) => { data = Buffer.concat([data, d]); });
    sock.on('close', () => finish(true));
    sock.on('error', () => {});
  });
}

const get = (port, target, extra = '') =>
  exchange(port, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${extra}\r\n`);

// A socket that stays open; resolves once connected. `gone` resolves when the server closes it.
function openSocket(port, localAddress) {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host: '127.0.0.1', localAddress });
    sock.closedAt = null;
    sock.gone = new Promise((r) => sock.on('close', () => { sock.closedAt = Date.now(); r(true); }));
    sock.on('error', () => {});
    sock.on('connect', () => resolve(sock));
  });
}

// The flags of every socket descriptor of a process, from /proc.
function socketFds(pid) {
  const out = [];
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    let link;
    try { link = fs.readlinkSync(`/proc/${pid}/fd/${fd}`); } catch { continue; }
    // 0-2 are the stdio pipes this script gave the process (Node makes them socket pairs).
    if (!link.startsWith('socket:') || Number(fd) <= 2) continue;
    const info = fs.readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8');
    const flags = parseInt(/flags:\s*([0-7]+)/.exec(info)[1], 8);
    out.push({ fd: Number(fd), cloexec: (flags & 0o2000000) !== 0 });
  }
  return out;
}

async function main() {
  const checks = new Checks();
  const dir = tempDir('shd-static-web-');
  const app = path.join(dir, 'app');
  const site = path.join(app, 'site');
  fs.mkdirSync(path.join(app, 'config'), { recursive: true });
  fs.mkdirSync(path.join(site, 'sub'), { recursive: true });
  fs.mkdirSync(path.join(app, 'site.bak'));
  fs.mkdirSync(path.join(app, 'outside'));
  fs.writeFileSync(path.join(site, 'index.html'), '<h1>index</h1>\n');
  fs.writeFileSync(path.join(site, 'sub', 'page.txt'), 'page inside\n');
  fs.writeFileSync(path.join(app, 'site.bak', 'secret.txt'), SECRET + '\n');
  fs.writeFileSync(path.join(app, 'outside', 'secret2.txt'), OUTSIDE + '\n');
  fs.symlinkSync(path.join(app, 'outside', 'secret2.txt'), path.join(site, 'out-file'));
  fs.symlinkSync('../outside', path.join(site, 'out-dir'));
  fs.symlinkSync('../site.bak', path.join(site, 'bak-dir'));
  fs.symlinkSync('sub/page.txt', path.join(site, 'in-file'));
  fs.symlinkSync(path.join(site, 'sub'), path.join(site, 'in-dir'));

  const port = await freePort();
  fs.writeFileSync(path.join(app, 'config', 'servers.json'),
    JSON.stringify({ development: { web: [{ id: 'web-1', host: '127.0.0.1' }] } }));
  fs.writeFileSync(path.join(app, 'config', 'plugins.json'), JSON.stringify({
    plugins: [{ name: 'static_web', options: {
      port, host: '127.0.0.1', root: 'site', headerTimeout: HEADER_TIMEOUT, keepAliveTimeout: KEEP_ALIVE,
      maxConnections: TOTAL, maxConnectionsPerAddress: PER_ADDRESS } }],
  }));

  const proc = spawn(hostBin, ['--app-dir', app, '--plugins-dir', pluginsDir, '--log-dir', path.join(dir, 'logs')],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { out += d; });
  const exited = new Promise((r) => proc.on('exit', (code, signal) => r({ code, signal })));
  process.on('exit', () => { try { proc.kill('SIGKILL'); } catch {} });
  for (let i = 0; i < 200 && !(await listening(port)); i++) await sleep(100);

  const alive = async (after) => {
    const r = await get(port, '/index.html');
    assert(r.status === 200 && r.body === '<h1>index</h1>\n', `a normal GET after ${after}`, r);
  };
  // After dropping many connections: the server frees their slots as it sees the closes, so a normal
  // GET is served within a few seconds (each try is a fresh connection).
  const servedSoon = async (after) => {
    let r;
    await waitFor(async () => {
      r = await get(port, '/index.html');
      return r.status === 200 && r.body === '<h1>index</h1>\n';
    }, 5000, `a normal GET after ${after}`, 200).catch(() => {});
    assert(r.status === 200 && r.body === '<h1>index</h1>\n', `a normal GET after ${after}`, r);
  };
  // Refused with `status`, never showing a secret, and the server serves on.
  const refused = async (target, status, extra = '') => {
    const r = await get(port, target, extra);
    assert(r.status === status, `${JSON.stringify(target)}: expected ${status}`, r);
    assert(!r.body.includes(SECRET) && !r.body.includes(OUTSIDE), `${JSON.stringify(target)} leaked a secret`, r);
    await alive(JSON.stringify(target));
  };

  await checks.run('serves the root, a file in a folder, a query string ignored', async () => {
    let r = await get(port, '/');
    assert(r.status === 200 && r.body === '<h1>index</h1>\n' && /content-type: text\/html/i.test(r.head), '/', r);
    r = await get(port, '/sub/page.txt');
    assert(r.status === 200 && r.body === 'page inside\n', '/sub/page.txt', r);
    r = await get(port, '/index.html?x=/../../site.bak/secret.txt#y');
    assert(r.status === 200 && r.body === '<h1>index</h1>\n', 'query', r);
    r = await exchange(port, 'HEAD /sub/page.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert(r.status === 200 && /content-length: 12/i.test(r.head) && r.body === '', 'HEAD', r);
    r = await get(port, '/nope.txt');
    assert(r.status === 404, 'missing file', r);
  });

  await checks.run('the sibling folder: //<root>.bak/... (absolute target) is 404', async () => {
    await refused('/' + path.join(app, 'site.bak', 'secret.txt'), 404);  // "//tmp/.../site.bak/secret.txt"
    await refused(path.join(app, 'site.bak', 'secret.txt'), 404);        // "/tmp/.../site.bak/secret.txt"
    await refused('//' + path.join(app, 'site.bak', 'secret.txt'), 404);
  });

  await checks.run('dot-dot in every form is 404', async () => {
    for (const t of ['/../site.bak/secret.txt', '/sub/../../site.bak/secret.txt', '/%2e%2e/site.bak/secret.txt',
      '/%2E%2E/site.bak/secret.txt', '/.%2e/site.bak/secret.txt', '/%2e./site.bak/secret.txt',
      '/..%2fsite.bak%2fsecret.txt', '/sub%2f..%2f..%2fsite.bak%2fsecret.txt', '/%2f%2e%2e%2fsite.bak/secret.txt',
      '/..\\site.bak\\secret.txt', '/sub\\..\\..\\site.bak\\secret.txt', '/%5c..%5csite.bak%5csecret.txt',
      '/%c0%ae%c0%ae/site.bak/secret.txt', '/%c0%ae%c0%ae%c0%afsite.bak%c0%afsecret.txt',
      '/%e0%80%ae%e0%80%ae/site.bak/secret.txt', '/..', '/sub/..', '/./index.html', '/sub/./page.txt'])
      await refused(t, 404);
  });

  await checks.run('double slashes, NUL and control bytes, absolute-form and "*" targets are 404', async () => {
    for (const t of ['//index.html', '/sub//page.txt', '/index.html%00', '/index.html%00.txt', '/in%0adex.html',
      '/index.html%7f', 'http://127.0.0.1/index.html', '*'])
      await refused(t, 404);
  });

  await checks.run('malformed percent escapes are 400', async () => {
    for (const t of ['/%zz', '/index.html%', '/index.html%2']) await refused(t, 400);
  });

  await checks.run('symlinks: out of the root refused, inside the root served', async () => {
    await refused('/out-file', 404);
    await refused('/out-dir/secret2.txt', 404);
    await refused('/bak-dir/secret.txt', 404);
    let r = await get(port, '/in-file');
    assert(r.status === 200 && r.body === 'page inside\n', '/in-file', r);
    r = await get(port, '/in-dir/page.txt');
    assert(r.status === 200 && r.body === 'page inside\n', '/in-dir/page.txt', r);
  });

  await checks.run('methods other than GET/HEAD are 405; a GET body is refused (413) and the connection closed', async () => {
    let r = await exchange(port, 'POST /index.html HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n');
    assert(r.status === 405, 'POST', r);
    r = await exchange(port, 'GET /index.html HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello');
    assert(r.status === 413 && r.closed, 'GET with a body', r);
    r = await exchange(port, 'GET /index.html HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n');
    assert(r.status === 413 && r.closed, 'GET with a chunked body', r);
    await alive('bodies');
  });

  await checks.run('a huge request line is 414 and closed; huge headers are 431 and closed', async () => {
    let r = await exchange(port, `GET /${'a'.repeat(20000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    assert(r.status === 414 && r.closed, 'request line of 20 KB', { status: r.status, closed: r.closed });
    r = await exchange(port, `GET /index.html HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(9000)}\r\n\r\n`);
    assert(r.status === 431 && r.closed, 'one header of 9 KB', { status: r.status, closed: r.closed });
    const many = Array.from({ length: 200 }, (_, i) => `X-H${i}: ${'c'.repeat(100)}\r\n`).join('');
    r = await exchange(port, `GET /index.html HTTP/1.1\r\nHost: x\r\n${many}\r\n`);
    assert(r.status === 431 && r.closed, '200 headers of 100 bytes', { status: r.status, closed: r.closed });
    // A megabyte without a line end: refused as soon as the limit passes, not buffered.
    r = await exchange(port, 'GET /' + 'z'.repeat(1 << 20));
    assert(r.status === 414 && r.closed, '1 MiB request line', { status: r.status, closed: r.closed });
    await alive('huge requests');
  });

  await checks.run('slowloris: a header dribbled a byte at a time is cut off at headerTimeout', async () => {
    const sock = await openSocket(port);
    const t0 = Date.now();
    sock.write('GET /index.html HTTP/1.1\r\n');
    const dribble = setInterval(() => { if (!sock.destroyed) sock.write('X'); }, 300);
    const closed = await Promise.race([sock.gone, sleep(HEADER_TIMEOUT + SLACK + 1500).then(() => false)]);
    clearInterval(dribble);
    sock.destroy();
    assert(closed, 'still open after headerTimeout + 3 s');
    const ms = sock.closedAt - t0;
    assert(ms >= HEADER_TIMEOUT - 200 && ms < HEADER_TIMEOUT + SLACK, `closed after ${ms} ms (headerTimeout ${HEADER_TIMEOUT})`);
    await alive('slowloris');
  });

  await checks.run('a silent connection is closed at headerTimeout; an idle keep-alive one waits for keepAliveTimeout', async () => {
    const silent = await openSocket(port);
    const idle = await openSocket(port);
    let got = '';
    idle.on('data', (d) => { got += d; });
    idle.write('GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n');
    const t0 = Date.now();
    const silentClosed = await Promise.race([silent.gone, sleep(HEADER_TIMEOUT + SLACK).then(() => false)]);
    assert(silentClosed && Date.now() - t0 < HEADER_TIMEOUT + SLACK, 'the silent connection was not closed in time');
    assert(/^HTTP\/1\.1 200/.test(got), 'first keep-alive answer', got);
    await sleep(Math.max(0, HEADER_TIMEOUT + 1000 - (Date.now() - t0)));
    assert(idle.closedAt === null, 'the idle keep-alive connection was closed at the header deadline');
    got = '';
    idle.write('GET /sub/page.txt HTTP/1.1\r\nHost: x\r\n\r\n');
    for (let i = 0; i < 50 && !got.includes('page inside'); i++) await sleep(50);
    assert(got.includes('page inside'), 'second request on the kept-alive connection', got);
    silent.destroy();
    idle.destroy();
  });

  await checks.run('many connections: capped per address and in total, others still served after', async () => {
    await sleep(200);
    // Each connection sends one request, so the accepted ones wait for keepAliveTimeout (not the
    // header deadline) while the counts are taken.
    const kept = async (localAddress) => {
      const s = await openSocket(port, localAddress);
      s.write('GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n');
      return s;
    };
    // The surplus is closed at accept, which a loaded server reaches late: wait for the count to drop
    // to the cap, then a little longer so that a close too many would show.
    const openOf = (list) => list.filter((s) => s.closedAt === null).length;
    const settle = async (list, cap) => {
      await waitFor(() => openOf(list) <= cap, 5000, `${cap} open connections`).catch(() => {});
      await sleep(300);
      return openOf(list);
    };
    const mine = [];
    for (let i = 0; i < PER_ADDRESS + 10; i++) mine.push(await kept('127.0.0.1'));
    const open1 = await settle(mine, PER_ADDRESS);
    assert(open1 === PER_ADDRESS, `from one address: ${open1} open, expected maxConnectionsPerAddress ${PER_ADDRESS}`);
    const other = [];
    for (let i = 0; i < PER_ADDRESS; i++) other.push(await kept('127.0.0.2'));
    const open2 = await settle(other, TOTAL - PER_ADDRESS);
    assert(open2 === TOTAL - PER_ADDRESS, `from a second address: ${open2} open, expected ${TOTAL - PER_ADDRESS} (maxConnections ${TOTAL})`);
    for (const s of [...mine, ...other]) s.destroy();
    await servedSoon('the connection flood');
    // 300 connections opened at once and dropped.
    const burst = await Promise.all(Array.from({ length: 300 }, () => openSocket(port)));
    for (const s of burst) s.destroy();
    await servedSoon('a burst of 300 connections');
  });

  await checks.run('every socket of the server is close-on-exec (listening and accepted)', async () => {
    const held = await openSocket(port);
    await sleep(200);
    const fds = socketFds(proc.pid);
    held.destroy();
    assert(fds.length >= 2, 'expected the listening socket and one accepted socket', fds);
    assert(fds.every((f) => f.cloexec), 'a socket without FD_CLOEXEC', fds);
  });

  proc.kill('SIGTERM');
  const ex = await Promise.race([exited, sleep(10000).then(() => 'timeout')]);
  await checks.run('the server stops cleanly', async () => assert(ex !== 'timeout' && ex.code === 0, 'exit', ex));
  if (checks.failed) console.log(out.split('\n').slice(-30).join('\n'));
  fs.rmSync(dir, { recursive: true, force: true });
  checks.finish();
}

main().catch((e) => { console.log('FAIL ' + (e.stack || e)); process.exit(1); });
