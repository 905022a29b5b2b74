'use strict';
// The real browser client, pomelo-jsclient-websocket 0.1.1, against the connector over WebSocket:
// handshake (dictionary and protos received), requests, notifies, pushes, dictionary-compressed
// routes both ways, protobuf routes both ways, errors, kicks and disconnects.
const test = require('node:test');
const assert = require('node:assert');
const { startServer, waitFor } = require('./lib/harness');
const js = require('./lib/pomelo_js_client');
const { WireClient } = require('./lib/wire_client');

const quiet = { log: console.log, error: console.error };
console.log = () => {};   // the client logs every connect and close
console.error = () => {};

let server;
test.before(async () => { server = await startServer(); });
test.after(async () => {
  console.log = quiet.log;
  console.error = quiet.error;
  await server.stop();
});

// The DATA packages the client sent (package header stripped), newest last.
const sentMessages = () => js.frames.sent.filter((f) => f[0] === 4).map((f) => f.subarray(4));
const receivedMessages = () => js.frames.received.filter((f) => f[0] === 4).map((f) => f.subarray(4));

test('handshake delivers the dictionary and the protos', async () => {
  const pomelo = js.loadClient();
  await js.init(pomelo, { host: '127.0.0.1', port: server.port });
  const hsFrame = js.frames.received.find((f) => f[0] === 1);
  const reply = JSON.parse(hsFrame.subarray(4).toString());
  assert.strictEqual(reply.code, 200);
  assert.strictEqual(reply.sys.heartbeat, 3);
  assert.strictEqual(reply.sys.useDict, true);
  assert.strictEqual(reply.sys.useProto, true);
  assert.ok(reply.sys.dict['connector.entryHandler.entry'] > 0, 'handler routes are in the dictionary');
  assert.ok(reply.sys.dict.onNote > reply.sys.dict['connector.entryHandler.whoami'], 'dictionary.json comes after the handlers');
  const protos = JSON.parse(window.localStorage.getItem('protos'));
  assert.ok(protos.version, 'the client cached the protos with their version');
  assert.ok(protos.server['connector.entryHandler.proto'], 'server protos received');
  assert.ok(protos.client['connector.entryHandler.proto'], 'client protos received');

  // Requests: the client compresses every route that is in the dictionary.
  assert.deepStrictEqual(await js.request(pomelo, 'connector.entryHandler.entry', {}), { code: 200, msg: 'game server is ok.' });
  const entryMsg = sentMessages().pop();
  assert.strictEqual(entryMsg[0], 0x01, 'request flag with a compressed route');
  assert.strictEqual(entryMsg.readUInt16BE(2), reply.sys.dict['connector.entryHandler.entry']);

  const body = { a: 1, s: 'héllo', arr: [1, 2, { x: null }] };
  assert.deepStrictEqual(await js.request(pomelo, 'connector.entryHandler.echo', body), body);
  assert.deepStrictEqual(await js.request(pomelo, 'connector.entryHandler.later', {}), { code: 200, msg: 'later' });

  // fail(): Pomelo merges code 500 into the handler's body.
  assert.deepStrictEqual(await js.request(pomelo, 'connector.entryHandler.fail', {}), { x: 1, code: 500 });
  // No such handler: {"code":500}.
  assert.deepStrictEqual(await js.request(pomelo, 'connector.entryHandler.nothing', {}), { code: 500 });

  // A notify gets no answer; its handler pushes onNote, a dictionary route, so it comes compressed.
  const note = js.once(pomelo, 'onNote');
  pomelo.notify('connector.entryHandler.note', { n: 42 });
  assert.deepStrictEqual(await note, { n: 42 });
  const notePush = receivedMessages().pop();
  assert.strictEqual(notePush[0], 0x07, 'push flag with a compressed route');
  assert.strictEqual(notePush.readUInt16BE(1), reply.sys.dict.onNote);

  // A push on a route outside the dictionary goes as a string.
  const other = js.once(pomelo, 'onOther');
  assert.deepStrictEqual(await js.request(pomelo, 'connector.entryHandler.push', { route: 'onOther', msg: { v: [1, 2] } }), { code: 200 });
  assert.deepStrictEqual(await other, { v: [1, 2] });
  assert.strictEqual(receivedMessages().filter((m) => m[0] === 0x06).length >= 1, true, 'string-route push');

  // Protobuf both ways: the request body is pomelo-protobuf, so is the response and the push.
  const onProto = js.once(pomelo, 'onProto');
  const resp = await js.request(pomelo, 'connector.entryHandler.proto', { content: 'hello', n: 5 });
  assert.deepStrictEqual(resp, { code: 200, content: 'hello', n: 5, items: [{ name: 'a' }, { name: 'b' }] });
  assert.deepStrictEqual(await onProto, { msg: 'hello', nums: [1, 2, 3] });
  const protoReq = sentMessages().pop();
  assert.ok(protoReq.includes(Buffer.from([0x0a, 0x05, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x10, 0x05])),
    'the request body is the pomelo-protobuf encoding');

  // Binding and settings.
  assert.deepStrictEqual(await js.request(pomelo, 'connector.entryHandler.login', { uid: 'alice' }), { code: 200 });
  const me = await js.request(pomelo, 'connector.entryHandler.whoami', {});
  assert.strictEqual(me.uid, 'alice');
  assert.strictEqual(me.frontendId, 'connector-server-1');
  assert.deepStrictEqual(me.settings, { nickname: 'player alice' });
  assert.deepStrictEqual(await js.request(pomelo, 'connector.entryHandler.login', { uid: 'bob' }), { code: 500 },
    'a bound session cannot bind another uid');

  // Broadcast reaches another client too.
  const other2 = await WireClient.connect({ port: server.port, transport: 'tcp' });
  await other2.handshake();
  const got = other2.nextPush('onNews');
  const mine = js.once(pomelo, 'onNews');
  assert.deepStrictEqual(await js.request(pomelo, 'connector.entryHandler.broadcast', { route: 'onNews', msg: { t: 'x' } }), { code: 200 });
  assert.deepStrictEqual(await got, { t: 'x' });
  assert.deepStrictEqual(await mine, { t: 'x' });

  // Disconnect: the server forgets the session.
  const before = (await other2.request('connector.entryHandler.stats')).sessions;
  const closed = js.once(pomelo, 'disconnect');
  pomelo.disconnect();
  await closed;
  await waitFor(async () => (await other2.request('connector.entryHandler.stats')).sessions === before - 1, 3000,
    'the session to close');
  other2.close();
});

