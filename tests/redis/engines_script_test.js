// tools/engines.sh up|status|down with a state folder of its own: Redis starts with a generated
// password and answers it, status finds it, a second up keeps it, down stops it (the process is gone,
// its folder removed), and the next up takes the same port and password again.
// Usage: node engines_script_test.js (CTest: redis.engines_script)
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { check, summary } = require('./redis_harness');

const SCRIPT = path.join(__dirname, '..', '..', 'tools', 'engines.sh');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shd-engines-state-'));
const env = { ...process.env, SHADDOCK_ENGINES_DIR: dir };
const run = (...args) => spawnSync(SCRIPT, args, { env, encoding: 'utf8', timeout: 120000 });
const state = () => JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8'));
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
const ping = (e) => { try { return execFileSync('redis-cli', ['-p', String(e.port), '-a', e.password, '--no-auth-warning', 'PING'], { encoding: 'utf8' }).trim(); } catch { return ''; } };

try {
  const up = run('up', '--only', 'redis');
  check('up starts Redis', up.status === 0 && /redis\s+redis:\/\/127\.0\.0\.1:\d+ password [0-9a-f]{24}/.test(up.stdout), up.stdout + up.stderr);
  const first = state().engines.redis;
  check('the state file is private (0600)', (fs.statSync(path.join(dir, 'state.json')).mode & 0o777) === 0o600);
  check('Redis answers with the generated password', ping(first) === 'PONG');
  const st = run('status');
  check('status finds it', st.status === 0 && st.stdout.includes(`127.0.0.1:${first.port}`), st.stdout);
  const again = run('up', '--only', 'redis');
  check('a second up keeps the running engines', again.status === 0 && /already up/.test(again.stdout) && state().engines.redis.pid === first.pid);
  const down = run('down');
  check('down stops them', down.status === 0 && !alive(first.pid) && !fs.existsSync(first.dir) && !fs.existsSync(path.join(dir, 'state.json')),
        down.stdout + down.stderr);
  check('status says down (exit 3)', run('status').status === 3);
  const up2 = run('up', '--only', 'redis');
  const second = up2.status === 0 ? state().engines.redis : {};
  check('the next up takes the same port and password', second.port === first.port && second.password === first.password && ping(second) === 'PONG',
        JSON.stringify({ first: first.port, second: second.port }));
  run('down', '--forget');
  check('down --forget drops the kept port and password', !fs.existsSync(path.join(dir, 'kept.json')));
} finally {
  run('down');
  fs.rmSync(dir, { recursive: true, force: true });
}
process.exit(summary());
