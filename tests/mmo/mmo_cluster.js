// Starts the MMO demo (apps/mmo) as a real cluster on free ports, for the mmo tests, and the client
// steps of its login flow (HTTP register/login, gate, connector entry) with the real npm Pomelo client.
'use strict';
const { execFileSync, spawn } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const path = require('path');
const client = require('../connector/lib/pomelo_js_client');
const { freePort, waitFor } = require('../connector/lib/harness');
const { tempDir } = require('../../tools/node/util');

const APP = path.join(__dirname, '..', '..', 'apps', 'mmo');
const PG_PASSWORD = 'mmo-test-password';

// The game database of a test: SQLite in the app folder (pg null), or a PostgreSQL engine started by
// tools/node/engines.js. query(dir, sql) answers rows as "a|b" lines either way.
async function testDatabase(kind) {
  if (kind !== 'postgres') {
    // The servers write the file too: wait for their lock rather than fail.
    return { pg: null, query: (dir, sql) => execFileSync('sqlite3', ['-cmd', '.timeout 5000', path.join(dir, 'data', 'mmo.db'), sql],
                                                         { encoding: 'utf8' }).trim(),
             close: async () => {} };
  }
  const engines = require('../../tools/node/engines');
  const pg = await engines.start('postgres', { password: PG_PASSWORD });
  return {
    pg,
    query: (dir, sql) => execFileSync('psql', ['-h', '127.0.0.1', '-p', String(pg.port), '-U', pg.user, '-d', pg.database, '-At',
                                                '-F', '|', '-c', sql], { env: { ...process.env, PGPASSWORD: PG_PASSWORD }, encoding: 'utf8' }).trim(),
    close: () => pg.close(),
  };
}

// The sync entry's options for a PostgreSQL engine: its address and the schema with BIGSERIAL ids
// (README: "PostgreSQL instead of SQLite").
function usePostgres(options, pg) {
  Object.assign(options, { database: 'postgresql', host: '127.0.0.1', port: pg.port, user: pg.user, dbname: pg.database,
                           password: PG_PASSWORD });
  delete options.file;
  options.init = options.init.map((sql) => sql.replace('id INTEGER PRIMARY KEY', 'id BIGSERIAL PRIMARY KEY'));
}

// A copy of the app's config folder with every port free; `syncInterval` (ms) shortens the
// write-behind; `pg` (testDatabase) puts the database there. The database (SQLite) and the logs live
// in the folder, so a second start on it keeps both.
async function prepareAppDir({ syncInterval = 60000, pg = null } = {}) {
  const dir = tempDir('shd-mmo-');
  fs.mkdirSync(path.join(dir, 'config'));
  for (const f of fs.readdirSync(path.join(APP, 'config'))) {
    const from = path.join(APP, 'config', f);
    if (fs.statSync(from).isFile()) fs.copyFileSync(from, path.join(dir, 'config', f));
  }
  // The web client's files and the game data stay where they are.
  fs.symlinkSync(path.join(APP, 'web-server'), path.join(dir, 'web-server'));
  for (const sub of ['data', 'map'])
    if (fs.existsSync(path.join(APP, 'config', sub))) fs.symlinkSync(path.join(APP, 'config', sub), path.join(dir, 'config', sub));
  const servers = JSON.parse(fs.readFileSync(path.join(APP, 'config', 'servers.json'), 'utf8')).development;
  for (const list of Object.values(servers))
    for (const s of list) {
      if (s.port) s.port = await freePort();
      if (s.clientPort) s.clientPort = await freePort();
      if (s.httpPort) s.httpPort = await freePort();
    }
  fs.writeFileSync(path.join(dir, 'config', 'servers.json'), JSON.stringify({ development: servers }));
  fs.writeFileSync(path.join(dir, 'config', 'master.json'),
                   JSON.stringify({ id: 'master-server-1', host: '127.0.0.1', port: await freePort() }));
  const plugins = JSON.parse(fs.readFileSync(path.join(APP, 'config', 'plugins.json'), 'utf8'));
  const sync = plugins.plugins.find((p) => p.name === 'sync').options;
  sync.interval = syncInterval;
  if (pg) usePostgres(sync, pg);
  // The master's admin HTTP port (7001 by default) on any free port: test clusters run side by side.
  const cluster = plugins.plugins.find((p) => p.name === 'cluster');
  cluster.options = { ...(cluster.options || {}), adminHttpPort: 0 };
  fs.writeFileSync(path.join(dir, 'config', 'plugins.json'), JSON.stringify(plugins));
  return dir;
}

// New free ports for every server of the folder's servers.json and for its master.
async function reassignPorts(dir) {
  const file = path.join(dir, 'config', 'servers.json');
  const servers = JSON.parse(fs.readFileSync(file, 'utf8'));
  for (const list of Object.values(servers.development))
    for (const s of list)
      for (const key of ['port', 'clientPort', 'httpPort']) if (s[key]) s[key] = await freePort();
  fs.writeFileSync(file, JSON.stringify(servers));
  const masterFile = path.join(dir, 'config', 'master.json');
  const master = JSON.parse(fs.readFileSync(masterFile, 'utf8'));
  (master.development || master).port = await freePort();
  fs.writeFileSync(masterFile, JSON.stringify(master));
}

// Stops a master and, through it, its servers; SIGKILL only if it is still there after 20 s (a killed
// master leaves its servers running).
async function stopMaster(master, exited) {
  master.kill('SIGTERM');
  const timer = setTimeout(() => master.kill('SIGKILL'), 20000);
  await exited;
  clearTimeout(timer);
}

