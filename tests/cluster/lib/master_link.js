'use strict';
// A client of the master link written from docs/cluster.md ("The master link"), for the hostile
// tests: frames, the server and admin handshakes, sealed frames (AES-256-GCM), and a byte-capturing
// TCP proxy.
const crypto = require('node:crypto');
const net = require('node:net');

const NONCE = 32;

function frame(payload) {
  const body = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length);
  return Buffer.concat([head, body]);
}

// HMAC-SHA256(key, label | 0 | each field as 2-byte length + bytes)
function linkMac(key, label, fields) {
  const parts = [Buffer.from(label), Buffer.from([0])];
  for (const f of fields) {
    const b = Buffer.isBuffer(f) ? f : Buffer.from(f);
    const len = Buffer.alloc(2);
    len.writeUInt16BE(b.length);
    parts.push(len, b);
  }
  return crypto.createHmac('sha256', Buffer.from(key)).update(Buffer.concat(parts)).digest();
}

function deriveKeys(ikm, masterNonce, peerNonce, who) {
  const info = Buffer.concat([Buffer.from('shd.cluster/2 keys'), Buffer.from([0]), Buffer.from(who)]);
  const out = Buffer.from(crypto.hkdfSync('sha256', Buffer.from(ikm), Buffer.concat([masterNonce, peerNonce]), info, 64));
  return { masterToPeer: out.subarray(0, 32), peerToMaster: out.subarray(32) };
}

class Sealer {
  constructor(key) { this.key = key; this.seq = 0n; }
  iv() { const b = Buffer.alloc(12); b.writeBigUInt64BE(this.seq, 4); return b; }
  seal(plain) {
    const c = crypto.createCipheriv('aes-256-gcm', this.key, this.iv());
    const out = Buffer.concat([c.update(Buffer.from(plain)), c.final(), c.getAuthTag()]);
    this.seq++;
    return out;
  }
  open(sealed) {
    const d = crypto.createDecipheriv('aes-256-gcm', this.key, this.iv());
    d.setAuthTag(sealed.subarray(sealed.length - 16));
    const out = Buffer.concat([d.update(sealed.subarray(0, sealed.length - 16)), d.final()]);
    this.seq++;
    return out.toString();
  }
}

// A raw connection to the master: frames in arrive in `frames`; next(ms) waits for one (null on
// timeout or close).
class Conn {
  static open(port) {
    return new Promise((resolve) => {
      const c = new Conn(net.connect({ port, host: '127.0.0.1' }));
      c.sock.once('connect', () => resolve(c));
      c.sock.once('error', () => resolve(c));
    });
  }

  constructor(sock) {
    this.sock = sock;
    this.buf = Buffer.alloc(0);
    this.frames = [];
    this.waiters = [];
    this.received = 0;
    this.closedAt = null;
    this.closed = new Promise((resolve) => sock.once('close', () => { this.closedAt = Date.now(); resolve(); this.wake(); }));
    sock.on('error', () => {});
    sock.on('data', (d) => {
      this.received += d.length;
      this.buf = Buffer.concat([this.buf, d]);
      while (this.buf.length >= 4) {
        const n = this.buf.readUInt32BE(0);
        if (this.buf.length < 4 + n) break;
        this.frames.push(this.buf.subarray(4, 4 + n));
        this.buf = this.buf.subarray(4 + n);
      }
      this.wake();
    });
    this.opener = null;
    this.sealer = null;
  }

  wake() { const w = this.waiters; this.waiters = []; w.forEach((f) => f()); }

  async next(ms = 3000) {
    const until = Date.now() + ms;
    while (!this.frames.length) {
      if (this.closedAt || Date.now() > until) return null;
      await new Promise((r) => { this.waiters.push(r); setTimeout(r, Math.max(1, until - Date.now())); });
    }
    const f = this.frames.shift();
    if (this.opener) return JSON.parse(this.opener.open(f));
    try { return JSON.parse(f.toString()); } catch (e) { return { raw: f }; }
  }

  sendRaw(buf) { if (!this.sock.destroyed) this.sock.write(buf); }
  send(obj) { this.sendRaw(frame(this.sealer ? this.sealer.seal(JSON.stringify(obj)) : JSON.stringify(obj))); }

