// The MMO demo (apps/mmo) under shaddock-robot: a cluster on free ports in a fresh folder (fresh
// database), the robot's MMO scenarios (apps/mmo/robot) pointed at it, and the capacity search.
// Used by bench/run.js (rows mmo_*), by tests/mmo/robot_test.js and on its own:
//
//   node bench/mmo/mmo_bench.js [--quick] [--modes walk,fight,mixed] [--areas N] [--layout spawns|crowd] [--start N] [--max N] [--factor F]
//                            [--ramp LOGINS_PER_SECOND] [--out FILE.json]
'use strict';
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');
const cluster = require(path.join(ROOT, 'tests', 'mmo', 'mmo_cluster.js'));
const SCENARIOS = path.join(ROOT, 'apps', 'mmo', 'robot');

const { buildDir, hostBinary } = require(path.join(ROOT, 'bench', 'lib', 'servers.js'));
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
// `onExit` runs when the robot is gone and its answer is kept as cpuAtExit (the robot's own CPU
// can only be read while it exists: it is sampled every second until then).
function runRobot(s, { timeoutMs = 0, onExit = null } = {}) {
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
    let lastCpu = onExit ? onExit() : null;
    const sampler = onExit ? setInterval(() => { lastCpu = onExit(); }, 1000) : null;
    p.on('error', reject);
    p.on('exit', (code) => {
      clearTimeout(timer);
      if (sampler) clearInterval(sampler);
      const cpuAtExit = onExit ? Object.assign(lastCpu, onExit(), lastCpu.robot ? { robot: lastCpu.robot } : {}) : null;
      let report = null;
      try { report = JSON.parse(fs.readFileSync(json, 'utf8')); } catch (e) { /* no report */ }
      fs.rmSync(dir, { recursive: true, force: true });
      resolve({ code, report, stdout, stderr, cpuAtExit });
    });
  });
}

// The figures that decide a capacity step: success ratio of every request (http steps included),
// p99 of the game routes (move, attack), the number of those requests. An attack on a mob that died
// meanwhile is refused by the game ("no such target to attack", the scenarios' "refusal"): the
// server answered, as lordofpomelo answers it with {} (a success for its robots). `success` counts
// refusals as answered; `strictSuccess` does not; both are kept, and the refusals.
const GAME_ROUTES = ['area.playerHandler.move', 'area.fightHandler.attack'];
function judge(report) {
  const r = report.requests;
  const refused = r.refused || 0;
  const total = r.ok + r.failed + refused;
  let gameP99 = 0, gameOk = 0, gameFailed = 0, gameRefused = 0;
  const routes = {};
  for (const [route, f] of Object.entries(r.byRoute || {})) {
    routes[route] = { ok: f.ok, failed: f.failed, refused: f.refused || 0, p99Ms: f.latencyMs.p99 };
    if (GAME_ROUTES.includes(route)) {
      gameP99 = Math.max(gameP99, f.latencyMs.p99);
      gameOk += f.ok;
      gameFailed += f.failed;
      gameRefused += f.refused || 0;
    }
  }
  const p = report.pushes || {};
  return { success: total ? (r.ok + refused) / total : 0, strictSuccess: total ? r.ok / total : 0, refused,
           requests: total, gameOk, gameFailed, gameRefused, gameP99Ms: gameP99,
           pushes: p.received || 0, pushesPerSecond: Math.round(p.perSecond || 0), pushesByRoute: p.byRoute || {},
           connects: report.connects, errors: report.errors, peakUsers: report.peakUsersConnected, routes,
           robotCpuPercent: report.cpu ? report.cpu.percent : null,
           // Per second of the run: [second, users connected, requests answered, p99 of every request in ms].
           timeline: (report.timeline || []).map((t) => [t.second, t.users, t.requestsOk, t.latencyP99Ms]) };
}

// CPU seconds so far of every server of the cluster in `dir` (by server id) and of the robots
// (by pid), from /proc: which process saturates first is what a capacity step has to tell.
const TICKS = 100;  // USER_HZ, the unit of /proc/<pid>/stat's utime and stime on Linux
function cpuSeconds(dir) {
  const out = {};
  let pids = [];
  try { pids = fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)); } catch (e) { return out; }
  for (const pid of pids) {
    let args, stat;
    try {
      args = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch (e) { continue; }
    let name = null;
    const at = args.indexOf('--app-dir'), sid = args.indexOf('--server-id');
    if (at >= 0 && args[at + 1] === dir) name = sid >= 0 ? args[sid + 1] : 'master';
    else if (path.basename(args[0] || '') === 'shaddock-robot' && args[1] === 'run') name = 'robot';
    if (!name) continue;
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');  // fields from the third on
    out[name] = (out[name] || 0) + (Number(f[11]) + Number(f[12])) / TICKS;
  }
  return out;
}

