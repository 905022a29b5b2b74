// The Redis plugins when Redis misbehaves, on a lone connector running status and global_channel:
//  (a) Redis down at start: the server starts, calls fail at once (i/o error, no wait), and once
//      Redis is up the plugin connects by itself and writes back the sessions bound meanwhile;
//  (b) Redis restarted mid-traffic (empty, no persistence): every call in flight is answered (an
//      error or a result, never a hang), later calls work, the online status is written back;
//  (c) Redis hung (SIGSTOP): calls fail with a timeout, not a hang; after SIGCONT they work again;
//  (d) a wrong password: the server runs, calls fail, Redis's refusal is logged, the password is not;
//  (e) an ACL user (user + password) works;
//  (f) production without a password refuses to start, naming the option.
// Usage: node engine_failures_test.js (CTest: redis.engine_failures)
'use strict';
const engines = require('../../tools/node/engines');
const { check, summary, wireMember, sleep, waitFor, startLone, redisOptions, within, PASSWORD } = require('./redis_harness');

const SELF = 'connector-server-1';
const IO = 10, TIMEOUT = 7;

async function downAtStart(redis) {
  await redis.stop();
  const lone = await startLone(redisOptions(redis));
  try {
    check('(a) the server starts with Redis down', !lone.exited);
    // The first connection attempt runs after the start (on the link's thread): its line may come later.
    const outage = /redis 127\.0\.0\.1:\d+ unavailable \(status\)/;
    await waitFor(() => outage.test(lone.output), 5000, 'the outage line').catch(() => {});
    check('(a) the outage is logged', outage.test(lone.output), lone.output.slice(-800));
    const alice = await wireMember({ port: lone.clientPort, transport: 'tcp', uid: 'alice' });
    const t0 = Date.now();
    const r = await within(alice.request('connector.statusHandler.sids', { uid: 'alice' }), 5000, 'sids while down');
    check('(a) a call while Redis is down fails at once with an i/o error', r.status === IO && Date.now() - t0 < 1000,
          `${JSON.stringify(r)} in ${Date.now() - t0} ms`);
    const g = await within(alice.request('connector.globalHandler.add', { name: 'w', uid: 'alice', sid: SELF }), 5000, 'add');
    check('(a) global_channel too', g.status === IO, JSON.stringify(g));
    await redis.start();
    let back = null;
    await waitFor(async () => {
      back = await alice.request('connector.statusHandler.sids', { uid: 'alice' });
      return back.status === 0 && back.sids.length === 1;
    }, 10000, 'reconnect').catch(() => {});
    check('(a) once Redis is up: connected by itself, and the session bound meanwhile is written back',
          back && back.status === 0 && JSON.stringify(back.sids) === JSON.stringify([SELF]), JSON.stringify(back));
    alice.close();
  } finally {
    await lone.stop();
  }
}

