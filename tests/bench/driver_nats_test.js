// The benchmark driver's NATS row in quick mode (bench/run.js --quick --only echo_forwarded_nats): the
// forwarded echo with the rpc plugin (direct TCP) and with rpc_nats over a local nats-server, both with
// the real load tool in one run. Every figure of the row comes out positive with no failed request, in
// both the markdown and the JSON, with the NATS/TCP ratio. About 15 s.
// Usage: node driver_nats_test.js   (SHADDOCK_BUILD_DIR: the build holding bin/shaddock-robot)
'use strict';
const assert = require('node:assert');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const servers = require('../../bench/lib/servers');

if (!servers.pomeloInstalled()) {
  console.error('bench/pomelo/node_modules is missing; skipped');
  process.exit(77);
}

const out = fs.mkdtempSync(path.join(os.tmpdir(), 'shd-bench-nats-'));
const r = spawnSync(process.execPath, [path.join(servers.REPO, 'bench', 'run.js'), '--quick', '--out', out, '--only', 'echo_forwarded_nats'],
                    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 110000 });
console.log(r.stdout);
console.log(r.stderr.slice(-4000));
try {
  assert.strictEqual(r.status, 0, 'the driver succeeds');
  const md = fs.readFileSync(path.join(out, 'quick.md'), 'utf8');
  const json = JSON.parse(fs.readFileSync(path.join(out, 'quick.json'), 'utf8'));
  const line = json.table.find((l) => l.row === 'echo_forwarded_nats');
  assert.ok(line, 'a line for echo_forwarded_nats');
  for (const label of ['Shaddock', 'Shaddock, NATS RPC']) {
    const v = line.cells[label] && line.cells[label].value;
    assert.ok(typeof v === 'number' && v > 0, `${label}: ${v}`);
  }
  assert.ok(line.ratios['NATS/TCP'] > 0, `NATS/TCP ratio: ${line.ratios['NATS/TCP']}`);
  assert.match(md, /RPC over NATS \(other\) against direct TCP \(Shaddock\)[^\n]*Shaddock, NATS RPC: [\d,]+ req\/s[^\n]*NATS\/TCP [\d.]+x/);
  const runs = json.runs.filter((x) => x.row === 'echo_forwarded_nats');
  assert.strictEqual(runs.length, 2, 'two runs: TCP and NATS');
  for (const run of runs) assert.strictEqual(run.errors, 0, `${run.label}: no errors`);
  console.log('ok   the NATS row: both transports measured in one run, rendered with their ratio');
} catch (e) {
  console.log('FAIL ' + e.message);
  process.exit(1);
} finally {
  fs.rmSync(out, { recursive: true, force: true });
}
