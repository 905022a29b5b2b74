'use strict';
// Hostile clients on the client port: notify and request floods (the connector's memory stays
// bounded and other clients are served meanwhile), the per-session rate limit (error answers, then a
// kick), per-IP connection caps and connect rate (127.0.0.x addresses as distinct IPs), and the
// handshake deadline (a silent socket is closed early; an idle client with heartbeats stays).
const test = require('node:test');
const assert = require('node:assert');
const net = require('node:net');
const { startServer, runToExit, sleep, SANITIZED } = require('./lib/harness');
const { WireClient, Package, Message, Protocol } = require('./lib/wire_client');

const FLOOD_MS = 3000;
const RSS_BOUND_KIB = 20 * 1024;

// Raw bytes of `count` DATA packages of one tiny message each (route as a string: no dictionary).
function messages(count, request) {
  const parts = [];
  for (let i = 0; i < count; ++i) {
    const body = Protocol.strencode('{}');
    const id = request ? (i % 100000) + 1 : 0;
    const type = request ? Message.TYPE_REQUEST : Message.TYPE_NOTIFY;
    const route = request ? 'connector.entryHandler.echo' : 'connector.entryHandler.note';
    parts.push(Package.encode(Package.TYPE_DATA, Message.encode(id, type, 0, route, body)));
  }
  return Buffer.concat(parts.map((p) => Buffer.from(p)));
}

// A client that completes the handshake, then writes `chunk` as fast as its socket takes it for
// `ms`, reading and dropping whatever comes back. Resolves to the bytes written.
async function flood(port, chunk, ms) {
  const c = await WireClient.connect({ port });
  await c.handshake();
  c.autoHeartbeat = false;
  c.sock.removeAllListeners('data');
  c.sock.on('data', () => {});
  const sock = c.sock;
  let written = 0;
  const end = Date.now() + ms;
  await new Promise((resolve) => {
    const pump = () => {
      while (Date.now() < end && !sock.destroyed) {
        written += chunk.length;
        if (!sock.write(chunk)) return sock.once('drain', () => setImmediate(pump));
      }
      resolve();
    };
    sock.on('error', resolve);
    sock.on('close', resolve);
    pump();
  });
  sock.destroy();
  return written;
}

// `count` well-behaved clients, each sending one echo request at a time with a pause between them,
// until stop() is called. Resolves to every latency (ms), and counts failures.
function wellBehaved(port, count) {
  let running = true;
  const latencies = [];
  let failures = 0;
  const clients = [];
  const done = (async () => {
    for (let i = 0; i < count; ++i) {
      const c = await WireClient.connect({ port });
      await c.handshake();
      clients.push(c);
    }
    await Promise.all(clients.map(async (c, i) => {
      while (running) {
        const t0 = process.hrtime.bigint();
        try {
          const r = await c.request('connector.entryHandler.echo', { i });
          assert.deepStrictEqual(r, { i });
          latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        } catch (e) {
          failures++;
          return;
        }
        await sleep(20);
      }
    }));
    for (const c of clients) c.close();
  })();
  return {
    stop: async () => { running = false; await done; return { latencies, failures }; },
  };
}