// Spawns the master on the app folder; resolves to {master, output(), exited} once every server is
// up. Free ports are only free when chosen: when another process took one meanwhile (a server
// failing to start with "Address already in use"), the cluster is stopped and started again on new
// ports.
async function spawnCluster(host, dir, attempts = 4) {
  for (let attempt = 1; ; attempt++) {
    const master = spawn(host, ['--app-dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let gone = false;
    master.stdout.on('data', (d) => { out += d; });
    master.stderr.on('data', (d) => { out += d; });
    const exited = new Promise((r) => master.on('exit', (code, signal) => { gone = true; r({ code, signal }); }));
    const portTaken = () => /failed in start[^\n]*Address already in use/.test(out) || (gone && /Address already in use/.test(out));
    try {
      await waitFor(() => /all servers startup in/.test(out) || gone || portTaken(), 60000, 'the cluster to start');
    } catch (e) {
      await stopMaster(master, exited);
      throw new Error(e.message + '\n' + out.slice(-3000));
    }
    if (/all servers startup in/.test(out)) return { master, output: () => out, exited, stop: () => stopMaster(master, exited) };
    await stopMaster(master, exited);
    if (attempt >= attempts || !portTaken()) throw new Error('the cluster did not start\n' + out.slice(-3000));
    console.log(`     (a port was taken meanwhile: starting again on new ports, attempt ${attempt + 1})`);
    await reassignPorts(dir);
  }
}

// Resolves to {dir, servers, gatePort, webPort, output(), stop()} once every server is up.
async function startMmoCluster(host, dir) {
  const { output, stop } = await spawnCluster(host, dir);
  const servers = JSON.parse(fs.readFileSync(path.join(dir, 'config', 'servers.json'), 'utf8')).development;
  return { dir, servers, gatePort: servers.gate[0].clientPort, webPort: servers.web[0].httpPort, output, stop };
}

// One HTTP request to the web server: resolves to {status, body (parsed JSON or text)}.
function httpPost(port, urlPath, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const data = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
    const req = http.request({ host: '127.0.0.1', port, path: urlPath, method: 'POST',
                               headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data), ...headers } },
                             (res) => {
                               let text = '';
                               res.on('data', (d) => { text += d; });
                               res.on('end', () => {
                                 let parsed = text;
                                 try { parsed = JSON.parse(text); } catch (e) { /* text */ }
                                 resolve({ status: res.statusCode, body: parsed });
                               });
                             });
    req.on('error', reject);
    req.end(data);
  });
}

// The token of a uid issued `ms` (wall clock) with the development secret of config/mmo.json: what
// the web server's tokens look like (apps/mmo/src/platform/credentials.hpp).
function makeToken(secret, uid, ms) {
  const field = (s) => { const b = Buffer.from(String(s)); const len = Buffer.alloc(2); len.writeUInt16BE(b.length); return Buffer.concat([len, b]); };
  const mac = crypto.createHmac('sha256', secret)
    .update(Buffer.concat([Buffer.from('mmo.token/1'), Buffer.from([0]), field(uid), field(ms)])).digest('hex');
  return `${uid}|${ms}|${mac}`;
}

function developmentSecret() {
  return JSON.parse(fs.readFileSync(path.join(APP, 'config', 'mmo.json'), 'utf8')).development.token.secret;
}

// Registers (or logs in) over HTTP and returns {uid, token}.
async function account(cluster, name, password = 'secret-' + name) {
  let r = await httpPost(cluster.webPort, '/register', { name, password });
  if (r.body.code === 501) r = await httpPost(cluster.webPort, '/login', { username: name, password });
  if (r.body.code !== 200) throw new Error('login of ' + name + ': ' + JSON.stringify(r));
  return { uid: r.body.uid, token: r.body.token };
}

// A request that rejects ("no answer to <route>") instead of hanging when no answer comes in `ms`.
function requestWithin(pomelo, route, msg, ms = 20000) {
  return Promise.race([
    client.request(pomelo, route, msg),
    new Promise((_, reject) => setTimeout(() => reject(new Error('no answer to ' + route)), ms).unref()),
  ]);
}

// gate -> queryEntry -> connector -> entry {token}: {pomelo, entry (the connector's address), res}.
// `pushes` lists the push routes to record (pomelo.pushes[route] = [...]).
async function connect(cluster, uid, token, pushes = ['onChat']) {
  const gate = client.loadClient();
  await client.init(gate, { host: '127.0.0.1', port: cluster.gatePort, log: false });
  const entry = await client.request(gate, 'gate.gateHandler.queryEntry', { uid });
  gate.disconnect();
  if (entry.code !== 200) throw new Error('queryEntry: ' + JSON.stringify(entry));
  const pomelo = client.loadClient();
  pomelo.pushes = {};
  for (const r of pushes) { pomelo.pushes[r] = []; pomelo.on(r, (m) => pomelo.pushes[r].push(m)); }
  pomelo.closed = false;
  pomelo.on('disconnect', () => { pomelo.closed = true; });
  pomelo.on('onKick', () => { pomelo.kicked = true; });
  await client.init(pomelo, { host: entry.host, port: entry.port, log: false });
  const res = await client.request(pomelo, 'connector.entryHandler.entry', { token });
  return { pomelo, entry, res };
}

module.exports = { APP, testDatabase, usePostgres, prepareAppDir, spawnCluster, startMmoCluster, httpPost, makeToken, developmentSecret, account, connect,
                   requestWithin };
