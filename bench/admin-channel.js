#!/usr/bin/env node
// What an open Connections page of the console costs on the admin channel (docs/benchmarks.md,
// "Admin channel"): opens /admin/ws, says hello, subscribes to the connections stream with
// QUERY, and counts the bytes the server sends for SECONDS (the snapshot apart, summaries apart).
//
//   node bench/admin-channel.js URL TOKEN [SECONDS=30] [QUERY='{"sort":"id","limit":50}'] [STREAM=connections]
//
// Needs the `ws` package (tests/interop/node_modules). Prints one JSON line.
'use strict';
const path = require('path');
const WebSocket = require(path.join(__dirname, '..', 'tests', 'interop', 'node_modules', 'ws'));

const [url, token, secondsText = '30', queryText = '{"sort":"id","limit":50}', stream = 'connections'] = process.argv.slice(2);
if (!url || !token) {
  console.error('usage: admin-channel.js URL TOKEN [SECONDS] [QUERY] [STREAM]');
  process.exit(2);
}
const seconds = Number(secondsText);
const query = JSON.parse(queryText);
const totals = { snapshotBytes: 0, snapshotRows: 0, streamBytes: 0, streamMessages: 0, summaryBytes: 0, summaries: 0, upserts: 0 };
let started = 0;
const ws = new WebSocket(url);
ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', v: 1, token })));
ws.on('message', (data) => {
  const bytes = data.length;
  const m = JSON.parse(data.toString());
  if (m.type === 'welcome') {
    ws.send(JSON.stringify({ type: 'subscribe', v: 1, stream, query }));
  } else if ((m.type === 'snapshot' || m.type === 'events') && !started) {
    totals.snapshotBytes = bytes;
    totals.snapshotRows = (m.rows || m.entries || []).length;
    totals.total = m.total;
    started = Date.now();
    setTimeout(finish, seconds * 1000);
  } else if (m.type === 'summary') {
    if (started) { totals.summaryBytes += bytes; totals.summaries++; }
  } else if (started) {
    totals.streamBytes += bytes;
    totals.streamMessages++;
    totals.upserts += (m.upsert || m.entries || []).length;
  }
});
ws.on('close', (code, reason) => { if (!totals.done) { console.error('closed', code, String(reason)); process.exit(1); } });
function finish() {
  totals.done = true;
  const elapsed = (Date.now() - started) / 1000;
  console.log(JSON.stringify({
    stream, query, seconds: elapsed, total: totals.total, snapshotBytes: totals.snapshotBytes, snapshotRows: totals.snapshotRows,
    streamBytesPerSec: Math.round(totals.streamBytes / elapsed), streamMessages: totals.streamMessages,
    upsertsPerSec: +(totals.upserts / elapsed).toFixed(1), summaryBytesPerSec: Math.round(totals.summaryBytes / elapsed),
    totalBytesPerSec: Math.round((totals.streamBytes + totals.summaryBytes) / elapsed),
  }));
  ws.close();
}
