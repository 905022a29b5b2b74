// The chat demo end to end, as chatofpomelo's web page uses it: the real npm client
// pomelo-jsclient-websocket asks the gate for a connector, enters a room and chats; three users on
// different connectors and chat servers see user lists, onAdd, broadcast and private onChat with
// exact fields, onLeave on disconnect, and a duplicate login refused. Then the same over raw TCP.
// Usage: node chat_flow_test.js <shaddock-host>
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const client = require('../connector/lib/pomelo_js_client');
const { WireClient } = require('../connector/lib/wire_client');
const { freePort, sleep, waitFor } = require('../connector/lib/harness');

const HOST = process.argv[2];
let passed = 0, failed = 0;
function check(name, ok, detail) {
  if (ok) { passed++; console.log('ok   ' + name); } else { failed++; console.log('FAIL ' + name + (detail ? ': ' + detail : '')); }
}

// The chat config with free ports (same servers and settings as apps/chat/config).
async function chatAppDir() {
  const src = path.join(__dirname, '..', '..', 'apps', 'chat', 'config');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shd-chat-'));
  fs.mkdirSync(path.join(dir, 'config'));
  for (const f of fs.readdirSync(src)) fs.copyFileSync(path.join(src, f), path.join(dir, 'config', f));
  const servers = JSON.parse(fs.readFileSync(path.join(src, 'servers.json'), 'utf8')).development;
  for (const list of Object.values(servers))
    for (const s of list) {
      if (s.port) s.port = await freePort();
      if (s.clientPort) s.clientPort = await freePort();
    }
  fs.writeFileSync(path.join(dir, 'config', 'servers.json'), JSON.stringify({ development: servers }));
  const master = { development: { id: 'master-server-1', host: '127.0.0.1', port: await freePort() } };
  fs.writeFileSync(path.join(dir, 'config', 'master.json'), JSON.stringify(master));
  return { dir, gatePort: servers.gate[0].clientPort };
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
  const { dir, gatePort } = await chatAppDir();
  const master = spawn(HOST, ['--app-dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  master.stdout.on('data', (d) => { out += d; });
  master.stderr.on('data', (d) => { out += d; });
  const exited = new Promise((r) => master.on('exit', (code, signal) => r({ code, signal })));
  try {
    await waitFor(() => /all servers startup in/.test(out), 20000, 'cluster start');
    const servers = JSON.parse(fs.readFileSync(path.join(dir, 'config', 'servers.json'), 'utf8')).development;
    const noUid = client.loadClient();
    await client.init(noUid, { host: '127.0.0.1', port: gatePort });
    const bad = await client.request(noUid, 'gate.gateHandler.queryEntry', {});
    check('queryEntry without uid answers code 500', bad.code === 500, JSON.stringify(bad));
    noUid.disconnect();

    const alice = await login('alice', 'room1', gatePort);
    check('the gate answers code 200 with a connector host and port', alice.entry.code === 200 &&
          servers.connector.some((c) => c.clientPort === alice.entry.port), JSON.stringify(alice.entry));
    check('enter answers the room\'s users', JSON.stringify(alice.enter.users) === '["alice"]', JSON.stringify(alice.enter));
    const bob = await login('bob', 'room1', gatePort);
    const carol = await login('carol', 'room1', gatePort);
    check('users on different connectors', new Set([alice.entry.port, bob.entry.port, carol.entry.port]).size >= 2,
          [alice.entry.port, bob.entry.port, carol.entry.port].join(','));
    check('the third user sees everyone', JSON.stringify([...carol.enter.users].sort()) === '["alice","bob","carol"]',
          JSON.stringify(carol.enter));
    await waitFor(() => alice.pushes.onAdd.length >= 2, 3000, 'onAdd').catch(() => {});
    check('onAdd reaches the room with Pomelo\'s body', JSON.stringify(alice.pushes.onAdd) ===
          '[{"route":"onAdd","user":"bob"},{"route":"onAdd","user":"carol"}]', JSON.stringify(alice.pushes.onAdd));
    check('a newcomer gets no onAdd for itself', carol.pushes.onAdd.length === 0, JSON.stringify(carol.pushes.onAdd));

    const dup = await login('alice', 'room1', gatePort);
    check('a duplicate login is refused with {code:500, error:true}', dup.enter.code === 500 && dup.enter.error === true,
          JSON.stringify(dup.enter));
    dup.pomelo.disconnect();

    const sent = await client.request(bob.pomelo, 'chat.chatHandler.send', { content: 'hello all', target: '*' });
    check('send answers {route}', sent.route === 'chat.chatHandler.send', JSON.stringify(sent));
    await waitFor(() => alice.pushes.onChat.length && carol.pushes.onChat.length && bob.pushes.onChat.length, 3000, 'onChat')
      .catch(() => {});
    const expected = '{"msg":"hello all","from":"bob","target":"*"}';
    check('a broadcast onChat reaches all three with exact fields',
          [alice, bob, carol].every((u) => JSON.stringify(u.pushes.onChat[0]) === expected),
          JSON.stringify([alice.pushes.onChat, bob.pushes.onChat, carol.pushes.onChat]));
    await client.request(alice.pomelo, 'chat.chatHandler.send', { content: 'psst', target: 'carol' });
    await waitFor(() => carol.pushes.onChat.length >= 2, 3000, 'private').catch(() => {});
    await sleep(200);
    check('a private onChat reaches only its target',
          JSON.stringify(carol.pushes.onChat[1]) === '{"msg":"psst","from":"alice","target":"carol"}' &&
          bob.pushes.onChat.length === 1 && alice.pushes.onChat.length === 1,
          JSON.stringify([alice.pushes.onChat, bob.pushes.onChat, carol.pushes.onChat]));

    bob.pomelo.disconnect();
    await waitFor(() => alice.pushes.onLeave.length && carol.pushes.onLeave.length, 5000, 'onLeave').catch(() => {});
    check('onLeave reaches the room when a user disconnects',
          JSON.stringify(alice.pushes.onLeave) === '[{"route":"onLeave","user":"bob"}]' &&
          JSON.stringify(carol.pushes.onLeave) === '[{"route":"onLeave","user":"bob"}]',
          JSON.stringify([alice.pushes.onLeave, carol.pushes.onLeave]));

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
    check('raw TCP: enter lists the room', JSON.stringify([...daveEnter.users].sort()) === '["alice","carol","dave"]',
          JSON.stringify(daveEnter));
    const davePush = dave.nextPush('onChat');
    await client.request(carol.pomelo, 'chat.chatHandler.send', { content: 'hi dave', target: 'dave' });
    const got = await davePush;
    check('raw TCP: a private onChat decodes from protobuf with exact fields',
          JSON.stringify(got) === '{"msg":"hi dave","from":"carol","target":"dave"}', JSON.stringify(got));
    dave.close();
    alice.pomelo.disconnect();
    carol.pomelo.disconnect();
  } catch (e) {
    check('no exception', false, e.stack + '\n' + out.slice(-3000));
  } finally {
    master.kill('SIGTERM');
    const exit = await exited;
    check('the chat cluster stops cleanly', exit.code === 0, JSON.stringify(exit));
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}
main();
