// shaddock-limit-server with the npm-encoder wire client over raw TCP: the handshake, the echo (ids
// matched with 300 requests in flight, so ids of several varint bytes), heartbeat echo, notifies
// unanswered, and hostile bytes closing only the connection that sent them.
// Usage: node limit_server_test.js
'use strict';
const assert = require('node:assert');
const net = require('node:net');
const servers = require('../../bench/lib/servers');
const { Checks } = require('../../tools/node/util');
const { WireClient, Package, Message, Protocol } = require('../connector/lib/wire_client');

const checks = new Checks();
const check = (name, fn) => checks.run(name, fn);

const ROUTE = 'connector.entryHandler.echo';

async function ready(port) {
  const c = await WireClient.connect({ port, transport: 'tcp' });
  const reply = await c.handshake();
  assert.deepStrictEqual(reply, { code: 200, sys: { heartbeat: 10 } });
  return c;
}

// Sends raw bytes on a fresh connection (after a handshake when `handshake`); resolves to true when
// the server closes it within ms.
async function closedAfter(port, bytes, { handshake = true, ms = 2000 } = {}) {
  const c = handshake ? await ready(port) : await WireClient.connect({ port, transport: 'tcp' });
  c.sendRaw(bytes);
  const t = servers.sleep(ms).then(() => false);
  const closed = await Promise.race([c.closed.then(() => true), t]);
  if (!closed) c.destroy();
  return closed;
}

async function main() {
  const server = await servers.startLimit({ threads: 2 });
  const port = server.clientPort;
  try {
    await check('echo answers each request with its own body', async () => {
      const c = await ready(port);
      const body = { text: 'héllo ✓', n: [1, 2, 3] };
      assert.deepStrictEqual(await c.request(ROUTE, body), body);
      const many = await Promise.all([...Array(300).keys()].map((i) => c.request(ROUTE, { i })));
      many.forEach((r, i) => assert.deepStrictEqual(r, { i }));
      assert.ok(c.reqId > 128 * 2, 'ids of two varint bytes were used');
      c.destroy();
    });

    await check('any route and a compressed route code are answered too', async () => {
      const c = await ready(port);
      assert.deepStrictEqual(await c.request('bench.benchHandler.echo', { f: 1 }), { f: 1 });
      // A request with a dictionary code (the client thinks the route is in the dictionary).
      c.dict = { [ROUTE]: 7 };
      assert.deepStrictEqual(await c.request(ROUTE, { d: 2 }), { d: 2 });
      c.destroy();
    });

    await check('heartbeats are echoed; notifies get no answer', async () => {
      const c = await ready(port);
      c.autoHeartbeat = false;
      const beat = new Promise((resolve) => c.once('heartbeat', resolve));
      c.sendPackage(Package.TYPE_HEARTBEAT);
      await beat;
      const before = c.received.length;
      c.notify(ROUTE, { quiet: true });
      assert.deepStrictEqual(await c.request(ROUTE, { after: 1 }), { after: 1 });
      assert.strictEqual(c.received.length, before + 1, 'only the response arrived');
      c.destroy();
    });

    await check('a package split across writes, and several in one write', async () => {
      const c = await ready(port);
      const got = [];
      c.callbacks.set(1001, (b) => got.push(b));
      c.callbacks.set(1002, (b) => got.push(b));
      const two = Buffer.concat([c.encodeMessage(1001, ROUTE, { a: 1 }), c.encodeMessage(1002, ROUTE, { b: 2 })]);
      for (let i = 0; i < two.length; i += 3) {
        c.sendRaw(two.subarray(i, i + 3));
        await servers.sleep(1);
      }
      const deadline = Date.now() + 2000;
      while (got.length < 2 && Date.now() < deadline) await servers.sleep(10);
      assert.deepStrictEqual(got, [{ a: 1 }, { b: 2 }]);
      c.destroy();
    });

    await check('hostile bytes close the connection', async () => {
      assert.ok(await closedAfter(port, Buffer.from([9, 0, 0, 0])), 'unknown package type');
      assert.ok(await closedAfter(port, Buffer.from([4, 0x7f, 0xff, 0xff])), 'a 8 MiB length');
      assert.ok(await closedAfter(port, Package.encode(Package.TYPE_DATA, Buffer.from([0x04, 1, 0]))), 'a response from the client');
      assert.ok(await closedAfter(port, Package.encode(Package.TYPE_DATA, Buffer.from([0x00, 0x80, 0x80]))), 'a truncated id');
      assert.ok(await closedAfter(port, Package.encode(Package.TYPE_DATA, Buffer.from([0x00, 1, 200, 0x41]))), 'a route longer than the message');
      assert.ok(await closedAfter(port, Package.encode(Package.TYPE_DATA, Buffer.from([0x00, 0x00, 0]))), 'id 0');
      assert.ok(await closedAfter(port, Package.encode(Package.TYPE_DATA, Buffer.from([0x10, 1, 0]))), 'gzip');
      assert.ok(await closedAfter(port, Package.encode(Package.TYPE_KICK)), 'a kick from the client');
      assert.ok(await closedAfter(port, Package.encode(Package.TYPE_HANDSHAKE, Protocol.strencode('not json')), { handshake: false }),
                'a handshake that is not JSON');
      assert.ok(await closedAfter(port, Buffer.from('GET / HTTP/1.1\r\n\r\n'), { handshake: false }), 'HTTP');
    });

    await check('data before the handshake is ignored, and the server serves on', async () => {
      const c = await WireClient.connect({ port, transport: 'tcp' });
      c.sendRaw(c.encodeMessage(5, ROUTE, { early: true }));
      await servers.sleep(200);
      assert.strictEqual(c.received.length, 0);
      const reply = await c.handshake();
      assert.strictEqual(reply.code, 200);
      assert.deepStrictEqual(await c.request(ROUTE, { late: true }), { late: true });
      c.destroy();
    });

    await check('a client that never reads is cut off; others are served', async () => {
      const sock = net.connect({ port, host: '127.0.0.1' });
      await new Promise((r) => sock.once('connect', r));
      sock.pause();
      sock.write(Package.encode(Package.TYPE_HANDSHAKE, Protocol.strencode('{"sys":{}}')));
      sock.write(Package.encode(Package.TYPE_HANDSHAKE_ACK));
      const big = Protocol.strencode(JSON.stringify({ pad: 'x'.repeat(60000) }));
      const req = (id) => Package.encode(Package.TYPE_DATA, Message.encode(id, Message.TYPE_REQUEST, 0, ROUTE, big));
      let closed = false;
      sock.on('close', () => { closed = true; });
      sock.on('error', () => {});
      for (let i = 1; i <= 400 && !closed; i++) {
        sock.write(req(i));
        if (i % 20 === 0) await servers.sleep(10);
      }
      const deadline = Date.now() + 5000;
      while (!closed && Date.now() < deadline) await servers.sleep(20);
      assert.ok(closed, 'the silent reader was closed');
      const c = await ready(port);
      assert.deepStrictEqual(await c.request(ROUTE, { still: 'here' }), { still: 'here' });
      c.destroy();
    });
  } finally {
    const result = await server.stop();
    if (result.code !== 0) {
      checks.fail('the server stops cleanly on SIGTERM', JSON.stringify(result));
    }
  }
  checks.finish();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
