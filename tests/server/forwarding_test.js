// Forwarding across a real cluster: master + 2 connectors + 2 backends, driven by the real npm
// client pomelo-jsclient-websocket. Checks that requests for another server type are forwarded
// over RPC to the backend Pomelo's default routing picks (abs(int32(crc32(uid))) % n over the
// membership order), with the session's uid, frontend id and settings; that backend errors come back
// as Pomelo's {"code":500} merge; and that a backend killed with -9 under load answers every pending
// request with an error (never a hang), is restarted by the master, and serves again. Then the leak
// check: three more kill -9 / restart cycles under load, after each of which the frontends' open
// fds, threads and RSS must come back within a small bound of the values before the cycles, every
// request must have been answered, and the master must have no zombie children.
// Run by CTest (cluster_forwarding): SHADDOCK_HOST.
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const client = require('../connector/lib/pomelo_js_client');
const { freePort, sleep, waitFor } = require('../connector/lib/harness');
const { SANITIZED, requiredEnv, tempDir } = require('../../tools/node/util.js');
const { rpcEntry } = require('../rpc/lib/transport.js');  // rpc, or rpc_nats with SHADDOCK_RPC_TRANSPORT=nats

const HOST = requiredEnv('SHADDOCK_HOST');
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

// What a process holds: open fds, threads, resident KiB.
function usage(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return {
    fds: fs.readdirSync(`/proc/${pid}/fd`).length,
    threads: Number(/Threads:\s+(\d+)/.exec(status)[1]),
    rssKiB: Number(/VmRSS:\s+(\d+)/.exec(status)[1]),
  };
}
// Children of `pid` in state Z (exited, not yet reaped).
function zombieChildren(pid) {
  const out = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let stat;
    try { stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8'); } catch (e) { continue; }
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (rest[0] === 'Z' && Number(rest[1]) === pid) out.push(Number(d));
  }
  return out;
}
function lastPid(out, id) {
  const all = [...out.matchAll(new RegExp(`started ${id} \\(pid (\\d+)`, 'g'))];
  return all.length ? Number(all[all.length - 1][1]) : -1;
}

async function main() {
  const dir = tempDir('shd-forward-');
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
      await rpcEntry({ serverTypes: ['connector', 'backend'], options: { timeout: 5000 } }),
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
    // The pushed setting travels with the next forward, and with the one after (whose settings are
    // unchanged on that link, so only a flag travels: docs/rpc.md, FORWARD).
    const seen = [];
    for (let i = 0; i < 2; i++) seen.push(await client.request(fresh, 'backend.backendHandler.echo', { n: i }));
    check('a changed session setting reaches the backend, and stays there while unchanged',
          seen.every((r, i) => r.settings && r.settings.level === 'backend' && r.uid === 'zoe' && r.body.n === i),
          JSON.stringify(seen));
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

    // Leak check: kill -9 / restart cycles under load; the frontends must give back what they used.
    const frontends = ['connector-server-1', 'connector-server-2'].map(id => lastPid(out, id));
    const burst = () => Promise.all(clients.map((c, i) => client.request(c, 'backend.backendHandler.echo', { warm: i })));
    const settle = async () => {
      for (let i = 0; i < 5; i++) await burst();
      await sleep(1500);  // closed sockets and finished threads are released
    };
    await settle();
    const before = frontends.map(usage);
    console.log('frontends before the cycles: ' + JSON.stringify(before));
    let sent = 0, answered = 0, hung = 0, worst = before.map(u => ({ ...u }));
    const cycles = 3;
    for (let cycle = 0; cycle < cycles; cycle++) {
      const victimId = backends[(cycle + 1) % 2];
      const registered = (out.match(new RegExp(`server ${victimId} \\(backend\\) registered`, 'g')) || []).length;
      let loading = true;
      const loops = clients.map(async (c, i) => {
        while (loading) {
          sent++;
          const route = i % 3 === 0 ? 'backend.backendHandler.slow' : 'backend.backendHandler.echo';
          const r = await Promise.race([client.request(c, route, { cycle }), sleep(10000).then(() => null)]);
          if (r === null) { hung++; return; }
          answered++;
        }
      });
      await sleep(300);
      process.kill(lastPid(out, victimId), 'SIGKILL');
      await waitFor(() => (out.match(new RegExp(`server ${victimId} \\(backend\\) registered`, 'g')) || []).length > registered,
                    20000, `restart of ${victimId} in cycle ${cycle + 1}`);
      await sleep(500);
      loading = false;
      await Promise.all(loops);
      let back = false;
      for (let attempt = 0; attempt < 100 && !back; attempt++) {
        const rs = await burst();
        back = rs.some(r => r.server === victimId);
        if (!back) await sleep(100);
      }
      check(`cycle ${cycle + 1}: traffic reaches the restarted ${victimId}`, back);
      await settle();
      const now = frontends.map(usage);
      console.log(`frontends after cycle ${cycle + 1}: ` + JSON.stringify(now));
      now.forEach((u, k) => {
        worst[k].fds = Math.max(worst[k].fds, u.fds);
        worst[k].threads = Math.max(worst[k].threads, u.threads);
        worst[k].rssKiB = Math.max(worst[k].rssKiB, u.rssKiB);
      });
      const zombies = zombieChildren(master.pid);
      check(`cycle ${cycle + 1}: the master has no zombie children`, zombies.length === 0, JSON.stringify(zombies));
    }
    check(`every request during ${cycles} kill -9 cycles is answered (${answered}/${sent})`, hung === 0 && answered === sent,
          `${hung} hung`);
    // Bounds: a reconnect may leave one socket in a different state at the moment of sampling; the
    // allocator keeps some freed memory, so RSS gets 8 MiB of slack, not a leak of ~0.5 MiB a cycle.
    before.forEach((b, k) => {
      const w = worst[k], id = `connector-server-${k + 1}`;
      check(`${id}: open fds return to within 2 of ${b.fds} (worst ${w.fds})`, w.fds <= b.fds + 2);
      check(`${id}: threads return to ${b.threads} (worst ${w.threads})`, w.threads <= b.threads);
      if (!SANITIZED) {  // RSS measures the sanitizer there (tools/node/util.js)
        check(`${id}: RSS stays within 8 MiB of ${b.rssKiB} KiB (worst ${w.rssKiB})`, w.rssKiB <= b.rssKiB + 8192);
      }
    });
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
