'use strict';
// Starts the three benchmark servers on free ports, for the tests (tests/bench) and the driver
// (bench/run.js):
//   shaddock  apps/bench: shaddock-host as master, spawning connector-server-1 and bench-server-N
//   pomelo    bench/pomelo/game-server: `node app.js` as master (Pomelo 2.2.7), the same servers
//   limit     shaddock-limit-server (bench/limit_server)
// Each resolves to a handle {kind, clientPort, pid, connectorPid(), startupMs, output(), stop()}.
//
// Environment (defaults suit a build in <repo>/build):
//   SHADDOCK_BUILD_DIR  the build directory (bin/shaddock-host, bin/shaddock-limit-server)
//   SHADDOCK_HOST, SHADDOCK_LIMIT_SERVER  the binaries themselves
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { freePort, sleep } = require('../../tools/node/util');

const REPO = path.resolve(__dirname, '..', '..');
const POMELO_DIR = path.join(REPO, 'bench', 'pomelo');
const POMELO_APP = path.join(POMELO_DIR, 'game-server');
const SHADDOCK_APP = path.join(REPO, 'apps', 'bench');

function buildDir() {
  return process.env.SHADDOCK_BUILD_DIR || path.join(REPO, 'build');
}
function hostBinary() {
  return process.env.SHADDOCK_HOST || path.join(buildDir(), 'bin', 'shaddock-host');
}
function limitBinary() {
  return process.env.SHADDOCK_LIMIT_SERVER || path.join(buildDir(), 'bin', 'shaddock-limit-server');
}
function pomeloInstalled() {
  return fs.existsSync(path.join(POMELO_DIR, 'node_modules', 'pomelo', 'package.json'));
}

// The servers.json/master.json of a bench cluster on free ports: one connector and `backends` bench
// servers (the startup benchmark uses 4 servers in all).
async function clusterConfig({ backends = 1 } = {}) {
  const clientPort = await freePort();
  const servers = {
    connector: [{ id: 'connector-server-1', host: '127.0.0.1', port: await freePort(), clientHost: '127.0.0.1', clientPort, frontend: true }],
    bench: [],
  };
  for (let i = 1; i <= backends; i++) servers.bench.push({ id: `bench-server-${i}`, host: '127.0.0.1', port: await freePort() });
  const master = { id: 'master-server-1', host: '127.0.0.1', port: await freePort() };
  return { clientPort, servers, master };
}

function tempDir(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

function copyConfig(from, to) {
  fs.mkdirSync(to, { recursive: true });
  for (const f of fs.readdirSync(from)) fs.copyFileSync(path.join(from, f), path.join(to, f));
}

// The pids whose parent is `ppid` and whose command line contains `needle`.
function childPids(ppid, needle) {
  const out = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent !== ppid) continue;
      const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmd.includes(needle)) out.push(Number(entry));
    } catch (e) {
      // gone meanwhile
    }
  }
  return out;
}

// Resident memory of a process in KiB.
function rssKiB(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]);
}

// Process groups still running: killed if this process ends first (Ctrl-C, an error), so no cluster
// outlives the driver or a test.
const live = new Set();
process.on('exit', () => {
  for (const pid of live) try { process.kill(-pid, 'SIGKILL'); } catch (e) { /* gone */ }
});
for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => process.exit(128 + (sig === 'SIGINT' ? 2 : 15)));

