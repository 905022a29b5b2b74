// Metrics end to end: a real cluster (master + connector + backend running apps/echo) driven by the
// real npm Pomelo client; every server's figures reach the master in "stats" frames, `list` carries
// them ("stats":{"connections":N,...}), and the master's admin port serves /metrics as Prometheus
// text that `promtool check metrics` accepts, with the request counts the test drove. Then a real
// Prometheus server (Debian package `prometheus`) scrapes the master with the bearer token and
// answers a query for the request counter with exactly what was sent. Hostile: /metrics without or
// with a wrong token is 401; an oversized request line or header, a POST and a body are refused by
// the HTTP server's limits and the connection closed.
// Run by CTest (cluster_metrics): SHADDOCK_HOST. Skipped (77) without promtool/prometheus or node_modules.
'use strict';
const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const http = require('http');
const net = require('net');
const os = require('os');
const path = require('path');
const client = require('../connector/lib/pomelo_js_client');
const { freePort, sleep, waitFor } = require('../connector/lib/harness');
const { requiredEnv, tempDir } = require('../../tools/node/util.js');
const { adminCommand } = require('./lib/master_link.js');

const HOST = requiredEnv('SHADDOCK_HOST');
const TOKEN = 'scrape-token-' + Math.random().toString(36).slice(2);
const ECHO_REQUESTS = 7;
let passed = 0, failed = 0;
function check(name, ok, detail) {
  if (ok) { passed++; console.log('ok   ' + name); } else { failed++; console.log('FAIL ' + name + (detail ? ': ' + detail : '')); }
}

function which(cmd) { return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0; }

function get(port, pathname, headers = {}) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: pathname, headers, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('error', (e) => resolve({ status: 0, body: String(e) }));
    req.on('timeout', () => req.destroy(new Error('timeout')));
  });
}

// Sends raw bytes; resolves with everything received until the server closes (or `ms` pass).
function raw(port, bytes, ms = 5000) {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host: '127.0.0.1' });
    let got = '';
    const t = setTimeout(() => { sock.destroy(); resolve({ got, closed: false }); }, ms);
    sock.on('data', (d) => { got += d.toString('latin1'); });
    sock.on('error', () => {});
    sock.on('close', () => { clearTimeout(t); resolve({ got, closed: true }); });
    sock.write(bytes);
  });
}

// The value of one sample line of Prometheus text whose labels include every pair of `labels`.
function sample(text, name, labels) {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{(.*)\} (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    if (Object.entries(labels).every(([k, v]) => m[2].includes(`${k}="${v}"`))) return Number(m[3]);
  }
  return undefined;
}

