// The MMO demo (apps/mmo) under shaddock-robot: a cluster on free ports in a fresh folder (fresh
// database), the robot's MMO scenarios (apps/mmo/robot) pointed at it, and the capacity search.
// Used by bench/run.js (rows mmo_*), by tests/mmo/robot_test.js and on its own:
//
//   node bench/mmo/mmo_bench.js [--quick] [--modes walk,fight,mixed] [--areas N] [--start N] [--max N] [--out FILE.json]
'use strict';
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');
const cluster = require(path.join(ROOT, 'tests', 'mmo', 'mmo_cluster.js'));
const SCENARIOS = path.join(ROOT, 'apps', 'mmo', 'robot');

function buildDir() {
  return process.env.SHADDOCK_BUILD_DIR || path.join(ROOT, 'build');
}
function hostBinary() {
  return process.env.SHADDOCK_HOST || path.join(buildDir(), 'bin', 'shaddock-host');
}
function robotBinary() {
  return process.env.SHADDOCK_ROBOT || path.join(buildDir(), 'bin', 'shaddock-robot');
}

// A fresh app folder and cluster. Logins are part of every robot's start, not of what is measured:
// the password hash is made cheap (1000 iterations, the app's minimum) and the per-address login
// limit lifted, since every robot logs in from 127.0.0.1.
async function startCluster() {
  const dir = await cluster.prepareAppDir();
  const file = path.join(dir, 'config', 'mmo.json');
  const cfg = JSON.parse(fs.readFileSync(file, 'utf8'));
  Object.assign(cfg.development.login, { passwordIterations: 1000, attemptsPerMinute: 100000 });
  fs.writeFileSync(file, JSON.stringify(cfg));
  const c = await cluster.startMmoCluster(hostBinary(), dir);
  return c;
}

// The scenario of `mode` (walk, fight, mixed) for `users` robots against cluster `c`.
function scenario(c, mode, { users, duration, ramp, prefix = 'r', threads = 2 }) {
  const s = JSON.parse(fs.readFileSync(path.join(SCENARIOS, mode + '.json'), 'utf8'));
  s.server.port = c.gatePort;
  s.vars.webPort = c.webPort;
  s.vars.prefix = prefix;
  s.users = users;
  s.durationSeconds = duration;
  s.rampPerSecond = ramp;
  s.threads = threads;
  if (mode === 'mixed') {
    // Half walk (the lower indices), half fight.
    const half = Math.max(1, Math.floor(users / 2));
    const loops = s.script.filter((st) => st.loop);
    loops[0].onlyUsers = `0-${half - 1}`;
    loops[1].onlyUsers = `${half}-${Math.max(half, users - 1)}`;
  }
  return s;
}

