// Filter order across a real cluster (master + a connector + a backend), driven by the real npm client
// pomelo-jsclient-websocket. filter_test_app registers global filters G1 (an object) and G2 (functions,
// finishing on a timer), local filters L1 and L2 (the same), and both error handlers. Before filters
// append "<name>@<server>" to the body's trace, which the handler echoes; after filters record
// "<name>a:ok|err" per tag, which the test reads back. Checks Pomelo's order (global before, local
// before, handler, local after in reverse, global after in reverse), aborting filters, and the error
// handlers rewriting errors.
// Run by CTest (filters.order): SHADDOCK_HOST, and SHADDOCK_APPS_DIR holding filter_test_app.so.
'use strict';
const t = require('./lib/test_app');
const client = require('../connector/lib/pomelo_js_client');

async function main() {
  const ports = [];
  for (let i = 0; i < 4; i++) ports.push(await t.freePort());
  const dir = t.makeAppDir({
    'master.json': { id: 'master-server-1', host: '127.0.0.1', port: ports[0] },
    'servers.json': {
      connector: [{ id: 'connector-server-1', host: '127.0.0.1', port: ports[1], clientPort: ports[2], frontend: true }],
      backend: [{ id: 'backend-server-1', host: '127.0.0.1', port: ports[3] }],
    },
    'plugins.json': {
      plugins: [
        { name: 'cluster', serverTypes: '*' },
        { name: 'rpc', serverTypes: ['connector', 'backend'] },
        { name: 'server', serverTypes: ['connector', 'backend'] },
        { name: 'pomelo_protocol', serverTypes: 'connector' },
        { name: 'connector', serverTypes: 'connector', options: { heartbeat: 3 } },
      ],
      app: { name: 'filter_test_app', serverTypes: ['connector', 'backend'], options: { orderFilters: true } },
    },
  });
  const master = t.runHost(dir);
  try {
    await master.waitFor(/all servers startup in/, 20000, 'cluster start');
    const pomelo = client.loadClient();
    await client.init(pomelo, { host: '127.0.0.1', port: ports[2] });
    const req = (route, msg) => client.request(pomelo, route, msg);
    const logs = async (tag) => ({
      connector: await req('connector.testHandler.log', { logOf: tag }),
      backend: await req('backend.testHandler.log', { logOf: tag }),
    });
    const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
    const C = 'connector-server-1', B = 'backend-server-1';

    // A forwarded request: global filters on the frontend, local ones on the backend.
    let r = await req('backend.testHandler.echo', { tag: 'fwd', trace: [] });
    let l = await logs('fwd');
    t.check('forwarded: before filters run global (registration order) then local, on their servers',
            same(r.trace, [`G1@${C}`, `G2@${C}`, `L1@${B}`, `L2@${B}`]) && r.server === B, JSON.stringify(r));
    t.check('forwarded: local after filters run on the backend in reverse order',
            same(l.backend.log, ['L2a:ok', 'L1a:ok']), JSON.stringify(l.backend));
    t.check('forwarded: global after filters run on the frontend in reverse order, and no local ones there',
            same(l.connector.log, ['G2a:ok', 'G1a:ok']), JSON.stringify(l.connector));

    // A request the frontend handles itself: both scopes there.
    r = await req('connector.testHandler.echo', { tag: 'loc' });
    l = await logs('loc');
    t.check('local route: global before, then local before filters',
            same(r.trace, [`G1@${C}`, `G2@${C}`, `L1@${C}`, `L2@${C}`]), JSON.stringify(r));
    t.check('local route: local after filters, then global after filters, each in reverse order',
            same(l.connector.log, ['L2a:ok', 'L1a:ok', 'G2a:ok', 'G1a:ok']) && same(l.backend.log, []),
            JSON.stringify(l));

    // Aborting before filters.
    const calls = (await req('backend.testHandler.log', { logOf: '' })).echoCalls;
    r = await req('backend.testHandler.echo', { tag: 'abl', abortLocal: true });
    l = await logs('abl');
    t.check('a local before filter aborts with its response (next(err, resp))', r.code === 403 && r.by === 'L1',
            JSON.stringify(r));
    t.check('after an abort the handler does not run, and every after filter sees the error',
            l.backend.echoCalls === calls && same(l.backend.log, ['L2a:err', 'L1a:err']) &&
            same(l.connector.log, ['G2a:err', 'G1a:err']), JSON.stringify(l));
    r = await req('backend.testHandler.echo', { tag: 'abg', abortGlobal: true });
    l = await logs('abg');
    t.check('a global before filter aborts on the frontend; nothing is forwarded',
            r.code === 401 && r.by === 'G1' && l.backend.echoCalls === calls && same(l.backend.log, []) &&
            same(l.connector.log, ['G2a:err', 'G1a:err']), JSON.stringify([r, l]));

    r = await req('connector.testHandler.echo', { tag: 'deep', deepBody: true });
    t.check('a filter\'s replacement body nested 200,000 deep is refused (set_body fails), the server lives',
            r.code === 400 && r.deepBodySet === false, JSON.stringify(r));
    r = await req('connector.testHandler.echo', { tag: 'after-deep' });
    t.check('the connector answers the next request', Array.isArray(r.trace), JSON.stringify(r));

    // Error handlers: errorHandler on the backend, then globalErrorHandler on the frontend.
    r = await req('backend.testHandler.fail', { tag: 'err' });
    l = await logs('err');
    t.check('errorHandler (backend) and globalErrorHandler (frontend) both rewrite the error response',
            r.code === 500 && r.why === 'handler' && r.local === B && r.global === true, JSON.stringify(r));
    t.check('after filters see the error', same(l.backend.log, ['L2a:err', 'L1a:err']) &&
            same(l.connector.log, ['G2a:err', 'G1a:err']), JSON.stringify(l));
    r = await req('backend.testHandler.fail', { tag: 'rec', recover: true });
    l = await logs('rec');
    t.check('an errorHandler may turn the error into a normal answer', r.code === 200 && r.recovered === true &&
            r.global === undefined, JSON.stringify(r));
    t.check('after filters see the rewritten outcome', same(l.backend.log, ['L2a:ok', 'L1a:ok']) &&
            same(l.connector.log, ['G2a:ok', 'G1a:ok']), JSON.stringify(l));
    r = await req('connector.testHandler.nosuch', { tag: 'missing' });
    t.check('a route without a handler still gets exactly one answer through the filters', r.code === 500,
            JSON.stringify(r));

    // Many requests at once, with async filters in both scopes: each answered once, to its own id.
    const many = await Promise.all(Array.from({ length: 40 }, (_, i) =>
      req(i % 2 ? 'backend.testHandler.echo' : 'connector.testHandler.echo', { tag: 'many' + i })));
    t.check('concurrent requests through async filters are each answered with their own trace',
            many.every((m, i) => m.code === 200 && m.trace.length === 4 && m.server === (i % 2 ? B : C)),
            JSON.stringify(many.slice(0, 2)));
    pomelo.disconnect();
  } catch (e) {
    t.check('no exception', false, e.stack + '\n' + master.out.slice(-3000));
  } finally {
    const exit = await master.stop();
    t.check('the cluster stops cleanly', exit.code === 0, JSON.stringify(exit) + '\n' + master.out.slice(-2000));
    t.cleanup(dir);
  }
  t.finish();
}
main();
