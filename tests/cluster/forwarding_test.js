// Forwarding across a real cluster: master + 2 connectors + 2 backends, driven by the real npm
// client pomelo-jsclient-websocket. Checks that requests for another server type are forwarded
// over RPC to the backend Pomelo's default routing picks (abs(int32(crc32(uid))) % n over the
// membership order), with the session's uid, frontend id and settings; that backend errors come back
// as Pomelo's {"code":500} merge; and that a backend killed with -9 under load answers every pending
// request with an error (never a hang), is restarted by the master, and serves again.
// Usage: node forwarding_test.js <shaddock-host>
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const client = require('../connector/lib/pomelo_js_client');
const { freePort, sleep, waitFor } = require('../connector/lib/harness');

const HOST = process.argv[2];
let passed = 0, failed = 0;
function check(name, ok, detail) {
  if (ok) { passed++; console.log('ok   ' + name); } else { failed++; console.log('FAIL ' + name + (detail ? ': ' + detail : '')); }
}

// Pomelo's default route: crc32 over the low byte of each UTF-16 unit, as a signed int32, abs, mod n.
function crc32(str) {
  let c, crc = 0xffffffff;
  for (let i = 0; i < str.length; i++) {
    c = (crc ^ (str.charCodeAt(i) & 0xff)) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) | 0;
}
function pomeloRoute(uid, n) { return Math.abs(crc32(uid)) % n; }

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shd-forward-'));
  fs.mkdirSync(path.join(dir, 'config'));
  const echoConfig = path.join(__dirname, '..', '..', 'apps', 'echo', 'config');
  for (const f of ['dictionary.json', 'serverProtos.json', 'clientProtos.json'])
    fs.copyFileSync(path.join(echoConfig, f), path.join(dir, 'config', f));
  const ports = [];
  for (let i = 0; i < 7; i++) ports.push(await freePort());
  const write = (name, obj) => fs.writeFileSync(path.join(dir, 'config', name), JSON.stringify(obj, null, 1));
  write('master.json', { id: 'master-server-1', host: '127.0.0.1', port: ports[0] });
  write('servers.json', {
    connector: [
      { id: 'connector-server-1', host: '127.0.0.1', port: ports[1], clientPort: ports[2], frontend: true },
      { id: 'connector-server-2', host: '127.0.0.1', port: ports[3], clientPort: ports[4], frontend: true },
    ],
    backend: [
      { id: 'backend-server-1', host: '127.0.0.1', port: ports[5], 'auto-restart': true },
      { id: 'backend-server-2', host: '127.0.0.1', port: ports[6], 'auto-restart': true },
    ],
  });
  write('plugins.json', {
    plugins: [
      { name: 'cluster', serverTypes: '*', options: { restartDelay: 300 } },
      { name: 'rpc', serverTypes: ['connector', 'backend'], options: { timeout: 5000 } },
      { name: 'server', serverTypes: ['connector', 'backend'] },
      { name: 'pomelo_protocol', serverTypes: 'connector' },
      { name: 'connector', serverTypes: 'connector', options: { heartbeat: 3, useDict: true, useProtobuf: true } },
    ],
    app: { name: 'echo', serverTypes: ['connector', 'backend'] },
  });

  const master = spawn(HOST, ['--app-dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  master.stdout.on('data', d => { out += d; });
  master.stderr.on('data', d => { out += d; });
  const exited = new Promise(r => master.on('exit', (code, signal) => r({ code, signal })));
  try {
    await waitFor(() => /all servers startup in/.test(out), 60000, 'cluster start');
    check('cluster of master + 2 connectors + 2 backends starts with one command', true);

    const backends = ['backend-server-1', 'backend-server-2'];
    const uids = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi'];
    const clients = [];
    for (let i = 0; i < uids.length; i++) {
      const pomelo = client.loadClient();
      await client.init(pomelo, { host: '127.0.0.1', port: i % 2 ? ports[4] : ports[2] });
      const login = await client.request(pomelo, 'connector.entryHandler.login', { uid: uids[i] });
      if (login.code !== 200) throw new Error('login failed for ' + uids[i]);
      clients.push(pomelo);
    }
    let routed = 0, carried = 0;
    for (let i = 0; i < uids.length; i++) {
      const r = await client.request(clients[i], 'backend.backendHandler.echo', { n: i });
      if (r.server === backends[pomeloRoute(uids[i], 2)]) routed++;
      if (r.uid === uids[i] && r.frontendId === (i % 2 ? 'connector-server-2' : 'connector-server-1') &&
          r.settings.nickname === 'player ' + uids[i] && r.body.n === i) carried++;
    }
    check('each uid reaches the backend Pomelo\'s crc32 routing picks', routed === uids.length, `${routed}/${uids.length}`);
    check('uid, frontend id, settings and body travel with the request', carried === uids.length, `${carried}/${uids.length}`);
    const fail = await client.request(clients[0], 'backend.backendHandler.fail', {});
    check('a backend error comes back merged as Pomelo does', fail.why === 'backend' && fail.code === 500, JSON.stringify(fail));
    const none = await client.request(clients[0], 'nosuchtype.handler.method', {});
    check('a route to a server type with no servers answers code 500', none.code === 500, JSON.stringify(none));

    // Backend sessions: bind, push and kick from a backend reach the frontend's real session.
    const fresh = client.loadClient();
    await client.init(fresh, { host: '127.0.0.1', port: ports[4] });
    const bound = await client.request(fresh, 'backend.backendHandler.bind', { uid: 'zoe' });
    const who = await client.request(fresh, 'connector.entryHandler.whoami', {});
    check('a backend binds the session on its frontend', bound.code === 200 && who.uid === 'zoe', JSON.stringify([bound, who]));
    check('a backend pushes a session setting to the frontend', who.settings && who.settings.level === 'backend',
          JSON.stringify(who));
    const kicked = client.once(fresh, 'onKick', 5000);
    client.request(fresh, 'backend.backendHandler.kick', {});
    const kick = await kicked.catch(e => ({ error: String(e) }));
    check('a backend kicks the client with its reason', kick && kick.reason === 'kicked by backend', JSON.stringify(kick));

    // kill -9 a backend while slow requests are in flight.
    const victim = backends[pomeloRoute(uids[0], 2)];
    const pid = Number(out.match(new RegExp(`started ${victim} \\(pid (\\d+)`))[1]);
    const pending = [];
    for (let i = 0; i < uids.length; i++) pending.push(client.request(clients[i], 'backend.backendHandler.slow', {}));
    await sleep(50);
    process.kill(pid, 'SIGKILL');
    const answers = await Promise.race([Promise.all(pending), sleep(8000).then(() => null)]);
    check('every pending request is answered after kill -9 (no hang)', answers !== null);
    if (answers) {
      const onVictim = uids.map((u, i) => backends[pomeloRoute(u, 2)] === victim ? answers[i] : null).filter(Boolean);
      const onOther = uids.map((u, i) => backends[pomeloRoute(u, 2)] !== victim ? answers[i] : null).filter(Boolean);
      check('requests on the killed backend get code 500', onVictim.length > 0 && onVictim.every(a => a.code === 500), JSON.stringify(onVictim));
      check('requests on the other backend succeed', onOther.every(a => a.slow === true), JSON.stringify(onOther));
    }
    await waitFor(() => (out.match(new RegExp(`server ${victim} \\(backend\\) registered`, 'g')) || []).length >= 2, 10000, 'restart');
    check('the master restarts the killed backend and it registers again', true);
    let ok = false;
    for (let attempt = 0; attempt < 50 && !ok; attempt++) {
      const r = await client.request(clients[0], 'backend.backendHandler.echo', { again: true });
      ok = r.server === victim && r.body.again === true;
      if (!ok) await sleep(100);
    }
    check('traffic to the restarted backend resumes', ok);
    for (const c of clients) c.disconnect();
  } catch (e) {
    check('no exception', false, e.stack + '\n' + out.slice(-3000));
  } finally {
    master.kill('SIGTERM');
    const exit = await exited;
    check('the cluster stops cleanly', exit.code === 0, JSON.stringify(exit));
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}
main();
