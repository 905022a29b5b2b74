'use strict';
// The benchmark driver's output: the machine it ran on, the summary table (one line per figure, with
// the ratios), and every run's details, as markdown.
const fs = require('node:fs');
const os = require('node:os');

function machine() {
  let cpu = os.cpus()[0] ? os.cpus()[0].model : 'unknown';
  try {
    const m = /model name\s*:\s*(.*)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpu = m[1].trim();
  } catch (e) {
    // not Linux
  }
  return {
    date: new Date().toISOString(),
    cpu,
    cores: os.cpus().length,
    ramGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
  };
}

// The run that counts for a row and server (for repeated rows, the one marked best).
const find = (results, row, label) =>
  results.find((r) => r.row === row && r.label === label && r.best !== false);
const ratio = (a, b) => (a != null && b ? a / b : null);

// One line per figure: {row, figure, unit, better, cells: {label: {value, note}}, ratios: {name: x}}.
function table(results, load) {
  const lines = [];
  const echoLine = (row, figure, labels, ratios) => {
    const cells = {};
    for (const l of labels) {
      const r = find(results, row, l);
      if (r) cells[l] = { value: r.requestsPerSecond, note: `p50 ${fmt(r.p50Ms, 2)} / p99 ${fmt(r.p99Ms, 2)} ms` };
    }
    if (!Object.keys(cells).length) return;
    const rs = {};
    for (const [name, a, b] of ratios) rs[name] = ratio(cells[a] && cells[a].value, cells[b] && cells[b].value);
    lines.push({ row, figure, unit: 'req/s', better: 'higher', cells, ratios: rs });
  };
  echoLine('echo_local', `connector-local echo, ${load.echoUsers} users x 4 in flight`, ['Shaddock', 'Pomelo', 'limit server'],
           [['Shaddock/Pomelo', 'Shaddock', 'Pomelo'], ['Shaddock/limit', 'Shaddock', 'limit server']]);
  const forwarded = [['Shaddock/Pomelo', 'Shaddock', 'Pomelo'], ['Shaddock/Pomelo+NODELAY', 'Shaddock', 'Pomelo + TCP_NODELAY']];
  echoLine('echo_forwarded', `echo forwarded to a backend, ${load.echoUsers} users x 4 in flight`, ['Shaddock', 'Pomelo', 'Pomelo + TCP_NODELAY'],
           forwarded);
  echoLine('echo_forwarded_single', 'echo forwarded to a backend, 1 user x 4 in flight', ['Shaddock', 'Pomelo', 'Pomelo + TCP_NODELAY'],
           forwarded);
  echoLine('echo_forwarded_nats', `echo forwarded to a backend, ${load.echoUsers} users x 4 in flight: RPC over NATS (other) against direct TCP (Shaddock)`,
           ['Shaddock', 'Shaddock, NATS RPC'], [['NATS/TCP', 'Shaddock, NATS RPC', 'Shaddock']]);
  // What forwarding costs: Shaddock's forwarded echo against its connector-local echo, both in this run.
  const local = find(results, 'echo_local', 'Shaddock');
  const fwd = lines.find((l) => l.row === 'echo_forwarded');
  if (fwd && fwd.cells.Shaddock) fwd.ratios['Shaddock forwarded/local'] = ratio(fwd.cells.Shaddock.value, local && local.requestsPerSecond);

  // One request at a time through frontend and backend: the figure is the round trip's median.
  const latency = {};
  for (const l of ['Shaddock', 'Pomelo', 'Pomelo + TCP_NODELAY']) {
    const r = find(results, 'echo_forwarded_latency', l);
    if (r) latency[l] = { value: r.p50Ms, note: `p99 ${fmt(r.p99Ms, 2)} ms, ${fmt(r.requestsPerSecond)} req/s` };
  }
  if (Object.keys(latency).length) {
    const rs = {};
    for (const l of ['Pomelo', 'Pomelo + TCP_NODELAY'])
      rs[`Shaddock/${l.replace(' + TCP_NODELAY', '+NODELAY')}`] = ratio(latency.Shaddock && latency.Shaddock.value, latency[l] && latency[l].value);
    lines.push({ row: 'echo_forwarded_latency', figure: 'echo forwarded to a backend, 1 user x 1 in flight: p50 round trip', unit: 'ms',
                 better: 'lower', cells: latency, ratios: rs, digits: 3 });
  }

  const pair = (row, figure, unit, better, value, note, labels = ['Shaddock', 'Pomelo']) => {
    const cells = {};
    for (const l of labels) {
      const r = find(results, row, l);
      if (r) cells[l] = { value: value(r), note: note(r) };
    }
    if (!Object.keys(cells).length) return;
    const ratios = {};
    for (const l of labels.slice(1))
      ratios[`Shaddock/${l.replace(' + TCP_NODELAY', '+NODELAY')}`] = ratio(cells.Shaddock && cells.Shaddock.value, cells[l] && cells[l].value);
    lines.push({ row, figure, unit, better, cells, ratios });
  };
  pair('broadcast', `channel broadcast, ${load.broadcastUsers} users in one room: max sustained deliveries/s (push p99 <= 100 ms)`,
       'deliveries/s', 'higher', (r) => r.deliveriesPerSecond,
       (r) => `best of ${(r.allRuns || [r.deliveriesPerSecond]).map((x) => fmt(x)).join(' / ')}`, ['Shaddock', 'Pomelo', 'Pomelo + TCP_NODELAY']);
  pair('idle', `${load.idleUsers} idle heartbeating connections: connector RSS per connection`, 'bytes', 'lower',
       (r) => r.bytesPerConnection, (r) => `${r.connections} connections, ${fmt(r.rssBeforeKiB / 1024, 1)} -> ${fmt(r.rssPeakKiB / 1024, 1)} MiB`);
  pair('startup', 'cluster startup, master + 4 servers ("all servers startup in")', 'ms', 'lower',
       (r) => r.loggedMs, (r) => `launch to ready ${r.wallMs} ms (median of ${r.runs.length})`);
  const floodLabels = ['Shaddock', 'Shaddock + 1 flooder', 'Shaddock + 1 flooder, rateLimit off'];
  const floodCells = {};
  for (const l of floodLabels) {
    const r = find(results, 'flood', l);
    if (!r) continue;
    const f = r.flooder;
    const sent = f && f.bytes != null ? `; flooder wrote ${fmt(f.bytes / 1048576, 0)} MiB${f.closedByServer ? ', was cut off' : ''}` : '';
    floodCells[l] = { value: r.p99Ms, note: `p50 ${fmt(r.p50Ms, 2)} ms, ${fmt(r.requestsPerSecond)} req/s, ${r.errors} errors, ` +
                      `RSS ${fmt(r.rssBeforeKiB / 1024, 1)} -> ${fmt(r.rssPeakKiB / 1024, 1)} MiB${sent}` };
  }
  if (Object.keys(floodCells).length) {
    const base = floodCells.Shaddock && floodCells.Shaddock.value;
    const ratios = {};
    for (const l of floodLabels.slice(1)) ratios[`${l.replace('Shaddock + ', '')}/alone`] = ratio(floodCells[l] && floodCells[l].value, base);
    lines.push({ row: 'flood', figure: `p99 of ${load.floodUsers} well-behaved clients (one echo at a time), with and without one flooder`,
                 unit: 'ms', better: 'lower', cells: floodCells, ratios, digits: 2 });
  }
  // The MMO's capacity per scene against lordofpomelo's published figures (8 cores, not measured here).
  const published = { walk: 800, fight: 486, mixed: 558 };
  for (const mode of Object.keys(published)) {
    const r = find(results, 'mmo_' + mode, 'Shaddock');
    if (!r) continue;
    const last = r.steps[r.steps.length - 1];
    const passed = r.steps.filter((s) => s.users === r.maxUsers)[0];
    const note = passed ? `at ${passed.users}: success ${fmt(passed.success * 100, 2)} %, p99 ${fmt(passed.gameP99Ms, 1)} ms, load avg ${passed.loadAfter[0]}` : 'no step passed';
    const stop = last && last.users !== r.maxUsers ? `; ${last.users} failed: success ${fmt(last.success * 100, 2)} %, p99 ${fmt(last.gameP99Ms, 1)} ms, load avg ${last.loadAfter[0]}` : '';
    lines.push({ row: 'mmo_' + mode, figure: `MMO demo, one scene, ${mode}: max concurrent players (success >= 99.5 %, move/attack p99 <= 200 ms)`,
                 unit: 'players', better: 'higher',
                 cells: { Shaddock: { value: r.maxUsers, note: note + stop },
                          'lordofpomelo published (8 cores)': { value: published[mode], note: 'published figure, not measured here' } },
                 ratios: { 'Shaddock/published': ratio(r.maxUsers, published[mode]) } });
  }
  return lines;
}

