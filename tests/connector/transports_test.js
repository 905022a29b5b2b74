'use strict';
// One port, four ways in: raw TCP and WebSocket, plain and inside TLS (a self-signed certificate
// made with the openssl CLI). Every transport carries the same flows (lib/flows.js).
const test = require('node:test');
const assert = require('node:assert');
const net = require('node:net');
const { startServer } = require('./lib/harness');
const { exerciseFlows } = require('./lib/flows');
const { WireClient } = require('./lib/wire_client');

test('plain port: raw TCP and WebSocket', async (t) => {
  const server = await startServer();
  try {
    await t.test('raw TCP', () => exerciseFlows({ port: server.port, transport: 'tcp' }));
    await t.test('WebSocket', () => exerciseFlows({ port: server.port, transport: 'ws' }));
    await t.test('both at once, pushing to each other', async () => {
      const a = await WireClient.connect({ port: server.port, transport: 'tcp' });
      const b = await WireClient.connect({ port: server.port, transport: 'ws' });
      await a.handshake();
      await b.handshake();
      await b.request('connector.entryHandler.login', { uid: 'bee' });
      const got = b.nextPush('onHello');
      const mine = a.nextPush('onHello');
      await a.request('connector.entryHandler.broadcast', { route: 'onHello', msg: { from: 'a' } });
      assert.deepStrictEqual(await got, { from: 'a' });
      assert.deepStrictEqual(await mine, { from: 'a' });
      a.close();
      b.close();
      await Promise.all([a.closed, b.closed]);
    });
  } finally {
    await server.stop();
  }
});

test('TLS port: TLS-over-TCP and wss', async (t) => {
  const server = await startServer({ tls: true });
  try {
    await t.test('TLS raw TCP', () => exerciseFlows({ port: server.port, transport: 'tls', ca: server.certPem }));
    await t.test('wss', () => exerciseFlows({ port: server.port, transport: 'wss', ca: server.certPem }));
    await t.test('a client that does not speak TLS is closed', async () => {
      const s = net.connect({ port: server.port, host: '127.0.0.1' });
      await new Promise((r) => s.once('connect', r));
      s.write(Buffer.from([1, 0, 0, 2, 0x7b, 0x7d]));
      await new Promise((resolve) => { s.on('error', () => {}); s.once('close', resolve); s.resume(); });
    });
  } finally {
    await server.stop();
  }
});
