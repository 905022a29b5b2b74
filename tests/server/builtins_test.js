// The built-in filters on a lone frontend, driven by the real npm client pomelo-jsclient-websocket.
// serial, time and timeout come from plugins.json (the server plugin's "globalFilters"), toobusy from
// the app (shd::filters::toobusy(70) as a local filter).
//   serial: two requests of one session complete in order; one that outlives the timeout is answered
//           with an error and the session's next request starts
//   time:    logs each route and the time it took
//   timeout: logs requests still running after the timeout, without aborting them
//   toobusy: a request that arrives while a handler keeps the logic thread busy gets {"code":500}
//   and a handler that throws without answering (registered through the C table) gets {"code":500} at once
// Run by CTest (filters.builtins): SHADDOCK_HOST, and SHADDOCK_APPS_DIR holding filter_test_app.so.
'use strict';
const t = require('./lib/test_app');
const client = require('../connector/lib/pomelo_js_client');

const SERIAL_TIMEOUT = 500, SLOW_LOG = 150, MAX_LAG = 70;

async function connect(port) {
  const pomelo = client.loadClient();
  await client.init(pomelo, { host: '127.0.0.1', port });
  return pomelo;
}

// Sends a request and resolves to {body, ms}: the answer and when it came, from `t0`.
function timed(pomelo, route, msg, t0) {
  return client.request(pomelo, route, msg).then((body) => ({ body, ms: Date.now() - t0 }));
}

