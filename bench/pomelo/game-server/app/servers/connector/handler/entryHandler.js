// connector.entryHandler.*: the connector-local echo, and joining a room held on a bench server.
'use strict';

module.exports = function(app) {
  return new Handler(app);
};

var Handler = function(app) {
  this.app = app;
};

// The request body, as it came (Pomelo adds __route__ to it).
Handler.prototype.echo = function(msg, session, next) {
  next(null, withoutRoute(msg));
};

// {uid, rid}: binds uid to the session and adds it to channel rid (default "room") on the bench server
// (chatofpomelo's entryHandler.enter); a uid that is bound already gets {code: 500}.
Handler.prototype.join = function(msg, session, next) {
  var self = this;
  var uid = msg.uid;
  var rid = msg.rid || 'room';
  var sessionService = self.app.get('sessionService');
  if (typeof uid !== 'string' || uid === '' || !!sessionService.getByUid(uid)) {
    next(null, { code: 500 });
    return;
  }
  session.bind(uid);
  session.set('rid', rid);
  session.push('rid', function(err) {
    if (err) console.error('set rid for session service failed! error is : %j', err.stack);
  });
  session.on('closed', onUserLeave.bind(null, self.app));
  self.app.rpc.bench.benchRemote.add(session, uid, self.app.get('serverId'), rid, function(err) {
    next(null, { code: err ? 500 : 200 });
  });
};

var onUserLeave = function(app, session) {
  if (!session || !session.uid) return;
  app.rpc.bench.benchRemote.leave(session, session.uid, app.get('serverId'), session.get('rid'), function() {});
};

var withoutRoute = function(msg) {
  var out = {};
  for (var key in msg) {
    if (key !== '__route__') out[key] = msg[key];
  }
  return out;
};

