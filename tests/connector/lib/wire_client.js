'use strict';
// A small Pomelo client over any of the hybrid connector's transports (raw TCP, TLS, ws, wss), built
// on the npm encoders pomelo-protocol 0.1.6 and pomelo-protobuf 0.4.0, so the bytes come from code
// nobody here wrote. Also gives raw access (sendRaw) for hostile-input tests.
const { EventEmitter } = require('node:events');
const net = require('node:net');
const tls = require('node:tls');
const { requireInterop } = require('./harness');

// Loaded while `window` is undefined: Node mode, Buffers.
const Protocol = requireInterop('pomelo-protocol');
const protobuf = requireInterop('pomelo-protobuf');
const WebSocket = requireInterop('ws');
const { Package, Message } = Protocol;

class WireClient extends EventEmitter {
  // transport: 'tcp' | 'tls' | 'ws' | 'wss'. ca: PEM to trust for TLS. localAddress: the client
  // socket's address (any of 127.0.0.0/8 on Linux, to appear as another IP).
  static connect({ port, transport = 'tcp', ca, host = '127.0.0.1', localAddress }) {
    const c = new WireClient(transport);
    return c._open(port, host, ca, localAddress).then(() => c);
  }

  constructor(transport) {
    super();
    this.transport = transport;
    this.pending = Buffer.alloc(0);
    this.reqId = 0;
    this.callbacks = new Map();
    this.routeOf = new Map();
    this.dict = {};
    this.abbrs = {};
    this.serverProtos = {};
    this.clientProtos = {};
    this.heartbeatMs = 0;
    this.autoHeartbeat = true;
    this.isClosed = false;
    this.received = []; // every package: {type, body}
    this.setMaxListeners(0);
    this.closed = new Promise((resolve) => this.once('close', resolve));
  }

  _open(port, host, ca, localAddress) {
    return new Promise((resolve, reject) => {
      const onError = (e) => reject(e);
      if (this.transport === 'ws' || this.transport === 'wss') {
        const url = `${this.transport}://${host}:${port}/`;
        const ws = new WebSocket(url, { ca, perMessageDeflate: false, localAddress });
        this.ws = ws;
        ws.binaryType = 'nodebuffer';
        ws.once('open', () => { ws.off('error', onError); resolve(); });
        ws.once('error', onError);
        ws.on('error', (e) => this.emit('io-error', e));
        ws.on('message', (data) => this._onFrame(Buffer.from(data)));
        ws.on('close', (code) => this._onClose(code));
      } else {
        const sock = this.transport === 'tls'
          ? tls.connect({ port, host, ca, servername: 'localhost', localAddress })
          : net.connect({ port, host, localAddress });
        this.sock = sock;
        sock.once(this.transport === 'tls' ? 'secureConnect' : 'connect', () => { sock.off('error', onError); resolve(); });
        sock.once('error', onError);
        sock.on('error', (e) => this.emit('io-error', e));
        sock.on('data', (d) => this._onStream(d));
        sock.on('close', () => this._onClose());
      }
    });
  }

  // ---- raw access ----
  sendRaw(bytes) {
    if (this.isClosed) return;
    if (this.ws) this.ws.send(bytes, { binary: true });
    else this.sock.write(bytes);
  }
  sendPackage(type, body) { this.sendRaw(Package.encode(type, body)); }
  close() {
    if (this.ws) this.ws.close();
    else this.sock.end();
  }
  destroy() {
    if (this.ws) this.ws.terminate();
    else this.sock.destroy();
  }

  // ---- protocol ----
  // Sends the handshake; resolves to the server's reply (JSON). Sends the ACK unless ack === false.
  handshake({ sys = {}, user, ack = true } = {}) {
    const body = { sys: Object.assign({ type: 'wire-test', version: '0.0.1' }, sys) };
    if (user !== undefined) body.user = user;
    return new Promise((resolve, reject) => {
      this.once('handshake', (reply) => {
        if (reply.code === 200) {
          this._init(reply);
          if (ack) this.sendPackage(Package.TYPE_HANDSHAKE_ACK);
        }
        resolve(reply);
      });
      this.once('close', () => reject(new Error('closed during the handshake')));
      this.sendPackage(Package.TYPE_HANDSHAKE, Protocol.strencode(JSON.stringify(body)));
    });
  }

