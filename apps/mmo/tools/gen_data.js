#!/usr/bin/env node
// Writes the MMO's game tables (config/data/*.json) and scene maps (config/map/*.json).
//
//   node apps/mmo/tools/gen_data.js            rewrite both folders
//   node apps/mmo/tools/gen_data.js --check    exit 1 if a committed file differs from what it would write
//
// Deterministic: one seeded generator per file, so running it twice gives the same bytes and a diff of
// the committed files shows exactly what a change of this script changed. No npm dependencies.
//
// The facts carried over from Lord of Pomelo (LORDOFPOMELO.md §1.3, §3): the two hero kinds' stats, the
// skill table, the scene sizes and their counts of zones, NPCs and collision objects, the traverse NPCs,
// the shape of the experience curve (level 1 needs 58). Every other number and every name is ours.
'use strict';

const fs = require('fs');
const path = require('path');

const appDir = path.resolve(__dirname, '..');
const check = process.argv.includes('--check');

// mulberry32: a small seeded generator, enough for level design.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Lord of Pomelo's table shape: a row of descriptions, a row of names, then the rows.
function table(columns, rows) {
  const out = [columns.map((c) => c[1]), columns.map((c) => c[0])];
  for (const r of rows) out.push(columns.map((c) => (r[c[0]] === undefined ? '' : r[c[0]])));
  return out;
}

function tableText(t) {
  return '[\n' + t.map((r) => JSON.stringify(r)).join(',\n') + '\n]\n';
}

// ---------------------------------------------------------------------------------------------
// Characters: the two heroes (facts) and nine mob kinds (ours, except 202's hp and 203's hp/speed).

const characterColumns = [
  ['id', 'kind id'], ['name', 'name'], ['englishName', 'english name'], ['kindType', 'player or mob'],
  ['hp', 'hit points'], ['mp', 'mana'], ['attackValue', 'attack'], ['defenceValue', 'defence'],
  ['hitRate', 'hit rate'], ['dodgeRate', 'dodge rate'], ['attackSpeed', 'attacks per second'],
  ['walkSpeed', 'px per second'], ['upgradeParam', 'growth per level'], ['baseExp', 'base experience'],
];

