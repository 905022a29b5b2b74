'use strict';
// The client SDK against real Pomelo 2.2.7 from npm (pomelo_app/): the same checks as against
// Shaddock, over raw TCP and WebSocket on Pomelo's hybridconnector.
const fs = require('node:fs');
const path = require('node:path');
const test = require('node:test');
const { skipUnless, startPomelo, check, POMELO_MODULES } = require('./lib/servers');
const { requiredEnv } = require('../../tools/node/util');
const { passed } = require('./lib/expect');

requiredEnv('SHADDOCK_CLIENT_CHECK');  // fails at once, naming the variable, when CTest did not set it
skipUnless(fs.existsSync(path.join(POMELO_MODULES, 'pomelo')), `${POMELO_MODULES}/pomelo is missing (npm ci in bench/pomelo)`);

test('Pomelo 2.2.7 hybridconnector', async (t) => {
  const server = await startPomelo();
  const at = (transport) => ['--port', String(server.port), '--transport', transport];
  try {
    for (const transport of ['tcp', 'ws']) {
      await t.test(`flows over ${transport}`, async () => passed(await check('flows', at(transport)), `pomelo flows/${transport}`));
      await t.test(`handshake cache over ${transport}`, async () => passed(await check('cache', at(transport)), `pomelo cache/${transport}`));
      await t.test(`kick over ${transport}`, async () => passed(await check('kick', at(transport)), `pomelo kick/${transport}`));
    }
    await t.test('request timeout', async () => passed(await check('timeout', at('tcp')), 'pomelo timeout'));
  } finally {
    await server.stop();
  }
});
