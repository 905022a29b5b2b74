#!/usr/bin/env node
// The benchmarks, end to end: starts each server fresh, loads it with shaddock-robot, and writes a
// table (markdown) and the raw figures (JSON). What each figure means: docs/bench.md.
//
//   node bench/run.js [--quick] [--out DIR] [--only ROWS] [--robot PATH]
//
//   --quick      short runs and fewer users: a smoke run (results go to quick.md / quick.json)
//   --out DIR    where to write results (default bench/results)
//   --only ROWS  comma-separated subset of: echo_local, echo_forwarded, echo_forwarded_single,
//                echo_forwarded_latency, echo_forwarded_nats, broadcast, idle, startup, flood,
//                mmo_walk, mmo_fight, mmo_mixed (the MMO demo's capacity per scene: bench/mmo/mmo_bench.js)
//   --robot P    the load tool (default <build>/bin/shaddock-robot)
//   --scenarios DIR  the robot's scenario files (default bench/scenarios)
//   --render F   run nothing: write the table of a saved run (F: its .json) again, as F with .md
// Environment: SHADDOCK_BUILD_DIR (default <repo>/build), as for bench/lib/servers.js.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const servers = require('./lib/servers');
const { machine, table, markdown } = require('./lib/report');

// Sockets by the ten thousand: the descriptor limit is raised once, by re-running under sh.
if (!process.env.BENCH_NOFILE_RAISED) {
  const r = spawnSync('sh', ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"', process.execPath, ...process.argv.slice(1)],
                      { stdio: 'inherit', env: Object.assign({}, process.env, { BENCH_NOFILE_RAISED: '1' }) });
  process.exit(r.status === null ? 1 : r.status);
}

const ROWS = ['echo_local', 'echo_forwarded', 'echo_forwarded_single', 'echo_forwarded_latency', 'echo_forwarded_nats', 'broadcast', 'idle',
              'startup', 'flood', 'mmo_walk', 'mmo_fight', 'mmo_mixed'];

function parseArgs(argv) {
  const o = { quick: false, out: path.join(__dirname, 'results'), only: ROWS, robot: null, scenarios: path.join(__dirname, 'scenarios') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--quick') o.quick = true;
    else if (a === '--render') o.render = path.resolve(value());
    else if (a === '--out') o.out = path.resolve(value());
    else if (a === '--robot') o.robot = path.resolve(value());
    else if (a === '--scenarios') o.scenarios = path.resolve(value());
    else if (a === '--only') {
      o.only = value().split(',').filter(Boolean);
      for (const r of o.only) if (!ROWS.includes(r)) throw new Error(`--only: unknown row ${r} (rows: ${ROWS.join(', ')})`);
    } else if (a === '-h' || a === '--help') {
      console.log(fs.readFileSync(__filename, 'utf8').split('\n').slice(1, 15).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
      process.exit(0);
    } else throw new Error(`unknown argument ${a} (try --help)`);
  }
  return o;
}

// Loads of the full and the quick run.
const LOADS = {
  full: { echoUsers: 100, echoSeconds: 10, singleSeconds: 5, broadcastUsers: 500, broadcastSeconds: 120, broadcastRuns: 2,
          idleUsers: 10000, idleSeconds: 30, idleRamp: 1000, idleThreads: 2, startupRuns: 3, floodUsers: 100, floodSeconds: 10 },
  quick: { echoUsers: 20, echoSeconds: 1, singleSeconds: 1, broadcastUsers: 50, broadcastSeconds: 8, broadcastRuns: 1,
           idleUsers: 200, idleSeconds: 1.5, idleRamp: 1000, idleThreads: 1, startupRuns: 1, floodUsers: 20, floodSeconds: 2 },
};

// CPU seconds (user + system) of a process and its children that are still alive.
function cpuSeconds(pids) {
  const tick = 100;  // USER_HZ on Linux
  let total = 0;
  for (const pid of pids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += (Number(f[11]) + Number(f[12])) / tick;
    } catch (e) {
      // gone
    }
  }
  return total;
}

function serverPids(h) {
  return [h.pid, ...servers.childPids(h.pid, '')];
}