const characters = [
  { id: 201, name: 'Sand Scorpion', englishName: 'scorpion', kindType: 'mob', hp: 80, mp: 10, attackValue: 9, defenceValue: 6, hitRate: 80, dodgeRate: 8, attackSpeed: 1, walkSpeed: 160, upgradeParam: 0.3, baseExp: 8 },
  { id: 202, name: 'Harpy', englishName: 'harpy', kindType: 'mob', hp: 60, mp: 20, attackValue: 10, defenceValue: 4, hitRate: 85, dodgeRate: 12, attackSpeed: 1.2, walkSpeed: 200, upgradeParam: 0.3, baseExp: 6 },
  { id: 203, name: 'Bulb Dragon', englishName: 'dragon', kindType: 'mob', hp: 15000, mp: 500, attackValue: 120, defenceValue: 60, hitRate: 95, dodgeRate: 10, attackSpeed: 1, walkSpeed: 360, upgradeParam: 0.05, baseExp: 60 },
  { id: 204, name: 'Stone Golem', englishName: 'golem', kindType: 'mob', hp: 200, mp: 0, attackValue: 18, defenceValue: 14, hitRate: 75, dodgeRate: 2, attackSpeed: 0.8, walkSpeed: 120, upgradeParam: 0.3, baseExp: 12 },
  { id: 205, name: 'Dune Wolf', englishName: 'wolf', kindType: 'mob', hp: 110, mp: 10, attackValue: 16, defenceValue: 7, hitRate: 85, dodgeRate: 10, attackSpeed: 1.2, walkSpeed: 220, upgradeParam: 0.3, baseExp: 9 },
  { id: 206, name: 'Ice Bear', englishName: 'bear', kindType: 'mob', hp: 260, mp: 10, attackValue: 22, defenceValue: 12, hitRate: 80, dodgeRate: 4, attackSpeed: 0.9, walkSpeed: 150, upgradeParam: 0.3, baseExp: 14 },
  { id: 207, name: 'Frost Wraith', englishName: 'wraith', kindType: 'mob', hp: 140, mp: 80, attackValue: 24, defenceValue: 8, hitRate: 90, dodgeRate: 14, attackSpeed: 1.1, walkSpeed: 200, upgradeParam: 0.3, baseExp: 13 },
  { id: 208, name: 'Sand Tyrant', englishName: 'tyrant', kindType: 'mob', hp: 3000, mp: 100, attackValue: 60, defenceValue: 30, hitRate: 90, dodgeRate: 6, attackSpeed: 1, walkSpeed: 200, upgradeParam: 0.1, baseExp: 40 },
  { id: 209, name: 'Reed Serpent', englishName: 'serpent', kindType: 'mob', hp: 120, mp: 30, attackValue: 17, defenceValue: 8, hitRate: 85, dodgeRate: 12, attackSpeed: 1.1, walkSpeed: 180, upgradeParam: 0.3, baseExp: 10 },
  { id: 210, name: 'Angle', englishName: 'angle', kindType: 'player', hp: 220, mp: 20, attackValue: 23, defenceValue: 9, hitRate: 90, dodgeRate: 13, attackSpeed: 1.2, walkSpeed: 240, upgradeParam: 0.3, baseExp: 20 },
  { id: 211, name: 'Alchemist', englishName: 'alchemist', kindType: 'player', hp: 180, mp: 60, attackValue: 18, defenceValue: 12, hitRate: 95, dodgeRate: 10, attackSpeed: 1.2, walkSpeed: 240, upgradeParam: 0.3, baseExp: 20 },
];

// Skills: LORDOFPOMELO.md §3.3 (required level, cooldown s, mp, factor, range; growth 0.1).
const skillColumns = [
  ['id', 'skill id'], ['name', 'name'], ['playerLevel', 'required level'], ['cooltime', 'cooldown s'],
  ['mp', 'mana cost'], ['attackParam', 'damage factor'], ['upgradeParam', 'factor per skill level'],
  ['distance', 'range px'], ['type', 'attack'],
];
// [id, name, required level, cooldown s, mp, factor, range px]. Skill 9 is ours (not in the original):
// a ranged throw, weaker than the level 10 melee skills, that reaches a mob before it reaches the hero.
const skills = [
  [1, 'Normal Attack', 1, 1, 0, 1, 100], [2, 'Sudden Attack', 1, 5, 5, 1.2, 100], [3, 'Prison Break', 5, 10, 10, 1.5, 100],
  [4, 'Yun Roar', 15, 15, 15, 1.8, 100], [5, 'Blazing Fire', 25, 20, 20, 2.1, 100], [6, 'Stand Fast', 40, 25, 25, 2.4, 100],
  [7, 'Charge', 60, 30, 30, 3, 100], [8, 'Battered-Body', 80, 35, 35, 3, 200],
  [9, 'Sand Spear', 10, 8, 12, 1.3, 250],
].map(([id, name, playerLevel, cooltime, mp, attackParam, distance]) => ({
  id, name, playerLevel, cooltime, mp, attackParam, upgradeParam: 0.1, distance, type: 'attack',
}));

// Experience: row L holds what level L-1 needs to reach L (row 1 is 0). Level 1 needs 58 (a fact);
// the growth is ours: a power curve, steeper past level 30.
const experience = [];
for (let level = 1; level <= 100; level++) {
  const from = level - 1;
  const exp = from === 0 ? 0 : Math.round(58 * Math.pow(from, 1.7) * (from > 30 ? 1 + (from - 30) / 40 : 1));
  experience.push({ id: level, exp });
}

