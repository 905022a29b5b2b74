// Client-side path finding on the enterScene map (weightMap of run-length collisions, 20 px tiles),
// with the rules the area server verifies paths by: 4-neighbour A* with a Euclidean heuristic, tile
// centres, collinear points dropped, three shortcut passes, segments sampled every 10 px with a probe
// of both tiles where a segment crosses a tile corner. The path keeps the exact start and end points
// the player clicked from and to, so the server's "path[0] near the player" check holds.
// Loaded as a classic script (window.MMO.PathMap); also require()-able for tests.
(function (root, factory) {
  var api = factory();
  if (typeof module === 'object' && module.exports) module.exports = api;
  else (root.MMO = root.MMO || {}).PathMap = api.PathMap;
})(typeof self !== 'undefined' ? self : this, function () {
  'use strict';

  // map: {width, height, tileW, tileH, weightMap:[{collisions:[{start, length}]} per tile column]}
  function PathMap(map) {
    this.width = map.width; this.height = map.height;
    this.tileW = map.tileW || 20; this.tileH = map.tileH || 20;
    this.cols = Math.ceil(this.width / this.tileW);
    this.rows = Math.ceil(this.height / this.tileH);
    this.blocked = new Uint8Array(this.cols * this.rows);
    var wm = Array.isArray(map.weightMap) ? map.weightMap : [];
    for (var x = 0; x < Math.min(wm.length, this.cols); x++) {
      var runs = (wm[x] && Array.isArray(wm[x].collisions)) ? wm[x].collisions : [];
      for (var i = 0; i < runs.length; i++) {
        var s = Math.max(0, runs[i].start | 0), e = Math.min(this.rows, s + (runs[i].length | 0));
        for (var y = s; y < e; y++) this.blocked[y * this.cols + x] = 1;
      }
    }
  }

  PathMap.prototype.tileBlocked = function (tx, ty) {
    if (tx < 0 || ty < 0 || tx >= this.cols || ty >= this.rows) return true;
    return this.blocked[ty * this.cols + tx] === 1;
  };

  PathMap.prototype.reachable = function (x, y) {
    if (!(x >= 0 && y >= 0 && x < this.width && y < this.height)) return false;
    return !this.tileBlocked(Math.floor(x / this.tileW), Math.floor(y / this.tileH));
  };

  // Samples every 10 px; where two samples sit in diagonal tiles, both tiles beside the corner must be
  // free too (otherwise a segment could slip between two blocked tiles touching at a corner).
  PathMap.prototype.segmentClear = function (a, b) {
    var dx = b.x - a.x, dy = b.y - a.y, len = Math.sqrt(dx * dx + dy * dy);
    var steps = Math.max(1, Math.ceil(len / 10));
    var ptx = Math.floor(a.x / this.tileW), pty = Math.floor(a.y / this.tileH);
    if (!this.reachable(a.x, a.y)) return false;
    for (var i = 1; i <= steps; i++) {
      var x = a.x + dx * i / steps, y = a.y + dy * i / steps;
      if (!this.reachable(x, y)) return false;
      var tx = Math.floor(x / this.tileW), ty = Math.floor(y / this.tileH);
      if (tx !== ptx && ty !== pty && (this.tileBlocked(tx, pty) || this.tileBlocked(ptx, ty))) return false;
      ptx = tx; pty = ty;
    }
    return true;
  };

  // A* on tiles with a binary heap on f = g + h and lazy duplicates; null when unreachable.
  PathMap.prototype.astar = function (sx, sy, gx, gy) {
    if (this.tileBlocked(sx, sy) || this.tileBlocked(gx, gy)) return null;
    var cols = this.cols, n = cols * this.rows;
    var g = new Float64Array(n).fill(Infinity), from = new Int32Array(n).fill(-1), closed = new Uint8Array(n);
    var heap = [];  // [f, index]
    function push(f, i) {
      heap.push([f, i]);
      for (var k = heap.length - 1; k > 0;) {
        var p = (k - 1) >> 1;
        if (heap[p][0] <= heap[k][0]) break;
        var t = heap[p]; heap[p] = heap[k]; heap[k] = t; k = p;
      }
    }
    function pop() {
      var top = heap[0], last = heap.pop();
      if (heap.length) {
        heap[0] = last;
        for (var k = 0; ;) {
          var l = 2 * k + 1, r = l + 1, m = k;
          if (l < heap.length && heap[l][0] < heap[m][0]) m = l;
          if (r < heap.length && heap[r][0] < heap[m][0]) m = r;
          if (m === k) break;
          var t = heap[m]; heap[m] = heap[k]; heap[k] = t; k = m;
        }
      }
      return top;
    }
    var h = function (x, y) { return Math.sqrt((x - gx) * (x - gx) + (y - gy) * (y - gy)); };
    var start = sy * cols + sx, goal = gy * cols + gx;
    g[start] = 0; push(h(sx, sy), start);
    var nb = [[1, 0], [-1, 0], [0, 1], [0, -1]];
    while (heap.length) {
      var cur = pop()[1];
      if (closed[cur]) continue;
      closed[cur] = 1;
      if (cur === goal) break;
      var cx = cur % cols, cy = (cur - cx) / cols;
      for (var k = 0; k < 4; k++) {
        var nx = cx + nb[k][0], ny = cy + nb[k][1];
        if (this.tileBlocked(nx, ny)) continue;
        var ni = ny * cols + nx;
        if (closed[ni] || g[cur] + 1 >= g[ni]) continue;
        g[ni] = g[cur] + 1; from[ni] = cur;
        push(g[ni] + h(nx, ny), ni);
      }
    }
    if (!closed[goal]) return null;
    var tiles = [];
    for (var i = goal; i !== -1; i = from[i]) tiles.push({ x: i % cols, y: Math.floor(i / cols) });
    return tiles.reverse();
  };

  function collinear(a, b, c) {
    return Math.abs((b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x)) < 1e-6;
  }
  function dropCollinear(pts) {
    var out = [pts[0]];
    for (var i = 1; i < pts.length - 1; i++) if (!collinear(out[out.length - 1], pts[i], pts[i + 1])) out.push(pts[i]);
    out.push(pts[pts.length - 1]);
    return out;
  }
  function length(pts) {
    var d = 0;
    for (var i = 1; i < pts.length; i++) d += Math.hypot(pts[i].x - pts[i - 1].x, pts[i].y - pts[i - 1].y);
    return d;
  }

  // {path:[{x,y}...], cost} from start to end (exact points), or null.
  PathMap.prototype.findPath = function (start, end) {
    if (!this.reachable(start.x, start.y) || !this.reachable(end.x, end.y)) return null;
    var a = { x: start.x, y: start.y }, b = { x: end.x, y: end.y };
    if (this.segmentClear(a, b)) return { path: [a, b], cost: length([a, b]) };
    var tw = this.tileW, th = this.tileH;
    var tiles = this.astar(Math.floor(a.x / tw), Math.floor(a.y / th), Math.floor(b.x / tw), Math.floor(b.y / th));
    if (!tiles) return null;
    var pts = tiles.map(function (t) { return { x: t.x * tw + tw / 2, y: t.y * th + th / 2 }; });
    // The exact points join their tiles' centres (a segment inside one tile is always clear).
    pts = [a].concat(pts, [b]);
    pts = dropCollinear(pts);
    for (var pass = 0; pass < 3; pass++) {
      var out = [pts[0]];
      for (var i = 1; i < pts.length; i++) {
        if (i + 1 < pts.length && this.segmentClear(out[out.length - 1], pts[i + 1])) continue;
        out.push(pts[i]);
      }
      pts = out;
    }
    pts = dropCollinear(pts);
    return { path: pts, cost: length(pts) };
  };

  return { PathMap: PathMap };
});
