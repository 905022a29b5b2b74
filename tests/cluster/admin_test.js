// Admin users and defaults (docs/security.md, "Admin users"): the stored password forms (plain,
// md5:, pbkdf2-sha256:), logins through the `shaddock` CLI, an audit line per action, failed logins
// slowed and locked out per address, and the production check of the shipped credentials.
// Run by CTest (cluster_admin): SHADDOCK_HOST, SHADDOCK_CLI.
'use strict';
const { execFileSync } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { freePort, sleep, requiredEnv, tempDir } = require('../../tools/node/util.js');
const { startHost, waitFor, alive } = require('./lib/host_process.js');
const { adminLogin, adminCommand } = require('./lib/master_link.js');

const HOST = requiredEnv('SHADDOCK_HOST');
const start = (dir, args) => startHost(HOST, dir, args);
const CLI = requiredEnv('SHADDOCK_CLI');
let passed = 0, failed = 0;
function check(name, ok, detail) {
  if (ok) { passed++; console.log('ok   ' + name); }
  else { failed++; console.log('FAIL ' + name + (detail !== undefined ? ': ' + (typeof detail === 'string' ? detail : JSON.stringify(detail)) : '')); }
}

function cli(args, password) {
  const env = { ...process.env, SHADDOCK_ADMIN_PASSWORD: password };
  try { return { code: 0, out: execFileSync(CLI, args, { encoding: 'utf8', env, timeout: 20000, stdio: ['ignore', 'pipe', 'pipe'] }) }; }
  catch (e) { return { code: e.status, out: (e.stdout || '') + (e.stderr || '') }; }
}

const SHIPPED_USERS = [
  { id: 'user-1', username: 'admin', password: 'admin', level: 1 },
  { id: 'user-2', username: 'monitor', password: 'monitor', level: 2 },
  { id: 'user-3', username: 'test', password: 'test', level: 2 }];
const POMELO_TOKEN = 'agarxhqb98rpajloaxn34ga8xrunpagkjwlaw3ruxnpaagl29w4rxn';

async function appDir(files, clusterOptions = {}) {
  const dir = tempDir('shd-admin-');
  fs.mkdirSync(path.join(dir, 'config'));
  const port = await freePort();
  const hellos = { hello: [{ id: 'hello-server-1', host: '127.0.0.1', port: await freePort() }] };
  const all = {
    'master.json': { development: { id: 'master-server-1', host: '127.0.0.1', port },
                     production: { id: 'master-server-1', host: '127.0.0.1', port } },
    'servers.json': { development: hellos, production: hellos },
    'plugins.json': { plugins: [{ name: 'cluster', serverTypes: '*', options: clusterOptions }, { name: 'greeter', serverTypes: 'hello' }],
                      app: { name: 'hello', serverTypes: 'hello' } },
    ...files,
  };
  for (const [name, content] of Object.entries(all))
    if (content !== null) fs.writeFileSync(path.join(dir, 'config', name), JSON.stringify(content));
  return { dir, port };
}



async function stopMaster(master) {
  master.kill('SIGTERM');
  const exit = await Promise.race([master.exited, sleep(20000).then(() => null)]);
  if (!exit) master.kill('SIGKILL');
  return exit;
}