// Consumables: 13 potions, hp +100 ... +5000 (the range is a fact; the steps ours).
const potionHp = [100, 200, 300, 500, 700, 900, 1200, 1500, 2000, 2500, 3200, 4000, 5000];
const items = potionHp.map((hp, i) => ({
  id: 1 + i, name: `${['Minor', 'Light', 'Common', 'Strong', 'Great', 'Superior', 'Grand', 'Royal', 'Sage', 'Titan', 'Ancient', 'Mythic', 'Divine'][i]} Potion`,
  heroLevel: [1, 1, 5, 10, 15, 20, 30, 40, 50, 60, 70, 80, 90][i], hp, mp: Math.round(hp / 4), price: hp, imgId: 1 + i,
  desc: `Restores ${hp} hp and ${Math.round(hp / 4)} mp.`,
}));

// Equipment: 9 slot kinds, pieces at 12 hero levels + 4 extra weapons = 112 pieces (the count is a fact).
const slots = ['weapon', 'armor', 'helmet', 'necklace', 'ring', 'belt', 'shoes', 'legguard', 'amulet'];
const slotNames = {
  weapon: 'Blade', armor: 'Mail', helmet: 'Helm', necklace: 'Necklace', ring: 'Ring', belt: 'Belt',
  shoes: 'Boots', legguard: 'Greaves', amulet: 'Amulet',
};
const tiers = ['Rusty', 'Bronze', 'Iron', 'Steel', 'Silver', 'Jade', 'Golden', 'Runic', 'Frost', 'Dragon', 'Star', 'Eternal'];
const tierLevels = [1, 5, 10, 15, 20, 25, 30, 40, 50, 60, 75, 90];
const equipment = [];
let equipId = 1001;
for (let t = 0; t < tiers.length; t++) {
  for (const kind of slots) {
    const lv = tierLevels[t];
    const attacking = kind === 'weapon' || kind === 'ring' || kind === 'necklace';
    equipment.push({
      id: equipId++, name: `${tiers[t]} ${slotNames[kind]}`, kind, heroLevel: lv,
      attackValue: attacking ? Math.round((kind === 'weapon' ? 6 : 2) + lv * (kind === 'weapon' ? 1.2 : 0.4)) : 0,
      defenceValue: attacking ? 0 : Math.round(2 + lv * (kind === 'armor' ? 0.8 : 0.35)),
      hp: kind === 'amulet' || kind === 'belt' ? 10 + lv * 4 : 0, mp: kind === 'necklace' ? 5 + lv * 2 : 0,
      price: 20 + lv * 15, imgId: equipment.length + 1,
    });
  }
}
for (const [lv, name] of [[3, 'Training Sword'], [12, 'Nomad Scimitar'], [35, 'Oasis Spear'], [70, 'Glacier Axe']]) {
  equipment.push({
    id: equipId++, name, kind: 'weapon', heroLevel: lv, attackValue: Math.round(7 + lv * 1.25), defenceValue: 0,
    hp: 0, mp: 0, price: 20 + lv * 16, imgId: equipment.length + 1,
  });
}
const equipmentColumns = [
  ['id', 'equipment id'], ['name', 'name'], ['kind', 'slot'], ['heroLevel', 'required level'],
  ['attackValue', 'attack bonus'], ['defenceValue', 'defence bonus'], ['hp', 'hp bonus'], ['mp', 'mp bonus'],
  ['price', 'price'], ['imgId', 'image'],
];

