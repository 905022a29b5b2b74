// The connector's push schedulers, on a lone connector whose channels live in the same process:
//  - "buffer" (flushInterval 20 ms) sends a burst of channel pushes, and the sender's responses, in
//    far fewer WebSocket messages than packages, every package intact and in order; raw TCP too;
//  - "direct" (the default) sends each push in its own message when pushes are spaced out;
//  - "buffer" with repliesAtOnce answers at once, behind the pushes held before the answer;
//  - a client that stops reading is cut off at sendQueueLimit while the others receive everything.
// Usage: node push_scheduler_test.js
'use strict';
const { check, summary, writeAppDir, startHost, wireMember, freePort, sleep, waitFor } = require('./channel_harness');

async function startConnector(connectorOptions) {
  const port = await freePort();
  const dir = writeAppDir('shd-scheduler-', {
    'servers.json': { connector: [{ id: 'connector-server-1', host: '127.0.0.1', clientPort: port, frontend: true }] },
    'plugins.json': {
      plugins: ['pomelo_protocol', 'server', 'channel', { name: 'connector', options: connectorOptions }],
      app: { name: 'channel_test' },
    },
  });
  const server = await startHost(dir, /listening on port/);
  server.port = port;
  return server;
}

// A sender pipelines `count` says, one every `gapMs`; resolves to the answers once all are in.
async function burst(sender, count, gapMs) {
  const answers = [];
  for (let seq = 0; seq < count; seq++) {
    answers.push(sender.request('connector.roomHandler.say', { text: 't' + seq, seq }));
    await sleep(gapMs);
  }
  return Promise.all(answers);
}

function inOrder(list, from, count) {
  return list.length === count && list.every((b, i) => b.seq === i && b.from === from);
}

async function schedulerCase(name, options, expectBatching) {
  const server = await startConnector(options);
  try {
    const rid = 'room-' + name;
    const sender = await wireMember({ port: server.port, transport: 'ws', uid: name + '-sender', rid });
    const wsReader = await wireMember({ port: server.port, transport: 'ws', uid: name + '-ws', rid });
    const tcpReader = await wireMember({ port: server.port, transport: 'tcp', uid: name + '-tcp', rid });
    const count = 60;
    const framesBefore = { sender: sender.framesReceived, reader: wsReader.framesReceived };
    const packagesBefore = { sender: sender.received.length, reader: wsReader.received.length };
    // 2 ms apart: a burst for the buffer scheduler; 5 ms apart for direct, so that each push's write
    // is done before the next arrives even on a loaded machine (a push that finds its connection's
    // write still going joins the next one, as it should).
    const answers = await burst(sender, count, expectBatching ? 2 : 5);
    await waitFor(() => [sender, wsReader, tcpReader].every((c) => (c.pushes.onSay || []).length >= count), 5000, 'pushes');
    await sleep(100);  // nothing more may come
    const frames = { sender: sender.framesReceived - framesBefore.sender, reader: wsReader.framesReceived - framesBefore.reader };
    const packages = { sender: sender.received.length - packagesBefore.sender, reader: wsReader.received.length - packagesBefore.reader };

    check(`${name}: every say answered with no failed uid`, answers.every((a) => a.code === 200 && a.failed.length === 0),
          JSON.stringify(answers.find((a) => a.code !== 200 || a.failed.length)));
    for (const c of [sender, wsReader, tcpReader])
      check(`${name}: ${c.uid} receives all ${count} pushes exactly once, in order`,
            inOrder(c.pushes.onSay, name + '-sender', count), `${(c.pushes.onSay || []).length} pushes`);
    const detail = `reader ${packages.reader} packages in ${frames.reader} WebSocket messages, ` +
                   `sender ${packages.sender} packages (responses and pushes) in ${frames.sender}`;
    console.log(`     ${name}: ${detail}`);
    if (expectBatching) {
      check(`${name}: pushes share WebSocket messages (at least 3 packages per message)`,
            frames.reader * 3 <= packages.reader, detail);
      check(`${name}: responses go through the scheduler too (sender's messages hold several packages)`,
            frames.sender * 3 <= packages.sender, detail);
    } else {
      check(`${name}: spaced-out pushes leave one per WebSocket message (at least 80 %)`,
            frames.reader * 10 >= packages.reader * 8, detail);
    }
    for (const c of [sender, wsReader, tcpReader]) c.close();
  } finally {
    const exit = await server.stop();
    check(`${name}: the server stops cleanly`, exit.code === 0, JSON.stringify(exit));
    const stats = /scheduler .* sent (\d+) package\(s\) in (\d+) write\(s\)/.exec(server.output);
    check(`${name}: the connector logs its scheduler's packages and writes at stop`, !!stats, server.output.slice(-500));
  }
}