// Percent of one core each process used between two cpuSeconds() samples `seconds` apart, busiest
// first.
function cpuPercent(before, after, seconds) {
  const out = {};
  for (const [name, s] of Object.entries(after))
    out[name] = Math.round(((s - (before[name] || 0)) / seconds) * 1000) / 10;
  return Object.fromEntries(Object.entries(out).sort((a, b) => b[1] - a[1]));
}

function busiest(cpu, n = 3) {
  return Object.entries(cpu || {}).slice(0, n).map(([k, v]) => `${k} ${v} %`).join(', ');
}

function loadAverage() {
  return os.loadavg().map((x) => Math.round(x * 100) / 100);
}

// Where the heroes stand when the measured run starts (`layout`):
// - "spawns" (the default): lordofpomelo's published test, "all roles in area 3 (ice) at 15 random
//   spawn points" (LORDOFPOMELO.md §9). The robots first create their heroes (and leave); the bench
//   then puts every hero at level 60 with that level's stats (the ice asks for level 50) at one of
//   15 seeded random points of its scene with ground free of collisions around it for the walk box
//   of the scenarios: walkers' points at least 400 px from every mob zone, fighters' within 200 px
//   of one (so that every fighter has mobs to attack); then the measured run. With `areas` > 1 the
//   heroes are dealt over that many scenes (ice, oasis, desert: one area process each).
// - "crowd": every hero where a new one is born, the birth place of scene 1 (125 x 128 px), level 1:
//   every player is in every other's AOI, so every move goes to all of them (the harshest case).
const ROOT_DATA = path.join(ROOT, 'apps', 'mmo', 'config', 'data');
const SCENE_ORDER = [3, 2, 1];  // ice first, as the published test
const SPAWN_SEED = 2013;

function table(name) {
  const rows = JSON.parse(fs.readFileSync(path.join(ROOT_DATA, name + '.json'), 'utf8'));
  const keys = rows[1];
  return rows.slice(2).map((r) => Object.fromEntries(keys.map((k, i) => [k, r[i]])));
}

