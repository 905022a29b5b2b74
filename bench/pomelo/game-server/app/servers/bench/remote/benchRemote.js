// app.rpc.bench.benchRemote.*: room membership, kept in channels on the bench server.
'use strict';

module.exports = function(app) {
  return new BenchRemote(app);
};

var BenchRemote = function(app) {
  this.app = app;
  this.channelService = app.get('channelService');
};

// A uid still in the room (its leave has not happened) is an error, as for Shaddock's channel.add.
BenchRemote.prototype.add = function(uid, sid, rid, cb) {
  var added = this.channelService.getChannel(rid, true).add(uid, sid);
  cb(added ? null : { code: 500, message: uid + ' is in room ' + rid + ' already' });
};

BenchRemote.prototype.leave = function(uid, sid, rid, cb) {
  var channel = this.channelService.getChannel(rid, false);
  if (channel) {
    channel.leave(uid, sid);
    if (channel.getUserAmount() === 0) this.channelService.destroyChannel(rid);
  }
  cb(null);
};
