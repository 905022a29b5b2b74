// Channels across a real cluster: a master, 2 connectors and a `room` backend holding the channels.
// Members join through a user remote on the room server; pushes go out as one sys RPC
// channelRemote.pushMessage per connector, and each connector encodes once for its sessions.
//  (a) 500 clients in one room, spread over both connectors (raw TCP, WebSocket wire clients and the
//      real npm client), each receive every push of 10 concurrent senders exactly once, in order per
//      sender;
//  (b) pushMessageByUids reaches exactly the listed users and reports an unknown uid and a uid on an
//      unknown frontend as failed;
//  (b2) push_to_frontend (receivers already grouped by frontend) reaches exactly the listed users
//      of that frontend, over RPC and on the frontend itself, reports the unknown ones as failed,
//      and refuses a bad uid list or an empty frontend id with SHD_ERR_INVALID, pushing nothing;
//  (c) broadcast reaches every session of every connector, or only bound ones;
//  (f) leave, close, destroy and user amount, and Pomelo's old pushMessage({route, ...}) form.
// Usage: node cluster_test.js
'use strict';
const { check, summary, writeAppDir, startHost, wireMember, jsMember, inBatches, freePort, sleep, waitFor } =
  require('./channel_harness');

const MEMBERS = 500;
const SENDERS = 10;
const SAYS = 10;

async function startCluster() {
  const ports = [];
  for (let i = 0; i < 6; i++) ports.push(await freePort());
  const dir = writeAppDir('shd-channel-', {
    'master.json': { id: 'master-server-1', host: '127.0.0.1', port: ports[0] },
    'servers.json': {
      connector: [
        { id: 'connector-server-1', host: '127.0.0.1', port: ports[1], clientPort: ports[2], frontend: true },
        { id: 'connector-server-2', host: '127.0.0.1', port: ports[3], clientPort: ports[4], frontend: true },
      ],
      room: [{ id: 'room-server-1', host: '127.0.0.1', port: ports[5] }],
    },
    'plugins.json': {
      plugins: [
        { name: 'cluster', serverTypes: '*' },
        { name: 'rpc', serverTypes: ['connector', 'room'], options: { timeout: 10000 } },
        { name: 'server', serverTypes: ['connector', 'room'] },
        { name: 'channel', serverTypes: ['connector', 'room'] },
        { name: 'pomelo_protocol', serverTypes: 'connector' },
        { name: 'connector', serverTypes: 'connector' },
      ],
      app: { name: 'channel_test', serverTypes: ['connector', 'room'] },
    },
  });
  const cluster = await startHost(dir, /all servers startup in/);
  cluster.clientPorts = { 'connector-server-1': ports[2], 'connector-server-2': ports[4] };
  return cluster;
}

const frontendOf = (i) => (i % 2 ? 'connector-server-2' : 'connector-server-1');

async function bigRoom(cluster) {
  // Members: alternate connectors; per connector alternate raw TCP and WebSocket; 4 npm clients.
  const t0 = Date.now();
  const members = await inBatches([...Array(MEMBERS).keys()], 50, (i) => {
    const port = cluster.clientPorts[frontendOf(i)];
    const uid = 'u' + i;
    if (i < 4) return jsMember({ port, uid, rid: 'big', routes: ['onSay', 'onWhisper', 'onTold', 'onBroadcast'] });
    return wireMember({ port, transport: Math.floor(i / 2) % 2 ? 'tcp' : 'ws', uid, rid: 'big' });
  });
  console.log(`     ${MEMBERS} members joined in ${Date.now() - t0} ms`);
  const info = await members[0].request('room.roomHandler.info', { rid: 'big', uid: 'u1' });
  check(`${MEMBERS} members in the room on the backend`, info.amount === MEMBERS && info.members.length === MEMBERS &&
        new Set(info.members).size === MEMBERS, `amount ${info.amount}`);
  check('getMember gives the member\'s frontend', info.member && info.member.sid === 'connector-server-2', JSON.stringify(info.member));

  // (a) 10 senders on both connectors pipeline 10 says each.
  const t1 = Date.now();
  const senders = members.filter((_, i) => i % Math.floor(MEMBERS / SENDERS) === 1).slice(0, SENDERS);
  const answers = await Promise.all(senders.flatMap((s) =>
    [...Array(SAYS).keys()].map((seq) => s.request('room.roomHandler.say', { text: `${s.uid}:${seq}`, seq }))));
  const total = SENDERS * SAYS;
  await waitFor(() => members.every((m) => (m.pushes.onSay || []).length >= total), 20000, 'every push').catch(() => {});
  console.log(`     ${total} pushes x ${MEMBERS} members delivered in ${Date.now() - t1} ms`);
  await sleep(100);
  check('every say is answered with no failed uid', answers.every((a) => a.code === 200 && a.failed.length === 0),
        JSON.stringify(answers.find((a) => a.code !== 200 || a.failed.length)));
  let exact = 0, ordered = 0;
  for (const m of members) {
    const got = m.pushes.onSay || [];
    if (got.length === total) exact++;
    const bySender = {};
    for (const b of got) (bySender[b.from] = bySender[b.from] || []).push(b.seq);
    if (senders.every((s) => JSON.stringify(bySender[s.uid]) === JSON.stringify([...Array(SAYS).keys()]))) ordered++;
  }
  check(`each of ${MEMBERS} members receives all ${total} pushes exactly once`, exact === MEMBERS, `${exact}/${MEMBERS}`);
  check('each member receives each sender\'s pushes in order', ordered === MEMBERS, `${ordered}/${MEMBERS}`);
  check('the real npm client receives them too', members.slice(0, 4).every((m) => (m.pushes.onSay || []).length === total));
  return members;
}

