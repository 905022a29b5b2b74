'use strict';
// Helpers of the robot integration tests: the binary, temp files, running it to its exit.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const util = require('../../tools/node/util');

const { freePort, requiredEnv } = util;

const REPO = path.resolve(__dirname, '..', '..');

function robotBinary() {
  return requiredEnv('SHADDOCK_ROBOT');
}

// A folder for one test's files, removed when the test passes (tools/node/util.js).
function tempDir() {
  return util.tempDir('shd-robot-');
}

// Runs shaddock-robot with args; resolves to {code, stdout, stderr}. Killed after ms.
function runRobot(args, ms = 60000) {
  return new Promise((resolve) => {
    const proc = spawn(robotBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d) => { stdout += d; });
    proc.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => proc.kill('SIGKILL'), ms);
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

// Starts an agent on a free port and resolves once it listens.
async function startAgent() {
  const port = await freePort();
  const proc = spawn(robotBinary(), ['agent', '--listen', `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout.on('data', (d) => { output += d; });
  proc.stderr.on('data', (d) => { output += d; });
  const deadline = Date.now() + 10000;
  while (!output.includes('listening on')) {
    if (proc.exitCode !== null) throw new Error(`agent exited: ${output}`);
    if (Date.now() > deadline) throw new Error(`agent did not listen: ${output}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    port, proc,
    get output() { return output; },
    stop() {
      proc.kill('SIGTERM');
      return new Promise((r) => (proc.exitCode !== null ? r(proc.exitCode) : proc.on('exit', r)));
    },
  };
}

function writeScenario(dir, name, scenario) {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(scenario, null, 2));
  return file;
}

// Percentiles must rise with the quantile and stay within min..max.
function assertOrdered(assert, lat, what) {
  const keys = ['min', 'p50', 'p90', 'p99', 'p999', 'max'];
  for (let i = 1; i < keys.length; i++) {
    assert.ok(lat[keys[i - 1]] <= lat[keys[i]], `${what}: ${keys[i - 1]} ${lat[keys[i - 1]]} > ${keys[i]} ${lat[keys[i]]}`);
  }
}

module.exports = { REPO, robotBinary, tempDir, freePort, runRobot, startAgent, writeScenario, assertOrdered };
