'use strict';
// Bad input on the client port: each case gets its documented outcome (the connection is closed,
// or the input is ignored) and the server keeps serving a client that was connected all along and
// new clients. idleTimeout is 2 s here so stalled clients are cut quickly.
const test = require('node:test');
const assert = require('node:assert');
const net = require('node:net');
const { startServer, sleep } = require('./lib/harness');
const { WireClient, Package, Message, Protocol } = require('./lib/wire_client');
const WebSocket = require('./lib/harness').requireInterop('ws');

const IDLE_MS = 2000;
let server;
let witness;

test.before(async () => {
  server = await startServer({ connector: { idleTimeout: IDLE_MS / 1000 } });
  witness = await WireClient.connect({ port: server.port, transport: 'tcp' });
  await witness.handshake();
});

test.after(async () => {
  // The witness was never disturbed, and a new client is served as usual.
  assert.strictEqual(witness.isClosed, false, 'the witness client is still connected');
  assert.deepStrictEqual(await witness.request('connector.entryHandler.entry'), { code: 200, msg: 'game server is ok.' });
  const fresh = await WireClient.connect({ port: server.port, transport: 'ws' });
  await fresh.handshake();
  assert.deepStrictEqual(await fresh.request('connector.entryHandler.echo', { ok: 1 }), { ok: 1 });
  fresh.close();
  witness.close();
  await server.stop();
});

// A raw socket that records what comes back and when it closes.
async function rawSocket() {
  const sock = net.connect({ port: server.port, host: '127.0.0.1' });
  await new Promise((r) => sock.once('connect', r));
  const s = { sock, data: Buffer.alloc(0), openedAt: Date.now(), closedAt: 0 };
  sock.on('data', (d) => { s.data = Buffer.concat([s.data, d]); });
  sock.on('error', () => {});
  s.closed = new Promise((resolve) => sock.once('close', () => { s.closedAt = Date.now(); resolve(); }));
  return s;
}

function within(promise, ms, what) {
  let timer;
  return Promise.race([promise, new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms); })])
    .finally(() => clearTimeout(timer));
}

const handshakePkg = () => Package.encode(Package.TYPE_HANDSHAKE, Protocol.strencode(JSON.stringify({ sys: { type: 't', version: '1' } })));
const ackPkg = () => Package.encode(Package.TYPE_HANDSHAKE_ACK);
// A DATA package around raw message bytes.
const dataPkg = (msg) => Package.encode(Package.TYPE_DATA, Buffer.from(msg));

// Handshakes a raw socket by hand; resolves once the handshake reply has arrived.
async function handshaken() {
  const s = await rawSocket();
  s.sock.write(handshakePkg());
  await within((async () => { while (s.data.length < 4 || s.data[0] !== 1) await sleep(10); })(), 2000, 'handshake reply');
  s.data = Buffer.alloc(0);
  s.sock.write(ackPkg());
  return s;
}

test('garbage first bytes: closed', async () => {
  const s = await rawSocket();
  s.sock.write(Buffer.from('\xff\xfe\x00garbage that is not a package', 'latin1'));
  await within(s.closed, 1000, 'close');
});

test('invalid package type: closed', async () => {
  const s = await handshaken();
  s.sock.write(Buffer.from([0x09, 0, 0, 0]));
  await within(s.closed, 1000, 'close');
});

test('kick package from a client: closed', async () => {
  const s = await handshaken();
  s.sock.write(Package.encode(Package.TYPE_KICK, Buffer.from('{}')));
  await within(s.closed, 1000, 'close');
});

test('oversized length: closed before any body arrives', async () => {
  const s = await rawSocket();
  s.sock.write(Buffer.from([0x01, 0xff, 0xff, 0xff]));
  await within(s.closed, 1000, 'close');
});

test('length announced, then stalled (slowloris): closed by the idle timeout', async () => {
  const s = await rawSocket();
  s.sock.write(Buffer.from([0x01, 0x00, 0x00, 0x40, 0x7b]));
  const drip = setInterval(() => s.sock.write(Buffer.from(' ')), 300);  // a byte now and then does not help
  try {
    await within(s.closed, IDLE_MS + 2000, 'close');
  } finally {
    clearInterval(drip);
  }
  const after = s.closedAt - s.openedAt;
  assert.ok(after >= IDLE_MS - 200 && after <= IDLE_MS + 1500, `closed after ${after} ms`);
});

