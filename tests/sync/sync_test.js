'use strict';
// The sync plugin (plugins/sync) on a real shaddock-host running tests/sync/sync_test_app, which uses
// "shd.sync/1" through shd::Sync and logs what it did; the database is then read with the sqlite3 and
// psql command-line clients and compared with the app's log.
//
//   node sync_test.js sqlite     the embedded default: merge by id, flush, sync, a refused write, busy
//                                past maxQueue, nothing written before the interval, everything
//                                written by the stop (also writes the app queued in its own stop)
//   node sync_test.js postgres   a real PostgreSQL (tools/node/engines.js) with a password: a write
//                                stream with a PostgreSQL restart in its middle loses nothing; busy
//                                while it is down, then everything written once it is back; the
//                                password never in the output or the logs; production refuses a
//                                PostgreSQL database without a password
// Run by CTest (sync_sqlite, sync_postgres) with SHADDOCK_HOST and SHADDOCK_APPS_DIR (sync_test_app.so).
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Checks, freePort, sleep, waitFor, requiredEnv } = require('../../tools/node/util');
const engines = require('../../tools/node/engines');

const HOST = requiredEnv('SHADDOCK_HOST');
const APPS_DIR = requiredEnv('SHADDOCK_APPS_DIR');
const checks = new Checks();
const SCHEMA = [
  'CREATE TABLE IF NOT EXISTS player (id TEXT PRIMARY KEY, name TEXT NOT NULL, x BIGINT, y BIGINT, n BIGINT)',
  'CREATE TABLE IF NOT EXISTS event (n BIGINT PRIMARY KEY)',
];

function assert(ok, what, detail) {
  if (!ok) throw new Error(what + (detail === undefined ? '' : ': ' + detail));
}

// An app folder with a lone server "game-server-1" loading the sync plugin and the test app.
async function makeApp(syncOptions, appOptions) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shd-sync-'));
  fs.mkdirSync(path.join(dir, 'config'));
  const port = await freePort();
  const files = {
    'servers.json': { game: [{ id: 'game-server-1', host: '127.0.0.1', port }] },
    'plugins.json': {
      plugins: [{ name: 'sync', options: { init: SCHEMA, ...syncOptions } }],
      app: { name: 'sync_test_app', options: appOptions },
    },
  };
  for (const [name, content] of Object.entries(files))
    fs.writeFileSync(path.join(dir, 'config', name), JSON.stringify(content, null, 1));
  return dir;
}

function runHost(dir, { env = {}, args = [] } = {}) {
  const proc = spawn(HOST, ['--app-dir', dir, '--apps-dir', APPS_DIR, '--server-id', 'game-server-1', ...args],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const h = { proc, out: '', exit: null };
  proc.stdout.on('data', (d) => { h.out += d; });
  proc.stderr.on('data', (d) => { h.out += d; });
  h.exited = new Promise((resolve) => proc.on('exit', (code, signal) => { h.exit = { code, signal }; resolve(h.exit); }));
  h.waitFor = async (re, ms, what) => {
    await waitFor(() => re.test(h.out) || h.exit !== null, ms, what);
    if (!re.test(h.out)) throw new Error(`${what}: the host exited (${JSON.stringify(h.exit)}):\n${h.out.slice(-3000)}`);
    return h.out.match(re);
  };
  h.stop = async () => {
    if (h.exit === null) proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 30000);
    const exit = await h.exited;
    clearTimeout(timer);
    return exit;
  };
  return h;
}

function logFile(dir) {
  const file = path.join(dir, 'logs', 'game-server-1.log');
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
}

function cleanup(dir) {
  if (!process.env.KEEP_TMP) fs.rmSync(dir, { recursive: true, force: true });
}

