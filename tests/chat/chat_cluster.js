// Starts the chat demo (apps/chat) as a real cluster on free ports, for the chat tests.
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const path = require('path');
const { freePort, waitFor } = require('../connector/lib/harness');
const { tempDir } = require('../../tools/node/util');

const APP = path.join(__dirname, '..', '..', 'apps', 'chat');

// Resolves to {gatePort, webPort, servers, output(), stop()} once every server is up.
async function startChatCluster(host) {
  const dir = tempDir('shd-chat-');
  fs.mkdirSync(path.join(dir, 'config'));
  for (const f of fs.readdirSync(path.join(APP, 'config'))) fs.copyFileSync(path.join(APP, 'config', f), path.join(dir, 'config', f));
  const servers = JSON.parse(fs.readFileSync(path.join(APP, 'config', 'servers.json'), 'utf8')).development;
  for (const list of Object.values(servers))
    for (const s of list) { if (s.port) s.port = await freePort(); if (s.clientPort) s.clientPort = await freePort(); }
  fs.writeFileSync(path.join(dir, 'config', 'servers.json'), JSON.stringify({ development: servers }));
  fs.writeFileSync(path.join(dir, 'config', 'master.json'),
                   JSON.stringify({ id: 'master-server-1', host: '127.0.0.1', port: await freePort() }));
  const webPort = await freePort();
  const plugins = JSON.parse(fs.readFileSync(path.join(APP, 'config', 'plugins.json'), 'utf8'));
  plugins.plugins.find((p) => p.name === 'static_web').options = { port: webPort, root: path.join(APP, 'web-server', 'public') };
  fs.writeFileSync(path.join(dir, 'config', 'plugins.json'), JSON.stringify(plugins));

  const master = spawn(host, ['--app-dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  master.stdout.on('data', (d) => { out += d; });
  master.stderr.on('data', (d) => { out += d; });
  const exited = new Promise((r) => master.on('exit', (code, signal) => r({ code, signal })));
  try {
    await waitFor(() => /all servers startup in/.test(out), 60000, 'the chat cluster to start');
  } catch (e) {
    master.kill('SIGKILL');
    throw new Error(e.message + '\n' + out.slice(-3000));
  }
  return {
    dir, servers, webPort, gatePort: servers.gate[0].clientPort,
    output: () => out,
    stop: () => { master.kill('SIGTERM'); return exited; },
  };
}

module.exports = { startChatCluster };
