// Prints bench/run.sh's results (one loadgen JSON line per server and scenario) as one
// Markdown table: each figure per server and the ratio Switchboard / peer. Fan-out results
// labelled "switchboard-sio" (Switchboard's own Socket.IO endpoint, results-sio.jsonl) become
// extra rows "…, Switchboard over Socket.IO" with that figure in the Switchboard column, compared
// with the Socket.IO peer only. Fan-out results labelled "switchboard-tls" (Switchboard over
// TLS, results-tls.jsonl) make a second table, "…, Switchboard over TLS": plain Switchboard,
// TLS and the ratio TLS / plain. Fan-out results from a file named *unbatched* (one publish in
// flight, run.sh's UNBATCHED) become rows "…, one publish in flight" for every server.
//   node bench/table.js results.jsonl [machine.txt] [results-sio.jsonl results-tls.jsonl results-unbatched.jsonl ...]
'use strict';
const fs = require('node:fs');

const args = process.argv.slice(2);
const machineFile = args.find((a) => a.endsWith('.txt'));
const lines = args.filter((a) => !a.endsWith('.txt') && fs.existsSync(a))
  .flatMap((f) => fs.readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))
    .map((l) => (/unbatched[^/]*$/.test(f) && l.scenario === 'fanout' ? { ...l, scenario: 'fanout1' } : l)));
const names = { switchboard: 'Switchboard', socketio: 'Socket.IO', ws: 'ws', raw: 'raw epoll', uws: 'uWS.js' };
const SIO = 'switchboard-sio';
const TLS = 'switchboard-tls';
const servers = [...new Set(lines.map((l) => l.label))].filter((s) => s !== SIO && s !== TLS);
// The Switchboard column also carries the Switchboard-over-Socket.IO rows.
if (lines.some((l) => l.label === SIO) && !servers.includes('switchboard')) servers.unshift('switchboard');
const peers = servers.filter((s) => s !== 'switchboard');
// scenario -> label -> [result of each round]
const runs = {};
for (const l of lines) ((runs[l.scenario] ??= {})[l.label] ??= []).push(l);
const median = (values) => {
  const v = values.filter((x) => typeof x === 'number' && !Number.isNaN(x)).sort((a, b) => a - b);
  if (!v.length) return undefined;
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};
// A proxy whose numeric leaves are the median over the rounds (arrays and objects are walked).
function medianOf(list) {
  const first = list[0];
  if (typeof first === 'number') return median(list);
  if (Array.isArray(first)) return first.map((_, i) => medianOf(list.map((x) => x?.[i])));
  if (first && typeof first === 'object') {
    const out = {};
    for (const key of Object.keys(first)) out[key] = medianOf(list.map((x) => x?.[key]));
    return out;
  }
  return first;
}
const results = {}; // scenario -> label -> median result
for (const [scenario, byLabel] of Object.entries(runs)) {
  results[scenario] = {};
  for (const [label, list] of Object.entries(byLabel)) results[scenario][label] = medianOf(list);
}

const rows = []; // { figure, values: {label: number|null}, text?: {label: string}, lower?: bool, loadBound?: {label: bool} }
const fmt = (v, decimals) => (v === null || v === undefined || Number.isNaN(v) ? '–'
  : decimals === 0 ? Math.round(v).toLocaleString('en-US') : v.toFixed(decimals));

function row(figure, pick, { decimals = 0, lower = false, text, loadBound } = {}) {
  const values = {}; const texts = {}; const bound = {};
  for (const s of servers) {
    const r = pick(s);
    values[s] = typeof r === 'number' ? r : null;
    if (text) texts[s] = text(s);
    if (loadBound) bound[s] = loadBound(s);
  }
  if (Object.values(values).every((v) => v === null)) return;
  rows.push({ figure, values, texts: text ? texts : null, decimals, lower, bound });
}

