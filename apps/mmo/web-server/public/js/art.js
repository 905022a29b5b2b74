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
  // Mob shapes by kind: body colour, belly, size, and features.
  var MOBS = {
    201: { body: '#8c6d4f', belly: '#c7a98a', size: 1.0, ears: true, tail: true },
    202: { body: '#7a4f8f', belly: '#c9a2d8', size: 0.9, wings: true },
    203: { body: '#4d8a3c', belly: '#b9d77a', size: 1.9, wings: true, horns: true, tail: true },
    204: { body: '#6f7680', belly: '#a9b0b8', size: 2.2, horns: true },
    205: { body: '#b5532f', belly: '#e39a6b', size: 1.1, horns: true, tail: true },
    206: { body: '#3f6f7f', belly: '#8fc2cf', size: 1.2, ears: true },
    207: { body: '#5a5a2e', belly: '#a3a36a', size: 1.3, tail: true },
    208: { body: '#9c2f2f', belly: '#e0835f', size: 1.6, horns: true, wings: true },
    209: { body: '#d6dbe6', belly: '#ffffff', size: 1.4, ears: true, tail: true },
  };
  function mobLook(kindId) {
    return MOBS[kindId] || { body: 'hsl(' + ((kindId * 47) % 360) + ',35%,45%)', belly: '#ddd', size: 1.1, ears: kindId % 2 === 0, tail: true };
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

  function drawMob(g, kindId, dir, action, t) {
    var m = mobLook(kindId), s = m.size, up = /Up$/.test(dir), left = /^Left/.test(dir);
    shadow(g, 16 * s);
    if (action === 'Dead') { g.globalAlpha *= Math.max(0.15, 0.8 - t * 0.4); g.scale(1, 0.55); }
    if (left) g.scale(-1, 1);
    g.scale(s, s);
    var walk = action === 'Walk' ? Math.sin(t * 10) : 0;
    var lunge = action === 'Attack' ? Math.sin(Math.min(1, t / 0.4) * Math.PI) * 6 : 0;
    g.translate(lunge, -Math.abs(walk) * 1.5);
    g.fillStyle = m.body;
    for (var k = 0; k < 4; k++) g.fillRect(-11 + k * 6 + (k % 2 ? walk : -walk) * 2, -9, 4, 9);  // legs
    if (m.tail) { g.strokeStyle = m.body; g.lineWidth = 3; g.beginPath(); g.moveTo(-12, -16); g.quadraticCurveTo(-22, -20 + walk * 3, -20, -30); g.stroke(); }
    if (m.wings) {
      var flap = Math.sin(t * 8) * 0.4;
      g.fillStyle = m.belly; g.globalAlpha *= 0.9;
      g.beginPath(); g.moveTo(-2, -22); g.lineTo(-16, -40 - flap * 10); g.lineTo(-4, -30); g.fill();
      g.globalAlpha /= 0.9;
    }
    g.fillStyle = m.body; g.beginPath(); g.ellipse(0, -17, 14, 9, 0, 0, 7); g.fill();
    g.fillStyle = m.belly; g.beginPath(); g.ellipse(1, -13, 9, 4, 0, 0, 7); g.fill();
    // head, turned away when facing up
    g.fillStyle = m.body; g.beginPath(); g.arc(12, -25, 7, 0, 7); g.fill();
    if (m.ears) { g.beginPath(); g.moveTo(8, -30); g.lineTo(10, -37); g.lineTo(13, -31); g.fill(); g.beginPath(); g.moveTo(13, -31); g.lineTo(16, -37); g.lineTo(17, -29); g.fill(); }
    if (m.horns) { g.fillStyle = '#eee2c4'; g.beginPath(); g.moveTo(9, -30); g.lineTo(6, -40); g.lineTo(12, -31); g.fill(); g.beginPath(); g.moveTo(14, -31); g.lineTo(18, -40); g.lineTo(17, -29); g.fill(); }
    if (!up) { g.fillStyle = '#ffe14d'; g.beginPath(); g.arc(15, -26, 1.8, 0, 7); g.fill(); g.fillStyle = '#111'; g.fillRect(15, -27, 1, 2); }
    if (m.wings) {
      var flap2 = Math.sin(t * 8 + 1) * 0.4;
      g.fillStyle = m.belly; g.beginPath(); g.moveTo(2, -22); g.lineTo(-10, -44 + flap2 * 10); g.lineTo(4, -30); g.fill();
    }
  }

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
    var y = -58 + Math.sin(t * 3) * 2;  // the quest marker
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
