'use strict';
// Options, limits and the stop sequence: option errors name the option, a non-frontend server is
// refused, max-connections and the blacklist close at accept, a client that does not read is cut
// off at sendQueueLimit, several I/O threads serve concurrently, and a stop closes every session
// with "server stopping".
const test = require('node:test');
const assert = require('node:assert');
const net = require('node:net');
const { startServer, runToExit, sleep, SANITIZED } = require('./lib/harness');
const { WireClient, Package, Protocol } = require('./lib/wire_client');
const { exerciseFlows } = require('./lib/flows');

test('option errors name the option and what was expected', async () => {
  const bad = await runToExit({ connector: { heartbeat: '3' } });
  assert.notStrictEqual(bad.code, 0);
  assert.match(bad.output, /option heartbeat: expected a number of seconds from 0 to 86400, got "3"/);

  const threads = await runToExit({ connector: { ioThreads: 0 } });
  assert.notStrictEqual(threads.code, 0);
  assert.match(threads.output, /option ioThreads: expected an integer from 1 to 64, got 0/);

  const blacklist = await runToExit({ connector: { blacklist: ['(unclosed'] } });
  assert.notStrictEqual(blacklist.code, 0);
  assert.match(blacklist.output, /option blacklist: "\(unclosed" is not a valid regular expression/);

  const cert = await runToExit({ connector: { ssl: { cert: 'missing.pem', key: 'missing.pem' } } });
  assert.notStrictEqual(cert.code, 0);
  assert.match(cert.output, /option ssl\.cert: cannot read ".*missing\.pem"/);
});

test('a server that is not a frontend is refused', async () => {
  const r = await runToExit({ serverEntry: { frontend: false } });
  assert.notStrictEqual(r.code, 0);
  assert.match(r.output, /frontend servers only/);
});

test('max-connections from servers.json closes the surplus at accept', async () => {
  const server = await startServer({ serverEntry: { 'max-connections': 2 } });
  try {
    await sleep(200);  // the harness's probe connection has gone
    const a = await WireClient.connect({ port: server.port });
    const b = await WireClient.connect({ port: server.port, transport: 'ws' });
    await a.handshake();
    await b.handshake();
    const c = net.connect({ port: server.port, host: '127.0.0.1' });
    c.on('error', () => {});
    await new Promise((resolve) => c.once('close', resolve));
    assert.deepStrictEqual(await a.request('connector.entryHandler.entry'), { code: 200, msg: 'game server is ok.' });
    a.close();
    await a.closed;
    await sleep(100);
    const d = await WireClient.connect({ port: server.port });
    assert.strictEqual((await d.handshake()).code, 200, 'a slot freed up');
    d.close();
    b.close();
  } finally {
    await server.stop();
  }
});

test('blacklisted peers are closed at accept', async () => {
  const server = await startServer({ connector: { blacklist: ['^127\\.0\\.0\\.1$'] } });
  try {
    const s = net.connect({ port: server.port, host: '127.0.0.1' });
    s.on('error', () => {});
    let got = 0;
    s.on('data', (d) => { got += d.length; });
    s.once('connect', () => s.write(Package.encode(Package.TYPE_HANDSHAKE, Protocol.strencode('{"sys":{}}'))));
    await new Promise((resolve) => s.once('close', resolve));
    assert.strictEqual(got, 0, 'no handshake reply');
  } finally {
    await server.stop();
  }
});

test('a client that does not read is cut off at sendQueueLimit; others are unaffected', async () => {
  const server = await startServer({ connector: { sendQueueLimit: 256 * 1024 } });
  try {
    const other = await WireClient.connect({ port: server.port, transport: 'ws' });
    await other.handshake();
    const slow = await WireClient.connect({ port: server.port, transport: 'tcp' });
    await slow.handshake();
    await slow.request('connector.entryHandler.login', { uid: 'slowpoke' });
    slow.sock.pause();  // stop reading: the kernel buffers fill, then the server's queue
    const rssBefore = server.rssKiB();
    const msg = { blob: 'z'.repeat(32 * 1024) };
    for (let i = 0; i < 1500 && !slow.isClosed; ++i) {
      slow.sendRaw(slow.encodeMessage(1000 + i, 'connector.entryHandler.push', { route: 'onPush', msg }));
      if (i % 50 === 49) await sleep(5);
    }
    await Promise.race([slow.closed, sleep(5000)]);
    slow.sock.resume();
    await Promise.race([slow.closed, sleep(5000)]);
    assert.strictEqual(slow.isClosed, true, 'the slow client was cut off');
    const rssAfter = server.rssKiB();
    if (!SANITIZED) {  // RSS measures the sanitizer there (tools/node/util.js)
      assert.ok(rssAfter - rssBefore < 64 * 1024, `server memory grew by ${rssAfter - rssBefore} KiB`);
    }
    assert.deepStrictEqual(await other.request('connector.entryHandler.entry'), { code: 200, msg: 'game server is ok.' });
    other.close();
    const out = await server.stop();
    assert.match(out, /session of slowpoke closed: send queue overflow/);
  } catch (e) {
    await server.stop().catch(() => {});
    throw e;
  }
});

