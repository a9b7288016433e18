// Sums the JSON lines of several loadgen processes into one (latencies: worst process).
'use strict';
const lines = require('node:fs').readFileSync(0, 'utf8').trim().split('\n').filter(Boolean).map(JSON.parse);
const sum = (k) => lines.reduce((a, l) => a + (l[k] || 0), 0);
const max = (k) => Math.max(...lines.map((l) => l[k] || 0));
console.log(JSON.stringify({
  label: lines[0].label, processes: lines.length,
  connections: sum('connections'), connected: sum('connected'), failed: sum('failed'),
  connectSeconds: max('connectSeconds'), emitted: sum('emitted'), emitErrors: sum('emitErrors'),
  received: sum('received'), receivedPerSec: Math.round(sum('receivedPerSec')),
  latencyP50Ms: max('latencyP50Ms'), latencyP95Ms: max('latencyP95Ms'), latencyP99Ms: max('latencyP99Ms'),
}));
