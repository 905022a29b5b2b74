// A scene's collision objects (apps/mmo/config/map/<name>.json) turned into blocked 20 px tiles as the
// area server does (LORDOFPOMELO.md §5): a rectangle blocks every tile it overlaps; a polygon blocks
// each tile of its bounding box where one of four samples (centre +-5 px) lies inside it. Used by the
// client path finder's test and by the capacity bench (bench/mmo) to find free ground.
'use strict';
const fs = require('fs');
const path = require('path');
const { PathMap } = require('../../apps/mmo/web-server/public/js/pathfind.js');

const MAPS = path.join(__dirname, '..', '..', 'apps', 'mmo', 'config', 'map');
const TILE = 20;

// A PathMap of `cols` x `rows` tiles with the blocked tiles given as "x,y" strings.
function gridMap(cols, rows, blocked) {
  const set = new Set(blocked), wm = [];
  for (let x = 0; x < cols; x++) {
    const runs = [];
    for (let y = 0; y < rows; y++) {
      if (!set.has(`${x},${y}`)) continue;
      const last = runs[runs.length - 1];
      if (last && last.start + last.length === y) last.length++;
      else runs.push({ start: y, length: 1 });
    }
    wm.push({ collisions: runs });
  }
  return new PathMap({ width: cols * TILE, height: rows * TILE, tileW: TILE, tileH: TILE, weightMap: wm });
}

function inside(poly, x, y) {
  let c = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++)
    if ((poly[i].y > y) !== (poly[j].y > y) && x < (poly[j].x - poly[i].x) * (y - poly[i].y) / (poly[j].y - poly[i].y) + poly[i].x) c = !c;
  return c;
}

// The scene `name` (desert, oasis, ice, ...): {map (the Tiled JSON), pathMap, blocked (a Set of "x,y")}.
function sceneTiles(name) {
  const map = JSON.parse(fs.readFileSync(path.join(MAPS, name + '.json'), 'utf8'));
  const width = map.width * map.tilewidth, height = map.height * map.tileheight;
  const cols = Math.ceil(width / TILE), rows = Math.ceil(height / TILE), blocked = new Set();
  for (const layer of map.layers) {
    if (layer.name !== 'collision') continue;
    for (const o of layer.objects) {
      if (o.polygon) {
        const poly = o.polygon.map((p) => ({ x: o.x + p.x, y: o.y + p.y }));
        const xs = poly.map((p) => p.x), ys = poly.map((p) => p.y);
        for (let tx = Math.floor(Math.min(...xs) / TILE); tx <= Math.floor(Math.max(...xs) / TILE); tx++)
          for (let ty = Math.floor(Math.min(...ys) / TILE); ty <= Math.floor(Math.max(...ys) / TILE); ty++) {
            const cx = tx * TILE + 10, cy = ty * TILE + 10;
            if ([[-5, -5], [5, -5], [-5, 5], [5, 5]].some(([dx, dy]) => inside(poly, cx + dx, cy + dy))) blocked.add(`${tx},${ty}`);
          }
      } else {
        for (let tx = Math.floor(o.x / TILE); tx < Math.ceil((o.x + o.width) / TILE); tx++)
          for (let ty = Math.floor(o.y / TILE); ty < Math.ceil((o.y + o.height) / TILE); ty++) blocked.add(`${tx},${ty}`);
      }
    }
  }
  return { map, blocked, pathMap: gridMap(cols, rows, [...blocked]) };
}

// The objects of one layer of a scene's map (birth, mob, npc, collision).
function layerObjects(map, name) {
  const layer = map.layers.find((l) => l.name === name);
  return layer ? layer.objects : [];
}

module.exports = { gridMap, sceneTiles, layerObjects, TILE };