// Runs the robot; resolves to its JSON report. Samples `sample()` every 250 ms while it runs.
function runRobot(robot, scenario, args, jsonFile, sample) {
  return new Promise((resolve, reject) => {
    const argv = ['run', scenario, ...args, '--json', jsonFile, '--quiet'];
    const p = spawn(robot, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { out += d; });
    const timer = sample ? setInterval(sample, 250) : null;
    p.on('error', reject);
    p.on('exit', (code) => {
      if (timer) clearInterval(timer);
      if (!fs.existsSync(jsonFile)) return reject(new Error(`robot exited ${code} without a report:\n${robot} ${argv.join(' ')}\n${out.slice(-3000)}`));
      const report = JSON.parse(fs.readFileSync(jsonFile, 'utf8'));
      // Results are shared: paths relative to the repository, the robot's words only when it failed.
      if (typeof report.file === 'string') report.file = path.relative(servers.REPO, report.file);
      report.robotExitCode = code;
      if (code !== 0) report.robotOutput = out.slice(-2000);
      resolve(report);
    });
  });
}

const get = (o, keys, fallback = null) => keys.reduce((v, k) => (v && v[k] !== undefined ? v[k] : undefined), o) ?? fallback;

class Bench {
  constructor(opts) {
    this.opts = opts;
    this.load = LOADS[opts.quick ? 'quick' : 'full'];
    this.robot = opts.robot || path.join(servers.buildDir(), 'bin', 'shaddock-robot');
    this.scenarios = opts.scenarios;
    this.work = fs.mkdtempSync(path.join(os.tmpdir(), 'shd-bench-run-'));
    this.results = [];
  }