function percentile(values, p) {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

// One client floods; 50 others keep talking and a new client logs in during the flood. The server's
// RSS must stay within RSS_BOUND_KIB of where it was, and everyone else is served.
async function floodScenario(request, connector = {}) {
  const server = await startServer({ connector: Object.assign({ rateLimit: false }, connector) });
  try {
    const others = wellBehaved(server.port, 50);
    await sleep(1000);
    const rssBefore = server.rssKiB();
    let rssPeak = rssBefore;
    const sampler = setInterval(() => { rssPeak = Math.max(rssPeak, server.rssKiB()); }, 50);

    const chunk = messages(2000, request);
    const flooding = flood(server.port, chunk, FLOOD_MS);
    await sleep(1000);  // well into the flood
    const t0 = Date.now();
    const late = await WireClient.connect({ port: server.port });
    await late.handshake();
    const login = await late.request('connector.entryHandler.login', { uid: 'late' });
    const loginMs = Date.now() - t0;
    assert.deepStrictEqual(login, { code: 200 });
    const written = await flooding;
    clearInterval(sampler);
    rssPeak = Math.max(rssPeak, server.rssKiB());
    const { latencies, failures } = await others.stop();
    late.close();

    const grown = rssPeak - rssBefore;
    const report = `flooder wrote ${(written / 1048576).toFixed(1)} MiB; RSS +${(grown / 1024).toFixed(1)} MiB; ` +
      `login during the flood ${loginMs} ms; others: ${latencies.length} answers, p50 ` +
      `${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, ${failures} failed`;
    console.log(`# ${request ? 'request' : 'notify'} flood: ${report}`);
    // A sanitized server reads several times slower, and back-pressure slows the flooder with it.
    assert.ok(written > (SANITIZED ? 2 : 8) * 1048576, `the flood was a flood (${report})`);
    // Under AddressSanitizer freed memory waits in a 256 MiB quarantine and ThreadSanitizer's shadow
    // grows with it, so RSS measures the sanitizer there; the bound is checked in normal builds.
    if (!SANITIZED) {
      assert.ok(grown < RSS_BOUND_KIB, `connector RSS grew by more than ${RSS_BOUND_KIB / 1024} MiB (${report})`);
    }
    assert.ok(loginMs < 2000, `a login during the flood took ${loginMs} ms (${report})`);
    assert.strictEqual(failures, 0, report);
    assert.ok(latencies.length > 50 * 20, `the other clients were served during the flood (${report})`);
    assert.ok(percentile(latencies, 99) < 1000, `other clients' p99 stayed under 1 s (${report})`);
  } finally {
    await server.stop();
  }
}

test('notify flood: memory bounded, other clients served', { timeout: 60000 }, () => floodScenario(false));

test('request flood: memory bounded, other clients served', { timeout: 60000 }, () => floodScenario(true));

// The same notify flood with no useful per-connection bound: the logic queue's byte budget alone
// (maxInboxBytes, here its minimum) must hold the connector's memory.
test('notify flood held by the inbox byte budget alone', { timeout: 60000 },
  () => floodScenario(false, { maxPendingMessages: 1000000, maxInboxBytes: 65536 }));

test('rate limit: error answers past the limit, a kick past the second threshold', { timeout: 30000 }, async () => {
  const server = await startServer({ connector: { rateLimit: { rate: 20, burst: 20, kickAfter: 40 } } });
  try {
    const c = await WireClient.connect({ port: server.port });
    await c.handshake();
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => c.request('connector.entryHandler.echo', { i })));
    const ok = answers.filter((a) => a.code === undefined);
    const refused = answers.filter((a) => a.code === 500);
    assert.ok(ok.length >= 20 && ok.length <= 22, `about burst answers: ${JSON.stringify(answers)}`);
    assert.strictEqual(ok.length + refused.length, 30);
    assert.deepStrictEqual(refused[0], { code: 500, message: 'rate limit' });

    // The debt is paid back at `rate`: a second later the client is served again.
    await sleep(1000);
    assert.deepStrictEqual(await c.request('connector.entryHandler.echo', { again: 1 }), { again: 1 });

    // Notifies over the limit are dropped (each note pushes onNote back), and one who keeps going
    // is kicked with the reason.
    let notes = 0;
    c.on('push:onNote', () => { notes++; });
    const kicked = new Promise((resolve) => c.once('kick', resolve));
    for (let i = 0; i < 200 && !c.isClosed; ++i) c.notify('connector.entryHandler.note', { i });
    assert.deepStrictEqual(await kicked, { reason: 'rate limit' });
    await c.closed;
    assert.ok(notes <= 21, `notifies past the limit were dropped (${notes} answered)`);
    assert.match(server.output, /client 127\.0\.0\.1: kicked: over rateLimit/);

    // The others are not affected.
    const other = await WireClient.connect({ port: server.port });
    await other.handshake();
    assert.deepStrictEqual(await other.request('connector.entryHandler.echo', { x: 1 }), { x: 1 });
    other.close();
  } finally {
    await server.stop();
  }
});

