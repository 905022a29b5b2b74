'use strict';
// Shared by the Redis plugin tests: a cluster (master, two connectors, an `area` backend) or a lone
// connector running the redis_test app (redis_test_app/) with the status and global_channel plugins
// on a real redis-server (tools/node/engines.js), and a redis-cli to look at the keys.
const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const h = require('../channel/channel_harness');

const PASSWORD = 'redis-test-' + crypto.randomBytes(6).toString('hex');

function redisOptions(redis, extra = {}) {
  return { port: redis.port, password: PASSWORD, commandTimeout: 1000, reconnectMin: 50, reconnectMax: 500, ...extra };
}

// redis-cli against the engine; resolves its output lines.
function cli(redis, ...args) {
  const out = execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', String(redis.port), '-a', PASSWORD,
    '--no-auth-warning', ...args], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.length);
}

async function startCluster(redis, { statusOptions = {}, globalOptions = {} } = {}) {
  const ports = [];
  for (let i = 0; i < 6; i++) ports.push(await h.freePort());
  const dir = h.writeAppDir('shd-redis-', {
    'master.json': { id: 'master-server-1', host: '127.0.0.1', port: ports[0] },
    'servers.json': {
      connector: [
        { id: 'connector-server-1', host: '127.0.0.1', port: ports[1], clientPort: ports[2], frontend: true },
        { id: 'connector-server-2', host: '127.0.0.1', port: ports[3], clientPort: ports[4], frontend: true },
      ],
      area: [{ id: 'area-server-1', host: '127.0.0.1', port: ports[5] }],
    },
    'plugins.json': {
      plugins: [
        { name: 'cluster', serverTypes: '*' },
        { name: 'rpc', serverTypes: ['connector', 'area'], options: { timeout: 5000 } },
        { name: 'server', serverTypes: ['connector', 'area'] },
        { name: 'channel', serverTypes: ['connector', 'area'] },
        { name: 'pomelo_protocol', serverTypes: 'connector' },
        { name: 'connector', serverTypes: 'connector' },
        { name: 'status', serverTypes: ['connector', 'area'], options: redisOptions(redis, statusOptions) },
        { name: 'global_channel', serverTypes: ['connector', 'area'], options: redisOptions(redis, globalOptions) },
      ],
      app: { name: 'redis_test', serverTypes: ['connector', 'area'] },
    },
  });
  const cluster = await h.startHost(dir, /all servers startup in/, { ms: 60000 });
  cluster.clientPorts = { 'connector-server-1': ports[2], 'connector-server-2': ports[4] };
  return cluster;
}

// One connector, no cluster: status and global_channel with `options` (a test of bad settings).
async function startLone(options, { ready = /is running with/, mayExit = false, env } = {}) {
  const clientPort = await h.freePort();
  const dir = h.writeAppDir('shd-redis-lone-', {
    'servers.json': { connector: [{ id: 'connector-server-1', host: '127.0.0.1', clientPort, frontend: true }] },
    'plugins.json': {
      plugins: [
        { name: 'server', serverTypes: 'connector' },
        { name: 'channel', serverTypes: 'connector' },
        { name: 'pomelo_protocol', serverTypes: 'connector' },
        { name: 'connector', serverTypes: 'connector' },
        { name: 'status', serverTypes: 'connector', options },
        { name: 'global_channel', serverTypes: 'connector', options },
      ],
      app: { name: 'redis_test', serverTypes: 'connector' },
    },
  });
  const saved = process.env.NODE_ENV;
  if (env) process.env.NODE_ENV = env;
  try {
    const lone = await h.startHost(dir, ready, { mayExit });
    lone.clientPort = clientPort;
    return lone;
  } finally {
    if (env) { if (saved === undefined) delete process.env.NODE_ENV; else process.env.NODE_ENV = saved; }
  }
}

// A request that must be answered within `ms` (a hang fails the test instead of stalling it).
function within(promise, ms, what) {
  return Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms))]);
}

module.exports = { ...h, PASSWORD, redisOptions, cli, startCluster, startLone, within };