async function main() {
  const [rpcPort, clientPort] = [await t.freePort(), await t.freePort()];
  const dir = t.makeAppDir({
    'servers.json': {
      connector: [{ id: 'connector-server-1', host: '127.0.0.1', port: rpcPort, clientPort, frontend: true }],
    },
    'plugins.json': {
      plugins: [
        { name: 'server', options: { globalFilters: [{ name: 'serial', timeout: SERIAL_TIMEOUT }, 'time',
                                                     { name: 'timeout', timeout: SLOW_LOG }] } },
        'pomelo_protocol',
        { name: 'connector', options: { heartbeat: 3 } },
      ],
      app: { name: 'filter_test_app', options: { toobusy: MAX_LAG } },
    },
  });
  const server = t.runHost(dir, ['--server-id', 'connector-server-1']);
  const clients = [];
  try {
    await server.waitFor(/is running with/, 15000, 'server start');
    for (let i = 0; i < 4; i++) clients.push(await connect(clientPort));
    const [a, b, c, d] = clients;

    // serial: the slow request was sent first, so the fast one starts only after it has ended.
    let t0 = Date.now();
    const arrived = [];
    const slow = timed(a, 'connector.testHandler.wait', { ms: 300 }, t0).then((r) => { arrived.push('slow'); return r; });
    const fast = timed(a, 'connector.testHandler.fast', {}, t0).then((r) => { arrived.push('fast'); return r; });
    const [rs, rf] = await Promise.all([slow, fast]);
    t.check('serial: requests of one session complete in arrival order',
            rs.body.code === 200 && rf.body.code === 200 && rf.body.start > rs.body.end && arrived.join() === 'slow,fast',
            JSON.stringify({ rs, rf, arrived }));
    const other = await timed(b, 'connector.testHandler.fast', {}, Date.now());
    t.check('serial: another session is not held back', other.body.code === 200, JSON.stringify(other));

    // serial timeout: the 1500 ms request is answered with an error at the 500 ms timeout, and the next
    // request of the session runs then rather than after 1500 ms.
    t0 = Date.now();
    const [rw, rn] = await Promise.all([timed(b, 'connector.testHandler.wait', { ms: 1500 }, t0),
                                        timed(b, 'connector.testHandler.fast', {}, t0)]);
    t.check('serial: a request past the timeout is answered with an error',
            rw.body.code === 500 && rw.ms >= SERIAL_TIMEOUT - 50 && rw.ms < 1300, JSON.stringify(rw));
    t.check('serial: the session\'s next request starts when the previous one times out',
            rn.body.code === 200 && rn.ms < 1300, JSON.stringify(rn));
    t.check('serial: the timeout is logged',
            /serial: connector\.testHandler\.wait of session \d+ \(connector-server-1\) still running after 500 ms/.test(server.out));

    // time and timeout logging.
    t.check('time: each request is logged with its route and time used',
            /time: connector\.testHandler\.fast took \d+ ms/.test(server.out) &&
            /time: connector\.testHandler\.wait took \d+ ms/.test(server.out));
    t.check('timeout: a request slower than the timeout is logged, and still answered normally',
            /timeout: connector\.testHandler\.wait is still running after 150 ms/.test(server.out) && rs.body.code === 200);
    t.check('timeout: fast requests are not logged', !/timeout: connector\.testHandler\.fast/.test(server.out));

    // toobusy: d's request reaches the logic thread while c's handler spins for 250 ms.
    await t.sleep(200);
    const before = await timed(d, 'connector.testHandler.fast', {}, Date.now());
    t.check('toobusy: an idle server accepts requests', before.body.code === 200, JSON.stringify(before));
    t0 = Date.now();
    const busy = timed(c, 'connector.testHandler.busy', { ms: 250 }, t0);
    await t.sleep(60);
    const rejected = await timed(d, 'connector.testHandler.fast', {}, t0);
    const rb = await busy;
    t.check('toobusy: a request that arrives while the logic thread lags gets {"code":500}',
            rejected.body.code === 500 && Object.keys(rejected.body).length === 1, JSON.stringify({ rejected, rb }));
    t.check('toobusy: the busy request itself completes', rb.body.code === 200, JSON.stringify(rb));
    t.check('toobusy: the rejection is logged', /toobusy: the logic thread lags \d+ ms \(maxLag 70\)/.test(server.out));
    await t.sleep(300);
    const after = await timed(d, 'connector.testHandler.fast', {}, Date.now());
    t.check('toobusy: once the lag is gone, requests are accepted again', after.body.code === 200, JSON.stringify(after));

    // A handler registered without the SDK's wrapper throws before answering: the filter chain
    // answers {"code":500} at once (not at the serial filter's 500 ms timeout), and the session goes on.
    const thrown = await timed(d, 'connector.rawHandler.throws', {}, Date.now());
    t.check('a handler that throws is answered with an error at once',
            thrown.body.code === 500 && thrown.ms < SERIAL_TIMEOUT / 2, JSON.stringify(thrown));
    t.check('the throw is logged', /filter chain of connector\.rawHandler\.throws threw: raw handler gives up/.test(server.out));
    const next = await timed(d, 'connector.testHandler.fast', {}, Date.now());
    t.check('the session\'s next request is served', next.body.code === 200, JSON.stringify(next));
  } catch (e) {
    t.check('no exception', false, e.stack + '\n' + server.out.slice(-3000));
  } finally {
    for (const p of clients) p.disconnect();
    const exit = await server.stop();
    t.check('the server stops cleanly', exit.code === 0, JSON.stringify(exit) + '\n' + server.out.slice(-2000));
    t.cleanup(dir);
  }

  // A bad built-in option in plugins.json stops the server at startup, naming the option.
  const bad = t.makeAppDir({
    'servers.json': { connector: [{ id: 'connector-server-1', host: '127.0.0.1', port: rpcPort, clientPort, frontend: true }] },
    'plugins.json': {
      plugins: [{ name: 'server', options: { filters: ['time'], globalFilters: [{ name: 'serial', timeout: '3s' }] } },
                'pomelo_protocol', 'connector'],
      app: { name: 'filter_test_app' },
    },
  });
  const failing = t.runHost(bad, ['--server-id', 'connector-server-1']);
  const exit = await failing.exited;
  t.check('a bad filter option stops the server at startup, naming the option', exit.code === 1 &&
          failing.out.includes('option globalFilters[0].timeout: expected an integer from 1 to 86400000, got "3s"'),
          JSON.stringify(exit) + '\n' + failing.out.slice(-1500));
  t.cleanup(bad);
  t.finish();
}
main();
