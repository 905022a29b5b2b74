'use strict';
// The client SDK against Shaddock's echo app (apps/echo): every transport, the handshake cache,
// protobuf and dictionary routes, timeouts, kicks, a server that dies, restarts or stops answering,
// a stopping Loop, and 1000 clients on one Loop thread.
const test = require('node:test');
const { skipUnless, prepareEcho, startEcho, check, sleep } = require('./lib/servers');
const { requiredEnv } = require('../../tools/node/util');
const { passed } = require('./lib/expect');

requiredEnv('SHADDOCK_CLIENT_CHECK');  // fails at once, naming the variable, when CTest did not set it

test('echo app on a plain port', async (t) => {
  const prepared = await prepareEcho();
  const server = await startEcho(prepared);
  const at = (transport) => ['--port', String(prepared.port), '--transport', transport];
  try {
    for (const transport of ['tcp', 'ws']) {
      await t.test(`flows over ${transport}`, async () => passed(await check('flows', at(transport)), `flows/${transport}`));
      await t.test(`kick over ${transport}`, async () => passed(await check('kick', at(transport)), `kick/${transport}`));
    }
    await t.test('handshake cache', async () => passed(await check('cache', at('tcp')), 'cache'));
    await t.test('request timeout', async () => passed(await check('timeout', at('tcp')), 'timeout'));
    await t.test('a stopping Loop cancels', async () => passed(await check('cancel', at('ws')), 'cancel'));
    await t.test('1000 clients on one Loop thread', async () =>
      passed(await check('many', [...at('tcp'), '--clients', '1000']), 'many'));
  } finally {
    await server.stop();
  }
});

test('echo app on a TLS port', async (t) => {
  const prepared = await prepareEcho({ tls: true });
  const server = await startEcho(prepared);
  try {
    for (const transport of ['tls', 'wss']) {
      await t.test(`flows over ${transport}, certificate verified`, async () =>
        passed(await check('flows', ['--port', String(prepared.port), '--transport', transport, '--ca', prepared.ca]),
          `flows/${transport}`));
    }
    await t.test('cache over wss', async () =>
      passed(await check('cache', ['--port', String(prepared.port), '--transport', 'wss']), 'cache/wss'));
  } finally {
    await server.stop();
  }
});

test('server gone: pending requests fail with disconnected exactly once', async () => {
  const prepared = await prepareEcho();
  const server = await startEcho(prepared);
  try {
    const result = await check('server_gone', ['--port', String(prepared.port)], (line, child) => {
      if (line === 'connected') {
        server.signal('SIGSTOP');  // requests sent now stay unanswered
        child.stdin.write('go\n');
      } else if (line === 'sent') {
        server.signal('SIGKILL');
      }
    });
    passed(result, 'server_gone');
  } finally {
    server.signal('SIGKILL');
    await server.stop();
  }
});

test('reconnect after a server restart', async () => {
  const prepared = await prepareEcho();
  let server = await startEcho(prepared);
  try {
    const result = await check('reconnect', ['--port', String(prepared.port), '--transport', 'ws'], async (line) => {
      if (line !== 'connected') return;
      await server.stop();
      await sleep(700);  // a few failed attempts with backoff first
      server = await startEcho(prepared);
    });
    passed(result, 'reconnect');
  } finally {
    await server.stop();
  }
});

test('heartbeat timeout when the server stops answering', async () => {
  const prepared = await prepareEcho();
  const server = await startEcho(prepared);
  try {
    const result = await check('heartbeat', ['--port', String(prepared.port)], (line, child) => {
      if (!line.startsWith('connected')) return;
      server.signal('SIGSTOP');
      child.stdin.write('go\n');
    });
    server.signal('SIGCONT');
    passed(result, 'heartbeat');
  } finally {
    server.signal('SIGCONT');
    await server.stop();
  }
});