  async closedWithin(ms) {
    await Promise.race([this.closed, new Promise((r) => setTimeout(r, ms))]);
    return this.closedAt !== null;
  }

  destroy() { this.sock.destroy(); }
}

// Server handshake: returns { ok, conn, welcome, refused }.
async function serverHello(port, id, type, token, opts = {}) {
  const conn = opts.conn || await Conn.open(port);
  const ch = await conn.next();
  if (!ch || ch.t !== 'challenge') return { ok: false, conn, challenge: ch };
  const mn = Buffer.from(ch.nonce, 'hex');
  const pn = crypto.randomBytes(NONCE);
  conn.send({ t: 'hello', v: 2, role: 'server', id, serverType: type, nonce: pn.toString('hex'),
              mac: linkMac(token, 'shd.cluster/2 server-hello', [mn, pn, id, type]).toString('hex') });
  const w = await conn.next();
  if (!w || w.t !== 'welcome') return { ok: false, conn, refused: w };
  const expect = linkMac(token, 'shd.cluster/2 server-welcome', [mn, pn, id, type]).toString('hex');
  const who = Buffer.concat([Buffer.from('server'), Buffer.from([0]), Buffer.from(id), Buffer.from([0]), Buffer.from(type)]);
  const keys = deriveKeys(token, mn, pn, who);
  conn.sealer = new Sealer(keys.peerToMaster);
  conn.opener = new Sealer(keys.masterToPeer);
  return { ok: w.mac === expect, conn, welcome: w };
}

// Admin login; the key K comes from the password and the master's parameters.
async function adminLogin(port, user, password, opts = {}) {
  const conn = opts.conn || await Conn.open(port);
  const ch = await conn.next();
  if (!ch || ch.t !== 'challenge') return { ok: false, conn };
  const mn = Buffer.from(ch.nonce, 'hex');
  const pn = crypto.randomBytes(NONCE);
  conn.send({ t: 'hello', v: 2, role: 'admin', user, nonce: pn.toString('hex') });
  const login = await conn.next(opts.wait || 5000);
  if (!login || login.t !== 'login') return { ok: false, conn, refused: login };
  const key = login.kdf === 'pbkdf2'
    ? crypto.pbkdf2Sync(password, Buffer.from(login.salt, 'hex'), login.iterations, 32, 'sha256')
    : Buffer.from(crypto.createHash('md5').update(password).digest('hex'));
  conn.send({ t: 'proof', mac: linkMac(key, 'shd.cluster/2 admin-hello', [mn, pn, user]).toString('hex') });
  const w = await conn.next(opts.wait || 5000);
  if (!w || w.t !== 'welcome') return { ok: false, conn, refused: w, login };
  const who = Buffer.concat([Buffer.from('admin'), Buffer.from([0]), Buffer.from(user)]);
  const keys = deriveKeys(key, mn, pn, who);
  conn.sealer = new Sealer(keys.peerToMaster);
  conn.opener = new Sealer(keys.masterToPeer);
  return { ok: w.mac === linkMac(key, 'shd.cluster/2 admin-welcome', [mn, pn, user]).toString('hex'), conn, login, key };
}

async function adminCommand(port, user, password, cmd, ids = []) {
  const r = await adminLogin(port, user, password);
  if (!r.ok) { r.conn.destroy(); return { ok: false, login: r }; }
  r.conn.send({ t: 'admin', cmd, ids });
  const reply = await r.conn.next(5000);
  r.conn.destroy();
  return reply || { ok: false, error: 'no reply' };
}

// A TCP proxy on a free port to `port` that records every byte both ways.
function captureProxy(listenPort, port) {
  const captured = [];
  const server = net.createServer((client) => {
    const up = net.connect({ port, host: '127.0.0.1' });
    client.on('data', (d) => { captured.push(Buffer.from(d)); up.write(d); });
    up.on('data', (d) => { captured.push(Buffer.from(d)); client.write(d); });
    const end = () => { client.destroy(); up.destroy(); };
    client.on('close', end); up.on('close', end);
    client.on('error', end); up.on('error', end);
  });
  return new Promise((resolve) => server.listen(listenPort, '127.0.0.1', () =>
    resolve({ server, bytes: () => Buffer.concat(captured) })));
}

module.exports = { frame, linkMac, deriveKeys, Sealer, Conn, serverHello, adminLogin, adminCommand, captureProxy };
