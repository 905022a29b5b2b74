// connector.entryHandler.*: the routes of Shaddock's echo app that the client checks use.
'use strict';

module.exports = function(app) {
  return new Handler(app);
};

var Handler = function(app) {
  this.app = app;
};

// Pushes go through the channel service, which finds sessions by uid: bind one on first use. (Not a
// method: every method of a handler is a client route.)
var pushToSelf = function(app, session, route, msg) {
  var push = function() {
    app.get('channelService').pushMessageByUids(route, msg, [{ uid: session.uid, sid: app.getServerId() }]);
  };
  if (session.uid) return push();
  session.bind('user-' + session.id, function(err) {
    if (err) console.error('bind failed: ' + err);
    else push();
  });
};

Handler.prototype.entry = function(msg, session, next) {
  next(null, { code: 200, msg: 'game server is ok.' });
};

// The request body as it came (Pomelo adds __route__ to it).
Handler.prototype.echo = function(msg, session, next) {
  next(null, withoutRoute(msg));
};

// A notify: pushes its body back on onNote.
Handler.prototype.note = function(msg, session, next) {
  pushToSelf(this.app, session, 'onNote', withoutRoute(msg));
  next();
};

// {route, msg}: pushes msg on route to the caller.
Handler.prototype.push = function(msg, session, next) {
  pushToSelf(this.app, session, msg.route || 'onPush', msg.msg || {});
  next(null, { code: 200 });
};

// Protobuf both ways (clientProtos/serverProtos), plus a protobuf push.
Handler.prototype.proto = function(msg, session, next) {
  pushToSelf(this.app, session, 'onProto', { msg: msg.content, nums: [1, 2, 3] });
  next(null, { code: 200, content: msg.content, n: msg.n || 0, items: [{ name: 'a' }, { name: 'b' }] });
};

// {reason}: answers, then kicks the caller.
Handler.prototype.kickme = function(msg, session, next) {
  var sessionService = this.app.get('sessionService');
  next(null, { code: 200 });
  setTimeout(function() {
    sessionService.kickBySessionId(session.id, msg.reason || 'kick');
  }, 20);
};

Handler.prototype.later = function(msg, session, next) {
  setTimeout(function() {
    next(null, { code: 200, msg: 'later' });
  }, 50);
};

Handler.prototype.fail = function(msg, session, next) {
  next(new Error('failing on purpose'), { x: 1 });
};

var withoutRoute = function(msg) {
  var out = {};
  for (var key in msg) {
    if (key !== '__route__') out[key] = msg[key];
  }
  return out;
};
