// The benchmark apps, driven with the real npm Pomelo client packages. The same checks run against
// Shaddock's apps/bench and Pomelo 2.2.7 with bench/pomelo/game-server, which shows the two apps are
// equivalent (the benchmarks compare them):
//  (a) connector.entryHandler.echo and bench.benchHandler.echo (forwarded over RPC) answer with the
//      request body, over raw TCP, WebSocket and the npm browser client, also with 200 requests in flight;
//  (b) join binds and joins the room; a uid that is already bound gets {code:500};
//  (c) say: every member of the sender's room gets onSay with the body exactly once, other rooms nothing;
//  (d) a closed member leaves the room: its uid joins again from a new connection (a uid still in the
//      room is refused) and then gets the next say exactly once, as does everyone else.
// Usage: node routes_test.js shaddock|pomelo
'use strict';
const assert = require('node:assert');
const servers = require('../../bench/lib/servers');
const { Checks } = require('../../tools/node/util');
const { WireClient } = require('../connector/lib/wire_client');
const jsclient = require('../connector/lib/pomelo_js_client');

const kind = process.argv[2];
if (kind !== 'shaddock' && kind !== 'pomelo') {
  console.error('usage: node routes_test.js shaddock|pomelo');
  process.exit(2);
}
if (kind === 'pomelo' && !servers.pomeloInstalled()) {
  console.error('bench/pomelo/node_modules is missing (tools/dev.sh setup runs npm ci there); skipped');
  process.exit(77);
}

const checks = new Checks();
const check = (name, fn) => checks.run(name, fn);

const BODY = { text: 'héllo wörld ✓', n: 42, list: [1, 2.5, 'x', null, true], nested: { a: { b: [] } } };

async function member(port, transport, uid, rid) {
  const c = await WireClient.connect({ port, transport });
  const reply = await c.handshake();
  assert.strictEqual(reply.code, 200, 'handshake: ' + JSON.stringify(reply));
  c.says = [];
  c.on('push:onSay', (body) => c.says.push(body));
  if (uid !== undefined) c.joinReply = await c.request('connector.entryHandler.join', rid ? { uid, rid } : { uid });
  return c;
}

async function closeAll(clients) {
  for (const c of clients) if (!c.isClosed) c.destroy();
  await Promise.all(clients.map((c) => c.closed));
}

// Waits until every client in `clients` has `n` says, then a little longer to catch duplicates.
async function settle(clients, n, ms = 5000) {
  const deadline = Date.now() + ms;
  while (clients.some((c) => c.says.length < n) && Date.now() < deadline) await servers.sleep(20);
  await servers.sleep(300);
}

async function main() {
  const server = await servers.startServer(kind);
  const port = server.clientPort;
  console.log(`${kind}: started in ${server.startupMs} ms, clients on port ${port}`);
  const clients = [];
  try {
    await check('handshake announces a 10 s heartbeat', async () => {
      const c = await WireClient.connect({ port, transport: 'tcp' });
      clients.push(c);
      const reply = await c.handshake();
      assert.strictEqual(reply.code, 200);
      assert.strictEqual(reply.sys.heartbeat, 10);
    });

    for (const route of ['connector.entryHandler.echo', 'bench.benchHandler.echo']) {
      for (const transport of ['tcp', 'ws']) {
        await check(`${route} over ${transport} answers with the body`, async () => {
          const c = await member(port, transport);
          clients.push(c);
          assert.deepStrictEqual(await c.request(route, BODY), BODY);
          assert.deepStrictEqual(await c.request(route, {}), {});
          // Pipelined: each answer matches its own request.
          const many = await Promise.all([...Array(200).keys()].map((i) => c.request(route, { i, pad: 'p'.repeat(i) })));
          many.forEach((r, i) => assert.deepStrictEqual(r, { i, pad: 'p'.repeat(i) }));
        });
      }
      await check(`${route} with the npm browser client`, async () => {
        const pomelo = jsclient.loadClient();
        await jsclient.init(pomelo, { host: '127.0.0.1', port, log: false });
        try {
          assert.deepStrictEqual(await jsclient.request(pomelo, route, BODY), BODY);
        } finally {
          pomelo.disconnect();
        }
      });
    }

    // Room r1: tcp and ws wire clients; room r2: one more, which must hear nothing of r1.
    const room = [];
    await check('join binds and joins; a bound uid is refused', async () => {
      for (let i = 0; i < 12; i++) room.push(await member(port, i % 2 ? 'ws' : 'tcp', 'user' + i, 'r1'));
      clients.push(...room);
      for (const c of room) assert.deepStrictEqual(c.joinReply, { code: 200 });
      const dup = await member(port, 'tcp', 'user3', 'r1');
      clients.push(dup);
      assert.deepStrictEqual(dup.joinReply, { code: 500 });
      // The same session joining again: its uid is bound already.
      assert.deepStrictEqual(await room[0].request('connector.entryHandler.join', { uid: 'user0', rid: 'r1' }), { code: 500 });
    });
    const other = await member(port, 'tcp', 'loner', 'r2');
    clients.push(other);

    await check('say reaches every member of the room exactly once, and no other room', async () => {
      const sent = { ts: Date.now() * 1000, text: 'to everyone ✓', seq: 1 };
      assert.deepStrictEqual(await room[5].request('bench.benchHandler.say', sent), { code: 200 });
      await settle(room, 1);
      for (const c of room) assert.deepStrictEqual(c.says, [sent], `${c.transport} member`);
      assert.deepStrictEqual(other.says, []);
    });

    await check('the room default is "room"', async () => {
      const a = await member(port, 'tcp', 'default-a');
      const b = await member(port, 'ws', 'default-b', 'room');
      clients.push(a, b);
      assert.deepStrictEqual([a.joinReply, b.joinReply], [{ code: 200 }, { code: 200 }]);
      assert.deepStrictEqual(await a.request('bench.benchHandler.say', { x: 1 }), { code: 200 });
      await settle([a, b], 1);
      assert.deepStrictEqual([a.says, b.says], [[{ x: 1 }], [{ x: 1 }]]);
    });

    await check('a closed member leaves the room', async () => {
      const gone = room.splice(2, 1)[0];
      gone.destroy();
      await gone.closed;
      await servers.sleep(500);
      const back = await member(port, 'ws', 'user2', 'r1');
      clients.push(back);
      assert.deepStrictEqual(back.joinReply, { code: 200 }, 'user2 joins again');
      room.push(back);
      for (const c of room) c.says = [];
      const sent = { seq: 2, text: 'after the leave' };
      assert.deepStrictEqual(await room[0].request('bench.benchHandler.say', sent), { code: 200 });
      await settle(room, 1);
      for (const c of room) assert.deepStrictEqual(c.says, [sent]);
      assert.deepStrictEqual(other.says, []);
    });

    await check('a burst of says arrives in order, each once', async () => {
      for (const c of room) c.says = [];
      const replies = await Promise.all([...Array(50).keys()].map((seq) => room[1].request('bench.benchHandler.say', { seq })));
      for (const r of replies) assert.deepStrictEqual(r, { code: 200 });
      await settle(room, 50);
      for (const c of room) assert.deepStrictEqual(c.says.map((b) => b.seq), [...Array(50).keys()]);
    });
  } finally {
    await closeAll(clients);
    const result = await server.stop();
    if (kind === 'shaddock' && result.code !== 0) {
      checks.fail('the cluster stops cleanly', JSON.stringify(result) + '\n' + server.output().slice(-3000));
    }
  }
  checks.finish();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
