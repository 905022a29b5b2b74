// The master's HTTP admin API (plugins/cluster/admin_web.cpp) against a live cluster (master, a
// connector and two backends of apps/echo, driven by the npm Pomelo client): the dashboard's files,
// login with each password form of adminUser.json (plain, md5, PBKDF2), the session cookie
// (HttpOnly, SameSite=Strict, Max-Age), /api/session, /api/servers, /api/stats with the figures the
// test drove, admin commands (list, stop, restart, start) with their levels and audit lines, logout.
// Hostile: no or forged cookies, missing or wrong CSRF token, a foreign Origin, wrong methods, wrong
// content types, bad JSON, oversized, chunked and stalled bodies, unknown routes; failed logins are
// slowed and lock the address out (from 127.0.0.2) while other addresses still log in.
// Run by CTest (cluster_dashboard_api): SHADDOCK_HOST.
'use strict';
const http = require('http');
const net = require('net');
const client = require('../connector/lib/pomelo_js_client');
const { sleep, waitFor } = require('../connector/lib/harness');
const { requiredEnv } = require('../../tools/node/util.js');
const { startDashboardCluster, USERS } = require('./lib/dashboard_cluster.js');

const HOST = requiredEnv('SHADDOCK_HOST');
const ECHOES = 9;
let passed = 0, failed = 0;
function check(name, ok, detail) {
  if (ok) { passed++; console.log('ok   ' + name); } else { failed++; console.log('FAIL ' + name + (detail ? ': ' + detail : '')); }
}

// One HTTP request; resolves {status, headers, body, json, ms}.
function request(port, method, pathname, { headers = {}, body, localAddress } = {}) {
  return new Promise((resolve) => {
    const started = Date.now();
    const h = { ...headers };
    if (body !== undefined && h['Content-Length'] === undefined) h['Content-Length'] = Buffer.byteLength(body);
    const req = http.request({ host: '127.0.0.1', port, method, path: pathname, headers: h, localAddress, timeout: 20000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => {
        let json = null;
        try { json = JSON.parse(text); } catch (e) { /* not JSON */ }
        resolve({ status: res.statusCode, headers: res.headers, body: text, json, ms: Date.now() - started });
      });
    });
    req.on('error', (e) => resolve({ status: 0, headers: {}, body: String(e), json: null, ms: Date.now() - started }));
    req.on('timeout', () => req.destroy(new Error('timeout')));
    if (body !== undefined) req.write(body);
    req.end();
  });
}

// Raw bytes; resolves with everything received until the server closes (or `ms` pass).
function raw(port, chunks, ms = 8000) {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host: '127.0.0.1' });
    let got = '';
    const t = setTimeout(() => { sock.destroy(); resolve({ got, closed: false }); }, ms);
    sock.on('data', (d) => { got += d.toString('latin1'); });
    sock.on('error', () => {});
    sock.on('close', () => { clearTimeout(t); resolve({ got, closed: true }); });
    for (const c of [].concat(chunks)) sock.write(c);
  });
}