test('half-open WebSocket upgrade: closed by the idle timeout', async () => {
  const s = await rawSocket();
  s.sock.write('GET /any/path HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n');
  await within(s.closed, IDLE_MS + 2000, 'close');
  const after = s.closedAt - s.openedAt;
  assert.ok(after >= IDLE_MS - 200 && after <= IDLE_MS + 1500, `closed after ${after} ms`);
});

test('a plain HTTP request that is not an upgrade: 426 and closed', async () => {
  const s = await rawSocket();
  s.sock.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
  await within(s.closed, 1000, 'close');
  assert.match(s.data.toString(), /^HTTP\/1\.1 426/);
});

test('an oversized HTTP header: closed', async () => {
  const s = await rawSocket();
  s.sock.write(`GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(20000)}\r\n\r\n`);
  await within(s.closed, 1000, 'close');
});

test('DATA before the handshake: ignored', async () => {
  const s = await rawSocket();
  const early = Message.encode(1, Message.TYPE_REQUEST, 0, 'connector.entryHandler.entry', Protocol.strencode('{}'));
  s.sock.write(dataPkg(early));
  s.sock.write(Package.encode(Package.TYPE_HEARTBEAT));
  await sleep(200);
  assert.strictEqual(s.data.length, 0, 'no answer to DATA or heartbeat before the handshake');
  assert.strictEqual(s.closedAt, 0, 'still open');
  s.sock.write(handshakePkg());
  await sleep(200);
  assert.strictEqual(s.data[0], 1, 'the handshake is answered');
  s.sock.destroy();
});

test('malformed JSON body: treated as {} (Pomelo), connection kept', async () => {
  const c = await WireClient.connect({ port: server.port, transport: 'tcp' });
  await c.handshake();
  const id = ++c.reqId;
  const answer = new Promise((resolve) => c.callbacks.set(id, resolve));
  c.routeOf.set(id, 'connector.entryHandler.echo');
  c.sendRaw(Package.encode(Package.TYPE_DATA,
    Message.encode(id, Message.TYPE_REQUEST, 0, 'connector.entryHandler.echo', Buffer.from('{"a": [1, 2'))));
  assert.deepStrictEqual(await within(answer, 2000, 'answer'), {});
  assert.deepStrictEqual(await c.request('connector.entryHandler.entry'), { code: 200, msg: 'game server is ok.' });
  c.close();
});

test('numbers beyond the range of double in a body and a handshake: read as 0 or refused, server unharmed', async () => {
  // A literal like this one crashed RapidJSON 1.1's full-precision parser (found by fuzz_handshake).
  const tiny = '1.5781453118566781453' + '0'.repeat(35) + '7120001e-000000000000000353';
  const s = await rawSocket();
  s.sock.write(Package.encode(Package.TYPE_HANDSHAKE,
    Protocol.strencode(`{"sys":{"type":"x","version":"1"},"user":{"a":[${tiny}]}}`)));
  await sleep(200);
  assert.strictEqual(s.data[0], 1, 'the handshake is answered');
  s.sock.destroy();
  const c = await WireClient.connect({ port: server.port, transport: 'tcp' });
  await c.handshake();
  const echo = async (text) => {
    const id = ++c.reqId;
    const answer = new Promise((resolve) => c.callbacks.set(id, resolve));
    c.routeOf.set(id, 'connector.entryHandler.echo');
    c.sendRaw(Package.encode(Package.TYPE_DATA,
      Message.encode(id, Message.TYPE_REQUEST, 0, 'connector.entryHandler.echo', Buffer.from(text))));
    return within(answer, 2000, 'answer');
  };
  assert.deepStrictEqual(await echo(`{"a":${tiny},"b":-1e-400,"c":1.5}`), { a: 0, b: -0, c: 1.5 });
  assert.deepStrictEqual(await echo('{"a":1e400}'), {}, 'beyond double: unreadable, so {} as Pomelo does');
  assert.deepStrictEqual(await c.request('connector.entryHandler.entry'), { code: 200, msg: 'game server is ok.' });
  c.close();
});

// For the next cases the outcome may be a close or a dropped message; either way no answer and no
// harm. Returns 'closed' or 'ignored'.
async function closedOrIgnored(c) {
  await Promise.race([c.closed, sleep(500)]);
  return c.isClosed ? 'closed' : 'ignored';
}

test('malformed protobuf body: closed or ignored', async () => {
  const c = await WireClient.connect({ port: server.port, transport: 'tcp' });
  await c.handshake();
  const before = c.received.filter((p) => p.type === 4).length;
  c.sendRaw(Package.encode(Package.TYPE_DATA, Message.encode(7, Message.TYPE_REQUEST, 0, 'connector.entryHandler.proto',
    Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]))));
  const outcome = await closedOrIgnored(c);
  if (outcome === 'ignored') {
    const answers = c.received.filter((p) => p.type === 4).length - before;
    assert.ok(answers <= 1, 'at most an error answer');
    c.close();
  }
});

