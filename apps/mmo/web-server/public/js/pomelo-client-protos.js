// Client-side protobuf for the shared browser Pomelo client (js/pomelo-client.js, the chat demo's,
// served here unchanged): the chat needs no client protos, while this game's server declares one
// (area.fightHandler.attack {targetId}) and decodes that route's body as pomelo-protobuf. This layer
// keeps the handshake's client schemas and encodes the bodies of those routes the way pomelo-protobuf
// does (fields in message order, tag << 3 | wire type, zigzag signed ints, packed repeated numbers
// with an element count); every other route still goes out as JSON through the client's own send().
(function () {
  'use strict';
  var Client = window.PomeloClient, enc = new TextEncoder();
  var WIRE = { uInt32: 0, sInt32: 0, int32: 0, double: 1, string: 2, float: 5 };
  var SIMPLE = ['uInt32', 'sInt32', 'int32', 'double', 'float', 'string'];

  function varint(out, v) {
    v = Math.max(0, Math.floor(Number(v) || 0));
    do { var b = v % 128; v = Math.floor(v / 128); out.push(v ? b | 0x80 : b); } while (v);
  }
  function value(out, type, v, schema, all) {
    if (type === 'uInt32') varint(out, v);
    else if (type === 'int32' || type === 'sInt32') { v = Math.floor(Number(v) || 0); varint(out, v < 0 ? -v * 2 - 1 : v * 2); }
    else if (type === 'float' || type === 'double') {
      var b = new Uint8Array(type === 'float' ? 4 : 8), dv = new DataView(b.buffer);
      if (type === 'float') dv.setFloat32(0, Number(v) || 0, true); else dv.setFloat64(0, Number(v) || 0, true);
      for (var i = 0; i < b.length; i++) out.push(b[i]);
    } else if (type === 'string') { var s = enc.encode(String(v)); varint(out, s.length); for (var j = 0; j < s.length; j++) out.push(s[j]); }
    else {
      var sub = (schema.__messages && schema.__messages[type]) || all['message ' + type], inner = [];
      if (sub) message(inner, sub, v || {}, all);
      varint(out, inner.length); for (var k = 0; k < inner.length; k++) out.push(inner[k]);
    }
  }
  function message(out, schema, msg, all) {
    for (var name in msg) {
      var spec = schema[name];
      if (!spec || name.indexOf('__') === 0 || msg[name] === undefined || msg[name] === null) continue;
      var wire = WIRE[spec.type] === undefined ? 2 : WIRE[spec.type];
      if (spec.option === 'repeated') {
        var list = Array.isArray(msg[name]) ? msg[name] : [];
        if (!list.length) continue;
        if (SIMPLE.indexOf(spec.type) >= 0) {
          varint(out, (spec.tag << 3) | wire); varint(out, list.length);
          list.forEach(function (x) { value(out, spec.type, x, schema, all); });
        } else list.forEach(function (x) { varint(out, (spec.tag << 3) | wire); value(out, spec.type, x, schema, all); });
      } else { varint(out, (spec.tag << 3) | wire); value(out, spec.type, msg[name], schema, all); }
    }
  }

  var onHandshake = Client.prototype.onHandshake;
  Client.prototype.onHandshake = function (reply, initCb) {
    this.clientProtos = (reply && reply.sys && reply.sys.protos && reply.sys.protos.client) || {};
    return onHandshake.call(this, reply, initCb);
  };

  var send = Client.prototype.send;
  Client.prototype.send = function (id, route, msg) {
    var schema = this.clientProtos && this.clientProtos[route];
    if (!schema) return send.call(this, id, route, msg);
    var code = this.dict[route], head = [((id ? 0 : 1) << 1) | (code ? 1 : 0)];
    if (id) varint(head, id);
    if (code) head.push((code >> 8) & 0xff, code & 0xff);
    else { var r = enc.encode(route); head.push(r.length); for (var i = 0; i < r.length; i++) head.push(r[i]); }
    message(head, schema, msg || {}, this.clientProtos);
    var n = head.length, pkg = new Uint8Array(4 + n);
    pkg[0] = 4; pkg[1] = (n >> 16) & 0xff; pkg[2] = (n >> 8) & 0xff; pkg[3] = n & 0xff;
    pkg.set(head, 4);
    this.ws.send(pkg);
  };
})();