async function main() {
  if (!which('promtool') || !which('prometheus')) {
    console.log('skipped: promtool and prometheus are needed (Debian package prometheus; tools/dev.sh setup)');
    process.exit(77);
  }
  const dir = tempDir('shd-metrics-');
  fs.mkdirSync(path.join(dir, 'config'));
  const echoConfig = path.join(__dirname, '..', '..', 'apps', 'echo', 'config');
  for (const f of ['dictionary.json', 'serverProtos.json', 'clientProtos.json'])
    fs.copyFileSync(path.join(echoConfig, f), path.join(dir, 'config', f));
  const ports = [];
  for (let i = 0; i < 6; i++) ports.push(await freePort());
  const [masterPort, connectorPort, clientPort, backendPort, adminHttpPort, promPort] = ports;
  const write = (name, obj) => fs.writeFileSync(path.join(dir, 'config', name), JSON.stringify(obj, null, 1));
  write('master.json', { id: 'master-server-1', host: '127.0.0.1', port: masterPort });
  write('servers.json', {
    connector: [{ id: 'connector-server-1', host: '127.0.0.1', port: connectorPort, clientPort, frontend: true }],
    backend: [{ id: 'backend-server-1', host: '127.0.0.1', port: backendPort }],
  });
  write('adminUser.json', [{ id: 'user-1', username: 'admin', password: 'admin', level: 1 }]);
  write('plugins.json', {
    plugins: [
      { name: 'cluster', serverTypes: '*',
        options: { adminHttpPort, metricsToken: TOKEN, statsInterval: 300 } },
      { name: 'rpc', serverTypes: ['connector', 'backend'] },
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
  let prom = null, promOut = '', promDir = null;
  const auth = { Authorization: 'Bearer ' + TOKEN };
  try {
    await waitFor(() => /all servers startup in/.test(out), 60000, 'cluster start');
    check('the master logs its admin HTTP port', out.includes(`admin HTTP on http://127.0.0.1:${adminHttpPort}/`), out.slice(-400));

    // Drive: a login, ECHO_REQUESTS forwarded echoes, one backend error, three pushes.
    const pomelo = client.loadClient();
    await client.init(pomelo, { host: '127.0.0.1', port: clientPort });
    const login = await client.request(pomelo, 'connector.entryHandler.login', { uid: 'metrics-user' });
    if (login.code !== 200) throw new Error('login failed: ' + JSON.stringify(login));
    for (let i = 0; i < ECHO_REQUESTS; i++) await client.request(pomelo, 'backend.backendHandler.echo', { n: i });
    const fail = await client.request(pomelo, 'backend.backendHandler.fail', {});
    check('the backend error comes back', fail.code === 500, JSON.stringify(fail));
    for (let i = 0; i < 3; i++) await client.request(pomelo, 'connector.entryHandler.push', { route: 'onPush', msg: { i } });

    // /metrics: the token first.
    const none = await get(adminHttpPort, '/metrics');
    check('/metrics without a token is 401 with WWW-Authenticate: Bearer', none.status === 401 &&
          /^Bearer/.test(none.headers['www-authenticate'] || ''), JSON.stringify([none.status, none.headers]));
    const wrong = await get(adminHttpPort, '/metrics', { Authorization: 'Bearer ' + TOKEN.slice(0, -1) + 'x' });
    check('/metrics with a wrong token is 401', wrong.status === 401, String(wrong.status));
    const basic = await get(adminHttpPort, '/metrics', { Authorization: 'Basic ' + Buffer.from('admin:admin').toString('base64') });
    check('/metrics with another scheme is 401', basic.status === 401, String(basic.status));
    const other = await get(adminHttpPort, '/nothing', auth);
    check('another path is 404', other.status === 404, String(other.status));

    let text = '';
    const echoLabels = { server_id: 'connector-server-1', server_type: 'connector', route: 'backend.backendHandler.echo' };
    await waitFor(async () => {
      const r = await get(adminHttpPort, '/metrics', auth);
      text = r.body;
      return r.status === 200 && sample(text, 'shaddock_client_requests_total', echoLabels) === ECHO_REQUESTS &&
        sample(text, 'shaddock_pushes_sent_total', { server_id: 'connector-server-1' }) >= 3 &&
        // Each server reports on its own timer: wait for the backend's first report as well.
        sample(text, 'shaddock_process_resident_memory_bytes', { server_id: 'backend-server-1' }) > 0;
    }, 10000, 'the driven requests and every server\'s report in /metrics').catch((e) => console.log(e.message + '\n' + text));
    const okRes = await get(adminHttpPort, '/metrics', auth);
    check('/metrics with the token is 200, text/plain version 0.0.4',
          okRes.status === 200 && /^text\/plain; version=0\.0\.4/.test(okRes.headers['content-type'] || ''),
          JSON.stringify([okRes.status, okRes.headers['content-type']]));
    check('the request counter of the echo route equals the requests sent',
          sample(text, 'shaddock_client_requests_total', echoLabels) === ECHO_REQUESTS,
          String(sample(text, 'shaddock_client_requests_total', echoLabels)));
    const failLabels = { server_id: 'connector-server-1', route: 'backend.backendHandler.fail' };
    check('the failed request is counted as a request and an error',
          sample(text, 'shaddock_client_requests_total', failLabels) === 1 &&
          sample(text, 'shaddock_client_request_errors_total', failLabels) === 1);
    check('the latency histogram counts every echo',
          sample(text, 'shaddock_client_request_duration_seconds_count', echoLabels) === ECHO_REQUESTS &&
          sample(text, 'shaddock_client_request_duration_seconds_bucket', { ...echoLabels, le: '+Inf' }) === ECHO_REQUESTS);
    check('RPC calls to the backend are counted by target (echoes, the error, the login\'s session push)',
          sample(text, 'shaddock_rpc_calls_total', { server_id: 'connector-server-1', target: 'backend' }) >= ECHO_REQUESTS + 1,
          String(sample(text, 'shaddock_rpc_calls_total', { server_id: 'connector-server-1', target: 'backend' })));
    check('one open connection and one handshake on the connector',
          sample(text, 'shaddock_connections', { server_id: 'connector-server-1' }) === 1 &&
          sample(text, 'shaddock_handshakes_total', { server_id: 'connector-server-1' }) === 1);
    check('three pushes sent, none dropped',
          sample(text, 'shaddock_pushes_sent_total', { server_id: 'connector-server-1' }) === 3 &&
          sample(text, 'shaddock_pushes_dropped_total', { server_id: 'connector-server-1' }) === 0,
          String(sample(text, 'shaddock_pushes_sent_total', { server_id: 'connector-server-1' })));
    for (const id of ['master-server-1', 'connector-server-1', 'backend-server-1']) {
      check(`the logic lag of ${id} is served`, sample(text, 'shaddock_logic_lag_seconds', { server_id: id }) >= 0);
      const rss = sample(text, 'shaddock_process_resident_memory_bytes', { server_id: id });
      const cpu = sample(text, 'shaddock_process_cpu_seconds', { server_id: id });
      check(`the resident memory and CPU time of ${id} are served`, rss > 1e6 && rss < 4e9 && cpu > 0,
            JSON.stringify([rss, cpu]));
    }
    const samples = text.split('\n').filter(l => l && !l.startsWith('#'));
    check('every series carries server_id and server_type', samples.length > 20 &&
          samples.every(l => /\{server_id="[^"]+",server_type="[^"]+"/.test(l)), samples.find(l => !/server_id/.test(l)));

    const lint = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    check('promtool check metrics accepts /metrics', lint.status === 0, lint.stdout + lint.stderr);

    // `list` (the admin link) carries each server's summary.
    const list = await adminCommand(masterPort, 'admin', 'admin', 'list');
    const conn = (list.servers || []).find(s => s.id === 'connector-server-1');
    const back = (list.servers || []).find(s => s.id === 'backend-server-1');
    check('list shows "stats" with the connector\'s connections', conn && conn.stats && conn.stats.connections === 1 &&
          conn.stats.requests === ECHO_REQUESTS + 5 && conn.stats.rssBytes > 1e6, JSON.stringify(conn));
    check('list shows the backend\'s stats (no connections)', back && back.stats && back.stats.connections === 0,
          JSON.stringify(back));

    // Hostile input on the admin port: the HTTP server's limits.
    const longLine = await raw(adminHttpPort, `GET /${'a'.repeat(9000)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    check('an oversized request line is answered 414 and closed', /^HTTP\/1\.1 414/.test(longLine.got) && longLine.closed,
          longLine.got.slice(0, 80));
    const bigHeader = await raw(adminHttpPort, `GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: ${'b'.repeat(9000)}\r\n\r\n`);
    check('an oversized header is answered 431 and closed', /^HTTP\/1\.1 431/.test(bigHeader.got) && bigHeader.closed,
          bigHeader.got.slice(0, 80));
    const post = await raw(adminHttpPort, 'POST /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n');
    check('a POST is answered 405', /^HTTP\/1\.1 405/.test(post.got) && post.closed, post.got.slice(0, 80));
    const body = await raw(adminHttpPort, 'GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nhello');
    check('a request with a body is answered 413', /^HTTP\/1\.1 413/.test(body.got) && body.closed, body.got.slice(0, 80));
    const junk = await raw(adminHttpPort, 'NOT HTTP AT ALL\r\n\r\n');
    check('a malformed request is answered 400 and closed', /^HTTP\/1\.1 400/.test(junk.got) && junk.closed, junk.got.slice(0, 80));
    const head = await raw(adminHttpPort, `HEAD /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TOKEN}\r\nConnection: close\r\n\r\n`);
    check('HEAD /metrics answers 200 without a body', /^HTTP\/1\.1 200/.test(head.got) && head.got.endsWith('\r\n\r\n'),
          head.got.slice(-80));
    const after = await get(adminHttpPort, '/metrics', auth);
    check('the admin port still serves after the hostile requests', after.status === 200);

    // A real Prometheus scrapes the master every second with the token and answers the query.
    promDir = tempDir('shd-prom-');
    fs.writeFileSync(path.join(promDir, 'prometheus.yml'), [
      'global:', '  scrape_interval: 1s', '  evaluation_interval: 1s', 'scrape_configs:',
      '  - job_name: shaddock', '    metrics_path: /metrics', '    authorization:', '      type: Bearer',
      `      credentials: ${TOKEN}`, '    static_configs:', `      - targets: ['127.0.0.1:${adminHttpPort}']`, ''].join('\n'));
    prom = spawn('prometheus', [`--config.file=${path.join(promDir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(promDir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    prom.stdout.on('data', d => { promOut += d; });
    prom.stderr.on('data', d => { promOut += d; });
    const query = encodeURIComponent(
      'shaddock_client_requests_total{server_id="connector-server-1",route="backend.backendHandler.echo"}');
    let result = null;
    await waitFor(async () => {
      const r = await get(promPort, '/api/v1/query?query=' + query);
      if (r.status !== 200) return false;
      try { result = JSON.parse(r.body); } catch (e) { return false; }
      return result.status === 'success' && result.data.result.length === 1;
    }, 30000, 'Prometheus to scrape the master', 250).catch(async (e) => {
      const targets = await get(promPort, '/api/v1/targets');
      console.log(e.message + '\n' + targets.body + '\n' + promOut.slice(-2000));
    });
    const series = result && result.data && result.data.result[0];
    check('Prometheus answers the request counter the test drove with exactly the requests sent',
          series && series.value[1] === String(ECHO_REQUESTS) && series.metric.server_type === 'connector' &&
          series.metric.job === 'shaddock', JSON.stringify(result));
  } catch (e) {
    check('no exception', false, e.stack);
  } finally {
    if (prom) { prom.kill('SIGTERM'); await Promise.race([new Promise(r => prom.on('exit', r)), sleep(5000)]); }
    if (promDir) fs.rmSync(promDir, { recursive: true, force: true });
    master.kill('SIGTERM');
    const done = await Promise.race([exited, sleep(15000).then(() => null)]);
    check('the cluster stops cleanly', done && done.code === 0, JSON.stringify(done));
    if (!done) master.kill('SIGKILL');
  }
  if (failed) console.log(out.slice(-3000));
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main();