async function pushByUids(members) {
  const [u0, u1, u2, u3] = members;
  const answer = await u0.request('room.roomHandler.whisper', {
    text: 'psst',
    receivers: [
      { uid: 'u1', sid: 'connector-server-2' },
      { uid: 'u2', sid: 'connector-server-1' },
      { uid: 'ghost', sid: 'connector-server-1' },
      { uid: 'u3', sid: 'connector-server-9' },
    ],
  });
  await waitFor(() => (u1.pushes.onWhisper || []).length && (u2.pushes.onWhisper || []).length, 5000, 'whisper').catch(() => {});
  await sleep(200);
  check('pushMessageByUids reports the unknown uid and the uid on an unknown frontend as failed',
        answer.code === 200 && JSON.stringify([...answer.failed].sort()) === '["ghost","u3"]', JSON.stringify(answer));
  check('the listed users on both connectors receive it once, with its body',
        [u1, u2].every((m) => (m.pushes.onWhisper || []).length === 1 && m.pushes.onWhisper[0].text === 'psst' &&
                              m.pushes.onWhisper[0].from === 'u0'));
  const others = members.filter((m) => m !== u1 && m !== u2 && (m.pushes.onWhisper || []).length);
  check('nobody else receives it', others.length === 0 && !(u3.pushes.onWhisper || []).length, others.map((m) => m.uid).join());
}

async function pushToFrontend(members) {
  const [u0, u1, u2, u3] = members;  // u1 on connector-server-2, u2 on connector-server-1
  const told = (m) => (m.pushes.onTold || []).length;
  const tell = (sid, uidsJson, text) => u0.request('room.roomHandler.tell', { sid, uidsJson, text });

  const remote = await tell('connector-server-2', '["u1","ghost"]', 'over rpc');
  await waitFor(() => told(u1), 5000, 'tell').catch(() => {});
  check('push_to_frontend reaches the listed user of that frontend and reports the unknown uid as failed',
        remote.code === 200 && JSON.stringify(remote.failed) === '["ghost"]' && told(u1) === 1 &&
        u1.pushes.onTold[0].text === 'over rpc', JSON.stringify(remote));

  const local = await u2.request('connector.entryHandler.tellHere', { uids: ['u2', 'nobody'], text: 'here' });
  await waitFor(() => told(u2), 5000, 'tellHere').catch(() => {});
  check('push_to_frontend on the frontend itself reaches its session and reports the unknown uid',
        local.code === 200 && JSON.stringify(local.failed) === '["nobody"]' && told(u2) === 1 &&
        u2.pushes.onTold[0].text === 'here', JSON.stringify(local));

  const away = await tell('connector-server-9', '["u3"]', 'lost');
  check('push_to_frontend to an unknown frontend fails and names its uids',
        away.code === 500 && JSON.stringify(away.failed) === '["u3"]', JSON.stringify(away));

  const bad = [];
  for (const [sid, uidsJson] of [['connector-server-2', 'u1'], ['connector-server-2', '[]'], ['connector-server-2', '["u1",2]'],
                                 ['connector-server-2', '{"uid":"u1"}'], ['connector-server-2', '["u1"'], ['', '["u1"]']])
    bad.push(await tell(sid, uidsJson, 'refused'));
  await sleep(300);
  check('push_to_frontend refuses a bad uid list or an empty frontend id (SHD_ERR_INVALID)',
        bad.every((a) => a.code === 500 && a.status === 1), JSON.stringify(bad));
  const others = members.filter((m) => (m.pushes.onTold || []).some((p) => p.text !== 'over rpc' && p.text !== 'here'));
  check('nobody else receives a push_to_frontend, and a refused one reaches nobody',
        others.length === 0 && told(u1) === 1 && told(u2) === 1 && !told(u3) &&
        members.filter((m) => told(m)).length === 2, others.map((m) => m.uid).join());
}