test('several I/O threads serve clients concurrently', async () => {
  const server = await startServer({ connector: { ioThreads: 3 } });
  try {
    await Promise.all(['tcp', 'ws', 'tcp', 'ws', 'tcp', 'ws'].map((transport) => exerciseFlows({ port: server.port, transport })));
  } finally {
    await server.stop();
  }
});

test('without heartbeats, an idle session is closed after idleTimeout of silence', async () => {
  const server = await startServer({ connector: { heartbeat: 0, idleTimeout: 1.5 } });
  try {
    const idle = await WireClient.connect({ port: server.port });
    const busy = await WireClient.connect({ port: server.port, transport: 'ws' });
    const reply = await idle.handshake();
    await busy.handshake();
    assert.strictEqual(reply.sys.heartbeat, undefined, 'no heartbeat offered');
    const ackAt = Date.now();
    const ticker = setInterval(() => busy.request('connector.entryHandler.entry').catch(() => {}), 400);
    try {
      await idle.closed;
      const after = idle.closedAt - ackAt;
      assert.ok(after >= 1300 && after <= 3500, `idle session closed after ${after} ms`);
      await sleep(1000);
      assert.strictEqual(busy.isClosed, false, 'a talking session stays');
    } finally {
      clearInterval(ticker);
    }
    busy.close();
  } finally {
    await server.stop();
  }
});

test('singleSession: a uid binds to one session only', async () => {
  const server = await startServer({ connector: { singleSession: true } });
  try {
    const a = await WireClient.connect({ port: server.port });
    const b = await WireClient.connect({ port: server.port, transport: 'ws' });
    await a.handshake();
    await b.handshake();
    assert.deepStrictEqual(await a.request('connector.entryHandler.login', { uid: 'solo' }), { code: 200 });
    assert.deepStrictEqual(await b.request('connector.entryHandler.login', { uid: 'solo' }), { code: 500 });
    a.close();
    await a.closed;
    await sleep(100);
    assert.deepStrictEqual(await b.request('connector.entryHandler.login', { uid: 'solo' }), { code: 200 },
      'free again once the first session closed');
    b.close();
  } finally {
    await server.stop();
  }
});

test("the app's handshake check: 501 for old clients, 500 when refused, user data when accepted", async () => {
  const server = await startServer();
  try {
    const old = await WireClient.connect({ port: server.port });
    assert.strictEqual((await old.handshake({ sys: { type: 'too-old' } })).code, 501);
    await old.closed;
    const banned = await WireClient.connect({ port: server.port, transport: 'ws' });
    assert.strictEqual((await banned.handshake({ user: { ban: true } })).code, 500);
    await banned.closed;
    const ok = await WireClient.connect({ port: server.port });
    const reply = await ok.handshake({ user: { name: 'zed' } });
    assert.strictEqual(reply.code, 200);
    assert.deepStrictEqual(reply.user, { welcome: 'zed' });
    ok.close();
  } finally {
    await server.stop();
  }
});

test('shd.connector/1: port, connections and send_encoded', async () => {
  const server = await startServer();
  try {
    const c = await WireClient.connect({ port: server.port, transport: 'ws' });
    await c.handshake();
    const raw = c.nextPush('onRaw');
    const info = await c.request('connector.entryHandler.connector');
    assert.strictEqual(info.port, server.port);
    assert.ok(info.connections >= 1);
    assert.strictEqual(info.missed, 0);
    assert.deepStrictEqual(await raw, { raw: true });
    c.close();
  } finally {
    await server.stop();
  }
});

test('stop closes every session with "server stopping" and exits cleanly', async () => {
  const server = await startServer();
  const a = await WireClient.connect({ port: server.port, transport: 'tcp' });
  const b = await WireClient.connect({ port: server.port, transport: 'ws' });
  const idle = net.connect({ port: server.port, host: '127.0.0.1' });  // not even sniffed yet
  idle.on('error', () => {});
  await a.handshake();
  await b.handshake();
  await a.request('connector.entryHandler.login', { uid: 'anna' });
  await b.request('connector.entryHandler.login', { uid: 'bert' });
  assert.deepStrictEqual(await b.request('connector.entryHandler.logout'), { code: 200 });
  await b.request('connector.entryHandler.login', { uid: 'bert' });
  const sidA = (await a.request('connector.entryHandler.whoami')).sid;
  const stopped = Date.now();
  const out = await server.stop();
  await Promise.all([a.closed, b.closed, new Promise((r) => (idle.destroyed ? r() : idle.once('close', r)))]);
  assert.ok(Date.now() - stopped < 3000, 'stopped promptly');
  assert.match(out, /session of anna closed: server stopping/);
  assert.match(out, /session of bert closed: server stopping/);
  // The host events, as the echo app logged them.
  assert.ok(out.includes(`event bind_session {"sid":${sidA},"uid":"anna","frontendId":"connector-server-1"}`), out);
  assert.match(out, /event unbind_session \{"sid":\d+,"uid":"bert","frontendId":"connector-server-1"\}/);
  assert.ok(out.includes(`event close_session {"sid":${sidA},"uid":"anna","frontendId":"connector-server-1","reason":"server stopping"}`));
  assert.match(out, /server stopped cleanly/);
});
