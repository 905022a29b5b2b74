'use strict';
// The RPC plugin entry of a test's plugins.json: `rpc` (direct TCP), or, when SHADDOCK_RPC_TRANSPORT
// is "nats", `rpc_nats` over a nats-server started here on first use (tools/node/engines.js, stopped
// when the process exits). Tests of other folders that forward over RPC call rpcEntry() for their
// entry, and CTest runs them once per transport.
const crypto = require('node:crypto');
const engines = require('../../../tools/node/engines.js');

const TRANSPORT = process.env.SHADDOCK_RPC_TRANSPORT === 'nats' ? 'nats' : 'tcp';
const token = 'nats-test-' + crypto.randomBytes(6).toString('hex');
let nats = null;

async function rpcEntry(entry) {
  if (TRANSPORT !== 'nats') return { name: 'rpc', ...entry };
  if (!nats) nats = await engines.start('nats', { token });
  return { ...entry, name: 'rpc_nats', options: { url: nats.url, token, ...(entry.options || {}) } };
}

module.exports = { TRANSPORT, rpcEntry, token };