async function broadcast(cluster, members) {
  const loners = [];
  for (const port of Object.values(cluster.clientPorts))
    loners.push(await wireMember({ port, transport: 'ws' }));  // handshaken, never bound
  const everyone = [...members, ...loners];
  const count = (m) => (m.pushes.onBroadcast || []).length;

  const all = await members[7].request('room.roomHandler.broadcast', { text: 'to all' });
  await waitFor(() => everyone.every((m) => count(m) >= 1), 10000, 'broadcast').catch(() => {});
  check('broadcast is answered with success', all.code === 200 && all.status === 0, JSON.stringify(all));
  check('broadcast reaches every session of both connectors, bound or not, once',
        everyone.every((m) => count(m) === 1 && m.pushes.onBroadcast[0].text === 'to all'),
        `${everyone.filter((m) => count(m) === 1).length}/${everyone.length}`);

  const bound = await members[8].request('room.roomHandler.broadcast', { text: 'bound only', bound: true });
  await waitFor(() => members.every((m) => count(m) >= 2), 10000, 'bound broadcast').catch(() => {});
  await sleep(200);
  check('a bound-only broadcast reaches every bound session', bound.code === 200 && members.every((m) => count(m) === 2),
        `${members.filter((m) => count(m) === 2).length}/${members.length}`);
  check('and no unbound session', loners.every((m) => count(m) === 1));
  for (const l of loners) l.close();
}

async function semantics(cluster, members) {
  const [u0] = members;
  const info = (rid, uid) => u0.request('room.roomHandler.info', { rid, uid });
  const dup = await u0.request('room.roomHandler.add', { rid: 'big', uid: 'u1', sid: 'connector-server-1' });
  check('adding a member twice answers SHD_ERR_EXISTS (8)', dup.status === 8, JSON.stringify(dup));
  const wrong = await u0.request('room.roomHandler.leaveRaw', { rid: 'big', uid: 'u1', sid: 'connector-server-1' });
  check('leaving with another frontend id answers SHD_ERR_NOT_FOUND (5)', wrong.status === 5, JSON.stringify(wrong));

  // An explicit leave, and a closed session, both take the member out.
  const u5 = members[5], u6 = members[6];
  const left = await u5.request('connector.entryHandler.leave', {});
  check('a member leaves: user amount drops by one', left.status === 0 && left.amount === MEMBERS - 1, JSON.stringify(left));
  u6.close();
  await waitFor(async () => (await info('big', 'u6')).amount === MEMBERS - 2, 5000, 'close -> leave').catch(() => {});
  const after = await info('big', 'u6');
  check('a closed session leaves too (its app calls leave)', after.amount === MEMBERS - 2 && after.member === null,
        JSON.stringify({ amount: after.amount, member: after.member }));

  const before5 = (u5.pushes.onSay || []).length;
  const old = await u0.request('room.roomHandler.sayOld', { text: 'old form' });
  await waitFor(() => (members[1].pushes.onSay || []).some((b) => b.text === 'old form'), 5000, 'old form').catch(() => {});
  await sleep(200);
  const oldBody = (members[1].pushes.onSay || []).find((b) => b.text === 'old form');
  check('Pomelo\'s old pushMessage({route, ...}) pushes on that route with the whole object as body',
        old.code === 200 && oldBody && oldBody.route === 'onSay' && oldBody.from === 'u0', JSON.stringify(oldBody));
  check('the member who left receives no more pushes', (u5.pushes.onSay || []).length === before5);

  // A second room: destroy.
  const port = cluster.clientPorts['connector-server-1'];
  const t1 = await wireMember({ port, transport: 'ws', uid: 'tiny-1', rid: 'tiny' });
  const t2 = await wireMember({ port, transport: 'tcp', uid: 'tiny-2', rid: 'tiny' });
  check('a second room counts its own members', t2.join.amount === 2, JSON.stringify(t2.join));
  const destroyed = await t1.request('room.roomHandler.destroy', { rid: 'tiny' });
  const gone = await info('tiny', 'tiny-1');
  check('destroy removes the channel and its members', destroyed.status === 0 && !gone.exists && gone.amount === 0 &&
        gone.member === null, JSON.stringify([destroyed, gone]));
  const say = await t1.request('room.roomHandler.say', { text: 'anyone?', seq: 0 });
  check('pushing to a destroyed channel answers SHD_ERR_NOT_FOUND (5)', say.status === 5, JSON.stringify(say));
  const again = await t1.request('room.roomHandler.destroy', { rid: 'tiny' });
  check('destroying it again answers SHD_ERR_NOT_FOUND (5)', again.status === 5, JSON.stringify(again));
  check('the big room is untouched', (await info('big', 'u1')).amount === MEMBERS - 2);
  t1.close();
  t2.close();
}

async function main() {
  const t0 = Date.now();
  let cluster;
  try {
    cluster = await startCluster();
    check('master, 2 connectors and a room server start', true);
    const members = await bigRoom(cluster);
    await pushByUids(members);
    await pushToFrontend(members);
    await broadcast(cluster, members);
    await semantics(cluster, members);
    for (const m of members) m.close();
  } catch (e) {
    check('no exception', false, e.stack + (cluster ? '\n' + cluster.output.slice(-3000) : ''));
  } finally {
    if (cluster) {
      const exit = await cluster.stop();
      check('the cluster stops cleanly', exit.code === 0, JSON.stringify(exit) + '\n' + cluster.output.slice(-2000));
    }
  }
  console.log(`     ${Date.now() - t0} ms in all`);
  process.exit(summary());
}
main();
