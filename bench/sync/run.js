#!/usr/bin/env node
// Write-behind persistence (plugins/sync): merged writes/s into SQLite and into PostgreSQL, measured
// by bench/sync/sync_bench (the plugin's queue and database thread, without a host) in one run. Each
// round queues `execs` player upserts over `ids` players (merged by id, as pomelo-sync's exec), then
// times writing the merged rows in transactions of `batch`. PostgreSQL is a real server started for
// the run (tools/node/engines.js; fsync off, on loopback): the figure is the plugin's and the
// protocol's cost, not a disk's. A benchmark, not a test: only the rows written are checked.
//
//   node bench/sync/run.js [--quick] [--execs N] [--ids N] [--rounds N] [--batch N]
// Needs the build (SHADDOCK_SYNC_BENCH, or <SHADDOCK_BUILD_DIR or build>/bin/shd_sync_bench) and, for
// the PostgreSQL row, the Debian postgresql package (tools/dev.sh setup); without it that row is skipped.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');
const engines = require(path.join(root, 'tools', 'node', 'engines'));

const o = { execs: 200000, ids: 10000, rounds: 3, batch: 500 };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const value = () => Number(argv[++i]);
  if (argv[i] === '--quick') Object.assign(o, { execs: 20000, ids: 2000, rounds: 1 });
  else if (argv[i] === '--execs') o.execs = value();
  else if (argv[i] === '--ids') o.ids = value();
  else if (argv[i] === '--rounds') o.rounds = value();
  else if (argv[i] === '--batch') o.batch = value();
  else throw new Error(`unknown option ${argv[i]}`);
}
const build = process.env.SHADDOCK_BUILD_DIR || path.join(root, 'build');
const bench = process.env.SHADDOCK_SYNC_BENCH || path.join(build, 'bin', 'shd_sync_bench');

function run(kind, target, env = process.env) {
  const r = spawnSync(bench, [kind, target, String(o.execs), String(o.ids), String(o.rounds), String(o.batch)],
    { env, encoding: 'utf8' });
  process.stdout.write(r.stdout.split('\n').filter((l) => !l.startsWith('{')).join('\n'));
  if (r.status !== 0) throw new Error(`${kind}: exit ${r.status}\n${r.stderr}`);
  const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
  const result = JSON.parse(line);
  // Every round writes what was left after merging: its distinct ids.
  if (result.written + result.merged !== o.execs * o.rounds) throw new Error(`${kind}: written + merged != execs: ${line}`);
  return result;
}

async function main() {
  if (!fs.existsSync(bench)) throw new Error(`no ${bench}: build the target shd_sync_bench`);
  const rows = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shd-sync-bench-'));
  try {
    rows.push(run('sqlite', path.join(dir, 'bench.db')));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  let pg = null;
  try {
    const password = 'bench-' + process.pid;
    pg = await engines.start('postgres', { password });
    const conninfo = `host=127.0.0.1 port=${pg.port} user=${pg.user} dbname=${pg.database}`;
    rows.push(run('postgresql', conninfo, { ...process.env, PGPASSWORD: password }));
  } catch (e) {
    if (pg) throw e;
    console.log(`postgresql: skipped (${e.message.split('\n')[0]})`);
  } finally {
    if (pg) await pg.close();
  }
  console.log(`\nmerged writes/s (${o.execs} execs over ${o.ids} ids per round, best of ${o.rounds}, ` +
    `${o.batch} writes per transaction):`);
  console.log('| database | merged writes/s | exec/s (queue) | execs merged away |');
  console.log('|---|---|---|---|');
  for (const r of rows)
    console.log(`| ${r.database} | ${r.writesPerSecond} | ${r.execsPerSecond} | ` +
      `${(100 * r.merged / (r.execs * r.rounds)).toFixed(0)}% |`);
  await engines.closeAll();
}
main().catch(async (e) => { console.error(e.stack || e); await engines.closeAll(); process.exit(1); });
