// The chat demo end to end, as chatofpomelo's web page uses it: the real npm client
// pomelo-jsclient-websocket asks the gate for a connector, enters a room and chats; three users on
// different connectors and chat servers see user lists, onAdd, broadcast and private onChat with
// exact fields, onLeave on disconnect, and a duplicate login refused. Then the same over raw TCP.
// Run by CTest (chat_flow): SHADDOCK_HOST.
'use strict';
const client = require('../connector/lib/pomelo_js_client');
const { WireClient } = require('../connector/lib/wire_client');
const { sleep, waitFor } = require('../connector/lib/harness');
const { startChatCluster } = require('./chat_cluster');
const { requiredEnv } = require('../../tools/node/util.js');

const HOST = requiredEnv('SHADDOCK_HOST');
let passed = 0, failed = 0;
function check(name, ok, detail) {
  if (ok) { passed++; console.log('ok   ' + name); } else { failed++; console.log('FAIL ' + name + (detail ? ': ' + detail : '')); }
}

// chatofpomelo's client: gate -> queryEntry -> connector -> enter.
async function login(username, rid, gatePort) {
  const gate = client.loadClient();
  await client.init(gate, { host: '127.0.0.1', port: gatePort, log: false });
  const entry = await client.request(gate, 'gate.gateHandler.queryEntry', { uid: username });
  gate.disconnect();
  const pomelo = client.loadClient();
  const pushes = { onAdd: [], onLeave: [], onChat: [] };
  for (const r of Object.keys(pushes)) pomelo.on(r, (m) => pushes[r].push(m));
  await client.init(pomelo, { host: entry.host, port: entry.port, log: false });
  const enter = await client.request(pomelo, 'connector.entryHandler.enter', { username, rid });
  return { pomelo, entry, enter, pushes };
}

