'use strict';
// Small helpers shared by the Node parts of the project: the benchmark driver (bench/) and the
// integration tests (tests/).
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

// A port nobody listens on right now (the kernel's choice, then released).
// The kernel may hand the same ephemeral port out again right after it was closed: a test that asks
// for several ports before any of them is bound (a cluster's servers.json) would then configure two
// servers on one port. A port given out once is never given out again by this process.
const givenPorts = new Set();

function onePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function freePort() {
  for (let i = 0; i < 100; i++) {
    const port = await onePort();
    if (!givenPorts.has(port)) {
      givenPorts.add(port);
      return port;
    }
  }
  throw new Error('freePort: no fresh port after 100 tries');
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Waits until `cond()` (sync or async) is truthy, polling every `step` ms; throws after `ms` naming
// `what`. For states a loaded machine reaches late, where a fixed sleep would only guess.
async function waitFor(cond, ms, what, step = 20) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(step);
  }
}

// True when the programs under test are built with AddressSanitizer or ThreadSanitizer
// (SHADDOCK_SANITIZERS, set for every test of a sanitizer build): they run several times slower, and
// their RSS measures the sanitizer (ASan keeps freed blocks in a 256 MiB quarantine, TSan's shadow
// grows), so memory bounds are checked in normal builds only; LeakSanitizer checks leaks there.
const SANITIZED = /address|thread/.test(process.env.SHADDOCK_SANITIZERS || '');

// Resolves to true when something accepts a TCP connection on 127.0.0.1:port (closed at once).
function listening(port) {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

// Named checks that go on after a failure: `await checks.run(name, async fn)` prints "ok   name" or
// "FAIL name: stack"; `checks.finish()` prints the counts and exits 1 when any failed.
class Checks {
  constructor() {
    this.passed = 0;
    this.failed = 0;
  }

  async run(name, fn) {
    try {
      await fn();
      this.passed++;
      console.log('ok   ' + name);
    } catch (e) {
      this.fail(name, e);
    }
  }

  // A named verdict: counted and printed, with `detail` shown when it fails.
  check(name, ok, detail) {
    if (ok) {
      this.passed++;
      console.log('ok   ' + name);
      return true;
    }
    this.failed++;
    console.log('FAIL ' + name + (detail !== undefined ? ': ' + (typeof detail === 'string' ? detail : JSON.stringify(detail)) : ''));
    return false;
  }

  fail(name, e) {
    this.failed++;
    console.log('FAIL ' + name + ': ' + (e && e.stack ? e.stack : e));
  }

  finish() {
    console.log(`${this.passed} passed, ${this.failed} failed`);
    process.exit(this.failed ? 1 : 0);
  }
}

// The value of environment variable `name`, which a test's CTest registration sets (shd_add_node_test in
// tests/CMakeLists.txt: SHADDOCK_HOST, SHADDOCK_CLI, SHADDOCK_PLUGINS_DIR, SHADDOCK_APPS_DIR, ...).
// Unset or empty: prints which variable is missing and exits 2 (a failure, never a skip).
function requiredEnv(name) {
  const value = process.env[name];
  if (value) return value;
  console.error(`${name} is not set: run the test through ctest (ctest -R <name>), or set ${name} ` +
    '(the variables are listed at shd_add_node_test in tests/CMakeLists.txt)');
  process.exit(2);
}

// A new folder under the system's temporary folder (named `prefix` + random), removed when the
// process exits with status 0; kept when it fails, with its path printed, since its logs tell why.
const tempDirs = [];
function tempDir(prefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  if (tempDirs.length === 0) {
    process.on('exit', (code) => {
      for (const d of tempDirs) {
        if (code !== 0) {
          if (fs.existsSync(d)) console.error(`kept for inspection: ${d}`);
          continue;
        }
        try {
          fs.rmSync(d, { recursive: true, force: true, maxRetries: 2 });
        } catch (e) {
          console.error(`could not remove ${d}: ${e.message}`);
        }
      }
    });
  }
  tempDirs.push(dir);
  return dir;
}

module.exports = { freePort, sleep, waitFor, SANITIZED, listening, Checks, requiredEnv, tempDir };
