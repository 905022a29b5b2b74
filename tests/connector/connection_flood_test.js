'use strict';
// 10,000 connections opened and dropped (a third silent, a third after a handshake, a third after a
// WebSocket upgrade; up to 2,500 open at once). Afterwards the server serves a normal client, has no
// session left, and its resident memory is back near where it was.
const test = require('node:test');
const assert = require('node:assert');
const net = require('node:net');
const { startServer, sleep, waitFor, SANITIZED } = require('./lib/harness');
const { WireClient, Package, Protocol } = require('./lib/wire_client');

const TOTAL = 10000;
const WAVE = 2500;

const handshake = Package.encode(Package.TYPE_HANDSHAKE, Protocol.strencode('{"sys":{"type":"flood","version":"1"}}'));
const upgrade = 'GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';

// Opens one connection, says something depending on `kind`, and waits for a reply when there is one.
function open(port, kind) {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    s.on('error', () => resolve(s));
    s.once('connect', () => {
      if (kind === 0) return resolve(s);
      s.once('data', () => {
        if (kind === 1) s.write(Package.encode(Package.TYPE_HANDSHAKE_ACK));
        resolve(s);
      });
      s.write(kind === 1 ? handshake : upgrade);
    });
  });
}

async function wave(port, from, count) {
  const socks = [];
  for (let i = 0; i < count; i += 250) {
    const batch = [];
    for (let j = i; j < Math.min(count, i + 250); ++j) batch.push(open(port, (from + j) % 3));
    socks.push(...(await Promise.all(batch)));
  }
  return socks;
}

test('10,000 connections opened and dropped', { timeout: 180000 }, async () => {
  const server = await startServer();
  try {
    const witness = await WireClient.connect({ port: server.port, transport: 'tcp' });
    await witness.handshake();
    const sessions = async () => (await witness.request('connector.entryHandler.stats')).sessions;

    // Warm up allocators and threads, then take the reference.
    for (const s of await wave(server.port, 0, 300)) s.destroy();
    await waitFor(async () => (await sessions()) === 1, 10000, 'warm-up sessions to close');
    await sleep(300);
    const rssBefore = server.rssKiB();

    let peak = 0;
    for (let done = 0; done < TOTAL; done += WAVE) {
      const socks = await wave(server.port, done, WAVE);
      await waitFor(async () => (await sessions()) >= 1 + Math.floor(WAVE / 3) - 5, 10000, 'handshaken sessions');
      peak = Math.max(peak, server.rssKiB());
      for (const s of socks) s.destroy();
      await waitFor(async () => (await sessions()) === 1, 10000, 'sessions to close');
    }

    // The server still serves, over both transports.
    assert.strictEqual(witness.isClosed, false);
    assert.deepStrictEqual(await witness.request('connector.entryHandler.entry'), { code: 200, msg: 'game server is ok.' });
    const fresh = await WireClient.connect({ port: server.port, transport: 'ws' });
    await fresh.handshake();
    assert.deepStrictEqual(await fresh.request('connector.entryHandler.echo', { after: 'flood' }), { after: 'flood' });
    fresh.close();

    await sleep(500);
    const rssAfter = server.rssKiB();
    const grown = rssAfter - rssBefore;
    console.log(`# RSS before ${rssBefore} KiB, peak ${peak} KiB, after ${rssAfter} KiB (grown ${grown} KiB)`);
    if (!SANITIZED) {  // RSS measures the sanitizer there (tools/node/util.js)
      assert.ok(grown < 16 * 1024, `RSS grew by ${grown} KiB after the connections were dropped`);
    }
    witness.close();
  } finally {
    await server.stop();
  }
});