test('kick: onKick with the reason, then the server closes', async () => {
  const pomelo = js.loadClient();
  await js.init(pomelo, { host: '127.0.0.1', port: server.port });
  const kicked = js.once(pomelo, 'onKick');
  const closed = js.once(pomelo, 'close');
  const answer = await js.request(pomelo, 'connector.entryHandler.kickme', { reason: 'see you' });
  assert.deepStrictEqual(answer, { code: 200 }, 'the answer is written before the kick');
  assert.deepStrictEqual(await kicked, { reason: 'see you' });
  const ev = await closed;
  assert.strictEqual(ev.code, 1000, 'WebSocket close 1000 as Pomelo');
});

test('handshake user data both ways; a client with cached protos gets no protos again', async () => {
  // A second client with the protos cached in localStorage sends protoVersion; the reply omits protos.
  const pomelo = js.loadClient();
  js.frames.received.length = 0;
  let welcome = null;
  await js.init(pomelo, { host: '127.0.0.1', port: server.port, user: { name: 'x' }, handshakeCallback: (u) => { welcome = u; } });
  assert.deepStrictEqual(welcome, { welcome: 'x' }, "the app's handshake check saw the user object");
  const reply = JSON.parse(js.frames.received.find((f) => f[0] === 1).subarray(4).toString());
  assert.strictEqual(reply.code, 200);
  assert.strictEqual(reply.sys.protos, undefined, 'protos are not resent to a client that has them');
  assert.deepStrictEqual(await js.request(pomelo, 'connector.entryHandler.proto', { content: 'again' }),
    { code: 200, content: 'again', n: 0, items: [{ name: 'a' }, { name: 'b' }] });
  pomelo.disconnect();
});