test('message id >= 2^31: closed or ignored', async () => {
  const c = await WireClient.connect({ port: server.port, transport: 'tcp' });
  await c.handshake();
  // flag 0 (request), id 2^31 as a varint, route "connector.entryHandler.entry", body {}
  const route = Buffer.from('connector.entryHandler.entry');
  const msg = Buffer.concat([Buffer.from([0x00, 0x80, 0x80, 0x80, 0x80, 0x08, route.length]), route, Buffer.from('{}')]);
  c.sendRaw(dataPkg(msg));
  await closedOrIgnored(c);
  assert.strictEqual(c.received.filter((p) => p.type === 4).length, 0, 'no answer');
  c.destroy();
});

test('overlong varint id: closed or ignored', async () => {
  const c = await WireClient.connect({ port: server.port, transport: 'tcp' });
  await c.handshake();
  const route = Buffer.from('connector.entryHandler.entry');
  const msg = Buffer.concat([Buffer.from([0x00, 0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, route.length]), route, Buffer.from('{}')]);
  c.sendRaw(dataPkg(msg));
  await closedOrIgnored(c);
  assert.strictEqual(c.received.filter((p) => p.type === 4).length, 0, 'no answer');
  c.destroy();
});

test('unknown dictionary code: dropped without an answer (Pomelo)', async () => {
  const c = await WireClient.connect({ port: server.port, transport: 'tcp' });
  await c.handshake();
  c.sendRaw(dataPkg(Buffer.from([0x01, 0x05, 0xff, 0xf0, 0x7b, 0x7d])));
  await sleep(300);
  assert.strictEqual(c.received.filter((p) => p.type === 4).length, 0, 'no answer');
  assert.deepStrictEqual(await c.request('connector.entryHandler.entry'), { code: 200, msg: 'game server is ok.' });
  c.close();
});

test('WebSocket: two packages in one client message: closed (Pomelo disconnects)', async () => {
  const c = await WireClient.connect({ port: server.port, transport: 'ws' });
  c.sendRaw(Buffer.concat([handshakePkg(), ackPkg()]));
  await within(c.closed, 1000, 'close');
});

test('WebSocket: a message above maxPackageSize: closed', async () => {
  const c = await WireClient.connect({ port: server.port, transport: 'ws' });
  await c.handshake();
  const body = Buffer.alloc(70 * 1024, 0x20);
  c.sendRaw(Package.encode(Package.TYPE_DATA, body));
  await within(c.closed, 1000, 'close');
});

test('WebSocket: text frames are accepted like binary ones', async () => {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/whatever?x=1`);
  await new Promise((r, j) => { ws.once('open', r); ws.once('error', j); });
  const reply = new Promise((resolve) => ws.once('message', (d) => resolve(Buffer.from(d))));
  ws.send(handshakePkg().toString('latin1'));  // a short handshake: every byte is valid UTF-8
  const got = await within(reply, 1000, 'handshake reply');
  assert.strictEqual(got[0], 1);
  assert.strictEqual(JSON.parse(got.subarray(4).toString()).code, 200);
  ws.close();
});

test('raw TCP: many packages in one write, and one package split byte by byte', async () => {
  const c = await WireClient.connect({ port: server.port, transport: 'tcp' });
  await c.handshake();
  const msgs = [];
  for (let i = 1; i <= 20; ++i) {
    c.routeOf.set(i + 100, 'connector.entryHandler.echo');
    msgs.push(Package.encode(Package.TYPE_DATA, Message.encode(i + 100, Message.TYPE_REQUEST, 0, 'connector.entryHandler.echo',
      Protocol.strencode(JSON.stringify({ i })))));
  }
  const answers = Array.from({ length: 20 }, (_, i) => new Promise((resolve) => c.callbacks.set(i + 101, resolve)));
  c.sendRaw(Buffer.concat(msgs));
  (await Promise.all(answers)).forEach((a, i) => assert.deepStrictEqual(a, { i: i + 1 }));

  const one = c.encodeMessage(200, 'connector.entryHandler.echo', { split: true });
  c.routeOf.set(200, 'connector.entryHandler.echo');
  const answer = new Promise((resolve) => c.callbacks.set(200, resolve));
  for (const byte of one) {
    c.sendRaw(Buffer.from([byte]));
    await sleep(1);
  }
  assert.deepStrictEqual(await answer, { split: true });
  c.close();
});