function fmt(x, digits = 0) {
  if (x == null || Number.isNaN(x)) return 'n/a';
  return Number(x).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

// Two decimals, or two significant digits below 0.1 (Shaddock/Pomelo 0.0020x, not 0.00x).
function fmtRatio(v) {
  if (v == null || Number.isNaN(v)) return 'n/a';
  return (v >= 0.1 ? fmt(v, 2) : Number(v).toPrecision(2)) + 'x';
}

function markdown(info, lines, results = []) {
  const out = [];
  out.push(`# Shaddock benchmarks (${info.mode} run)`, '');
  out.push(`${info.date}. Machine: ${info.cpu}, ${info.cores} cores, ${info.ramGiB} GiB RAM, ${info.kernel}, Node ${info.node}.`);
  out.push('Servers and load tool on the same machine: the load tool takes CPU from the servers (its share is in the details).', '');
  out.push('| figure | Shaddock | Pomelo 2.2.7 | other | ratios |', '|---|---|---|---|---|');
  for (const l of lines) {
    const cell = (label) => (l.cells[label] ? `${fmt(l.cells[label].value, l.digits || 0)} ${l.unit}<br>${l.cells[label].note}` : '');
    const others = Object.keys(l.cells).filter((k) => k !== 'Shaddock' && k !== 'Pomelo');
    const other = others.map((k) => `${k}: ${cell(k)}`).join('<br>');
    const ratios = Object.entries(l.ratios).map(([k, v]) => `${k} ${fmtRatio(v)}`).join('<br>');
    out.push(`| ${l.figure} (${l.better} is better) | ${cell('Shaddock')} | ${cell('Pomelo')} | ${other} | ${ratios} |`);
  }
  if (results.length) {
    out.push('', '## Every run', '', '| benchmark | server | req/s | p50 ms | p99 ms | deliveries/s | errors | server CPU % | robot CPU % | connector RSS MiB (before -> peak) |',
             '|---|---|---|---|---|---|---|---|---|---|');
    for (const r of results) {
      if (r.row.startsWith('mmo_')) {
        out.push(`| ${r.row} | ${r.label} | | | | | | | | steps: ${r.steps.map((x) => `${x.users}: ${fmt(x.success * 100, 2)} % / p99 ${fmt(x.gameP99Ms, 1)} ms`).join(', ')} |`);
        continue;
      }
      if (r.row === 'startup') {
        out.push(`| startup | ${r.label} | | | | | | | | runs: ${r.runs.map((x) => `${x.loggedMs} ms logged / ${x.wallMs} ms wall`).join(', ')} |`);
        continue;
      }
      const deliveries = r.row === 'broadcast' ? `${fmt(r.deliveriesPerSecond)} (stopped by ${r.stoppedBy || '?'})` : '';
      out.push(`| ${r.row} | ${r.label} | ${fmt(r.requestsPerSecond)} | ${fmt(r.p50Ms, 2)} | ${fmt(r.p99Ms, 2)} | ${deliveries} | ${r.errors} | ` +
               `${fmt(r.serverCpuPercent)} | ${fmt(r.robotCpuPercent)} | ${fmt(r.rssBeforeKiB / 1024, 1)} -> ${fmt(r.rssPeakKiB / 1024, 1)} |`);
    }
  }
  out.push('', 'How each figure is measured, and how to reproduce it: docs/bench.md.', '');
  return out.join('\n');
}

module.exports = { machine, table, markdown, fmt };
