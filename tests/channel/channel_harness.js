'use strict';
// Shared by the channel tests: writes a temporary app directory for the channel test app
// (channel_test_app/), starts shaddock-host on it (one server, or a master that spawns a cluster) and
// connects clients that join rooms and record every push they receive.
//
// Environment (set by CTest, shd_add_node_test in tests/CMakeLists.txt; a missing one fails the test):
//   SHADDOCK_HOST, SHADDOCK_PLUGINS_DIR, SHADDOCK_APPS_DIR (the folder holding channel_test.so)
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { REPO, freePort, sleep, waitFor } = require('../connector/lib/harness');
const { WireClient } = require('../connector/lib/wire_client');
const jsclient = require('../connector/lib/pomelo_js_client');
const { requiredEnv, tempDir } = require('../../tools/node/util');

let passed = 0, failed = 0;
function check(name, ok, detail) {
  if (ok) { passed++; console.log('ok   ' + name); } else { failed++; console.log('FAIL ' + name + (detail ? ': ' + detail : '')); }
}
function summary() {
  console.log(`${passed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

function writeAppDir(prefix, files) {
  const dir = tempDir(prefix);
  fs.mkdirSync(path.join(dir, 'config'));
  for (const [name, obj] of Object.entries(files))
    fs.writeFileSync(path.join(dir, 'config', name), JSON.stringify(obj, null, 1));
  return dir;
}

// Starts shaddock-host on dir; resolves once `ready` matches its output (or, with mayExit, once it
// exits).
async function startHost(dir, ready, { ms = 20000, mayExit = false } = {}) {
  const host = requiredEnv('SHADDOCK_HOST');
  const args = ['--app-dir', dir, '--plugins-dir', requiredEnv('SHADDOCK_PLUGINS_DIR'), '--apps-dir', requiredEnv('SHADDOCK_APPS_DIR')];
  const proc = spawn(host, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const h = { proc, dir, output: '', exited: null };
  proc.stdout.on('data', (d) => { h.output += d; });
  proc.stderr.on('data', (d) => { h.output += d; });
  h.exit = new Promise((resolve) => proc.on('exit', (code, signal) => { h.exited = { code, signal }; resolve(h.exited); }));
  try {
    await waitFor(() => ready.test(h.output) || h.exited, ms, 'server start');
  } catch (e) {
    proc.kill('SIGKILL');
    throw new Error(e.message + '\n' + h.output);
  }
  if (h.exited && !mayExit) throw new Error('shaddock-host exited during start: ' + JSON.stringify(h.exited) + '\n' + h.output);
  h.stop = async () => {
    if (!h.exited) proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 15000);
    const result = await h.exit;
    clearTimeout(timer);
    if (!process.env.KEEP_TMP) fs.rmSync(dir, { recursive: true, force: true });
    return result;
  };
  return h;
}

// Records a client's pushes by route: pushes[route] = [body, ...].
function recordPushes(emitter) {
  const pushes = {};
  emitter.on('push', ({ route, body }) => { (pushes[route] = pushes[route] || []).push(body); });
  return pushes;
}

// A wire client (tcp or ws) that completed its handshake and, with uid, joined room rid.
async function wireMember({ port, transport, uid, rid }) {
  const c = await WireClient.connect({ port, transport });
  const reply = await c.handshake();
  if (reply.code !== 200) throw new Error('handshake refused: ' + JSON.stringify(reply));
  c.pushes = recordPushes(c);
  c.uid = uid;
  if (uid) {
    c.join = await c.request('connector.entryHandler.join', { uid, rid });
    if (c.join.code !== 200) throw new Error(`join ${uid} ${rid}: ${JSON.stringify(c.join)}`);
  }
  return c;
}

// The real browser client (pomelo-jsclient-websocket) with the same shape: request(), pushes, close().
async function jsMember({ port, uid, rid, routes }) {
  const pomelo = jsclient.loadClient();
  await jsclient.init(pomelo, { host: '127.0.0.1', port, log: false });
  const pushes = {};
  for (const r of routes) pomelo.on(r, (body) => { (pushes[r] = pushes[r] || []).push(body); });
  const c = {
    uid, pushes, js: true,
    request: (route, msg) => jsclient.request(pomelo, route, msg),
    close: () => pomelo.disconnect(),
  };
  c.join = await c.request('connector.entryHandler.join', { uid, rid });
  if (c.join.code !== 200) throw new Error(`join ${uid} ${rid}: ${JSON.stringify(c.join)}`);
  return c;
}

// Runs fn over items, at most `width` at a time.
async function inBatches(items, width, fn) {
  const out = [];
  for (let i = 0; i < items.length; i += width) out.push(...(await Promise.all(items.slice(i, i + width).map(fn))));
  return out;
}

module.exports = { check, summary, writeAppDir, startHost, wireMember, jsMember, inBatches, freePort, sleep, waitFor };
