// Remote spawning over a real ssh: a private sshd (its own host key, a fresh client key, listening
// on 127.0.0.2 and a free port) stands in for another machine. The cluster's backend has host
// 127.0.0.2, which is not one of this machine's interface addresses, so the master starts it with
// `ssh ... root@127.0.0.2 'cd <dir> && shaddock-host ...'` using the cluster plugin's sshPort,
// sshUser, sshIdentity and sshOptions. Checks that the backend starts through sshd (not as the
// master's own child), joins the cluster, binds its RPC port on 127.0.0.2, serves a request a client
// sends to the frontend, and is stopped by `shaddock stop` together with the master.
// Exits 77 (skipped) only when sshd cannot start here.
// Run by CTest (cluster_ssh_spawn): SHADDOCK_HOST, SHADDOCK_CLI.
'use strict';
const { spawn, execFileSync } = require('child_process');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');
const client = require('../connector/lib/pomelo_js_client');
const { freePort, sleep, waitFor } = require('../connector/lib/harness');
const { requiredEnv, tempDir } = require('../../tools/node/util.js');

const HOST = requiredEnv('SHADDOCK_HOST');
const CLI = requiredEnv('SHADDOCK_CLI');
const SSHD = '/usr/sbin/sshd';
const REMOTE = '127.0.0.2';
let passed = 0, failed = 0;
function check(name, ok, detail) {
  if (ok) { passed++; console.log('ok   ' + name); } else { failed++; console.log('FAIL ' + name + (detail ? ': ' + detail : '')); }
}
function skip(why) { console.log('SKIPPED: ' + why); process.exit(77); }

function canBind(host) {
  return new Promise(resolve => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(0, host, () => s.close(() => resolve(true)));
  });
}
function alive(pid) { try { process.kill(pid, 0); return true; } catch (e) { return false; } }
function ppidOf(pid) {
  try { return Number(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1]); } catch (e) { return -1; }
}
// The pid of the shaddock-host process running `serverId` of the app in `appDir`, found through /proc
// (other clusters on the machine, other tests' included, may run a server of the same id).
function findServerPid(serverId, appDir) {
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let cmd;
    try { cmd = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0'); } catch (e) { continue; }
    const i = cmd.indexOf('--server-id');
    const a = cmd.indexOf('--app-dir');
    if (i > 0 && cmd[i + 1] === serverId && a > 0 && cmd[a + 1] === appDir && /shaddock-host$/.test(cmd[0])) {
      return Number(d);
    }
  }
  return -1;
}

async function startSshd(dir) {
  if (!fs.existsSync(SSHD)) skip(`${SSHD} is not installed (tools/dev.sh setup installs openssh-server)`);
  if (!(await canBind(REMOTE))) skip(`the loopback address ${REMOTE} cannot be bound here`);
  const keygen = (file) => execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file], { stdio: 'ignore' });
  keygen(path.join(dir, 'host_key'));
  keygen(path.join(dir, 'client_key'));
  fs.copyFileSync(path.join(dir, 'client_key.pub'), path.join(dir, 'authorized_keys'));
  // sshd refuses to start without its privilege separation directory.
  try { fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 }); } catch (e) { /* sshd will say */ }
  const port = await freePort();
  const config = path.join(dir, 'sshd_config');
  fs.writeFileSync(config, [
    `ListenAddress ${REMOTE}`, `Port ${port}`, `HostKey ${path.join(dir, 'host_key')}`,
    `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`, 'PermitRootLogin prohibit-password',
    'PasswordAuthentication no', 'KbdInteractiveAuthentication no', 'UsePAM no', 'UseDNS no', 'StrictModes no',
    `PidFile ${path.join(dir, 'sshd.pid')}`, 'PermitUserEnvironment no', 'LogLevel VERBOSE', '',
  ].join('\n'));
  const sshd = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  sshd.log = '';
  sshd.stdout.on('data', d => { sshd.log += d; });
  sshd.stderr.on('data', d => { sshd.log += d; });
  let exited = null;
  sshd.on('exit', (code, signal) => { exited = { code, signal }; });
  const t0 = Date.now();
  while (!/Server listening/.test(sshd.log)) {
    if (exited || Date.now() - t0 > 5000) {
      sshd.kill('SIGKILL');
      skip(`sshd could not start (${JSON.stringify(exited)}): ${sshd.log.trim()}`);
    }
    await sleep(20);
  }
  sshd.port = port;
  return sshd;
}