// A small seeded generator (the same points on every run).
function seeded(seed) {
  return () => {
    seed = (seed + 0x6D2B79F5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

// `count` random points of scene `name` whose box (x -130..+130, y -90..+130: the scenarios' walk box
// around a hero placed up to 20 px off the point) is free of collisions. For walkers (`nearMobs`
// false) as far from the mob zones as the scene allows (400 px, else 300, 200, 0): a walker is not
// there to be fought. For fighters within 200 px of a mob zone: every fighter sees mobs to attack.
// Computed once per scene and kind for the whole run (every step places its heroes the same way).
const spawnCache = new Map();
function spawnPoints(name, { count = 15, nearMobs = false } = {}) {
  const key = `${name}/${count}/${nearMobs}`;
  if (!spawnCache.has(key)) spawnCache.set(key, findSpawnPoints(name, count, nearMobs));
  return spawnCache.get(key);
}

function findSpawnPoints(name, count, nearMobs) {
  const { sceneTiles, layerObjects, TILE } = require(path.join(ROOT, 'tests', 'mmo', 'scene_tiles.js'));
  const t = sceneTiles(name);
  const W = t.map.width * t.map.tilewidth, H = t.map.height * t.map.tileheight;
  const zones = layerObjects(t.map, 'mob');
  const free = (x, y) => {
    for (let tx = Math.floor((x - 130) / TILE); tx <= Math.floor((x + 130) / TILE); tx++)
      for (let ty = Math.floor((y - 90) / TILE); ty <= Math.floor((y + 130) / TILE); ty++)
        if (t.blocked.has(`${tx},${ty}`)) return false;
    return true;
  };
  // Distance from (x, y) to the nearest mob zone (0 inside one).
  const toMobs = (x, y) => Math.min(...zones.map((z) => Math.hypot(Math.max(z.x - x, 0, x - z.x - z.width),
                                                                   Math.max(z.y - y, 0, y - z.y - z.height))));
  const rules = nearMobs ? [(d) => d <= 200] : [400, 300, 200, 0].map((m) => (d) => d >= m);
  for (const [i, rule] of rules.entries()) {
    const rand = seeded(SPAWN_SEED + (nearMobs ? 1 : 0)), points = [];
    for (let n = 0; n < 200000 && points.length < count; n++) {
      const x = Math.round(200 + rand() * (W - 400)), y = Math.round(200 + rand() * (H - 400));
      if (free(x, y) && rule(toMobs(x, y))) points.push({ x, y });
    }
    if (points.length === count) return { points, rule: nearMobs ? 'within 200 px of a mob zone' : `${[400, 300, 200, 0][i]} px from mob zones` };
  }
  throw new Error(`scene ${name}: no ${count} free spawn points`);
}

// Which robots fight: all in "fight", the upper half in "mixed" (scenario() gives the lower half the
// walk loop), none in "walk".
function fights(mode, index, users) {
  return mode === 'fight' || (mode === 'mixed' && index >= Math.max(1, Math.floor(users / 2)));
}

// The robots create their heroes (and leave), then the bench deals them over `areas` scenes as the
// "spawns" layout says. Answers {scene id: {name, walk, fight}} (each spawnPoints()).
async function createHeroes(c, mode, users, ramp, areas, level = 60) {
  const s = scenario(c, mode, { users, duration: 60 + users / ramp, ramp });
  const cut = s.script.findIndex((st) => st.request === 'connector.roleHandler.createPlayer');
  s.script = s.script.slice(0, cut + 1);
  s.stayConnected = false;
  const r = await runRobot(s);
  if (!r.report || r.report.requests.failed) throw new Error('creating the heroes failed: ' + JSON.stringify(r.report && r.report.errors));
  const scenes = {};
  const names = Object.fromEntries(table('area').map((a) => [a.id, a.name]));
  for (const id of SCENE_ORDER.slice(0, areas))
    scenes[id] = { name: names[id], walk: spawnPoints(names[id]), fight: spawnPoints(names[id], { nearMobs: true }) };
  const kinds = Object.fromEntries(table('character').map((k) => [k.id, k]));
  const db = path.join(c.dir, 'data', 'mmo.db');
  const heroes = execFileSync('sqlite3', [db, 'SELECT id, kindId, name FROM player ORDER BY id;'], { encoding: 'utf8' }).trim().split('\n');
  const prefix = s.vars.prefix;
  const sql = ['BEGIN;'];
  for (const line of heroes) {
    const [id, kindId, name] = line.split('|');
    const index = Number(name.slice(prefix.length));
    const scene = SCENE_ORDER[index % areas];
    const pts = scenes[scene][fights(mode, index, users) ? 'fight' : 'walk'].points;
    const p = pts[Math.floor(index / areas) % pts.length];
    const x = p.x + ((index * 37) % 41) - 20, y = p.y + ((index * 53) % 41) - 20;
    const k = kinds[kindId];
    // lordofpomelo's level-up: every level adds round(upgradeParam x base) to each stat.
    const grown = (base) => base + (level - 1) * Math.round(k.upgradeParam * base);
    const hp = grown(k.hp), mp = grown(k.mp);
    sql.push(`UPDATE player SET areaId = ${scene}, x = ${x}, y = ${y}, level = ${level}, experience = 0, ` +
             `hp = ${hp}, maxHp = ${hp}, mp = ${mp}, maxMp = ${mp}, attackValue = ${grown(k.attackValue)}, ` +
             `defenceValue = ${grown(k.defenceValue)} WHERE id = ${Number(id)};`);
  }
  sql.push('COMMIT;');
  execFileSync('sqlite3', [db], { input: sql.join('\n') });
  return scenes;
}

// One capacity step: a fresh cluster, `users` robots of `mode` placed by `layout` over `areas`
// scenes, measured over the whole run (logins included), with every process's CPU.
async function measure(mode, users, { duration, ramp, layout = 'spawns', areas = 1 }) {
  if (layout === 'crowd' && areas !== 1) throw new Error('the crowd layout is one scene (the birth place of scene 1)');
  const c = await startCluster();
  try {
    let spawns = null;
    // Heroes are made at the default pace whatever the measured ramp: their creation is not measured.
    if (layout === 'spawns') spawns = await createHeroes(c, mode, users, Math.max(20, Math.ceil(users / 20)), areas);
    const loadBefore = loadAverage();
    const t0 = Date.now(), cpu0 = cpuSeconds(c.dir);
    const r = await runRobot(scenario(c, mode, { users, duration, ramp }), { onExit: () => cpuSeconds(c.dir) });
    if (!r.report) throw new Error(`robot gave no report (exit ${r.code}): ${r.stderr.slice(-2000)}`);
    const cpu = cpuPercent(cpu0, r.cpuAtExit, (Date.now() - t0) / 1000);
    const scenes = execFileSync('sqlite3', [path.join(c.dir, 'data', 'mmo.db'), 'SELECT areaId, count(*) FROM player GROUP BY areaId;'],
                                { encoding: 'utf8' }).trim().split('\n').join(', ');
    return Object.assign({ mode, users, layout, areas, scenes, exitCode: r.code, loadBefore, loadAfter: loadAverage(), cpuPercent: cpu },
                         spawns ? { spawns: Object.values(spawns).map((v) => ({ scene: v.name, walkers: v.walk.rule, fighters: v.fight.rule })) } : {},
                         judge(r.report));
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
async function search(mode, { start, factor, max, duration, ramp: rampRate = 0, areas = 1, layout = 'spawns', retries = 1, log = console.log }) {
  const steps = [];
  let best = 0;
  for (let users = start; users <= max; users = Math.ceil(users * factor)) {
    // A 20 s ramp up to 1,000 users, then at most 50 logins a second (lordofpomelo's robots logged
    // in 4.5 a second: nine proxies, one role every 2 s each).
    const ramp = rampRate || Math.min(50, Math.max(20, Math.ceil(users / 20)));
    let ok = false;
    for (let attempt = 0; attempt <= retries && !ok; attempt++) {
      const m = await measure(mode, users, { duration: duration + users / ramp, ramp, layout, areas });
      steps.push(m);
      ok = passes(m);
      const refusals = m.refused ? ` (${m.refused} refused: ${(m.strictSuccess * 100).toFixed(2)} % ok)` : '';
      log(`  ${mode}${layout === 'crowd' ? ' (crowd)' : ''}${areas > 1 ? ` over ${areas} scenes` : ''} ${users} users: success ${(m.success * 100).toFixed(2)} %${refusals}, ` +
          `game p99 ${m.gameP99Ms.toFixed(1)} ms, game requests ${m.gameOk + m.gameFailed + m.gameRefused}, pushes/s ${m.pushesPerSecond}, peak ${m.peakUsers}, ` +
          `load ${m.loadAfter.join(' ')}; busiest: ${busiest(m.cpuPercent)}${ok ? '' : '  (over the limit)'}`);
    }
    if (!ok) break;
    best = users;
  }
  return { mode, areas, layout, maxUsers: best, steps };
}

module.exports = { startCluster, scenario, runRobot, judge, measure, createHeroes, spawnPoints, search, passes, loadAverage };

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
  const fi = args.indexOf('--factor');
  const ri = args.indexOf('--ramp');
  const li = args.indexOf('--layout');
  const layout = li >= 0 ? args[li + 1] : 'spawns';
  if (!['spawns', 'crowd'].includes(layout)) throw new Error('--layout: spawns or crowd');
  (async () => {
    const out = { machine: { cpus: os.cpus().length, started: new Date().toISOString(), loadAtStart: loadAverage() }, results: [] };
    for (const mode of modes)
      out.results.push(await search(mode, Object.assign(quick ? { start: 10, factor: 2, max: 20, duration: 10 }
                                                              : { start: 500, factor: 2, max: 8000, duration: 20 },
                                                        { areas, layout }, si >= 0 ? { start: Number(args[si + 1]) } : {},
                                                        xi >= 0 ? { max: Number(args[xi + 1]) } : {},
                                                        fi >= 0 ? { factor: Number(args[fi + 1]) } : {},
                                                        ri >= 0 ? { ramp: Number(args[ri + 1]) } : {})));
    out.machine.loadAtEnd = loadAverage();
    const text = JSON.stringify(out, null, 1);
    if (oi >= 0) fs.writeFileSync(args[oi + 1], text);
    else console.log(text);
  })().catch((e) => { console.error(e); process.exit(1); });
}
