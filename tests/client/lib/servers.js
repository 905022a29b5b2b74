'use strict';
// Servers for the client SDK tests, and the runner of the client_check program.
//
// Environment (set by CTest, shd_add_node_test in tests/CMakeLists.txt; a missing one fails the test):
//   SHADDOCK_HOST, SHADDOCK_PLUGINS_DIR, SHADDOCK_APPS_DIR   the host and its plugin/app folders
//   SHADDOCK_CLIENT_CHECK                                   the client_check binary
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { freePort, sleep, listening, requiredEnv, tempDir } = require('../../../tools/node/util');

const REPO = path.resolve(__dirname, '..', '..', '..');
const POMELO_MODULES = path.join(REPO, 'bench', 'pomelo', 'node_modules');

function skipUnless(cond, why) {
  if (!cond) {
    console.error(`client tests: ${why}; skipped`);
    process.exit(77);
  }
}

// A child process whose output is kept, with helpers to wait for its port and stop it.
class Server {
  constructor(command, args, options, port) {
    this.port = port;
    this.output = '';
    this.proc = spawn(command, args, Object.assign({ stdio: ['ignore', 'pipe', 'pipe'], detached: true }, options));
    this.proc.stdout.on('data', (d) => { this.output += d; });
    this.proc.stderr.on('data', (d) => { this.output += d; });
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, signal) => resolve({ code, signal })));
    this.done = false;
    this.exited.then(() => { this.done = true; });
  }
  async ready(ms = 30000) {
    const deadline = Date.now() + ms;
    while (!(await listening(this.port))) {
      if (this.done) throw new Error(`server exited before listening:\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`server did not listen on ${this.port}:\n${this.output}`);
      await sleep(50);
    }
    return this;
  }
  // Signals the whole process group (a Pomelo master and the connector it spawned).
  signal(sig) {
    try { process.kill(-this.proc.pid, sig); } catch (e) { /* gone already */ }
  }
  async stop() {
    if (!this.done) this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), 10000);
    await this.exited;
    clearTimeout(timer);
    this.signal('SIGKILL');  // children left behind
  }
}

// The echo app from a temporary copy of apps/echo/config on a free port, optionally with TLS.
async function prepareEcho({ tls = false } = {}) {
  const dir = tempDir('shd-client-echo-');
  const config = path.join(dir, 'config');
  fs.mkdirSync(config);
  const source = path.join(REPO, 'apps', 'echo', 'config');
  for (const f of fs.readdirSync(source)) fs.copyFileSync(path.join(source, f), path.join(config, f));
  const port = await freePort();
  const rpcPort = await freePort();
  const servers = JSON.parse(fs.readFileSync(path.join(config, 'servers.json'), 'utf8'));
  for (const env of Object.keys(servers)) {
    for (const entry of servers[env].connector) Object.assign(entry, { clientPort: port, port: rpcPort });
  }
  fs.writeFileSync(path.join(config, 'servers.json'), JSON.stringify(servers));
  let ca = null;
  if (tls) {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'key.pem'),
      '-out', path.join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
    const plugins = JSON.parse(fs.readFileSync(path.join(config, 'plugins.json'), 'utf8'));
    const connector = plugins.plugins.find((p) => p.name === 'connector');
    connector.options.ssl = { cert: 'cert.pem', key: 'key.pem' };
    fs.writeFileSync(path.join(config, 'plugins.json'), JSON.stringify(plugins));
    ca = path.join(dir, 'cert.pem');
  }
  return { dir, port, ca };
}

function startEcho(prepared) {
  const host = requiredEnv('SHADDOCK_HOST');
  const args = ['--app-dir', prepared.dir, '--log-level', 'warn',
    '--plugins-dir', requiredEnv('SHADDOCK_PLUGINS_DIR'), '--apps-dir', requiredEnv('SHADDOCK_APPS_DIR')];
  return new Server(host, args, {}, prepared.port).ready();
}

// The Pomelo 2.2.7 app of pomelo_app/ from a temporary copy with free ports.
async function startPomelo() {
  const dir = tempDir('shd-client-pomelo-');
  fs.cpSync(path.join(__dirname, '..', 'pomelo_app'), dir, { recursive: true });
  const [master, rpc, port] = [await freePort(), await freePort(), await freePort()];
  const env = (value) => ({ development: value });
  fs.writeFileSync(path.join(dir, 'config', 'master.json'),
    JSON.stringify(env({ id: 'master-server-1', host: '127.0.0.1', port: master })));
  fs.writeFileSync(path.join(dir, 'config', 'servers.json'), JSON.stringify(env({
    connector: [{ id: 'connector-server-1', host: '127.0.0.1', port: rpc, clientPort: port, frontend: true }],
  })));
  const server = new Server(process.execPath, [path.join(dir, 'app.js'), 'env=development'],
    { cwd: dir, env: Object.assign({}, process.env, { NODE_PATH: POMELO_MODULES }) }, port);
  return server.ready(60000);
}

// Runs client_check; onLine(line, child) sees each stdout line (interactive scenarios).
function check(scenario, args, onLine) {
  const bin = requiredEnv('SHADDOCK_CLIENT_CHECK');
  return new Promise((resolve) => {
    const child = spawn(bin, [scenario, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let pending = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      pending += d;
      let nl;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (onLine) Promise.resolve(onLine(line, child)).catch((e) => { stderr += `driver: ${e.stack}\n`; child.kill(); });
      }
    });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

module.exports = { REPO, POMELO_MODULES, skipUnless, freePort, sleep, Server, prepareEcho, startEcho, startPomelo, check };
