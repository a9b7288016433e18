// Delivery latency of recorded emits in cluster mode (issue 16, docs/benchmarks.md
// "Recovery stream: delivery from the stream"): two nodes on a fresh redis-server, a native
// client in one room on each; emits go one at a time through node A's HTTP API, and each is
// timed from just before the request to the client's message, on A (local) and on B (the
// other node). Recovery is on (the default window), so every emit is recorded in the stream.
// Not part of ctest.
//   node bench/stream-latency.js /path/to/switchboard [emits=1000] [payload bytes=100]
'use strict';
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const peers = path.join(__dirname, 'peers', 'node_modules');
const WebSocket = require(path.join(peers, 'ws'));

const binary = process.argv[2];
const count = Number(process.argv[3] || 1000);
const payloadBytes = Number(process.argv[4] || 100);
const secret = 'bench-secret';
const key = 'bench-key';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-stream-lat-'));
const children = [];

function freePort() {
  return new Promise((resolve) => {
    const s = require('node:net').createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

async function waitFor(probe, what) {
  for (let i = 0; i < 200; ++i) {
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function startNode(name, redisUrl) {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir);
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ['--headless', '--port', '0', '--threads', '1', '--data-dir', dir, '--jwt-secret', secret,
      '--internal-key', key, '--redis', redisUrl, '--node-name', name, '--rate-limit', '1000000'], { stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(child);
    let log = '';
    child.stderr.on('data', (c) => {
      log += c;
      const m = /listening on http:\/\/[^:]+:(\d+)/.exec(log);
      if (m && !child.port) { child.port = Number(m[1]); resolve(child); }
    });
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}): ${log}`)));
  });
}

async function member(port, user) {
  const token = execFileSync(binary, ['token', '--user', user, '--jwt-secret', secret]).toString().trim();
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${token}`);
  const messages = [];
  let waiter = null;
  ws.on('message', (raw) => {
    const m = JSON.parse(raw.toString());
    if (waiter && waiter.type === m.type) { const w = waiter; waiter = null; w.resolve(m); } else messages.push(m);
  });
  ws.next = (type) => {
    const i = messages.findIndex((m) => m.type === type);
    if (i >= 0) return Promise.resolve(messages.splice(i, 1)[0]);
    return new Promise((resolve) => { waiter = { type, resolve }; });
  };
  await ws.next('connected');
  ws.send(JSON.stringify({ type: 'subscribe', channel: 'lat', id: 's' }));
  await ws.next('subscribed');
  return ws;
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

async function main() {
  const redisPort = await freePort();
  const redis = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', tmp], { stdio: 'ignore' });
  children.push(redis);
  await waitFor(async () => execFileSync('redis-cli', ['-p', String(redisPort), 'PING']).toString().trim() === 'PONG', 'redis');
  const url = `redis://127.0.0.1:${redisPort}`;
  const A = await startNode('A', url);
  const B = await startNode('B', url);
  await waitFor(async () => {
    const r = await fetch(`http://127.0.0.1:${A.port}/api/cluster/nodes`, { headers: { 'x-internal-key': key } });
    return (await r.json()).nodes.filter((n) => n.state === 'up').length === 2;
  }, 'two nodes');
  const onA = await member(A.port, 'la');
  const onB = await member(B.port, 'lb');
  const pad = 'x'.repeat(payloadBytes);
  const local = [];
  const remote = [];
  for (let i = 0; i < count + 50; ++i) { // the first 50: warm-up
    const started = process.hrtime.bigint();
    const gotA = onA.next('t.lat').then(() => process.hrtime.bigint());
    const gotB = onB.next('t.lat').then(() => process.hrtime.bigint());
    const res = await fetch(`http://127.0.0.1:${A.port}/api/v1/internal/emit`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-internal-key': key },
      body: JSON.stringify({ event: 't.lat', room: 'lat', payload: { i, pad } }),
    });
    await res.arrayBuffer();
    const [a, b] = await Promise.all([gotA, gotB]);
    if (i >= 50) {
      local.push(Number(a - started) / 1e3);
      remote.push(Number(b - started) / 1e3);
    }
  }
  const xlen = execFileSync('redis-cli', ['-p', String(redisPort), 'XLEN', 'socket.io:sb:events']).toString().trim();
  const row = (name, values) => {
    const s = [...values].sort((x, y) => x - y);
    return `${name}: p50 ${percentile(s, 0.5).toFixed(0)} µs, p99 ${percentile(s, 0.99).toFixed(0)} µs, max ${s[s.length - 1].toFixed(0)} µs`;
  };
  console.log(JSON.stringify({ binary, emits: count, payloadBytes, recorded: Number(xlen) }));
  console.log(row('emit → client on the emitting node', local));
  console.log(row('emit → client on the other node  ', remote));
}

main().then(() => 0, (err) => { console.error(err); return 1; }).then((code) => {
  for (const c of children) c.kill('SIGKILL');
  fs.rmSync(tmp, { recursive: true, force: true });
  process.exit(code);
});
