'use strict';
// Runs tests/server/filter_test_app in real shaddock-host processes: writes a temporary app directory
// (config files given as objects), starts a lone server or a master (which spawns the cluster), and
// collects the output. Checks are counted and printed one per line, as in tests/cluster.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const harness = require('../../connector/lib/harness');  // exits 77 (skipped) without tests/interop/node_modules
const { requiredEnv, tempDir } = require('../../../tools/node/util');

// Set by CTest (shd_add_node_test): the host, and the folder of filter_test_app.so as SHADDOCK_APPS_DIR.
const HOST = requiredEnv('SHADDOCK_HOST');
const APPS_DIR = requiredEnv('SHADDOCK_APPS_DIR');

let passed = 0, failed = 0;
function check(name, ok, detail) {
  if (ok) { passed++; console.log('ok   ' + name); } else { failed++; console.log('FAIL ' + name + (detail ? ': ' + detail : '')); }
}
function finish() {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

// files: {"servers.json": {...}, ...}; returns the directory.
function makeAppDir(files) {
  const dir = tempDir('shd-filters-');
  fs.mkdirSync(path.join(dir, 'config'));
  for (const [name, content] of Object.entries(files))
    fs.writeFileSync(path.join(dir, 'config', name), JSON.stringify(content, null, 1));
  return dir;
}

// Starts shaddock-host on dir; the handle collects output and resolves `exited` with {code, signal}.
function runHost(dir, args = []) {
  const proc = spawn(HOST, ['--app-dir', dir, '--apps-dir', APPS_DIR, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const h = { proc, out: '', exit: null };
  proc.stdout.on('data', (d) => { h.out += d; });
  proc.stderr.on('data', (d) => { h.out += d; });
  h.exited = new Promise((resolve) => proc.on('exit', (code, signal) => { h.exit = { code, signal }; resolve(h.exit); }));
  h.waitFor = (re, ms, what) => harness.waitFor(() => re.test(h.out) || h.exit !== null, ms, what).then(() => {
    if (!re.test(h.out)) throw new Error(`${what}: the host exited (${JSON.stringify(h.exit)}):\n${h.out.slice(-3000)}`);
  });
  // SIGTERM, then the exit status (SIGKILL after 20 s).
  h.stop = async () => {
    if (h.exit === null) proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 20000);
    const exit = await h.exited;
    clearTimeout(timer);
    return exit;
  };
  return h;
}

function readLog(dir, serverId) {
  const file = path.join(dir, 'logs', serverId + '.log');
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
}

function cleanup(dir) {
  if (!process.env.KEEP_TMP) fs.rmSync(dir, { recursive: true, force: true });
}

module.exports = { check, finish, makeAppDir, runHost, readLog, cleanup, ...harness };
