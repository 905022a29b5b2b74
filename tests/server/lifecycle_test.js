// The app's lifecycle hooks in a real cluster (master + a connector + a backend), against Pomelo's
// lifecycle.js: configure (beforeStartup) < start (afterStartup) < start_all (afterStartAll, once every
// server of the cluster has started) < stop (beforeShutdown). filter_test_app logs each hook with the
// wall-clock time, and acknowledges stop 300 ms late, which the host waits for.
// Run by CTest (filters.lifecycle): SHADDOCK_HOST, and SHADDOCK_APPS_DIR holding filter_test_app.so.
'use strict';
const t = require('./lib/test_app');

const SERVERS = ['connector-server-1', 'backend-server-1'];
const STOP_DELAY_MS = 300;

function hooks(log) {
  const out = {};
  for (const m of log.matchAll(/lifecycle (\w+) (\d+)/g)) (out[m[1]] = out[m[1]] || []).push(Number(m[2]));
  return out;
}

async function main() {
  const ports = [];
  for (let i = 0; i < 4; i++) ports.push(await t.freePort());
  const dir = t.makeAppDir({
    'master.json': { id: 'master-server-1', host: '127.0.0.1', port: ports[0] },
    'servers.json': {
      connector: [{ id: SERVERS[0], host: '127.0.0.1', port: ports[1], clientPort: ports[2], frontend: true }],
      backend: [{ id: SERVERS[1], host: '127.0.0.1', port: ports[3] }],
    },
    'plugins.json': {
      plugins: [
        { name: 'cluster', serverTypes: '*' },
        { name: 'rpc', serverTypes: ['connector', 'backend'] },
        { name: 'server', serverTypes: ['connector', 'backend'] },
        { name: 'pomelo_protocol', serverTypes: 'connector' },
        { name: 'connector', serverTypes: 'connector' },
      ],
      app: { name: 'filter_test_app', serverTypes: ['connector', 'backend'], options: { stopDelay: STOP_DELAY_MS } },
    },
  });
  const master = t.runHost(dir);
  let exit = null;
  try {
    await master.waitFor(/all servers startup in/, 20000, 'cluster start');
    await t.waitFor(() => SERVERS.every((id) => /lifecycle start_all/.test(t.readLog(dir, id))), 5000, 'start_all');
  } catch (e) {
    t.check('no exception', false, e.stack + '\n' + master.out.slice(-3000));
  } finally {
    exit = await master.stop();
  }
  t.check('the cluster stops cleanly (exit 0)', exit.code === 0, JSON.stringify(exit) + '\n' + master.out.slice(-2000));

  const seen = Object.fromEntries(SERVERS.map((id) => [id, hooks(t.readLog(dir, id))]));
  const lastStart = Math.max(...SERVERS.map((id) => (seen[id].start || [Infinity])[0]));
  for (const id of SERVERS) {
    const h = seen[id];
    const once = ['configure', 'start', 'start_all', 'stop', 'stopped'].every((k) => (h[k] || []).length === 1);
    t.check(`${id}: every hook runs exactly once`, once, JSON.stringify(h));
    if (!once) continue;
    t.check(`${id}: configure < start < start_all < stop`,
            h.configure[0] < h.start[0] && h.start[0] < h.start_all[0] && h.start_all[0] < h.stop[0], JSON.stringify(h));
    t.check(`${id}: start_all comes after every server of the cluster has started`, h.start_all[0] > lastStart,
            JSON.stringify({ start_all: h.start_all[0], lastStart }));
    const log = t.readLog(dir, id);
    const ended = log.indexOf('server stopped cleanly');
    t.check(`${id}: a late stop acknowledgement holds the shutdown until it comes`,
            h.stopped[0] - h.stop[0] >= STOP_DELAY_MS * 1000 && ended > log.indexOf('lifecycle stopped'),
            JSON.stringify(h));
  }
  const masterLog = t.readLog(dir, 'master-server-1');
  t.check('the master has no app and runs no app hooks', masterLog.length > 0 && !/lifecycle /.test(masterLog));
  t.cleanup(dir);
  t.finish();
}
main();
