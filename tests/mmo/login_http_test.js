// The MMO demo's HTTP login (apps/mmo, the web server on :3001): register and login answer as
// lordofpomelo's web server (200 with token and uid; 501 duplicate name or wrong password; 500
// unknown user), hostile bodies are refused (bad JSON 400, missing fields 400, oversized 413), the
// attempts of one address are limited (429), the web client's files are served and confined, and
// passwords are stored as salted PBKDF2 hashes, never in clear.
// Run by CTest (mmo_login_http): SHADDOCK_HOST.
'use strict';
const { execFileSync } = require('child_process');
const http = require('http');
const path = require('path');
const assert = require('assert');
const { Checks, requiredEnv } = require('../../tools/node/util');
const { prepareAppDir, startMmoCluster, httpPost } = require('./mmo_cluster');

const HOST = requiredEnv('SHADDOCK_HOST');

function httpGet(port, urlPath) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: urlPath }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, body: text }));
    }).on('error', reject);
  });
}

async function main() {
  const checks = new Checks();
  const dir = await prepareAppDir();
  const cluster = await startMmoCluster(HOST, dir);
  const port = cluster.webPort;
  try {
    let uid;
    await checks.run('register answers code 200 with a token "uid|ms|mac" and the uid', async () => {
      const r = await httpPost(port, '/register', { name: 'alice', password: 'wonderland' });
      assert.strictEqual(r.status, 200);
      assert.strictEqual(r.body.code, 200, JSON.stringify(r.body));
      assert.ok(Number.isInteger(r.body.uid) && r.body.uid > 0);
      assert.match(r.body.token, new RegExp(`^${r.body.uid}\\|\\d{13}\\|[0-9a-f]{64}$`));
      uid = r.body.uid;
    });
    await checks.run('a second register of the name answers 501', async () => {
      const r = await httpPost(port, '/register', { name: 'alice', password: 'other' });
      assert.deepStrictEqual(r.body, { code: 501 });
    });
    await checks.run('login answers 200 with the same uid and a fresh token', async () => {
      const r = await httpPost(port, '/login', { username: 'alice', password: 'wonderland' });
      assert.strictEqual(r.body.code, 200, JSON.stringify(r.body));
      assert.strictEqual(r.body.uid, uid);
      assert.ok(r.body.token.startsWith(uid + '|'));
    });
    await checks.run('a wrong password answers 501, an unknown user 500', async () => {
      assert.deepStrictEqual((await httpPost(port, '/login', { username: 'alice', password: 'Wonderland' })).body, { code: 501 });
      assert.deepStrictEqual((await httpPost(port, '/login', { username: 'nobody', password: 'x' })).body, { code: 500 });
    });
    await checks.run('a body that is not JSON, or lacks a field, or has a field of another type, is 400 {code:500}', async () => {
      for (const body of ['{"name": "bob", ', 'null', '[]', JSON.stringify({ name: 'bob' }), JSON.stringify({ name: 'bob', password: 5 }),
                          JSON.stringify({ name: '', password: 'x' }), JSON.stringify({ name: 'a\u0001b', password: 'x' })]) {
        const r = await httpPost(port, '/register', body);
        assert.strictEqual(r.status, 400, body);
        assert.strictEqual(r.body.code, 500, body);
      }
    });
    await checks.run('an oversized body is refused with 413', async () => {
      const r = await httpPost(port, '/register', JSON.stringify({ name: 'big', password: 'x'.repeat(5000) }));
      assert.strictEqual(r.status, 413);
    });
    await checks.run('the password is stored as a salted PBKDF2 hash, never in clear', async () => {
      const db = path.join(dir, 'data', 'mmo.db');
      const rows = execFileSync('sqlite3', [db, 'SELECT name, password FROM mmo_user'], { encoding: 'utf8' });
      assert.match(rows, /^alice\|pbkdf2-sha256:\d+:[0-9a-f]{32}:[0-9a-f]{64}$/m);
      assert.ok(!rows.includes('wonderland'));
    });
    await checks.run('the web client is served, and nothing outside its folder', async () => {
      const index = await httpGet(port, '/');
      assert.strictEqual(index.status, 200);
      assert.match(index.body, /<html/i);
      for (const p of ['/../config/mmo.json', '/%2e%2e/config/mmo.json', '/..%2fconfig/mmo.json'])
        assert.notStrictEqual((await httpGet(port, p)).status, 200, p);
    });
    await checks.run('more attempts than login.attemptsPerMinute from one address are 429', async () => {
      let limited = null;
      for (let i = 0; i < 40 && !limited; i++) {
        // A new unknown name each time: the limit of the address, not of a name's wrong passwords.
        const r = await httpPost(port, '/login', { username: 'nobody' + i, password: 'guess' + i });
        if (r.status === 429) limited = r;
        else assert.strictEqual(r.body.code, 500);
      }
      assert.ok(limited, 'never limited');
      assert.strictEqual(limited.body.code, 500);
      assert.match(limited.body.error, /too many attempts/);
    });
  } finally {
    await cluster.stop();
  }
  checks.finish();
}

main().catch((e) => { console.error(e); process.exit(1); });