async function restartMidTraffic(redis) {
  const lone = await startLone(redisOptions(redis));
  try {
    const alice = await wireMember({ port: lone.clientPort, transport: 'ws', uid: 'alice' });
    const bob = await wireMember({ port: lone.clientPort, transport: 'tcp', uid: 'bob' });
    let stopTraffic = false;
    const outcomes = { ok: 0, failed: 0, hung: 0, slowest: 0 };
    const worker = async (c, i) => {
      while (!stopTraffic) {
        const t0 = Date.now();
        try {
          const route = i % 2 ? 'connector.statusHandler.many' : 'connector.globalHandler.add';
          const msg = i % 2 ? { uids: ['alice', 'bob'] } : { name: 'busy', uid: 'u' + i, sid: SELF };
          const r = await within(c.request(route, msg), 5000, 'call');
          if (r.status === 0) outcomes.ok++; else outcomes.failed++;
        } catch (e) {
          outcomes.hung++;
        }
        outcomes.slowest = Math.max(outcomes.slowest, Date.now() - t0);
      }
    };
    const traffic = [...Array(8).keys()].map((i) => worker(i % 2 ? alice : bob, i));
    await sleep(500);
    const before = outcomes.ok;
    await redis.stop();
    await sleep(700);
    const duringFailed = outcomes.failed;
    await redis.start();
    await sleep(1500);
    stopTraffic = true;
    await Promise.all(traffic);
    console.log(`     traffic: ${JSON.stringify(outcomes)}`);
    check('(b) calls worked before the restart', before > 20, `${before}`);
    check('(b) calls during the outage failed with an error', duringFailed > 0, JSON.stringify(outcomes));
    check('(b) no call hung (each answered within 5 s)', outcomes.hung === 0, JSON.stringify(outcomes));
    check('(b) calls worked again after the restart', outcomes.ok > before, JSON.stringify(outcomes));
    const s = await alice.request('connector.statusHandler.many', { uids: ['alice', 'bob', 'ghost'] });
    check('(b) Redis restarted empty, yet the online status is back (written back on reconnection)',
          s.status === 0 && JSON.stringify(s.online) === '{"alice":true,"bob":true,"ghost":false}', JSON.stringify(s));

    // (c)
    redis.pause();
    const t0 = Date.now();
    let hung = null;
    try {
      hung = await within(alice.request('connector.statusHandler.sids', { uid: 'alice' }), 6000, 'sids while paused');
    } catch (e) {
      hung = { error: e.message };
    }
    const took = Date.now() - t0;
    redis.resume();
    check('(c) a call to a hung Redis fails with a timeout (commandTimeout 1000 ms)', hung.status === TIMEOUT && took < 3000,
          `${JSON.stringify(hung)} in ${took} ms`);
    let later = null;
    await waitFor(async () => {
      later = await alice.request('connector.statusHandler.sids', { uid: 'alice' });
      return later.status === 0 && later.sids.length === 1;
    }, 8000, 'after resume').catch(() => {});
    check('(c) after SIGCONT calls work again', later && later.status === 0 && later.sids[0] === SELF, JSON.stringify(later));
    alice.close();
    bob.close();
  } finally {
    await lone.stop();
  }
}

async function wrongPassword(redis) {
  const wrong = 'not-the-password-' + Date.now();
  const lone = await startLone({ ...redisOptions(redis), password: wrong });
  try {
    const c = await wireMember({ port: lone.clientPort, transport: 'tcp', uid: 'carol' });
    const r = await within(c.request('connector.statusHandler.one', { uid: 'carol' }), 5000, 'one');
    check('(d) wrong password: the server runs and calls fail with an i/o error', r.status === IO, JSON.stringify(r));
    check('(d) Redis\'s refusal is logged', /authentication refused: WRONGPASS|authentication refused: ERR invalid password/.test(lone.output),
          lone.output.slice(-600));
    check('(d) the password is never logged', !lone.output.includes(wrong) && !lone.output.includes(PASSWORD));
    c.close();
  } finally {
    await lone.stop();
  }
}

async function aclUser() {
  const acl = await engines.start('redis', { user: 'shaddock', password: PASSWORD });
  const lone = await startLone({ ...redisOptions(acl), user: 'shaddock' });
  try {
    const c = await wireMember({ port: lone.clientPort, transport: 'tcp', uid: 'erin' });
    let r = null;
    await waitFor(async () => {
      r = await c.request('connector.statusHandler.sids', { uid: 'erin' });
      return r.status === 0 && r.sids.length === 1;
    }, 5000, 'acl').catch(() => {});
    check('(e) an ACL user with its password works', r && r.status === 0 && r.sids[0] === SELF, JSON.stringify(r));
    c.close();
  } finally {
    await lone.stop();
    await acl.close();
  }
}

async function productionWithoutPassword(redis) {
  const lone = await startLone({ port: redis.port }, { env: 'production', mayExit: true, ready: /is running with|refuses to start/ });
  const exit = await lone.exit;
  check('(f) production without a Redis password refuses to start', exit.code !== 0 && /option password: the status plugin refuses to start in production/.test(lone.output),
        `${JSON.stringify(exit)} ${lone.output.slice(-600)}`);
  await lone.stop();
}

async function main() {
  const redis = await engines.start('redis', { password: PASSWORD });
  try {
    await downAtStart(redis);
    await restartMidTraffic(redis);
    await wrongPassword(redis);
    await aclUser();
    await productionWithoutPassword(redis);
  } finally {
    await engines.closeAll();
  }
  return summary();
}

main().then((code) => process.exit(code), (e) => { console.error(e); process.exit(1); });