// --- idle
const idle = results.idle;
if (idle) {
  const steps = (idle.switchboard ?? Object.values(idle)[0]).steps ?? [];
  steps.forEach((step, i) => {
    row(`idle: KiB per connection at ${step.connections.toLocaleString('en-US')}`, (s) => idle[s]?.steps?.[i]?.kibPerConnection, { decimals: 1, lower: true });
  });
  row('idle: connections held at the top step', (s) => idle[s]?.held);
  row('idle: marginal KiB per connection, last step', (s) => idle[s]?.steps?.at(-1)?.marginalKibPerConnection, { decimals: 1, lower: true });
}

// --- fan-out
const fanout = results.fanout;
if (fanout) {
  const any = fanout.switchboard ?? fanout[servers.find((s) => fanout[s])] ?? fanout[SIO] ?? fanout[TLS];
  const find = (s, size, payload) => fanout[s]?.results?.find((r) => r.roomSize === size && r.payload === payload);
  const bound = (sat) => sat && sat.loadgenCpuShare > 0.9;
  for (const r of any.results) {
    row(`fan-out room ${r.roomSize}, ${r.payload} B: deliveries/s at saturation`, (s) => find(s, r.roomSize, r.payload)?.saturation?.deliveriesPerSec,
      { loadBound: (s) => bound(find(s, r.roomSize, r.payload)?.saturation) });
  }
  for (const r of any.results) {
    if (!r.levels) continue;
    row(`fan-out room ${r.roomSize}, ${r.payload} B: deliveries per server CPU-second`, (s) => find(s, r.roomSize, r.payload)?.saturation?.deliveriesPerServerCpuSecond);
  }
  for (const r of any.results) {
    (r.levels ?? []).forEach((level, i) => {
      const l = (s) => find(s, r.roomSize, r.payload)?.levels?.[i];
      row(`fan-out room ${r.roomSize}, ${r.payload} B at ${level.percent}% of its saturation: p50 / p99 / p99.9 ms (ratio of p99)`,
        (s) => l(s)?.p99Ms, { decimals: 2, lower: true,
          text: (s) => (l(s) ? `${fmt(l(s).p50Ms, 2)} / ${fmt(l(s).p99Ms, 2)} / ${fmt(l(s).p999Ms, 2)}` : '–') });
    });
  }
  // The same fixed rates for every server (--rates): latency like for like.
  for (const r of any.results) {
    (r.rates ?? []).forEach((rate, i) => {
      const l = (s) => find(s, r.roomSize, r.payload)?.rates?.[i];
      row(`fan-out room ${r.roomSize}, ${r.payload} B at ${fmt(rate.targetDeliveriesPerSec, 0)} deliveries/s (every server): p50 / p99 / p99.9 ms (ratio of p99)`,
        (s) => l(s)?.p99Ms, { decimals: 2, lower: true,
          text: (s) => (l(s) ? `${fmt(l(s).p50Ms, 2)} / ${fmt(l(s).p99Ms, 2)} / ${fmt(l(s).p999Ms, 2)}${l(s).lost ? ` (${fmt(l(s).lost, 0)} lost)` : ''}` : '–') });
    });
  }
}

// --- fan-out with one publish in flight (nothing to batch): saturation and latency at levels of it
const fanout1 = results.fanout1;
if (fanout1) {
  const any = fanout1.switchboard ?? fanout1[servers.find((s) => fanout1[s])];
  const find = (s, size, payload) => fanout1[s]?.results?.find((r) => r.roomSize === size && r.payload === payload);
  for (const r of any?.results ?? []) {
    const tag = `fan-out room ${r.roomSize}, ${r.payload} B, one publish in flight`;
    const sat = (s) => find(s, r.roomSize, r.payload)?.saturation;
    row(`${tag}: deliveries/s at saturation`, (s) => sat(s)?.deliveriesPerSec, { loadBound: (s) => sat(s)?.loadgenCpuShare > 0.9 });
    row(`${tag}: deliveries per server CPU-second`, (s) => sat(s)?.deliveriesPerServerCpuSecond);
    (r.levels ?? []).forEach((level, i) => {
      const l = (s) => find(s, r.roomSize, r.payload)?.levels?.[i];
      row(`${tag}, at ${level.percent}% of that saturation: p50 / p99 / p99.9 ms (ratio of p99)`,
        (s) => l(s)?.p99Ms, { decimals: 2, lower: true,
          text: (s) => (l(s) ? `${fmt(l(s).p50Ms, 2)} / ${fmt(l(s).p99Ms, 2)} / ${fmt(l(s).p999Ms, 2)}` : '–') });
    });
  }
}

