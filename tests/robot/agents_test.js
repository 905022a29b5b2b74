'use strict';
// Coordinator mode: two agents on loopback share the users of a counted scenario; the merged report
// equals the sum of the agents' figures and the exact expected count; a rate step climbs on both
// agents at the coordinator's command. An agent answers malformed
// input with a clear error, closes that connection and keeps serving.
const assert = require('node:assert');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { startServer } = require('../connector/lib/harness');
const { tempDir, runRobot, startAgent, writeScenario, assertOrdered } = require('./lib');

// Sends raw lines to an agent; resolves to everything it answered before closing.
function talk(port, text) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1' }, () => s.write(text));
    let got = '';
    s.on('data', (d) => { got += d; });
    s.on('error', reject);
    const timer = setTimeout(() => { s.destroy(); reject(new Error(`agent kept the connection open; got: ${got}`)); }, 10000);
    s.on('close', () => { clearTimeout(timer); resolve(got); });
  });
}

(async () => {
  const server = await startServer();
  const dir = tempDir();
  const a = await startAgent();
  const b = await startAgent();
  try {
    // Malformed input first: the agent must refuse it and still serve the run below.
    let reply = await talk(a.port, 'this is not json\n');
    assert.match(reply, /"type":"error".*not a JSON object/, reply);
    reply = await talk(a.port, '{"type":"run","scenario":{"users":"many"},"firstIndex":0,"users":1,"totalUsers":1,"startAtUs":0}\n');
    assert.match(reply, /"type":"error".*\$\.users: expected an integer/, reply);
    reply = await talk(b.port, '{"type":"stop"}\n');
    assert.match(reply, /expected a \\"run\\" message first/, reply);

    const users = 10;
    const count = 30;
    const file = writeScenario(dir, 'agents.json', {
      name: 'agents',
      server: { host: '127.0.0.1', port: server.port },
      users, rampPerSecond: 50, durationSeconds: 30, threads: 1, stayConnected: false,
      script: [
        { loop: { count, inFlight: 2, steps: [{ request: 'connector.entryHandler.echo', body: { u: '${uid}' } }] } },
        { request: 'connector.entryHandler.push', body: { route: 'onT', msg: { ts: '${now_us}' } } },
        { waitPush: 'onT', timeoutMs: 5000 },
      ],
    });
    const json = path.join(dir, 'merged.json');
    const r = await runRobot(['run', file, '--agents', `127.0.0.1:${a.port},127.0.0.1:${b.port}`, '--json', json]);
    assert.strictEqual(r.code, 0, `coordinator failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
    const rep = JSON.parse(fs.readFileSync(json, 'utf8'));
    assert.strictEqual(rep.agents.length, 2);
    const sum = (k) => rep.agents.reduce((acc, ag) => acc + ag[k], 0);
    assert.strictEqual(rep.requests.ok, users * (count + 1));
    assert.strictEqual(sum('requestsOk'), rep.requests.ok);
    assert.strictEqual(sum('pushes'), rep.pushes.received);
    assert.strictEqual(rep.pushes.received, users);
    assert.strictEqual(sum('connectsOk'), users);
    assert.strictEqual(rep.connects.ok, users);
    assert.strictEqual(rep.errorCount, 0, JSON.stringify(rep.errors));
    // Each agent ran its own half of the index space.
    assert.deepStrictEqual(rep.agents.map((x) => [x.firstIndex, x.users]), [[0, 5], [5, 5]]);
    for (const ag of rep.agents) assert.strictEqual(ag.requestsOk, ag.users * (count + 1));
    assertOrdered(assert, rep.requests.latencyMs, 'merged request latency');
    assert.strictEqual(rep.requests.latencyMs.count, rep.requests.ok, 'merged histograms hold every sample');
    assert.strictEqual(rep.timeline.reduce((acc, p) => acc + p.requestsOk, 0), rep.requests.ok);

    // The rate controller runs on the merged figures and moves both agents' senders level by level.
    const rateFile = writeScenario(dir, 'rate.json', {
      name: 'rate across agents',
      server: { host: '127.0.0.1', port: server.port },
      users: 4, durationSeconds: 5, threads: 1,
      script: [
        { on: 'onB' },
        { rate: { request: 'connector.entryHandler.broadcast', body: { route: 'onB', msg: { ts: '${now_us}' } },
          start: 20, factor: 2, stepSeconds: 1, stopWhen: { pushP99Ms: 2000 } }, onlyUsers: 0 },
      ],
    });
    const rateJson = path.join(dir, 'rate.json.report');
    const rr = await runRobot(['run', rateFile, '--agents', `127.0.0.1:${a.port},127.0.0.1:${b.port}`, '--json', rateJson]);
    assert.strictEqual(rr.code, 0, `coordinator failed (${rr.code}):\n${rr.stdout}\n${rr.stderr}`);
    const rep2 = JSON.parse(fs.readFileSync(rateJson, 'utf8'));
    const steps = rep2.rate.steps;
    assert.ok(steps.length >= 2, JSON.stringify(steps));
    steps.forEach((st, i) => {
      assert.strictEqual(st.rate, 20 * 2 ** i);
      assert.ok(st.met);
      // Each broadcast reaches all 4 users, 2 on each agent.
      const want = st.rate * 4;
      assert.ok(Math.abs(st.deliveriesPerSecond - want) <= want * 0.25, `step ${i}: ${st.deliveriesPerSecond} vs ${want}`);
    });
    assert.strictEqual(rep2.rate.maxSustainedDeliveriesPerSecond, steps[steps.length - 1].deliveriesPerSecond);
    assert.ok(rep2.agents.every((x) => x.pushes > 0), 'both agents received pushes');
    assert.strictEqual(rep2.agents[0].pushes + rep2.agents[1].pushes, rep2.pushes.received);
  } finally {
    await a.stop();
    await b.stop();
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log('robot.agents: ok');
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
