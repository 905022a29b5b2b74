#!/usr/bin/env node
// One hostile client for the flood row (docs/bench.md): completes the Pomelo handshake over TCP,
// then writes tiny notifies as fast as its socket takes them, reading and dropping whatever comes
// back, until it is killed or `seconds` have passed. Prints one JSON line at the end:
// {"bytes": written, "notifies": n, "closedByServer": bool}.
//
//   node bench/lib/flooder.js PORT SECONDS [ROUTE]
'use strict';
const net = require('node:net');

const [port, seconds, route = 'connector.entryHandler.echo'] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4]];

// Pomelo package: type, 3-byte big-endian length, body.
function pkg(type, body = Buffer.alloc(0)) {
  const head = Buffer.from([type, (body.length >> 16) & 0xff, (body.length >> 8) & 0xff, body.length & 0xff]);
  return Buffer.concat([head, body]);
}
// A notify message: flag (type 1 << 1, route not compressed), route length, route, body.
function notify(r, body) {
  const rb = Buffer.from(r);
  return pkg(4, Buffer.concat([Buffer.from([1 << 1, rb.length]), rb, Buffer.from(body)]));
}

const one = notify(route, '{}');
const chunk = Buffer.concat(Array(4096).fill(one));
const perChunk = 4096;

let written = 0;
let notifies = 0;
let closedByServer = false;
let finished = false;
const sock = net.connect({ port, host: '127.0.0.1' });
sock.setNoDelay(true);

function finish() {
  if (finished) return;
  finished = true;
  process.stdout.write(JSON.stringify({ bytes: written, notifies, closedByServer }) + '\n');
  sock.destroy();
  process.exit(0);
}
process.on('SIGTERM', finish);
process.on('SIGINT', finish);
setTimeout(finish, seconds * 1000);

let buffered = Buffer.alloc(0);
let working = false;
sock.on('data', (d) => {
  if (working) return;  // drop everything once flooding
  buffered = Buffer.concat([buffered, d]);
  if (buffered.length >= 4 && buffered[0] === 1) {  // the handshake reply
    working = true;
    sock.write(pkg(2));  // ACK
    const heartbeat = setInterval(() => sock.write(pkg(3)), 5000);
    heartbeat.unref();
    pump();
  }
});
sock.on('close', () => { closedByServer = !finished; finish(); });
sock.on('error', () => {});
sock.on('connect', () => sock.write(pkg(1, Buffer.from('{"sys":{"type":"flooder","version":"1"}}'))));

function pump() {
  while (!finished && !sock.destroyed) {
    written += chunk.length;
    notifies += perChunk;
    if (!sock.write(chunk)) {
      sock.once('drain', () => setImmediate(pump));
      return;
    }
  }
}