async function passwordForms() {
  // A PBKDF2 line made by the CLI (password from the environment, never argv).
  const hashed = cli(['hash-password', '--iterations', '2000'], 'root-pw');
  const line = hashed.out.trim();
  check('shaddock hash-password prints a pbkdf2-sha256 line', hashed.code === 0 && /^pbkdf2-sha256:2000:[0-9a-f]{32}:[0-9a-f]{64}$/.test(line), hashed.out);
  check('... without the password in it', !line.includes('root-pw'));
  const md5 = crypto.createHash('md5').update('ops-pw').digest('hex');
  const { dir, port } = await appDir({
    'adminServer.json': [{ type: 'hello', token: 'a-token-of-our-own' }],
    'adminUser.json': [{ id: 'u1', username: 'plain', password: 'plain-pw', level: 1 },
                       { id: 'u2', username: 'ops', password: 'md5:' + md5, level: 2 },
                       { id: 'u3', username: 'root', password: line, level: 1 }],
  }, { adminMaxFailures: 3, adminFailWindow: 10000, adminLockout: 2500, adminFailDelay: 300 });
  const master = start(dir);
  const up = await waitFor(master, /all servers startup in/, 60000);
  check('cluster up', !!up, master.output.slice(-1500));
  for (const [user, pw, form] of [['plain', 'plain-pw', 'plain'], ['ops', 'ops-pw', 'md5:'], ['root', 'root-pw', 'pbkdf2-sha256:']]) {
    const ok = cli(['list', '-d', dir, '-u', user], pw);
    check(`a ${form} password logs in through the CLI`, ok.code === 0 && /hello-server-1/.test(ok.out), ok.out);
  }
  const r = await adminLogin(port, 'root', 'root-pw');
  check('a pbkdf2 user is asked for pbkdf2 with its salt and iterations',
        r.ok && r.login.kdf === 'pbkdf2' && r.login.iterations === 2000 && line.includes(r.login.salt), r.login);
  r.conn.destroy();
  const audit = await waitFor(master, /admin audit: user="ops" address=127\.0\.0\.1 command="list" result=ok/, 3000);
  check('an audit line names user, address, command and result', !!audit, master.output.slice(-1500));

  // Wrong passwords: slowed, then the address is locked out (3 failures in the window).
  const times = [];
  for (let i = 0; i < 3; i++) {
    const t0 = Date.now();
    const bad = cli(['list', '-d', dir, '-u', 'plain'], 'wrong-' + i);
    times.push(Date.now() - t0);
    check(`wrong password ${i + 1} is refused (exit 4)`, bad.code === 4 && /auth failed/.test(bad.out), bad.out);
  }
  check('each failed login is answered late (adminFailDelay 300 ms)', times.every((t) => t >= 280), times);
  const failLine = await waitFor(master, /admin audit: user="plain" address=127\.0\.0\.1 command="login" result=refused \(wrong/, 2000);
  check('failed logins are audited', !!failLine);
  const locked = cli(['list', '-d', dir, '-u', 'plain'], 'plain-pw');
  check('after 3 failures even the right password is refused for a while', locked.code === 4 && /too many failed logins/.test(locked.out), locked.out);
  const unknown = await adminLogin(port, 'nobody', 'x');
  check('the locked address is refused before any password exchange', !unknown.ok && unknown.refused && unknown.refused.t === 'refused', unknown.refused);
  unknown.conn.destroy();
  await sleep(2700);
  const again = cli(['list', '-d', dir, '-u', 'plain'], 'plain-pw');
  check('the lockout ends (adminLockout 2.5 s)', again.code === 0, again.out);
  // An unknown user gets the same answer as a known one (no user enumeration through the login step).
  const ghost = await adminLogin(port, 'ghost', 'x');
  check('an unknown user is asked for the md5 form like a known one, then refused',
        !ghost.ok && ghost.login && ghost.login.kdf === 'md5' && ghost.refused && ghost.refused.t === 'refused', ghost);
  ghost.conn.destroy();
  const level = cli(['stop', '-d', dir, '-u', 'ops', 'hello-server-1'], 'ops-pw');
  check('a level-2 user may not stop servers (audited)', level.code === 1 &&
        !!(await waitFor(master, /admin audit: user="ops" .*command="stop hello-server-1" result=refused \(level 2\)/, 2000)), level.out);
  // A success does not clear the failures: a user who can log in cannot use it to keep guessing
  // another user's password (failures only expire with adminFailWindow).
  const bad2 = cli(['list', '-d', dir, '-u', 'plain'], 'wrong-again');
  const good = cli(['list', '-d', dir, '-u', 'ops'], 'ops-pw');
  const bad3 = cli(['list', '-d', dir, '-u', 'plain'], 'wrong-again');
  const bad4 = cli(['list', '-d', dir, '-u', 'plain'], 'wrong-again');
  const after = cli(['list', '-d', dir, '-u', 'ops'], 'ops-pw');
  check('a success between failures does not clear them: the address is locked out all the same',
        bad2.code === 4 && good.code === 0 && bad3.code === 4 && bad4.code === 4 && after.code === 4 &&
        /too many failed logins/.test(after.out), [bad2, good, bad3, bad4, after].map((x) => [x.code, x.out]));
  const exit = await stopMaster(master);
  check('master stops cleanly', exit && exit.code === 0, exit);
}

async function productionDefaults() {
  // development: the shipped credentials run, with one warning each from the master.
  {
    const { dir } = await appDir({ 'adminServer.json': [{ type: 'hello', token: POMELO_TOKEN }], 'adminUser.json': SHIPPED_USERS });
    const master = start(dir);
    const up = await waitFor(master, /all servers startup in/, 60000);
    await sleep(300);
    const warns = master.output.split('\n').filter((l) => /development only, the cluster refuses to start with it in production/.test(l));
    check('development: the shipped credentials start, with a warning', !!up && warns.length > 0, master.output.slice(-1500));
    check('development: each is warned once (3 users and the token: 4 lines)', warns.length === 4, warns);
    check('development: the warning names the file and key', warns.some((l) => /config\/adminUser\.json: \[0\]\.password \(user "admin"\)/.test(l)) &&
          warns.some((l) => /config\/adminServer\.json: \[0\]\.token/.test(l)), warns);
    await stopMaster(master);
  }
  const cases = [
    ['the shipped admin/admin', { 'adminServer.json': [{ type: 'hello', token: 'own-token' }], 'adminUser.json': SHIPPED_USERS },
      /config\/adminUser\.json: \[0\]\.password \(user "admin"\) is the shipped development password: refused in production/],
    ['admin/admin in md5 form', { 'adminServer.json': [{ type: 'hello', token: 'own-token' }],
      'adminUser.json': [{ username: 'admin', password: 'md5:21232f297a57a5a743894a0e4a801fc3', level: 1 }] },
      /config\/adminUser\.json: \[0\]\.password \(user "admin"\)/],
    ["Pomelo's default token", { 'adminServer.json': [{ type: 'hello', token: POMELO_TOKEN }], 'adminUser.json': [{ username: 'admin', password: 'long-and-own', level: 1 }] },
      /config\/adminServer\.json: \[0\]\.token \(type "hello"\) is Pomelo's public default token: refused in production/],
    ['no adminServer.json', { 'adminServer.json': null, 'adminUser.json': [{ username: 'admin', password: 'long-and-own', level: 1 }] },
      /config\/adminServer\.json is missing/],
  ];
  for (const [what, files, pattern] of cases) {
    const { dir } = await appDir(files);
    const master = start(dir, ['--env', 'production']);
    const exit = await Promise.race([master.exited, sleep(20000).then(() => null)]);
    if (!exit) master.kill('SIGKILL');
    check(`production: the master refuses ${what} (startup fails, exit 1, file and key named)`, exit && exit.code === 1 && pattern.test(master.output),
          { exit, out: master.output.slice(-800) });
    // A server started on its own in production refuses too.
    const server = start(dir, ['--env', 'production', '--server-id', 'hello-server-1']);
    const sexit = await Promise.race([server.exited, sleep(20000).then(() => null)]);
    if (!sexit) server.kill('SIGKILL');
    check(`production: a server refuses ${what} too`, sexit && sexit.code === 1 && pattern.test(server.output), { sexit, out: server.output.slice(-800) });
  }
  {
    const { dir } = await appDir({ 'adminServer.json': [{ type: 'hello', token: 'own-token' }],
                                   'adminUser.json': [{ username: 'admin', password: 'long-and-own', level: 1 }] });
    const master = start(dir, ['--env', 'production']);
    const up = await waitFor(master, /all servers startup in/, 60000);
    check('production: credentials of its own start the cluster, without the warning',
          !!up && !/development only/.test(master.output), master.output.slice(-1500));
    await stopMaster(master);
  }
}

(async () => {
  await passwordForms();
  await productionDefaults();
})().catch((e) => { failed++; console.log('FAIL exception: ' + e.stack); }).finally(() => {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
});
