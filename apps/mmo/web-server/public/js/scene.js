// The scene: the entity table of the current area, walking along paths, the camera (centred on the
// player, clamped to the map), and drawing (ground chunks, then entities sorted by y, then labels,
// HP bars and damage numbers on top).
(function (MMO) {
  'use strict';
  var Art = MMO.Art, CHUNK = 320, MAX_CHUNKS = 160;

  function Scene(canvas) {
    this.canvas = canvas; this.g = canvas.getContext('2d');
    this.entities = {};     // entityId -> entity
    this.floaters = [];     // damage numbers and notices drawn over entities
    this.chunks = new Map(); // "cx,cy" -> canvas, in use order (oldest first)
    this.cam = { x: 0, y: 0 };
    this.myId = null; this.map = null; this.pathMap = null; this.theme = 'desert';
  }

  Scene.prototype.setMap = function (map, areaId) {
    this.map = map; this.pathMap = new MMO.PathMap(map);
    this.theme = Art.themeFor(areaId, map.name);
    this.entities = {}; this.floaters = []; this.chunks.clear();
    this.minimap = null;
  };

  // Entity JSON of enterScene/onAddEntities → entity record (the fields the client draws and uses).
  Scene.prototype.add = function (type, e) {
    if (!e || typeof e.entityId !== 'number') return null;
    var old = this.entities[e.entityId];
    var ent = Object.assign(old || { dir: 'RightDown', action: 'Stand', actionAt: performance.now(), path: null }, e);
    ent.type = e.type || type;
    ent.x = Number(e.x) || 0; ent.y = Number(e.y) || 0;
    ent.died = ent.type !== 'item' && ent.type !== 'equipment' && ent.type !== 'npc' && e.hp === 0;
    this.entities[e.entityId] = ent;
    return ent;
  };
  Scene.prototype.remove = function (id) { delete this.entities[id]; };
  Scene.prototype.me = function () { return this.entities[this.myId]; };
  Scene.prototype.byPlayerId = function (playerId) {
    for (var k in this.entities) { var e = this.entities[k]; if (e.type === 'player' && e.id === playerId) return e; }
    return null;
  };
  Scene.prototype.setAction = function (ent, action) {
    if (ent.action !== action) { ent.action = action; ent.actionAt = performance.now(); }
  };

  // Starts walking `path` at `speed` px/s; `ahead` ms of it count as already walked (network delay).
  Scene.prototype.walk = function (ent, path, speed, ahead) {
    if (!Array.isArray(path) || path.length < 2 || !(speed > 0)) return;
    var pts = path.map(function (p) { return { x: Number(p && p.x), y: Number(p && p.y) }; });
    if (!pts.every(function (p) { return isFinite(p.x) && isFinite(p.y); })) return;  // a broken path: ignore it
    ent.path = pts;
    ent.pathIdx = 1; ent.speed = speed;
    this.setAction(ent, 'Walk');
    if (ahead > 0) this.advance(ent, speed * ahead / 1000);
  };
  Scene.prototype.stop = function (ent) { ent.path = null; if (!ent.died) this.setAction(ent, 'Stand'); };

  Scene.prototype.advance = function (ent, dist) {
    while (ent.path && dist > 0) {
      var to = ent.path[ent.pathIdx], dx = to.x - ent.x, dy = to.y - ent.y, d = Math.sqrt(dx * dx + dy * dy);
      if (d > 0.01) ent.dir = Art.orientation(dx, dy, ent.dir);
      if (d <= dist) {
        ent.x = to.x; ent.y = to.y; dist -= d;
        if (++ent.pathIdx >= ent.path.length) this.stop(ent);
      } else { ent.x += dx / d * dist; ent.y += dy / d * dist; dist = 0; }
    }
  };

  Scene.prototype.update = function (dt) {
    var now = performance.now();
    for (var k in this.entities) {
      var e = this.entities[k];
      if (e.path) this.advance(e, e.speed * dt);
      if (e.action === 'Attack' && now - e.actionAt > 500) this.setAction(e, e.path ? 'Walk' : 'Stand');
      if (e.fadeAt && now > e.fadeAt) delete this.entities[k];
    }
    this.floaters = this.floaters.filter(function (f) { return now - f.at < f.life; });
    this.updateCamera();
  };

  // The camera follows the player, clamped to the map (centred when the map is smaller than the
  // view). Also called before turning a click into world coordinates, so a click always meets the
  // camera of the player's present position, not of the last frame.
  Scene.prototype.updateCamera = function () {
    var me = this.me(), cw = this.canvas.width, ch = this.canvas.height;
    if (!me || !this.map) return;
    this.cam.x = clamp(me.x - cw / 2, 0, Math.max(0, this.map.width - cw));
    this.cam.y = clamp(me.y - ch / 2, 0, Math.max(0, this.map.height - ch));
    if (this.map.width < cw) this.cam.x = (this.map.width - cw) / 2;
    if (this.map.height < ch) this.cam.y = (this.map.height - ch) / 2;
  };

  function clamp(v, lo, hi) { return Math.max(lo, Math.min(hi, v)); }

  // A rising number or word over an entity (drawn from above its name label).
  Scene.prototype.floater = function (ent, text, color, big) {
    this.floaters.push({ x: ent.x, y: ent.y - this.height(ent) - 24, text: text, color: color, big: !!big, at: performance.now(), life: 1200 });
  };

  Scene.prototype.chunk = function (cx, cy) {
    var key = cx + ',' + cy, c = this.chunks.get(key);
    if (c) { this.chunks.delete(key); this.chunks.set(key, c); return c; }
    c = Art.drawChunk(this.theme, this.pathMap, cx, cy, CHUNK);
    this.chunks.set(key, c);
    if (this.chunks.size > MAX_CHUNKS) this.chunks.delete(this.chunks.keys().next().value);
    return c;
  };

  Scene.prototype.draw = function () {
    var g = this.g, cw = this.canvas.width, ch = this.canvas.height;
    g.setTransform(1, 0, 0, 1, 0, 0);
    g.fillStyle = '#1d1a17'; g.fillRect(0, 0, cw, ch);
    if (!this.map) { this.drawBackdrop(g, cw, ch); return; }
    g.translate(-Math.round(this.cam.x), -Math.round(this.cam.y));
    var x0 = Math.max(0, Math.floor(this.cam.x / CHUNK)), y0 = Math.max(0, Math.floor(this.cam.y / CHUNK));
    var x1 = Math.min(Math.ceil(this.map.width / CHUNK) - 1, Math.floor((this.cam.x + cw) / CHUNK));
    var y1 = Math.min(Math.ceil(this.map.height / CHUNK) - 1, Math.floor((this.cam.y + ch) / CHUNK));
    g.save();
    g.beginPath(); g.rect(0, 0, this.map.width, this.map.height); g.clip();
    for (var cy = y0; cy <= y1; cy++) for (var cx = x0; cx <= x1; cx++) g.drawImage(this.chunk(cx, cy), cx * CHUNK, cy * CHUNK);
    g.restore();
    this.drawTargetMarker(g);
    var list = this.visible(cw, ch), now = performance.now();
    for (var i = 0; i < list.length; i++) this.drawEntity(g, list[i], now);
    for (var j = 0; j < list.length; j++) this.drawLabel(g, list[j]);
    this.drawFloaters(g, now);
    g.setTransform(1, 0, 0, 1, 0, 0);
    this.drawMinimap(g, cw);
  };

  // Behind the login and hero forms: open desert drifting slowly under a dusk tint.
  Scene.prototype.drawBackdrop = function (g, cw, ch) {
    if (!this.backdrop) this.backdrop = { pm: { tileW: 20, tileH: 20, cols: 0, rows: 0, tileBlocked: function () { return false; } }, chunks: new Map() };
    var b = this.backdrop, t = performance.now() / 1000, ox = t * 12, oy = t * 5;
    for (var cy = Math.floor(oy / CHUNK); cy * CHUNK < oy + ch; cy++)
      for (var cx = Math.floor(ox / CHUNK); cx * CHUNK < ox + cw; cx++) {
        var key = cx + ',' + cy, c = b.chunks.get(key);
        if (!c) { c = Art.drawChunk('desert', b.pm, cx, cy, CHUNK); b.chunks.set(key, c); }
        g.drawImage(c, Math.round(cx * CHUNK - ox), Math.round(cy * CHUNK - oy));
      }
    if (b.chunks.size > 64) b.chunks.clear();
    var grad = g.createLinearGradient(0, 0, 0, ch);
    grad.addColorStop(0, 'rgba(40,20,50,0.55)'); grad.addColorStop(1, 'rgba(20,10,5,0.75)');
    g.fillStyle = grad; g.fillRect(0, 0, cw, ch);
  };

  // Entities on screen, drawn back to front: ground items first, then by y, then by x.
  Scene.prototype.visible = function (cw, ch) {
    var out = [], c = this.cam;
    for (var k in this.entities) {
      var e = this.entities[k];
      if (e.x > c.x - 80 && e.x < c.x + cw + 80 && e.y > c.y - 40 && e.y < c.y + ch + 120) out.push(e);
    }
    return out.sort(function (a, b) {
      var za = (a.type === 'item' || a.type === 'equipment') ? 0 : 1, zb = (b.type === 'item' || b.type === 'equipment') ? 0 : 1;
      return za - zb || a.y - b.y || a.x - b.x;
    });
  };

  Scene.prototype.drawEntity = function (g, e, now) {
    var t = (now - e.actionAt) / 1000, action = e.died ? 'Dead' : e.action;
    g.save(); g.translate(Math.round(e.x), Math.round(e.y));
    if (e.fadeAt) g.globalAlpha = Math.max(0, (e.fadeAt - now) / 1500);
    if (e.entityId === this.targetId) {
      g.strokeStyle = '#ff4d4d'; g.lineWidth = 2;
      g.beginPath(); g.ellipse(0, 0, 20, 7, 0, 0, 7); g.stroke();
    }
    if (e.type === 'player') {
      if (e.entityId === this.myId) { g.strokeStyle = 'rgba(255,230,90,0.8)'; g.lineWidth = 2; g.beginPath(); g.ellipse(0, 0, 16, 6, 0, 0, 7); g.stroke(); }
      Art.drawHero(g, e.kindId, e.dir, action, t);
    } else if (e.type === 'mob') Art.drawMob(g, e.kindId, e.dir, action, t);
    else if (e.type === 'npc') Art.drawNpc(g, e.kindId, now / 1000, e.traverse);
    else Art.drawItem(g, e.type, e.kindId || 0, now / 1000);
    g.restore();
  };

  // Height of an entity's drawing above its feet (for labels and click boxes).
  Scene.prototype.height = function (e) {
    if (e.type === 'mob') return 42 * Art.mobLook(e.kindId).size;
    if (e.type === 'item' || e.type === 'equipment') return 22;
    return e.type === 'npc' ? 50 : 54;
  };

  Scene.prototype.drawLabel = function (g, e) {
    if (e.type === 'item' || e.type === 'equipment' || e.fadeAt) return;  // a fading corpse has no label
    var top = e.y - this.height(e) - 6, x = Math.round(e.x);
    var name = e.type === 'mob' ? (e.kindName || e.englishName || 'mob') + ' Lv' + (e.level || 1) : (e.name || e.kindName || '');
    g.font = '12px sans-serif'; g.textAlign = 'center'; g.lineWidth = 3; g.strokeStyle = 'rgba(0,0,0,0.75)';
    g.fillStyle = e.entityId === this.myId ? '#ffe45c' : e.type === 'mob' ? '#ffb0a0' : e.type === 'npc' ? '#9fe0ff' : '#ffffff';
    var label = name + (e.teamId && e.type === 'player' ? (e.isCaptain ? ' \u2691' : ' \u2690') : '');
    g.strokeText(label, x, top - 6); g.fillText(label, x, top - 6);
    if ((e.type === 'player' || e.type === 'mob') && e.maxHp > 0) {
      var w = 36, frac = Math.max(0, Math.min(1, (e.hp || 0) / e.maxHp));
      g.fillStyle = 'rgba(0,0,0,0.6)'; g.fillRect(x - w / 2 - 1, top - 1, w + 2, 6);
      g.fillStyle = frac > 0.5 ? '#4cd34c' : frac > 0.25 ? '#e3c13a' : '#e0433a';
      g.fillRect(x - w / 2, top, w * frac, 4);
    }
  };

  Scene.prototype.drawFloaters = function (g, now) {
    g.textAlign = 'center'; g.lineWidth = 3; g.strokeStyle = 'rgba(0,0,0,0.8)';
    for (var i = 0; i < this.floaters.length; i++) {
      var f = this.floaters[i], age = (now - f.at) / f.life;
      g.globalAlpha = 1 - age * age;
      g.font = (f.big ? 'bold 20px' : 'bold 15px') + ' sans-serif';
      g.fillStyle = f.color;
      g.strokeText(f.text, f.x, f.y - age * 40); g.fillText(f.text, f.x, f.y - age * 40);
    }
    g.globalAlpha = 1;
  };

  Scene.prototype.drawTargetMarker = function (g) {
    var me = this.me();
    if (!me || !me.path || this.myId == null) return;
    var end = me.path[me.path.length - 1];
    g.strokeStyle = 'rgba(255,255,255,0.7)'; g.lineWidth = 2;
    g.beginPath(); g.ellipse(end.x, end.y, 9, 4, 0, 0, 7); g.stroke();
  };

  // A small overview in the top right corner: blocked tiles, the view and the player.
  Scene.prototype.drawMinimap = function (g, cw) {
    var pm = this.pathMap, scale = 150 / Math.max(this.map.width, this.map.height);
    if (!this.minimap) {
      var c = document.createElement('canvas'), w = Math.ceil(this.map.width * scale), h = Math.ceil(this.map.height * scale);
      c.width = w; c.height = h;
      var mg = c.getContext('2d'), t = Art.THEMES[this.theme];
      mg.fillStyle = t.ground[0]; mg.fillRect(0, 0, w, h);
      mg.fillStyle = t.blocked === 'water' ? '#3d7fb8' : t.blocked === 'ice' ? '#7bbfe0' : '#5e5246';
      for (var ty = 0; ty < pm.rows; ty++) for (var tx = 0; tx < pm.cols; tx++)
        if (pm.tileBlocked(tx, ty)) mg.fillRect(tx * pm.tileW * scale, ty * pm.tileH * scale, Math.max(1, pm.tileW * scale), Math.max(1, pm.tileH * scale));
      this.minimap = c;
    }
    var mx = cw - this.minimap.width - 10, my = 10;
    g.globalAlpha = 0.85; g.drawImage(this.minimap, mx, my); g.globalAlpha = 1;
    g.strokeStyle = '#222'; g.strokeRect(mx - 0.5, my - 0.5, this.minimap.width + 1, this.minimap.height + 1);
    g.strokeStyle = '#fff'; g.strokeRect(mx + this.cam.x * scale, my + this.cam.y * scale, this.canvas.width * scale, this.canvas.height * scale);
    for (var k in this.entities) {
      var e = this.entities[k];
      if (e.type !== 'player' && e.type !== 'mob' && e.type !== 'npc') continue;
      g.fillStyle = e.entityId === this.myId ? '#ffe45c' : e.type === 'mob' ? '#e0433a' : e.type === 'npc' ? '#5cc8ff' : '#fff';
      g.fillRect(mx + e.x * scale - 1.5, my + e.y * scale - 1.5, 3, 3);
    }
  };

  // The entity under a screen point (topmost first), or null.
  Scene.prototype.pick = function (sx, sy) {
    this.updateCamera();
    var wx = sx + this.cam.x, wy = sy + this.cam.y, list = this.visible(this.canvas.width, this.canvas.height);
    for (var i = list.length - 1; i >= 0; i--) {
      var e = list[i], h = this.height(e), w = e.type === 'mob' ? 18 * Art.mobLook(e.kindId).size : 14;
      if (e.entityId === this.myId || e.fadeAt) continue;
      if (wx >= e.x - w && wx <= e.x + w && wy >= e.y - h && wy <= e.y + 6) return e;
    }
    return null;
  };

  MMO.Scene = Scene;
})(window.MMO = window.MMO || {});
