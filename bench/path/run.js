#!/usr/bin/env node
// Path finding, shd::path against pomelo-pathfinding 0.1.0 on the same map and queries, in one run:
// a seeded 200 x 200 tile map (a quarter of the tiles blocked, in short walls; weights 1 or blocked,
// as Lord of Pomelo's maps), 500 queries between walkable tiles, with four neighbours (Lord of
// Pomelo's rule) and with eight. Prints paths/s for both and the ratio. Both must find the same costs,
// except pomelo-pathfinding's longer paths (its heap defect, docs/path.md), which are counted; this
// is a benchmark, not a test: nothing is asserted about the figures.
//
//   node bench/path/run.js [--quick] [--size N] [--queries N] [--min-seconds S]
// Needs the build (SHADDOCK_BUILD_DIR, default <repo>/build: bin/shd_path_bench, or
// SHADDOCK_PATH_BENCH) and `npm ci` in tests/game/reference.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');
let buildFinder;
try {
  ({ buildFinder } = require(path.join(root, 'tests', 'game', 'reference', 'node_modules', 'pomelo-pathfinding')));
} catch (e) {
  console.log('SKIPPED: pomelo-pathfinding is not installed (npm ci in tests/game/reference, or tools/dev.sh setup)');
  process.exit(77);
}

const o = { size: 200, queries: 500, minSeconds: 1 };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const value = () => Number(argv[++i]);
  if (argv[i] === '--quick') Object.assign(o, { queries: 100, minSeconds: 0.1 });
  else if (argv[i] === '--size') o.size = value();
  else if (argv[i] === '--queries') o.queries = value();
  else if (argv[i] === '--min-seconds') o.minSeconds = value();
  else throw new Error(`unknown option ${argv[i]}`);
}
const build = process.env.SHADDOCK_BUILD_DIR || path.join(root, 'build');
const bench = process.env.SHADDOCK_PATH_BENCH || path.join(build, 'bin', 'shd_path_bench');

function pomeloMap(m) {
  const weights = new Float64Array(m.width * m.height).fill(1);
  for (const i of m.blocked) weights[i] = Infinity;
  const weightAt = (x, y) => (x < 0 || y < 0 || x >= m.width || y >= m.height ? Infinity : weights[y * m.width + x]);
  const dirs = [[0, -1], [0, 1], [-1, 0], [1, 0], [-1, -1], [1, -1], [-1, 1], [1, 1]];
  return {
    getWeight: weightAt,
    forAllReachable(x, y, visit) {
      for (let i = 0; i < m.neighbours; i++) {
        const nx = x + dirs[i][0], ny = y + dirs[i][1];
        if (nx < 0 || ny < 0 || nx >= m.width || ny >= m.height) continue;
        if (i >= 4 && (weightAt(nx, y) === Infinity || weightAt(x, ny) === Infinity)) continue;
        visit(nx, ny, weightAt(nx, ny));
      }
    },
  };
}

// One timed run of ours (a process) and one of pomelo-pathfinding (in this process) on the same map
// and queries; rows() alternates them and keeps each side's best, so that load from elsewhere on a
// shared machine hits both sides alike rather than whichever ran at the wrong moment.
function runOurs(neighbours, seconds) {
  const file = path.join(os.tmpdir(), `shd-path-bench-${process.pid}-${neighbours}.json`);
  const run = spawnSync(bench, ['--out', file, '--size', String(o.size), '--queries', String(o.queries),
    '--neighbours', String(neighbours), '--min-seconds', String(seconds)], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (run.error || run.status !== 0) {
    throw new Error(`${bench}: ${run.error ? run.error.message : `exit ${run.status}: ${run.stderr}`}` +
      ' (build it: cmake --build build --target shd_path_bench)');
  }
  const ours = JSON.parse(run.stdout);
  const m = JSON.parse(fs.readFileSync(file, 'utf8'));
  fs.unlinkSync(file);
  return { ours, m };
}

function timeTheirs(finder, queries, seconds) {
  let rounds = 0, elapsed = 0;
  const t0 = process.hrtime.bigint();
  do {
    for (const [sx, sy, gx, gy] of queries) finder(sx, sy, gx, gy);
    rounds++;
    elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  } while (elapsed < seconds);
  return queries.length * rounds / elapsed;
}

function row(neighbours) {
  const turns = 3, seconds = o.minSeconds / turns;
  const { ours, m } = runOurs(neighbours, seconds);
  const finder = buildFinder(pomeloMap(m));
  const costs = m.queries.map(([sx, sy, gx, gy]) => {  // the first round, also the JIT's warm-up
    const r = finder(sx, sy, gx, gy);
    return r ? r.cost : -1;
  });
  let best = ours.paths_per_second, theirs = timeTheirs(finder, m.queries, seconds);
  for (let turn = 1; turn < turns; turn++) {
    best = Math.max(best, runOurs(neighbours, seconds).ours.paths_per_second);
    theirs = Math.max(theirs, timeTheirs(finder, m.queries, seconds));
  }
  // pomelo-pathfinding's heap defect (docs/path.md) makes some of its paths longer than the cheapest:
  // counted. Any other difference (found by one side only, or ours longer) is an error.
  let longer = 0, wrong = 0;
  costs.forEach((c, i) => {
    const c2 = ours.costs[i];
    if (Math.abs(c - c2) <= 1e-9 * Math.max(1, Math.abs(c))) return;
    if (c > c2 && c2 >= 0) longer++;
    else wrong++;
  });
  return { neighbours, queries: m.queries.length, found: ours.found, ours: best, theirs, longer, wrong,
           expanded: ours.expanded_per_query };
}

const rows = [row(4), row(8)];
const fmt = (n) => Math.round(n).toLocaleString('en-US');
console.log(`path finding: ${o.size} x ${o.size} tiles, 25% blocked, ${o.queries} queries between walkable tiles ` +
  `(the same for both), node ${process.version}, ${os.cpus()[0].model}`);
console.log('| neighbours | paths found | shd::path paths/s | pomelo-pathfinding 0.1.0 paths/s | ratio | npm paths longer than the cheapest |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.neighbours} | ${r.found}/${r.queries} | ${fmt(r.ours)} | ${fmt(r.theirs)} | ` +
    `${(r.ours / r.theirs).toFixed(1)}x | ${r.longer} |`);
}
console.log(`shd::path expands ${rows.map((r) => `${fmt(r.expanded)} tiles per query with ${r.neighbours} neighbours`).join(', ')}.`);
for (const r of rows.filter((x) => x.wrong)) {
  console.log(`ERROR: ${r.wrong} answer(s) with ${r.neighbours} neighbours differ otherwise (found by one side only, or ours longer)`);
}
process.exit(rows.some((r) => r.wrong) ? 1 : 0);