// --- fan-out through Switchboard's Socket.IO endpoint, against the Socket.IO peer
const sio = fanout?.[SIO];
if (sio) {
  const find = (label, size, payload) => fanout[label]?.results?.find((r) => r.roomSize === size && r.payload === payload);
  // The Switchboard column holds Switchboard over Socket.IO, the Socket.IO column the peer.
  const pair = (f) => (s) => (s === 'switchboard' ? f(SIO) : s === 'socketio' ? f('socketio') : undefined);
  const tag = (r) => `fan-out room ${r.roomSize}, ${r.payload} B, Switchboard over Socket.IO`;
  for (const r of sio.results ?? []) {
    const sat = (label) => find(label, r.roomSize, r.payload)?.saturation;
    row(`${tag(r)}: deliveries/s at saturation`, pair((l) => sat(l)?.deliveriesPerSec),
      { loadBound: pair((l) => sat(l)?.loadgenCpuShare > 0.9) });
    row(`${tag(r)}: deliveries per server CPU-second`, pair((l) => sat(l)?.deliveriesPerServerCpuSecond));
    (r.levels ?? []).forEach((level, i) => {
      const l = (label) => find(label, r.roomSize, r.payload)?.levels?.[i];
      row(`${tag(r)} at ${level.percent}% of its saturation: p50 / p99 / p99.9 ms (ratio of p99)`,
        pair((x) => l(x)?.p99Ms), { decimals: 2, lower: true,
          text: pair((x) => (l(x) ? `${fmt(l(x).p50Ms, 2)} / ${fmt(l(x).p99Ms, 2)} / ${fmt(l(x).p999Ms, 2)}` : '–')) });
    });
  }
}

// --- storm
const storm = results.storm;
if (storm) {
  row('storm: handshakes/s (JWT verified)', (s) => storm[s]?.handshakesPerSec, { loadBound: (s) => storm[s]?.loadgenCpuShare > 0.9 });
  row('storm: p99 handshake ms', (s) => storm[s]?.handshake?.p99Ms, { decimals: 1, lower: true });
  row('storm: failed handshakes', (s) => storm[s]?.failed, { lower: true });
}

// --- echo
const echo = results.echo;
if (echo) {
  row('echo: round trips/s (one outstanding per connection)', (s) => echo[s]?.roundTripsPerSec, { loadBound: (s) => echo[s]?.loadgenCpuShare > 0.9 });
  row('echo: p50 / p99 round trip ms (ratio of p99)', (s) => echo[s]?.roundTrip?.p99Ms, { decimals: 2, lower: true,
    text: (s) => (echo[s] ? `${fmt(echo[s].roundTrip.p50Ms, 2)} / ${fmt(echo[s].roundTrip.p99Ms, 2)}` : '–') });
}