// NPCs 301-312: kindType 0 talks, 1 traverses to targetArea (the traverse list is a fact).
const npcs = [
  [301, 'Caravan Master', 1, 2], [302, 'Arena Herald', 1, 4], [303, 'Cave Guide', 1, 5], [304, 'Old Nomad', 0, 0],
  [305, 'Homeward Scout', 1, 1], [306, 'Ice Ferryman', 1, 3], [307, 'Oasis Healer', 0, 0], [308, 'Fruit Seller', 0, 0],
  [309, 'Oasis Ferryman', 1, 2], [310, 'Frost Hermit', 0, 0], [311, 'Fur Trader', 0, 0], [312, 'Lost Explorer', 0, 0],
].map(([id, name, kindType, targetArea]) => ({ id, name, kindType, targetArea }));
const words = {
  301: ['The caravan leaves for the oasis at once.', 'Take me to the oasis.'],
  302: ['Fight alone in the arena, if you dare.', 'To the arena!'],
  303: ['The cave is dark and full of beasts.', 'Lead me into the cave.'],
  304: ['Scorpions near the dunes grow bolder every day.', 'I will deal with them.'],
  305: ['I can bring you back to the desert.', 'Back to the desert.'],
  306: ['The ice fields lie beyond the lake.', 'Take me to the ice.'],
  307: ['Rest a while, traveller.', 'Thank you.'],
  308: ['Dates, figs, fresh from the palms!', 'Maybe later.'],
  309: ['The boat goes back to the oasis.', 'To the oasis.'],
  310: ['The wraiths feed on the cold.', 'I am not afraid.'],
  311: ['Bear pelts fetch a good price.', 'I will remember.'],
  312: ['I lost my way three winters ago.', 'Follow me.'],
};
const talks = npcs.map((n, i) => ({ id: i + 1, npc: n.id, npcword: words[n.id][0], myword: words[n.id][1] }));

// Tasks: 5, kill-mob (type 0) and one kill-player (type 1).
const tasks = [
  [1, 'Scorpion Plague', 0, 201, 5, 60, '1001;1010', 304],
  [2, 'Wolves at the Well', 0, 205, 8, 150, '1019', 304],
  [3, 'Golem Breaker', 0, 204, 10, 400, '1028;1037', 307],
  [4, 'Serpents of the Reeds', 0, 209, 12, 900, '1046', 307],
  [5, 'Proving Ground', 1, 0, 1, 1500, '1055', 302],
].map(([id, name, type, mob, count, exp, item, npc]) => ({
  id, name, type, npc, level: id === 1 ? 1 : id * 5,
  desc: type === 0 ? `Kill ${count} of them.;${mob}` : 'Defeat a player of your level or above.;0',
  completeCondition: JSON.stringify(type === 0 ? { [mob]: count } : { player: count }), exp, item,
  acceptTalk: `Will you help? ${name} awaits.`, workTalk: 'Come back when it is done.', finishTalk: 'Well done, take this.',
}));
const teams = ['Desert Hawks', 'Oasis Keepers', 'Ice Breakers', 'Cave Lanterns', 'Arena Lions'].map((teamName, i) => ({ id: i + 1, teamName }));

const areas = [
  { id: 1, name: 'desert', areaName: 'Desert', type: 1, level: 0, width: 4200, height: 2800, path: '/config/map/desert.json', towerWidth: 300, towerHeight: 300 },
  { id: 2, name: 'oasis', areaName: 'Oasis', type: 1, level: 20, width: 6000, height: 4000, path: '/config/map/oasis.json', towerWidth: 300, towerHeight: 300 },
  { id: 3, name: 'ice', areaName: 'Ice', type: 1, level: 50, width: 6500, height: 4800, path: '/config/map/ice.json', towerWidth: 300, towerHeight: 300 },
  { id: 4, name: 'arena', areaName: 'Arena', type: 2, level: 10, width: 1600, height: 1100, path: '/config/map/arena.json', towerWidth: 300, towerHeight: 300 },
  { id: 5, name: 'cave', areaName: 'Cave', type: 3, level: 60, width: 2560, height: 1440, path: '/config/map/cave.json', towerWidth: 300, towerHeight: 300 },
];

