'use strict';
// Real engine servers for the tests and the demo: Redis, NATS, ZooKeeper and PostgreSQL (Debian
// packages installed by `tools/dev.sh setup`), each on a free loopback port with its data in a
// temporary folder of its own.
//
//   const engines = require('<root>/tools/node/engines');
//   const redis = await engines.start('redis', { password: 's3cret' });
//   ... redis.host, redis.port, redis.url ...
//   await redis.stop();     // stops the process, keeps its folder and port
//   await redis.start();    // the same engine again, same port and data (a restart mid-traffic)
//   redis.pause(); redis.resume();   // SIGSTOP / SIGCONT (a hung engine, an expiring session)
//   await redis.close();    // stops it and removes its folder
//
// `node engines.js serve STATE_FILE [kinds]` keeps engines running for the demo (tools/engines.sh).
//
// `engines.closeAll()` closes every engine this process started (also done on exit, so a failed test
// leaves no server behind). Each engine's output goes to <folder>/engine.log; `tail()` returns its end.
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { freePort, sleep } = require('./util');

// The first existing file of `candidates`, or the bare name (then found on PATH).
function program(...candidates) {
  for (const c of candidates) if (c.includes('/') && fs.existsSync(c)) return c;
  return candidates[candidates.length - 1];
}

function postgresBin(name) {
  const base = '/usr/lib/postgresql';
  const versions = fs.existsSync(base) ? fs.readdirSync(base).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) {
    const p = path.join(base, v, 'bin', name);
    if (fs.existsSync(p)) return p;
  }
  return name;
}

// Sends `request` to 127.0.0.1:port and resolves with what came back within `ms` (empty on error).
function exchange(port, request, ms = 500) {
  return new Promise((resolve) => {
    let got = '';
    const s = net.connect({ port, host: '127.0.0.1' });
    const done = () => { s.destroy(); resolve(got); };
    s.setTimeout(ms, done);
    s.on('connect', () => { if (request) s.write(request); });
    s.on('data', (d) => { got += d.toString('latin1'); if (got.includes('\n')) done(); });
    s.on('error', done);
    s.on('close', done);
  });
}

