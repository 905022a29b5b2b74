// The MMO demo's login path against a hostile client (apps/mmo), with the real npm Pomelo client:
// - a POST another site's page could make (not application/json) is refused;
// - names and passwords made of SQL are stored and compared as text;
// - bytes that are not UTF-8 (overlong forms a lenient decoder reads as "<") are refused in chat
//   content and in account names;
// - a client that picks its connector itself (not the gate's) cannot hold two sessions of one user:
//   an entry on the other connector kicks the first session;
// - two entry requests in flight on one connection: only one of them logs in;
// - a flood of register/login requests cannot queue unbounded password hashing on the web server:
//   beyond login.maxPendingHashes the answer is 503 at once, and the server answers again after;
// - guessing one account's password from many addresses: after login.failuresPerName wrong
//   passwords in a minute, that name's logins answer 429 (other names are not concerned).
// Run by CTest (mmo_security): SHADDOCK_HOST.
'use strict';
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const client = require('../connector/lib/pomelo_js_client');
const { waitFor } = require('../connector/lib/harness');
const { Checks, requiredEnv } = require('../../tools/node/util');
const { WireClient, Package, Message } = require('../connector/lib/wire_client');
const { prepareAppDir, startMmoCluster, httpPost, account } = require('./mmo_cluster');

const HOST = requiredEnv('SHADDOCK_HOST');

// A session on connector `index` chosen by the client, not by the gate.
async function connectTo(cluster, index, token) {
  const pomelo = client.loadClient();
  pomelo.closed = false;
  pomelo.on('disconnect', () => { pomelo.closed = true; });
  await client.init(pomelo, { host: '127.0.0.1', port: cluster.servers.connector[index].clientPort, log: false });
  const res = token === undefined ? null : await client.request(pomelo, 'connector.entryHandler.entry', { token });
  return { pomelo, res };
}

// A request whose body is the given bytes, as a client other than the npm one can send them.
function rawRequest(wire, route, bytes) {
  const id = ++wire.reqId;
  return new Promise((resolve) => {
    wire.callbacks.set(id, resolve);
    wire.routeOf.set(id, route);
    wire.sendRaw(Package.encode(Package.TYPE_DATA, Message.encode(id, Message.TYPE_REQUEST, 0, route, bytes)));
  });
}

// Slow hashes and a small hashing queue, so that a burst of requests overflows it; attempts per
// address high enough not to answer 429 first.
function slowHashing(dir) {
  const file = path.join(dir, 'config', 'mmo.json');
  const cfg = JSON.parse(fs.readFileSync(file, 'utf8'));
  Object.assign(cfg.development.login, { passwordIterations: 400000, maxPendingHashes: 2, attemptsPerMinute: 1000,
                                          failuresPerName: 3 });
  fs.writeFileSync(file, JSON.stringify(cfg));
}

