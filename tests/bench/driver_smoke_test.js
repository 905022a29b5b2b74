// The benchmark driver end to end in quick mode (bench/run.js --quick) on the rows that fit in about
// 25 s (the local and forwarded echoes, idle connections, startup): each runs against fresh servers with
// the real load tool, and every figure of the table comes out as a positive number, with no failed
// requests, in both the markdown and the JSON it writes. The whole quick run, broadcast included, takes
// about 50 s: `tools/dev.sh bench --quick` (docs/bench.md).
// Usage: node driver_smoke_test.js   (SHADDOCK_BUILD_DIR: the build holding bin/shaddock-robot)
'use strict';
const assert = require('node:assert');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const servers = require('../../bench/lib/servers');
const { tempDir } = require('../../tools/node/util');

if (!servers.pomeloInstalled()) {
  console.error('bench/pomelo/node_modules is missing; skipped');
  process.exit(77);
}

const ROWS = ['echo_local', 'echo_forwarded', 'echo_forwarded_latency', 'idle', 'startup'];
const out = tempDir('shd-bench-smoke-');
const t0 = Date.now();
const r = spawnSync(process.execPath, [path.join(servers.REPO, 'bench', 'run.js'), '--quick', '--out', out, '--only', ROWS.join(',')],
                    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 170000 });
console.log(r.stdout);
console.log(r.stderr.slice(-4000));
console.log(`driver finished in ${((Date.now() - t0) / 1000).toFixed(1)} s with status ${r.status}`);
try {
  assert.strictEqual(r.status, 0, 'the driver succeeds');
  const md = fs.readFileSync(path.join(out, 'quick.md'), 'utf8');
  const json = JSON.parse(fs.readFileSync(path.join(out, 'quick.json'), 'utf8'));
  assert.match(md, /\| figure \| Shaddock \| Pomelo 2\.2\.7 \|/);
  assert.ok(json.machine.cpu && json.machine.cores > 0 && json.machine.kernel, 'machine described');
  assert.deepStrictEqual(json.table.map((l) => l.row), ROWS, 'one line per row run');
  const expected = {
    echo_local: ['Shaddock', 'Pomelo', 'limit server'],
    echo_forwarded: ['Shaddock', 'Pomelo', 'Pomelo + TCP_NODELAY'],
    echo_forwarded_latency: ['Shaddock', 'Pomelo', 'Pomelo + TCP_NODELAY'],
    idle: ['Shaddock', 'Pomelo'],
    startup: ['Shaddock', 'Pomelo'],
  };
  // Under AddressSanitizer a sanitized server's RSS says nothing (shadow memory, quarantine): the idle
  // row's memory per connection may come out 0 there, and only has to be present.
  const asan = /address/.test(process.env.SHADDOCK_SANITIZERS || '');
  for (const [prefix, labels] of Object.entries(expected)) {
    const line = json.table.find((l) => l.row === prefix);
    assert.ok(line, `a line for ${prefix}`);
    const memory = asan && prefix === 'idle';
    for (const label of labels) {
      const v = line.cells[label] && line.cells[label].value;
      assert.ok(typeof v === 'number' && (v > 0 || (memory && v === 0)), `${prefix} / ${label}: ${v}`);
    }
    if (!memory) for (const [name, x] of Object.entries(line.ratios)) assert.ok(x > 0, `${prefix} ratio ${name}: ${x}`);
  }
  assert.ok('Shaddock forwarded/local' in json.table.find((l) => l.row === 'echo_forwarded').ratios, 'the forwarded/local ratio');
  for (const run of json.runs.filter((x) => x.row.startsWith('echo'))) {
    assert.strictEqual(run.errors, 0, `${run.row} ${run.label}: no errors`);
    assert.ok(run.robotCpuPercent > 0, `${run.row} ${run.label}: the robot's CPU is reported`);
  }
  console.log('ok   quick benchmark run: every figure present and positive');
} catch (e) {
  console.log('FAIL ' + e.message);
  process.exit(1);
} finally {
  fs.rmSync(out, { recursive: true, force: true });
}
