// Cluster integration test: a real master spawns real servers (shaddock-host processes).
// Covers the start barrier, clusterCount expansion, auto-restart after kill -9 with a crash log
// line, token authentication from adminServer.json, a bad servers.json, and a clean stop.
// Run by CTest (cluster_master_supervision): SHADDOCK_HOST, SHADDOCK_CLI.
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const path = require('path');

const { requiredEnv, tempDir } = require('../../tools/node/util.js');

const HOST = requiredEnv('SHADDOCK_HOST');
const CLI = requiredEnv('SHADDOCK_CLI');
const { execFileSync } = require('child_process');
// The admin password comes from the environment (the CLI refuses it on argv).
// noTerminal: run it in a new session (setsid), so that it has no terminal to prompt on.
function cli(args, password = 'admin', noTerminal = false) {
  const env = { ...process.env, SHADDOCK_ADMIN_PASSWORD: password };
  const [cmd, argv] = noTerminal ? ['setsid', ['-w', CLI, ...args]] : [CLI, args];
  try { return { code: 0, out: execFileSync(cmd, argv, { encoding: 'utf8', env, timeout: 20000, stdio: ['ignore', 'pipe', 'pipe'] }) }; }
  catch (e) { return { code: e.status, out: (e.stdout || '') + (e.stderr || '') }; }
}
let passed = 0, failed = 0;
function check(name, ok, detail) {
  if (ok) { passed++; console.log('ok   ' + name); }
  else { failed++; console.log('FAIL ' + name + (detail ? ': ' + detail : '')); }
}

function appDir(files) {
  const dir = tempDir('shd-cluster-');
  fs.mkdirSync(path.join(dir, 'config'));
  for (const [name, content] of Object.entries(files))
    fs.writeFileSync(path.join(dir, 'config', name), typeof content === 'string' ? content : JSON.stringify(content));
  return dir;
}

