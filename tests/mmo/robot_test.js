// The MMO's robot scenarios (apps/mmo/robot) against a real mmo cluster: a few robots register over
// HTTP, ask the gate, connect to their connector, create a hero, enter the scene, then walk and
// fight (mixed) with zero failures; a second run of the same robots logs in instead of registering
// and finds its heroes (no createPlayer).
'use strict';
const assert = require('node:assert');
const fs = require('node:fs');
const { requiredEnv } = require('../../tools/node/util');
const bench = require('../../bench/mmo/mmo_bench');

process.env.SHADDOCK_ROBOT = requiredEnv('SHADDOCK_ROBOT');
process.env.SHADDOCK_HOST = requiredEnv('SHADDOCK_HOST');

const USERS = 6;

function show(report) {
  return JSON.stringify({ requests: report.requests, errors: report.errors, connects: report.connects }, null, 1);
}

async function main() {
  const c = await bench.startCluster();
  let ok = false;
  try {
    // First run: every robot is new.
    let r = await bench.runRobot(bench.scenario(c, 'mixed', { users: USERS, duration: 13, ramp: 20, prefix: 'rt' }));
    assert.ok(r.report, 'the robot wrote its report: ' + r.stderr);
    let routes = r.report.requests.byRoute;
    assert.strictEqual(r.code, 0, 'no failure in the first run: ' + show(r.report));
    assert.deepStrictEqual(r.report.errors, {});
    assert.strictEqual(r.report.requests.failed, 0);
    assert.strictEqual(routes['http POST /register'].ok, USERS);
    assert.strictEqual(routes['connector.roleHandler.createPlayer'].ok, USERS);
    assert.strictEqual(routes['area.playerHandler.enterScene'].ok, USERS);
    // Two connects per robot: the gate, then the connector the gate named.
    assert.strictEqual(r.report.connects.ok, 2 * USERS);
    // Each walker moves every 2-5 s: at least twice in 13 s; the fighters found a mob to attack.
    assert.ok(routes['area.playerHandler.move'].ok >= USERS / 2 * 2, show(r.report));
    assert.ok(routes['area.fightHandler.attack'] && routes['area.fightHandler.attack'].ok >= 1, show(r.report));
    console.log(`ok 1 - ${USERS} new robots: register, gate, connector, createPlayer, enterScene; ` +
                `${routes['area.playerHandler.move'].ok} moves and ${routes['area.fightHandler.attack'].ok} attacks, no failure`);

    // Second run, same names: /register answers 501 (no token), so the robots log in; their heroes exist.
    r = await bench.runRobot(bench.scenario(c, 'mixed', { users: USERS, duration: 5, ramp: 20, prefix: 'rt' }));
    assert.ok(r.report, 'the robot wrote its report: ' + r.stderr);
    routes = r.report.requests.byRoute;
    assert.strictEqual(r.code, 0, 'no failure in the second run: ' + show(r.report));
    assert.strictEqual(routes['http POST /login'].ok, USERS);
    assert.strictEqual(routes['connector.roleHandler.createPlayer'], undefined, 'no hero created again');
    assert.strictEqual(routes['area.playerHandler.enterScene'].ok, USERS);
    console.log(`ok 2 - the same ${USERS} robots log in and enter with their heroes`);
    ok = true;
  } finally {
    await c.stop();
    if (ok) fs.rmSync(c.dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error('not ok -', e.stack || e);
  process.exit(1);
});
