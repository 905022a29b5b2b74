'use strict';
// A scripted Pomelo server on raw TCP for the client's hostile-input and wire checks. The
// handshake's "user" {"mode": ...} picks the behaviour; bytes towards the client are built by
// hand (the hostile ones) or with the npm pomelo-protocol / pomelo-protobuf encoders (mode "wire",
// which also decodes and checks what the client sent).
//
//   node fake_server.js   -> prints "listening <port>" and serves until killed
const net = require('node:net');
const path = require('node:path');
const { createRequire } = require('node:module');

const requireInterop = createRequire(path.join(__dirname, '..', 'interop', 'package.json'));
const { Package, Message } = requireInterop('pomelo-protocol');
const protobuf = requireInterop('pomelo-protobuf');

const pkg = (type, body) => Buffer.from(Package.encode(type, body ? Buffer.from(body) : undefined));
const json = (type, value) => pkg(type, JSON.stringify(value));

// The "wire" mode's dictionary and protos (sent in the parsed form, as Pomelo does).
const DICT = { 'test.handler.req': 1, 'test.pushed': 2, 'test.handler.bad': 3 };
const CLIENT_PROTOS = { 'test.handler.req': { 'required string s': 1, 'optional uInt32 n': 2 } };
const SERVER_PROTOS = { 'test.handler.bad': { 'required string x': 1 }, 'test.badpush': { 'required string y': 1 } };
const parsedClient = protobuf.parse(CLIENT_PROTOS);
const parsedServer = protobuf.parse(SERVER_PROTOS);
protobuf.setDecoderProtos(parsedClient);

function okHandshake(extra) {
  return json(Package.TYPE_HANDSHAKE, { code: 200, sys: Object.assign({ heartbeat: 30 }, extra) });
}

// What each mode answers to the handshake, and then to the ACK.
const MODES = {
  oversized: { hs: () => Buffer.from([1, 0xff, 0xff, 0xff, 0x7b]) },
  badtype: { hs: () => Buffer.from([9, 0, 0, 0]) },
  garbage: { hs: () => pkg(Package.TYPE_HANDSHAKE, '}{ not json') },
  deepjson: { hs: () => pkg(Package.TYPE_HANDSHAKE, '['.repeat(100000)) },
  code500: { hs: () => json(Package.TYPE_HANDSHAKE, { code: 500 }) },
  nosys: { hs: () => json(Package.TYPE_HANDSHAKE, { code: 200 }) },
  baddict: { hs: () => okHandshake({ useDict: true, dict: { 'a.b.c': 'one' } }) },
  missingdict: { hs: () => okHandshake({ useDict: true }) },
  badprotos: { hs: () => okHandshake({ useProto: true, protos: { server: { r: { f: 5 } }, client: {}, version: 'v' } }) },
  badheartbeat: { hs: () => okHandshake({ heartbeat: -3 }) },
  close: { hs: null },
  silent: { hs: () => Buffer.alloc(0) },
  baddata: { hs: () => okHandshake({}), ack: () => pkg(Package.TYPE_DATA, Buffer.from([0x0e, 1, 2])) },
  truncated: { hs: () => okHandshake({}), ack: () => pkg(Package.TYPE_DATA, Buffer.from([0x04, 0x81, 0x81])) },
  oversized_after: { hs: () => okHandshake({}), ack: () => Buffer.from([4, 0xff, 0xff, 0xff, 1, 2, 3]) },
  request_from_server: {
    hs: () => okHandshake({}),
    ack: () => pkg(Package.TYPE_DATA, Message.encode(1, Message.TYPE_REQUEST, 0, 'a.b.c', Buffer.from('{}'))),
  },
  // Accepts the ACK and then never reads again: the client's bytes pile up behind a full socket.
  noread: { hs: () => okHandshake({}), ack: () => Buffer.alloc(0), stopReading: true },
  wire: {
    hs: () => okHandshake({
      useDict: true, dict: DICT, routeToCode: DICT, dictVersion: 'd1',
      useProto: true, protos: { client: parsedClient, server: parsedServer, version: 'p1' },
    }),
  },
};

function push(route, compressed, body) {
  return pkg(Package.TYPE_DATA, Message.encode(0, Message.TYPE_PUSH, compressed ? 1 : 0, route, Buffer.from(body)));
}
function respond(id, body) {
  return pkg(Package.TYPE_DATA, Message.encode(id, Message.TYPE_RESPONSE, 0, null, Buffer.from(body)));
}

// "wire" mode: check each request's bytes with the npm decoders and answer.
function onWireMessage(socket, bytes) {
  const m = Message.decode(bytes);
  const route = m.compressRoute ? Object.keys(DICT).find((r) => DICT[r] === m.route) : m.route;
  if (route === 'test.handler.req') {
    let ok = m.compressRoute === 1 && m.route === 1;
    const body = protobuf.decode('test.handler.req', Buffer.from(m.body));
    ok = ok && body && body.s === 'hi' && body.n === 7;
    // Hostile pushes first (unknown code, undecodable protobuf), then the real one.
    socket.write(Buffer.concat([
      push(99, true, '{}'),
      push('test.badpush', false, Buffer.from([0xff, 0xff, 0xff])),
      push(2, true, JSON.stringify({ t: 'pushed' })),
      respond(m.id, JSON.stringify(ok ? { ok: true, s: body.s, n: body.n } : { ok: false, got: m })),
    ]));
  } else if (route === 'test.handler.bad') {
    socket.write(respond(m.id, Buffer.from([0x0a, 0xff, 0xff])));  // length runs past the end
  } else {
    const ok = m.compressRoute === 0 && JSON.parse(Buffer.from(m.body).toString()).z === 1;
    socket.write(respond(m.id, JSON.stringify(ok ? { ok: true, route } : { ok: false })));
  }
}

const server = net.createServer((socket) => {
  socket.on('error', () => {});
  let buffer = Buffer.alloc(0);
  let mode = null;
  socket.on('data', (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    while (buffer.length >= 4) {
      const length = (buffer[1] << 16) | (buffer[2] << 8) | buffer[3];
      if (buffer.length < 4 + length) return;
      const type = buffer[0];
      const body = buffer.subarray(4, 4 + length);
      buffer = buffer.subarray(4 + length);
      if (type === Package.TYPE_HANDSHAKE) {
        const hs = JSON.parse(body.toString());
        mode = MODES[hs.user && hs.user.mode];
        if (!mode) return socket.destroy();
        if (!mode.hs) return socket.destroy();
        socket.write(mode.hs());
      } else if (type === Package.TYPE_HANDSHAKE_ACK) {
        if (mode && mode.ack) socket.write(mode.ack());
        if (mode && mode.stopReading) return socket.pause();
      } else if (type === Package.TYPE_HEARTBEAT) {
        socket.write(pkg(Package.TYPE_HEARTBEAT));
      } else if (type === Package.TYPE_DATA) {
        onWireMessage(socket, body);
      }
    }
  });
});
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
