'use strict';
// shaddock-robot against a real shaddock-host running apps/echo: a counted closed-loop scenario with a
// push carrying a timestamp, its JSON and HTML reports; replies counted as refusals; then the rate step
// with a stop condition; then TLS and WSS against a server with a self-signed certificate, trusted and
// not.
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const { startServer, makeCertificate } = require('../connector/lib/harness');
const { tempDir, runRobot, writeScenario, assertOrdered } = require('./lib');

async function countedRun(server, dir) {
  const users = 12;
  const count = 40;
  const file = writeScenario(dir, 'counted.json', {
    name: 'counted',
    server: { host: '127.0.0.1', port: 1, transport: 'tcp' },  // the port comes from --port
    users: 3, rampPerSecond: 100, durationSeconds: 30, threads: 2, stayConnected: false,
    uid: 'robot-${index}',
    script: [
      { on: 'onTick', latencyField: 'ts' },
      { request: 'connector.entryHandler.push', body: { route: 'onTick', msg: { ts: '${now_us}', who: '${uid}' } } },
      { waitPush: 'onTick', timeoutMs: 5000 },
      { loop: { count, inFlight: 4, steps: [
        { request: 'connector.entryHandler.echo', body: { i: '${index}', s: '${seq}', r: '${rand:1:9}' } },
        { sleep: { uniform: [0, 2] } },
      ] } },
      { notify: 'connector.entryHandler.note', body: { n: 1 } },
    ],
  });
  const json = path.join(dir, 'counted-report.json');
  const html = path.join(dir, 'counted-report.html');
  const r = await runRobot(['run', file, '--port', String(server.port), '--users', String(users),
    '--json', json, '--html', html, '--progress']);
  assert.strictEqual(r.code, 0, `robot failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  const rep = JSON.parse(fs.readFileSync(json, 'utf8'));
  // Every user: one push request + `count` echoes, all answered.
  assert.strictEqual(rep.requests.ok, users * (1 + count), JSON.stringify(rep.requests));
  assert.strictEqual(rep.requests.failed, 0);
  assert.strictEqual(rep.errorCount, 0, JSON.stringify(rep.errors));
  assert.strictEqual(rep.connects.ok, users);
  assert.strictEqual(rep.notifies, users);
  // The push of each user arrived and carried a timestamp; onNote pushes (from the notify) may race the end.
  assert.ok(rep.pushes.byRoute.onTick === users, JSON.stringify(rep.pushes));
  assert.ok(rep.pushes.latencyMs.count >= users);
  assert.ok(rep.pushes.latencyMs.max < 5000, `push latency ${rep.pushes.latencyMs.max} ms`);
  assertOrdered(assert, rep.requests.latencyMs, 'request latency');
  assertOrdered(assert, rep.pushes.latencyMs, 'push latency');
  assertOrdered(assert, rep.connects.latencyMs, 'connect time');
  assert.ok(rep.requests.latencyMs.p50 > 0);
  // Every user ended its script and disconnected: the run ended before its 30 s.
  assert.strictEqual(rep.stoppedBy, 'all users done');
  assert.ok(rep.elapsedSeconds < 25);
  assert.ok(rep.cpu.userSeconds + rep.cpu.systemSeconds > 0);
  const timelineOk = rep.timeline.reduce((a, p) => a + p.requestsOk, 0);
  assert.strictEqual(timelineOk, rep.requests.ok, 'the timeline adds up to the totals');
  assert.match(r.stdout, /requests\s+ok 492\s+failed 0/);
  const page = fs.readFileSync(html, 'utf8');
  assert.ok(page.startsWith('<!DOCTYPE html>'));
  assert.ok(page.includes('<svg') && page.includes('<polyline'));
  assert.ok(!page.includes('<script'));
}

// "refusal": a reply holding its fields is counted as refused (neither ok nor failed, checked before
// "expect"); a reply without them goes on to "expect" as before.
async function refusalRun(server, dir) {
  const users = 4;
  const file = writeScenario(dir, 'refusal.json', {
    name: 'refusal',
    server: { host: '127.0.0.1', port: server.port },
    users, rampPerSecond: 100, durationSeconds: 20, stayConnected: false,
    script: [
      { request: 'connector.entryHandler.echo', body: { k: 'gone' }, refusal: { k: 'gone' }, expect: { k: 'here' } },
      { request: 'connector.entryHandler.echo', body: { k: 'here' }, refusal: { k: 'gone' }, expect: { k: 'here' } },
      { request: 'connector.entryHandler.echo', body: { k: 'else' }, refusal: { k: 'gone' }, expect: { k: 'here' } },
    ],
  });
  const json = path.join(dir, 'refusal-report.json');
  const r = await runRobot(['run', file, '--json', json]);
  const rep = JSON.parse(fs.readFileSync(json, 'utf8'));
  assert.deepStrictEqual([rep.requests.ok, rep.requests.refused, rep.requests.failed], [users, users, users], JSON.stringify(rep.requests));
  const route = rep.requests.byRoute['connector.entryHandler.echo'];
  assert.deepStrictEqual([route.ok, route.refused, route.failed], [users, users, users]);
  assert.strictEqual(route.latencyMs.count, 2 * users, 'refusals are answers: their latency counts');
  assert.deepStrictEqual(rep.errors, { 'request:expect_k="else"': users });
  assert.match(r.stdout, new RegExp(`requests\\s+ok ${users}\\s+failed ${users}\\s+refused ${users}`), r.stdout);
}

async function rateRun(server, dir) {
  // User 0 raises its broadcast rate each second; every user receives each broadcast. A p99 limit
  // of 1 microsecond cannot hold, so the first measured step ends the run.
  const file = writeScenario(dir, 'rate.json', {
    name: 'rate',
    server: { host: '127.0.0.1', port: server.port },
    users: 5, durationSeconds: 20, threads: 1,
    script: [
      { on: 'onB' },
      { rate: { request: 'connector.entryHandler.broadcast', body: { route: 'onB', msg: { ts: '${now_us}' } },
        start: 20, factor: 2, stepSeconds: 1, stopWhen: { pushP99Ms: 0.001 } }, onlyUsers: 0 },
    ],
  });
  const json = path.join(dir, 'rate-report.json');
  const r = await runRobot(['run', file, '--json', json, '--quiet']);
  assert.strictEqual(r.code, 0, `robot failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  assert.strictEqual(r.stdout, '', '--quiet prints nothing');
  const rep = JSON.parse(fs.readFileSync(json, 'utf8'));
  assert.strictEqual(rep.stoppedBy, 'pushP99Ms');
  assert.ok(rep.elapsedSeconds < 10, `elapsed ${rep.elapsedSeconds}`);
  assert.strictEqual(rep.rate.steps.length, 1);
  const step = rep.rate.steps[0];
  assert.strictEqual(step.met, false);
  assert.strictEqual(step.rate, 20);
  // About 20 broadcasts a second to 5 users.
  assert.ok(step.deliveriesPerSecond > 40 && step.deliveriesPerSecond < 200, JSON.stringify(step));
  assert.strictEqual(rep.rate.maxSustainedDeliveriesPerSecond, 0);
  assert.ok(rep.pushes.byRoute.onB > 0);
}

async function secureRuns(server, dir) {
  const users = 4;
  const count = 25;
  const caFile = path.join(server.dir, 'cert.pem');
  const stranger = path.join(dir, 'stranger');
  fs.mkdirSync(stranger);
  makeCertificate(stranger);  // a certificate the server does not use
  for (const transport of ['tls', 'wss']) {
    const file = writeScenario(dir, `${transport}.json`, {
      name: transport,
      server: { host: '127.0.0.1', port: server.port, transport, tlsCaFile: caFile },
      users, rampPerSecond: 100, durationSeconds: 20, threads: 2, stayConnected: false,
      script: [{ loop: { count, inFlight: 2, steps: [{ request: 'connector.entryHandler.echo', body: { i: '${index}' } }] } }],
    });
    const json = path.join(dir, `${transport}-report.json`);
    const r = await runRobot(['run', file, '--json', json, '--quiet']);
    assert.strictEqual(r.code, 0, `robot over ${transport} failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
    const rep = JSON.parse(fs.readFileSync(json, 'utf8'));
    assert.strictEqual(rep.connects.ok, users, `${transport}: ${JSON.stringify(rep.connects)}`);
    assert.strictEqual(rep.requests.ok, users * count, `${transport}: ${JSON.stringify(rep.requests)}`);
    assert.strictEqual(rep.errorCount, 0, `${transport}: ${JSON.stringify(rep.errors)}`);
    assert.strictEqual(rep.stoppedBy, 'all users done');

    // Verifying against a certificate the server does not have: every connect fails, nothing is sent.
    const untrusted = writeScenario(dir, `${transport}-untrusted.json`, {
      name: `${transport}-untrusted`,
      server: { host: '127.0.0.1', port: server.port, transport, tlsCaFile: path.join(stranger, 'cert.pem') },
      users: 2, rampPerSecond: 100, durationSeconds: 5, threads: 1, stayConnected: false,
      script: [{ request: 'connector.entryHandler.echo', body: {} }],
    });
    const bad = path.join(dir, `${transport}-untrusted-report.json`);
    const r2 = await runRobot(['run', untrusted, '--json', bad, '--quiet']);
    assert.strictEqual(r2.code, 3, `every connect failing exits 3, got ${r2.code}:\n${r2.stdout}\n${r2.stderr}`);
    const rep2 = JSON.parse(fs.readFileSync(bad, 'utf8'));
    assert.strictEqual(rep2.connects.ok, 0, `${transport} untrusted: ${JSON.stringify(rep2.connects)}`);
    assert.strictEqual(rep2.requests.ok, 0);
    assert.ok(Object.keys(rep2.errors).some((k) => k.startsWith('connect:')), JSON.stringify(rep2.errors));
  }
}

(async () => {
  const server = await startServer();
  const dir = tempDir();
  try {
    await countedRun(server, dir);
    await refusalRun(server, dir);
    await rateRun(server, dir);
  } finally {
    await server.stop();
  }
  const secure = await startServer({ tls: true });
  try {
    await secureRuns(secure, dir);
  } finally {
    await secure.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log('robot.run: ok');
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
