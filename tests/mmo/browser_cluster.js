// Starts the MMO demo (apps/mmo) as a real cluster on free ports, for the browser client's tests: a
// copy of its config (every port, client port and HTTP port replaced by a free one), its web files
// linked in, the database in the temporary folder.
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const path = require('path');
const { freePort, waitFor, tempDir } = require('../../tools/node/util');

const APP = path.join(__dirname, '..', '..', 'apps', 'mmo');

// Resolves to {dir, servers, webPort, gatePort, url, output(), stop()} once every server is up.
async function startMmoCluster(host) {
  const dir = tempDir('shd-mmo-');
  fs.cpSync(path.join(APP, 'config'), path.join(dir, 'config'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'web-server'));
  fs.symlinkSync(path.join(APP, 'web-server', 'public'), path.join(dir, 'web-server', 'public'));
  const all = JSON.parse(fs.readFileSync(path.join(APP, 'config', 'servers.json'), 'utf8'));
  const servers = all.development;
  for (const list of Object.values(servers))
    for (const s of list)
      for (const key of ['port', 'clientPort', 'httpPort']) if (s[key]) s[key] = await freePort();
  fs.writeFileSync(path.join(dir, 'config', 'servers.json'), JSON.stringify({ development: servers }));
  fs.writeFileSync(path.join(dir, 'config', 'master.json'),
                   JSON.stringify({ development: { id: 'master-server-1', host: '127.0.0.1', port: await freePort() } }));

  const master = spawn(host, ['--app-dir', dir], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  master.stdout.on('data', (d) => { out += d; });
  master.stderr.on('data', (d) => { out += d; });
  const exited = new Promise((r) => master.on('exit', (code, signal) => r({ code, signal })));
  try {
    await waitFor(() => /all servers startup in/.test(out) || master.exitCode !== null, 90000, 'the mmo cluster to start');
    if (master.exitCode !== null) throw new Error('the master exited');
  } catch (e) {
    master.kill('SIGKILL');
    throw new Error(e.message + '\n' + out.slice(-3000));
  }
  const webPort = servers.web[0].httpPort, gatePort = servers.gate[0].clientPort;
  return {
    dir, servers, webPort, gatePort,
    url: `http://127.0.0.1:${webPort}/?gate=${gatePort}`,
    output: () => out,
    stop: () => { master.kill('SIGTERM'); return exited; },
  };
}

module.exports = { startMmoCluster };
