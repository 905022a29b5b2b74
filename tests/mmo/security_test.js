// The MMO demo's login path against a hostile client (apps/mmo), with the real npm Pomelo client:
// - a client that picks its connector itself (not the gate's) cannot hold two sessions of one user:
//   an entry on the other connector kicks the first session;
// - two entry requests in flight on one connection: only one of them logs in;
// - a flood of register/login requests cannot queue unbounded password hashing on the web server:
//   beyond login.maxPendingHashes the answer is 503 at once, and the server answers again after.
// Run by CTest (mmo_security): SHADDOCK_HOST.
'use strict';
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const client = require('../connector/lib/pomelo_js_client');
const { waitFor } = require('../connector/lib/harness');
const { Checks, requiredEnv } = require('../../tools/node/util');
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

// Slow hashes and a small hashing queue, so that a burst of requests overflows it; attempts per
// address high enough not to answer 429 first.
function slowHashing(dir) {
  const file = path.join(dir, 'config', 'mmo.json');
  const cfg = JSON.parse(fs.readFileSync(file, 'utf8'));
  Object.assign(cfg.development.login, { passwordIterations: 400000, maxPendingHashes: 2, attemptsPerMinute: 1000 });
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
      const burst = [];
      for (let i = 0; i < 10; i++) burst.push(httpPost(cluster.webPort, '/login', { username: 'alice', password: 'wrong' + i }));
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
  } finally {
    for (const p of open) try { p.disconnect(); } catch (e) { /* closed */ }
    await cluster.stop();
  }
  checks.finish();
}

main().catch((e) => { console.error(e); process.exit(1); });
