'use strict';
// No server: every connect fails, is counted and reported, and the robot exits 3 without waiting for
// the duration. Also the command-line contract: --help answers, bad scenarios exit 2 naming the key.
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const { tempDir, freePort, runRobot, writeScenario } = require('./lib');

(async () => {
  const dir = tempDir();
  try {
    const port = await freePort();  // released again: nothing listens there
    const file = writeScenario(dir, 'down.json', {
      server: { host: '127.0.0.1', port }, users: 25, threads: 2, durationSeconds: 30,
      script: [{ loop: { steps: [{ request: 'connector.entryHandler.echo' }] } }],
    });
    const json = path.join(dir, 'down-report.json');
    const started = Date.now();
    const r = await runRobot(['run', file, '--json', json]);
    assert.strictEqual(r.code, 3, `exit ${r.code}:\n${r.stdout}\n${r.stderr}`);
    assert.ok(Date.now() - started < 15000, 'ended once every user had failed');
    const rep = JSON.parse(fs.readFileSync(json, 'utf8'));
    assert.strictEqual(rep.connects.failed, 25);
    assert.strictEqual(rep.connects.ok, 0);
    assert.strictEqual(rep.errors['connect:connect_failed'], 25, JSON.stringify(rep.errors));
    assert.strictEqual(rep.exitCode, 3);
    assert.strictEqual(rep.requests.ok, 0);
    assert.match(r.stdout, /connect:connect_failed 25/);

    for (const args of [['--help'], ['run', '--help'], ['agent', '--help'], ['check', '--help'], ['help', 'run']]) {
      const h = await runRobot(args);
      assert.strictEqual(h.code, 0, `${args.join(' ')}: ${h.stderr}`);
      assert.match(h.stdout, /usage: shaddock-robot/);
    }
    const bad = writeScenario(dir, 'bad.json', { users: 2, script: [{ request: 'a' }, { sleep: { uniform: [3] } }] });
    let e = await runRobot(['run', bad]);
    assert.strictEqual(e.code, 2);
    assert.ok(e.stderr.includes(`${bad}: $.script[1].sleep.uniform: expected [MIN, MAX]`), e.stderr);
    e = await runRobot(['check', bad]);
    assert.strictEqual(e.code, 2);
    e = await runRobot(['run', path.join(dir, 'missing.json')]);
    assert.strictEqual(e.code, 2);
    assert.match(e.stderr, /missing\.json: cannot open the scenario file/);
    e = await runRobot(['run', file, '--users', 'lots']);
    assert.strictEqual(e.code, 2);
    assert.match(e.stderr, /--users: expected a number/);
    e = await runRobot(['run', file, '--transport', 'carrier-pigeon']);
    assert.strictEqual(e.code, 2);
    assert.match(e.stderr, /\$\.server\.transport/);
    e = await runRobot(['fly']);
    assert.strictEqual(e.code, 2);
    e = await runRobot(['run', file, '--agents', `127.0.0.1:${port}`]);
    assert.strictEqual(e.code, 1, 'an unreachable agent: could not run');
    assert.match(e.stderr, /agent 127\.0\.0\.1:\d+: cannot connect/);
    const ok = await runRobot(['check', path.join(__dirname, '..', '..', 'bench', 'scenarios', 'broadcast.json')]);
    assert.strictEqual(ok.code, 0, ok.stderr);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log('robot.down: ok');
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