  log(msg) {
    console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);
  }

  scenario(name) {
    const f = path.join(this.scenarios, name + '.json');
    if (!fs.existsSync(f)) throw new Error(`missing scenario ${f}`);
    return f;
  }

  // One server, started fresh, under one robot run. Returns the row's record.
  async measure(row, label, kind, serverOpts, scenario, robotArgs, extra = {}) {
    this.log(`${row}: ${label}`);
    const h = await servers.startServer(kind, serverOpts);
    const rec = { row, label, kind };
    try {
      await servers.sleep(300);
      const connector = h.connectorPid();
      const pids = serverPids(h);
      const rssBefore = servers.rssKiB(connector);
      let rssPeak = rssBefore;
      const cpuBefore = cpuSeconds(pids);
      const during = extra.during ? await extra.during(h) : null;
      const t0 = Date.now();
      const jsonFile = path.join(this.work, `${row}-${label.replace(/\W+/g, '_')}.json`);
      const report = await runRobot(this.robot, this.scenario(scenario), ['--port', String(h.clientPort), ...robotArgs], jsonFile, () => {
        try { rssPeak = Math.max(rssPeak, servers.rssKiB(connector)); } catch (e) { /* stopped */ }
      });
      const seconds = (Date.now() - t0) / 1000;
      Object.assign(rec, {
        report,
        serverCpuPercent: (100 * (cpuSeconds(pids) - cpuBefore)) / seconds,
        robotCpuPercent: get(report, ['cpu', 'percent']),
        rssBeforeKiB: rssBefore,
        rssPeakKiB: rssPeak,
        requestsPerSecond: get(report, ['requests', 'perSecond']),
        p50Ms: get(report, ['requests', 'latencyMs', 'p50']),
        p99Ms: get(report, ['requests', 'latencyMs', 'p99']),
        errors: get(report, ['errorCount'], 0),
      });
      if (during) rec.during = await during.stop();
      if (extra.after) extra.after(rec, h);
    } finally {
      await h.stop();
    }
    this.results.push(rec);
    return rec;
  }

  async echo(row, scenario, variants, users = this.load.echoUsers, seconds = this.load.echoSeconds) {
    const args = ['--users', String(users), '--duration', String(seconds)];
    for (const [label, kind, opts] of variants) await this.measure(row, label, kind, opts, scenario, args);
  }

  // The forwarded echo with RPC over NATS (the rpc_nats plugin, a local nats-server started here)
  // against direct TCP, one after the other in this run.
  async echoOverNats() {
    const engines = require('../tools/node/engines.js');
    const token = require('node:crypto').randomBytes(12).toString('hex');
    const nats = await engines.start('nats', { token });
    try {
      await this.echo('echo_forwarded_nats', 'echo_forwarded_nats',
                      [['Shaddock', 'shaddock', {}],
                       ['Shaddock, NATS RPC', 'shaddock', { rpc: { name: 'rpc_nats', options: { url: nats.url, token } } }]]);
    } finally {
      await nats.close();
    }
  }

  // A single stall of the shared machine ends a rising-rate run early, so each server gets
  // `broadcastRuns` runs (each on a fresh server) and the best one counts; every run is in the details.
  async broadcast() {
    const args = ['--users', String(this.load.broadcastUsers), '--duration', String(this.load.broadcastSeconds), '--threads', '2'];
    for (const [label, kind, opts] of [['Shaddock', 'shaddock', {}], ['Pomelo', 'pomelo', {}], ['Pomelo + TCP_NODELAY', 'pomelo', { nodelay: true }]]) {
      const runs = [];
      for (let i = 0; i < this.load.broadcastRuns; i++) {
        const rec = await this.measure('broadcast', label, kind, opts, 'broadcast', args);
        rec.deliveriesPerSecond = get(rec.report, ['rate', 'maxSustainedDeliveriesPerSecond'], 0);
        rec.stoppedBy = get(rec.report, ['stoppedBy']);
        runs.push(rec);
      }
      const best = runs.reduce((a, b) => (b.deliveriesPerSecond > a.deliveriesPerSecond ? b : a));
      for (const r of runs) r.best = r === best;
      best.allRuns = runs.map((r) => r.deliveriesPerSecond);
    }
  }

  async idle() {
    const n = this.load.idleUsers;
    const args = ['--users', String(n), '--duration', String(this.load.idleSeconds), '--ramp', String(this.load.idleRamp),
                  '--threads', String(this.load.idleThreads)];
    for (const [label, kind] of [['Shaddock', 'shaddock'], ['Pomelo', 'pomelo']]) {
      const rec = await this.measure('idle', label, kind, {}, 'idle', args);
      rec.connections = get(rec.report, ['peakUsersConnected'], get(rec.report, ['connects', 'ok'], 0));
      rec.bytesPerConnection = rec.connections ? ((rec.rssPeakKiB - rec.rssBeforeKiB) * 1024) / rec.connections : null;
    }
  }

  // Fairness: `floodUsers` well-behaved clients (one echo at a time, 10 ms apart) alone, then with one
  // client flooding tiny notifies as fast as its socket takes them (bench/lib/flooder.js), with the
  // connector's default limits and with its rate limit off (back-pressure alone).
  async flood() {
    const args = ['--users', String(this.load.floodUsers), '--duration', String(this.load.floodSeconds)];
    const seconds = this.load.floodSeconds + 5;
    const flooder = async (h) => {
      // At the lowest priority: a real flooder runs on its own machine, and here it would otherwise
      // take one of the two cores from the server and the load tool.
      const proc = spawn('nice', ['-n', '19', process.execPath, path.join(__dirname, 'lib', 'flooder.js'), String(h.clientPort), String(seconds)],
                         { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      proc.stdout.on('data', (d) => { out += d; });
      const exited = new Promise((resolve) => proc.on('exit', resolve));
      await servers.sleep(500);  // the flood is on before the first well-behaved client arrives
      return {
        stop: async () => {
          proc.kill('SIGTERM');
          await exited;
          try { return JSON.parse(out.trim().split('\n').pop()); } catch (e) { return { error: out }; }
        },
      };
    };
    const variants = [['Shaddock', {}, null], ['Shaddock + 1 flooder', {}, flooder],
                      ['Shaddock + 1 flooder, rateLimit off', { connector: { rateLimit: false } }, flooder]];
    for (const [label, opts, during] of variants) {
      const rec = await this.measure('flood', label, 'shaddock', opts, 'flood', args, during ? { during } : {});
      if (rec.during) rec.flooder = rec.during;
    }
  }

  // The MMO demo: robots playing one scene (lordofpomelo's layout: the ice, 15 spawn points), ramped
  // until success < 99.5 % or move/attack p99 > 200 ms (bench/mmo/mmo_bench.js). The quick run only
  // checks that 10 robots play without a failure.
  async mmo(mode) {
    const mmo = require('./mmo/mmo_bench');
    this.log(`mmo_${mode}: capacity search`);
    const plan = this.opts.quick ? { start: 10, factor: 2, max: 10, duration: 5 } : { start: 500, factor: 2, max: 8000, duration: 20 };
    const r = await mmo.search(mode, Object.assign(plan, { log: (m) => this.log(m.trim()) }));
    this.results.push({ row: 'mmo_' + mode, label: 'Shaddock', maxUsers: r.maxUsers, steps: r.steps });
  }

  // Master + 4 servers (a connector and 3 bench servers), each measured `startupRuns` times.
  async startup() {
    for (const [label, kind] of [['Shaddock', 'shaddock'], ['Pomelo', 'pomelo']]) {
      const runs = [];
      for (let i = 0; i < this.load.startupRuns; i++) {
        this.log(`startup: ${label} (${i + 1}/${this.load.startupRuns})`);
        const h = await servers.startServer(kind, { backends: 3 });
        runs.push({ loggedMs: h.startupMs, wallMs: h.launchMs });
        await h.stop();
      }
      const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
      this.results.push({
        row: 'startup', label, kind, runs,
        loggedMs: median(runs.map((r) => r.loggedMs)),
        wallMs: median(runs.map((r) => r.wallMs)),
      });
    }
  }

  async run() {
    const only = new Set(this.opts.only);
    const needsRobot = ROWS.filter((r) => r !== 'startup').some((r) => only.has(r));
    if (needsRobot && !fs.existsSync(this.robot)) throw new Error(`no load tool at ${this.robot} (build the shaddock-robot target)`);
    if (!servers.pomeloInstalled()) throw new Error('bench/pomelo/node_modules is missing: run tools/dev.sh setup');
    const started = new Date();
    if (only.has('echo_local'))
      await this.echo('echo_local', 'echo_local', [['Shaddock', 'shaddock', {}], ['Pomelo', 'pomelo', {}], ['limit server', 'limit', {}]]);
    if (only.has('echo_forwarded'))
      await this.echo('echo_forwarded', 'echo_forwarded',
                      [['Shaddock', 'shaddock', {}], ['Pomelo', 'pomelo', {}], ['Pomelo + TCP_NODELAY', 'pomelo', { nodelay: true }]]);
    if (only.has('echo_forwarded_single'))
      await this.echo('echo_forwarded_single', 'echo_forwarded',
                      [['Shaddock', 'shaddock', {}], ['Pomelo', 'pomelo', {}], ['Pomelo + TCP_NODELAY', 'pomelo', { nodelay: true }]],
                      1, this.load.singleSeconds);
    if (only.has('echo_forwarded_latency'))
      await this.echo('echo_forwarded_latency', 'echo_forwarded_latency',
                      [['Shaddock', 'shaddock', {}], ['Pomelo', 'pomelo', {}], ['Pomelo + TCP_NODELAY', 'pomelo', { nodelay: true }]],
                      1, this.load.singleSeconds);
    if (only.has('echo_forwarded_nats')) await this.echoOverNats();
    if (only.has('broadcast')) await this.broadcast();
    if (only.has('idle')) await this.idle();
    if (only.has('startup')) await this.startup();
    if (only.has('flood')) await this.flood();
    for (const mode of ['walk', 'fight', 'mixed']) if (only.has('mmo_' + mode)) await this.mmo(mode);

    const info = machine();
    info.started = started.toISOString();
    info.mode = this.opts.quick ? 'quick' : 'full';
    info.loads = this.load;
    const rows = table(this.results, this.load);
    const md = markdown(info, rows, this.results);
    console.log(md);
    fs.mkdirSync(this.opts.out, { recursive: true });
    const base = this.opts.quick ? 'quick' : 'latest';
    fs.writeFileSync(path.join(this.opts.out, base + '.md'), md);
    fs.writeFileSync(path.join(this.opts.out, base + '.json'), JSON.stringify({ machine: info, table: rows, runs: this.results }, null, 1));
    this.log(`wrote ${path.join(this.opts.out, base + '.md')} and ${base}.json`);
    fs.rmSync(this.work, { recursive: true, force: true });
    return rows;
  }
}

if (require.main === module) {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error('bench: ' + e.message);
    process.exit(2);
  }
  if (opts.render) {
    // The figures and machine of a saved run, through today's report code.
    const saved = JSON.parse(fs.readFileSync(opts.render, 'utf8'));
    const rows = table(saved.runs, saved.machine.loads);
    fs.writeFileSync(opts.render.replace(/\.json$/, '') + '.md', markdown(saved.machine, rows, saved.runs));
    fs.writeFileSync(opts.render, JSON.stringify(Object.assign(saved, { table: rows }), null, 1));
    console.log(`wrote ${opts.render.replace(/\.json$/, '')}.md`);
    process.exit(0);
  }
  new Bench(opts).run().then(() => process.exit(0), (e) => {
    console.error('bench: ' + (e && e.stack ? e.stack : e));
    process.exit(1);
  });
}
