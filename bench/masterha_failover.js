#!/usr/bin/env node
// Master failover time (docs/bench.md, "Master failover"): the chat demo with the masterha plugin
// against a local ZooKeeper (tools/node/engines.js), the master of master.json and two standbys, and
// users chatting (a broadcast every 200 ms each). Each run kills the active master with SIGKILL and
// measures, from the kill:
//   - first answer: the first `list` answered ok by another master (the admin port is back);
//   - complete: the first `list` in which every server is running and registered again (adopted);
//   - the users' chat: requests sent during the run, answered, failed, and the slowest answer.
// The killed master is started again as a standby before the next run. A chat request counts in the
// run it was sent in (from the kill to 2 s after the takeover); its answer may come later.
//
//   node bench/masterha_failover.js [--runs N] [--timeout MS] [--json FILE]
//
//   --runs N       failovers (default 5)
//   --timeout MS   the plugin's ZooKeeper session timeout (default 5000, the plugin's default)
// Environment: SHADDOCK_BUILD_DIR (default <repo>/build); the npm packages of tests/interop (npm ci).
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const engines = require('../tools/node/engines.js');
const { sleep } = require('../tools/node/util.js');
const ha = require('../tests/masterha/ha_cluster.js');

const BUILD = process.env.SHADDOCK_BUILD_DIR || path.join(__dirname, '..', 'build');
process.env.SHADDOCK_PLUGINS_DIR = process.env.SHADDOCK_PLUGINS_DIR || path.join(BUILD, 'plugins');
process.env.SHADDOCK_APPS_DIR = process.env.SHADDOCK_APPS_DIR || path.join(BUILD, 'apps');
process.env.SHADDOCK_HOST = process.env.SHADDOCK_HOST || path.join(BUILD, 'bin', 'shaddock-host');
const HOST = process.env.SHADDOCK_HOST;
const CLI = process.env.SHADDOCK_CLI || path.join(BUILD, 'bin', 'shaddock');

function args(argv) {
  const o = { runs: 5, timeout: 5000, json: null };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runs') o.runs = Number(argv[++i]);
    else if (argv[i] === '--timeout') o.timeout = Number(argv[++i]);
    else if (argv[i] === '--json') o.json = argv[++i];
    else throw new Error(`unknown argument ${argv[i]} (--runs N, --timeout MS, --json FILE)`);
  }
  return o;
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

async function main() {
  const o = args(process.argv.slice(2));
  const client = require('../tests/connector/lib/pomelo_js_client');
  const zk = await engines.start('zookeeper');
  const app = await ha.makeApp({ zk: zk.url, username: 'bench', password: 'bench-digest', timeout: o.timeout, path: '/bench/master' });
  const count = ha.countServers(app.servers);
  const procs = {};  // master id -> pid
  const primary = ha.startHost(HOST, app.dir);
  procs[app.masters[0].id] = primary.pid;
  let serverPids = {};
  const results = [];
  let chat = null;
  try {
    const up = await ha.waitActive([app.masters[0]], count, 60000);
    if (!up) throw new Error('the cluster did not start:\n' + primary.output.slice(-2000));
    serverPids = ha.pidsOf(up.answer);
    const started = ha.masterhaCommand(CLI, app.dir);
    Object.assign(procs, ha.standbyPids(started.out));
    await sleep(1500);
    chat = await ha.chatUsers(app.gatePort, ['ann', 'bob', 'cyd', 'dan'], client);
    chat.chat(200);
    let active = up.master;
    for (let run = 1; run <= o.runs; ++run) {
      await sleep(2000);
      chat.tag = 'run' + run;  // the requests sent from here to 2 s after the takeover
      const others = app.masters.filter((m) => m !== active);
      const t0 = Date.now();
      process.kill(procs[active.id], 'SIGKILL');
      let first = null, complete = null, next = null;
      while (Date.now() - t0 < 60000 && complete === null) {
        for (const m of others) {
          const a = await ha.list(m.port);
          if (a && a.ok && first === null) first = Date.now() - t0;
          if (ha.allRegistered(a, count)) { complete = Date.now() - t0; next = m; break; }
        }
        if (complete === null) await sleep(20);
      }
      if (complete === null) throw new Error(`run ${run}: no master took over within 60 s`);
      await sleep(2000);
      chat.tag = 'between';
      await sleep(1000);  // the last answers of the window
      const { sent, answered, errors, slowestMs: worst } = chat.byTag['run' + run];
      const sameServers = JSON.stringify(ha.pidsOf((await ha.list(next.port)))) === JSON.stringify(serverPids);
      const r = { run, killed: active.id, newMaster: next.id, firstAnswerMs: first, completeMs: complete, chatSent: sent,
        chatAnswered: answered, chatErrors: errors, slowestChatMs: worst, sameServerPids: sameServers };
      results.push(r);
      console.log(JSON.stringify(r));
      // The killed master comes back as a standby.
      const back = ha.startHost(HOST, app.dir, ['--server-id', active.id]);
      procs[active.id] = back.pid;
      const t1 = Date.now();
      while (!/standby: waiting for/.test(back.output) && Date.now() - t1 < 15000) await sleep(50);
      active = next;
    }
  } finally {
    if (chat) { await chat.stop(); chat.close(); }
    for (const pid of Object.values(procs)) { try { process.kill(pid, 'SIGKILL'); } catch (e) { /* gone */ } }
    for (const pid of Object.values(serverPids)) { try { process.kill(pid, 'SIGKILL'); } catch (e) { /* gone */ } }
    await engines.closeAll();
  }
  const summary = {
    sessionTimeoutMs: o.timeout, runs: results.length,
    firstAnswerMs: { median: median(results.map((r) => r.firstAnswerMs)), min: Math.min(...results.map((r) => r.firstAnswerMs)), max: Math.max(...results.map((r) => r.firstAnswerMs)) },
    completeMs: { median: median(results.map((r) => r.completeMs)), min: Math.min(...results.map((r) => r.completeMs)), max: Math.max(...results.map((r) => r.completeMs)) },
    chat: { sent: results.reduce((n, r) => n + r.chatSent, 0), answered: results.reduce((n, r) => n + r.chatAnswered, 0),
      errors: results.reduce((n, r) => n + r.chatErrors, 0), slowestMs: Math.max(...results.map((r) => r.slowestChatMs)) },
    serversKept: results.every((r) => r.sameServerPids),
  };
  console.log(`master failover, session timeout ${o.timeout} ms, ${results.length} runs: first admin answer ` +
              `${summary.firstAnswerMs.median} ms median (${summary.firstAnswerMs.min}-${summary.firstAnswerMs.max}), every server ` +
              `registered ${summary.completeMs.median} ms median (${summary.completeMs.min}-${summary.completeMs.max}); chat ` +
              `${summary.chat.answered}/${summary.chat.sent} answered, ${summary.chat.errors} errors, slowest ${summary.chat.slowestMs} ms; ` +
              `servers kept: ${summary.serversKept}`);
  if (o.json) fs.writeFileSync(o.json, JSON.stringify({ summary, results }, null, 2) + '\n');
}

main().then(() => process.exit(0), (e) => { console.error(e.stack || e); process.exit(1); });