// "sync stream done ticks=.. events=.. busy=.. isDone=.. expect={...}"
function streamDone(out) {
  const m = out.match(/sync stream done ticks=(\d+) events=(\d+) busy=(\d+) isDone=(\d) expect=(\{[^\n]*\})/);
  assert(m, 'the app logged the end of its stream', out.slice(-2000));
  return { ticks: Number(m[1]), events: Number(m[2]), busy: Number(m[3]), isDone: m[4] === '1', expect: JSON.parse(m[5]) };
}

function syncedStats(out) {
  const m = out.match(/sync synced status=(\d+) isDone=(\d) stats=(\{[^\n]*\})/);
  assert(m, 'the app logged its sync', out.slice(-2000));
  return { status: Number(m[1]), isDone: m[2] === '1', stats: JSON.parse(m[3]) };
}

// Both databases answer the same queries: the players as {id: n}, and the events' count and range.
function comparePlayers(players, expect, what) {
  for (const [id, n] of Object.entries(expect))
    assert(players[id] === n, `${what}: player ${id} holds the last value queued`, `${players[id]} != ${n}`);
}

// --- SQLite ---------------------------------------------------------------------------------------
function sqlite(file, sql) {
  return JSON.parse(execFileSync('sqlite3', ['-json', file, sql]).toString() || '[]');
}
function sqlitePlayers(file) {
  const out = {};
  for (const r of sqlite(file, 'SELECT id, n FROM player')) out[r.id] = r.n;
  return out;
}

