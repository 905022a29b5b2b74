// A small Pomelo 2.2.7 app (the npm package, unmodified) for the client SDK's interop tests: one
// hybridconnector (raw TCP and WebSocket on one port) with heartbeats, the route dictionary and
// protobuf, and the same connector.entryHandler routes as Shaddock's echo app.
//
// The test copies this folder to a temporary directory, writes config/master.json and
// config/servers.json with free ports there, and starts `node app.js` with NODE_PATH pointing at
// bench/pomelo/node_modules; the master spawns connector-server-1 the same way.
'use strict';
var pomelo = require('pomelo');

// Pomelo 2.2.7's raw TCP socket passes {binary: true} as the encoding of net.Socket#write, which
// Node 20 rejects (ERR_UNKNOWN_ENCODING), so raw TCP clients would never get a handshake reply.
// Writing without that argument is what older Node did with it.
var TcpSocket = require('pomelo/lib/connectors/hybrid/tcpsocket');
TcpSocket.prototype.send = function(msg, encode, cb) {
  if (typeof encode === 'function') cb = encode;
  this._socket.write(msg, cb);
};

var app = pomelo.createApp();
app.set('name', 'client-interop');

app.configure('development', 'connector', function() {
  app.set('connectorConfig', {
    connector: pomelo.connectors.hybridconnector,
    heartbeat: 3,
    useDict: true,
    useProtobuf: true
  });
});

app.start();

process.on('uncaughtException', function(err) {
  console.error('uncaught exception: ' + err.stack);
});
