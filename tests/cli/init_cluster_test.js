// Runs a project made by `shaddock init` (init_test.sh scaffolded and built it): moves its
// development ports to free ones, starts it with `shaddock start -d <dir>`, and drives it with the real
// npm client pomelo-jsclient-websocket: the login filter, the connector's login handler and its RPC to
// the game server's remote, requests forwarded to the game server's handler, the remote's leave when a
// client disconnects; then the project's own C++ client. Then `shaddock list` and `shaddock stop`,
// as the generated development admin, see and stop the cluster, and `shaddock start -e production`
// refuses that development admin.
//
//   node init_cluster_test.js <project dir>
// SHADDOCK_CLI: the installed `shaddock`; SHADDOCK_INIT_CLIENT: the project's client program.
'use strict';
const assert = require('node:assert');
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const client = require('../connector/lib/pomelo_js_client');
const { freePort, sleep, waitFor, Checks, requiredEnv } = require('../../tools/node/util.js');

const CLI = requiredEnv('SHADDOCK_CLI');
const CLIENT = requiredEnv('SHADDOCK_INIT_CLIENT');  // the project's own client, built by init_test.sh
const APP = process.argv[2];
if (!APP || !fs.existsSync(path.join(APP, 'config'))) {
  console.error('usage: node init_cluster_test.js <project dir made by shaddock init>');
  process.exit(2);
}

const configPath = (name) => path.join(APP, 'config', name);
const readConfig = (name) => JSON.parse(fs.readFileSync(configPath(name), 'utf8'));
const writeConfig = (name, value) => fs.writeFileSync(configPath(name), JSON.stringify(value, null, 2));

// Only the port numbers of the development sections change; everything else is as generated.
async function moveToFreePorts() {
  const master = readConfig('master.json');
  master.development.port = await freePort();
  writeConfig('master.json', master);
  const servers = readConfig('servers.json');
  for (const list of Object.values(servers.development)) {
    for (const s of list) {
      if (s.port) s.port = await freePort();
      if (s.clientPort) s.clientPort = await freePort();
    }
  }
  writeConfig('servers.json', servers);
  return servers.development.connector[0].clientPort;
}

// `shaddock start -d APP` in the foreground: it becomes the master, whose output (every server's
// lines, prefixed with its id) is collected.
function startCluster() {
  const master = spawn(CLI, ['start', '-d', APP], { stdio: ['ignore', 'pipe', 'pipe'] });
  master.output = '';
  master.stdout.on('data', (d) => { master.output += d; });
  master.stderr.on('data', (d) => { master.output += d; });
  master.exited = new Promise((resolve) => master.on('exit', (code, signal) => resolve({ code, signal })));
  return master;
}

function run(program, args, env = process.env) {
  try {
    return { code: 0, out: execFileSync(program, args, { encoding: 'utf8', env, timeout: 20000, stdio: ['ignore', 'pipe', 'pipe'] }) };
  } catch (e) {
    return { code: e.status, out: (e.stdout || '') + (e.stderr || '') };
  }
}

const cli = (args, password) => run(CLI, args, { ...process.env, SHADDOCK_ADMIN_PASSWORD: password });

// The generated client's lines "<label>: <answer JSON>" as [label, answer] pairs.
function answers(out) {
  return out.trim().split('\n').map((line) => {
    const at = line.indexOf(': ');
    return [line.slice(0, at), JSON.parse(line.slice(at + 2))];
  });
}

function alive(pid) {
  try { process.kill(pid, 0); return true; } catch (e) { return false; }
}

