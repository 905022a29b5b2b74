// The worked example of docs/gamedata.md (tests/gamedata/example_app), checked to be the code the page
// prints, in a real shaddock-host: the tables of config/data/ load at start and a handler answers
// from them, through the npm Pomelo client; then a data file with a bad cell stops the start with
// the error naming file, line and column, and the server exits non-zero.
// Run by CTest (gamedata_example): SHADDOCK_HOST, and SHADDOCK_APPS_DIR holding gamedata_example.so.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const t = require('../server/lib/test_app');
const client = require('../connector/lib/pomelo_js_client');
const { listening } = require('../../tools/node/util');

const DATA = path.join(__dirname, 'example_app', 'config', 'data');

async function appDir() {
  const port = await t.freePort();
  const clientPort = await t.freePort();
  const dir = t.makeAppDir({
    'servers.json': {
      connector: [{ id: 'connector-server-1', host: '127.0.0.1', port, clientPort, frontend: true }],
    },
    'plugins.json': { plugins: ['pomelo_protocol', 'server', 'connector'], app: { name: 'gamedata_example' } },
  });
  fs.mkdirSync(path.join(dir, 'config', 'data'));
  for (const f of fs.readdirSync(DATA)) fs.copyFileSync(path.join(DATA, f), path.join(dir, 'config', 'data', f));
  return { dir, clientPort };
}

async function main() {
  // 0. docs/gamedata.md prints the app as it is (from its first #include to the end).
  const source = fs.readFileSync(path.join(__dirname, 'example_app', 'gamedata_example_app.cpp'), 'utf8');
  const docs = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'gamedata.md'), 'utf8');
  t.check('docs/gamedata.md shows the example app as it is',
          docs.includes('```cpp\n' + source.slice(source.indexOf('#include')) + '```'), 'the worked example differs');

  // 1. The tables load and the handler reads them.
  let { dir, clientPort } = await appDir();
  let host = t.runHost(dir);
  try {
    await t.waitFor(async () => host.exit !== null || (await listening(clientPort)),
                    20000, 'the server to listen');
    t.check('the server starts', host.exit === null, host.out.slice(-3000));
    const pomelo = client.loadClient();
    await client.init(pomelo, { host: '127.0.0.1', port: clientPort });
    const req = (msg) => client.request(pomelo, 'connector.dataHandler.character', msg);
    let r = await req({ id: 210 });
    t.check('character 210 from the Lord of Pomelo-shaped JSON table, its skills from the CSV table',
            r.code === 200 && r.name === 'Angle' && r.hp === 220 && r.walkSpeed === 240 &&
            JSON.stringify(r.skills) === JSON.stringify(['Normal Attack', 'Sudden Attack']), JSON.stringify(r));
    r = await req({ id: 211 });
    t.check('a list cell written as a JSON array; a quoted CSV cell with a comma and doubled quotes',
            r.code === 200 && JSON.stringify(r.skills) === JSON.stringify(['Normal Attack', 'Prison Break, the "chaos" one']),
            JSON.stringify(r));
    r = await req({ id: 999 });
    t.check('an unknown id answers 404', r.code === 404, JSON.stringify(r));
    pomelo.disconnect();
  } catch (e) {
    t.check('no exception', false, e.stack + '\n' + host.out.slice(-3000));
  } finally {
    const exit = await host.stop();
    t.check('the server stops cleanly', exit.code === 0, JSON.stringify(exit) + '\n' + host.out.slice(-2000));
    const log = host.out + t.readLog(dir, 'connector-server-1');
    t.check('the app logs what it loaded', /game data: 2 characters, 3 skills/.test(log), log.slice(-2000));
    t.cleanup(dir);
  }

  // 2. A bad cell: the start fails with the loader's message.
  ({ dir, clientPort } = await appDir());
  const csv = path.join(dir, 'config', 'data', 'fightskill.csv');
  fs.writeFileSync(csv, fs.readFileSync(csv, 'utf8').replace('2,"Sudden Attack",1,5,5', '2,"Sudden Attack",one,5,5'));
  host = t.runHost(dir);
  const timer = setTimeout(() => host.proc.kill('SIGKILL'), 20000);
  const exit = await host.exited;
  clearTimeout(timer);
  const out = host.out + t.readLog(dir, 'connector-server-1');
  t.check('the server does not start (non-zero exit)', exit.code !== 0 && exit.code !== null, JSON.stringify(exit));
  const expected = `${csv}:4:19: column "playerLevel": "one" is not an integer`;
  t.check('the error names the file, line and column', out.includes(expected), `expected ${expected} in:\n${out.slice(-3000)}`);
  t.cleanup(dir);
  t.finish();
}
main();