// What each engine needs: its command line, and a probe that says when it serves.
const KINDS = {
  // redis-server without persistence. Options: password (requirepass), user + password (an ACL user;
  // the default user is then switched off).
  redis: {
    prepare(e) {
      const lines = [`port ${e.port}`, 'bind 127.0.0.1', `dir ${e.dir}`, 'save ""', 'appendonly no',
        'protected-mode yes', 'daemonize no', `logfile ${path.join(e.dir, 'engine.log')}`];
      if (e.options.user) {
        lines.push('user default off', `user ${e.options.user} on >${e.options.password} ~* &* +@all`);
      } else if (e.options.password) {
        lines.push(`requirepass ${e.options.password}`);
      }
      fs.writeFileSync(path.join(e.dir, 'redis.conf'), lines.join('\n') + '\n', { mode: 0o600 });
      e.url = `redis://127.0.0.1:${e.port}`;
    },
    command: (e) => [program('/usr/bin/redis-server', 'redis-server'), [path.join(e.dir, 'redis.conf')]],
    // Any RESP answer to PING (+PONG, or -NOAUTH when a password is set) means it serves.
    ready: async (e) => /^[+-]/.test(await exchange(e.port, 'PING\r\n')),
  },
  // nats-server. Options: token, or user + password.
  nats: {
    prepare(e) {
      const lines = [`listen: "127.0.0.1:${e.port}"`];
      if (e.options.token) lines.push(`authorization { token: "${e.options.token}" }`);
      else if (e.options.user) {
        lines.push(`authorization { user: "${e.options.user}", password: "${e.options.password}" }`);
      }
      fs.writeFileSync(path.join(e.dir, 'nats.conf'), lines.join('\n') + '\n', { mode: 0o600 });
      e.url = `nats://127.0.0.1:${e.port}`;
    },
    command: (e) => [program('/usr/sbin/nats-server', '/usr/bin/nats-server', 'nats-server'),
      ['-c', path.join(e.dir, 'nats.conf')]],
    ready: async (e) => (await exchange(e.port, '')).startsWith('INFO'),
  },
  // A standalone ZooKeeper. tickTime 500 ms, so sessions may be as short as 1 s (tests of expiry).
  // Options: tickTime (ms); myid and peers, set by startZooKeeperEnsemble() for a node of an ensemble.
  zookeeper: {
    prepare(e) {
      const data = path.join(e.dir, 'data');
      fs.mkdirSync(data, { recursive: true });
      const cfg = [`tickTime=${e.options.tickTime || 500}`, `dataDir=${data}`, `clientPort=${e.port}`,
        'clientPortAddress=127.0.0.1', 'maxClientCnxns=0', 'admin.enableServer=false',
        '4lw.commands.whitelist=ruok,srvr', 'minSessionTimeout=1000', 'maxSessionTimeout=60000'];
      if (e.options.peers) {
        // A node of an ensemble: the quorum and election ports of every node, this one's id.
        cfg.push('initLimit=10', 'syncLimit=5');
        for (const p of e.options.peers) cfg.push(`server.${p.id}=127.0.0.1:${p.quorum}:${p.election}`);
        fs.writeFileSync(path.join(data, 'myid'), `${e.options.myid}\n`);
      }
      fs.writeFileSync(path.join(e.dir, 'zoo.cfg'), cfg.join('\n') + '\n');
      fs.writeFileSync(path.join(e.dir, 'log4j.properties'),
        'log4j.rootLogger=WARN, CONSOLE\nlog4j.appender.CONSOLE=org.apache.log4j.ConsoleAppender\n' +
        'log4j.appender.CONSOLE.layout=org.apache.log4j.PatternLayout\n' +
        'log4j.appender.CONSOLE.layout.ConversionPattern=%d %p %c{1}: %m%n\n');
      e.url = `127.0.0.1:${e.port}`;
    },
    command: (e) => [program('/usr/bin/java', 'java'), [
      '-Xmx256m', '-XX:+UseSerialGC', `-Dlog4j.configuration=file:${path.join(e.dir, 'log4j.properties')}`,
      '-Dzookeeper.admin.enableServer=false',
      '-cp', [e.dir, '/usr/share/java/zookeeper.jar'].join(':'),
      'org.apache.zookeeper.server.quorum.QuorumPeerMain', path.join(e.dir, 'zoo.cfg')]],
    // A node of an ensemble answers ruok before a quorum has formed; it serves once srvr names its mode.
    ready: async (e) => (e.options.peers ? /^Mode: (leader|follower)$/m.test(await exchange(e.port, 'srvr', 1000))
      : (await exchange(e.port, 'ruok', 1000)).startsWith('imok')),
    startMs: 60000,
  },
  // A PostgreSQL cluster made by initdb in the folder, listening on 127.0.0.1 only (no Unix socket
  // but the folder's). Options: user (default "shaddock"), password (md5/scram login; without one, trust),
  // database (default "shaddock", created). Run as root, the server runs as the `postgres` user.
  postgres: {
    prepare(e) {
      const user = e.options.user || 'shaddock';
      const pgdata = path.join(e.dir, 'data');
      const asUser = postgresUser();
      if (asUser) execFileSync('chown', ['-R', asUser, e.dir]);
      const pwfile = path.join(e.dir, 'pwfile');
      const init = ['-D', pgdata, '-U', user, '-E', 'UTF8', '--locale=C', '--no-sync'];
      if (e.options.password) {
        fs.writeFileSync(pwfile, e.options.password + '\n', { mode: 0o600 });
        if (asUser) execFileSync('chown', [asUser, pwfile]);
        init.push('--auth=scram-sha-256', `--pwfile=${pwfile}`);
      } else {
        init.push('--auth=trust');
      }
      runAs(asUser, postgresBin('initdb'), init);
      fs.rmSync(pwfile, { force: true });
      e.user = user;
      e.database = e.options.database || 'shaddock';
      e.url = `postgresql://${user}@127.0.0.1:${e.port}/${e.database}`;
      e.afterReady = async () => {
        if (e.created) return;
        const env = { ...process.env, PGPASSWORD: e.options.password || '' };
        runAs(asUser, postgresBin('createdb'), ['-h', '127.0.0.1', '-p', String(e.port), '-U', user, e.database], env);
        e.created = true;
      };
    },
    command: (e) => {
      const args = ['-D', path.join(e.dir, 'data'), '-p', String(e.port), '-c', 'listen_addresses=127.0.0.1',
        '-c', `unix_socket_directories=${e.dir}`, '-c', 'fsync=off', '-c', 'logging_collector=off'];
      // Spawned as the user directly (not through runuser, which answers SIGTERM by killing the
      // server 2 s later, leaving its backends and shared memory behind for the next start).
      const asUser = postgresUser();
      return [postgresBin('postgres'), args, asUser ? userIds(asUser) : {}];
    },
    // Fast shutdown: clients are disconnected and the server stops at once (SIGTERM waits for them).
    stopSignal: 'SIGINT',
    ready: async (e) => {
      try {
        execFileSync(postgresBin('pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(e.port)]);
        return true;
      } catch {
        return false;
      }
    },
    startMs: 60000,
  },
};

// PostgreSQL refuses to run as root: then it runs as the `postgres` user the Debian package makes.
function postgresUser() {
  return process.getuid && process.getuid() === 0 ? 'postgres' : null;
}

// The uid and gid of a user, for spawning a process as that user.
function userIds(user) {
  const id = (flag) => Number(execFileSync('id', [flag, user], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

function runAs(user, file, args, env = process.env) {
  if (user) execFileSync('runuser', ['-u', user, '--', file, ...args], { env, stdio: 'pipe' });
  else execFileSync(file, args, { env, stdio: 'pipe' });
}

const live = new Set();

class Engine {
  constructor(kind, options) {
    this.kind = kind;
    this.options = options;
    this.spec = KINDS[kind];
    this.host = '127.0.0.1';
    this.proc = null;
  }

  async init() {
    this.port = this.options.port || (await freePort());
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `shd-${this.kind}-`));
    fs.chmodSync(this.dir, 0o755);
    this.spec.prepare(this);
    live.add(this);
    await this.start();
    return this;
  }

  // Starts the engine (again) on its port and folder; resolves once it serves.
  async start() {
    if (this.proc) return;
    const [file, args, as = {}] = this.spec.command(this);
    const log = fs.openSync(path.join(this.dir, 'engine.log'), 'a');
    this.proc = spawn(file, args, { stdio: ['ignore', log, log], detached: false, ...as });
    fs.closeSync(log);
    const proc = this.proc;
    this.exited = new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
    this.exited.then(() => { if (this.proc === proc) this.proc = null; });
    const deadline = Date.now() + (this.spec.startMs || 20000);
    for (;;) {
      if (!this.proc) throw new Error(`${this.kind} exited while starting:\n${this.tail()}`);
      if (await this.spec.ready(this)) break;
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(`${this.kind} did not serve on port ${this.port} in time:\n${this.tail()}`);
      }
      await sleep(100);
    }
    if (this.afterReady) await this.afterReady();
  }

  // Stops the process (SIGTERM or the engine's stop signal, SIGKILL after `graceMs`) and waits for its
  // exit; folder and port stay.
  async stop(graceMs = 5000) {
    const proc = this.proc;
    if (!proc) return;
    this.resume();
    const exited = this.exited;
    proc.kill(this.spec.stopSignal || 'SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
    // A moment for the port to be released.
    await sleep(50);
  }

  // SIGKILL: an engine that crashes.
  async kill() {
    const proc = this.proc;
    if (!proc) return;
    this.resume();
    proc.kill('SIGKILL');
    await this.exited;
  }

  pause() { this.signal('SIGSTOP'); }

  resume() { this.signal('SIGCONT'); }

  signal(sig) {
    if (!this.proc) return;
    // Through runuser, the engine is runuser's child: signal the whole group of the engine's pids.
    for (const pid of [this.proc.pid, ...childPids(this.proc.pid)]) {
      try { process.kill(pid, sig); } catch { /* gone */ }
    }
  }

  async close() {
    await this.stop();
    live.delete(this);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  // The last `lines` lines of the engine's log.
  tail(lines = 20) {
    try {
      return fs.readFileSync(path.join(this.dir, 'engine.log'), 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }
}

function childPids(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

// Starts an engine of `kind` (redis, nats, zookeeper, postgres); resolves once it serves.
async function start(kind, options = {}) {
  if (!KINDS[kind]) throw new Error(`unknown engine ${kind} (known: ${Object.keys(KINDS).join(', ')})`);
  return new Engine(kind, options).init();
}

// A ZooKeeper ensemble of `size` nodes (default 3) on loopback, each with quorum and election ports of
// its own, started together (a node serves only once a quorum has formed); `options` as for one.
//   const zk = await engines.startZooKeeperEnsemble(3);
//   ... zk.url ("127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3", the client's connection string) ...
//   await zk.nodes[i].kill();  await zk.nodes[i].start();   // each node is an engine as above
//   await zk.mode(i)           // 'leader', 'follower', or null (down, or no quorum)
//   await zk.status(i)         // { mode, connections } (the clients connected to node i)
//   await zk.close();
async function startZooKeeperEnsemble(size = 3, options = {}) {
  const peers = [];
  for (let id = 1; id <= size; ++id) peers.push({ id, port: await freePort(), quorum: await freePort(), election: await freePort() });
  const nodes = peers.map((p) => new Engine('zookeeper', { ...options, port: p.port, myid: p.id, peers }));
  await Promise.all(nodes.map((n) => n.init()));
  return {
    nodes,
    url: nodes.map((n) => n.url).join(','),
    async mode(i) {
      return (await this.status(i)).mode;
    },
    // { mode, connections } of node i from its `srvr` answer (nulls when it does not serve).
    async status(i) {
      const text = nodes[i].proc ? await exchange(nodes[i].port, 'srvr', 1000) : '';
      const mode = /^Mode: (\w+)$/m.exec(text), connections = /^Connections: (\d+)$/m.exec(text);
      return { mode: mode ? mode[1] : null, connections: connections ? Number(connections[1]) : null };
    },
    close: () => Promise.all(nodes.map((n) => n.close())),
  };
}

async function closeAll() {
  await Promise.all([...live].map((e) => e.close()));
}

// On exit, no engine outlives the test that started it (synchronous: the process is going).
process.on('exit', () => {
  for (const e of live) {
    if (e.proc) e.signal('SIGCONT'), e.signal('SIGKILL');
    try { fs.rmSync(e.dir, { recursive: true, force: true }); } catch { /* best effort */ }
  }
});

// The environment variables the demo's `scaled` configuration reads (apps/chat/config/plugins.json,
// docs/plugins-json.md "Options from the environment") for running engines: `list` maps a kind to
// an engine returned by start() or to its entry in the keeper's state file.
function environment(list) {
  const env = {};
  const set = (name, value) => { if (value !== undefined && value !== null && value !== '') env[name] = String(value); };
  for (const [kind, engine] of Object.entries(list)) {
    if (!engine || engine.error) continue;
    const e = { ...(engine.options || {}), ...engine };
    if (kind === 'redis') {
      set('SHADDOCK_REDIS_HOST', e.host); set('SHADDOCK_REDIS_PORT', e.port); set('SHADDOCK_REDIS_PASSWORD', e.password);
    } else if (kind === 'nats') {
      set('SHADDOCK_NATS_URL', e.url); set('SHADDOCK_NATS_TOKEN', e.token);
    } else if (kind === 'zookeeper') {
      set('SHADDOCK_ZOOKEEPER', e.url);
    } else if (kind === 'postgres') {
      set('SHADDOCK_POSTGRES_HOST', e.host); set('SHADDOCK_POSTGRES_PORT', e.port); set('SHADDOCK_POSTGRES_USER', e.user);
      set('SHADDOCK_POSTGRES_PASSWORD', e.password); set('SHADDOCK_POSTGRES_DATABASE', e.database);
    }
  }
  return env;
}

module.exports = { start, startZooKeeperEnsemble, closeAll, environment, KINDS: Object.keys(KINDS) };

// `node engines.js serve STATE_FILE [kind,...]`: the keeper behind `tools/engines.sh up`. Starts the
// engines (default: all), each with generated credentials where it takes some, writes STATE_FILE
// (mode 0600: ports, credentials, folders, this process's pid) once all are tried, and keeps them
// until SIGTERM or SIGINT, then closes them and removes the file. An engine that cannot start is
// recorded with its error; the others run.
async function serve(stateFile, kinds) {
  const crypto = require('node:crypto');
  const secret = () => crypto.randomBytes(12).toString('hex');
  const state = { pid: process.pid, started: new Date().toISOString(), engines: {} };
  // The ports and credentials of the last run, kept next to the state (kept.json, mode 0600), are
  // taken again (a port only when free), so a demo configuration written for them stays right
  // across down and up.
  const keptFile = path.join(path.dirname(stateFile), 'kept.json');
  let kept = {};
  try { kept = JSON.parse(fs.readFileSync(keptFile, 'utf8')); } catch { /* first run */ }
  for (const kind of kinds) {
    const fresh = { redis: { password: secret() }, nats: { token: secret() }, postgres: { password: secret() } }[kind] || {};
    const { port: keptPort, ...keptCredentials } = kept[kind] || {};
    const options = { ...fresh, ...keptCredentials };
    try {
      let e;
      try {
        e = await start(kind, { ...options, ...(keptPort ? { port: keptPort } : {}) });
      } catch (err) {
        if (!keptPort) throw err;
        e = await start(kind, options);  // the old port is taken: a free one
      }
      kept[kind] = { ...options, port: e.port };
      state.engines[kind] = { host: e.host, port: e.port, url: e.url, dir: e.dir, pid: e.proc && e.proc.pid, ...options,
        ...(e.user ? { user: e.user, database: e.database } : {}) };
    } catch (err) {
      state.engines[kind] = { error: String(err.message || err).split('\n')[0] };
    }
  }
  fs.writeFileSync(keptFile, JSON.stringify(kept) + '\n', { mode: 0o600 });
  fs.writeFileSync(stateFile + '.tmp', JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  fs.renameSync(stateFile + '.tmp', stateFile);
  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    await closeAll();
    fs.rmSync(stateFile, { force: true });
    process.exit(0);
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  setInterval(() => {}, 1 << 30);
}

if (require.main === module) {
  const [command, stateFile, list] = process.argv.slice(2);
  if (command === 'env' && stateFile) {
    // `node engines.js env STATE_FILE`: shell lines exporting environment() of the running engines.
    const state = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
    const quote = (v) => "'" + v.replace(/'/g, "'\\''") + "'";
    for (const [name, value] of Object.entries(environment(state.engines))) console.log(`export ${name}=${quote(value)}`);
    process.exit(0);
  }
  if (command !== 'serve' || !stateFile) {
    console.error('usage: node engines.js serve STATE_FILE [redis,nats,zookeeper,postgres]\n' +
                  '       node engines.js env STATE_FILE');
    process.exit(2);
  }
  const kinds = list ? list.split(',').filter(Boolean) : Object.keys(KINDS);
  const unknown = kinds.filter((k) => !KINDS[k]);
  if (unknown.length) {
    console.error(`unknown engine(s): ${unknown.join(', ')} (known: ${Object.keys(KINDS).join(', ')})`);
    process.exit(2);
  }
  serve(path.resolve(stateFile), kinds).catch((e) => { console.error(e); process.exit(1); });
}