  _init(reply) {
    const sys = reply.sys || {};
    this.heartbeatMs = sys.heartbeat ? sys.heartbeat * 1000 : 0;
    if (sys.dict) {
      this.dict = sys.dict;
      this.abbrs = {};
      for (const r of Object.keys(sys.dict)) this.abbrs[sys.dict[r]] = r;
    }
    if (sys.protos) {
      this.serverProtos = sys.protos.server || {};
      this.clientProtos = sys.protos.client || {};
      protobuf.init({ encoderProtos: this.clientProtos, decoderProtos: this.serverProtos });
    }
  }

  encodeMessage(id, route, msg, { compress = true } = {}) {
    const type = id ? Message.TYPE_REQUEST : Message.TYPE_NOTIFY;
    let body;
    if (this.clientProtos[route]) body = protobuf.encode(route, msg);
    else body = Protocol.strencode(JSON.stringify(msg));
    let compressRoute = 0;
    let r = route;
    if (compress && this.dict[route]) {
      r = this.dict[route];
      compressRoute = 1;
    }
    return Package.encode(Package.TYPE_DATA, Message.encode(id, type, compressRoute, r, body));
  }

  request(route, msg = {}, opts = {}) {
    const id = ++this.reqId;
    return new Promise((resolve, reject) => {
      this.callbacks.set(id, resolve);
      this.routeOf.set(id, route);
      this.once('close', () => reject(new Error(`closed before the response to ${route}`)));
      this.sendRaw(this.encodeMessage(id, route, msg, opts));
    });
  }

  notify(route, msg = {}, opts = {}) { this.sendRaw(this.encodeMessage(0, route, msg, opts)); }

  // Resolves with the body of the next push on route.
  nextPush(route, ms = 5000) {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no push on ${route} within ${ms} ms`)), ms);
      this.once(`push:${route}`, (body) => { clearTimeout(t); resolve(body); });
    });
  }

  // ---- input ----
  _onStream(chunk) {
    this.pending = Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= 4) {
      const len = (this.pending[1] << 16) | (this.pending[2] << 8) | this.pending[3];
      if (this.pending.length < 4 + len) break;
      const pkg = this.pending.subarray(0, 4 + len);
      this.pending = this.pending.subarray(4 + len);
      this._onPackage(pkg[0], len ? Buffer.from(pkg.subarray(4)) : null);
    }
  }

  // A WebSocket message may hold several packages (the server batches).
  _onFrame(buf) {
    let off = 0;
    this.framesReceived = (this.framesReceived || 0) + 1;
    while (off + 4 <= buf.length) {
      const len = (buf[off + 1] << 16) | (buf[off + 2] << 8) | buf[off + 3];
      this._onPackage(buf[off], len ? Buffer.from(buf.subarray(off + 4, off + 4 + len)) : null);
      off += 4 + len;
    }
  }

  _onPackage(type, body) {
    this.received.push({ type, body, at: Date.now() });
    switch (type) {
      case Package.TYPE_HANDSHAKE:
        this.emit('handshake', JSON.parse(Protocol.strdecode(body)));
        break;
      case Package.TYPE_HEARTBEAT:
        this.emit('heartbeat');
        if (this.autoHeartbeat && this.heartbeatMs) {
          clearTimeout(this.hbTimer);
          this.hbTimer = setTimeout(() => this.sendPackage(Package.TYPE_HEARTBEAT), this.heartbeatMs);
        }
        break;
      case Package.TYPE_DATA:
        this._onMessage(Message.decode(body));
        break;
      case Package.TYPE_KICK:
        this.emit('kick', JSON.parse(Protocol.strdecode(body)));
        break;
      default:
        this.emit('unknown-package', type);
    }
  }

  _onMessage(msg) {
    let route = msg.route;
    if (msg.id) {
      route = this.routeOf.get(msg.id);
      this.routeOf.delete(msg.id);
    } else if (msg.compressRoute) {
      route = this.abbrs[route];
    }
    let body;
    if (this.serverProtos[route]) body = protobuf.decode(route, msg.body);
    else body = JSON.parse(Protocol.strdecode(msg.body));
    if (msg.id) {
      const cb = this.callbacks.get(msg.id);
      this.callbacks.delete(msg.id);
      if (cb) cb(body);
    } else {
      this.emit('push', { route, body, compressed: !!msg.compressRoute });
      this.emit(`push:${route}`, body);
    }
  }

  _onClose(code) {
    if (this.isClosed) return;
    this.isClosed = true;
    this.closedAt = Date.now();
    this.closeCode = code;
    clearTimeout(this.hbTimer);
    this.emit('close', code);
  }
}

module.exports = { WireClient, Protocol, Package, Message, protobuf };
