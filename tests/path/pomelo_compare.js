#!/usr/bin/env node
// shd::path against the npm pomelo-pathfinding 0.1.0 package: path_driver prints seeded random maps
// (four and eight neighbours, weights 1 or blocked, and weighted ones), the map built from our test
// Tiled map, and this library's answer to each query; this script gives pomelo-pathfinding the same
// map (getWeight/forAllReachable with the same neighbour rule) and queries, and checks that
//   * both find a path, or neither does (a start outside the map is ours alone to refuse: the npm
//     package walks off any start, so those queries are checked on our side only),
//   * the costs are equal (to 1e-9, relative), except where pomelo-pathfinding's heap defect gives
//     it a longer path (then its path must be a real one of the cost it says, and rare),
//   * our path is a real one: from start to goal, each step to an allowed neighbour, and its cost is
//     the sum of the entered tiles' weights times the step lengths.
// Environment: SHADDOCK_PATH_DRIVER (the driver binary). Exit 77 (skipped) without `npm ci` in
// tests/game/reference.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { Checks, requiredEnv } = require('../../tools/node/util');

const reference = path.join(__dirname, '..', 'game', 'reference', 'node_modules', 'pomelo-pathfinding');
let buildFinder;
try {
  ({ buildFinder } = require(reference));
} catch (e) {
  console.log('SKIPPED: pomelo-pathfinding is not installed (npm ci in tests/game/reference): ' + e.message);
  process.exit(77);
}

const driver = requiredEnv('SHADDOCK_PATH_DRIVER');
const tiled = path.join(__dirname, 'data', 'test_map.json');
const run = spawnSync(driver, ['--tiled', tiled, ...process.argv.slice(2)], { encoding: 'utf8', maxBuffer: 1 << 28 });
if (run.status !== 0) {
  console.error(run.stderr);
  console.error(`path_driver exited with ${run.status}`);
  process.exit(1);
}

