#!/usr/bin/env node
// Durable queue throughput against a real switchboard binary: enqueue over HTTP (one message
// per request with N requests in flight, and batches), then consume with W `ws` workers that
// ack every job. Prints one JSON line. Not a test: numbers go to docs/benchmarks.md.
//
//   node bench/queues/queue-bench.js build/release/bin/switchboard [messages] [concurrency] [workers] [prefetch]
//
// Uses the `ws` package installed for the interop tests (tests/interop/node_modules).
'use strict';
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');

const WebSocket = require(path.join(__dirname, '../../tests/interop/node_modules/ws'));

const [binary, messagesArg, concurrencyArg, workersArg, prefetchArg, ...serverArgs] = process.argv.slice(2);
const messages = Number(messagesArg || 20000);
const concurrency = Number(concurrencyArg || 32);
const workers = Number(workersArg || 4);
const prefetch = Number(prefetchArg || 50);
const key = 'bench-key';
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-queue-bench-'));
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });

function start() {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ['--headless', '--port', '0', '--data-dir', dataDir, '--internal-key', key,
      '--jwt-secret', 'bench-secret', ...serverArgs], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr.on('data', (c) => {
      log += c;
      const m = /listening on http:\/\/[^:]+:(\d+)/.exec(log);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code}): ${log}`)));
  });
}

function post(port, route, body) {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = http.request({ host: '127.0.0.1', port, path: route, method: 'POST', agent,
      headers: { 'content-type': 'application/json', 'x-internal-key': key, 'content-length': Buffer.byteLength(data) } }, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => (res.statusCode === 202 ? resolve(text) : reject(new Error(`${res.statusCode} ${text}`))));
    });
    req.on('error', reject);
    req.end(data);
  });
}

async function enqueueSingles(port, queue, count) {
  let next = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) {
      const n = next++;
      await post(port, `/api/queues/${queue}/messages`, { payload: { n, text: 'x'.repeat(64) } });
    }
  }));
  return count / (Number(process.hrtime.bigint() - t0) / 1e9);
}

async function enqueueBatches(port, queue, count, size) {
  const t0 = process.hrtime.bigint();
  let sent = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, 8) }, async () => {
    while (sent < count) {
      const batch = [];
      for (let i = 0; i < size && sent < count; ++i, ++sent)
        batch.push({ payload: { n: sent, text: 'x'.repeat(64) } });
      await post(port, `/api/queues/${queue}/messages`, batch);
    }
  }));
  return count / (Number(process.hrtime.bigint() - t0) / 1e9);
}

function consume(port, queue, count) {
  const token = execFileSync(binary, ['token', '--user', 'bench-worker', '--jwt-secret', 'bench-secret', '--data-dir', dataDir]).toString().trim();
  let acked = 0;
  const sockets = [];
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    for (let w = 0; w < workers; ++w) {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${token}`);
      sockets.push(ws);
      ws.on('error', reject);
      ws.on('message', (raw) => {
        const msg = JSON.parse(raw.toString());
        if (msg.type === 'connected') {
          ws.send(JSON.stringify({ type: 'consume', queue, prefetch }));
        } else if (msg.type === 'job') {
          ws.send(JSON.stringify({ type: 'ack', id: msg.id }));
          if (++acked === count) {
            const rate = count / (Number(process.hrtime.bigint() - t0) / 1e9);
            sockets.forEach((s) => s.close());
            resolve(rate);
          }
        }
      });
    }
  });
}

async function main() {
  const { child, port } = await start();
  try {
    const single = await enqueueSingles(port, 'bench_single', messages);
    const batched = await enqueueBatches(port, 'bench_batch', messages, 100);
    const consumed = await consume(port, 'bench_single', messages);
    console.log(JSON.stringify({
      messages, concurrency, workers, prefetch,
      enqueuePerSec: Math.round(single), enqueueBatch100PerSec: Math.round(batched), consumeAckPerSec: Math.round(consumed),
      serverArgs,
    }));
  } finally {
    child.kill('SIGTERM');
    agent.destroy();
    setTimeout(() => fs.rmSync(dataDir, { recursive: true, force: true }), 500);
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
