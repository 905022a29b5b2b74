#!/usr/bin/env node
// shd::bt against the npm pomelo-bt 0.0.1 package: bt_driver prints seeded random trees (every node
// type pomelo-bt has, both parallel policies, loops with and without a condition, empty composites)
// with scripted leaves, and the results and leaf trace of each tick of shd::bt; this script builds
// the same tree from pomelo-bt's constructors, with the same scripted leaves, ticks it as often, and
// checks that every tick gives the same result and reaches the same leaves in the same order.
// Environment: SHADDOCK_BT_DRIVER (the driver binary). Exit 77 (skipped) without `npm ci` in
// tests/game/reference.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const util = require('node:util');
const { Checks, requiredEnv } = require('../../tools/node/util');

let bt;
try {
  bt = require(path.join(__dirname, '..', 'game', 'reference', 'node_modules', 'pomelo-bt'));
} catch (e) {
  console.log('SKIPPED: pomelo-bt is not installed (npm ci in tests/game/reference): ' + e.message);
  process.exit(77);
}

const driver = requiredEnv('SHADDOCK_BT_DRIVER');
const run = spawnSync(driver, process.argv.slice(2), { encoding: 'utf8', maxBuffer: 1 << 28 });
if (run.status !== 0) {
  console.error(run.stderr);
  console.error(`bt_driver exited with ${run.status}`);
  process.exit(1);
}

// A scripted action, as pomelo-bt's README writes actions: a Node subclass with doAction.
function Scripted(blackboard, id, script) {
  bt.Node.call(this, blackboard);
  this.id = id;
  this.script = script;
  this.calls = 0;
}
util.inherits(Scripted, bt.Node);
Scripted.prototype.doAction = function () {
  const r = this.script[this.calls++ % this.script.length];
  this.blackboard.trace.push(`a${this.id}:${r}`);
  return Number(r);
};

function build(d, blackboard, conditions) {
  const cond = (name) => (bb) => {
    const script = conditions[name];
    const value = script[bb.calls[name]++ % script.length] === 't';
    bb.trace.push(`${name}:${value ? 't' : 'f'}`);
    return value;
  };
  switch (d.type) {
    case 'sequence': case 'select': case 'parallel': {
      const opts = { blackboard };
      if (d.type === 'parallel' && d.policy) {
        opts.policy = d.policy === 'failOnAll' ? bt.Parallel.POLICY_FAIL_ON_ALL : bt.Parallel.POLICY_FAIL_ON_ONE;
      }
      const Ctor = { sequence: bt.Sequence, select: bt.Select, parallel: bt.Parallel }[d.type];
      const node = new Ctor(opts);
      for (const c of d.children) node.addChild(build(c, blackboard, conditions));
      return node;
    }
    case 'condition': return new bt.Condition({ blackboard, cond: cond(d.cond) });
    case 'if': return new bt.If({ blackboard, cond: cond(d.cond), action: build(d.action, blackboard, conditions) });
    case 'loop': return new bt.Loop({ blackboard, child: build(d.child, blackboard, conditions),
                                      loopCond: d.loopCond ? cond(d.loopCond) : undefined });
    case 'action': return new Scripted(blackboard, d.args.id, d.args.script);
    default: throw new Error(`node type ${d.type} is not in pomelo-bt`);
  }
}

const checks = new Checks();
const seen = { wait: 0, success: 0, failure: 0, trees: 0, ticks: 0, types: new Set(), policies: new Set() };
const note = (d) => {
  seen.types.add(d.type + (d.type === 'loop' && !d.loopCond ? ' (no loopCond)' : '') +
                 (d.children && d.children.length === 0 ? ' (empty)' : ''));
  if (d.type === 'parallel') seen.policies.add(d.policy || 'default');
  for (const c of d.children || []) note(c);
  if (d.action) note(d.action);
  if (d.child) note(d.child);
};
const mismatches = [];
for (const line of run.stdout.split('\n')) {
  if (!line) continue;
  const o = JSON.parse(line);
  seen.trees++;
  note(o.tree);
  const blackboard = { trace: [], calls: {} };
  for (const name of Object.keys(o.conditions)) blackboard.calls[name] = 0;
  const root = build(o.tree, blackboard, o.conditions);
  for (let i = 0; i < o.results.length; i++) {
    blackboard.trace = [];
    const r = root.doAction();
    seen.ticks++;
    seen[['success', 'failure', 'wait'][r]]++;
    const ours = o.trace[i].join(' '), theirs = blackboard.trace.join(' ');
    if (r !== o.results[i] || ours !== theirs) {
      mismatches.push(`tree ${seen.trees - 1} tick ${i}: ours ${o.results[i]} [${ours}], pomelo-bt ${r} [${theirs}]\n` +
                      `    ${JSON.stringify(o.tree)}`);
      break;
    }
  }
}
console.log(`${seen.trees} trees, ${seen.ticks} ticks: ${seen.success} success, ${seen.failure} failure, ${seen.wait} wait`);
console.log(`node kinds covered: ${[...seen.types].sort().join(', ')}; parallel policies: ${[...seen.policies].sort().join(', ')}`);
(async () => {
  await checks.run('every tick gives pomelo-bt\'s result and reaches the same leaves in the same order', () => {
    if (mismatches.length) throw new Error(`${mismatches.length} tree(s) differ:\n  ` + mismatches.slice(0, 10).join('\n  '));
  });
  await checks.run('the trees covered every node type, empty composites, both policies and all three results', () => {
    const needed = ['sequence', 'select', 'parallel', 'condition', 'if', 'loop', 'action', 'loop (no loopCond)',
      'sequence (empty)', 'select (empty)', 'parallel (empty)'];
    const missing = needed.filter((t) => !seen.types.has(t));
    if (missing.length) throw new Error('not covered: ' + missing.join(', '));
    if (seen.policies.size < 3) throw new Error('parallel policies covered: ' + [...seen.policies].join(', '));
    if (seen.wait < 1000 || seen.success < 1000 || seen.failure < 1000) throw new Error('a result came up too rarely');
  });
  checks.finish();
})();
