// Issue 16, queues in cluster mode: the queues live in a real redis-server and every node
// serves them. A worker (npm `ws`, the native protocol) on one node, enqueues over HTTP
// through another: priorities, nack -> retry with backoff -> dead letters, DLQ list, retry
// and purge, consumers counted on all nodes; kill -9 of the node a worker holds jobs through
// (its jobs come back to a worker on another node, every 202'd message acked exactly once);
// Redis killed and restarted with appendfsync always under enqueue load (nothing that got a
// 202 is lost). Usage: node cluster-queues.js /path/to/switchboard [case-regex]
'use strict';
const assert = require('node:assert/strict');

const { until } = require('./lib');
const { clusterHarness, ack, nack } = require('./clusterlib');

const binary = process.argv[2];
const { startNode, api, run, worker } = clusterHarness(binary);
const FAST = ['--queue-backoff-base', '50', '--queue-backoff-cap', '200', '--queue-max-attempts', '3'];

const statsOf = async (node, queue) => (await api(node.port, 'GET', '/api/queue/stats')).body.queues.find((q) => q.name === queue);

async function flow(redis) {
  const Q = 'cluster_jobs';
  const A = await startNode('A', redis, FAST);
  const B = await startNode('B', redis, FAST);

  // Producers on B: four normal messages, then one of high priority; 202 with an id each.
  const ids = {};
  for (const n of [1, 2, 3, 4]) {
    const r = await api(B.port, 'POST', `/api/queues/${Q}/messages`, { payload: { n } });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    ids[n] = r.body.id;
  }
  const hi = await api(B.port, 'POST', `/api/queues/${Q}/messages`, { payload: { n: 5 }, priority: 'high' });
  assert.equal(hi.status, 202);
  ids[5] = hi.body.id;
  assert.equal(new Set(Object.values(ids)).size, 5, 'ids are unique');
  // The queue exists for A too (it was created through B).
  await until(async () => (await statsOf(A, Q))?.ready === 5, 'A to see 5 ready jobs');

  // The worker on A: n=3 fails until its dead letter is retried, n=4 fails once.
  const seen = [];
  let failThree = true;
  const w = await worker(A, 'w-a', Q, { prefetch: 2 }, (msg, ws) => {
    seen.push({ n: msg.data.n, attempt: msg.attempt, id: msg.id });
    if ((msg.data.n === 3 && failThree) || (msg.data.n === 4 && msg.attempt === 1) || msg.data.n === 6) {
      nack(ws, msg.id, `n${msg.data.n} failed on attempt ${msg.attempt}`);
    } else {
      ack(ws, msg.id);
    }
  });
  await until(() => seen.length === 8, `8 deliveries (have ${JSON.stringify(seen)})`, 10000);
  assert.equal(seen[0].n, 5, 'high priority first');
  assert.deepEqual(seen.filter((j) => j.n !== 5).slice(0, 2).map((j) => j.n), [1, 2], 'then FIFO');
  assert.deepEqual(seen.filter((j) => j.n === 3).map((j) => j.attempt), [1, 2, 3]);
  assert.deepEqual(seen.filter((j) => j.n === 4).map((j) => j.attempt), [1, 2]);
  assert.equal(seen.filter((j) => j.n === 3)[0].id, ids[3], 'a retry keeps its id');

  // Stats through B: n=3 dead, the rest acked; the consumer on A is counted.
  let s;
  await until(async () => {
    s = await statsOf(B, Q);
    return s && s.dead === 1 && s.inFlight === 0 && s.ready === 0 && s.delayed === 0 && s.consumers === 1;
  }, 'B to see one dead letter and A\'s consumer', 10000).catch((e) => { throw new Error(`${e.message}: ${JSON.stringify(s)}`); });
  assert.equal(s.enqueued, 5);
  assert.equal(s.acked, 4);
  assert.equal(s.deadLettered, 1);

  // A second worker on B: two consumers cluster-wide, seen from A.
  const w2 = await worker(B, 'w-b', Q, { prefetch: 1 }, (msg, ws) => ack(ws, msg.id));
  await until(async () => (await statsOf(A, Q)).consumers === 2, 'A to count 2 consumers');
  w2.close();
  await until(async () => (await statsOf(A, Q)).consumers === 1, 'A to count 1 consumer after B\'s left');

  // DLQ through B: the dead letter, its last error; retry all -> the worker on A acks it.
  const dlq = await api(B.port, 'GET', `/api/queues/${Q}/dlq`);
  assert.equal(dlq.status, 200);
  assert.equal(dlq.body.total, 1);
  assert.equal(dlq.body.messages[0].id, ids[3]);
  assert.equal(dlq.body.messages[0].attempts, 3);
  assert.equal(dlq.body.messages[0].lastError, 'n3 failed on attempt 3');
  assert.deepEqual(dlq.body.messages[0].payload, { n: 3 });
  assert.equal((await api(B.port, 'GET', '/api/queues/nope/dlq')).status, 404);
  failThree = false;
  const retried = await api(B.port, 'POST', `/api/queues/${Q}/dlq/retry`, { all: true });
  assert.equal(retried.status, 200);
  assert.equal(retried.body.retried, 1);
  await until(() => seen.length === 9, 'the retried dead letter to reach the worker');
  assert.deepEqual(seen[8], { n: 3, attempt: 1, id: ids[3] }, 'attempts reset on retry');
  await until(async () => { s = await statsOf(B, Q); return s.dead === 0 && s.inFlight === 0 && s.acked === 5; }, 'n3 acked');

  // A delayed message waits for its time; then one that always fails -> dead; purge through A.
  const delayedAt = Date.now();
  const d = await api(B.port, 'POST', `/api/queues/${Q}/messages`, { payload: { n: 7 }, delayMs: 400 });
  assert.equal(d.status, 202);
  await until(() => seen.some((j) => j.n === 7), 'the delayed job');
  assert.ok(Date.now() - delayedAt >= 380, 'not before its delay');
  const six = await api(B.port, 'POST', `/api/queues/${Q}/messages`, { payload: { n: 6 } });
  assert.equal(six.status, 202);
  // (deadLettered: A's snapshot may still show n3's dead letter for a moment)
  await until(async () => { const t = await statsOf(A, Q); return t.dead === 1 && t.deadLettered === 2; }, 'n6 dead after 3 attempts', 10000);
  assert.deepEqual(seen.filter((j) => j.n === 6).map((j) => j.attempt), [1, 2, 3]);
  const purged = await api(A.port, 'DELETE', `/api/queues/${Q}/dlq`);
  assert.equal(purged.status, 200);
  assert.equal(purged.body.purged, 1);
  assert.equal((await api(B.port, 'GET', `/api/queues/${Q}/dlq`)).body.total, 0);
  w.close();
}

