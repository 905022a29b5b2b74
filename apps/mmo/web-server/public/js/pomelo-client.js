// A Pomelo-protocol WebSocket client for browsers, written for the Shaddock chat demo.
// Speaks the protocol of Pomelo 2.2.7 (docs/protocol.md): packages, handshake, heartbeats, requests,
// notifies, pushes, dictionary-coded routes and pomelo-protobuf bodies from the handshake's schemas.
// API (like pomelo-jsclient-websocket): init({host, port}, cb), request(route, msg, cb),
// notify(route, msg), on(route, fn), disconnect().
(function (global) {
  'use strict';
  var PKG = { HANDSHAKE: 1, ACK: 2, HEARTBEAT: 3, DATA: 4, KICK: 5 };
  var MSG = { REQUEST: 0, NOTIFY: 1, RESPONSE: 2, PUSH: 3 };
  var enc = new TextEncoder(), dec = new TextDecoder();

  function pkg(type, body) {
    body = body || new Uint8Array(0);
    var out = new Uint8Array(4 + body.length);
    out[0] = type; out[1] = (body.length >> 16) & 0xff; out[2] = (body.length >> 8) & 0xff; out[3] = body.length & 0xff;
    out.set(body, 4);
    return out;
  }

  function Client() {
    this.handlers = {}; this.callbacks = {}; this.routes = {}; this.reqId = 0;
    this.dict = {}; this.abbrs = {}; this.protos = {};
  }
  Client.prototype.on = function (route, fn) { (this.handlers[route] = this.handlers[route] || []).push(fn); };
  Client.prototype.emit = function (route, data) {
    (this.handlers[route] || []).slice().forEach(function (fn) { fn(data); });
  };

  Client.prototype.init = function (params, cb) {
    var self = this;
    var ws = this.ws = new WebSocket('ws://' + params.host + ':' + params.port + '/');
    ws.binaryType = 'arraybuffer';
    ws.onopen = function () {
      var hs = { sys: { type: 'js-websocket', version: '0.0.1' }, user: params.user || {} };
      ws.send(pkg(PKG.HANDSHAKE, enc.encode(JSON.stringify(hs))));
    };
    ws.onmessage = function (event) { self.onBytes(new Uint8Array(event.data), cb); };
    ws.onerror = function (e) { self.emit('io-error', e); };
    ws.onclose = function () { clearTimeout(self.hbTimer); self.emit('close'); self.emit('disconnect'); };
  };

  // Several packages may share one WebSocket message.
  Client.prototype.onBytes = function (bytes, initCb) {
    for (var off = 0; off + 4 <= bytes.length;) {
      var type = bytes[off], len = (bytes[off + 1] << 16) | (bytes[off + 2] << 8) | bytes[off + 3];
      var body = bytes.subarray(off + 4, off + 4 + len);
      off += 4 + len;
      if (type === PKG.HANDSHAKE) this.onHandshake(JSON.parse(dec.decode(body)), initCb);
      else if (type === PKG.HEARTBEAT) this.onHeartbeat();
      else if (type === PKG.DATA) this.onData(body);
      else if (type === PKG.KICK) this.emit('onKick', JSON.parse(dec.decode(body)));
    }
  };

  Client.prototype.onHandshake = function (reply, initCb) {
    if (reply.code !== 200) { this.emit('error', reply.code === 501 ? 'client version not fullfill' : 'handshake fail'); return; }
    var sys = reply.sys || {};
    this.heartbeat = (sys.heartbeat || 0) * 1000;
    if (sys.dict) { this.dict = sys.dict; for (var r in sys.dict) this.abbrs[sys.dict[r]] = r; }
    if (sys.protos) this.protos = sys.protos.server || {};
    this.ws.send(pkg(PKG.ACK));
    if (initCb) initCb(this);
  };

  Client.prototype.onHeartbeat = function () {
    var self = this;
    if (!this.heartbeat || this.hbTimer) return;
    this.hbTimer = setTimeout(function () {
      self.hbTimer = null;
      if (self.ws.readyState === 1) self.ws.send(pkg(PKG.HEARTBEAT));
    }, this.heartbeat);
  };

  function readVarint(bytes, pos) {
    var value = 0, shift = 0, b;
    do { b = bytes[pos.i++]; value += (b & 0x7f) * Math.pow(2, shift); shift += 7; } while (b & 0x80);
    return value;
  }

  Client.prototype.onData = function (bytes) {
    var pos = { i: 1 }, flag = bytes[0], type = (flag >> 1) & 7, id = 0, route;
    if (type === MSG.RESPONSE) id = readVarint(bytes, pos);
    if (type === MSG.PUSH) {
      if (flag & 1) { route = this.abbrs[(bytes[pos.i] << 8) | bytes[pos.i + 1]]; pos.i += 2; }
      else { var n = bytes[pos.i++]; route = dec.decode(bytes.subarray(pos.i, pos.i + n)); pos.i += n; }
    } else {
      route = this.routes[id]; delete this.routes[id];
    }
    var payload = bytes.subarray(pos.i);
    var body = this.protos[route] ? decodeProto(this.protos, this.protos[route], payload)
                                  : JSON.parse(dec.decode(payload) || '{}');
    if (type === MSG.RESPONSE) { var cb = this.callbacks[id]; delete this.callbacks[id]; if (cb) cb(body); }
    else this.emit(route, body);
  };

  // pomelo-protobuf decoding with the parsed schema from the handshake (wire types are ignored,
  // repeated numbers carry an element count).
  function decodeProto(all, schema, bytes) {
    var pos = { i: 0 }, view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    function one(type, msgSchema) {
      switch (type) {
        case 'uInt32': return readVarint(bytes, pos);
        case 'int32': case 'sInt32': var z = readVarint(bytes, pos); return z % 2 ? -(z + 1) / 2 : z / 2;
        case 'float': var f = view.getFloat32(pos.i, true); pos.i += 4; return f;
        case 'double': var d = view.getFloat64(pos.i, true); pos.i += 8; return d;
        case 'string': var n = readVarint(bytes, pos), s = dec.decode(bytes.subarray(pos.i, pos.i + n)); pos.i += n; return s;
        default:
          var sub = (msgSchema.__messages && msgSchema.__messages[type]) || all['message ' + type];
          var len = readVarint(bytes, pos), inner = decodeProto(all, sub, bytes.subarray(pos.i, pos.i + len));
          pos.i += len; return inner;
      }
    }
    var out = {}, byTag = {};
    for (var name in schema) if (name.indexOf('__') !== 0) byTag[schema[name].tag] = name;
    while (pos.i < bytes.length) {
      var field = byTag[readVarint(bytes, pos) >> 3], spec = schema[field];
      if (!spec) throw new Error('unknown tag');
      if (spec.option === 'repeated') {
        out[field] = out[field] || [];
        var numeric = ['uInt32', 'int32', 'sInt32', 'float', 'double'].indexOf(spec.type) >= 0;
        if (numeric) { for (var k = readVarint(bytes, pos); k > 0; k--) out[field].push(one(spec.type, schema)); }
        else out[field].push(one(spec.type, schema));
      } else out[field] = one(spec.type, schema);
    }
    return out;
  }

  Client.prototype.send = function (id, route, msg) {
    var type = id ? MSG.REQUEST : MSG.NOTIFY, code = this.dict[route];
    var head = [(type << 1) | (code ? 1 : 0)];
    for (var v = id; id && true;) { var b = v % 128; v = Math.floor(v / 128); head.push(v ? b | 0x80 : b); if (!v) break; }
    var r = enc.encode(route);
    if (code) head.push((code >> 8) & 0xff, code & 0xff);
    else { head.push(r.length); head = head.concat(Array.prototype.slice.call(r)); }
    var body = enc.encode(JSON.stringify(msg || {}));
    var m = new Uint8Array(head.length + body.length);
    m.set(head, 0); m.set(body, head.length);
    this.ws.send(pkg(PKG.DATA, m));
  };
  Client.prototype.request = function (route, msg, cb) {
    var id = ++this.reqId;
    this.callbacks[id] = cb; this.routes[id] = route;
    this.send(id, route, msg);
  };
  Client.prototype.notify = function (route, msg) { this.send(0, route, msg); };
  Client.prototype.disconnect = function () { if (this.ws) this.ws.close(); clearTimeout(this.hbTimer); };

  global.PomeloClient = Client;
})(window);
