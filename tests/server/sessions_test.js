// Backend session lookups (Pomelo's BackendSessionService.get / getByUid) in a real cluster: a master,
// a connector and a backend running filter_test_app, with real npm pomelo-jsclient-websocket clients.
// Two clients log in on the connector (one uid on both, with settings); a request forwarded to the
// backend looks the sessions up over the sys sessionRemote of the connector and answers what it found:
// by sid, by uid, an unknown sid, an unknown uid, an unknown frontend, and the session again after the
// backend's copy pushed a setting to the real session.
// Run by CTest (filters.sessions): SHADDOCK_HOST, and SHADDOCK_APPS_DIR holding filter_test_app.so.
'use strict';
const t = require('./lib/test_app');
const client = require('../connector/lib/pomelo_js_client');

async function main() {
  const ports = [];
  for (let i = 0; i < 4; i++) ports.push(await t.freePort());
  const C = 'connector-server-1', B = 'backend-server-1';
  const dir = t.makeAppDir({
    'master.json': { id: 'master-server-1', host: '127.0.0.1', port: ports[0] },
    'servers.json': {
      connector: [{ id: C, host: '127.0.0.1', port: ports[1], clientPort: ports[2], frontend: true }],
      backend: [{ id: B, host: '127.0.0.1', port: ports[3] }],
    },
    'plugins.json': {
      plugins: [
        { name: 'cluster', serverTypes: '*' },
        { name: 'rpc', serverTypes: ['connector', 'backend'] },
        { name: 'server', serverTypes: ['connector', 'backend'] },
        { name: 'pomelo_protocol', serverTypes: 'connector' },
        { name: 'connector', serverTypes: 'connector', options: { heartbeat: 3 } },
      ],
      app: { name: 'filter_test_app', serverTypes: ['connector', 'backend'] },
    },
  });
  const master = t.runHost(dir);
  const clients = [];
  try {
    await master.waitFor(/all servers startup in/, 20000, 'cluster start');
    for (let i = 0; i < 2; i++) {
      const pomelo = client.loadClient();
      await client.init(pomelo, { host: '127.0.0.1', port: ports[2] });
      clients.push(pomelo);
    }
    const [alice, again] = clients;
    const settings = { rid: 'room-7', level: 3, tags: ['a', 'é'] };
    const l1 = await client.request(alice, 'connector.testHandler.login', { uid: 'carol', settings });
    const l2 = await client.request(again, 'connector.testHandler.login', { uid: 'carol', settings: { rid: 'room-8' } });
    t.check('two clients logged in as carol on the connector', l1.code === 200 && l2.code === 200 && l1.sid !== l2.sid &&
            l1.frontendId === C, JSON.stringify([l1, l2]));

    const ask = (pomelo, route, extra = {}) => client.request(pomelo, route,
      { frontendId: C, sid: l1.sid, uid: 'carol', missingSid: 987654321, missingUid: 'nobody', ...extra });
    const r = await ask(alice, 'backend.testHandler.lookup');
    t.check('the lookups ran on the backend', r.code === 200, JSON.stringify(r));
    const want = { id: l1.sid, frontendId: C, uid: 'carol', settings };
    t.check('get(frontendId, sid) from the backend returns the frontend\'s session: id, frontendId, uid, settings',
            r.bySid && r.bySid.status === 0 && JSON.stringify(r.bySid.sessions) === JSON.stringify([want]), JSON.stringify(r.bySid));
    const byUid = r.byUid && r.byUid.sessions ? [...r.byUid.sessions].sort((a, b) => a.id - b.id) : [];
    t.check('getByUid(frontendId, uid) returns every session of the uid with its own settings',
            r.byUid && r.byUid.status === 0 && byUid.length === 2 &&
            JSON.stringify(byUid) === JSON.stringify([want, { id: l2.sid, frontendId: C, uid: 'carol', settings: { rid: 'room-8' } }]
              .sort((a, b) => a.id - b.id)), JSON.stringify(r.byUid));
    t.check('an unknown sid is "not found" (SHD_ERR_NOT_FOUND, no session)',
            r.missingSid && r.missingSid.status === 5 && r.missingSid.sessions.length === 0, JSON.stringify(r.missingSid));
    t.check('an unknown uid is "not found" (SHD_ERR_NOT_FOUND, no session)',
            r.missingUid && r.missingUid.status === 5 && r.missingUid.sessions.length === 0, JSON.stringify(r.missingUid));
    t.check('an unknown frontend is an error too, not a crash',
            r.noFrontend && r.noFrontend.status === 5 && r.noFrontend.sessions.length === 0, JSON.stringify(r.noFrontend));
    t.check('the copy found by sid pushes a setting back to the real session',
            r.pushed === 0 && r.afterPush && r.afterPush.status === 0 &&
            JSON.stringify(r.afterPush.sessions[0].settings) === JSON.stringify({ ...settings, fromBackend: 'set on the backend' }),
            JSON.stringify([r.pushed, r.afterPush]));

    // The same service on the frontend itself (a call to itself over RPC).
    const local = await ask(again, 'connector.testHandler.lookup', { sid: l2.sid });
    t.check('the lookups work on the frontend too', local.code === 200 && local.bySid.status === 0 &&
            local.bySid.sessions[0].id === l2.sid && local.byUid.sessions.length === 2 && local.missingSid.status === 5,
            JSON.stringify(local));

    // A closed session is gone from the lookups.
    again.disconnect();
    let after = null;
    for (let i = 0; i < 50; i++) {
      after = await ask(alice, 'backend.testHandler.lookup', { sid: l2.sid });
      if (after.bySid && after.bySid.status === 5) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    t.check('after a client disconnects its sid is not found and its uid has one session left',
            after.bySid.status === 5 && after.byUid.status === 0 && after.byUid.sessions.length === 1 &&
            after.byUid.sessions[0].id === l1.sid, JSON.stringify(after));
    alice.disconnect();
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