// Resolves to true if a client from `localAddress` gets a handshake answer, false if the server
// closes it first.
async function admitted(port, localAddress) {
  let c;
  try {
    c = await WireClient.connect({ port, localAddress });
    await c.handshake();
    return c;
  } catch (e) {
    if (c) c.destroy();
    return null;
  }
}

test('per-IP connection cap', { timeout: 30000 }, async () => {
  const server = await startServer({ connector: { maxConnectionsPerIp: 3 } });
  try {
    const held = [];
    for (let i = 0; i < 3; ++i) held.push(await admitted(server.port, '127.0.0.2'));
    assert.ok(held.every(Boolean), 'three connections from 127.0.0.2 are admitted');
    assert.strictEqual(await admitted(server.port, '127.0.0.2'), null, 'a fourth from 127.0.0.2 is closed');
    const other = await admitted(server.port, '127.0.0.3');
    assert.ok(other, 'another IP is admitted meanwhile');
    held[0].close();
    await held[0].closed;
    await sleep(200);
    const again = await admitted(server.port, '127.0.0.2');
    assert.ok(again, 'after one of them left, 127.0.0.2 may connect again');
    for (const c of [...held.slice(1), other, again]) c.close();
    assert.match(server.output, /127\.0\.0\.2: maxConnectionsPerIp \(3\) reached/);
  } finally {
    await server.stop();
  }
});

test('per-IP connect rate', { timeout: 30000 }, async () => {
  const server = await startServer({ connector: { connectRate: { rate: 2, burst: 5 } } });
  try {
    const results = [];
    for (let i = 0; i < 10; ++i) results.push(await admitted(server.port, '127.0.0.4'));
    const ok = results.filter(Boolean);
    assert.ok(ok.length >= 5 && ok.length <= 7, `burst 5 (+ refill) admitted, got ${ok.length}`);
    const other = await admitted(server.port, '127.0.0.5');
    assert.ok(other, 'another IP is admitted meanwhile');
    await sleep(1100);
    const later = await admitted(server.port, '127.0.0.4');
    assert.ok(later, 'the bucket refills');
    for (const c of [...ok, other, later]) c.close();
    assert.match(server.output, /127\.0\.0\.4: connecting faster than connectRate allows/);
  } finally {
    await server.stop();
  }
});

test('handshake deadline: silent and half-done clients are closed early, idle clients with heartbeats stay',
  { timeout: 30000 }, async () => {
    const server = await startServer({ connector: { heartbeat: 1, handshakeTimeout: 1 } });
    try {
      const closedAfter = (sock) => new Promise((resolve) => {
        const t0 = Date.now();
        sock.on('error', () => {});
        sock.resume();  // read (and drop) the handshake reply, so that the server's FIN is seen
        sock.on('close', () => resolve(Date.now() - t0));
      });
      const silent = net.connect({ port: server.port, host: '127.0.0.1' });
      const silentClosed = closedAfter(silent);
      const halfDone = net.connect({ port: server.port, host: '127.0.0.1' });
      const halfClosed = closedAfter(halfDone);
      // A handshake without its ACK.
      halfDone.write(Package.encode(Package.TYPE_HANDSHAKE, Protocol.strencode('{"sys":{"type":"t","version":"1"}}')));
      const idle = await WireClient.connect({ port: server.port });
      await idle.handshake();

      const [a, b] = await Promise.all([silentClosed, halfClosed]);
      assert.ok(a >= 800 && a < 3000, `a silent socket is closed after the handshake deadline (${a} ms)`);
      assert.ok(b >= 800 && b < 3000, `a handshake without ACK is closed after the deadline (${b} ms)`);
      await sleep(2500);  // well past the deadline: heartbeats keep the established client
      assert.strictEqual(idle.isClosed, false, 'the established client with heartbeats stays');
      assert.deepStrictEqual(await idle.request('connector.entryHandler.echo', { y: 2 }), { y: 2 });
      idle.close();
    } finally {
      await server.stop();
    }
  });