// The same grid as the C++ Grid: weights row-major, 0 = blocked; the same neighbour rule and order.
function pomeloMap(m) {
  const weightAt = (x, y) => {
    if (x < 0 || y < 0 || x >= m.width || y >= m.height) return Infinity;
    const w = m.weights[y * m.width + x];
    return w === 0 ? Infinity : w;
  };
  const dirs = [[0, -1], [0, 1], [-1, 0], [1, 0], [-1, -1], [1, -1], [-1, 1], [1, 1]];
  return {
    weightAt,
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

const close = (a, b) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

function checkOurPath(m, map, q) {
  const t = q.tiles;
  const n = t.length / 2;
  if (n < 1) throw new Error('found, but no tiles');
  if (t[0] !== q.start[0] || t[1] !== q.start[1]) throw new Error('does not begin at the start');
  if (t[2 * n - 2] !== q.goal[0] || t[2 * n - 1] !== q.goal[1]) throw new Error('does not end at the goal');
  let cost = 0;
  for (let i = 1; i < n; i++) {
    const x0 = t[2 * i - 2], y0 = t[2 * i - 1], x = t[2 * i], y = t[2 * i + 1];
    const dx = Math.abs(x - x0), dy = Math.abs(y - y0);
    let allowed = false;
    map.forAllReachable(x0, y0, (nx, ny, w) => { if (nx === x && ny === y && w !== Infinity) allowed = true; });
    if (!allowed || dx > 1 || dy > 1) throw new Error(`step ${i} (${x0},${y0})->(${x},${y}) is not allowed`);
    cost += map.weightAt(x, y) * Math.sqrt(dx * dx + dy * dy);
  }
  if (!close(cost, q.cost)) throw new Error(`the tiles cost ${cost}, the answer says ${q.cost}`);
}

const checks = new Checks();
const maps = new Map();
let queries = 0, found = 0, npmOnly = 0, blockedGoals = 0, blockedStarts = 0, outside = 0;
let ourExpanded = 0;
const mismatches = [];
const longer = [];  // pomelo-pathfinding's path costs more than ours (its heap defect)
for (const line of run.stdout.split('\n')) {
  if (!line) continue;
  const o = JSON.parse(line);
  if (o.weights) {
    const map = pomeloMap(o);
    maps.set(o.map, { m: o, map, finder: buildFinder(map) });
    continue;
  }
  const { m, map, finder } = maps.get(o.map);
  queries++;
  const label = `map ${o.map} (${m.width}x${m.height}, ${m.neighbours} neighbours) ${JSON.stringify(o.start)} -> ${JSON.stringify(o.goal)}`;
  const startOutside = map.weightAt(o.start[0], o.start[1]) === Infinity &&
    (o.start[0] < 0 || o.start[1] < 0 || o.start[0] >= m.width || o.start[1] >= m.height);
  const goalOutside = o.goal[0] < 0 || o.goal[1] < 0 || o.goal[0] >= m.width || o.goal[1] >= m.height;
  try {
    if (startOutside || goalOutside) {
      outside++;
      if (o.status !== 'out_of_map') throw new Error(`ours: ${o.status}, expected out_of_map`);
      if (goalOutside && !startOutside && finder(o.start[0], o.start[1], o.goal[0], o.goal[1]) !== null) {
        throw new Error('pomelo-pathfinding found a path to a goal outside the map');
      }
      continue;
    }
    if (map.weightAt(o.goal[0], o.goal[1]) === Infinity) blockedGoals++;
    if (map.weightAt(o.start[0], o.start[1]) === Infinity) blockedStarts++;
    const theirs = finder(o.start[0], o.start[1], o.goal[0], o.goal[1]);
    if (theirs === null) {
      if (o.status === 'found') throw new Error(`ours found a path of cost ${o.cost}, pomelo-pathfinding none`);
      continue;
    }
    if (o.status !== 'found') {
      npmOnly++;
      throw new Error(`pomelo-pathfinding found a path of cost ${theirs.cost}, ours: ${o.status}`);
    }
    found++;
    ourExpanded += o.expanded;
    checkOurPath(m, map, o);
    if (close(theirs.cost, o.cost)) continue;
    // pomelo-pathfinding keeps a tile object in its heap and lowers that object's priority in place
    // when it finds a cheaper way to it, which breaks the heap's order; now and then it then expands
    // tiles out of order and returns a longer path than the cheapest (docs/path.md). Such an answer
    // is accepted only if it is a real path of the cost it states and costs more than ours (ours is
    // the cheapest: path_unit checks it against Dijkstra, and checkOurPath above checks the path).
    const theirPath = { start: o.start, goal: o.goal, cost: theirs.cost, tiles: theirs.paths.flatMap((t) => [t.x, t.y]) };
    checkOurPath(m, map, theirPath);
    if (theirs.cost > o.cost) longer.push(`${label}: ours ${o.cost}, pomelo-pathfinding ${theirs.cost}`);
    else mismatches.push(`${label}: ours ${o.cost}, pomelo-pathfinding ${theirs.cost} (cheaper than ours)`);
  } catch (e) {
    checks.fail(label, e.message);
  }
}
if (longer.length) {
  console.log(`pomelo-pathfinding returned a longer path than the cheapest in ${longer.length} case(s):\n  ` + longer.join('\n  '));
}
console.log(`${maps.size} maps, ${queries} queries: ${found} paths found by both, ${blockedGoals} blocked goals, ` +
  `${blockedStarts} blocked starts, ${outside} with an end outside the map`);
(async () => {
await checks.run('every answer agrees with pomelo-pathfinding (found or not, and the cost)', () => {
  if (mismatches.length) throw new Error(`${mismatches.length} cost(s) differ:\n  ` + mismatches.slice(0, 20).join('\n  '));
});
await checks.run('pomelo-pathfinding\'s longer paths are rare (its heap defect, at most 1% of the paths)', () => {
  if (longer.length > found / 100) throw new Error(`${longer.length} of ${found}: more than a defect that rare explains`);
});
await checks.run('the comparison covered paths, blocked ends and ends outside the map', () => {
  if (found < 500 || blockedGoals < 20 || blockedStarts < 20 || outside < 20) {
    throw new Error(`too few cases: ${found} found, ${blockedGoals} blocked goals, ${blockedStarts} blocked starts, ${outside} outside`);
  }
});
checks.finish();
})();