const dataFiles = {
  'area.json': table([['id', 'area id'], ['name', 'name'], ['areaName', 'display name'], ['type', '1 scene 2 single instance 3 team instance'], ['level', 'required level'], ['width', 'px'], ['height', 'px'], ['path', 'map file'], ['towerWidth', 'AOI tower px'], ['towerHeight', 'AOI tower px']], areas),
  'character.json': table(characterColumns, characters),
  'fightskill.json': table(skillColumns, skills),
  'experience.json': table([['id', 'level'], ['exp', 'experience the previous level needs']], experience),
  'item.json': table([['id', 'item id'], ['name', 'name'], ['heroLevel', 'required level'], ['hp', 'hp restored'], ['mp', 'mp restored'], ['price', 'price'], ['imgId', 'image'], ['desc', 'description']], items),
  'equipment.json': table(equipmentColumns, equipment),
  'npc.json': table([['id', 'npc kind'], ['name', 'name'], ['kindType', '0 talk 1 traverse'], ['targetArea', 'traverse target']], npcs),
  'talk.json': table([['id', 'talk id'], ['npc', 'npc kind'], ['npcword', 'npc says'], ['myword', 'player answers']], talks),
  'task.json': table([['id', 'task kind'], ['name', 'name'], ['type', '0 kill mob 1 kill player'], ['npc', 'npc kind'], ['level', 'required level'], ['desc', 'text;mob kind'], ['completeCondition', 'JSON counts'], ['exp', 'reward exp'], ['item', 'reward equipment ids'], ['acceptTalk', 'accept'], ['workTalk', 'working'], ['finishTalk', 'finish']], tasks),
  'team.json': table([['id', 'id'], ['teamName', 'team name']], teams),
};

// ---------------------------------------------------------------------------------------------
// Maps. Each scene: a birth rectangle, mob zones, NPCs, collision rectangles and convex polygons that
// never cover the reserved places and never cut the walkable ground in two (checked on 20 px tiles).

const TILE = 20;

// zones: [mobId, level, mobNum]; npcs: kind ids; collisions: how many objects.
const sceneDesigns = {
  1: {
    birth: { x: 346, y: 81, width: 125, height: 128 }, npcs: [301, 302, 303, 304], collisions: 70,
    zones: [[201, 1, 6], [202, 3, 8], [201, 6, 10], [205, 10, 10], [202, 14, 10], [205, 18, 10], [204, 24, 8], [208, 30, 1]],
  },
  2: {
    birth: { x: 400, y: 300, width: 160, height: 140 }, npcs: [305, 306, 307, 308], collisions: 145,
    zones: [[209, 20, 10], [205, 22, 10], [209, 26, 10], [204, 30, 10], [202, 34, 10], [209, 38, 10], [205, 42, 10], [204, 46, 10], [202, 50, 10], [209, 54, 10], [204, 58, 10], [205, 60, 10]],
  },
  3: {
    birth: { x: 420, y: 360, width: 160, height: 140 }, npcs: [309, 310, 311, 312], collisions: 131,
    zones: [[206, 55, 10], [207, 57, 10], [206, 60, 10], [207, 63, 10], [206, 66, 10], [207, 69, 10], [206, 72, 10], [207, 75, 10], [206, 78, 10], [207, 80, 10], [206, 82, 10], [207, 84, 10], [206, 86, 10], [207, 88, 10], [203, 90, 1]],
  },
  4: { birth: { x: 140, y: 480, width: 120, height: 120 }, npcs: [305], collisions: 3, zones: [[204, 12, 6]] },
  5: {
    birth: { x: 120, y: 600, width: 120, height: 120 }, npcs: [305], collisions: 11,
    zones: [[206, 60, 6], [207, 62, 6], [206, 65, 6], [207, 68, 6], [206, 72, 6], [207, 76, 6], [208, 80, 1]],
  },
};

function overlaps(a, b, margin) {
  return a.x - margin < b.x + b.width && b.x - margin < a.x + a.width && a.y - margin < b.y + b.height && b.y - margin < a.y + a.height;
}

