// Crons on a real server (plugins/cron): config/crons.json in Pomelo's format, with an every-second
// cron, an every-other-second cron for this server id, crons for another server and another type (which
// must not run here), and two added by the app through addCrons (one removes itself when it first
// runs). Then a crons.json with a bad expression, which must stop the server with the file, the entry
// and the field.
// Runs tests/server's filter_test_app, which carries the testCron.* actions. Run by CTest (filters.cron_run):
// SHADDOCK_HOST, and SHADDOCK_APPS_DIR holding filter_test_app.so.
'use strict';
const t = require('../server/lib/test_app');

function appFiles(port, crons) {
  return {
    'servers.json': { backend: [{ id: 'backend-server-1', host: '127.0.0.1', port }] },
    'plugins.json': { plugins: ['server', 'cron'], app: { name: 'filter_test_app', options: { dynamicCron: true } } },
    'crons.json': crons,
  };
}

function runs(output) {
  const out = [];
  for (const m of output.matchAll(/cron run action=(\S+) id=(\S+) at=(\d+)/g))
    out.push({ action: m[1], id: JSON.parse(m[2]), at: Number(m[3]) });
  return out;
}

async function main() {
  const port = await t.freePort();
  const dir = t.makeAppDir(appFiles(port, {
    development: {
      backend: [
        { id: 1, time: '* * * * * *', action: 'testCron.tick' },
        { id: 2, time: '* * * * * *', action: 'testCron.other', serverId: 'backend-server-9' },
        { id: 3, time: '*/2 * * * * *', action: 'testCron.even', serverId: 'backend-server-1' },
      ],
      connector: [{ id: 4, time: '* * * * * *', action: 'testCron.other' }],
    },
    production: { backend: [{ id: 5, time: '* * * * * *', action: 'testCron.other' }] },
  }));
  const server = t.runHost(dir, ['--server-id', 'backend-server-1']);
  try {
    await server.waitFor(/4 cron\(s\) scheduled for backend-server-1/, 15000, 'crons scheduled');
    await t.sleep(3600);
    const seen = runs(server.out);
    const every = seen.filter((r) => r.id === 1);
    const gaps = every.slice(1).map((r, i) => r.at - every[i].at);
    t.check('an every-second cron runs every second', every.length >= 3 && gaps.every((g) => g > 800 && g < 1200),
            JSON.stringify({ every, gaps }));
    t.check('it runs at the start of each second', every.every((r) => r.at % 1000 < 300), JSON.stringify(every));
    const even = seen.filter((r) => r.id === 3);
    t.check('"*/2" runs on even seconds only, for the serverId given',
            even.length >= 1 && even.every((r) => Math.floor(r.at / 1000) % 2 === 0 && r.action === 'testCron.even'),
            JSON.stringify(even));
    t.check('crons of another server, another type or another environment do not run here',
            !seen.some((r) => r.action === 'testCron.other'), JSON.stringify(seen.filter((r) => r.action === 'testCron.other')));
    const dyn = seen.filter((r) => r.id === 'dyn');
    t.check('a cron added by the app (addCrons) runs too', dyn.length >= 3, JSON.stringify(dyn));
    const once = seen.filter((r) => r.id === 'once');
    t.check('a cron removed by its own action (removeCrons) does not run again', once.length === 1, JSON.stringify(once));
  } catch (e) {
    t.check('no exception', false, e.stack + '\n' + server.out.slice(-3000));
  } finally {
    const exit = await server.stop();
    t.check('the server stops cleanly', exit.code === 0, JSON.stringify(exit) + '\n' + server.out.slice(-2000));
    t.cleanup(dir);
  }

  // A bad expression is a startup error that names the file, the entry and the field.
  const bad = t.makeAppDir(appFiles(port, {
    development: { backend: [{ id: 1, time: '* * * * * *', action: 'testCron.tick' },
                             { id: 7, time: '0 61 * * * *', action: 'testCron.tick' }] },
  }));
  const failing = t.runHost(bad, ['--server-id', 'backend-server-1']);
  const timer = setTimeout(() => failing.proc.kill('SIGKILL'), 15000);
  const exit = await failing.exited;
  clearTimeout(timer);
  t.check('a bad cron expression stops the server at startup', exit.code === 1, JSON.stringify(exit));
  t.check('the error names the file, the entry and the field',
          failing.out.includes('config/crons.json (development): backend[1].time: "0 61 * * * *" is not a cron ' +
                               'expression: minute field "61": 61 is out of range 0-59'), failing.out.slice(-1500));
  t.cleanup(bad);
  t.finish();
}
main();
