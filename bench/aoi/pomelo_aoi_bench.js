// The workload of aoi_bench.cpp in the npm pomelo-aoi 0.3.34, step for step: the same mulberry32
// generator, walkers, map and options, so both see the same moves and must count the same events.
// One update is updateObject then updateWatcher, each 'update' event turned into its entered / left
// watchers as lordofpomelo's aoiEventManager does (the work an app needs to get the sets that
// shd::aoi returns); 'updateWatcher' carries its lists already. Prints one JSON line.
//
//   node pomelo_aoi_bench.js [--entities N] [--rounds R] [--warmup W] [--width px] [--height px]
//                            [--tower px] [--range r] [--seed S] [--min-ms T]
// Events are counted over the R timed rounds; timing goes on over further rounds until T ms passed.
'use strict';
const pomeloAoi = require('./pomelo_aoi');

const o = { entities: 10000, rounds: 50, warmup: 3, width: 20000, height: 20000, tower: 300, range: 2, seed: 1, 'min-ms': 2000 };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const name = argv[i].replace(/^--/, '');
  if (!(name in o) || i + 1 >= argv.length) throw new Error(`pomelo_aoi_bench: bad argument ${argv[i]}`);
  o[name] = Number(argv[++i]);
}

const lib = pomeloAoi.load();
if (!lib) throw new Error(`pomelo-aoi is not installed: run npm ci in ${pomeloAoi.REFERENCE}`);

let a = o.seed >>> 0;
function next() {
  a = (a + 0x6D2B79F5) | 0;
  let t = Math.imul(a ^ (a >>> 15), 1 | a);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return (t ^ (t >>> 14)) >>> 0;
}
const rand = (lo, hi) => lo + (next() % (hi - lo + 1));

const service = lib.getService({ width: o.width, height: o.height, towerWidth: o.tower, towerHeight: o.tower });
let objectEvents = 0, watcherEvents = 0;
service.aoi.on('update', (e) => {
  const entered = [], left = [];
  for (const type in e.newWatchers) {
    const before = e.oldWatchers[type] || {};
    for (const id in e.newWatchers[type]) if (!(id in before)) entered.push(e.newWatchers[type][id]);
  }
  for (const type in e.oldWatchers) {
    const after = e.newWatchers[type] || {};
    for (const id in e.oldWatchers[type]) if (!(id in after)) left.push(e.oldWatchers[type][id]);
  }
  objectEvents += entered.length + left.length;
});
service.aoi.on('updateWatcher', (e) => { watcherEvents += e.addObjs.length + e.removeObjs.length; });

const walkers = [];
for (let i = 0; i < o.entities; i++) {
  const w = { x: rand(0, o.width - 1), y: rand(0, o.height - 1), vx: rand(-30, 30), vy: rand(-30, 30) };
  w.entity = { id: i + 1, type: 'player' };
  w.pos = { x: w.x, y: w.y };
  walkers.push(w);
  service.addObject(w.entity, w.pos);
  service.addWatcher(w.entity, w.pos, o.range);
}

let failures = 0;
function round() {
  for (const w of walkers) {
    if (next() % 50 === 0) {
      w.vx = rand(-30, 30);
      w.vy = rand(-30, 30);
    }
    w.x += w.vx;
    w.y += w.vy;
    if (w.x < 0) { w.x = -w.x; w.vx = -w.vx; }
    if (w.x >= o.width) { w.x = 2 * (o.width - 1) - w.x; w.vx = -w.vx; }
    if (w.y < 0) { w.y = -w.y; w.vy = -w.vy; }
    if (w.y >= o.height) { w.y = 2 * (o.height - 1) - w.y; w.vy = -w.vy; }
    const pos = { x: w.x, y: w.y };
    if (service.updateObject(w.entity, w.pos, pos) === false) failures++;
    if (service.updateWatcher(w.entity, w.pos, pos, o.range, o.range) === false) failures++;
    w.pos = pos;
  }
}
for (let r = 0; r < o.warmup; r++) round();
objectEvents = watcherEvents = 0;
const t0 = process.hrtime.bigint();
const elapsed = () => Number(process.hrtime.bigint() - t0) / 1e9;
for (let r = 0; r < o.rounds; r++) round();
const counted = [objectEvents, watcherEvents];
let rounds = o.rounds;
for (; elapsed() * 1000 < o['min-ms']; rounds++) round();  // longer, for a steadier figure
const seconds = elapsed();
const updates = o.entities * rounds;
[objectEvents, watcherEvents] = counted;
console.log(JSON.stringify({ impl: `pomelo-aoi ${pomeloAoi.version()}`, node: process.version, entities: o.entities, updates,
                             seconds, updatesPerSecond: Math.round(updates / seconds), objectEvents, watcherEvents, failures }));
process.exit(failures ? 1 : 0);