// Whatever happened, nothing of this cluster outlives the test.
async function cleanUp(master) {
  const pids = [...master.output.matchAll(/started \S+ \(pid (\d+)/g)].map((m) => Number(m[1]));
  if (master.exitCode === null && master.signalCode === null) {
    master.kill('SIGTERM');
    await Promise.race([master.exited, sleep(10000)]);
    if (master.exitCode === null && master.signalCode === null) master.kill('SIGKILL');
  }
  for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
}

// A request that fails after 10 s instead of hanging the test.
function request(pomelo, route, body) {
  return Promise.race([client.request(pomelo, route, body),
                       sleep(10000).then(() => { throw new Error(`no answer to ${route} within 10 s`); })]);
}

async function connect(port) {
  const pomelo = client.loadClient();
  await Promise.race([client.init(pomelo, { host: '127.0.0.1', port, log: false }),
                      sleep(10000).then(() => { throw new Error(`no handshake with port ${port} within 10 s`); })]);
  return pomelo;
}

async function main() {
  const checks = new Checks();
  const clientPort = await moveToFreePorts();
  const master = startCluster();
  const clients = [];
  try {
    await checks.run('shaddock start runs the master, which starts the connector and the game server', async () => {
      await waitFor(() => /all servers startup in \d+ ms/.test(master.output) || master.exitCode !== null, 60000,
                    'the cluster to start').catch(() => {});
      assert.match(master.output, /all servers startup in \d+ ms \(2 server/, master.output.slice(-4000));
    });
    if (checks.failed) return checks;

    const alice = await connect(clientPort);
    clients.push(alice);
    await checks.run('the login filter refuses a game request before login', async () => {
      const r = await request(alice, 'game.gameHandler.play', { move: 'e4' });
      assert.deepStrictEqual(r, { code: 401, msg: 'log in first: connector.entryHandler.login' });
    });
    await checks.run('login without a uid is refused by the handler', async () => {
      assert.deepStrictEqual(await request(alice, 'connector.entryHandler.login', {}),
                             { code: 400, msg: 'login needs a uid' });
    });
    await checks.run('login binds the session and joins the player on the game server (RPC to playerRemote.join)', async () => {
      assert.deepStrictEqual(await request(alice, 'connector.entryHandler.login', { uid: 'alice' }),
                             { code: 200, uid: 'alice', game: { server: 'game-server-1', players: 1 } });
    });
    await checks.run('a second login on the same session is refused', async () => {
      assert.deepStrictEqual(await request(alice, 'connector.entryHandler.login', { uid: 'alice' }),
                             { code: 409, msg: 'already logged in' });
    });
    await checks.run('game.gameHandler.play is forwarded to the game server, which knows the player', async () => {
      assert.deepStrictEqual(await request(alice, 'game.gameHandler.play', { move: 'e4' }),
                             { code: 200, uid: 'alice', move: 'e4', plays: 1, online: 1, server: 'game-server-1' });
      assert.deepStrictEqual(await request(alice, 'game.gameHandler.play', { move: 'Nf3' }),
                             { code: 200, uid: 'alice', move: 'Nf3', plays: 2, online: 1, server: 'game-server-1' });
    });

    const bob = await connect(clientPort);
    clients.push(bob);
    await checks.run('a second player joins the same game server', async () => {
      assert.deepStrictEqual(await request(bob, 'connector.entryHandler.login', { uid: 'bob' }),
                             { code: 200, uid: 'bob', game: { server: 'game-server-1', players: 2 } });
    });
    const impostor = await connect(clientPort);
    clients.push(impostor);
    await checks.run('a uid that is logged in cannot log in again elsewhere', async () => {
      assert.deepStrictEqual(await request(impostor, 'connector.entryHandler.login', { uid: 'alice' }),
                             { code: 409, msg: 'this uid is logged in elsewhere' });
    });
    await checks.run('a disconnect leaves the game (playerRemote.leave from the session\'s close)', async () => {
      alice.disconnect();
      clients.splice(clients.indexOf(alice), 1);
      let last;
      await waitFor(async () => {
        last = await request(bob, 'game.gameHandler.play', { move: 'a3' });
        return last.online === 1;
      }, 10000, 'alice to leave', 100).catch(() => {});
      assert.strictEqual(last && last.online, 1, JSON.stringify(last));
      assert.match(master.output, /game-server-1.*player alice joined from connector-server-1/);
      await waitFor(() => /game-server-1.*player alice left/.test(master.output), 5000, 'the leave log line');
    });
    await checks.run('the generated client (README "Connect") logs in and plays, exit 0', async () => {
      const r = run(CLIENT, ['--port', String(clientPort), 'carol', 'e4', 'Nf3']);
      assert.strictEqual(r.code, 0, r.out);
      assert.deepStrictEqual(answers(r.out), [
        ['login', { code: 200, uid: 'carol', game: { server: 'game-server-1', players: 2 } }],
        ['play e4', { code: 200, uid: 'carol', move: 'e4', plays: 1, online: 2, server: 'game-server-1' }],
        ['play Nf3', { code: 200, uid: 'carol', move: 'Nf3', plays: 2, online: 2, server: 'game-server-1' }],
      ]);
    });
    await checks.run('the generated client exits 1 on an answer other than code 200', async () => {
      const r = run(CLIENT, ['--port', String(clientPort), 'bob', 'e4']);
      assert.strictEqual(r.code, 1, r.out);
      assert.deepStrictEqual(answers(r.out), [['login', { code: 409, msg: 'this uid is logged in elsewhere' }]]);
      assert.strictEqual(run(CLIENT, []).code, 2);
    });
    await checks.run('each server writes logs/<server-id>.log', async () => {
      const log = fs.readFileSync(path.join(APP, 'logs', 'game-server-1.log'), 'utf8');
      assert.match(log, /player bob joined from connector-server-1/);
      assert.ok(fs.existsSync(path.join(APP, 'logs', 'connector-server-1.log')));
    });
    for (const c of clients) c.disconnect();

    await checks.run('shaddock list and stop log in as the generated development admin and stop the cluster', async () => {
      const list = cli(['list', '-d', APP], 'admin');
      assert.strictEqual(list.code, 0, list.out);
      assert.match(list.out, /connector-server-1\s+connector/);
      assert.match(list.out, /game-server-1\s+game/);
      const stop = cli(['stop', '-d', APP], 'admin');
      assert.strictEqual(stop.code, 0, stop.out);
      const exit = await Promise.race([master.exited, sleep(20000).then(() => 'still running after 20 s')]);
      assert.deepStrictEqual(exit, { code: 0, signal: null }, master.output.slice(-3000));
      assert.ok((master.output.match(/server stopped cleanly/g) || []).length >= 3, master.output.slice(-3000));
    });
    await checks.run('with -e production the development admin of adminUser.json is refused at start', async () => {
      const r = run(CLI, ['start', '-d', APP, '-e', 'production']);
      assert.strictEqual(r.code, 1, r.out);
      assert.match(r.out, /config\/adminUser\.json: \[0\]\.password \(user "admin"\) is the shipped development password: refused in production/);
    });
  } catch (e) {
    checks.fail('the run', e);
    console.log(master.output.slice(-4000));
  } finally {
    await cleanUp(master);
  }
  return checks;
}

main().then((checks) => checks.finish(), (e) => {
  console.log('FAIL ' + (e && e.stack ? e.stack : e));
  process.exit(1);
});