// Runs the robot on a scenario object; resolves to {code, report (parsed JSON), stdout, stderr}.
function runRobot(s, { timeoutMs = 0 } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shd-mmo-robot-'));
  const file = path.join(dir, 'scenario.json');
  const json = path.join(dir, 'report.json');
  fs.writeFileSync(file, JSON.stringify(s));
  return new Promise((resolve, reject) => {
    const p = spawn(robotBinary(), ['run', file, '--json', json, '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    const limit = timeoutMs || (s.durationSeconds + 60) * 1000;
    const timer = setTimeout(() => p.kill('SIGKILL'), limit);
    p.on('error', reject);
    p.on('exit', (code) => {
      clearTimeout(timer);
      let report = null;
      try { report = JSON.parse(fs.readFileSync(json, 'utf8')); } catch (e) { /* no report */ }
      fs.rmSync(dir, { recursive: true, force: true });
      resolve({ code, report, stdout, stderr });
    });
  });
}

// The figures that decide a capacity step: success ratio of every request (http steps included),
// p99 of the game routes (move, attack), the number of those requests.
const GAME_ROUTES = ['area.playerHandler.move', 'area.fightHandler.attack'];
function judge(report) {
  const r = report.requests;
  const total = r.ok + r.failed;
  let gameP99 = 0, gameOk = 0, gameFailed = 0;
  const routes = {};
  for (const [route, f] of Object.entries(r.byRoute || {})) {
    routes[route] = { ok: f.ok, failed: f.failed, p99Ms: f.latencyMs.p99 };
    if (GAME_ROUTES.includes(route)) {
      gameP99 = Math.max(gameP99, f.latencyMs.p99);
      gameOk += f.ok;
      gameFailed += f.failed;
    }
  }
  return { success: total ? r.ok / total : 0, requests: total, gameOk, gameFailed, gameP99Ms: gameP99,
           connects: report.connects, errors: report.errors, peakUsers: report.peakUsersConnected, routes,
           robotCpuPercent: report.cpu ? report.cpu.percent : null };
}

function loadAverage() {
  return os.loadavg().map((x) => Math.round(x * 100) / 100);
}

// One capacity step: a fresh cluster, `users` robots of `mode`, measured over the whole run.
async function measure(mode, users, { duration, ramp }) {
  const c = await startCluster();
  try {
    const loadBefore = loadAverage();
    const r = await runRobot(scenario(c, mode, { users, duration, ramp }));
    if (!r.report) throw new Error(`robot gave no report (exit ${r.code}): ${r.stderr.slice(-2000)}`);
    return Object.assign({ mode, users, exitCode: r.code, loadBefore, loadAfter: loadAverage() }, judge(r.report));
  } finally {
    await c.stop();
    if (process.env.MMO_BENCH_KEEP) console.error(`kept ${c.dir}`); else fs.rmSync(c.dir, { recursive: true, force: true });
  }
}

// Heroes over `areas` scenes: new heroes all start in scene 1 and only a traverse NPC moves them on,
// so the robots first create their heroes (and leave), then the bench moves every hero in the
// database to scene 1 + (id - 1) mod areas, at a point of that scene's birth place (each scene's
// birth place has the walk box of the scenarios free of collisions), before the measured run.
const BIRTH = { 1: [346, 81, 125, 128], 2: [400, 300, 160, 140], 3: [420, 360, 160, 140] };
async function createHeroes(c, mode, users, ramp, areas) {
  const s = scenario(c, mode, { users, duration: 60 + users / ramp, ramp });
  const cut = s.script.findIndex((st) => st.request === 'connector.roleHandler.createPlayer');
  s.script = s.script.slice(0, cut + 1);
  s.stayConnected = false;
  const r = await runRobot(s);
  if (!r.report || r.report.requests.failed) throw new Error('creating the heroes failed: ' + JSON.stringify(r.report && r.report.errors));
  const place = (axis) => 'CASE ((id - 1) % ' + areas + ') + 1 ' +
    Object.entries(BIRTH).map(([a, b]) => `WHEN ${a} THEN ${b[axis]} + (id * ${axis ? 53 : 37}) % ${b[axis + 2]}`).join(' ') + ' END';
  execFileSync('sqlite3', [path.join(c.dir, 'data', 'mmo.db'),
    `UPDATE player SET areaId = ((id - 1) % ${areas}) + 1, x = ${place(0)}, y = ${place(1)};`]);
}

// One capacity step with the players spread over `areas` scenes (one area process each).
async function measureSpread(mode, users, { duration, ramp, areas }) {
  const c = await startCluster();
  try {
    await createHeroes(c, mode, users, ramp, areas);
    const loadBefore = loadAverage();
    const r = await runRobot(scenario(c, mode, { users, duration, ramp }));
    if (!r.report) throw new Error(`robot gave no report (exit ${r.code}): ${r.stderr.slice(-2000)}`);
    const scenes = execFileSync('sqlite3', [path.join(c.dir, 'data', 'mmo.db'), 'SELECT areaId, count(*) FROM player GROUP BY areaId;'],
                                { encoding: 'utf8' }).trim().split('\n').join(', ');
    return Object.assign({ mode, users, areas, scenes, exitCode: r.code, loadBefore, loadAfter: loadAverage() }, judge(r.report));
  } finally {
    await c.stop();
    if (process.env.MMO_BENCH_KEEP) console.error(`kept ${c.dir}`); else fs.rmSync(c.dir, { recursive: true, force: true });
  }
}

function passes(m) {
  return m.success >= 0.995 && m.gameP99Ms <= 200 && m.peakUsers >= m.users;
}

// Ramps users up (start, x factor) until a step fails; the capacity is the last step that passed. A
// step that fails is measured once more on a fresh cluster (`retries`), so that one stall of a
// shared machine does not end the search; every measurement is kept.
async function search(mode, { start, factor, max, duration, areas = 1, retries = 1, log = console.log }) {
  const steps = [];
  let best = 0;
  for (let users = start; users <= max; users = Math.ceil(users * factor)) {
    const ramp = Math.max(20, Math.ceil(users / 20));
    let ok = false;
    for (let attempt = 0; attempt <= retries && !ok; attempt++) {
      const m = areas > 1 ? await measureSpread(mode, users, { duration: duration + users / ramp, ramp, areas })
                          : await measure(mode, users, { duration: duration + users / ramp, ramp });
      steps.push(m);
      ok = passes(m);
      log(`  ${mode}${areas > 1 ? ` over ${areas} scenes` : ''} ${users} users: success ${(m.success * 100).toFixed(2)} %, ` +
          `game p99 ${m.gameP99Ms.toFixed(1)} ms, game requests ${m.gameOk + m.gameFailed}, peak ${m.peakUsers}, ` +
          `load ${m.loadAfter.join(' ')}${ok ? '' : '  (over the limit)'}`);
    }
    if (!ok) break;
    best = users;
  }
  return { mode, areas, maxUsers: best, steps };
}

module.exports = { startCluster, scenario, runRobot, judge, measure, measureSpread, search, passes, loadAverage };

if (require.main === module) {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const mi = args.indexOf('--modes');
  const modes = mi >= 0 ? args[mi + 1].split(',') : ['walk', 'fight', 'mixed'];
  const oi = args.indexOf('--out');
  const ai = args.indexOf('--areas');
  const areas = ai >= 0 ? Number(args[ai + 1]) : 1;
  const si = args.indexOf('--start');
  const xi = args.indexOf('--max');
  (async () => {
    const out = { machine: { cpus: os.cpus().length, started: new Date().toISOString(), loadAtStart: loadAverage() }, results: [] };
    for (const mode of modes)
      out.results.push(await search(mode, Object.assign(quick ? { start: 10, factor: 2, max: 20, duration: 10 }
                                                              : { start: 100, factor: 2, max: 6400, duration: 20 },
                                                        { areas }, si >= 0 ? { start: Number(args[si + 1]) } : {},
                                                        xi >= 0 ? { max: Number(args[xi + 1]) } : {})));
    out.machine.loadAtEnd = loadAverage();
    const text = JSON.stringify(out, null, 1);
    if (oi >= 0) fs.writeFileSync(args[oi + 1], text);
    else console.log(text);
  })().catch((e) => { console.error(e); process.exit(1); });
}