if (machineFile && fs.existsSync(machineFile)) {
  for (const line of fs.readFileSync(machineFile, 'utf8').split('\n').filter(Boolean)) console.log(line.replace(/^# ?/, '') + '  ');
  console.log();
}
const head = ['figure', ...servers.map((s) => names[s] ?? s), ...peers.map((p) => `Switchboard / ${names[p] ?? p}`)];
console.log(`| ${head.join(' | ')} |`);
console.log(`|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`);
for (const r of rows) {
  const cells = servers.map((s) => (r.texts ? r.texts[s] ?? '–' : fmt(r.values[s], r.decimals)) + (r.bound[s] ? ' (L)' : ''));
  const sb = r.values.switchboard;
  const ratios = peers.map((p) => {
    const v = r.values[p];
    if (sb === null || sb === undefined || v === null || v === undefined || v === 0) return '–';
    return (sb / v).toFixed(2) + '×';
  });
  console.log(`| ${r.figure}${r.lower ? ' ↓' : ''} | ${[...cells, ...ratios].join(' | ')} |`);
}
console.log('\n↓ lower is better (ratio below 1 favours Switchboard); otherwise higher is better. '
  + '(L): the load generator used over 90% of its core in that measurement, so the figure may be the load side\'s limit.');
if (sio) {
  console.log('"Switchboard over Socket.IO" rows: the Switchboard column is Switchboard\'s own Socket.IO endpoint '
    + '(/socket.io/, Engine.IO 4 over WebSocket, loadgen --protocol switchboard-socketio), compared with the Socket.IO peer.');
}

// --- fan-out over TLS against plain Switchboard: its own table, the ratio TLS / plain
const tls = fanout?.[TLS];
if (tls) {
  const find = (label, size, payload) => fanout[label]?.results?.find((r) => r.roomSize === size && r.payload === payload);
  const tlsRows = []; // { figure, plain, tls, text?: [plain, tls], lower, bound: [plain, tls] }
  const add = (figure, pick, { decimals = 0, lower = false, text, loadBound } = {}) => {
    const v = ['switchboard', TLS].map((l) => { const x = pick(l); return typeof x === 'number' ? x : null; });
    if (v[1] === null) return;
    tlsRows.push({ figure, v, decimals, lower, text: text && ['switchboard', TLS].map(text),
      bound: loadBound ? ['switchboard', TLS].map(loadBound) : [false, false] });
  };
  const lat = (l) => (l ? `${fmt(l.p50Ms, 2)} / ${fmt(l.p99Ms, 2)} / ${fmt(l.p999Ms, 2)}${l.lost ? ` (${fmt(l.lost, 0)} lost)` : ''}` : '–');
  const tag = (r) => `fan-out room ${r.roomSize}, ${r.payload} B, Switchboard over TLS`;
  for (const r of tls.results ?? []) {
    const sat = (label) => find(label, r.roomSize, r.payload)?.saturation;
    add(`${tag(r)}: deliveries/s at saturation`, (l) => sat(l)?.deliveriesPerSec, { loadBound: (l) => sat(l)?.loadgenCpuShare > 0.9 });
    add(`${tag(r)}: deliveries per server CPU-second`, (l) => sat(l)?.deliveriesPerServerCpuSecond);
    (r.levels ?? []).forEach((level, i) => {
      const l = (label) => find(label, r.roomSize, r.payload)?.levels?.[i];
      add(`${tag(r)} at ${level.percent}% of its saturation: p50 / p99 / p99.9 ms (ratio of p99)`,
        (x) => l(x)?.p99Ms, { decimals: 2, lower: true, text: (x) => lat(l(x)) });
    });
    (r.rates ?? []).forEach((rate, i) => {
      const l = (label) => find(label, r.roomSize, r.payload)?.rates?.[i];
      add(`${tag(r)} at ${fmt(rate.targetDeliveriesPerSec, 0)} deliveries/s (both): p50 / p99 / p99.9 ms (ratio of p99)`,
        (x) => l(x)?.p99Ms, { decimals: 2, lower: true, text: (x) => lat(l(x)) });
    });
  }
  console.log();
  console.log('| figure | Switchboard | Switchboard over TLS | TLS / plain |');
  console.log('|---|---:|---:|---:|');
  for (const r of tlsRows) {
    const cells = r.v.map((v, i) => (r.text ? r.text[i] : fmt(v, r.decimals)) + (r.bound[i] ? ' (L)' : ''));
    const ratio = r.v[0] === null || r.v[0] === 0 || r.v[1] === null ? '–' : (r.v[1] / r.v[0]).toFixed(2) + '×';
    console.log(`| ${r.figure}${r.lower ? ' ↓' : ''} | ${cells.join(' | ')} | ${ratio} |`);
  }
  console.log('\n"Switchboard over TLS": the same binary and flags with --tls-cert/--tls-key (self-signed P-256; '
    + `negotiated: ${tls.tls ?? 'unknown'}), the load generator on wss://. TLS / plain above 1 is better for throughput, `
    + 'below 1 for latency (↓). (L) as above: the load generator decrypts every delivery too.');
}
