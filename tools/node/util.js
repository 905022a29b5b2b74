'use strict';
// Small helpers shared by the Node parts of the project: the benchmark driver (bench/) and the
// integration tests (tests/).
const net = require('node:net');

// A port nobody listens on right now (the kernel's choice, then released).
function freePort() {
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

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

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

  fail(name, e) {
    this.failed++;
    console.log('FAIL ' + name + ': ' + (e && e.stack ? e.stack : e));
  }

  finish() {
    console.log(`${this.passed} passed, ${this.failed} failed`);
    process.exit(this.failed ? 1 : 0);
  }
}

module.exports = { freePort, sleep, listening, Checks };