async function main() {
  const dir = tempDir('shd-ssh-');
  const sshd = await startSshd(dir);
  fs.mkdirSync(path.join(dir, 'config'));
  const echoConfig = path.join(__dirname, '..', '..', 'apps', 'echo', 'config');
  for (const f of ['dictionary.json', 'serverProtos.json', 'clientProtos.json'])
    fs.copyFileSync(path.join(echoConfig, f), path.join(dir, 'config', f));
  const ports = [];
  for (let i = 0; i < 4; i++) ports.push(await freePort());
  const write = (name, obj) => fs.writeFileSync(path.join(dir, 'config', name), JSON.stringify(obj, null, 1));
  write('master.json', { id: 'master-server-1', host: '127.0.0.1', port: ports[0] });
  write('servers.json', {
    connector: [{ id: 'connector-server-1', host: '127.0.0.1', port: ports[1], clientPort: ports[2], frontend: true }],
    backend: [{ id: 'backend-server-1', host: REMOTE, port: ports[3] }],
  });
  write('adminUser.json', [{ id: 'user-1', username: 'admin', password: 'admin', level: 1 }]);
  write('plugins.json', {
    plugins: [
      { name: 'cluster', serverTypes: '*', options: {
        sshPort: sshd.port, sshUser: os.userInfo().username, sshIdentity: 'client_key_link',
        sshOptions: ['-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR'] } },
      { name: 'rpc', serverTypes: ['connector', 'backend'], options: { timeout: 5000 } },
      { name: 'server', serverTypes: ['connector', 'backend'] },
      { name: 'pomelo_protocol', serverTypes: 'connector' },
      { name: 'connector', serverTypes: 'connector', options: { heartbeat: 3, useDict: true, useProtobuf: true } },
    ],
    app: { name: 'echo', serverTypes: ['connector', 'backend'] },
  });
  // A relative sshIdentity is resolved in the app directory.
  fs.symlinkSync(path.join(dir, 'client_key'), path.join(dir, 'client_key_link'));

  const master = spawn(HOST, ['--app-dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  master.stdout.on('data', d => { out += d; });
  master.stderr.on('data', d => { out += d; });
  let masterExit = null;
  const exited = new Promise(r => master.on('exit', (code, signal) => { masterExit = { code, signal }; r(masterExit); }));
  let remotePid = -1;
  try {
    await waitFor(() => /all servers startup in/.test(out) || masterExit, 60000, 'cluster start');
    check('the cluster starts with a backend on a remote host', /all servers startup in/.test(out), out.slice(-3000));
    check('the master starts the remote backend over ssh',
      new RegExp(`started backend-server-1 \\(pid \\d+, over ssh on ${REMOTE.replace(/\./g, '\\.')}\\)`).test(out), out.slice(-3000));
    check('the local connector is started directly', /started connector-server-1 \(pid \d+, local\)/.test(out));
    check('sshd accepted the master\'s key', /Accepted publickey for /.test(sshd.log), sshd.log);
    remotePid = findServerPid('backend-server-1', dir);
    const sshPid = Number((out.match(/started backend-server-1 \(pid (\d+)/) || [])[1]);
    check('the backend runs under sshd, not as the ssh client\'s or the master\'s child',
      remotePid > 0 && ppidOf(remotePid) !== master.pid && ppidOf(remotePid) !== sshPid,
      `backend ${remotePid}, its parent ${ppidOf(remotePid)}, master ${master.pid}, ssh ${sshPid}`);
    check('the remote backend registered with the master', /server backend-server-1 \(backend\) registered/.test(out));
    check('the remote backend listens for RPC on ' + REMOTE, await new Promise(resolve => {
      const s = net.connect({ host: REMOTE, port: ports[3] });
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    }));

    const pomelo = client.loadClient();
    await client.init(pomelo, { host: '127.0.0.1', port: ports[2] });
    const login = await client.request(pomelo, 'connector.entryHandler.login', { uid: 'remote-user' });
    const r = await client.request(pomelo, 'backend.backendHandler.echo', { over: 'ssh' });
    check('a request forwarded to the remote backend is answered by it',
      login.code === 200 && r.server === 'backend-server-1' && r.body && r.body.over === 'ssh', JSON.stringify(r));
    pomelo.disconnect();

    const list = execFileSync(CLI, ['list', '-d', dir], { encoding: 'utf8', env: { ...process.env, SHADDOCK_ADMIN_PASSWORD: 'admin' } });
    check('shaddock list shows the remote backend', /backend-server-1/.test(list), list);
    const stop = execFileSync(CLI, ['stop', '-d', dir], { encoding: 'utf8', env: { ...process.env, SHADDOCK_ADMIN_PASSWORD: 'admin' } });
    const exit = await Promise.race([exited, sleep(20000).then(() => null)]);
    check('shaddock stop stops the cluster; the master exits 0', exit && exit.code === 0, JSON.stringify(exit) + ' ' + stop);
    await waitFor(() => !alive(remotePid), 10000, 'the remote backend to exit').catch(() => {});
    check('the remote backend process has exited', remotePid > 0 && !alive(remotePid), `pid ${remotePid}`);
    check('the remote backend stopped cleanly', /backend-server-1 stopped \(exited with code 0\)/.test(out), out.slice(-2000));
  } catch (e) {
    check('no exception', false, e.stack + '\n' + out.slice(-3000) + '\n--- sshd:\n' + sshd.log.slice(-2000));
  } finally {
    if (!masterExit) { master.kill('SIGTERM'); await exited; }
    if (remotePid > 0 && alive(remotePid)) process.kill(remotePid, 'SIGKILL');
    sshd.kill('SIGTERM');
    if (!process.env.KEEP_TMP) fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}
main();