async function main() {
  const checks = new Checks();
  const dir = await prepareAppDir();
  slowHashing(dir);
  const cluster = await startMmoCluster(HOST, dir);
  const open = [];
  try {
    const alice = await account(cluster, 'alice');
    const bob = await account(cluster, 'bob');

    await checks.run('a name made of SQL registers and logs in as text; the tables are still there', async () => {
      const name = "x'); DROP TABLE mmo_user;--";
      const r = await httpPost(cluster.webPort, '/register', { name, password: "p' OR '1'='1" });
      assert.strictEqual(r.body.code, 200, JSON.stringify(r));
      const wrong = await httpPost(cluster.webPort, '/login', { username: name, password: "' OR '1'='1" });
      assert.strictEqual(wrong.body.code, 501, JSON.stringify(wrong));
      const ok = await httpPost(cluster.webPort, '/login', { username: name, password: "p' OR '1'='1" });
      assert.deepStrictEqual([ok.body.code, ok.body.uid], [200, r.body.uid], JSON.stringify(ok));
      const again = await httpPost(cluster.webPort, '/login', { username: 'alice', password: 'secret-alice' });
      assert.strictEqual(again.body.code, 200, JSON.stringify(again));
    });

    await checks.run('chat content that is not UTF-8 (overlong "<", a lone surrogate, 0xff) is refused; invisible and bidi characters dropped', async () => {
      const erin = await account(cluster, 'erin');
      const wire = await WireClient.connect({ port: cluster.servers.connector[0].clientPort, transport: 'ws' });
      try {
        await wire.handshake();
        assert.strictEqual((await wire.request('connector.entryHandler.entry', { token: erin.token })).code, 200);
        const made = await wire.request('connector.roleHandler.createPlayer', { name: 'Erin', roleId: 210 });
        assert.strictEqual(made.code, 200, JSON.stringify(made));
        const send = (content) => rawRequest(wire, 'chat.chatHandler.send', Buffer.concat([
          Buffer.from('{"scope":"D41313","content":"'), content, Buffer.from('"}')]));
        // Lenient decoders read C0 BC as "<": past the tag stripping, into other players' pages.
        for (const bad of [[0xc0, 0xbc, 0x62, 0xc0, 0xbe, 0x78], [0xed, 0xa0, 0x80], [0x61, 0xff], [0xf4, 0x90, 0x80, 0x80], [0xe4, 0xbd]])
          assert.deepStrictEqual(await send(Buffer.from(bad)), { code: 500 }, Buffer.from(bad).toString('hex'));
        const heard = wire.nextPush('onChat', 10000);
        assert.deepStrictEqual(await send(Buffer.from('你好 \u{1F600}')), { code: 200 });
        assert.strictEqual((await heard).content, '你好 \u{1F600}');
        // Invisible and direction-changing characters, and C1 controls, are dropped: they would let a
        // line show other text than it holds.
        const cleaned = wire.nextPush('onChat', 10000);
        assert.deepStrictEqual(await send(Buffer.from('a\u202eb\u200bc\u2066d\u0085e\ufefff')), { code: 200 });
        assert.strictEqual((await cleaned).content, 'abcdef');
      } finally {
        wire.close();
      }
    });

    await checks.run('a name that is not UTF-8 is refused at register (400)', async () => {
      const body = Buffer.concat([Buffer.from('{"name":"a'), Buffer.from([0xc0, 0xbc]), Buffer.from('","password":"pw"}')]);
      const r = await httpPost(cluster.webPort, '/register', body);
      assert.deepStrictEqual([r.status, r.body.code], [400, 500], JSON.stringify(r));
    });

    await checks.run('a login or register another site\'s page could send (not application/json) is 415', async () => {
      // A cross-site form or no-cors fetch can POST text/plain with a JSON body: a visitor's browser
      // would guess passwords or register names from the visitor's address. application/json needs
      // a CORS preflight, which this server does not grant.
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
        for (const [route, body] of [['/login', { username: 'alice', password: 'secret-alice' }], ['/register', { name: 'mallory', password: 'pw' }]]) {
          const r = await httpPost(cluster.webPort, route, body, { 'Content-Type': type });
          assert.deepStrictEqual([r.status, r.body.code], [415, 500], type + ' ' + route + ' ' + JSON.stringify(r));
        }
      }
      const ok = await httpPost(cluster.webPort, '/login', { username: 'alice', password: 'secret-alice' },
                                { 'Content-Type': 'application/json; charset=utf-8' });
      assert.strictEqual(ok.body.code, 200, JSON.stringify(ok));
    });

    await checks.run('an entry on the other connector kicks the user\'s session on the first', async () => {
      const first = await connectTo(cluster, 0, alice.token);
      open.push(first.pomelo);
      assert.strictEqual(first.res.code, 200, JSON.stringify(first.res));
      const second = await connectTo(cluster, 1, alice.token);
      open.push(second.pomelo);
      assert.strictEqual(second.res.code, 200, JSON.stringify(second.res));
      await waitFor(() => first.pomelo.closed, 10000, 'the session on the first connector to close');
      assert.deepStrictEqual(await client.request(second.pomelo, 'connector.timeSyncHandler.timeSync', {}), { code: 200 });
      second.pomelo.disconnect();
    });

    await checks.run('two entries in flight on one connection: one logs in, the other is refused', async () => {
      const c = await connectTo(cluster, 0);
      open.push(c.pomelo);
      const answers = await Promise.all([
        client.request(c.pomelo, 'connector.entryHandler.entry', { token: alice.token }),
        client.request(c.pomelo, 'connector.entryHandler.entry', { token: bob.token }),
      ]);
      const codes = answers.map((a) => a.code).sort();
      assert.deepStrictEqual(codes, [200, 500], JSON.stringify(answers));
      c.pomelo.disconnect();
    });

    await checks.run('a burst of logins beyond the hashing queue answers 503, and the server answers after', async () => {
      await account(cluster, 'dave');  // its wrong passwords here count against dave only
      const burst = [];
      for (let i = 0; i < 20; i++) burst.push(httpPost(cluster.webPort, '/login', { username: 'dave', password: 'wrong' + i }));
      const answers = await Promise.all(burst);
      const busy = answers.filter((a) => a.status === 503);
      const done = answers.filter((a) => a.status === 200);
      assert.ok(busy.length >= 1, JSON.stringify(answers.map((a) => a.status)));
      assert.ok(done.length >= 1, JSON.stringify(answers.map((a) => a.status)));
      for (const a of busy) assert.strictEqual(a.body.code, 500);
      for (const a of done) assert.strictEqual(a.body.code, 501);
      const r = await httpPost(cluster.webPort, '/login', { username: 'alice', password: 'secret-alice' });
      assert.strictEqual(r.body.code, 200, JSON.stringify(r));
    });

    await checks.run('wrong passwords for one name beyond login.failuresPerName answer 429, for that name only', async () => {
      await account(cluster, 'carol');
      for (let i = 0; i < 3; i++) {
        const r = await httpPost(cluster.webPort, '/login', { username: 'carol', password: 'guess' + i });
        assert.deepStrictEqual([r.status, r.body.code], [200, 501], JSON.stringify(r));
      }
      for (const password of ['guess3', 'secret-carol']) {
        const r = await httpPost(cluster.webPort, '/login', { username: 'carol', password });
        assert.deepStrictEqual([r.status, r.body.code], [429, 500], JSON.stringify(r));
      }
      const other = await httpPost(cluster.webPort, '/login', { username: 'bob', password: 'secret-bob' });
      assert.strictEqual(other.body.code, 200, JSON.stringify(other));
    });
  } finally {
    for (const p of open) try { p.disconnect(); } catch (e) { /* closed */ }
    await cluster.stop();
  }
  checks.finish();
}

main().catch((e) => { console.error(e); process.exit(1); });