async function sqliteScenario() {
  // 1. A stream with a short interval: merged writes, a flush, a refused write, sync, stop.
  const dir = await makeApp({ interval: 200 },
    { ticks: 400, tickMs: 3, ids: 10, events: true, flush: true, bad: true, stopWrite: true });
  const file = path.join(dir, 'data', 'sync.db');
  const server = runHost(dir);
  try {
    await server.waitFor(/sync synced status=/, 60000, 'the stream and its sync');
    const done = streamDone(server.out);
    const synced = syncedStats(server.out);
    await checks.run('sqlite: the file is created under the app folder (data/sync.db)', () => {
      assert(fs.existsSync(file), 'no ' + file);
      assert(server.out.includes('writing to sqlite ' + file), 'the start line names the file', server.out.slice(-1500));
    });
    await checks.run('sqlite: sync completes once everything queued is in, and isDone says so', () => {
      assert(synced.status === 0 && synced.isDone, JSON.stringify(synced));
      const players = sqlitePlayers(file);
      comparePlayers(players, done.expect, 'after sync');
      const ev = sqlite(file, 'SELECT COUNT(*) AS c, MIN(n) AS lo, MAX(n) AS hi FROM event')[0];
      assert(done.busy === 0 && ev.c === done.ticks && ev.lo === 1 && ev.hi === done.ticks, 'every event once',
        JSON.stringify({ ev, done }));
    });
    await checks.run('sqlite: writes merge by id (the last value wins; fewer rows written than execs)', () => {
      const s = synced.stats;
      // 400 player execs over 10 ids at 3 ms, written every 200 ms: most of them merge.
      assert(s.merged > 100 && s.written < s.accepted - 100, JSON.stringify(s));
      assert(s.accepted === 2 * done.ticks + 2 /* flush, bad */, JSON.stringify(s));
    });
    await checks.run('sqlite: flush writes at once and its completion says so', () => {
      assert(/sync flushed status=0/.test(server.out), server.out.slice(-2000));
      assert(sqlitePlayers(file).flushed === 7, 'the flushed row');
    });
    await checks.run('sqlite: a refused write is dropped, logged with key and id, and told to the app', () => {
      assert(/sync bad exec=0/.test(server.out), 'exec accepted it (the database refuses it)');
      assert(/the database refused a write of player\.save id bad \(dropped\): .*NOT NULL/.test(server.out),
        server.out.slice(-2000));
      assert(/sync refused key=player\.save id=bad status=1 why=.*NOT NULL/.test(server.out), server.out.slice(-2000));
      assert(sqlitePlayers(file).bad === undefined, 'no row for it');
      assert(synced.stats.refused === 1, JSON.stringify(synced.stats));
    });
    const exit = await server.stop();
    await checks.run('sqlite: the server stops cleanly; the write the app queued in its stop is in', () => {
      assert(exit.code === 0, JSON.stringify(exit) + '\n' + server.out.slice(-2000));
      assert(/sync app stop exec=0/.test(server.out), server.out.slice(-1500));
      assert(sqlitePlayers(file)['at-stop'] === 42, 'the at-stop row');
    });
  } catch (e) {
    checks.fail('sqlite stream', e.stack + '\n' + server.out.slice(-3000));
    await server.stop();
  } finally {
    cleanup(dir);
  }

  // 2. A long interval: nothing is in the database before the stop, everything after it.
  const dir2 = await makeApp({ interval: 3600000 }, { ticks: 300, tickMs: 2, ids: 50, events: true, sync: false });
  const file2 = path.join(dir2, 'data', 'sync.db');
  const later = runHost(dir2);
  try {
    await later.waitFor(/sync stream done/, 60000, 'the stream');
    const done = streamDone(later.out);
    await checks.run('sqlite: before the interval nothing is written (write-behind), isDone is false', () => {
      assert(!done.isDone, 'isDone=' + done.isDone);
      assert(sqlite(file2, 'SELECT COUNT(*) AS c FROM event')[0].c === 0, 'events already written');
    });
    const t0 = Date.now();
    const exit = await later.stop();
    await checks.run('sqlite: the stop writes everything queued before the server exits', () => {
      assert(exit.code === 0, JSON.stringify(exit) + '\n' + later.out.slice(-2000));
      assert(/stopping: writing the \d+ queued write\(s\) first/.test(later.out), later.out.slice(-1500));
      assert(sqlite(file2, 'SELECT COUNT(*) AS c FROM event')[0].c === done.ticks, 'all events');
      comparePlayers(sqlitePlayers(file2), done.expect, 'after the stop');
      console.log(`     (stop with ${done.ticks + 50} queued writes took ${Date.now() - t0} ms)`);
    });
  } catch (e) {
    checks.fail('sqlite stop', e.stack + '\n' + later.out.slice(-3000));
    await later.stop();
  } finally {
    cleanup(dir2);
  }

  // 3. The queue bound: with nothing written (long interval), exec answers busy at maxQueue.
  const dir3 = await makeApp({ interval: 3600000, maxQueue: 50 }, { fill: true });
  const file3 = path.join(dir3, 'data', 'sync.db');
  const full = runHost(dir3);
  try {
    await full.waitFor(/sync synced status=/, 30000, 'the fill and its sync');
    await checks.run('sqlite: exec answers busy past maxQueue; a merge into a queued write is still accepted', () => {
      assert(/sync filled accepted=50 then status=4/.test(full.out), full.out.slice(-1500));
      assert(/sync merge when full status=0 isDone=0/.test(full.out), full.out.slice(-1500));
      const s = syncedStats(full.out);
      assert(s.stats.busy === 1 && s.stats.written === 50, JSON.stringify(s.stats));
      const rows = sqlitePlayers(file3);
      assert(Object.keys(rows).length === 50 && rows['fill-0'] === 1000, JSON.stringify(rows).slice(0, 300));
    });
    await full.stop();
  } catch (e) {
    checks.fail('sqlite busy', e.stack + '\n' + full.out.slice(-3000));
    await full.stop();
  } finally {
    cleanup(dir3);
  }
}

// --- PostgreSQL -----------------------------------------------------------------------------------
const PASSWORD = 'pg-Secret-' + process.pid + '-x9';

function psql(pg, sql) {
  return execFileSync('psql',
    ['-h', '127.0.0.1', '-p', String(pg.port), '-U', pg.user, '-d', pg.database, '-At', '-F', ' ', '-c', sql],
    { env: { ...process.env, PGPASSWORD: PASSWORD } }).toString().trim();
}
function pgPlayers(pg) {
  const out = {};
  const text = psql(pg, 'SELECT id, n FROM player');
  for (const line of text ? text.split('\n') : []) {
    const [id, n] = line.split(' ');
    out[id] = Number(n);
  }
  return out;
}

