'use strict';
// Starts and stops a real shaddock-host running the echo app (apps/echo) from a temporary copy of
// its config with free ports, and finds the npm packages of tests/interop.
//
// Environment (set by CTest, shd_add_node_test in tests/CMakeLists.txt; a missing one fails the test):
//   SHADDOCK_HOST         the shaddock-host binary
//   SHADDOCK_PLUGINS_DIR  folder of plugin .so files
//   SHADDOCK_APPS_DIR     folder of app .so files
const assert = require('node:assert');
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { createRequire } = require('node:module');
const { freePort, sleep, waitFor, SANITIZED, listening, requiredEnv, tempDir } = require('../../../tools/node/util');

const REPO = path.resolve(__dirname, '..', '..', '..');
const INTEROP = path.join(REPO, 'tests', 'interop');
const requireInterop = createRequire(path.join(INTEROP, 'package.json'));

// Without the npm packages there is nothing to test with: report "skipped" to CTest.
if (!fs.existsSync(path.join(INTEROP, 'node_modules', 'pomelo-protocol'))) {
  console.error(`connector tests: ${INTEROP}/node_modules is missing (run npm ci there); skipped`);
  process.exit(77);
}
const ECHO_CONFIG = path.join(REPO, 'apps', 'echo', 'config');

function hostBinary() {
  return requiredEnv('SHADDOCK_HOST');
}

// A self-signed certificate for 127.0.0.1/localhost, made with the openssl CLI.
function makeCertificate(dir) {
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ], { stdio: 'ignore' });
  return { key: 'key.pem', cert: 'cert.pem', certPem: fs.readFileSync(cert) };
}

// Writes a temporary app directory: apps/echo/config with free ports. opts.connector: connector
// options merged over the config's; opts.serverEntry: keys merged into the server's entry;
// opts.tls: serve TLS with a fresh self-signed certificate.
async function prepareAppDir(opts = {}) {
  const dir = tempDir('shd-connector-');
  const configDir = path.join(dir, 'config');
  fs.mkdirSync(configDir);
  for (const f of fs.readdirSync(ECHO_CONFIG)) fs.copyFileSync(path.join(ECHO_CONFIG, f), path.join(configDir, f));

  const port = await freePort();
  const rpcPort = await freePort();
  const servers = JSON.parse(fs.readFileSync(path.join(configDir, 'servers.json'), 'utf8'));
  for (const env of Object.keys(servers)) {
    for (const entry of servers[env].connector) {
      entry.clientPort = port;
      entry.port = rpcPort;
      Object.assign(entry, opts.serverEntry || {});
    }
  }
  fs.writeFileSync(path.join(configDir, 'servers.json'), JSON.stringify(servers, null, 2));

  const plugins = JSON.parse(fs.readFileSync(path.join(configDir, 'plugins.json'), 'utf8'));
  const connector = plugins.plugins.find((p) => p.name === 'connector');
  connector.options = Object.assign({}, connector.options, opts.connector || {});
  let certPem = null;
  if (opts.tls) {
    const c = makeCertificate(dir);
    connector.options.ssl = { cert: c.cert, key: c.key };
    certPem = c.certPem;
  }
  fs.writeFileSync(path.join(configDir, 'plugins.json'), JSON.stringify(plugins, null, 2));
  return { dir, port, certPem };
}

function spawnHost(dir, opts = {}) {
  const args = ['--app-dir', dir, '--log-level', opts.logLevel || 'info'];
  args.push('--plugins-dir', requiredEnv('SHADDOCK_PLUGINS_DIR'), '--apps-dir', requiredEnv('SHADDOCK_APPS_DIR'));
  return spawn(hostBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
}

// Runs a server that is expected to stop by itself (a startup error); resolves to {code, output}.
async function runToExit(opts = {}, ms = 15000) {
  const { dir } = await prepareAppDir(opts);
  const proc = spawnHost(dir, opts);
  let output = '';
  proc.stdout.on('data', (d) => { output += d; });
  proc.stderr.on('data', (d) => { output += d; });
  const timer = setTimeout(() => proc.kill('SIGKILL'), ms);
  const code = await new Promise((resolve) => proc.on('exit', (c) => resolve(c)));
  clearTimeout(timer);
  fs.rmSync(dir, { recursive: true, force: true });
  return { code, output };
}

// Starts the echo app (see prepareAppDir for opts) and resolves to a server handle once it listens.
async function startServer(opts = {}) {
  const { dir, port, certPem } = await prepareAppDir(opts);
  const proc = spawnHost(dir, opts);
  let output = '';
  proc.stdout.on('data', (d) => { output += d; });
  proc.stderr.on('data', (d) => { output += d; });
  let exited = null;
  const exit = new Promise((resolve) => proc.on('exit', (code, signal) => { exited = { code, signal }; resolve(exited); }));

  const deadline = Date.now() + 15000;
  while (!(await listening(port))) {
    if (exited) throw new Error(`shaddock-host exited (${JSON.stringify(exited)}) before listening:\n${output}`);
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`shaddock-host did not listen on ${port} within 15 s:\n${output}`);
    }
    await sleep(50);
  }

  return {
    port, dir, proc, certPem,
    get pid() { return proc.pid; },
    get output() { return output; },
    get exited() { return exited; },
    // Resident memory of the server in KiB (VmRSS).
    rssKiB() {
      const status = fs.readFileSync(`/proc/${proc.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+)/.exec(status)[1]);
    },
    // SIGTERM, then expect a clean exit; returns the server's output.
    async stop() {
      if (!exited) proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 15000);
      const result = await exit;
      clearTimeout(timer);
      if (!process.env.KEEP_TMP) fs.rmSync(dir, { recursive: true, force: true });
      assert.strictEqual(result.code, 0, `shaddock-host did not stop cleanly (${JSON.stringify(result)}):\n${output}`);
      return output;
    },
  };
}

// Debian's headless Chromium through playwright-core's `chromium` (requireInterop('playwright-core')),
// with what a test run does not want: the sandbox (root), the GPU, QUIC and background traffic.
function launchChromium(chromium) {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync'],
  });
}

module.exports = { REPO, requireInterop, launchChromium, startServer, runToExit, makeCertificate, freePort, sleep, waitFor, SANITIZED };