async function crash(redis) {
  const Q = 'crash_jobs';
  const C = await startNode('C', redis, FAST);
  const B = await startNode('B', redis, FAST);
  const accepted = new Set(); // ids that got a 202
  let refused = 0;            // enqueues without a 202 (through the node that was killed)
  const acked = new Map();    // id -> how many times the worker on B acked it
  const heldByA = new Set();  // ids the worker on A held when A was killed

  // Enqueue load, through C and through the node about to die, one request at a time each.
  let stop = false;
  const producer = async (nodeRef, tag) => {
    let n = 0;
    while (!stop) {
      const node = nodeRef();
      try {
        const r = await api(node.port, 'POST', `/api/queues/${Q}/messages`, { payload: { tag, n: n++ } });
        if (r.status === 202) accepted.add(r.body.id); else ++refused;
      } catch {
        ++refused; // connection reset by the kill
      }
      await new Promise((r) => setImmediate(r));
    }
  };
  // The queue exists before anyone consumes it.
  const first = await api(C.port, 'POST', `/api/queues/${Q}/messages`, { payload: { tag: 'first' } });
  assert.equal(first.status, 202);
  accepted.add(first.body.id);

  let A = null;
  const producers = [producer(() => C, 'c')];
  for (let round = 0; round < 3; ++round) {
    A = await startNode(`A${round}`, redis, FAST);
    if (round === 0) producers.push(producer(() => A, 'a'));
    // The worker on A holds every job it gets (never answers): they are in flight through A.
    const held = [];
    await worker(A, `w-a${round}`, Q, { prefetch: 5, visibilityTimeout: 1500 }, (msg) => held.push(msg.id));
    await until(() => held.length === 5, `the worker on A${round} to hold 5 jobs`, 10000);
    held.forEach((id) => heldByA.add(id));
    A.kill('SIGKILL');
    await new Promise((resolve) => (A.exitCode !== null || A.signalCode !== null ? resolve() : A.once('exit', resolve)));
  }
  // A last node for the producer that went through the A nodes.
  A = await startNode('A-last', redis, FAST);
  const wb = await worker(B, 'w-b', Q, { prefetch: 10 }, (msg, ws) => {
    acked.set(msg.id, (acked.get(msg.id) || 0) + 1);
    if (heldByA.has(msg.id)) assert.ok(msg.attempt >= 2, `job ${msg.id} was delivered through A first`);
    ack(ws, msg.id);
  });
  await new Promise((r) => setTimeout(r, 500)); // enqueue load while jobs come back
  stop = true;
  await Promise.all(producers);
  await until(() => [...accepted].every((id) => acked.has(id)), 'every 202\'d message acked', 20000)
    .catch((e) => { throw new Error(`${e.message}: missing ${[...accepted].filter((id) => !acked.has(id)).slice(0, 10)}`); });
  await until(async () => { const s = await statsOf(B, Q); return s.depth === 0 && s.inFlight === 0; }, 'an empty queue', 10000);
  const twice = [...acked].filter(([, count]) => count > 1);
  assert.deepEqual(twice, [], 'no message acked twice');
  for (const id of heldByA) assert.ok(acked.has(id), `held job ${id} came back to B`);
  // Extra ids can only be enqueues that did not get their 202.
  assert.ok(acked.size - accepted.size <= refused, `${acked.size} acked, ${accepted.size} accepted, ${refused} refused`);
  assert.ok(accepted.size > 50, `load: ${accepted.size} enqueues`);
  const s = await statsOf(B, Q);
  assert.equal(s.dead, 0);
  // The killed nodes' consumers stop counting (their heartbeats are stale after 7 s).
  await until(async () => (await statsOf(C, Q)).consumers === 1, 'only the worker on B to count', 12000);
  console.log(`  crash: ${accepted.size} accepted, ${refused} refused, ${heldByA.size} held through killed nodes`);
  wb.close();
}

