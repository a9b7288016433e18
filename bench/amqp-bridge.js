// RabbitMQ bridge throughput and latency (issue 18): a throwaway rabbitmq-server
// (tests/interop/rabbitlib.js), one switchboard with one binding (targets user:{userId}), one
// native WebSocket member of user:bench. amqplib publishes {"userId":"bench","seq","t"}; the
// member records each event's publish-to-socket time. Two phases: a flood of FLOOD messages
// (messages/s from the first publish to the last delivery) and a paced run of PACED messages at
// RATE/s (p50/p99 latency without a broker backlog). Not part of ctest; figures in
// docs/benchmarks.md ("RabbitMQ bridge").
//   node bench/amqp-bridge.js [path/to/switchboard]   (default build/release/bin/switchboard)
// Environment: FLOOD [20000]  PACED [5000]  RATE [1000]  PREFETCH [100]
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const interop = path.join(__dirname, '..', 'tests', 'interop');
const amqplib = require(path.join(interop, 'node_modules', 'amqplib'));
const { client, harness, until } = require(path.join(interop, 'lib'));
const { startRabbit } = require(path.join(interop, 'rabbitlib'));

const binary = process.argv[2] || path.join(__dirname, '..', 'build', 'release', 'bin', 'switchboard');
const FLOOD = Number(process.env.FLOOD || 20000);
const PACED = Number(process.env.PACED || 5000);
const RATE = Number(process.env.RATE || 1000);
const PREFETCH = Number(process.env.PREFETCH || 100);

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

async function main() {
  const h = harness(binary);
  const rabbit = await startRabbit();
  let server = null;
  try {
    const file = path.join(h.dataDir, 'bench.bindings.json');
    fs.writeFileSync(file, JSON.stringify({ bindings: [{ exchange: 'bench', queue: 'ws.bench', routingKeys: ['bench.*'],
      prefetch: PREFETCH, targets: ['user:{userId}'] }] }));
    server = await h.startServer(['--amqp', rabbit.url, '--amqp-bindings', file, '--max-queued-emits', '1000000']);
    await until(async () => (await h.api(server.port, 'GET', '/api/bridges')).body.bridges[0].state === 'connected', 'bridge', 15000);
    const ws = client(`ws://127.0.0.1:${server.port}/ws?token=${h.mint('bench')}`);
    await ws.next('connected');
    const conn = await amqplib.connect(rabbit.url);
    const ch = await conn.createConfirmChannel();

    const phase = async (name, n, perSecond) => {
      const latencies = [];
      let last = 0;
      const done = new Promise((resolve) => {
        ws.on('message', function onMessage(raw) {
          const m = JSON.parse(raw.toString());
          if (m.type !== 'bench.tick' || m.data.phase !== name) return;
          last = performance.now();
          latencies.push(last - m.data.t);
          if (latencies.length === n) { ws.off('message', onMessage); resolve(); }
        });
      });
      const start = performance.now();
      for (let i = 0; i < n; ++i) {
        if (perSecond) {
          const due = start + (i * 1000) / perSecond;
          while (performance.now() < due) await new Promise((r) => setImmediate(r));
        }
        const body = Buffer.from(JSON.stringify({ userId: 'bench', seq: i, phase: name, t: performance.now() }));
        if (!ch.publish('bench', 'bench.tick', body)) await new Promise((r) => ch.once('drain', r));
      }
      await ch.waitForConfirms();
      await done;
      latencies.sort((a, b) => a - b);
      console.log(`${name}: ${n} messages, ${Math.round(n / ((last - start) / 1000))} msg/s publish-to-socket, ` +
        `latency p50 ${pct(latencies, 0.5).toFixed(2)} ms, p99 ${pct(latencies, 0.99).toFixed(2)} ms, max ${latencies[latencies.length - 1].toFixed(2)} ms`);
    };
    await phase('warmup', 1000, 0);
    await phase('flood', FLOOD, 0);
    await phase('paced', PACED, RATE);
    const b = (await h.api(server.port, 'GET', '/api/bridges')).body.bridges[0].bindings[0];
    console.log(`bridge: received ${b.received}, emitted ${b.emitted}, rejected ${b.rejected}`);
    ws.close();
    await conn.close();
  } finally {
    if (server) server.child.kill('SIGKILL');
    await rabbit.cleanup();
    h.cleanup();
  }
  process.exit(0);
}

main().catch((err) => { console.error(err); process.exit(1); });
