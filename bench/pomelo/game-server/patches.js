// Two run-time patches of Pomelo 2.2.7's modules, applied before the app starts.
'use strict';
var net = require('net');

// Node 20 rejects hybrid/tcpsocket's write(buf, {binary: true}, cb): a non-string encoding throws
// ERR_UNKNOWN_ENCODING, so raw TCP clients never get their handshake reply. Dropping the bogus
// encoding argument is the whole fix (WebSocket clients never pass here).
exports.fixTcpWriteOnModernNode = function() {
  var TcpSocket = require('pomelo/lib/connectors/hybrid/tcpsocket');
  TcpSocket.prototype.send = function(msg, encode, cb) {
    if (typeof encode === 'function') {
      cb = encode;
      encode = undefined;
    }
    if (typeof encode === 'string') this._socket.write(msg, encode, cb);
    else this._socket.write(msg, cb);
  };
};

// pomelo-rpc 1.0.7's MQTT mailbox (client) and acceptor (server) never call setNoDelay, so a small
// request waits for Nagle's algorithm while the peer delays its ACK: 40 ms or more per call at low
// load. This sets TCP_NODELAY on both ends of every RPC connection.
exports.rpcNoDelay = function() {
  var mailboxes = require('pomelo-rpc/lib/rpc-client/mailboxes/mqtt-mailbox');
  var createMailbox = mailboxes.create;
  mailboxes.create = function() {
    var mailbox = createMailbox.apply(this, arguments);
    var connect = mailbox.connect;
    mailbox.connect = function() {
      var result = connect.apply(this, arguments);
      if (this.socket && this.socket.stream instanceof net.Socket) this.socket.stream.setNoDelay(true);
      return result;
    };
    return mailbox;
  };

  var acceptors = require('pomelo-rpc/lib/rpc-server/acceptors/mqtt-acceptor');
  var createAcceptor = acceptors.create;
  acceptors.create = function() {
    var acceptor = createAcceptor.apply(this, arguments);
    var listen = acceptor.listen;
    acceptor.listen = function() {
      var result = listen.apply(this, arguments);
      if (this.server) this.server.on('connection', function(stream) { stream.setNoDelay(true); });
      return result;
    };
    return acceptor;
  };
};
