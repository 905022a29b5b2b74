'use strict';
// Loads the real browser client pomelo-jsclient-websocket@0.1.1 into Node with the shims of
// POMELO.md section 10: window = global, window.Protocol (pomelo-protocol in Node mode),
// window.protobuf (the server build of pomelo-protobuf, which has decodeStr), window.EventEmitter,
// an in-memory localStorage and a W3C WebSocket facade over `ws`. The facade records every frame
// both ways so tests can look at the bytes.
const { EventEmitter } = require('node:events');
const { requireInterop } = require('./harness');

// Must load before `window` exists so that it picks Buffers (Node mode).
const Protocol = requireInterop('pomelo-protocol');
const protobuf = requireInterop('pomelo-protobuf');
const WS = requireInterop('ws');

const frames = { sent: [], received: [] };

class MemoryStorage {
  constructor() { this.items = new Map(); }
  getItem(k) { return this.items.has(k) ? this.items.get(k) : null; }
  setItem(k, v) { this.items.set(k, String(v)); }
  removeItem(k) { this.items.delete(k); }
  clear() { this.items.clear(); }
}

// The subset of the W3C WebSocket API the client uses.
class WebSocketFacade {
  constructor(url) {
    this.binaryType = 'blob';
    this.onopen = this.onmessage = this.onerror = this.onclose = null;
    this.ws = new WS(url, { perMessageDeflate: false });
    this.ws.on('open', () => this.onopen && this.onopen({}));
    this.ws.on('message', (data) => {
      const buf = Buffer.from(data);
      frames.received.push(buf);
      const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
      if (this.onmessage) this.onmessage({ data: ab });
    });
    this.ws.on('error', (e) => this.onerror && this.onerror(e));
    this.ws.on('close', (code, reason) => this.onclose && this.onclose({ code, reason: String(reason) }));
  }
  send(data) {
    const buf = Buffer.from(data instanceof ArrayBuffer ? new Uint8Array(data) : data);
    frames.sent.push(buf);
    this.ws.send(buf);
  }
  close() { this.ws.close(); }
}

global.window = global;
window.Protocol = Protocol;
window.protobuf = protobuf;
window.EventEmitter = EventEmitter;
window.localStorage = new MemoryStorage();
window.WebSocket = WebSocketFacade;

// A fresh client (the module keeps its state in closures, so each load is a new client).
function loadClient() {
  const id = requireInterop.resolve('pomelo-jsclient-websocket');
  delete require.cache[id];
  const pomelo = requireInterop('pomelo-jsclient-websocket');
  return pomelo;
}

// Resolves once the handshake is done and the ACK sent.
function init(pomelo, params) {
  return new Promise((resolve, reject) => {
    pomelo.once('error', (e) => reject(new Error(String(e))));
    pomelo.once('io-error', (e) => reject(e));
    pomelo.init(params, resolve);
  });
}

function request(pomelo, route, msg) {
  return new Promise((resolve) => pomelo.request(route, msg, resolve));
}

function once(pomelo, event, ms = 5000) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
    pomelo.once(event, (data) => { clearTimeout(t); resolve(data); });
  });
}

module.exports = { loadClient, init, request, once, frames, Protocol };