async function main() {
  const cluster = await startDashboardCluster(HOST);
  const port = cluster.ports.adminHttp;
  const out = cluster.output;
  const json = { 'Content-Type': 'application/json' };
  const login = (user, password, opts = {}) =>
    request(port, 'POST', '/api/login', { headers: { ...json, ...(opts.headers || {}) }, body: JSON.stringify({ username: user, password }), localAddress: opts.localAddress });
  // An audit line is logged right after the answer is handed over: wait a little for it.
  const audited = (re) => waitFor(() => re.test(out()), 3000, String(re)).then(() => true, () => false);
  const cookieOf = (res) => ((res.headers['set-cookie'] || [])[0] || '').split(';')[0];
  try {
    // The page and its files.
    const page = await request(port, 'GET', '/');
    check('GET / is the dashboard page (text/html) with a strict Content-Security-Policy',
          page.status === 200 && /^text\/html/.test(page.headers['content-type']) && page.body.includes('/dashboard.js') &&
          /script-src 'self'/.test(page.headers['content-security-policy'] || '') &&
          /frame-ancestors 'none'/.test(page.headers['content-security-policy'] || '') &&
          page.headers['x-content-type-options'] === 'nosniff', JSON.stringify([page.status, page.headers]));
    const js = await request(port, 'GET', '/dashboard.js');
    const css = await request(port, 'GET', '/dashboard.css');
    check('the script and style sheet are served with their types',
          js.status === 200 && /^text\/javascript/.test(js.headers['content-type']) && js.body.includes('/api/login') &&
          css.status === 200 && /^text\/css/.test(css.headers['content-type']));
    const headPage = await request(port, 'HEAD', '/');
    check('HEAD / answers without a body', headPage.status === 200 && headPage.body === '');

    // Nothing without a session.
    for (const p of ['/api/servers', '/api/stats', '/api/session']) {
      const r = await request(port, 'GET', p);
      check(`GET ${p} without a session is 401 (JSON)`, r.status === 401 && r.json && r.json.ok === false, r.body);
    }
    const anon = await request(port, 'POST', '/api/command', { headers: json, body: '{"cmd":"list"}' });
    check('POST /api/command without a session is 401', anon.status === 401, anon.body);

    // Logins: each password form.
    const wrong = await login('admin', 'not-the-password');
    check('a wrong password is 401, answered late (adminFailDelay)', wrong.status === 401 && wrong.ms >= 900 &&
          !wrong.headers['set-cookie'], JSON.stringify([wrong.status, wrong.ms, wrong.body]));
    const unknown = await login('nobody', 'x');
    check('an unknown user gets the same 401, as late', unknown.status === 401 && unknown.ms >= 900 &&
          unknown.json.error === wrong.json.error, JSON.stringify([unknown.status, unknown.ms, unknown.body]));
    check('failed logins get an audit line', (await audited(/admin audit: user="admin" address=127\.0\.0\.1 command="http login" result=refused \(wrong user name or password\)/)));
    const sessions = {};
    for (const [user, u] of Object.entries(USERS)) {
      const r = await login(user, u.password);
      const setCookie = (r.headers['set-cookie'] || [])[0] || '';
      check(`${user} (${user === 'admin' ? 'plain' : user === 'monitor' ? 'md5' : 'PBKDF2'} password) logs in: 200, level ${u.level}, a CSRF token`,
            r.status === 200 && r.json.ok && r.json.level === u.level && /^[0-9a-f]{32}$/.test(r.json.csrf), r.body);
      check(`${user}'s session cookie is HttpOnly, SameSite=Strict, Path=/, Max-Age=3600, named by the port`,
            new RegExp(`^shd_session_${port}=[0-9a-f]{32}\\.[0-9a-f]{64}; `).test(setCookie) && /; HttpOnly/.test(setCookie) &&
            /; SameSite=Strict/.test(setCookie) && /; Path=\//.test(setCookie) && /; Max-Age=3600/.test(setCookie), setCookie);
      sessions[user] = { cookie: cookieOf(r), csrf: r.json.csrf };
    }
    check('a successful login gets an audit line', (await audited(/command="http login" result=ok/)));
    const admin = sessions.admin, monitor = sessions.monitor;
    const as = (s, extra = {}) => ({ Cookie: s.cookie, ...extra });
    const cmd = (s, body, extra = {}) => request(port, 'POST', '/api/command',
      { headers: { ...json, Cookie: s.cookie, 'X-CSRF-Token': s.csrf, ...extra }, body: JSON.stringify(body) });

    const who = await request(port, 'GET', '/api/session', { headers: as(monitor) });
    check('GET /api/session names the user, the level and the CSRF token', who.status === 200 && who.json.user === 'monitor' &&
          who.json.level === 2 && who.json.csrf === monitor.csrf && who.json.expiresInMs > 3500000, who.body);
    check('API answers are not cached', who.headers['cache-control'] === 'no-store');

    // Drive the cluster: a login, ECHOES forwarded echoes, one error, two pushes.
    const pomelo = client.loadClient();
    await client.init(pomelo, { host: '127.0.0.1', port: cluster.ports.client });
    const entry = await client.request(pomelo, 'connector.entryHandler.login', { uid: 'dash-user' });
    if (entry.code !== 200) throw new Error('login failed: ' + JSON.stringify(entry));
    for (let i = 0; i < ECHOES; i++) await client.request(pomelo, 'backend.backendHandler.echo', { n: i });
    await client.request(pomelo, 'backend.backendHandler.fail', {});
    for (let i = 0; i < 2; i++) await client.request(pomelo, 'connector.entryHandler.push', { route: 'onPush', msg: { i } });

    // /api/servers: every server with state, pid, CPU, RSS, connections.
    let servers = null;
    await waitFor(async () => {
      const r = await request(port, 'GET', '/api/servers', { headers: as(monitor) });
      servers = r.json;
      const conn = r.json && r.json.servers.find((s) => s.id === 'connector-server-1');
      return r.status === 200 && r.json.servers.every((s) => s.state === 'running') && conn.stats && conn.stats.connections === 1;
    }, 10000, 'every server running with its figures').catch((e) => console.log(e.message, JSON.stringify(servers)));
    const ids = servers ? [servers.master.id, ...servers.servers.map((s) => s.id)].sort() : [];
    check('GET /api/servers lists the master and every server', ids.join() ===
          'backend-server-1,backend-server-2,connector-server-1,master-server-1', ids.join());
    check('each server has its state, pid, CPU, RSS and uptime', servers && [servers.master, ...servers.servers].every((s) =>
      s.state === 'running' && s.pid > 0 && typeof s.cpuPercent === 'number' && s.rssKb > 1000 && s.uptimeMs > 0), JSON.stringify(servers));
    const connList = servers && servers.servers.find((s) => s.id === 'connector-server-1');
    check('the connector\'s summary counts its one connection', connList && connList.stats.connections === 1, JSON.stringify(connList));

    // /api/stats: the figures the test drove.
    let stats = null;
    const echoRoute = (s) => s && s.routes.find((r) => r.route === 'backend.backendHandler.echo');
    await waitFor(async () => {
      const r = await request(port, 'GET', '/api/stats', { headers: as(monitor) });
      stats = r.json;
      const c = r.json && r.json.servers.find((s) => s.id === 'connector-server-1');
      // Each server reports on its own timer: wait for every server's first report as well.
      return c && echoRoute(c) && echoRoute(c).requests === ECHOES && c.pushesSent >= 2 &&
        r.json.servers.length === 4 && r.json.servers.every((s) => s.rssBytes > 0);
    }, 10000, 'the driven requests and every server\'s report in /api/stats').catch((e) => console.log(e.message, JSON.stringify(stats)));
    const conn = stats && stats.servers.find((s) => s.id === 'connector-server-1');
    const echo = echoRoute(conn);
    check('per route: the echo requests counted exactly', echo && echo.requests === ECHOES && echo.errors === 0, JSON.stringify(echo));
    check('per route: the latency histogram holds every echo (bounds and per-bucket counts)', echo && echo.latency &&
          echo.latency.counts.reduce((a, b) => a + b, 0) === ECHOES && echo.latency.counts.length === echo.latency.bounds.length + 1 &&
          echo.latency.sum > 0, JSON.stringify(echo && echo.latency));
    const failRoute = conn && conn.routes.find((r) => r.route === 'backend.backendHandler.fail');
    check('per route: the failed request is a request and an error', failRoute && failRoute.requests === 1 && failRoute.errors === 1,
          JSON.stringify(failRoute));
    const rpc = conn && conn.rpc.find((r) => r.target === 'backend');
    check('RPC calls to the backends are counted by target, with errors and timeouts', rpc && rpc.calls >= ECHOES + 1 &&
          typeof rpc.errors === 'number' && rpc.timeouts === 0, JSON.stringify(conn && conn.rpc));
    check('pushes, connections and handshakes on the connector', conn && conn.pushesSent === 2 && conn.pushesDropped === 0 &&
          conn.connections === 1 && conn.handshakes === 1, JSON.stringify(conn));
    check('every server (the master too) reports logic lag, CPU time and RSS', stats && stats.servers.length === 4 &&
          stats.servers.every((s) => s.lagMs >= 0 && s.cpuMs > 0 && s.rssBytes > 1e6), JSON.stringify(stats && stats.servers.map((s) => [s.id, s.lagMs, s.cpuMs, s.rssBytes])));

    // Commands: CSRF and origin first.
    const noToken = await request(port, 'POST', '/api/command', { headers: { ...json, Cookie: admin.cookie }, body: '{"cmd":"list"}' });
    check('a command without the X-CSRF-Token header is 403', noToken.status === 403 && /CSRF/.test(noToken.json.error), noToken.body);
    const badToken = await cmd(admin, { cmd: 'list' }, { 'X-CSRF-Token': monitor.csrf });
    check('a command with another session\'s CSRF token is 403', badToken.status === 403, badToken.body);
    const foreign = await cmd(admin, { cmd: 'list' }, { Origin: 'http://evil.example' });
    check('a command from a foreign Origin is 403', foreign.status === 403 && /cross-origin/.test(foreign.json.error), foreign.body);
    const crossSite = await cmd(admin, { cmd: 'list' }, { 'Sec-Fetch-Site': 'cross-site' });
    check('a command marked Sec-Fetch-Site: cross-site is 403', crossSite.status === 403, crossSite.body);
    const sameOrigin = await cmd(admin, { cmd: 'list' }, { Origin: `http://127.0.0.1:${port}`, 'Sec-Fetch-Site': 'same-origin' });
    check('a command from this origin is run (list: 200, the servers)', sameOrigin.status === 200 && sameOrigin.json.ok &&
          sameOrigin.json.servers.length === 3, sameOrigin.body);
    check('the command gets the CLI\'s audit line', (await audited(/admin audit: user="admin" address=127\.0\.0\.1 command="list" result=ok/)));
    const text = await request(port, 'POST', '/api/command', { headers: { 'Content-Type': 'text/plain', Cookie: admin.cookie, 'X-CSRF-Token': admin.csrf }, body: '{"cmd":"list"}' });
    check('a body that is not application/json is 415', text.status === 415, text.body);
    for (const [what, body] of [['bad JSON', '{"cmd":'], ['a JSON array', '["list"]'], ['no cmd', '{"ids":[]}'],
      ['a number as cmd', '{"cmd":5}'], ['deeply nested JSON', '{"cmd":"list","x":' + '['.repeat(5000) + ']'.repeat(5000) + '}']]) {
      const r = await request(port, 'POST', '/api/command', { headers: { ...json, Cookie: admin.cookie, 'X-CSRF-Token': admin.csrf }, body });
      check(`${what} is 400`, r.status === 400 && r.json && r.json.ok === false, r.status + ' ' + r.body.slice(0, 100));
    }
    const unknownCmd = await cmd(admin, { cmd: 'format-disk' });
    check('an unknown command is refused by admin_command (422)', unknownCmd.status === 422 && /unknown command/.test(unknownCmd.json.error), unknownCmd.body);
    const unknownId = await cmd(admin, { cmd: 'stop', ids: ['no-such-server'] });
    check('stopping an unknown id is 422', unknownId.status === 422 && /unknown server id/.test(unknownId.json.error), unknownId.body);

    // Levels: above 1 reads only.
    const readerList = await cmd(monitor, { cmd: 'list' });
    check('a level-2 user may list', readerList.status === 200 && readerList.json.ok, readerList.body);
    const readerStop = await cmd(monitor, { cmd: 'stop', ids: ['backend-server-2'] });
    check('a level-2 user may not stop a server (403, audited)', readerStop.status === 403 &&
          /level not allowed/.test(readerStop.json.error) &&
          (await audited(/user="monitor" address=127\.0\.0\.1 command="stop backend-server-2" result=refused \(level 2\)/)), readerStop.body);

    // Stop one backend, see it stopped; restart it, see it back with a new pid.
    const before = servers.servers.find((s) => s.id === 'backend-server-2');
    const stop = await cmd(admin, { cmd: 'stop', ids: ['backend-server-2'] });
    check('stop backend-server-2: 200', stop.status === 200 && stop.json.ok, stop.body);
    let state = null;
    await waitFor(async () => {
      const r = await request(port, 'GET', '/api/servers', { headers: as(admin) });
      state = r.json.servers.find((s) => s.id === 'backend-server-2');
      return state.state === 'stopped' && state.pid <= 0;
    }, 15000, 'backend-server-2 stopped').catch((e) => console.log(e.message, JSON.stringify(state)));
    check('/api/servers shows backend-server-2 stopped', state && state.state === 'stopped', JSON.stringify(state));
    const restart = await cmd(admin, { cmd: 'restart', ids: ['backend-server-2'] });
    check('restart backend-server-2: 200 once it has joined again', restart.status === 200 && restart.json.ok, restart.body);
    const back = (await request(port, 'GET', '/api/servers', { headers: as(admin) })).json.servers.find((s) => s.id === 'backend-server-2');
    check('backend-server-2 runs again with another pid', back.pid > 0 && back.pid !== before.pid && back.state !== 'stopped', JSON.stringify(back));
    const op = sessions.operator;
    const restart1 = await cmd(op, { cmd: 'restart', ids: ['backend-server-1'] });
    check('the PBKDF2 user (level 1) restarts a running server', restart1.status === 200 && restart1.json.ok &&
          (await audited(/user="operator" address=127\.0\.0\.1 command="restart backend-server-1" result=/)), restart1.body);

    // Wrong methods, unknown routes, forged cookies.
    const getLogin = await request(port, 'GET', '/api/login');
    check('GET /api/login is 405 with Allow: POST', getLogin.status === 405 && getLogin.headers.allow === 'POST', JSON.stringify([getLogin.status, getLogin.headers.allow]));
    const postServers = await request(port, 'POST', '/api/servers', { headers: { ...json, Cookie: admin.cookie }, body: '{}' });
    check('POST /api/servers is 405 with Allow: GET, HEAD', postServers.status === 405 && postServers.headers.allow === 'GET, HEAD', String(postServers.status));
    const postPage = await request(port, 'POST', '/', { headers: json, body: '{}' });
    check('POST / is 405', postPage.status === 405, String(postPage.status));
    const put = await raw(port, 'PUT /api/command HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n\r\n{}');
    check('PUT is 405 and closed', /^HTTP\/1\.1 405/.test(put.got) && put.closed, put.got.slice(0, 60));
    // DNS rebinding: another site's name made to resolve to the master reaches the port with that name.
    for (const name of ['rebind.example', `rebind.example:${port}`, '127.0.0.1.rebind.example', 'localhost.example']) {
      const r = await request(port, 'GET', '/api/servers', { headers: { ...as(admin), Host: name } });
      const loginR = await request(port, 'POST', '/api/login', { headers: { ...json, Host: name }, body: '{"username":"admin","password":"x"}' });
      check(`Host ${name} is 421 for the API and the login`, r.status === 421 && loginR.status === 421, JSON.stringify([r.status, loginR.status]));
    }
    const byName = await request(port, 'GET', '/api/servers', { headers: { ...as(admin), Host: `LocalHost:${port}` } });
    const byV6 = await request(port, 'GET', '/api/servers', { headers: { ...as(admin), Host: `[::1]:${port}` } });
    check('Host localhost (any case) and an IPv6 address are served', byName.status === 200 && byV6.status === 200,
          JSON.stringify([byName.status, byV6.status]));
    const nothing = await request(port, 'GET', '/api/nothing', { headers: as(admin) });
    check('an unknown route is 404', nothing.status === 404, String(nothing.status));
    const forged = [
      `shd_session_${port}=${'0'.repeat(32)}.${'0'.repeat(64)}`,
      admin.cookie.slice(0, -1) + (admin.cookie.endsWith('0') ? '1' : '0'),
      `shd_session_${port}=${admin.cookie.split('=')[1].split('.')[0]}`,
      `shd_session_${port}=../../etc/passwd`,
      `shd_session_${port}=${'A'.repeat(3000)}`,
      admin.cookie.replace(`shd_session_${port}`, `shd_session_${port + 1}`),
    ];
    for (const c of forged) {
      const r = await request(port, 'GET', '/api/servers', { headers: { Cookie: c } });
      check(`a forged cookie is 401 (${c.slice(0, 40)}...)`, r.status === 401, String(r.status));
    }
    const twoCookies = await request(port, 'GET', '/api/session', { headers: { Cookie: `other=1; ${admin.cookie}; x=y` } });
    check('the session cookie is found among others', twoCookies.status === 200 && twoCookies.json.user === 'admin', twoCookies.body);

    // Bodies: the HTTP server's bounds.
    const huge = await raw(port, `POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 20000\r\n\r\n`);
    check('a body announced above 16 KiB is 413 and closed', /^HTTP\/1\.1 413/.test(huge.got) && huge.closed, huge.got.slice(0, 60));
    const chunked = await raw(port, 'POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n');
    check('a chunked body is 411 and closed', /^HTTP\/1\.1 411/.test(chunked.got) && chunked.closed, chunked.got.slice(0, 60));
    const t0 = Date.now();
    const stalled = await raw(port, 'POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"user', 9000);
    check('a body that never completes is dropped at the body deadline (5 s)', stalled.closed && stalled.got === '' &&
          Date.now() - t0 >= 4500 && Date.now() - t0 < 8000, JSON.stringify([stalled, Date.now() - t0]));
    const cont = await raw(port, ['POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n', '{}']);
    check('Expect: 100-continue gets 100 Continue, then the answer (400: no user name)', /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 400/.test(cont.got), cont.got.slice(0, 80));
    const pipelined = await raw(port, `POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}GET /api/session HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${admin.cookie}\r\nConnection: close\r\n\r\n`);
    check('a request pipelined after a body is read as the next request', /^HTTP\/1\.1 400[\s\S]*HTTP\/1\.1 200[\s\S]*"user":"admin"/.test(pipelined.got), pipelined.got.slice(0, 300));
    const longName = await login('a'.repeat(300), 'x');
    check('a user name above 256 bytes is 400', longName.status === 400, longName.body);
    const loginText = await request(port, 'POST', '/api/login', { headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'username=admin&password=admin-pw' });
    check('a form-encoded login is 415 (a cross-site form cannot post JSON)', loginText.status === 415, loginText.body);
    const loginForeign = await login('admin', USERS.admin.password, { headers: { Origin: 'http://evil.example' } });
    check('a login from a foreign Origin is 403', loginForeign.status === 403, loginForeign.body);

    // Lockout: five failures from 127.0.0.2 lock that address, even for the right password; 127.0.0.1 still logs in.
    const fails = await Promise.all([1, 2, 3, 4, 5].map(() => login('admin', 'guess', { localAddress: '127.0.0.2' })));
    check('five wrong passwords from 127.0.0.2: 401 each', fails.every((r) => r.status === 401), fails.map((r) => r.status).join());
    const locked = await login('admin', USERS.admin.password, { localAddress: '127.0.0.2' });
    check('then the right password from 127.0.0.2 is 429 with Retry-After', locked.status === 429 && Number(locked.headers['retry-after']) > 0 &&
          /too many failed logins/.test(locked.json.error), JSON.stringify([locked.status, locked.body]));
    check('the lockout is audited', (await audited(/address=127\.0\.0\.2 command="http login" result=refused \(address locked out/)));
    const other = await login('admin', USERS.admin.password);
    check('another address still logs in', other.status === 200, other.body);

    // Sessions: a user's logins past 32 replace that user's oldest session, never another user's.
    const first = await login('monitor', USERS.monitor.password);
    for (let i = 0; i < 32; i++) await login('monitor', USERS.monitor.password);
    const firstNow = await request(port, 'GET', '/api/session', { headers: { Cookie: cookieOf(first) } });
    const adminNow = await request(port, 'GET', '/api/session', { headers: as(admin) });
    check('33 more logins of one user: its oldest session is gone (401), the admin\'s still served',
          firstNow.status === 401 && adminNow.status === 200 && adminNow.json.user === 'admin', JSON.stringify([firstNow.status, adminNow.status]));

    // Logout ends the session.
    const noCsrfLogout = await request(port, 'POST', '/api/logout', { headers: { Cookie: admin.cookie } });
    check('logout without the CSRF token is 403', noCsrfLogout.status === 403, noCsrfLogout.body);
    const logout = await request(port, 'POST', '/api/logout', { headers: { Cookie: admin.cookie, 'X-CSRF-Token': admin.csrf } });
    check('logout: 200, the cookie cleared (Max-Age=0)', logout.status === 200 && /Max-Age=0/.test((logout.headers['set-cookie'] || [])[0] || ''), JSON.stringify(logout.headers));
    const after = await request(port, 'GET', '/api/servers', { headers: as(admin) });
    check('the old cookie is refused after logout (401)', after.status === 401, String(after.status));
    const metrics = await request(port, 'GET', '/metrics');
    check('/metrics is still served beside the API', metrics.status === 200 && /shaddock_logic_lag_seconds/.test(metrics.body), String(metrics.status));
    pomelo.disconnect();
  } catch (e) {
    check('no exception', false, e.stack);
  } finally {
    const done = await cluster.stop();
    check('the cluster stops cleanly', done && done.code === 0, JSON.stringify(done));
  }
  if (failed) console.log(out().slice(-4000));

  // Sessions end at their expiry (adminSessionTtl), whatever the browser keeps.
  const short = await startDashboardCluster(HOST, { clusterOptions: { adminSessionTtl: 2 } });
  try {
    const p = short.ports.adminHttp;
    const r = await request(p, 'POST', '/api/login', { headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: USERS.admin.password }) });
    const setCookie = (r.headers['set-cookie'] || [])[0] || '';
    check('adminSessionTtl sets the cookie\'s Max-Age', r.status === 200 && /; Max-Age=2(;|$)/.test(setCookie) &&
          r.json.expiresInMs === 2000, setCookie);
    const c = setCookie.split(';')[0];
    const fresh = await request(p, 'GET', '/api/servers', { headers: { Cookie: c } });
    check('the session works before its expiry', fresh.status === 200, String(fresh.status));
    await sleep(2300);
    const stale = await request(p, 'GET', '/api/servers', { headers: { Cookie: c } });
    check('after its expiry the same cookie is 401 "expired", and cleared', stale.status === 401 &&
          /expired/.test(stale.json.error) && /Max-Age=0/.test((stale.headers['set-cookie'] || [])[0] || ''), stale.body);
    const again = await request(p, 'GET', '/api/servers', { headers: { Cookie: c } });
    check('an expired session is forgotten (401 again)', again.status === 401, again.body);
  } catch (e) {
    check('no exception (session expiry)', false, e.stack);
  } finally {
    const done = await short.stop();
    check('the second cluster stops cleanly', done && done.code === 0, JSON.stringify(done));
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main();
