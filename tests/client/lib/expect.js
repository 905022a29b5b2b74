'use strict';
// Assertions on a client_check run.
const assert = require('node:assert');

function passed(result, what) {
  assert.strictEqual(result.code, 0, `${what} failed (exit ${result.code}, signal ${result.signal}):\n` +
    `--- stdout\n${result.stdout}--- stderr\n${result.stderr}`);
  assert.match(result.stdout, /^PASS /m, `${what}: no PASS line`);
  process.stdout.write(result.stdout.split('\n').filter((l) => l && !l.startsWith('PASS')).map((l) => `# ${what}: ${l}\n`).join(''));
}

module.exports = { passed };