// Spawns `cmd` in its own process group and waits until `ready` matches its output. The handle's
// stop() sends SIGTERM to the leader, waits, then SIGKILLs the group (the spawned servers).
// `fail` matching the output ends the wait at once (a server of the cluster that exited).
async function launch(kind, cmd, args, { env, ready, fail, ms = 60000, dir }) {
  const started = Date.now();
  const proc = spawn(cmd, args, { env: Object.assign({}, process.env, env || {}), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  if (proc.pid) live.add(proc.pid);
  let out = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { out += d; });
  let exited = null;
  const exit = new Promise((resolve) => {
    proc.on('exit', (code, signal) => { exited = { code, signal }; resolve(exited); });
    proc.on('error', (e) => { exited = { error: e.message }; resolve(exited); });
  });
  const deadline = Date.now() + ms;
  let match = null;
  while (!(match = ready.exec(out))) {
    if (exited || Date.now() > deadline || (fail && fail.test(out))) {
      if (proc.pid) try { process.kill(-proc.pid, 'SIGKILL'); } catch (e) { /* already gone */ }
      throw new Error(`${kind}: ${exited ? 'exited (' + JSON.stringify(exited) + ')' : (fail && fail.test(out) ? 'a server failed' : 'not ready within ' + ms + ' ms')} before ${ready}:\n${out.slice(-4000)}`);
    }
    await sleep(20);
  }
  return {
    kind, proc, pid: proc.pid, match, dir,
    launchMs: Date.now() - started,
    output: () => out,
    exited: () => exited,
    async stop() {
      if (!exited) proc.kill('SIGTERM');
      const timer = setTimeout(() => { try { process.kill(-proc.pid, 'SIGKILL'); } catch (e) { /* gone */ } }, 10000);
      const result = await exit;
      clearTimeout(timer);
      // Whatever of the group outlived the leader (Pomelo's children die with their master's link).
      await sleep(200);
      try { process.kill(-proc.pid, 'SIGKILL'); } catch (e) { /* none left */ }
      live.delete(proc.pid);
      if (dir && !process.env.KEEP_TMP) fs.rmSync(dir, { recursive: true, force: true });
      return result;
    },
  };
}

// Shaddock's apps/bench. opts.backends (default 1), opts.connector: options merged into the connector's;
// opts.rpc: replaces the rpc plugin's entry (its name and options: {name: 'rpc_nats', options: {...}}).
async function startShaddock(opts = {}) {
  const { clientPort, servers, master } = await clusterConfig(opts);
  const dir = tempDir('shd-bench-');
  copyConfig(path.join(SHADDOCK_APP, 'config'), path.join(dir, 'config'));
  fs.writeFileSync(path.join(dir, 'config', 'servers.json'), JSON.stringify({ development: servers }, null, 1));
  fs.writeFileSync(path.join(dir, 'config', 'master.json'), JSON.stringify({ development: master }, null, 1));
  if (opts.connector || opts.rpc) {
    const file = path.join(dir, 'config', 'plugins.json');
    const plugins = JSON.parse(fs.readFileSync(file, 'utf8'));
    const c = plugins.plugins.find((p) => p.name === 'connector');
    if (opts.connector) c.options = Object.assign({}, c.options, opts.connector);
    if (opts.rpc) Object.assign(plugins.plugins.find((p) => p.name === 'rpc'), opts.rpc);
    fs.writeFileSync(file, JSON.stringify(plugins, null, 1));
  }
  const h = await launch('shaddock', hostBinary(), ['--app-dir', dir], { ready: /all servers startup in (\d+) ms/, fail: /cluster: \S+ exited with code/, dir });
  h.clientPort = clientPort;
  h.servers = servers;
  h.startupMs = Number(h.match[1]);
  h.connectorPid = () => Number(/started connector-server-1 \(pid (\d+)/.exec(h.output())[1]);
  return h;
}

// Pomelo 2.2.7 with bench/pomelo/game-server. opts.backends, opts.nodelay (BENCH_NODELAY=1).
async function startPomelo(opts = {}) {
  const { clientPort, servers, master } = await clusterConfig(opts);
  const dir = tempDir('pomelo-bench-');
  copyConfig(path.join(POMELO_APP, 'config'), path.join(dir, 'config'));
  fs.writeFileSync(path.join(dir, 'config', 'servers.json'), JSON.stringify({ development: servers }, null, 1));
  fs.writeFileSync(path.join(dir, 'config', 'master.json'), JSON.stringify({ development: master }, null, 1));
  const env = { BENCH_BASE: dir, BENCH_NODELAY: opts.nodelay ? '1' : '0' };
  const h = await launch('pomelo', process.execPath, [path.join(POMELO_APP, 'app.js'), 'env=development'],
                         { env, ready: /all servers startup in (\d+) ms/, dir });
  h.clientPort = clientPort;
  h.servers = servers;
  h.startupMs = Number(h.match[1]);
  h.connectorPid = () => {
    const pids = childPids(h.pid, 'id=connector-server-1');
    if (pids.length !== 1) throw new Error(`pomelo: expected one connector-server-1 process, found ${pids.length}`);
    return pids[0];
  };
  return h;
}

// The raw-socket limit server on a free port.
async function startLimit(opts = {}) {
  const args = ['--port', '0', '--host', '127.0.0.1', '--threads', String(opts.threads || 2)];
  const h = await launch('limit', limitBinary(), args, { ready: /listening on [^:]+:(\d+)/, ms: 10000 });
  h.clientPort = Number(h.match[1]);
  h.startupMs = h.launchMs;
  h.connectorPid = () => h.pid;
  return h;
}

function startServer(kind, opts) {
  if (kind === 'shaddock') return startShaddock(opts);
  if (kind === 'pomelo') return startPomelo(opts);
  if (kind === 'limit') return startLimit(opts);
  throw new Error('unknown server kind ' + kind);
}

module.exports = {
  REPO, buildDir, hostBinary, limitBinary, pomeloInstalled, freePort, sleep, rssKiB, childPids,
  startShaddock, startPomelo, startLimit, startServer,
};
