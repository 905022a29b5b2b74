// Membership getters (shaddock/cpp/cluster.hpp) against a live cluster: the model_probe test app runs
// on a frontend and on two clusterCount backends and prints, at start_all, what shd::Cluster says.
// Every server must see the same live membership: the master and servers.json in order, clusterCount
// expanded (ids cluster-server-area-<k>, "++" ports counted up), with the right types and flags.
// Run by CTest (cluster_membership): SHADDOCK_HOST, and SHADDOCK_MODEL_PROBE (the model_probe app, tests/host).
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const path = require('path');
const { freePort, waitFor } = require('../connector/lib/harness');
const { requiredEnv, tempDir } = require('../../tools/node/util.js');

const HOST = requiredEnv('SHADDOCK_HOST');
const APP = requiredEnv('SHADDOCK_MODEL_PROBE');
let passed = 0, failed = 0;
function check(name, ok, detail) {
  if (ok) { passed++; console.log('ok   ' + name); } else { failed++; console.log('FAIL ' + name + (detail ? ': ' + detail : '')); }
}

async function main() {
  const dir = tempDir('shd-members-');
  fs.mkdirSync(path.join(dir, 'config'));
  const masterPort = await freePort(), rpcPort = await freePort(), clientPort = await freePort();
  // Two consecutive free ports for the "++" counter.
  let areaBase = 0;
  for (let i = 0; i < 20 && !areaBase; i++) {
    const p = await freePort();
    if (p < 65535 && (await new Promise(r => { const s = require('net').createServer(); s.once('error', () => r(false)); s.listen(p + 1, '127.0.0.1', () => s.close(() => r(true))); }))) areaBase = p;
  }
  const write = (name, obj) => fs.writeFileSync(path.join(dir, 'config', name), JSON.stringify(obj, null, 1));
  write('master.json', { id: 'master-server-1', host: '127.0.0.1', port: masterPort });
  write('servers.json', {
    connector: [{ id: 'connector-server-1', host: '127.0.0.1', port: rpcPort, clientPort, frontend: true }],
    area: [{ host: '127.0.0.1', port: `${areaBase}++`, clusterCount: 2, zone: 'north' }],
  });
  write('plugins.json', {
    plugins: [{ name: 'cluster', serverTypes: '*' }],
    app: { name: 'model_probe', path: APP, serverTypes: ['connector', 'area'] },
  });
  const expected = [
    { id: 'master-server-1', serverType: 'master', host: '127.0.0.1', port: masterPort, clientPort: 0, frontend: false },
    { id: 'connector-server-1', serverType: 'connector', host: '127.0.0.1', port: rpcPort, clientPort, frontend: true },
    { id: 'cluster-server-area-0', serverType: 'area', host: '127.0.0.1', port: areaBase, clientPort: 0, frontend: false },
    { id: 'cluster-server-area-1', serverType: 'area', host: '127.0.0.1', port: areaBase + 1, clientPort: 0, frontend: false },
  ];

  const master = spawn(HOST, ['--app-dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  master.stdout.on('data', d => { out += d; });
  master.stderr.on('data', d => { out += d; });
  const exited = new Promise(r => master.on('exit', (code, signal) => r({ code, signal })));
  try {
    const seen = () => {
      const views = {};
      for (const m of out.matchAll(/\] \[INFO\] (\S+) model_probe: membership (\{.*\})/g)) views[m[1]] = JSON.parse(m[2]);
      return views;
    };
    await waitFor(() => Object.keys(seen()).length === 3, 60000, 'membership lines from the three servers');
    const views = seen();
    for (const id of ['connector-server-1', 'cluster-server-area-0', 'cluster-server-area-1']) {
      const v = views[id];
      check(`${id}: the membership is live (cluster plugin)`, v.live === true && v.allStarted === true, JSON.stringify(v));
      check(`${id}: servers() is the master and servers.json in order, clusterCount expanded`,
        JSON.stringify(v.servers) === JSON.stringify(expected), JSON.stringify(v.servers));
      check(`${id}: servers_by_type() per type, without the master`,
        JSON.stringify(v.byType) === JSON.stringify({ connector: ['connector-server-1'], area: ['cluster-server-area-0', 'cluster-server-area-1'] }),
        JSON.stringify(v.byType));
      const frontend = id === 'connector-server-1';
      check(`${id}: current(), server(own id), master(), frontend()/backend()`,
        v.current === id && v.meFound === true && v.unknownFound === false && v.master === 'master-server-1' &&
        v.frontend === frontend && v.backend === !frontend && v.idsOfMyType === (frontend ? 1 : 2), JSON.stringify(v));
    }
  } catch (e) {
    check('no exception', false, e.stack + '\n' + out.slice(-3000));
  } finally {
    master.kill('SIGTERM');
    const exit = await exited;
    check('the cluster stops cleanly', exit.code === 0, JSON.stringify(exit));
    if (!process.env.KEEP_TMP) fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}
main();
