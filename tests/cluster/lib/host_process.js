'use strict';
// Helpers the cluster's Node tests share: a shaddock-host process whose output is collected, a wait
// for a line of that output, and process liveness.
const { spawn } = require('child_process');
const fs = require('fs');
const { sleep } = require('../../../tools/node/util.js');

// Starts `host --app-dir dir ...args`; child.output collects stdout and stderr, child.exited resolves
// to {code, signal}.
function startHost(host, dir, args = []) {
  const child = spawn(host, ['--app-dir', dir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.output = '';
  child.stdout.on('data', (d) => { child.output += d; });
  child.stderr.on('data', (d) => { child.output += d; });
  child.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return child;
}

// Waits up to ms for `pattern` in the output written after offset `from`; the match, or null.
async function waitFor(child, pattern, ms, from = 0) {
  const t0 = Date.now();
  for (;;) {
    const m = child.output.slice(from).match(pattern);
    if (m) return m;
    if (Date.now() - t0 > ms) return null;
    await sleep(20);
  }
}

// A zombie counts as dead (a server orphaned by a killed master is reaped by init, maybe late).
function alive(pid) {
  try { process.kill(pid, 0); } catch (e) { return false; }
  try { return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch (e) { return false; }
}

module.exports = { startHost, waitFor, alive };
