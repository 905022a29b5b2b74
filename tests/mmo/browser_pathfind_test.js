// The browser client's path finder (apps/mmo/web-server/public/js/pathfind.js) on its own: the
// weightMap decoding, exact start and end points, detours around walls, no path into or out of a
// blocked tile, no corner cutting, compressed paths, and on the real desert map (its collision
// rectangles and polygons turned into a weightMap here) random walks whose every segment is clear.
// Run by CTest (mmo_browser_pathfind).
'use strict';
const assert = require('assert');
const { Checks } = require('../../tools/node/util');
const { gridMap: grid, sceneTiles } = require('./scene_tiles');

const checks = new Checks();

function assertWalkable(pm, p) {
  for (let i = 1; i < p.length; i++) assert(pm.segmentClear(p[i - 1], p[i]), `segment ${i} blocked: ${JSON.stringify(p)}`);
  for (let i = 2; i < p.length; i++) {
    const [a, b, c] = [p[i - 2], p[i - 1], p[i]];
    assert(Math.abs((b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x)) > 1e-6, 'collinear points left in ' + JSON.stringify(p));
  }
}

async function main() {
  await checks.run('the weightMap runs block exactly their tiles', () => {
    const pm = grid(5, 5, ['2,1', '2,2', '2,3', '4,0']);
    assert.deepStrictEqual([pm.tileBlocked(2, 0), pm.tileBlocked(2, 1), pm.tileBlocked(2, 3), pm.tileBlocked(2, 4), pm.tileBlocked(4, 0)], [false, true, true, false, true]);
    assert(!pm.reachable(-1, 5) && !pm.reachable(100, 5) && !pm.reachable(50, 30) && pm.reachable(50, 5));
  });

  await checks.run('a clear line is two points: the exact start and end', () => {
    const pm = grid(10, 10, []);
    assert.deepStrictEqual(pm.findPath({ x: 13.5, y: 17 }, { x: 181, y: 122 }).path, [{ x: 13.5, y: 17 }, { x: 181, y: 122 }]);
  });

  await checks.run('a wall is walked around, keeping the exact endpoints', () => {
    const wall = [];
    for (let y = 0; y < 9; y++) wall.push(`5,${y}`);
    const pm = grid(10, 10, wall);
    const r = pm.findPath({ x: 15, y: 15 }, { x: 185, y: 13 });
    assert(r && r.path.length >= 3, JSON.stringify(r));
    assert.deepStrictEqual(r.path[0], { x: 15, y: 15 });
    assert.deepStrictEqual(r.path[r.path.length - 1], { x: 185, y: 13 });
    assert(r.path.some((q) => q.y >= 180), 'does not pass the gap at the bottom');
    assertWalkable(pm, r.path);
    assert(Math.abs(r.cost - r.path.reduce((d, q, i) => (i ? d + Math.hypot(q.x - r.path[i - 1].x, q.y - r.path[i - 1].y) : 0), 0)) < 1e-6);
  });

  await checks.run('no path to or from a blocked tile, off the map, or into a closed room', () => {
    const room = ['4,4', '5,4', '6,4', '4,5', '6,5', '4,6', '5,6', '6,6'];
    const pm = grid(10, 10, room.concat(['0,9']));
    assert.strictEqual(pm.findPath({ x: 10, y: 10 }, { x: 110, y: 110 }), null);  // inside the room
    assert.strictEqual(pm.findPath({ x: 10, y: 10 }, { x: 10, y: 190 }), null);   // a blocked tile
    assert.strictEqual(pm.findPath({ x: 10, y: 190 }, { x: 10, y: 10 }), null);
    assert.strictEqual(pm.findPath({ x: 10, y: 10 }, { x: 250, y: 10 }), null);   // off the map
  });

  await checks.run('no segment slips between two tiles that touch at a corner', () => {
    const pm = grid(4, 4, ['1,1', '2,2']);
    assert(!pm.segmentClear({ x: 30, y: 50 }, { x: 50, y: 30 }), 'cut between the diagonal pair');
    const r = pm.findPath({ x: 30, y: 50 }, { x: 50, y: 30 });
    assert(r, 'no path around');
    assertWalkable(pm, r.path);
  });

  await checks.run('random walks on the real desert map: every path walkable, endpoints exact', () => {
    const pm = desertMap();
    let seed = 7, found = 0;
    const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
    const point = () => { for (;;) { const p = { x: Math.floor(rnd() * pm.width), y: Math.floor(rnd() * pm.height) }; if (pm.reachable(p.x, p.y)) return p; } };
    for (let i = 0; i < 150; i++) {
      const a = point(), b = { x: Math.min(pm.width - 1, Math.max(0, a.x + Math.floor((rnd() - 0.5) * 1600))), y: Math.min(pm.height - 1, Math.max(0, a.y + Math.floor((rnd() - 0.5) * 1200))) };
      if (!pm.reachable(b.x, b.y)) continue;
      const r = pm.findPath(a, b);
      if (!r) continue;
      found++;
      assert.deepStrictEqual([r.path[0], r.path[r.path.length - 1]], [a, b]);
      assertWalkable(pm, r.path);
    }
    assert(found > 60, 'only ' + found + ' paths found');
  });
  checks.finish();
}

// The desert's collision objects as the server turns them into tiles (tests/mmo/scene_tiles.js).
function desertMap() {
  const { pathMap, blocked } = sceneTiles('desert');
  assert(blocked.size > 100, 'the desert has only ' + blocked.size + ' blocked tiles');
  return pathMap;
}

main();
