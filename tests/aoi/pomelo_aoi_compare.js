// shd::aoi::TowerAoi against the npm pomelo-aoi 0.3.34 package, on the same worlds and operations.
// aoi_trace (SHADDOCK_AOI_TRACE) drives TowerAoi through a random world and prints each operation with
// its answer; this script replays every operation in pomelo-aoi, as a Pomelo caller would (keeping
// each entity's position and range to pass back), and checks, operation by operation:
//   refused or not                 (pomelo-aoi returns false; addWatcher/removeWatcher return nothing)
//   moved                          whether pomelo-aoi emitted its event ('add', 'remove', 'update',
//                                  'updateWatcher')
//   entered / left                 'add' watchers, 'remove' watchers, the differences of 'update''s
//                                  newWatchers and oldWatchers, 'updateWatcher''s addObjs / removeObjs
//   getIdsByPos, getIdsByRange, getWatchers   the same ids (and types) at random positions
// as sets (neither side promises an order). Types are numbers here and strings 't<n>' in pomelo-aoi.
// Usage: node pomelo_aoi_compare.js [worlds] [operations per world]
'use strict';
const { spawnSync } = require('node:child_process');
const { requiredEnv } = require('../../tools/node/util');
const pomeloAoi = require('../../bench/aoi/pomelo_aoi');

const aoiLib = pomeloAoi.load();
if (!aoiLib) {
  console.log(`SKIPPED: pomelo-aoi is not installed (npm ci in ${pomeloAoi.REFERENCE})`);
  process.exit(77);
}
const TRACE = requiredEnv('SHADDOCK_AOI_TRACE');
const WORLDS = Number(process.argv[2] || 10);
const OPS = Number(process.argv[3] || 10000);

const typeName = (t) => 't' + t;
const typeNumber = (name) => Number(name.slice(1));
const key = ([id, type]) => `${id}:${type}`;
const refSet = (refs) => refs.map(key).sort().join(' ');
const idSet = (ids) => ids.map(Number).sort((a, b) => a - b).join(' ');
// { type: { id: id } } (a tower's watchers, getWatchers) -> [[id, type]]
const fromTypeMap = (map) => {
  const out = [];
  for (const type of Object.keys(map || {})) for (const k of Object.keys(map[type])) out.push([map[type][k], typeNumber(type)]);
  return out;
};
const minus = (a, b) => {
  const inB = new Set(b.map(key));
  return a.filter((r) => !inB.has(key(r)));
};

const totals = { ops: 0, events: 0, nonEmpty: 0, queries: 0, refused: 0 };
const failures = [];

