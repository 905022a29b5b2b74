'use strict';
// Heartbeats (heartbeat 3 s): the server closes a client that stops heartbeating after about
// 2 x heartbeat (Pomelo measured 6026 ms), DATA does not count as a heartbeat, and a client that
// heartbeats stays connected.
const test = require('node:test');
const assert = require('node:assert');
const { startServer } = require('./lib/harness');
const { WireClient } = require('./lib/wire_client');

test('silent clients are closed after ~2 x heartbeat; heartbeating clients stay', async () => {
  const server = await startServer();
  try {
    const open = async (transport, autoHeartbeat) => {
      const c = await WireClient.connect({ port: server.port, transport });
      c.autoHeartbeat = autoHeartbeat;
      await c.handshake();
      c.ackAt = Date.now();
      return c;
    };
    const silentTcp = await open('tcp', false);
    const silentWs = await open('ws', false);
    const busyNoHeartbeat = await open('tcp', false);
    const aliveTcp = await open('tcp', true);
    const aliveWs = await open('ws', true);
    await busyNoHeartbeat.request('connector.entryHandler.login', { uid: 'busy' });

    // Requests every 500 ms do not keep a client alive without heartbeats.
    const ticker = setInterval(() => {
      if (!busyNoHeartbeat.isClosed) busyNoHeartbeat.request('connector.entryHandler.entry').catch(() => {});
    }, 500);
    try {
      await Promise.all([silentTcp.closed, silentWs.closed, busyNoHeartbeat.closed]);
    } finally {
      clearInterval(ticker);
    }
    for (const c of [silentTcp, silentWs, busyNoHeartbeat]) {
      const after = c.closedAt - c.ackAt;
      assert.ok(after >= 5500 && after <= 8000, `closed ${after} ms after the ACK (expected ~6000)`);
      assert.ok(c.received.filter((p) => p.type === 3).length >= 1, 'the server sent its first heartbeat');
    }
    assert.strictEqual(silentWs.closeCode, 1000, 'WebSocket closed with 1000');

    // Past 9 s the heartbeating clients are still there and answer.
    const wait = 9500 - (Date.now() - aliveWs.ackAt);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    for (const c of [aliveTcp, aliveWs]) {
      assert.strictEqual(c.isClosed, false, 'a heartbeating client stays connected');
      assert.ok(c.received.filter((p) => p.type === 3).length >= 3, 'heartbeats answered');
      assert.deepStrictEqual(await c.request('connector.entryHandler.entry'), { code: 200, msg: 'game server is ok.' });
      c.close();
    }
    await Promise.all([aliveTcp.closed, aliveWs.closed]);
    const out = await server.stop();
    assert.match(out, /session of busy closed: heartbeat timeout/, 'the closed callback got the reason');
  } catch (e) {
    await server.stop().catch(() => {});
    throw e;
  }
});

// Every connection of an I/O thread shares one deadline queue: many clients whose deadlines fall at
// different times must each be closed at their own time, and the heartbeating ones never.
test('staggered silent clients each close at their own deadline; heartbeating neighbours stay', async () => {
  const server = await startServer();
  try {
    const silent = [];
    const alive = [];
    for (let wave = 0; wave < 3; wave++) {
      const opened = await Promise.all(Array.from({ length: 60 }, async (_, i) => {
        const c = await WireClient.connect({ port: server.port, transport: 'tcp' });
        c.autoHeartbeat = i % 3 === 0;
        await c.handshake();
        c.ackAt = Date.now();
        return c;
      }));
      for (const c of opened) (c.autoHeartbeat ? alive : silent).push(c);
      await new Promise((r) => setTimeout(r, 1000));
    }
    await Promise.all(silent.map((c) => c.closed));
    for (const c of silent) {
      const after = c.closedAt - c.ackAt;
      assert.ok(after >= 5500 && after <= 8000, `closed ${after} ms after the ACK (expected ~6000)`);
    }
    for (const c of alive) assert.strictEqual(c.isClosed, false, 'a heartbeating client stays connected');
    assert.deepStrictEqual(await alive[0].request('connector.entryHandler.entry'), { code: 200, msg: 'game server is ok.' });
    for (const c of alive) c.close();
    await Promise.all(alive.map((c) => c.closed));
    await server.stop();
  } catch (e) {
    await server.stop().catch(() => {});
    throw e;
  }
});
