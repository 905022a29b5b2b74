// bench.benchHandler.*: requests the connector forwards to a bench server over RPC.
'use strict';

module.exports = function(app) {
  return new Handler(app);
};

var Handler = function(app) {
  this.app = app;
  this.channelService = app.get('channelService');
};

Handler.prototype.echo = function(msg, session, next) {
  next(null, withoutRoute(msg));
};

// Pushes onSay with the request body to everyone in the sender's room.
Handler.prototype.say = function(msg, session, next) {
  var channel = this.channelService.getChannel(session.get('rid'), false);
  if (!channel) {
    next(null, { code: 500 });
    return;
  }
  channel.pushMessage('onSay', withoutRoute(msg));
  next(null, { code: 200 });
};

var withoutRoute = function(msg) {
  var out = {};
  for (var key in msg) {
    if (key !== '__route__') out[key] = msg[key];
  }
  return out;
};