async function main() {
  const cluster = await startChatCluster(HOST);
  const { gatePort, servers } = cluster;
  try {
    const noUid = client.loadClient();
    await client.init(noUid, { host: '127.0.0.1', port: gatePort });
    const bad = await client.request(noUid, 'gate.gateHandler.queryEntry', {});
    check('queryEntry without uid answers code 500', bad.code === 500, JSON.stringify(bad));
    noUid.disconnect();

    const alice = await login('alice', 'room1', gatePort);
    check('the gate answers code 200 with a connector host and port', alice.entry.code === 200 &&
          servers.connector.some((c) => c.clientPort === alice.entry.port), JSON.stringify(alice.entry));
    check('enter answers the room\'s users', JSON.stringify(alice.enter.users) === '["alice"]', JSON.stringify(alice.enter));
    const eve = await login('eve', 'room1', gatePort);
    const grace = await login('grace', 'room1', gatePort);
    check("users on three different connectors (the gate's crc32 dispatch)", new Set([alice.entry.port, eve.entry.port, grace.entry.port]).size === 3,
          [alice.entry.port, eve.entry.port, grace.entry.port].join(','));
    check('the third user sees everyone', JSON.stringify([...grace.enter.users].sort()) === '["alice","eve","grace"]',
          JSON.stringify(grace.enter));
    await waitFor(() => alice.pushes.onAdd.length >= 2, 3000, 'onAdd').catch(() => {});
    check('onAdd reaches the room with Pomelo\'s body', JSON.stringify(alice.pushes.onAdd) ===
          '[{"route":"onAdd","user":"eve"},{"route":"onAdd","user":"grace"}]', JSON.stringify(alice.pushes.onAdd));
    check('a newcomer gets no onAdd for itself', grace.pushes.onAdd.length === 0, JSON.stringify(grace.pushes.onAdd));

    const dup = await login('alice', 'room1', gatePort);
    check('a duplicate login is refused with {code:500, error:true}', dup.enter.code === 500 && dup.enter.error === true,
          JSON.stringify(dup.enter));
    dup.pomelo.disconnect();

    const sent = await client.request(eve.pomelo, 'chat.chatHandler.send', { content: 'hello all', target: '*' });
    check('send answers {route}', sent.route === 'chat.chatHandler.send', JSON.stringify(sent));
    await waitFor(() => alice.pushes.onChat.length && grace.pushes.onChat.length && eve.pushes.onChat.length, 3000, 'onChat')
      .catch(() => {});
    const expected = '{"msg":"hello all","from":"eve","target":"*"}';
    check('a broadcast onChat reaches all three with exact fields',
          [alice, eve, grace].every((u) => JSON.stringify(u.pushes.onChat[0]) === expected),
          JSON.stringify([alice.pushes.onChat, eve.pushes.onChat, grace.pushes.onChat]));
    await client.request(alice.pomelo, 'chat.chatHandler.send', { content: 'psst', target: 'grace' });
    await waitFor(() => grace.pushes.onChat.length >= 2, 3000, 'private').catch(() => {});
    await sleep(200);
    check('a private onChat reaches only its target',
          JSON.stringify(grace.pushes.onChat[1]) === '{"msg":"psst","from":"alice","target":"grace"}' &&
          eve.pushes.onChat.length === 1 && alice.pushes.onChat.length === 1,
          JSON.stringify([alice.pushes.onChat, eve.pushes.onChat, grace.pushes.onChat]));

    eve.pomelo.disconnect();
    await waitFor(() => alice.pushes.onLeave.length && grace.pushes.onLeave.length, 5000, 'onLeave').catch(() => {});
    check('onLeave reaches the room when a user disconnects',
          JSON.stringify(alice.pushes.onLeave) === '[{"route":"onLeave","user":"eve"}]' &&
          JSON.stringify(grace.pushes.onLeave) === '[{"route":"onLeave","user":"eve"}]',
          JSON.stringify([alice.pushes.onLeave, grace.pushes.onLeave]));

    // Every connector process computes the same route dictionary (Pomelo: from the same handlers).
    const dicts = [];
    for (const c of servers.connector) {
      const probe = await WireClient.connect({ port: c.clientPort, transport: 'tcp' });
      const reply = await probe.handshake();
      dicts.push({ dict: JSON.stringify(reply.sys.dict), version: reply.sys.dictVersion });
      probe.close();
    }
    check('the route dictionary is identical in every connector process',
          dicts.length === 3 && dicts.every((d) => d.dict === dicts[0].dict && d.version === dicts[0].version) &&
          JSON.parse(dicts[0].dict)['chat.chatHandler.send'] === 1, JSON.stringify(dicts));

    // Raw TCP, as libpomelo2 and the Unity client connect; onChat arrives as Pomelo protobuf.
    const gate = await WireClient.connect({ port: gatePort, transport: 'tcp' });
    await gate.handshake();
    const entry = await gate.request('gate.gateHandler.queryEntry', { uid: 'dave' });
    gate.close();
    const dave = await WireClient.connect({ port: entry.port, transport: 'tcp' });
    const hs = await dave.handshake();
    check('the connector handshake carries onChat\'s protobuf schema and heartbeat 3',
          hs.sys.heartbeat === 3 && hs.sys.useProto === true && hs.sys.protos.server.onChat !== undefined, JSON.stringify(hs.sys));
    const daveEnter = await dave.request('connector.entryHandler.enter', { username: 'dave', rid: 'room1' });
    check('raw TCP: enter lists the room', JSON.stringify([...daveEnter.users].sort()) === '["alice","dave","grace"]',
          JSON.stringify(daveEnter));
    const davePush = dave.nextPush('onChat');
    await client.request(grace.pomelo, 'chat.chatHandler.send', { content: 'hi dave', target: 'dave' });
    const got = await davePush;
    check('raw TCP: a private onChat decodes from protobuf with exact fields',
          JSON.stringify(got) === '{"msg":"hi dave","from":"grace","target":"dave"}', JSON.stringify(got));
    dave.close();
    alice.pomelo.disconnect();
    grace.pomelo.disconnect();
  } catch (e) {
    check('no exception', false, e.stack + '\n' + cluster.output().slice(-3000));
  } finally {
    const exit = await cluster.stop();
    check('the chat cluster stops cleanly', exit.code === 0, JSON.stringify(exit));
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}
main();
