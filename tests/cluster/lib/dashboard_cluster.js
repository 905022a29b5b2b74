// A live cluster for the dashboard tests: the master, a connector and two backends of apps/echo, with
// the admin HTTP port on a free port and three admin users, one per password form of adminUser.json:
//   admin    / admin-pw    level 1, plain
//   monitor  / monitor-pw  level 2, md5
//   operator / operator-pw level 1, PBKDF2-SHA256
// startDashboardCluster(host, {pluginOptions}) -> {dir, ports, output(), stop()}.
'use strict';
const { spawn } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { freePort, sleep, waitFor } = require('../../connector/lib/harness');

const USERS = {
  admin: { password: 'admin-pw', level: 1 },
  monitor: { password: 'monitor-pw', level: 2 },
  operator: { password: 'operator-pw', level: 1 },
};

function pbkdf2Entry(password, iterations) {
  const salt = crypto.randomBytes(16);
  const key = crypto.pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  return `pbkdf2-sha256:${iterations}:${salt.toString('hex')}:${key.toString('hex')}`;
}

async function startDashboardCluster(host, opts = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shd-dashboard-'));
  fs.mkdirSync(path.join(dir, 'config'));
  const echoConfig = path.join(__dirname, '..', '..', '..', 'apps', 'echo', 'config');
  for (const f of ['dictionary.json', 'serverProtos.json', 'clientProtos.json'])
    fs.copyFileSync(path.join(echoConfig, f), path.join(dir, 'config', f));
  const ports = {};
  for (const k of ['master', 'connector', 'client', 'backend1', 'backend2', 'adminHttp']) ports[k] = await freePort();
  const write = (name, obj) => fs.writeFileSync(path.join(dir, 'config', name), JSON.stringify(obj, null, 1));
  write('master.json', { id: 'master-server-1', host: '127.0.0.1', port: ports.master });
  write('servers.json', {
    connector: [{ id: 'connector-server-1', host: '127.0.0.1', port: ports.connector, clientPort: ports.client, frontend: true }],
    backend: [
      { id: 'backend-server-1', host: '127.0.0.1', port: ports.backend1 },
      { id: 'backend-server-2', host: '127.0.0.1', port: ports.backend2 },
    ],
  });
  write('adminUser.json', [
    { id: 'user-1', username: 'admin', password: USERS.admin.password, level: 1 },
    { id: 'user-2', username: 'monitor', password: 'md5:' + crypto.createHash('md5').update(USERS.monitor.password).digest('hex'), level: 2 },
    { id: 'user-3', username: 'operator', password: pbkdf2Entry(USERS.operator.password, 20000), level: 1 },
  ]);
  write('plugins.json', {
    plugins: [
      { name: 'cluster', serverTypes: '*', options: { adminHttpPort: ports.adminHttp, statsInterval: 300, ...(opts.clusterOptions || {}) } },
      { name: 'rpc', serverTypes: ['connector', 'backend'] },
      { name: 'server', serverTypes: ['connector', 'backend'] },
      { name: 'pomelo_protocol', serverTypes: 'connector' },
      { name: 'connector', serverTypes: 'connector', options: { heartbeat: 3, useDict: true, useProtobuf: true } },
    ],
    app: { name: 'echo', serverTypes: ['connector', 'backend'] },
  });
  const master = spawn(host, ['--app-dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  master.stdout.on('data', (d) => { out += d; });
  master.stderr.on('data', (d) => { out += d; });
  const exited = new Promise((r) => master.on('exit', (code, signal) => r({ code, signal })));
  const stop = async () => {
    master.kill('SIGTERM');
    const done = await Promise.race([exited, sleep(15000).then(() => null)]);
    if (!done) master.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
    return done;
  };
  try {
    await waitFor(() => /all servers startup in/.test(out), 60000, 'cluster start');
  } catch (e) {
    await stop();
    throw new Error(e.message + '\n' + out.slice(-3000));
  }
  return { dir, ports, output: () => out, stop };
}

module.exports = { startDashboardCluster, USERS };