function start(dir) {
  const child = spawn(HOST, ['--app-dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.output = '';
  child.stdout.on('data', d => { child.output += d; });
  child.stderr.on('data', d => { child.output += d; });
  child.exited = new Promise(resolve => child.on('exit', (code, signal) => resolve({ code, signal })));
  return child;
}

function waitFor(child, pattern, ms) {
  return new Promise(resolve => {
    const t0 = Date.now();
    const tick = () => {
      const m = child.output.match(pattern);
      if (m) return resolve(m);
      if (Date.now() - t0 > ms) return resolve(null);
      setTimeout(tick, 20);
    };
    tick();
  });
}

function countMatches(text, re) { return (text.match(re) || []).length; }
function alive(pid) { try { process.kill(pid, 0); return true; } catch (e) { return false; } }

const base = 21000 + Math.floor(Math.random() * 20000);
const plugins = {
  plugins: [{ name: 'cluster', serverTypes: '*', options: { restartDelay: 200 } }, { name: 'greeter', serverTypes: 'hello' }],
  app: { name: 'hello', serverTypes: 'hello' },
};

async function barrierRestartAndStop() {
  const dir = appDir({
    'master.json': { development: { id: 'master-server-1', host: '127.0.0.1', port: base } },
    'servers.json': { development: { hello: [
      { id: 'hello-server-1', host: '127.0.0.1', port: base + 1, 'auto-restart': true },
      { host: '127.0.0.1', port: `${base + 10}++`, clusterCount: 2 },
    ] } },
    'adminServer.json': [{ type: 'hello', token: 'secret-token' }],
    'plugins.json': plugins,
  });
  const master = start(dir);
  const all = await waitFor(master, /all servers startup in (\d+) ms \(3 server/, 60000);
  check('start barrier: master reports all servers up', !!all, master.output.slice(-2000));
  check('startup time is reported', all && Number(all[1]) >= 0);
  await waitFor(master, /(start_all: the whole cluster is up[\s\S]*){3}/, 3000);
  check('afterStartAll runs on every server once', countMatches(master.output, /start_all: the whole cluster is up/g) === 3,
        'count ' + countMatches(master.output, /start_all: the whole cluster is up/g));
  check('clusterCount expands to cluster-server-hello-0 and -1',
        /server cluster-server-hello-0 \(hello\) registered/.test(master.output) &&
        /server cluster-server-hello-1 \(hello\) registered/.test(master.output));

  const pidMatch = master.output.match(/started hello-server-1 \(pid (\d+)/);
  const pid = pidMatch && Number(pidMatch[1]);
  check('the master logs the pid it started', !!pid);
  process.kill(pid, 'SIGKILL');
  const restarted = await waitFor(master, new RegExp(`started hello-server-1 \\(pid (?!${pid}\\b)(\\d+)`), 8000);
  const again = await waitFor(master, /server hello-server-1 \(hello\) registered[\s\S]*server hello-server-1 \(hello\) registered/, 8000);
  check('kill -9 of an auto-restart server: the master restarts it and it registers again', !!restarted && !!again,
        master.output.slice(-1500));
  const crash = fs.existsSync(path.join(dir, 'logs', 'crash.log')) ? fs.readFileSync(path.join(dir, 'logs', 'crash.log'), 'utf8') : '';
  check('crash.log holds type,id,time,reason', /^hello,hello-server-1,[0-9-]+ [0-9:]+,killed by signal 9/m.test(crash), crash);

  const childPids = [...master.output.matchAll(/started \S+ \(pid (\d+)/g)].map(m => Number(m[1]));
  master.kill('SIGTERM');
  const exit = await master.exited;
  check('SIGTERM stops the master cleanly (exit 0)', exit.code === 0, JSON.stringify(exit));
  check('every server stopped with it', childPids.every(p => !alive(p)), childPids.filter(alive).join(','));
  check('servers stopped cleanly', countMatches(master.output, /server stopped cleanly/g) >= 4);
}

async function wrongToken() {
  const dir = appDir({
    'master.json': { id: 'master-server-1', host: '127.0.0.1', port: base + 100 },
    'servers.json': { hello: [{ id: 'hello-server-1', host: '127.0.0.1', port: base + 101 }] },
    // Pomelo semantics: with adminServer.json present, every server type must be listed.
    'adminServer.json': [{ type: 'connector', token: 't' }],
    'plugins.json': plugins,
  });
  const master = start(dir);
  const refused = await waitFor(master, /refused server hello-server-1 .*adminServer\.json/, 10000);
  check('a server type missing from adminServer.json is refused', !!refused, master.output.slice(-1500));
  const stopped = await waitFor(master, /hello-server-1 cluster: the master refused this server/, 5000);
  check('the refused server says why and stops', !!stopped);
  master.kill('SIGTERM');
  const exit = await master.exited;
  check('master still stops cleanly', exit.code === 0, JSON.stringify(exit));
}

async function badServersJson() {
  const dir = appDir({
    'master.json': { id: 'master-server-1', host: '127.0.0.1', port: base + 200 },
    'servers.json': { hello: [{ id: 'hello-server-1', host: '127.0.0.1', port: 'eighty' }] },
    'plugins.json': plugins,
  });
  const master = start(dir);
  const exit = await master.exited;
  check('a bad servers.json stops startup (exit 2)', exit.code === 2, JSON.stringify(exit));
  check('the message names the file and key',
        /config\/servers\.json: hello\[0\]\.port: expected a port number \(0-65535\), got "eighty"/.test(master.output),
        master.output);
}

async function commandLine() {
  const dir = appDir({
    'master.json': { id: 'master-server-1', host: '127.0.0.1', port: base + 300 },
    'servers.json': { hello: [{ id: 'hello-server-1', host: '127.0.0.1', port: base + 301 },
                              { id: 'hello-server-2', host: '127.0.0.1', port: base + 302 }] },
    'adminUser.json': [{ id: 'user-1', username: 'admin', password: 'admin', level: 1 },
                       { id: 'user-2', username: 'monitor', password: 'monitor', level: 2 }],
    'plugins.json': plugins,
  });
  const master = start(dir);
  await waitFor(master, /all servers startup in/, 60000);
  const list = cli(['list', '-d', dir]);
  check('shaddock list shows every server', list.code === 0 && /hello-server-1\s+hello/.test(list.out) &&
        /hello-server-2\s+hello/.test(list.out), list.out);
  const badPass = cli(['list', '-d', dir], 'nope');
  check('a wrong password is refused (exit 4: login refused)', badPass.code === 4 && /auth failed/.test(badPass.out), badPass.out);
  const argvPass = cli(['list', '-d', dir, '-p', 'admin']);
  check('-p PASS is refused and points to the environment, a file or the prompt',
        argvPass.code === 2 && /SHADDOCK_ADMIN_PASSWORD/.test(argvPass.out) && /--password-file/.test(argvPass.out), argvPass.out);
  const pwFile = path.join(dir, 'pw.txt');
  fs.writeFileSync(pwFile, 'admin\n', { mode: 0o600 });
  const fromFile = cli(['list', '-d', dir, '--password-file', pwFile], '');
  check('--password-file FILE logs in', fromFile.code === 0 && /hello-server-1/.test(fromFile.out), fromFile.out);
  const noPass = cli(['list', '-d', dir], '', true);
  check('without a password source and no terminal the CLI says where to put it',
        noPass.code === 1 && /SHADDOCK_ADMIN_PASSWORD/.test(noPass.out), noPass.out);
  const lowLevel = cli(['stop', '-d', dir, '-u', 'monitor', 'hello-server-1'], 'monitor');
  check('a level-2 user may not stop servers', lowLevel.code === 1 && /level/.test(lowLevel.out), lowLevel.out);
  const stopOne = cli(['stop', '-d', dir, 'hello-server-2']);
  const stopped = await waitFor(master, /hello-server-2 stopped \(exited with code 0\)/, 5000);
  check('shaddock stop <id> stops one server gracefully', stopOne.code === 0 && !!stopped, stopOne.out + master.output.slice(-800));
  check('the other server keeps running', !/hello-server-1 host: stopping/.test(master.output));
  const stopAll = cli(['stop', '-d', dir]);
  const exit = await master.exited;
  check('shaddock stop stops the whole cluster', stopAll.code === 0 && exit.code === 0, JSON.stringify(exit));
  const after = cli(['list', '-d', dir]);
  check('list without a master says so (exit 3: not reachable)', after.code === 3 && /is the cluster running/.test(after.out), after.out);
}

(async () => {
  await barrierRestartAndStop();
  await commandLine();
  await wrongToken();
  await badServersJson();
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
})();