async function slowClientCase() {
  const limit = 1024 * 1024;
  const server = await startConnector({ sendQueueLimit: limit });
  try {
    const rid = 'flood';
    const readers = [];
    for (const [tag, transport] of [['a', 'ws'], ['b', 'tcp'], ['c', 'ws']])
      readers.push(await wireMember({ port: server.port, transport, uid: `reader-${tag}-${transport}`, rid }));
    const slow = await wireMember({ port: server.port, transport: 'tcp', uid: 'slow', rid });
    slow.sock.pause();  // stops reading: the kernel buffers fill, then the connector's queue
    // 3000 pushes of 4 KiB, 5 every 4 ms: about 12 MiB per client, more than the kernel buffers
    // of a reader that does not read (a few MiB) plus the 1 MiB queue; slow enough (5 MB/s) that a
    // reading Node client on a loaded machine keeps up (it may stall about a second before the
    // kernel buffers and its queue are full).
    const n = 3000;
    const result = await readers[0].request('connector.roomHandler.flood', { n, size: 4096, perTick: 5, tickMs: 4 });
    await waitFor(() => readers.every((r) => (r.pushes.onFlood || []).length >= n), 20000, 'flood delivery').catch(() => {});
    for (const r of readers) {
      const got = r.pushes.onFlood || [];
      check(`a reading client (${r.uid}) receives all ${n} pushes in order`,
            got.length === n && got.every((b, i) => b.i === i && b.pad.length === 4096), `${got.length} received`);
    }
    await waitFor(() => /session of slow closed: send queue overflow/.test(server.output), 5000, 'cut off').catch(() => {});
    check('the client that stopped reading is cut off ("send queue overflow")',
          /session of slow closed: send queue overflow/.test(server.output), server.output.slice(-1500));
    const info = await readers[0].request('connector.roomHandler.info', { rid, uid: 'slow' });
    check('the flood is answered, and the closed session left the channel (3 members, slow gone)',
          result.code === 200 && info.amount === 3 && info.member === null, JSON.stringify([result, info]));
    slow.sock.resume();
    await waitFor(() => slow.isClosed, 10000, 'slow client close').catch(() => {});
    const slowGot = (slow.pushes.onFlood || []).length;
    check('the slow client sees its connection closed, having received only part of the pushes',
          slow.isClosed && slowGot < n, `closed ${slow.isClosed}, ${slowGot} received`);
    check('the readers are still connected', readers.every((r) => !r.isClosed));
    for (const r of readers) r.close();
  } finally {
    const exit = await server.stop();
    check('slow-client server stops cleanly', exit.code === 0, JSON.stringify(exit));
  }
}

// repliesAtOnce: with a long flushInterval (1 s) a response is not held: it leaves at once, right
// behind the push held before it on the same connection, while a member that only listens gets
// that push when its interval ends.
async function repliesAtOnceCase() {
  const server = await startConnector({ scheduler: 'buffer', flushInterval: 1000, repliesAtOnce: true });
  try {
    const rid = 'room-at-once';
    const sender = await wireMember({ port: server.port, transport: 'tcp', uid: 'at-once-sender', rid });
    const reader = await wireMember({ port: server.port, transport: 'ws', uid: 'at-once-reader', rid });
    await sleep(1200);  // whatever the joins left held is out
    const from = sender.received.length;
    const t0 = Date.now();
    const answer = await sender.request('connector.roomHandler.say', { text: 'now', seq: 0 });
    const answeredMs = Date.now() - t0;
    check('repliesAtOnce: the response comes long before the 1 s flush interval ends',
          answer.code === 200 && answeredMs < 600, `${answeredMs} ms: ${JSON.stringify(answer)}`);
    // Data packages after the request, by message type (the flag byte's bits 1-3): 3 push, 2 response.
    const kinds = sender.received.slice(from).filter((p) => p.type === 4).map((p) => (p.body[0] >> 1) & 7);
    check('repliesAtOnce: the push held before the response comes first, then the response',
          JSON.stringify(kinds) === '[3,2]', JSON.stringify(kinds));
    await waitFor(() => (reader.pushes.onSay || []).length === 1, 5000, 'the listener\'s push');
    const heardMs = Date.now() - t0;
    check('repliesAtOnce: the member that only listens gets the push when the interval ends',
          heardMs >= 800, `${heardMs} ms`);
    sender.close();
    reader.close();
  } finally {
    const exit = await server.stop();
    check('repliesAtOnce: the server stops cleanly', exit.code === 0, JSON.stringify(exit));
    check('repliesAtOnce: the stop line names the scheduler', /scheduler buffer \(flushInterval 1000 ms, replies at once\)/.test(server.output),
          server.output.slice(-500));
  }
}

// A wrong scheduler name stops the server at start with a message naming the option.
async function badOptionCase() {
  const port = await freePort();
  const dir = writeAppDir('shd-scheduler-', {
    'servers.json': { connector: [{ id: 'connector-server-1', host: '127.0.0.1', clientPort: port, frontend: true }] },
    'plugins.json': {
      plugins: ['pomelo_protocol', 'server', 'channel', { name: 'connector', options: { scheduler: 'fast' } }],
      app: { name: 'channel_test' },
    },
  });
  const server = await startHost(dir, /listening on port/, { mayExit: true });
  const exit = await server.stop();
  check('an unknown scheduler name stops the server with an error naming the option',
        exit.code !== 0 && /option scheduler: expected "direct" or "buffer", got "fast"/.test(server.output),
        JSON.stringify(exit) + server.output.slice(-800));
}

async function main() {
  try {
    await badOptionCase();
    await schedulerCase('buffer', { scheduler: 'buffer', flushInterval: 20 }, true);
    await schedulerCase('direct', {}, false);
    await repliesAtOnceCase();
    await slowClientCase();
  } catch (e) {
    check('no exception', false, e.stack);
  }
  process.exit(summary());
}
main();
