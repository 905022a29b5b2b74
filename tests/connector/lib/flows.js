'use strict';
// The client flows every transport must carry, run with the wire client (lib/wire_client.js).
const assert = require('node:assert');
const { WireClient } = require('./wire_client');

async function exerciseFlows({ port, transport, ca }) {
  const c = await WireClient.connect({ port, transport, ca });
  const reply = await c.handshake({ user: { hello: 'world' } });
  assert.strictEqual(reply.code, 200);
  assert.strictEqual(reply.sys.heartbeat, 3);
  assert.ok(reply.sys.dict && reply.sys.routeToCode && reply.sys.codeToRoute, 'dictionary in the handshake');
  assert.ok(reply.sys.protos && reply.sys.protos.server, 'protos in the handshake');

  // Heartbeat right after the ACK.
  await new Promise((resolve) => (c.received.some((p) => p.type === 3) ? resolve() : c.once('heartbeat', resolve)));

  assert.deepStrictEqual(await c.request('connector.entryHandler.entry'), { code: 200, msg: 'game server is ok.' });
  // The same request with the route as a string instead of its code.
  assert.deepStrictEqual(await c.request('connector.entryHandler.entry', {}, { compress: false }),
    { code: 200, msg: 'game server is ok.' });
  const big = { text: 'x'.repeat(20000), list: Array.from({ length: 100 }, (_, i) => i) };
  assert.deepStrictEqual(await c.request('connector.entryHandler.echo', big), big);
  assert.deepStrictEqual(await c.request('connector.entryHandler.fail'), { x: 1, code: 500 });
  assert.deepStrictEqual(await c.request('connector.entryHandler.missing'), { code: 500 });

  // Pipelined requests: all answered, each to its own id.
  const many = await Promise.all(Array.from({ length: 50 }, (_, i) => c.request('connector.entryHandler.echo', { i })));
  many.forEach((r, i) => assert.deepStrictEqual(r, { i }));

  const note = c.nextPush('onNote');
  c.notify('connector.entryHandler.note', { n: 1 });
  assert.deepStrictEqual(await note, { n: 1 });

  const pushed = c.nextPush('onPush');
  assert.deepStrictEqual(await c.request('connector.entryHandler.push', { route: 'onPush', msg: { p: true } }), { code: 200 });
  assert.deepStrictEqual(await pushed, { p: true });

  const proto = c.nextPush('onProto');
  assert.deepStrictEqual(await c.request('connector.entryHandler.proto', { content: 'pb', n: 7 }),
    { code: 200, content: 'pb', n: 7, items: [{ name: 'a' }, { name: 'b' }] });
  assert.deepStrictEqual(await proto, { msg: 'pb', nums: [1, 2, 3] });

  const uid = `user-${transport}-${Date.now()}`;
  assert.deepStrictEqual(await c.request('connector.entryHandler.login', { uid }), { code: 200 });
  const me = await c.request('connector.entryHandler.whoami');
  assert.strictEqual(me.uid, uid);

  const kicked = new Promise((resolve) => c.once('kick', resolve));
  assert.deepStrictEqual(await c.request('connector.entryHandler.kickme', { reason: 'bye' }), { code: 200 });
  assert.deepStrictEqual(await kicked, { reason: 'bye' });
  await c.closed;
  return c;
}

module.exports = { exerciseFlows };
