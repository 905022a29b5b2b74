// The game's art, drawn procedurally on the canvas: terrain per scene (with the collision tiles drawn
// as rocks, water or ice), heroes, mobs, NPCs and ground items in four orientations (LeftDown, LeftUp,
// RightUp, RightDown) and four actions (Stand, Walk, Attack, Dead). Every drawing is a pure function of
// its inputs and a seeded hash, so a chunk of ground looks the same each time it is redrawn.
(function (MMO) {
  'use strict';

  // A stable pseudo-random number in [0, 1) for integer coordinates and a salt.
  function hash(x, y, salt) {
    var h = Math.imul(x | 0, 0x27d4eb2d) ^ Math.imul(y | 0, 0x165667b1) ^ Math.imul(((salt | 0) + 0x3c6ef372) | 0, 0x85ebca6b);
    h ^= h >>> 15; h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 12; h = Math.imul(h, 0x297a2d39);
    h ^= h >>> 15;
    return (h >>> 0) / 4294967296;
  }

  // Scene themes: ground colours, scattered details and what a blocked tile is.
  var THEMES = {
    desert: { ground: ['#d9b877', '#d2ad69', '#e2c48a'], detail: 'pebble', blocked: 'rock', label: 'Desert' },
    oasis: { ground: ['#6d9f4a', '#63953f', '#79ab55'], detail: 'flower', blocked: 'water', label: 'Oasis' },
    ice: { ground: ['#e6eef6', '#d8e4f0', '#f3f7fb'], detail: 'snow', blocked: 'ice', label: 'Ice field' },
    arena: { ground: ['#b9a489', '#ad977b', '#c4b095'], detail: 'flag', blocked: 'rock', label: 'Arena' },
    cave: { ground: ['#5b5550', '#524c47', '#645d57'], detail: 'pebble', blocked: 'darkrock', label: 'Cave' },
  };

  function themeFor(areaId, mapName) {
    var n = String(mapName || '').toLowerCase();
    if (/oasis|绿洲/.test(n)) return 'oasis';
    if (/ice|极地/.test(n)) return 'ice';
    if (/arena|竞技/.test(n)) return 'arena';
    if (/cave|path|山洞/.test(n)) return 'cave';
    if (/desert|沙漠/.test(n)) return 'desert';
    return ({ 1: 'desert', 2: 'oasis', 3: 'ice', 4: 'arena', 5: 'cave' })[areaId] || 'desert';
  }

  // ---- terrain -------------------------------------------------------------------------------

  function drawGroundDetail(g, kind, x, y, r) {
    if (kind === 'pebble') {
      g.fillStyle = 'rgba(120,90,50,0.35)';
      g.beginPath(); g.ellipse(x, y, 2 + r * 3, 1.5 + r * 2, 0, 0, 7); g.fill();
    } else if (kind === 'flower') {
      g.fillStyle = r < 0.5 ? '#f4e25c' : '#f28cb1';
      for (var k = 0; k < 4; k++) { g.beginPath(); g.arc(x + Math.cos(k * 1.57) * 2, y + Math.sin(k * 1.57) * 2, 1.6, 0, 7); g.fill(); }
      g.fillStyle = '#fff'; g.beginPath(); g.arc(x, y, 1.2, 0, 7); g.fill();
    } else if (kind === 'snow') {
      g.strokeStyle = 'rgba(140,170,205,0.45)'; g.lineWidth = 1;
      g.beginPath(); g.moveTo(x - 6, y); g.quadraticCurveTo(x, y - 3 - r * 3, x + 6, y); g.stroke();
    } else if (kind === 'flag') {
      g.strokeStyle = 'rgba(90,70,50,0.35)'; g.lineWidth = 1; g.strokeRect(x - 9, y - 9, 18, 18);
    }
  }

  function drawBlockedTile(g, kind, tx, ty, tw, th, free) {
    var x = tx * tw, y = ty * th, r = hash(tx, ty, 7);
    if (kind === 'water') {
      g.fillStyle = '#3d7fb8'; g.fillRect(x, y, tw, th);
      g.strokeStyle = 'rgba(255,255,255,0.35)'; g.lineWidth = 1;
      g.beginPath(); g.moveTo(x + 3, y + 6 + r * 8); g.quadraticCurveTo(x + 10, y + 3 + r * 8, x + 17, y + 6 + r * 8); g.stroke();
      g.fillStyle = '#c9b37a';  // a sandy shore on every side facing open ground
      if (free(tx, ty - 1)) g.fillRect(x, y, tw, 3);
      if (free(tx, ty + 1)) g.fillRect(x, y + th - 3, tw, 3);
      if (free(tx - 1, ty)) g.fillRect(x, y, 3, th);
      if (free(tx + 1, ty)) g.fillRect(x + tw - 3, y, 3, th);
      return;
    }
    var palette = { rock: ['#8a7a66', '#6f6252', '#a89880'], darkrock: ['#3a3531', '#2c2825', '#4d4640'],
                    ice: ['#9fd3ec', '#7bbfe0', '#e6f7ff'] }[kind] || ['#888', '#666', '#aaa'];
    g.fillStyle = palette[1]; g.fillRect(x, y, tw, th);
    if (kind === 'ice') {
      g.fillStyle = palette[0];
      g.beginPath(); g.moveTo(x + 2, y + th); g.lineTo(x + 6 + r * 4, y + 2); g.lineTo(x + 12, y + 6 + r * 4);
      g.lineTo(x + tw - 1, y + 1); g.lineTo(x + tw - 2, y + th); g.closePath(); g.fill();
      g.strokeStyle = palette[2]; g.lineWidth = 1.5;
      g.beginPath(); g.moveTo(x + 6 + r * 4, y + 3); g.lineTo(x + 8, y + th - 3); g.stroke();
      return;
    }
    var cx = x + tw / 2 + (r - 0.5) * 6, cy = y + th / 2 + (hash(tx, ty, 9) - 0.5) * 6, rad = tw * (0.45 + r * 0.2);
    g.fillStyle = palette[0]; g.beginPath(); g.ellipse(cx, cy, rad, rad * 0.8, r * 3, 0, 7); g.fill();
    g.fillStyle = palette[2]; g.beginPath(); g.ellipse(cx - rad * 0.3, cy - rad * 0.3, rad * 0.35, rad * 0.22, 0.6, 0, 7); g.fill();
  }

  function drawPatches(g, t, cx, cy, size) {
    g.globalAlpha = 0.5;
    for (var i = 0; i < 10; i++) {
      var px = (cx + hash(cx, cy, i)) * size, py = (cy + hash(cx, cy, i + 50)) * size;
      g.fillStyle = t.ground[1 + (i % 2)];
      g.beginPath(); g.ellipse(px, py, 30 + hash(cx, cy, i + 90) * 60, 14 + hash(cx, cy, i + 70) * 26, 0, 0, 7); g.fill();
    }
    g.globalAlpha = 1;
  }
  function drawDetails(g, t, cx, cy, size) {
    for (var j = 0; j < 26; j++)
      drawGroundDetail(g, t.detail, (cx + hash(cx, cy, j + 200)) * size, (cy + hash(cx, cy, j + 300)) * size, hash(cx, cy, j + 400));
  }

  // One square chunk of the map (size px) drawn into its own canvas.
  function drawChunk(theme, pathMap, cx, cy, size) {
    var t = THEMES[theme], c = document.createElement('canvas');
    c.width = size; c.height = size;
    var g = c.getContext('2d'), ox = cx * size, oy = cy * size;
    g.fillStyle = t.ground[0]; g.fillRect(0, 0, size, size);
    g.translate(-ox, -oy);
    // Large soft patches (dunes, meadows, drifts), then small details. Each chunk's decorations are
    // placed from its own seed; the neighbours' are drawn too, so those crossing a border match up.
    for (var pass = 0; pass < 2; pass++)
      for (var ny = cy - 1; ny <= cy + 1; ny++)
        for (var nx = cx - 1; nx <= cx + 1; nx++) {
          if (pass === 0) drawPatches(g, t, nx, ny, size);
          else drawDetails(g, t, nx, ny, size);
        }
    var tw = pathMap.tileW, th = pathMap.tileH;
    var free = function (x, y) { return !pathMap.tileBlocked(x, y); };
    var x0 = Math.floor(ox / tw) - 1, y0 = Math.floor(oy / th) - 1;
    for (var ty = y0; ty < y0 + size / th + 2; ty++)
      for (var tx = x0; tx < x0 + size / tw + 2; tx++)
        if (tx >= 0 && ty >= 0 && tx < pathMap.cols && ty < pathMap.rows && pathMap.tileBlocked(tx, ty))
          drawBlockedTile(g, t.blocked, tx, ty, tw, th, free);
    return c;
  }

  // ---- characters ----------------------------------------------------------------------------

  var HEROES = {
    210: { body: '#3f6fb5', trim: '#d8d8e0', cape: '#b23a3a', hair: '#6b4423', weapon: 'sword' },
    211: { body: '#6c3f99', trim: '#e3c15a', cape: '#41306b', hair: '#d9d2c5', weapon: 'staff' },
  };
  // Mobs by kind (config/data/character.json): a body plan, colours and size.
  var MOBS = {
    201: { shape: 'scorpion', body: '#b8742f', belly: '#e6b577', size: 1.35 },   // Sand Scorpion
    202: { shape: 'bird', body: '#7a4f8f', belly: '#d3b0e0', size: 1.0 },       // Harpy
    203: { shape: 'dragon', body: '#4d8a3c', belly: '#c4dc86', size: 2.0, wings: true },  // Bulb Dragon
    204: { shape: 'golem', body: '#7d7f86', belly: '#a7aab2', size: 1.5 },      // Stone Golem
    205: { shape: 'beast', body: '#b08850', belly: '#e0c79a', size: 1.0, ears: 'sharp' },  // Dune Wolf
    206: { shape: 'beast', body: '#e9eef3', belly: '#ffffff', size: 1.35, ears: 'round' }, // Ice Bear
    207: { shape: 'wraith', body: '#9fc4e8', belly: '#e8f4ff', size: 1.1 },     // Frost Wraith
    208: { shape: 'dragon', body: '#a3352a', belly: '#e59a62', size: 1.6 },     // Sand Tyrant
    209: { shape: 'serpent', body: '#4f8a3a', belly: '#c9d98a', size: 1.0 },    // Reed Serpent
  };
  function mobLook(kindId) {
    return MOBS[kindId] || { shape: 'beast', body: 'hsl(' + ((kindId * 47) % 360) + ',35%,45%)', belly: '#ddd', size: 1.1, ears: 'sharp' };
  }

  function shadow(g, w) {
    g.fillStyle = 'rgba(0,0,0,0.25)';
    g.beginPath(); g.ellipse(0, 0, w, w * 0.35, 0, 0, 7); g.fill();
  }

  // Orientation name from a motion or target vector (the quadrant, as the original client's).
  function orientation(dx, dy, prev) {
    if (Math.abs(dx) < 0.01 && Math.abs(dy) < 0.01) return prev || 'RightDown';
    return (dx < 0 ? 'Left' : 'Right') + (dy < 0 ? 'Up' : 'Down');
  }

  // A hero at the origin (its feet), facing `dir`, in `action` at time t (s since the action began).
  function drawHero(g, kindId, dir, action, t) {
    var look = HEROES[kindId] || HEROES[210], up = /Up$/.test(dir), left = /^Left/.test(dir);
    shadow(g, 13);
    if (action === 'Dead') {
      g.globalAlpha *= 0.75; g.rotate(left ? -1.45 : 1.45); g.translate(0, -4);
    }
    if (left) g.scale(-1, 1);
    var walk = action === 'Walk' ? Math.sin(t * 12) : 0, bob = Math.abs(walk) * 1.5;
    var swing = action === 'Attack' ? Math.min(1, t / 0.35) : 0;
    g.translate(0, -bob);
    // legs
    g.fillStyle = '#3b3026';
    g.fillRect(-6 + walk * 3, -14, 5, 14); g.fillRect(1 - walk * 3, -14, 5, 14);
    // cape behind when facing down, over the body when facing up
    if (!up) { g.fillStyle = look.cape; g.beginPath(); g.moveTo(-9, -32); g.lineTo(9, -32); g.lineTo(11, -10); g.lineTo(-11, -10); g.fill(); }
    // body
    g.fillStyle = look.body; g.beginPath(); g.moveTo(-9, -33); g.lineTo(9, -33); g.lineTo(8, -13); g.lineTo(-8, -13); g.fill();
    g.fillStyle = look.trim; g.fillRect(-8, -17, 16, 3);
    if (up) { g.fillStyle = look.cape; g.beginPath(); g.moveTo(-10, -33); g.lineTo(10, -33); g.lineTo(12, -11); g.lineTo(-12, -11); g.fill(); }
    // head
    g.fillStyle = '#f0c8a0'; g.beginPath(); g.arc(0, -40, 7.5, 0, 7); g.fill();
    g.fillStyle = look.hair; g.beginPath(); g.arc(0, -42, 7.8, Math.PI, 0); g.fill();
    if (up) { g.beginPath(); g.arc(0, -40, 7.6, 0, Math.PI); g.fill(); }
    else { g.fillStyle = '#222'; g.fillRect(1, -41, 2, 2); g.fillRect(4.5, -41, 2, 2); }
    if (kindId === 211) {  // the alchemist's hat
      g.fillStyle = look.cape; g.beginPath(); g.moveTo(-10, -45); g.lineTo(10, -45); g.lineTo(2, -62); g.fill();
    }
    drawWeapon(g, look, swing, up);
  }

  function drawWeapon(g, look, swing, up) {
    g.save();
    g.translate(8, -26);
    g.rotate(-0.6 + swing * 2.2);
    if (look.weapon === 'sword') {
      g.fillStyle = '#6b4b2a'; g.fillRect(-1.5, -2, 3, 7);
      g.fillStyle = '#c9a13a'; g.fillRect(-5, -3, 10, 2);
      g.fillStyle = '#dfe6ee'; g.beginPath(); g.moveTo(-2, -3); g.lineTo(2, -3); g.lineTo(0, -24); g.fill();
    } else {
      g.fillStyle = '#7a5530'; g.fillRect(-1.5, -22, 3, 30);
      g.fillStyle = up ? '#9fe3ff' : '#6ff0c8'; g.beginPath(); g.arc(0, -25, 4, 0, 7); g.fill();
    }
    g.restore();
    if (swing > 0 && swing < 1) {  // the slash arc or spell glow of an attack
      g.strokeStyle = look.weapon === 'sword' ? 'rgba(255,255,255,' + (1 - swing) + ')' : 'rgba(120,255,210,' + (1 - swing) + ')';
      g.lineWidth = 3; g.beginPath(); g.arc(8, -26, 24, -1.6, -1.6 + swing * 2.4); g.stroke();
    }
  }

  // A mob at the origin facing right (mirrored for left); `up` hides the face. Each body plan moves
  // its own way: legs for beasts, a scuttle for scorpions, flapping for birds, floating for wraiths.
  function drawMob(g, kindId, dir, action, t) {
    var m = mobLook(kindId), s = m.size, up = /Up$/.test(dir), left = /^Left/.test(dir);
    shadow(g, 16 * s);
    if (action === 'Dead') { g.globalAlpha *= Math.max(0.2, 0.85 - t * 0.4); g.scale(1, 0.5); }
    if (left) g.scale(-1, 1);
    g.scale(s, s);
    var walk = action === 'Walk' ? Math.sin(t * 11) : 0;
    var lunge = action === 'Attack' ? Math.sin(Math.min(1, t / 0.4) * Math.PI) : 0;
    g.translate(lunge * 7, 0);
    (MOB_SHAPES[m.shape] || MOB_SHAPES.beast)(g, m, walk, lunge, up, t);
  }

  function eye(g, x, y, up, color) {
    if (up) return;
    g.fillStyle = color || '#ffe14d'; g.beginPath(); g.arc(x, y, 1.8, 0, 7); g.fill();
    g.fillStyle = '#111'; g.fillRect(x, y - 1, 1, 2);
  }
  function ellipse(g, color, x, y, rx, ry, rot) {
    g.fillStyle = color; g.beginPath(); g.ellipse(x, y, rx, ry, rot || 0, 0, 7); g.fill();
  }

  var MOB_SHAPES = {
    beast: function (g, m, walk, lunge, up, t) {
      g.translate(0, -Math.abs(walk) * 1.5);
      g.fillStyle = m.body;
      for (var k = 0; k < 4; k++) g.fillRect(-11 + k * 6 + (k % 2 ? walk : -walk) * 2.5, -9, 4, 9);
      g.strokeStyle = m.body; g.lineWidth = 3;
      g.beginPath(); g.moveTo(-12, -16); g.quadraticCurveTo(-21, -18 + walk * 3, -20, -26); g.stroke();
      ellipse(g, m.body, 0, -17, 14, 9);
      ellipse(g, m.belly, 1, -13, 9, 4);
      ellipse(g, m.body, 12, -24, 7, 6.5);
      ellipse(g, m.belly, 17, -22, 4, 3);  // muzzle
      g.fillStyle = m.body;
      if (m.ears === 'round') { g.beginPath(); g.arc(8, -30, 3, 0, 7); g.arc(15, -30, 3, 0, 7); g.fill(); }
      else { g.beginPath(); g.moveTo(7, -28); g.lineTo(9, -37); g.lineTo(12, -29); g.fill(); g.beginPath(); g.moveTo(12, -29); g.lineTo(16, -37); g.lineTo(17, -27); g.fill(); }
      eye(g, 14, -26, up, m.ears === 'round' ? '#222' : '#ffe14d');
      if (!up) { g.fillStyle = '#222'; g.beginPath(); g.arc(20.5, -23, 1.4, 0, 7); g.fill(); }
    },
    scorpion: function (g, m, walk, lunge, up, t) {
      g.strokeStyle = m.body; g.lineWidth = 1.6;
      for (var k = 0; k < 3; k++) {  // six scuttling legs
        var sw = Math.sin(t * 18 + k * 2) * (walk ? 3 : 0.5);
        g.beginPath(); g.moveTo(-6 + k * 5, -7); g.lineTo(-10 + k * 5 + sw, 0); g.stroke();
        g.beginPath(); g.moveTo(-4 + k * 5, -7); g.lineTo(-1 + k * 5 - sw, 0); g.stroke();
      }
      ellipse(g, m.body, 0, -8, 13, 5.5);
      g.strokeStyle = m.belly; g.lineWidth = 1;
      for (var j = -6; j <= 6; j += 4) { g.beginPath(); g.moveTo(j, -12.5); g.lineTo(j, -4); g.stroke(); }
      // the tail curls over the back, striking forward in an attack
      var seg = [[-11, -9], [-16, -15], [-17, -22], [-14, -29 + lunge * 4], [-7 + lunge * 8, -32 + lunge * 6]];
      for (var i = 0; i < seg.length; i++) ellipse(g, i % 2 ? m.body : m.belly, seg[i][0], seg[i][1], 5 - i * 0.4, 4.5 - i * 0.4);
      g.fillStyle = '#3b2412'; g.beginPath(); g.moveTo(seg[4][0] + 2, seg[4][1]); g.lineTo(seg[4][0] + 7, seg[4][1] + 4); g.lineTo(seg[4][0], seg[4][1] + 3); g.fill();
      // pincers
      ellipse(g, m.body, 15 + lunge * 3, -9, 5, 3, -0.3);
      g.fillStyle = m.belly; g.beginPath(); g.moveTo(19 + lunge * 3, -11); g.lineTo(24 + lunge * 3, -13); g.lineTo(20 + lunge * 3, -8); g.fill();
      eye(g, 11, -11, up, '#111');
    },
    bird: function (g, m, walk, lunge, up, t) {
      var flap = Math.sin(t * (walk ? 14 : 6)), hover = -14 + Math.sin(t * 4) * 2;
      g.translate(0, hover);
      g.strokeStyle = '#c9a13a'; g.lineWidth = 2;
      g.beginPath(); g.moveTo(-2, 0); g.lineTo(-3, 8); g.moveTo(3, 0); g.lineTo(4, 8); g.stroke();
      ellipse(g, m.belly, -6, -20 - flap * 12, 15, 5, -0.6 - flap * 0.5);  // far wing
      ellipse(g, m.body, 0, -8, 8, 11);
      ellipse(g, m.belly, 2, -6, 5, 7);
      g.fillStyle = '#f0c8a0'; g.beginPath(); g.arc(4, -22, 6, 0, 7); g.fill();  // a harpy's face
      g.fillStyle = m.body; g.beginPath(); g.arc(3, -24, 6.4, Math.PI * 0.9, Math.PI * 2.1); g.fill();
      eye(g, 7, -22, up, '#d12');
      ellipse(g, m.body, 4, -18 - flap * 12, 16, 5, -0.4 - flap * 0.5);  // near wing
    },
    dragon: function (g, m, walk, lunge, up, t) {
      g.translate(0, -Math.abs(walk) * 1.2);
      g.fillStyle = m.body;
      g.fillRect(-9 - walk * 2, -10, 5, 10); g.fillRect(5 + walk * 2, -10, 5, 10);
      g.strokeStyle = m.body; g.lineWidth = 5; g.lineCap = 'round';
      g.beginPath(); g.moveTo(-12, -14); g.quadraticCurveTo(-26, -12 + walk * 2, -30, -22); g.stroke();
      g.lineCap = 'butt';
      if (m.wings) {
        var flap = Math.sin(t * 5) * 0.3;
        g.fillStyle = m.belly; g.beginPath(); g.moveTo(-4, -24); g.lineTo(-22, -48 - flap * 12); g.lineTo(-14, -30); g.lineTo(-8, -40 - flap * 10); g.lineTo(2, -26); g.fill();
      }
      ellipse(g, m.body, 0, -18, 15, 11);
      ellipse(g, m.belly, 3, -14, 9, 6);
      g.strokeStyle = m.body; g.lineWidth = 6;
      g.beginPath(); g.moveTo(8, -22); g.lineTo(14, -32); g.stroke();
      ellipse(g, m.body, 17, -34, 8, 6, 0.2);
      g.fillStyle = '#efe2c0'; g.beginPath(); g.moveTo(13, -38); g.lineTo(10, -47); g.lineTo(16, -39); g.fill();
      if (lunge > 0.2) { ellipse(g, 'rgba(255,150,40,' + lunge + ')', 30, -33, 7 * lunge, 4 * lunge); }
      eye(g, 19, -36, up, '#ff7b1c');
    },
    golem: function (g, m, walk, lunge, up, t) {
      g.translate(0, -Math.abs(walk) * 1);
      g.fillStyle = m.body;
      g.fillRect(-9 + walk * 2, -14, 7, 14); g.fillRect(3 - walk * 2, -14, 7, 14);
      g.fillStyle = m.belly; g.fillRect(-12, -36, 24, 23);
      g.fillStyle = m.body; g.fillRect(-12, -36, 24, 5); g.fillRect(-4, -28, 3, 12);
      g.fillStyle = m.body; g.fillRect(-18, -34 - lunge * 6, 7, 18); g.fillRect(11, -34 - lunge * 8, 7, 18);  // arms
      g.fillStyle = m.belly; g.fillRect(-6, -46, 12, 10);
      g.fillStyle = '#6de3ff'; if (!up) { g.fillRect(-1, -43, 2.5, 2.5); g.fillRect(3, -43, 2.5, 2.5); }
      g.strokeStyle = 'rgba(40,40,45,0.5)'; g.lineWidth = 1;
      g.beginPath(); g.moveTo(-10, -20); g.lineTo(-4, -24); g.lineTo(2, -18); g.stroke();
    },
    wraith: function (g, m, walk, lunge, up, t) {
      var hover = -10 + Math.sin(t * 3) * 3;
      g.translate(0, hover);
      g.globalAlpha *= 0.85;
      g.fillStyle = m.body;
      g.beginPath(); g.moveTo(-11, -30); g.quadraticCurveTo(0, -48, 11, -30);
      for (var k = 0; k <= 4; k++) g.lineTo(11 - k * 5.5, -2 + (k % 2 ? -6 : 0) + Math.sin(t * 6 + k) * 2);
      g.closePath(); g.fill();
      ellipse(g, m.belly, 0, -32, 7, 8);
      g.fillStyle = 'rgba(20,30,60,0.8)'; g.beginPath(); g.arc(2, -33, 5.5, 0, 7); g.fill();  // the hood's shadow
      if (!up) { ellipse(g, '#7ff', 0, -34, 1.6, 1.6); ellipse(g, '#7ff', 4, -34, 1.6, 1.6); }
      g.strokeStyle = m.body; g.lineWidth = 3;
      g.beginPath(); g.moveTo(8, -24); g.quadraticCurveTo(16 + lunge * 8, -22, 18 + lunge * 10, -14); g.stroke();
    },
    serpent: function (g, m, walk, lunge, up, t) {
      var wave = t * (walk ? 9 : 3);
      g.lineCap = 'round';
      for (var i = 0; i < 8; i++) {  // body segments along a travelling wave, tail first
        var x = -20 + i * 4.5, y = -4 + Math.sin(wave - i * 0.8) * 3;
        ellipse(g, i % 2 ? m.body : m.belly, x, y, 4.5, 3.5);
      }
      g.strokeStyle = m.body; g.lineWidth = 6;
      g.beginPath(); g.moveTo(14, -5); g.quadraticCurveTo(18 + lunge * 6, -16, 16 + lunge * 8, -24); g.stroke();
      g.lineCap = 'butt';
      ellipse(g, m.body, 18 + lunge * 8, -26, 6, 4.5, 0.2);
      if (!up) { g.strokeStyle = '#d22'; g.lineWidth = 1; g.beginPath(); g.moveTo(23 + lunge * 8, -25); g.lineTo(27 + lunge * 8, -24); g.stroke(); }
      eye(g, 19 + lunge * 8, -27, up, '#ffde3a');
    },
  };

  function drawNpc(g, kindId, t, traverse) {
    if (traverse) {  // a traveller's circle of runes under NPCs that take players to other scenes
      g.strokeStyle = 'rgba(120,200,255,' + (0.5 + Math.sin(t * 3) * 0.3) + ')'; g.lineWidth = 2;
      g.beginPath(); g.ellipse(0, 0, 26, 9, 0, 0, 7); g.stroke();
    }
    shadow(g, 12);
    var hue = (kindId * 67) % 360;
    g.fillStyle = 'hsl(' + hue + ',40%,40%)';
    g.beginPath(); g.moveTo(-11, 0); g.lineTo(11, 0); g.lineTo(7, -32); g.lineTo(-7, -32); g.fill();
    g.fillStyle = 'hsl(' + hue + ',45%,65%)'; g.fillRect(-2, -32, 4, 32);
    g.fillStyle = '#e8c39e'; g.beginPath(); g.arc(0, -38, 7, 0, 7); g.fill();
    g.fillStyle = '#eee'; g.beginPath(); g.moveTo(-5, -35); g.lineTo(5, -35); g.lineTo(0, -26); g.fill();  // beard
    g.fillStyle = 'hsl(' + hue + ',40%,30%)'; g.beginPath(); g.arc(0, -41, 7.5, Math.PI, 0); g.fill();
    var y = -80 + Math.sin(t * 3) * 2;  // the quest marker, above the name label
    g.fillStyle = '#ffd21f'; g.strokeStyle = '#5a3d00'; g.lineWidth = 1.5;
    g.font = 'bold 16px sans-serif'; g.textAlign = 'center';
    g.strokeText('!', 0, y); g.fillText('!', 0, y);
  }

  function drawItem(g, type, kindId, t) {
    var bob = Math.sin(t * 3 + kindId) * 2;
    g.fillStyle = 'rgba(255,240,150,' + (0.25 + Math.sin(t * 4) * 0.1) + ')';
    g.beginPath(); g.ellipse(0, 0, 14, 5, 0, 0, 7); g.fill();
    g.translate(0, -8 + bob);
    if (type === 'equipment') {
      g.fillStyle = '#8d99a6'; g.beginPath(); g.moveTo(-8, -8); g.lineTo(8, -8); g.lineTo(8, 0); g.lineTo(0, 8); g.lineTo(-8, 0); g.fill();
      g.fillStyle = 'hsl(' + ((kindId * 53) % 360) + ',55%,50%)'; g.beginPath(); g.arc(0, -2, 3.5, 0, 7); g.fill();
      g.strokeStyle = '#3a4450'; g.lineWidth = 1.2; g.beginPath(); g.moveTo(-8, -8); g.lineTo(8, -8); g.lineTo(8, 0); g.lineTo(0, 8); g.lineTo(-8, 0); g.closePath(); g.stroke();
    } else {
      g.fillStyle = kindId % 2 ? '#d8323c' : '#3c6bd8';
      g.beginPath(); g.arc(0, 0, 6, 0, 7); g.fill();
      g.fillStyle = '#eee'; g.fillRect(-2, -10, 4, 5);
      g.fillStyle = 'rgba(255,255,255,0.6)'; g.beginPath(); g.arc(-2, -2, 1.8, 0, 7); g.fill();
    }
  }

  MMO.Art = { hash: hash, THEMES: THEMES, themeFor: themeFor, drawChunk: drawChunk, orientation: orientation,
              drawHero: drawHero, drawMob: drawMob, drawNpc: drawNpc, drawItem: drawItem, mobLook: mobLook };
})(window.MMO = window.MMO || {});