// The client port's sockets must not leak into processes the server spawns: the listening socket
// and accepted sockets carry O_CLOEXEC (/proc/PID/fdinfo "flags", octal 02000000).
test('listening and accepted sockets are close-on-exec', { timeout: 30000 }, async () => {
  const fs = require('node:fs');
  const server = await startServer();
  try {
    const c = await WireClient.connect({ port: server.port });
    await c.handshake();
    const hexPort = server.port.toString(16).toUpperCase().padStart(4, '0');
    // Socket inodes whose local port is the client port: the listener and the accepted connection.
    const inodes = new Set();
    for (const table of ['tcp', 'tcp6']) {
      for (const line of fs.readFileSync(`/proc/${server.pid}/net/${table}`, 'utf8').split('\n').slice(1)) {
        const f = line.trim().split(/\s+/);
        if (f.length > 9 && f[1].endsWith(':' + hexPort)) inodes.add(f[9]);
      }
    }
    const checked = [];
    for (const fd of fs.readdirSync(`/proc/${server.pid}/fd`)) {
      let target;
      try { target = fs.readlinkSync(`/proc/${server.pid}/fd/${fd}`); } catch (e) { continue; }
      const m = /^socket:\[(\d+)\]$/.exec(target);
      if (!m || !inodes.has(m[1])) continue;
      const flags = parseInt(/flags:\s+([0-7]+)/.exec(fs.readFileSync(`/proc/${server.pid}/fdinfo/${fd}`, 'utf8'))[1], 8);
      checked.push({ fd, cloexec: (flags & 0o2000000) !== 0 });
    }
    assert.ok(checked.length >= 2, `found the listener and the accepted socket: ${JSON.stringify(checked)}`);
    assert.ok(checked.every((x) => x.cloexec), `every client port socket is close-on-exec: ${JSON.stringify(checked)}`);
    c.close();
  } finally {
    await server.stop();
  }
});

// Requests count until they are answered, not only until they are dispatched: with
// maxPendingMessages 4 and answers that take 50 ms, 40 requests (1 KiB each, four to a 4 KiB read
// slice) cannot all be taken at once; without the bound they would all be answered after ~50 ms.
test('unanswered requests count against maxPendingMessages', { timeout: 30000 }, async () => {
  const server = await startServer({ connector: { maxPendingMessages: 4 } });
  try {
    const c = await WireClient.connect({ port: server.port });
    await c.handshake();
    const pad = 'x'.repeat(1000);
    const t0 = Date.now();
    const answers = await Promise.all(Array.from({ length: 40 }, () => c.request('connector.entryHandler.later', { pad })));
    const ms = Date.now() - t0;
    assert.ok(answers.every((a) => a.code === 200 && a.msg === 'later'), JSON.stringify(answers.slice(0, 3)));
    assert.ok(ms >= 250, `40 slow requests took ${ms} ms: at most a few were in the handler at a time`);
    // The others are served meanwhile and the client is served again afterwards.
    assert.deepStrictEqual(await c.request('connector.entryHandler.echo', { z: 1 }), { z: 1 });
    c.close();
  } finally {
    await server.stop();
  }
});

test('bad limit options stop the server with a message naming the option', { timeout: 60000 }, async () => {
  const cases = [
    [{ rateLimit: { rate: -1 } }, /option rateLimit\.rate: expected a number from 0\.001 to 1e9, got -1/],
    [{ rateLimit: { rate: 10, burst: 5, kickafter: 1 } }, /option rateLimit\.kickafter: unknown key/],
    [{ connectRate: 'fast' }, /option connectRate: expected false or an object/],
    [{ maxPendingMessages: 1 }, /option maxPendingMessages: expected a message count from 2/],
    [{ handshakeTimeout: 0 }, /option handshakeTimeout: expected a number of seconds above 0/],
  ];
  for (const [connector, message] of cases) {
    const { code, output } = await runToExit({ connector });
    assert.notStrictEqual(code, 0, `${JSON.stringify(connector)} must not start`);
    assert.match(output, message);
  }
});
