// RPC filters see a forwarded client message as they saw it when forwards were calls of
// sys.msgRemote.forwardMessage: master + 1 connector + 1 backend, the connector's rpc plugin with the
// built-in after filter rpcLog. A forwarded request (and one whose backend handler fails, which is
// still a successful call carrying [{"code":500}, body]) logs that route, the backend's id and "ok";
// a forward that outlives the connector's rpc timeout (150 ms; the handler answers after 200 ms) logs
// its error status, and the client gets code 500.
// Usage: SHADDOCK_HOST=<shaddock-host> node forward_filters_test.js (ctest sets it)
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const client = require('../connector/lib/pomelo_js_client');
const { freePort, waitFor } = require('../connector/lib/harness');

const { requiredEnv, tempDir } = require('../../tools/node/util.js');
const { rpcEntry } = require('../rpc/lib/transport.js');  // rpc, or rpc_nats with SHADDOCK_RPC_TRANSPORT=nats

const HOST = requiredEnv('SHADDOCK_HOST');
let passed = 0, failed = 0;
function check(name, ok, detail) {
  if (ok) { passed++; console.log('ok   ' + name); } else { failed++; console.log('FAIL ' + name + (detail ? ': ' + detail : '')); }
}

async function main() {
  const dir = tempDir('shd-forward-filters-');
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
    backend: [{ id: 'backend-server-1', host: '127.0.0.1', port: ports[3] }],
  });
  write('plugins.json', {
    plugins: [
      { name: 'cluster', serverTypes: '*' },
      await rpcEntry({ serverTypes: ['connector', 'backend'], options: { timeout: 150, filters: [{ name: 'rpcLog' }] } }),
      { name: 'server', serverTypes: ['connector', 'backend'] },
      { name: 'pomelo_protocol', serverTypes: 'connector' },
      { name: 'connector', serverTypes: 'connector', options: { useDict: true, useProtobuf: true } },
    ],
    app: { name: 'echo', serverTypes: ['connector', 'backend'] },
  });

  const master = spawn(HOST, ['--app-dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  master.stdout.on('data', d => { out += d; });
  master.stderr.on('data', d => { out += d; });
  const exited = new Promise(r => master.on('exit', (code, signal) => r({ code, signal })));
  const connectorLog = () => {
    try { return fs.readFileSync(path.join(dir, 'logs', 'connector-server-1.log'), 'utf8'); } catch (e) { return ''; }
  };
  // The connector's lines, from its log file or from the master's output (whichever has more of them).
  const logged = (re) => {
    const inFile = connectorLog().match(new RegExp(re.source, 'g')) || [];
    const inOut = out.match(new RegExp(re.source, 'g')) || [];
    return inFile.length >= inOut.length ? inFile : inOut;
  };
  try {
    await waitFor(() => /all servers startup in/.test(out), 60000, 'cluster start');
    const pomelo = client.loadClient();
    await client.init(pomelo, { host: '127.0.0.1', port: ports[2] });
    const login = await client.request(pomelo, 'connector.entryHandler.login', { uid: 'alice' });
    check('login', login.code === 200, JSON.stringify(login));

    const ok = /rpcLog: sys\.msgRemote\.forwardMessage to backend-server-1 took [^(]*\(ok\)/;
    const echo = await client.request(pomelo, 'backend.backendHandler.echo', { n: 1 });
    check('a forwarded request is answered', echo.body && echo.body.n === 1 && echo.server === 'backend-server-1', JSON.stringify(echo));
    const fail = await client.request(pomelo, 'backend.backendHandler.fail', {});
    check('a backend error comes back merged as Pomelo does', fail.why === 'backend' && fail.code === 500, JSON.stringify(fail));
    await waitFor(() => logged(ok).length >= 2, 5000, 'rpcLog lines').catch(() => {});
    check('rpcLog sees both forwards as sys.msgRemote.forwardMessage to the backend, ok (the handler error is the call\'s result)',
          logged(ok).length === 2, JSON.stringify(logged(/rpcLog: .*/)));

    const late = await client.request(pomelo, 'backend.backendHandler.slow', {});
    check('a forward that times out: code 500', late.code === 500 && !late.slow, JSON.stringify(late));
    const failedLine = /rpcLog: sys\.msgRemote\.forwardMessage to backend-server-1 took [^(]*\((?!ok)[^)]+\)/;
    await waitFor(() => logged(failedLine).length >= 1, 5000, 'rpcLog error line').catch(() => {});
    check('rpcLog sees that forward end with its error status', logged(failedLine).length >= 1, JSON.stringify(logged(/rpcLog: .*/)));
    pomelo.disconnect();
  } catch (e) {
    check('no exception', false, e.stack + '\n' + out.slice(-3000));
  } finally {
    master.kill('SIGTERM');
    await exited;
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}
main();
