#!/usr/bin/env node
// The AOI micro-benchmark: shd::aoi (aoi_bench, C++) and the npm pomelo-aoi 0.3.34 (pomelo_aoi_bench.js,
// Node) on the same walking entities in one run; prints updates/s of each and the ratio, and checks
// that both counted the same entered/left events (the same work was done). See docs/aoi.md.
//
//   node bench/aoi/run.js [--quick] [--entities N] [--rounds R] [--width px] [--height px] [--tower px]
//                         [--range r] [--seed S] [--min-ms T]
//
//   --rounds  the rounds whose events both must count alike (default 50); each side then goes on
//             until it has run --min-ms (default 2000) for a steadier figure
//   --quick   2 rounds after 1 warm-up round, no minimum time: a smoke run (the test aoi_bench_smoke)
// The C++ binary: SHADDOCK_AOI_BENCH, else <SHADDOCK_BUILD_DIR or <repo>/build>/bin/aoi_bench.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const pomeloAoi = require('./pomelo_aoi');

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const pass = args.filter((a) => a !== '--quick');
if (quick) pass.push('--rounds', '2', '--warmup', '1', '--min-ms', '0');
const option = (name, fallback) => {
  const i = pass.lastIndexOf('--' + name);
  return i >= 0 ? pass[i + 1] : fallback;
};

const binary = process.env.SHADDOCK_AOI_BENCH ||
  path.join(process.env.SHADDOCK_BUILD_DIR || path.join(pomeloAoi.REPO, 'build'), 'bin', 'aoi_bench');
if (!fs.existsSync(binary)) {
  console.error(`no ${binary}: build it (cmake --build build --target aoi_bench)`);
  process.exit(1);
}
if (!pomeloAoi.load()) {
  console.error(`pomelo-aoi is not installed: run npm ci in ${pomeloAoi.REFERENCE} (tools/dev.sh setup does)`);
  process.exit(quick ? 77 : 1);
}

function run(command, argv) {
  const r = spawnSync(command, argv, { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) {
    console.error(`${command} ${argv.join(' ')} exited with ${r.status}\n${r.stdout}${r.stderr}`);
    process.exit(1);
  }
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

const ours = run(binary, pass);
const theirs = run(process.execPath, [path.join(__dirname, 'pomelo_aoi_bench.js'), ...pass]);

const fmt = (n) => Math.round(n).toLocaleString('en-US');
const cpu = (os.cpus()[0] || {}).model || 'unknown CPU';
console.log(`AOI micro-benchmark: ${ours.entities} walking entities (each an object and a watcher of range ${option('range', 2)}), ` +
            `map ${option('width', 20000)} x ${option('height', 20000)}, towers ${option('tower', 300)}, ` +
            `${option('rounds', 50)} rounds counted, timed over at least ${option('min-ms', 2000)} ms; ${cpu}, ${os.cpus().length} cores, Node ${process.version}`);
console.log('| implementation | updates/s | updates | seconds | object entered+left | watcher entered+left |');
console.log('|---|---|---|---|---|---|');
for (const r of [ours, theirs])
  console.log(`| ${r.impl} | ${fmt(r.updatesPerSecond)} | ${r.updates} | ${r.seconds.toFixed(3)} | ${r.objectEvents} | ${r.watcherEvents} |`);
const ratio = ours.updatesPerSecond / theirs.updatesPerSecond;
console.log(`ratio shd::aoi / pomelo-aoi: ${ratio.toFixed(1)}x`);
if (ours.objectEvents !== theirs.objectEvents || ours.watcherEvents !== theirs.watcherEvents) {
  console.error('FAIL: the two counted different events; the workloads diverged');
  process.exit(1);
}
if (ours.objectEvents === 0 || ours.watcherEvents === 0) {
  console.error('FAIL: no events at all; the walk crossed no tower');
  process.exit(1);
}
