// The Shaddock dashboard: logs in through POST /api/login, polls GET /api/servers and GET /api/stats
// once a second, turns the counters into rates, and draws the tables and charts (canvas, no library).
// Level-1 users get stop / restart / start buttons (POST /api/command with the session's CSRF token).
'use strict';
(() => {
  const POLL_MS = 1000;
  const WINDOW_MS = 120000; // what the charts show
  const COLORS = ['#3ec1a8', '#5aa9ff', '#f0b43c', '#c586f2', '#ef5b5b', '#8fd14f', '#f58ac0', '#9fb3c8'];
  const $ = (id) => document.getElementById(id);

  let csrf = '';
  let level = 99;
  let timer = null;
  let prev = null; // the previous /api/stats answer, by server id
  let busy = new Set(); // servers with a command under way
  const armed = new Map(); // server id -> time a Stop button was first clicked (confirm by a second click)
  const hist = { tiles: {}, routeRps: new Map(), routeLat: new Map(), serverLag: new Map(), cpu: new Map() };
  const CPU_WINDOW_MS = 5000; // CPU time comes in clock ticks (10 ms): a share over a few seconds reads better

  // ---- HTTP ----
  async function api(path, opts = {}) {
    const init = { method: opts.method || 'GET', credentials: 'same-origin', headers: {}, cache: 'no-store' };
    if (opts.body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(opts.body);
    }
    if (init.method === 'POST' && csrf) init.headers['X-CSRF-Token'] = csrf;
    const res = await fetch(path, init);
    let data;
    try { data = await res.json(); } catch (e) { data = { ok: false, error: res.status + ' ' + res.statusText }; }
    return { status: res.status, data };
  }

  // ---- views ----
  function showLogin(message) {
    stopPolling();
    $('app').hidden = true;
    $('login').hidden = false;
    $('login-error').textContent = message || '';
    $('username').focus();
  }

  function showApp(session) {
    csrf = session.csrf;
    level = session.level;
    $('who').textContent = session.user + ' · level ' + session.level + (session.level > 1 ? ' (read only)' : '');
    $('login').hidden = true;
    $('app').hidden = false;
    prev = null;
    startPolling();
  }

  async function boot() {
    $('login-form').addEventListener('submit', onLogin);
    $('logout').addEventListener('click', onLogout);
    $('servers').addEventListener('click', onServerAction);
    window.addEventListener('resize', () => redrawCharts());
    try {
      const r = await api('/api/session');
      if (r.status === 200 && r.data.ok) return showApp(r.data);
    } catch (e) { /* the login form says what happens next */ }
    showLogin();
  }

  async function onLogin(ev) {
    ev.preventDefault();
    const button = $('login-button');
    button.disabled = true;
    $('login-error').textContent = '';
    try {
      const r = await api('/api/login', { method: 'POST', body: { username: $('username').value, password: $('password').value } });
      if (r.status === 200 && r.data.ok) {
        $('password').value = '';
        showApp(r.data);
      } else {
        $('login-error').textContent = r.data.error || ('login failed (' + r.status + ')');
      }
    } catch (e) {
      $('login-error').textContent = 'the master does not answer';
    } finally {
      button.disabled = false;
    }
  }

  async function onLogout() {
    try { await api('/api/logout', { method: 'POST' }); } catch (e) { /* logged out either way */ }
    csrf = '';
    showLogin('Logged out.');
  }

  // ---- polling ----
  function startPolling() {
    stopPolling();
    const tick = async () => {
      await poll();
      timer = setTimeout(tick, POLL_MS);
    };
    tick();
  }
  function stopPolling() {
    if (timer) clearTimeout(timer);
    timer = null;
  }

  async function poll() {
    const live = $('live');
    try {
      const [servers, stats] = await Promise.all([api('/api/servers'), api('/api/stats')]);
      if (servers.status === 401 || stats.status === 401) return showLogin(servers.data.error || 'log in again');
      if (!servers.data.ok || !stats.data.ok) throw new Error(servers.data.error || stats.data.error);
      render(servers.data, stats.data);
      live.className = 'live ok';
      live.textContent = 'live · ' + new Date().toLocaleTimeString();
    } catch (e) {
      live.className = 'live stale';
      live.textContent = 'no answer from the master';
    }
  }

  // ---- figures ----
  // Rates between two snapshots of one server; a server that restarted (counters went down) counts from 0.
  function delta(now, before, key) {
    const a = now[key] || 0, b = before ? before[key] || 0 : a;
    return a >= b ? a - b : a;
  }

  function histogramDelta(now, before) {
    if (!now) return null;
    const counts = now.counts.slice();
    let sum = now.sum;
    if (before && before.counts.length === counts.length) {
      const d = counts.map((c, i) => c - before.counts[i]);
      if (d.every((x) => x >= 0)) {
        for (let i = 0; i < d.length; i++) counts[i] = d[i];
        sum = now.sum - before.sum;
      }
    }
    return { bounds: now.bounds, counts, sum };
  }

  function mergeHistogram(into, h) {
    if (!h) return into;
    if (!into) return { bounds: h.bounds, counts: h.counts.slice(), sum: h.sum };
    if (into.counts.length !== h.counts.length) return into;
    for (let i = 0; i < h.counts.length; i++) into.counts[i] += h.counts[i];
    into.sum += h.sum;
    return into;
  }

  // The q-quantile of a histogram (per-bucket counts), interpolated within its bucket, in seconds.
  function quantile(h, q) {
    const total = h.counts.reduce((a, b) => a + b, 0);
    if (!total) return null;
    const target = q * total;
    let cum = 0;
    for (let i = 0; i < h.counts.length; i++) {
      const next = cum + h.counts[i];
      if (next >= target && h.counts[i] > 0) {
        if (i >= h.bounds.length) return h.bounds[h.bounds.length - 1];
        const lo = i === 0 ? 0 : h.bounds[i - 1], hi = h.bounds[i];
        return lo + (hi - lo) * ((target - cum) / h.counts[i]);
      }
      cum = next;
    }
    return h.bounds[h.bounds.length - 1];
  }

  function push(list, t, v) {
    list.push({ t, v });
    while (list.length && list[0].t < t - WINDOW_MS - 5000) list.shift();
  }
  function series(map, key) {
    if (!map.has(key)) map.set(key, []);
    return map.get(key);
  }
  function tile(name, t, v, text) {
    $('t-' + name).textContent = text;
    push(hist.tiles[name] || (hist.tiles[name] = []), t, v);
  }

  function render(list, stats) {
    const t = stats.nowMs;
    const by = {};
    for (const s of stats.servers) by[s.id] = s;
    const dt = prev ? (t - prev.nowMs) / 1000 : 0;
    const rate = (d) => (dt > 0 ? d / dt : 0);

    // Per route, over every server; RPC per (server, target).
    const routes = new Map();
    const rpcRows = [];
    let pushes = 0, rpcCalls = 0, rpcBad = 0, conns = 0, worstLag = 0;
    let allCount = 0, allSum = 0;
    for (const s of stats.servers) {
      const before = prev && prev.by[s.id];
      const beforeRoutes = new Map(before ? before.routes.map((r) => [r.route, r]) : []);
      for (const r of s.routes) {
        const b = beforeRoutes.get(r.route);
        const e = routes.get(r.route) || { route: r.route, total: 0, errors: 0, rps: 0, h: null };
        e.total += r.requests;
        e.errors += r.errors;
        e.rps += rate(delta(r, b, 'requests'));
        e.h = mergeHistogram(e.h, prev ? histogramDelta(r.latency, b && b.latency) : null);
        routes.set(r.route, e);
      }
      const beforeRpc = new Map(before ? before.rpc.map((r) => [r.target, r]) : []);
      for (const r of s.rpc) {
        const b = beforeRpc.get(r.target);
        const cps = rate(delta(r, b, 'calls'));
        rpcRows.push({ from: s.id, target: r.target, cps, calls: r.calls, errors: r.errors, timeouts: r.timeouts });
        rpcCalls += cps;
        rpcBad += rate(delta(r, b, 'errors'));
      }
      pushes += rate(delta(s, before, 'pushesSent'));
      conns += s.connections;
      worstLag = Math.max(worstLag, s.lagMs);
      push(series(hist.serverLag, s.id), t, s.lagMs);
    }
    let rps = 0;
    for (const e of routes.values()) {
      rps += e.rps;
      e.mean = e.h ? (() => { const n = e.h.counts.reduce((a, b) => a + b, 0); return n ? (e.h.sum / n) * 1000 : null; })() : null;
      e.p99 = e.h ? quantile(e.h, 0.99) : null;
      if (e.h) {
        const n = e.h.counts.reduce((a, b) => a + b, 0);
        allCount += n;
        allSum += e.h.sum;
      }
      if (prev) {
        push(series(hist.routeRps, e.route), t, e.rps);
        push(series(hist.routeLat, e.route), t, e.mean);
      }
    }

    const all = [list.master].concat(list.servers);
    $('cluster-name').textContent = '· ' + list.master.id + ' (' + list.master.host + ':' + list.master.port + ')';
    const up = all.filter((s) => s.state === 'running').length;
    tile('servers', t, up, up + ' / ' + all.length);
    if (prev) {
      tile('rps', t, rps, fmtRate(rps));
      const mean = allCount ? (allSum / allCount) * 1000 : null;
      tile('latency', t, mean, mean === null ? '–' : fmtMs(mean));
      tile('rpc', t, rpcCalls, fmtRate(rpcCalls));
      tile('rpcerr', t, rpcBad, rpcRows.reduce((a, r) => a + r.errors, 0) + ' / ' + rpcRows.reduce((a, r) => a + r.timeouts, 0));
      tile('push', t, pushes, fmtRate(pushes));
    }
    tile('lag', t, worstLag, fmtMs(worstLag));
    tile('conn', t, conns, String(conns));

    renderServers(all, by, t);
    renderRoutes([...routes.values()]);
    renderRpc(rpcRows);
    prev = { nowMs: t, by };
    redrawCharts();
  }

  // ---- tables ----
  function cell(tr, text, cls) {
    const td = document.createElement('td');
    td.textContent = text;
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }

  function renderServers(all, by, statsNow) {
    const body = $('servers').tBodies[0];
    body.textContent = '';
    const now = Date.now();
    for (const s of all) {
      const f = by[s.id];
      const tr = document.createElement('tr');
      tr.dataset.id = s.id;
      tr.dataset.state = s.state;
      tr.dataset.pid = String(s.pid);
      cell(tr, s.id, 'id');
      cell(tr, s.serverType);
      const st = cell(tr, '');
      const pill = document.createElement('span');
      pill.className = 'pill ' + s.state;
      pill.textContent = s.state;
      st.appendChild(pill);
      cell(tr, s.pid > 0 ? String(s.pid) : '–', 'num');
      let cpu = s.cpuPercent;
      if (f) {
        const samples = series(hist.cpu, s.id);
        if (samples.length && f.cpuMs < samples[samples.length - 1].v) samples.length = 0; // restarted
        samples.push({ t: statsNow, v: f.cpuMs });
        while (samples.length > 2 && samples[1].t <= statsNow - CPU_WINDOW_MS) samples.shift();
        const first = samples[0];
        if (statsNow > first.t) cpu = ((f.cpuMs - first.v) / (statsNow - first.t)) * 100;
      }
      cell(tr, s.pid > 0 && cpu !== undefined ? cpu.toFixed(1) + ' %' : '–', 'num');
      const rss = f && f.rssBytes ? f.rssBytes : s.rssKb ? s.rssKb * 1024 : 0;
      cell(tr, s.pid > 0 && rss ? fmtBytes(rss) : '–', 'num');
      cell(tr, f ? String(f.connections) : '–', 'num');
      cell(tr, f && s.pid > 0 ? fmtMs(f.lagMs) : '–', 'num');
      cell(tr, s.pid > 0 ? fmtUptime(s.uptimeMs) : '–', 'num');
      const actions = cell(tr, '', 'actions');
      if (level <= 1 && s.serverType !== 'master') {
        const when = armed.get(s.id);
        const confirming = when && now - when < 4000;
        actions.appendChild(button(confirming ? 'Confirm stop' : 'Stop', 'stop', s.id,
                                   busy.has(s.id) || s.pid <= 0 || s.state === 'stopping', 'danger'));
        actions.appendChild(button(s.pid > 0 ? 'Restart' : 'Start', 'restart', s.id, busy.has(s.id) || s.state === 'restarting'));
      }
      body.appendChild(tr);
    }
  }

  function button(text, action, id, disabled, extra) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'small' + (extra ? ' ' + extra : '');
    b.textContent = text;
    b.dataset.action = action;
    b.dataset.id = id;
    b.disabled = !!disabled;
    return b;
  }

  async function onServerAction(ev) {
    const b = ev.target.closest('button[data-action]');
    if (!b || b.disabled) return;
    const id = b.dataset.id, action = b.dataset.action;
    if (action === 'stop') {
      const when = armed.get(id);
      if (!when || Date.now() - when > 4000) {
        armed.set(id, Date.now());
        b.textContent = 'Confirm stop';
        return;
      }
      armed.delete(id);
    }
    busy.add(id);
    b.disabled = true;
    const status = $('action-status');
    status.textContent = action + ' ' + id + '…';
    try {
      const r = await api('/api/command', { method: 'POST', body: { cmd: action, ids: [id] } });
      if (r.status === 401) return showLogin(r.data.error);
      status.textContent = action + ' ' + id + ': ' + (r.data.ok ? 'done' : r.data.error);
    } catch (e) {
      status.textContent = action + ' ' + id + ': no answer from the master';
    } finally {
      busy.delete(id);
      poll();
    }
  }

  function renderRoutes(routes) {
    const body = $('routes').tBodies[0];
    body.textContent = '';
    const shown = routes.filter((r) => r.total > 0).sort((a, b) => b.rps - a.rps || b.total - a.total);
    if (!shown.length) {
      const tr = document.createElement('tr');
      cell(tr, 'no requests yet', 'muted').colSpan = 6;
      body.appendChild(tr);
    }
    for (const r of shown) {
      const tr = document.createElement('tr');
      tr.dataset.route = r.route;
      cell(tr, r.route, 'route');
      cell(tr, fmtRate(r.rps), 'num');
      cell(tr, String(r.total), 'num');
      cell(tr, String(r.errors), 'num' + (r.errors ? ' bad' : ''));
      cell(tr, r.mean === null || r.mean === undefined ? '–' : fmtMs(r.mean), 'num');
      cell(tr, r.p99 === null || r.p99 === undefined ? '–' : fmtMs(r.p99 * 1000), 'num');
      body.appendChild(tr);
    }
  }

  function renderRpc(rows) {
    const body = $('rpc').tBodies[0];
    body.textContent = '';
    const shown = rows.filter((r) => r.calls > 0).sort((a, b) => b.cps - a.cps || b.calls - a.calls);
    if (!shown.length) {
      const tr = document.createElement('tr');
      cell(tr, 'no RPC calls yet', 'muted').colSpan = 6;
      body.appendChild(tr);
    }
    for (const r of shown) {
      const tr = document.createElement('tr');
      cell(tr, r.from);
      cell(tr, r.target);
      cell(tr, fmtRate(r.cps), 'num');
      cell(tr, String(r.calls), 'num');
      cell(tr, String(r.errors), 'num');
      cell(tr, String(r.timeouts), 'num');
      body.appendChild(tr);
    }
  }

  // ---- charts ----
  function fit(canvas) {
    const r = canvas.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(10, Math.round(r.width)), h = Math.max(10, Math.round(r.height));
    if (canvas.width !== w * dpr || canvas.height !== h * dpr) {
      canvas.width = w * dpr;
      canvas.height = h * dpr;
    }
    const ctx = canvas.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    return { ctx, w, h };
  }

  function niceMax(v) {
    if (!(v > 0)) return 1;
    const p = Math.pow(10, Math.floor(Math.log10(v)));
    for (const m of [1, 2, 4, 6, 8, 10]) if (m * p >= v) return m * p;
    return 10 * p;
  }

  // The time span a chart shows: the last two minutes, or since its first point (at least 20 s).
  function span(now, points) {
    const first = Math.min(now, ...points.map((p) => p.t));
    return Math.min(WINDOW_MS, Math.max(20000, now - first));
  }

  function sparkline(canvas, points, color) {
    const { ctx, w, h } = fit(canvas);
    const now = points.length ? points[points.length - 1].t : 0;
    const vals = points.filter((p) => p.v !== null && p.t >= now - WINDOW_MS);
    if (vals.length < 2) return;
    const max = niceMax(Math.max(...vals.map((p) => p.v)));
    const range = span(now, vals);
    const x = (t) => ((t - (now - range)) / range) * w;
    const y = (v) => h - 2 - (v / max) * (h - 4);
    ctx.beginPath();
    vals.forEach((p, i) => (i ? ctx.lineTo(x(p.t), y(p.v)) : ctx.moveTo(x(p.t), y(p.v))));
    ctx.strokeStyle = color;
    ctx.lineWidth = 1.5;
    ctx.stroke();
    ctx.lineTo(x(vals[vals.length - 1].t), h);
    ctx.lineTo(x(vals[0].t), h);
    ctx.closePath();
    ctx.fillStyle = color + '22';
    ctx.fill();
  }

  // Lines over the last two minutes: [{name, points:[{t, v}]}], a y axis from 0, labels by `fmt`.
  function lineChart(canvas, legend, lines, fmt) {
    const { ctx, w, h } = fit(canvas);
    const left = 52, right = 8, top = 8, bottom = 20;
    const now = Math.max(0, ...lines.map((l) => (l.points.length ? l.points[l.points.length - 1].t : 0)));
    const visible = lines.map((l) => l.points.filter((p) => p.t >= now - WINDOW_MS));
    const max = niceMax(Math.max(0, ...visible.flat().filter((p) => p.v !== null).map((p) => p.v)));
    const range = span(now, visible.flat());
    const x = (t) => left + ((t - (now - range)) / range) * (w - left - right);
    const y = (v) => top + (1 - v / max) * (h - top - bottom);
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillStyle = '#8593a5';
    ctx.strokeStyle = '#263041';
    ctx.lineWidth = 1;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (let i = 0; i <= 4; i++) {
      const v = (max * i) / 4, yy = Math.round(y(v)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(left, yy);
      ctx.lineTo(w - right, yy);
      ctx.stroke();
      ctx.fillText(fmt(v), left - 6, yy);
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'alphabetic';
    const ago = (ms) => (ms >= 100000 ? '−' + Math.round(ms / 60000) + ' min' : '−' + Math.round(ms / 1000) + ' s');
    for (const back of [range, range / 2, 0])
      ctx.fillText(back ? ago(back) : 'now', Math.min(w - right - 12, Math.max(left + 16, x(now - back))), h - 5);
    visible.forEach((pts, i) => {
      ctx.beginPath();
      let pen = false;
      // A second without requests has no latency: the line goes on to the next one that has.
      for (const p of pts) {
        if (p.v === null || p.v === undefined) continue;
        if (pen) ctx.lineTo(x(p.t), y(p.v)); else ctx.moveTo(x(p.t), y(p.v));
        pen = true;
      }
      ctx.strokeStyle = COLORS[i % COLORS.length];
      ctx.lineWidth = 1.8;
      ctx.lineJoin = 'round';
      ctx.stroke();
    });
    legend.textContent = '';
    lines.forEach((l, i) => {
      const span = document.createElement('span');
      const swatch = document.createElement('i');
      swatch.className = 'c' + (i % COLORS.length);
      span.appendChild(swatch);
      span.appendChild(document.createTextNode(l.name));
      legend.appendChild(span);
    });
    if (!lines.length) legend.textContent = 'nothing yet';
  }

  // The busiest series of a map (by their latest values), at most eight.
  function top(map, n = 8) {
    return [...map.entries()]
      .map(([name, points]) => ({ name, points, score: points.reduce((a, p) => a + (p.v || 0), 0) }))
      .filter((l) => l.score > 0)
      .sort((a, b) => b.score - a.score)
      .slice(0, n);
  }

  function redrawCharts() {
    if ($('app').hidden) return;
    const tileColors = { servers: COLORS[0], rps: COLORS[1], latency: COLORS[2], rpc: COLORS[3], rpcerr: COLORS[4], push: COLORS[5], lag: COLORS[6], conn: COLORS[7] };
    for (const [name, color] of Object.entries(tileColors)) sparkline($('s-' + name), hist.tiles[name] || [], color);
    lineChart($('c-rps'), $('l-rps'), top(hist.routeRps), fmtRate);
    const busiest = new Set(top(hist.routeRps).map((l) => l.name));
    lineChart($('c-latency'), $('l-latency'), top(hist.routeLat).filter((l) => busiest.has(l.name)), fmtMs);
    lineChart($('c-lag'), $('l-lag'), [...hist.serverLag.entries()].map(([name, points]) => ({ name, points })), fmtMs);
  }

  // ---- formats ----
  function fmtRate(v) { return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2).replace(/\.?0+$/, '') || '0'; }
  function fmtMs(v) {
    if (v >= 1000) return (v / 1000).toFixed(2) + ' s';
    return (v >= 10 || Number.isInteger(v) ? v.toFixed(0) : v >= 1 ? v.toFixed(1) : v.toFixed(2)) + ' ms';
  }
  function fmtBytes(b) { return b >= 1 << 30 ? (b / (1 << 30)).toFixed(2) + ' GiB' : (b / (1 << 20)).toFixed(1) + ' MiB'; }
  function fmtUptime(ms) {
    const s = Math.floor(ms / 1000);
    if (s < 60) return s + 's';
    if (s < 3600) return Math.floor(s / 60) + 'm ' + (s % 60) + 's';
    if (s < 86400) return Math.floor(s / 3600) + 'h ' + Math.floor((s % 3600) / 60) + 'm';
    return Math.floor(s / 86400) + 'd ' + Math.floor((s % 86400) / 3600) + 'h';
  }

  document.addEventListener('DOMContentLoaded', boot);
})();