async function redisRestart(redis) {
  const Q = 'durable_jobs';
  const A = await startNode('A', redis, FAST);
  const B = await startNode('B', redis, FAST);
  const accepted = new Set();
  let refused = 0;
  let stop = false;
  const producer = async (node, tag) => {
    for (let n = 0; !stop; ++n) {
      try {
        const r = await api(node.port, 'POST', `/api/queues/${Q}/messages`, [{ payload: { tag, n } }, { payload: { tag, n, b: 1 } }]);
        if (r.status === 202) r.body.ids.forEach((id) => accepted.add(id)); else ++refused;
      } catch {
        ++refused;
      }
    }
  };
  const producers = [producer(A, 'a'), producer(B, 'b'), producer(B, 'b2')];
  await until(() => accepted.size > 200, 'enqueue load');
  await redis.crashAndRestart(); // kill -9 under load, then the same data directory
  const before = accepted.size;
  await until(() => accepted.size > before + 200, 'enqueues to succeed again after the restart', 15000);
  stop = true;
  await Promise.all(producers);
  assert.ok(refused > 0 || accepted.size > before, 'load ran across the restart');

  const got = new Set();
  await worker(A, 'w-a', Q, { prefetch: 50 }, (msg, ws) => { got.add(msg.id); ack(ws, msg.id); });
  await until(() => [...accepted].every((id) => got.has(id)), 'every 202\'d message delivered', 30000)
    .catch((e) => { throw new Error(`${e.message}: ${[...accepted].filter((id) => !got.has(id)).length} of ${accepted.size} missing`); });
  console.log(`  redis restart: ${accepted.size} accepted, ${refused} refused during the outage`);
}

run('interop_cluster_queues', [
  { name: 'flow: worker on A, enqueue through B (priorities, retries, dead letters, DLQ, stats)', fn: flow },
  { name: 'crash: kill -9 the node a worker holds jobs through, three rounds under load', fn: crash },
  { name: 'redis restart: kill -9 with appendfsync always under enqueue load loses no 202', fn: redisRestart,
    redisArgs: ['--appendonly', 'yes', '--appendfsync', 'always'] },
], process.argv[3] ? new RegExp(process.argv[3]) : undefined);