async function postgresScenario() {
  const pg = await engines.start('postgres', { password: PASSWORD });
  const pgOptions = (more) => ({ database: 'postgresql', host: '127.0.0.1', port: pg.port, user: pg.user,
    dbname: pg.database, interval: 100, retryMin: 100, retryMax: 800, connectTimeout: 2, ...more });

  // 1. A write stream with a PostgreSQL restart in its middle.
  const dir = await makeApp(pgOptions({ password: PASSWORD }),
    { ticks: 1500, tickMs: 4, ids: 20, events: true, flush: true, bad: true, stopWrite: true });
  const server = runHost(dir);
  try {
    await server.waitFor(/sync flushed status=0/, 30000, 'the first flush');
    await sleep(1500);
    const before = pgPlayers(pg);
    await pg.stop();
    const downAt = Date.now();
    await server.waitFor(/database unreachable/, 20000, 'the plugin noticing the database is down');
    await sleep(1500);
    await pg.start();
    console.log(`     (PostgreSQL down for ${Date.now() - downAt} ms in the middle of the stream)`);
    await server.waitFor(/sync synced status=/, 120000, 'the stream and its sync');
    const done = streamDone(server.out);
    const synced = syncedStats(server.out);
    await checks.run('postgres: the stream was written while the server was up (rows before the restart)', () => {
      assert(Object.keys(before).length > 0, 'no rows before the restart');
    });
    await checks.run('postgres: the plugin saw the restart: unreachable, kept, retried, reachable again', () => {
      assert(/database unreachable \(.*\); \d+ write\(s\) kept and retried with backoff/.test(server.out),
        server.out.slice(-3000));
      assert(/database reachable again after \d+ failed attempt\(s\)/.test(server.out), server.out.slice(-3000));
      assert(synced.stats.retries >= 1, JSON.stringify(synced.stats));
    });
    await checks.run('postgres: nothing lost across the restart: every event once, every player at its last value', () => {
      assert(done.busy === 0, 'busy=' + done.busy);
      const [count, lo, hi] = psql(pg, 'SELECT COUNT(*), MIN(n), MAX(n) FROM event').split(' ').map(Number);
      assert(count === done.ticks && lo === 1 && hi === done.ticks, JSON.stringify({ count, lo, hi, done }));
      comparePlayers(pgPlayers(pg), done.expect, 'after the restart');
      assert(synced.status === 0 && synced.isDone, JSON.stringify(synced));
      assert(synced.stats.merged > 0, JSON.stringify(synced.stats));
    });
    const exit = await server.stop();
    await checks.run('postgres: a refused write is dropped and reported; the others of its transaction are written', () => {
      assert(/the database refused a write of player\.save id bad \(dropped\): .*null value/.test(server.out),
        server.out.slice(-2000));
      assert(/sync refused key=player\.save id=bad status=1/.test(server.out), server.out.slice(-2000));
      assert(pgPlayers(pg).bad === undefined && pgPlayers(pg).flushed === 7, 'rows bad/flushed');
      assert(synced.stats.refused === 1, JSON.stringify(synced.stats));
    });
    await checks.run('postgres: the stop writes the app\'s last write and the server exits cleanly', () => {
      assert(exit.code === 0, JSON.stringify(exit) + '\n' + server.out.slice(-2000));
      assert(pgPlayers(pg)['at-stop'] === 42, 'the at-stop row');
    });
    await checks.run('postgres: the password is in no output and no log', () => {
      assert(!server.out.includes(PASSWORD), 'in the output');
      assert(!logFile(dir).includes(PASSWORD), 'in the log file');
      assert(logFile(dir).includes('writing to postgresql ' + pg.user + '@127.0.0.1:' + pg.port), 'the log names the server');
    });
  } catch (e) {
    checks.fail('postgres restart', e.stack + '\n' + server.out.slice(-3000));
    await server.stop();
  } finally {
    cleanup(dir);
  }

  // 2. PostgreSQL down: writes kept up to maxQueue, then busy; all written once it is back. The
  //    password comes from the environment (passwordEnv), and a wrong one is never echoed.
  await pg.stop();
  const dir2 = await makeApp(pgOptions({ passwordEnv: 'SHD_TEST_PG_PASSWORD', maxQueue: 30 }), { fill: true });
  const down = runHost(dir2, { env: { SHD_TEST_PG_PASSWORD: PASSWORD } });
  try {
    await down.waitFor(/sync filled/, 30000, 'the fill');
    await down.waitFor(/database unreachable/, 20000, 'the first failed attempt');
    await sleep(1000);
    await checks.run('postgres down: exec answers busy at maxQueue; nothing written, nothing dropped', () => {
      assert(/sync filled accepted=30 then status=4/.test(down.out), down.out.slice(-1500));
      assert(/sync merge when full status=0 isDone=0/.test(down.out), down.out.slice(-1500));
      assert(!/sync synced/.test(down.out), 'sync completed with the database down');
    });
    await pg.start();
    await down.waitFor(/sync synced status=/, 30000, 'the sync once PostgreSQL is back');
    await checks.run('postgres back: every kept write is written', () => {
      const rows = pgPlayers(pg);
      const fills = Object.keys(rows).filter((id) => id.startsWith('fill-'));
      assert(fills.length === 30 && rows['fill-0'] === 1000, JSON.stringify(rows).slice(0, 400));
    });
    const exit = await down.stop();
    await checks.run('postgres: the password from passwordEnv is in no output and no log', () => {
      assert(exit.code === 0, JSON.stringify(exit));
      assert(!down.out.includes(PASSWORD) && !logFile(dir2).includes(PASSWORD));
    });
  } catch (e) {
    checks.fail('postgres down', e.stack + '\n' + down.out.slice(-3000));
    await down.stop();
  } finally {
    cleanup(dir2);
  }

  // 3. A wrong password: the error says authentication failed, never what was tried.
  const wrong = 'Wrong-' + PASSWORD;
  const dir3 = await makeApp(pgOptions({ password: wrong }), { ticks: 5, tickMs: 5 });
  const refused = runHost(dir3);
  try {
    await refused.waitFor(/database unreachable/, 30000, 'the failed login');
    await refused.stop();
    await checks.run('postgres: a failed login is logged without the password', () => {
      assert(/password authentication failed/.test(refused.out), refused.out.slice(-1500));
      assert(!refused.out.includes(wrong) && !logFile(dir3).includes(wrong), 'the wrong password was echoed');
    });
  } catch (e) {
    checks.fail('postgres wrong password', e.stack + '\n' + refused.out.slice(-3000));
    await refused.stop();
  } finally {
    cleanup(dir3);
  }

  // 4. Production refuses a PostgreSQL database without a password.
  const dir4 = await makeApp(pgOptions({}), {});
  const prod = runHost(dir4, { args: ['--env', 'production'] });
  const timer = setTimeout(() => prod.proc.kill('SIGKILL'), 20000);
  const exit = await prod.exited;
  clearTimeout(timer);
  await checks.run('production: no PostgreSQL password refuses to start, naming the option', () => {
    assert(exit.code !== 0 && exit.code !== null, JSON.stringify(exit));
    assert(/option password: a PostgreSQL database needs a password in production/.test(prod.out), prod.out.slice(-1500));
  });
  cleanup(dir4);
  await pg.close();
}

async function main() {
  const which = process.argv[2];
  try {
    if (which === 'sqlite') await sqliteScenario();
    else if (which === 'postgres') await postgresScenario();
    else throw new Error('usage: sync_test.js sqlite|postgres');
  } catch (e) {
    checks.fail('no exception', e);
  }
  await engines.closeAll();
  checks.finish();
}
main();
