// Interop: a queue worker written with the npm `ws` package, as docs/protocol.md describes
// it, against the real binary: consume with prefetch, ack, nack -> retries with backoff ->
// dead letters, DLQ retry and purge over HTTP, a worker dying mid-job, and persisted emits
// for an offline user acknowledged by the client. Usage: node worker.js /path/to/switchboard
'use strict';
const assert = require('node:assert/strict');

const { client, harness } = require('./lib');

// Fast retries so the test does not wait for the production backoff (base 1 s).
const { startServer, api, emit, mint, cleanup } = harness(process.argv[2],
  ['--queue-backoff-base', '50', '--queue-backoff-cap', '200', '--queue-max-attempts', '3']);

const Q = 'notification_queue';

/** Until the server has seen every connection of @p user close (its leases are released). */
async function offline(api, port, user) {
  for (let i = 0; i < 100; ++i) {
    if (!(await api(port, 'GET', `/user-status/${user}`)).body.online) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`user ${user} still online`);
}

async function main() {
  const { child, port } = await startServer();
  const base = `ws://127.0.0.1:${port}/ws`;
  try {
    // Producers: five messages, one of them high priority; 202 with an id each.
    const ids = {};
    for (const n of [1, 2, 3, 4]) {
      const r = await api(port, 'POST', `/api/queues/${Q}/messages`, { payload: { n } });
      assert.equal(r.status, 202);
      ids[n] = r.body.id;
    }
    const hi = await api(port, 'POST', `/api/queues/${Q}/messages`, { payload: { n: 5 }, priority: 'high' });
    assert.equal(hi.status, 202);
    ids[5] = hi.body.id;
    console.log('ok enqueue -> 202 with ids');

    // The worker: prefetch 2; n=3 always fails, n=4 fails once, the rest succeed.
    const worker = client(`${base}?token=${mint('worker-1', ['--role', 'worker'])}`);
    await worker.next('connected');
    // The job handler is in place before "consume": jobs can arrive in the same read as "consuming".
    const seen = [];
    const done = new Promise((resolve) => {
      worker.on('message', (raw) => {
        const msg = JSON.parse(raw.toString());
        if (msg.type !== 'job') return;
        seen.push({ n: msg.data.n, attempt: msg.attempt, id: msg.id });
        if (msg.data.n === 3 || (msg.data.n === 4 && msg.attempt === 1)) {
          worker.send(JSON.stringify({ type: 'nack', id: msg.id, error: `n${msg.data.n} failed on attempt ${msg.attempt}` }));
        } else {
          worker.send(JSON.stringify({ type: 'ack', id: msg.id }));
        }
        // 1, 2, 5 once; 4 twice; 3 three times (maxAttempts) = 8 deliveries
        if (seen.length === 8) resolve();
      });
    });
    worker.send(JSON.stringify({ type: 'consume', queue: Q, prefetch: 2 }));
    assert.equal((await worker.next('consuming')).prefetch, 2);
    await Promise.race([done, new Promise((_, reject) => setTimeout(() => reject(new Error(`only ${JSON.stringify(seen)}`)), 10000))]);
    assert.equal(seen[0].n, 5, 'high priority first');
    assert.deepEqual(seen.filter((j) => j.n === 3).map((j) => j.attempt), [1, 2, 3]);
    assert.deepEqual(seen.filter((j) => j.n === 4).map((j) => j.attempt), [1, 2]);
    assert.equal(seen.filter((j) => j.n === 3)[0].id, ids[3], 'a retry keeps its id');
    console.log('ok ack, nack -> retry with backoff');

    // n=3 is now a dead letter with its last error.
    let stats;
    for (let i = 0; i < 50; ++i) {
      stats = (await api(port, 'GET', '/api/queue/stats')).body.queues.find((q) => q.name === Q);
      if (stats.dead === 1 && stats.inFlight === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.deepEqual([stats.ready, stats.inFlight, stats.delayed, stats.dead], [0, 0, 0, 1]);
    const dlq = await api(port, 'GET', `/api/queues/${Q}/dlq`);
    assert.equal(dlq.status, 200);
    assert.equal(dlq.body.total, 1);
    assert.equal(dlq.body.messages[0].id, ids[3]);
    assert.equal(dlq.body.messages[0].attempts, 3);
    assert.equal(dlq.body.messages[0].lastError, 'n3 failed on attempt 3');
    assert.deepEqual(dlq.body.messages[0].payload, { n: 3 });
    console.log('ok dead letter after maxAttempts');

    // Retry it from the DLQ: it comes back as attempt 1 and this time the worker... still
    // fails it (n=3), so it returns to the DLQ; then purge.
    const retry = await api(port, 'POST', `/api/queues/${Q}/dlq/retry`, { id: ids[3] });
    assert.deepEqual([retry.status, retry.body.retried], [200, 1]);
    for (let i = 0; i < 100 && seen.filter((j) => j.n === 3).length < 6; ++i)
      await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(seen.filter((j) => j.n === 3).map((j) => j.attempt), [1, 2, 3, 1, 2, 3]);
    let dead = 0;
    for (let i = 0; i < 50 && dead !== 1; ++i) {
      dead = (await api(port, 'GET', `/api/queues/${Q}/dlq`)).body.total;
      if (dead !== 1) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(dead, 1);
    const purge = await api(port, 'DELETE', `/api/queues/${Q}/dlq`);
    assert.deepEqual([purge.status, purge.body.purged], [200, 1]);
    assert.equal((await api(port, 'GET', `/api/queues/${Q}/dlq`)).body.total, 0);
    console.log('ok DLQ retry and purge');

    // A worker that dies mid-job: the job goes to the other worker as the next attempt.
    worker.send(JSON.stringify({ type: 'cancel', queue: Q }));
    await worker.next('cancelled');
    const doomed = client(`${base}?token=${mint('worker-2')}`);
    await doomed.next('connected');
    doomed.send(JSON.stringify({ type: 'consume', queue: Q }));
    await doomed.next('consuming');
    const job = await api(port, 'POST', `/api/queues/${Q}/messages`, { payload: { n: 6 } });
    const first = await doomed.next('job');
    assert.equal(first.id, job.body.id);
    const survivor = client(`${base}?token=${mint('worker-3')}`);
    await survivor.next('connected');
    survivor.send(JSON.stringify({ type: 'consume', queue: Q }));
    await survivor.next('consuming');
    doomed.terminate();
    const again = await survivor.next('job', 10000);
    assert.deepEqual([again.id, again.attempt, again.data.n], [job.body.id, 2, 6]);
    survivor.send(JSON.stringify({ type: 'ack', id: again.id }));
    console.log('ok worker lost mid-job -> redelivered');

    // Offline delivery: persisted while user 55 is away, delivered on connect, kept until acked.
    const p = await emit(port, { event: 'invoice.ready', userId: '55', payload: { total: 12 }, persist: true });
    assert.deepEqual([p.body.delivered, p.body.persisted], [0, true]);
    const away = client(`${base}?token=${mint('55')}`);
    await away.next('connected');
    const kept = await away.next('invoice.ready');
    assert.deepEqual([kept.data.total, kept.ack, kept.persisted, kept.id], [12, true, true, p.body.id]);
    away.close();
    await away.closed;
    await offline(api, port, '55');
    const back = client(`${base}?token=${mint('55')}`);
    await back.next('connected');
    const redelivered = await back.next('invoice.ready');
    assert.equal(redelivered.id, p.body.id, 'not acked -> delivered again');
    back.send(JSON.stringify({ type: 'ack', id: redelivered.id }));
    // A ping round trip orders the ack before the next connection's check.
    back.send(JSON.stringify({ type: 'ping' }));
    await back.next('pong');
    back.close();
    await back.closed;
    await offline(api, port, '55');
    const last = client(`${base}?token=${mint('55')}`);
    await last.next('connected');
    last.send(JSON.stringify({ type: 'ping' }));
    await last.next('pong');
    assert.equal(last.unread('invoice.ready'), 0, 'acked -> removed');
    console.log('ok persisted emit for an offline user, removed on ack');

    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    assert.match(metrics, new RegExp(`switchboard_queue_dead_lettered_total\\{queue="${Q}"\\} 2`));
    assert.match(metrics, /switchboard_offline_delivered_total 1/);
    console.log('ok metrics');
  } finally {
    child.kill('SIGKILL');
    cleanup();
  }
}

main().then(() => { console.log('worker interop: all passed'); process.exit(0); },
  (err) => { console.error('worker interop FAILED:', err); process.exit(1); });
