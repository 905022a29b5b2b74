'use strict';
// The client SDK against a scripted hostile server (fake_server.js): oversized lengths, unknown
// package types, garbage and deeply nested JSON, malformed dictionaries and protos, bad messages.
// Each must end in a clear error and a closed connection, never a crash. The same fake checks the
// client's own bytes (compressed routes, protobuf bodies) with the npm decoders, and hosts the
// checks of the client's lifetime rule.
const test = require('node:test');
const path = require('node:path');
const { skipUnless, Server, check } = require('./lib/servers');
const { requiredEnv } = require('../../tools/node/util');
const { passed } = require('./lib/expect');

requiredEnv('SHADDOCK_CLIENT_CHECK');  // fails at once, naming the variable, when CTest did not set it

test('hostile server bytes', async () => {
  const fake = new Server(process.execPath, [path.join(__dirname, 'fake_server.js')], {}, 0);
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`fake server did not start:\n${fake.output}`)), 10000);
    fake.proc.stdout.on('data', () => {
      const m = /listening (\d+)/.exec(fake.output);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
  });
  try {
    passed(await check('hostile', ['--port', String(port)]), 'hostile');
    // The lifetime rule: nothing runs after disconnect() or ~Client() returns (from another thread,
    // from inside a callback); requests stay pending on the fake's "noread" connections.
    passed(await check('lifetime', ['--port', String(port)]), 'lifetime');
  } finally {
    await fake.stop();
  }
});