function replayWorld(seed) {
  const r = spawnSync(TRACE, [String(seed), String(OPS)], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`aoi_trace ${seed} exited with ${r.status}: ${r.stderr}`);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  const world = lines.shift().world;
  const service = aoiLib.getService({ width: world.width, height: world.height, towerWidth: world.towerWidth, towerHeight: world.towerHeight });
  let event = null;
  for (const name of ['add', 'remove', 'update', 'updateWatcher']) service.aoi.on(name, (e) => { event = { name, e }; });
  const objects = new Map();  // id -> { type, pos }
  const watchers = new Map(); // id -> { type, pos, range }

  lines.forEach((op, index) => {
    const where = `world ${seed} (${JSON.stringify(world)}), line ${index + 2}: ${JSON.stringify(op)}`;
    const fail = (what, ours, theirs) => failures.push(`${where}\n  ${what}: ours ${ours}, pomelo-aoi ${theirs}`);
    const same = (what, ours, theirs) => { if (ours !== theirs) fail(what, ours, theirs); };
    const pos = { x: op.x, y: op.y };
    const ok = op.status === 'ok';
    event = null;
    totals.ops++;
    if (!ok) totals.refused++;
    if (op.op === 'addObject' || op.op === 'removeObject' || op.op === 'updateObject') {
      const obj = { id: op.id, type: typeName(op.type) };
      let refused, entered = [], left = [];
      if (op.op === 'addObject') {
        refused = service.addObject(obj, pos) === false;
        if (event) entered = fromTypeMap(event.e.watchers);
        if (!refused) objects.set(op.id, { pos });
      } else if (op.op === 'removeObject') {
        refused = service.removeObject(obj, objects.get(op.id).pos) === false;
        if (event) left = fromTypeMap(event.e.watchers);
        objects.delete(op.id);
      } else {
        refused = service.updateObject(obj, objects.get(op.id).pos, pos) === false;
        if (event) {
          const now = fromTypeMap(event.e.newWatchers), before = fromTypeMap(event.e.oldWatchers);
          entered = minus(now, before);
          left = minus(before, now);
        }
        if (!refused) objects.get(op.id).pos = pos;
      }
      same('refused', !ok, refused);
      same('event emitted', op.moved, event !== null);
      same('entered watchers', refSet(op.entered), refSet(entered));
      same('left watchers', refSet(op.left), refSet(left));
    } else if (op.op === 'addWatcher') {
      // pomelo-aoi answers nothing here; the queries below see what it did.
      service.addWatcher({ id: op.id, type: typeName(op.type) }, pos, op.range);
      same('event emitted', false, event !== null);
      if (ok) watchers.set(op.id, { type: op.type, pos, range: op.range });
      else same('refusal explained (only a negative range)', 'bad_range', op.status);
    } else if (op.op === 'removeWatcher') {
      const w = watchers.get(op.id);
      service.removeWatcher({ id: op.id, type: typeName(w.type) }, w.pos, w.range);
      watchers.delete(op.id);
    } else if (op.op === 'updateWatcher') {
      const w = watchers.get(op.id);
      const refused = service.updateWatcher({ id: op.id, type: typeName(w.type) }, w.pos, pos, w.range, op.range) === false;
      same('refused', !ok, refused);
      same('event emitted', op.moved, event !== null);
      if (event) {
        same('objects entered', idSet(op.entered.map(([id]) => id)), idSet(event.e.addObjs));
        same('objects left', idSet(op.left.map(([id]) => id)), idSet(event.e.removeObjs));
      } else {
        same('objects entered', '', idSet(op.entered.map(([id]) => id)));
        same('objects left', '', idSet(op.left.map(([id]) => id)));
      }
      if (!refused) Object.assign(w, { pos, range: op.range });
    } else if (op.op === 'getIdsByPos') {
      totals.queries++;
      same('getIdsByPos', idSet(op.ids), idSet(service.getIdsByPos(pos, op.range)));
    } else if (op.op === 'getIdsByRange') {
      totals.queries++;
      const theirs = service.getIdsByRange(pos, op.range, op.types.map(typeName));
      const flat = [];
      for (const type of Object.keys(theirs)) for (const id of theirs[type]) flat.push([id, typeNumber(type)]);
      same('getIdsByRange', refSet(op.refs), refSet(flat));
    } else if (op.op === 'getWatchers') {
      totals.queries++;
      const theirs = service.getWatchers(pos, op.types.map(typeName));
      same('getWatchers refused', op.status !== 'ok', theirs === null);
      same('getWatchers', refSet(op.refs), refSet(fromTypeMap(theirs)));
    } else {
      throw new Error(`${where}: unknown operation`);
    }
    if (event) totals.events++;
    if ((op.entered && op.entered.length) || (op.left && op.left.length)) totals.nonEmpty++;
  });
}

for (let seed = 1; seed <= WORLDS; seed++) replayWorld(seed);
console.log(`${WORLDS} worlds, ${totals.ops} operations replayed in pomelo-aoi ${pomeloAoi.version()}: ` +
            `${totals.events} events, ${totals.nonEmpty} with entered or left entities, ${totals.queries} queries, ` +
            `${totals.refused} refused by both`);
if (failures.length) {
  console.log(`FAIL: ${failures.length} differences; the first ones:`);
  for (const f of failures.slice(0, 20)) console.log(f);
  process.exit(1);
}
// A replay that saw little would prove little.
if (totals.events < WORLDS * OPS / 10 || totals.nonEmpty < WORLDS * OPS / 20 || totals.queries < WORLDS * OPS / 50) {
  console.log('FAIL: too few events, non-empty sets or queries for the comparison to mean much');
  process.exit(1);
}
console.log('PASS: same answers as pomelo-aoi');