function buildScene(area) {
  const design = sceneDesigns[area.id];
  const rand = rng(1000 + area.id);
  const ri = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
  const { width, height } = area;
  const reserved = [design.birth];
  let nextId = 1;

  // Mob zones: rectangles of 360-520 px, kept apart, the weakest nearest the birth place: zone i (in
  // the design's order, by level) goes where its distance from the birth place is closest to the
  // i-th step between 600 px and most of the map's diagonal.
  const zones = [];
  const birthCentre = { x: design.birth.x + design.birth.width / 2, y: design.birth.y + design.birth.height / 2 };
  const far = 0.8 * Math.hypot(width, height);
  design.zones.forEach(([mobId, level, mobNum], i) => {
    const boss = mobNum === 1;
    const want = design.zones.length === 1 ? 500 : 600 + (far - 600) * i / (design.zones.length - 1);
    let best = null;
    for (let attempt = 0; attempt < 600; attempt++) {
      const w = boss ? 300 : ri(360, 520);
      const h = boss ? 300 : ri(300, 440);
      const r = { x: ri(40, width - w - 40), y: ri(40, height - h - 40), width: w, height: h };
      if (reserved.some((o) => overlaps(o, r, 100))) continue;
      const d = Math.abs(Math.hypot(r.x + w / 2 - birthCentre.x, r.y + h / 2 - birthCentre.y) - want);
      if (!best || d < best.d) best = { r, d };
    }
    if (!best) return;
    const r = best.r;
    reserved.push(r);
    zones.push({ id: nextId++, name: `zone${zones.length + 1}`, type: 'mob', x: r.x, y: r.y, width: r.width, height: r.height,
      properties: { mobId, level, mobNum, mobName: characters.find((c) => c.id === mobId).name, refreshTime: 5000 } });
  });
  if (zones.length !== design.zones.length) throw new Error(`${area.name}: could not place every mob zone`);

  // NPCs stand in a row right of the birth rectangle.
  const npcObjects = design.npcs.map((kind, i) => {
    const x = design.birth.x + design.birth.width + 80 + i * 90;
    const y = design.birth.y + 40 + (i % 2) * 60;
    reserved.push({ x: x - 40, y: y - 40, width: 80, height: 80 });
    return { id: nextId++, name: npcs.find((n) => n.id === kind).name, type: 'npc', x, y, width: 0, height: 0, properties: { id: kind } };
  });

  // Collisions: conservative tiles (a polygon's whole bounding box) for the connectivity check, so the
  // real blocking (a subset) stays connected too.
  const cols = Math.ceil(width / TILE);
  const rows = Math.ceil(height / TILE);
  const blocked = new Uint8Array(cols * rows);
  const birthTile = [Math.floor((design.birth.x + design.birth.width / 2) / TILE), Math.floor((design.birth.y + design.birth.height / 2) / TILE)];
  const freeCount = () => blocked.reduce((n, b) => n + (b ? 0 : 1), 0);
  function connected() {
    const seen = new Uint8Array(cols * rows);
    const stack = [birthTile[1] * cols + birthTile[0]];
    seen[stack[0]] = 1;
    let n = 0;
    while (stack.length) {
      const i = stack.pop();
      n++;
      const x = i % cols;
      const y = (i - x) / cols;
      for (const [dx, dy] of [[1, 0], [-1, 0], [0, 1], [0, -1]]) {
        const nx = x + dx;
        const ny = y + dy;
        if (nx < 0 || ny < 0 || nx >= cols || ny >= rows) continue;
        const j = ny * cols + nx;
        if (!seen[j] && !blocked[j]) { seen[j] = 1; stack.push(j); }
      }
    }
    return n === freeCount();
  }
  const collisions = [];
  for (let attempt = 0; collisions.length < design.collisions && attempt < 20000; attempt++) {
    const small = area.width < 3000;
    const w = ri(small ? 60 : 80, small ? 160 : 360);
    const h = ri(small ? 60 : 80, small ? 140 : 300);
    const r = { x: ri(0, width - w), y: ri(0, height - h), width: w, height: h };
    if (reserved.some((o) => overlaps(o, r, 60))) continue;
    if (collisions.some((c) => overlaps(c.box, r, 40))) continue;
    const tiles = [];
    for (let ty = Math.floor(r.y / TILE); ty <= Math.min(rows - 1, Math.ceil((r.y + h) / TILE) - 1); ty++) {
      for (let tx = Math.floor(r.x / TILE); tx <= Math.min(cols - 1, Math.ceil((r.x + w) / TILE) - 1); tx++) {
        if (!blocked[ty * cols + tx]) { blocked[ty * cols + tx] = 1; tiles.push(ty * cols + tx); }
      }
    }
    if (!connected()) { for (const t of tiles) blocked[t] = 0; continue; }
    const object = { id: nextId++, name: '', type: 'collision', x: r.x, y: r.y, width: w, height: h };
    if (rand() < 0.6) {
      // A convex polygon inside the box: points on an ellipse at sorted angles, relative to x, y.
      const n = ri(5, 8);
      const angles = Array.from({ length: n }, (_, i) => (i + rand() * 0.6) * (2 * Math.PI / n)).sort((a, b) => a - b);
      object.width = 0;
      object.height = 0;
      object.polygon = angles.map((a) => ({
        x: Math.round(w / 2 + Math.cos(a) * w / 2 * (0.8 + rand() * 0.2) - w / 2),
        y: Math.round(h / 2 + Math.sin(a) * h / 2 * (0.8 + rand() * 0.2) - h / 2),
      }));
      object.x = r.x + Math.round(w / 2);
      object.y = r.y + Math.round(h / 2);
    }
    collisions.push({ box: r, object });
  }
  if (collisions.length !== design.collisions) throw new Error(`${area.name}: placed ${collisions.length} of ${design.collisions} collision objects`);

  const layer = (name, objects) => ({ name, type: 'objectgroup', visible: true, opacity: 1, x: 0, y: 0, objects: objects.map((o) => ({ visible: true, rotation: 0, ...o })) });
  return {
    width: 1, height: 1, tilewidth: width, tileheight: height, orientation: 'orthogonal', version: 1,
    properties: { name: area.name },
    tilesets: [{ firstgid: 1, name: area.name, image: `${area.name}.png`, imagewidth: width, imageheight: height, tilewidth: width, tileheight: height }],
    layers: [
      { name: 'background', type: 'tilelayer', width: 1, height: 1, data: [1], visible: true, opacity: 1, x: 0, y: 0 },
      layer('birth', [{ id: nextId++, name: 'birth', type: 'birth', ...design.birth }]),
      layer('mob', zones),
      layer('npc', npcObjects),
      layer('collision', collisions.map((c) => c.object)),
    ],
  };
}

function mapText(map) {
  // One object per line: readable diffs without a huge file.
  const layers = map.layers.map((l) => {
    if (!l.objects) return '  ' + JSON.stringify(l);
    const head = JSON.stringify({ ...l, objects: [] }).replace(/"objects":\[\]\}$/, '"objects":[');
    return '  ' + head + '\n' + l.objects.map((o) => '    ' + JSON.stringify(o)).join(',\n') + '\n  ]}';
  });
  const rest = { ...map };
  delete rest.layers;
  return JSON.stringify(rest).replace(/\}$/, ',"layers":[\n') + layers.join(',\n') + '\n]}\n';
}

const outputs = {};
for (const [name, t] of Object.entries(dataFiles)) outputs[path.join('config/data', name)] = tableText(t);
for (const area of areas) outputs[path.join('config/map', `${area.name}.json`)] = mapText(buildScene(area));

let differs = 0;
for (const [rel, text] of Object.entries(outputs)) {
  const file = path.join(appDir, rel);
  if (check) {
    const old = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
    if (old !== text) { console.error(`differs: ${rel}`); differs++; }
  } else {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
}
if (check && differs) process.exit(1);
console.log(check ? 'game data and maps are up to date' : `wrote ${Object.keys(outputs).length} files`);
