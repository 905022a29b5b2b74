// The Pomelo 2.2.7 side of the benchmarks: the same routes and topology as Shaddock's apps/bench,
// written as a Pomelo user would. Started like `pomelo start` does it: `node app.js [env=...]`; the
// master spawns connector-server-1 and bench-server-1 with `node app.js id=... serverType=...`.
//
// Environment:
//   BENCH_BASE=DIR     use DIR/config instead of ./config (tests and the benchmark driver write one with
//                      free ports); DIR/app is linked to this app's handlers and remotes
//   BENCH_NODELAY=1    TCP_NODELAY on every RPC socket (see patches.js and docs/bench.md)
'use strict';
var fs = require('fs');
var path = require('path');
var crc = require('crc');
var pomelo = require('pomelo');
var patches = require('./patches');

patches.fixTcpWriteOnModernNode();
if (process.env.BENCH_NODELAY === '1') patches.rpcNoDelay();

var base = __dirname;
if (process.env.BENCH_BASE) {
  base = path.resolve(process.env.BENCH_BASE);
  var link = path.join(base, 'app');
  if (!fs.existsSync(link)) {
    try {
      fs.symlinkSync(path.join(__dirname, 'app'), link, 'dir');
    } catch (e) {
      // The master and its children start at once; another one may have made the link first.
      if (e.code !== 'EEXIST') throw e;
    }
  }
}

var app = pomelo.createApp({ base: base });
app.set('name', 'bench');

app.configure('production|development', 'connector', function() {
  app.set('connectorConfig', {
    connector: pomelo.connectors.hybridconnector,
    heartbeat: 10
  });
});

// A room lives on the bench server chosen by crc32 of its id (chatofpomelo's routeUtil.chat): joins
// (routed by the session passed to app.rpc) and forwarded say requests (routed by the client's session)
// land on the same server.
app.route('bench', function(session, msg, app, cb) {
  var servers = app.getServersByType('bench');
  if (!servers || servers.length === 0) {
    cb(new Error('can not find bench servers.'));
    return;
  }
  var rid = session.get('rid') || '';
  var index = Math.abs(crc.crc32(rid)) % servers.length;
  cb(null, servers[index].id);
});

app.start();

process.on('uncaughtException', function(err) {
  console.error(' Caught exception: ' + err.stack);
});

