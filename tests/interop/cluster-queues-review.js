// Issue 16, the review of the Redis queue backend (docs/cluster.md): a real redis-server and
// real nodes. The reaper and the stats never run one long script however many queues exist;
// idle queues expire in cluster mode (not while a message, a dead letter or a consumer is
// there); the number of queue names is bounded; DLQ retry-all and purge go in batches; a
// node whose clock is 20 s ahead (libfaketime) neither delays others' jobs nor reaps them
// early; a claim whose reply was lost gives its jobs back at once; the consumer counts of a
// node killed with -9 are removed; ids are not reused after Redis lost its data; a consume
// while Redis is down is answered `unavailable`.
// Usage: node cluster-queues-review.js /path/to/switchboard [case-regex]
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');

const { client, until, redisCli } = require('./lib');
const { clusterHarness, ack, nack } = require('./clusterlib');

const binary = process.argv[2];
const { startNode, api, run, workerToken, worker } = clusterHarness(binary);
const P = 'socket.io:'; // the default --redis-key, and its ':'
const FAST = ['--queue-backoff-base', '50', '--queue-backoff-cap', '200', '--queue-max-attempts', '3'];

const enqueue = (node, queue, body) => api(node.port, 'POST', `/api/queues/${queue}/messages`, body);
/** The first enqueue of a case: a node that just started may not have reached Redis yet (503). */
async function firstEnqueue(node, queue, body) {
  let r = null;
  await until(async () => (r = await enqueue(node, queue, body)).status !== 503, `${node.name} to reach Redis`, 10000);
  return r;
}
const statsOf = async (node, queue) => (await api(node.port, 'GET', '/api/queue/stats')).body.queues.find((q) => q.name === queue);
const cli = (redis, ...args) => redisCli(redis.port, ...args).then((s) => s.trim());
/** Redis' clock in ms. */
const redisNow = async (redis) => { const [s, us] = (await cli(redis, 'TIME')).split('\n').map(Number); return s * 1000 + Math.floor(us / 1000); };
/** Script calls that took longer than the slow log's threshold since its last reset. */
const slowScripts = async (redis) => (await cli(redis, 'SLOWLOG', 'GET', '1000')).split('\n')
  .filter((l) => /^(EVAL|EVALSHA)$/i.test(l.trim())).length;
const scriptCalls = async (redis) => Number(/cmdstat_evalsha:calls=(\d+)/.exec(await cli(redis, 'INFO', 'commandstats'))?.[1] ?? 0);

/**
 * How long (µs) one script call over every queue takes on this machine now: what the old
 * reaper and stats did. The machine may be loaded (other builds), so limits are set relative
 * to it rather than in absolute milliseconds.
 */
async function fullScanMicros(redis) {
  await cli(redis, 'CONFIG', 'SET', 'slowlog-log-slower-than', '0');
  await cli(redis, 'SLOWLOG', 'RESET');
  await cli(redis, 'EVAL', `local n = 0
    for _, q in ipairs(redis.call('SMEMBERS', '${P}queues')) do
      local K = '${P}q:{' .. q .. '}:'
      redis.call('HMGET', K .. 'stats', 'enqueued', 'acked', 'nacked', 'deadLettered')
      redis.call('HGETALL', K .. 'consumers')
      n = n + redis.call('ZCARD', K .. 'ready') + redis.call('ZCARD', K .. 'delayed') + redis.call('ZCARD', K .. 'inflight') + redis.call('ZCARD', K .. 'dead')
    end
    return n`, '0');
  // SLOWLOG GET: id, time, duration (µs), then the command; the newest entry first.
  const lines = (await cli(redis, 'SLOWLOG', 'GET', '20')).split('\n');
  const i = lines.findIndex((l) => l.trim() === 'EVAL');
  assert.ok(i >= 1, 'the reference call in the slow log');
  return Number(lines[i - 1]);
}

async function manyQueues(redis) {
  // 20,000 queue names: one script call over all of them took ~0.2 s.
  const N = 20000;
  await cli(redis, 'EVAL', `for i = 1, ${N} do redis.call('SADD', '${P}queues', 'many_' .. i) end return 1`, '0');
  assert.equal(Number(await cli(redis, 'SCARD', `${P}queues`)), N);
  const full = await fullScanMicros(redis);
  const A = await startNode('A', redis, FAST);
  const limit = Math.floor(full / 4);
  await cli(redis, 'CONFIG', 'SET', 'slowlog-log-slower-than', String(limit));
  await cli(redis, 'SLOWLOG', 'RESET');
  // A queue with a job that times out: the reaper still finds it among the 20,000.
  assert.equal((await firstEnqueue(A, 'many_5', { payload: { x: 1 } })).status, 202);
  const deliveries = [];
  const w = await worker(A, 'w', 'many_5', { visibilityTimeout: 300 }, (msg, ws) => {
    deliveries.push(msg.attempt);
    if (msg.attempt === 2) ack(ws, msg.id);
  });
  await until(() => deliveries.length === 2, 'the job back after its visibility timeout', 10000);
  assert.deepEqual(deliveries, [1, 2]);
  // The stats, read in pages, list every queue.
  let s = null;
  await until(async () => {
    s = (await api(A.port, 'GET', '/api/queue/stats')).body.queues;
    return s.length === N && s.find((q) => q.name === 'many_5')?.acked === 1;
  }, `the stats to list ${N} queues`, 20000).catch((e) => { throw new Error(`${e.message}: ${s && s.length}`); });
  await until(async () => (await api(A.port, 'GET', '/api/queue/stats')).body.queues.length === N, 'a second stats pass');
  assert.equal(await slowScripts(redis), 0,
    `no script call of a quarter of a scan over all queues (${full} µs) or more: ${await cli(redis, 'SLOWLOG', 'GET', '5')}`);
  // The reaper looks at the queues with something due only: none is left.
  assert.equal(Number(await cli(redis, 'ZCARD', `${P}q-due`)), 0);
  w.close();
}

async function idleTtl(redis) {
  const A = await startNode('A', redis, [...FAST, '--queue-idle-ttl', '1500']);
  const B = await startNode('B', redis, [...FAST, '--queue-idle-ttl', '1500']);
  for (const q of ['idle_empty', 'idle_consumed', 'idle_dead']) assert.equal((await firstEnqueue(B, q, { payload: { q }, maxAttempts: 1 })).status, 202);
  // idle_empty: acked, then nothing. idle_consumed: acked, its consumer stays. idle_dead: a dead letter.
  const done = new Set();
  const w1 = await worker(A, 'w1', 'idle_empty', {}, (msg, ws) => { ack(ws, msg.id); done.add(msg.queue); });
  const w2 = await worker(A, 'w2', 'idle_consumed', {}, (msg, ws) => { ack(ws, msg.id); done.add(msg.queue); });
  const w3 = await worker(A, 'w3', 'idle_dead', {}, (msg, ws) => { nack(ws, msg.id, 'no'); done.add(msg.queue); });
  await until(() => done.size === 3, 'the three jobs handled');
  w1.close();
  w3.close();
  await until(async () => Number(await cli(redis, 'SISMEMBER', `${P}queues`, 'idle_empty')) === 0, 'idle_empty to expire', 15000);
  for (const node of [A, B]) await until(async () => (await statsOf(node, 'idle_empty')) === undefined, `idle_empty gone from ${node.name}'s stats`);
  assert.equal(Number(await cli(redis, 'EXISTS', `${P}q:{idle_empty}:stats`)), 0, 'its keys are deleted');
  // Two more TTLs: the queue with a consumer and the one with a dead letter stay.
  const t0 = Date.now();
  await until(() => Date.now() - t0 > 3000, 'two idle TTLs', 5000);
  assert.equal(Number(await cli(redis, 'SISMEMBER', `${P}queues`, 'idle_consumed')), 1, 'a queue with a consumer stays');
  assert.equal(Number(await cli(redis, 'SISMEMBER', `${P}queues`, 'idle_dead')), 1, 'a queue with a dead letter stays');
  assert.equal((await statsOf(B, 'idle_dead')).dead, 1);
  // Without its consumer it goes too; purged, so does the other.
  w2.close();
  assert.equal((await api(B.port, 'DELETE', '/api/queues/idle_dead/dlq')).body.purged, 1);
  await until(async () => Number(await cli(redis, 'SCARD', `${P}queues`)) === 0, 'both to expire', 15000);
  // An expired queue comes back with its next enqueue.
  assert.equal((await enqueue(B, 'idle_empty', { payload: 2 })).status, 202);
  await until(async () => (await statsOf(A, 'idle_empty'))?.ready === 1, 'idle_empty back');
}

async function queueCap(redis) {
  const A = await startNode('A', redis, FAST);
  assert.equal((await firstEnqueue(A, 'capped_old', { payload: 1 })).status, 202);
  // The cluster holds at most 100,000 queue names: fill up to it.
  await cli(redis, 'EVAL', `for i = 1, 99999 do redis.call('SADD', '${P}queues', 'filler_' .. i) end return 1`, '0');
  const r = await enqueue(A, 'capped_new', { payload: 1 });
  assert.equal(r.status, 507, JSON.stringify(r.body));
  assert.equal(r.body.code, 'too_many_queues');
  assert.match(r.body.error, /there are 100000 already \(at most 100000 in cluster mode\)/);
  assert.equal(Number(await cli(redis, 'SISMEMBER', `${P}queues`, 'capped_new')), 0, 'nothing stored');
  assert.equal((await enqueue(A, 'capped_old', { payload: 2 })).status, 202, 'an existing queue still takes messages');
}

/** @p n dead letters of @p queue written straight into Redis (the backend's data model). */
async function deadLetters(redis, queue, n, firstId) {
  await cli(redis, 'EVAL', `
    local P, q, n, first = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
    redis.call('SADD', P .. 'queues', q)
    for i = 0, n - 1 do
      local id = string.format('%d', first + i)
      redis.call('HSET', P .. 'm:' .. id, 'q', q, 'p', '{"i":' .. i .. '}', 'pr', 1, 'a', 3, 'max', 3, 'at', 0, 'c', 0, 'd', 0, 'e', 'x')
      redis.call('ZADD', P .. 'q:{' .. q .. '}:dead', first + i, id)
    end
    return n`, '0', P, queue, String(n), String(firstId));
}

async function dlqBatches(redis) {
  const N = 50000;
  const A = await startNode('A', redis, FAST);
  assert.equal((await firstEnqueue(A, 'dlq_probe', { payload: 1 })).status, 202);
  await deadLetters(redis, 'dlq_retry', N, 1000000);
  await deadLetters(redis, 'dlq_purge', N, 2000000);
  const before = await scriptCalls(redis);
  const retried = await api(A.port, 'POST', '/api/queues/dlq_retry/dlq/retry', { all: true });
  const retryCalls = await scriptCalls(redis) - before;
  assert.equal(retried.status, 200, JSON.stringify(retried.body));
  assert.equal(retried.body.retried, N);
  assert.equal(Number(await cli(redis, 'ZCARD', `${P}q:{dlq_retry}:ready`)), N);
  assert.equal(Number(await cli(redis, 'ZCARD', `${P}q:{dlq_retry}:dead`)), 0);
  assert.equal(await cli(redis, 'HGET', `${P}m:1000000`, 'a'), '0', 'attempts reset');
  const purged = await api(A.port, 'DELETE', '/api/queues/dlq_purge/dlq');
  assert.equal(purged.status, 200);
  assert.equal(purged.body.purged, N);
  assert.equal(Number(await cli(redis, 'EXISTS', `${P}m:2000000`, `${P}m:2049999`)), 0, 'the messages are deleted');
  const calls = await scriptCalls(redis) - before;
  // One script call per 1,000 dead letters (a node's reaper, heartbeat and stats add a few):
  // between them Redis serves every other client.
  assert.ok(retryCalls >= N / 1000, `${retryCalls} script calls for the retry: at least one per 1,000 dead letters`);
  assert.ok(calls >= 2 * N / 1000, `${calls} script calls: at least one per 1,000 dead letters`);
  assert.ok(calls < 2 * N / 1000 + 200, `${calls} script calls: batches of 1,000, not of one`);
}

const FAKETIME_LIB = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
const ahead = (seconds) => ({
  LD_PRELOAD: FAKETIME_LIB, FAKETIME: `+${seconds}`, FAKETIME_DONT_FAKE_MONOTONIC: '1', DONT_FAKE_MONOTONIC: '1',
  // An ASan build refuses a preloaded library ahead of its runtime unless told otherwise.
  ASAN_OPTIONS: [process.env.ASAN_OPTIONS, 'verify_asan_link_order=0'].filter(Boolean).join(':'),
});

async function skewedClock(redis) {
  assert.ok(fs.existsSync(FAKETIME_LIB), `${FAKETIME_LIB} (scripts/install-deps.sh installs faketime)`);
  const A = await startNode('A', redis, FAST, ahead(20)); // its clock is 20 s ahead
  const B = await startNode('B', redis, FAST);
  // A job claimed through A: its deadline is Redis' time plus the visibility timeout.
  assert.equal((await firstEnqueue(B, 'skew_a', { payload: 1 })).status, 202);
  assert.equal((await firstEnqueue(A, 'skew_probe', { payload: 1 })).status, 202);
  const onA = [];
  const wa = await worker(A, 'wa', 'skew_a', { visibilityTimeout: 8000 }, (msg) => onA.push(msg));
  await until(() => onA.length === 1, 'the job on A');
  const deadline = Number(await cli(redis, 'ZSCORE', `${P}q:{skew_a}:inflight`, onA[0].id));
  const now = await redisNow(redis);
  assert.ok(deadline - now <= 8000 && deadline - now > 5000, `deadline ${deadline - now} ms from Redis' now (visibility 8000)`);
  ack(wa, onA[0].id);
  // A worker on B holds a job (visibility 8 s) while A's reaper runs: it is not taken back.
  assert.equal((await enqueue(A, 'skew_b', { payload: 2 })).status, 202);
  const onB = [];
  const wb = await worker(B, 'wb', 'skew_b', { visibilityTimeout: 8000 }, (msg) => onB.push(msg));
  await until(() => onB.length === 1, 'the job on B');
  const t0 = Date.now();
  await until(() => Date.now() - t0 > 3000 || onB.length > 1, 'three reaps of A', 5000);
  assert.equal(onB.length, 1, 'not delivered again before its visibility timeout');
  assert.equal(Number(await cli(redis, 'ZCARD', `${P}q:{skew_b}:inflight`)), 1, 'still in flight');
  ack(wb, onB[0].id);
  // A delay given through A counts from Redis' clock: due in 0.5 s, not 20.5 s.
  const sent = Date.now();
  assert.equal((await enqueue(A, 'skew_b', { payload: 3, delayMs: 500 })).status, 202);
  await until(() => onB.length === 2, 'the delayed job, on time', 5000);
  assert.ok(Date.now() - sent >= 400, 'not before its delay');
  wa.close();
  wb.close();
}

async function lostClaim(redis) {
  const A = await startNode('A', redis, FAST);
  assert.equal((await firstEnqueue(A, 'lost_claim', { payload: 0 })).status, 202);
  const jobs = [];
  const w = await worker(A, 'w', 'lost_claim', { prefetch: 1, visibilityTimeout: 60000 }, (msg, ws) => {
    jobs.push(msg);
    if (msg.data !== 0) ack(ws, msg.id);
  });
  await until(() => jobs.length === 1, 'the first job');
  // The worker holds job 0 (prefetch 1), so job 1 waits, ready. Redis stops answering for
  // 5 s; then the worker acks job 0 and A claims job 1: the claim times out (3 s) with the
  // command sent, Redis runs it when it resumes, and its reply goes nowhere.
  assert.equal((await enqueue(A, 'lost_claim', { payload: 1 })).status, 202);
  redis.pause();
  ack(w, jobs[0].id);
  const t0 = Date.now();
  await until(() => Date.now() - t0 > 5000, 'the pause', 7000);
  redis.resume();
  // The claim that took it gave it back: delivered long before its 60 s visibility timeout,
  // and the lost delivery does not count as an attempt.
  await until(() => jobs.length === 2, 'the job a lost claim took, delivered', 15000);
  assert.deepEqual(jobs[1].data, 1);
  assert.equal(jobs[1].attempt, 1);
  assert.match(A.log(), /taken by a claim whose reply was lost are ready again/);
  w.close();
}

async function deadNodeConsumers(redis) {
  const A = await startNode('A', redis, FAST);
  const K = await startNode('K', redis, FAST);
  assert.equal((await firstEnqueue(A, 'counted', { payload: 1 })).status, 202);
  await worker(A, 'wa', 'counted', {}, (msg, ws) => ack(ws, msg.id));
  await worker(K, 'wk', 'counted', {}, (msg, ws) => ack(ws, msg.id));
  await until(async () => Number(await cli(redis, 'HLEN', `${P}q:{counted}:consumers`)) === 2, 'two nodes counting consumers');
  K.kill('SIGKILL');
  // Gone from the hash (not only not counted) once K's heartbeat is 7 s old.
  await until(async () => Number(await cli(redis, 'HLEN', `${P}q:{counted}:consumers`)) === 1, 'K\'s count removed', 20000);
  assert.equal(Number(await cli(redis, 'ZCARD', `${P}q-nodes`)), 1, 'K is no longer a queue node');
  assert.equal((await statsOf(A, 'counted')).consumers, 1);
}

async function idsAfterDataLoss(redis) {
  const A = await startNode('A', redis, FAST);
  const ids = async () => (await enqueue(A, 'ids', [{ payload: 1 }, { payload: 2 }, { payload: 3 }])).body.ids.map(Number);
  assert.equal((await firstEnqueue(A, 'ids', { payload: 0 })).status, 202);
  const first = await ids();
  assert.equal(new Set(first).size, 3);
  await cli(redis, 'FLUSHALL'); // Redis lost everything, the id counter included
  const second = await ids();
  assert.ok(second.every((id) => !first.includes(id)), `ids reused: ${first} then ${second}`);
  assert.ok(Math.min(...second) > Math.max(...first), 'ids keep growing');
  assert.ok(second.every(Number.isSafeInteger));
}

async function consumeWhileDown(redis) {
  const A = await startNode('A', redis, FAST);
  const ws = client(`ws://127.0.0.1:${A.port}/ws?token=${workerToken('w')}`);
  await ws.next('connected');
  redis.kill();
  ws.send(JSON.stringify({ type: 'consume', queue: 'not_sure', id: 7 }));
  const err = await ws.next('error');
  assert.equal(err.code, 'unavailable', JSON.stringify(err));
  assert.equal(err.id, 7);
  ws.close();
}

run('interop_cluster_queues_review', [
  { name: 'many queues: reaper and stats in bounded calls, due queues only', fn: manyQueues },
  { name: 'idle queues expire in cluster mode, not with a consumer or a dead letter', fn: idleTtl },
  { name: 'at most 100,000 queue names: 507 too_many_queues', fn: queueCap },
  { name: 'DLQ retry-all and purge of 50,000 in batches', fn: dlqBatches },
  { name: 'a node 20 s ahead: deadlines and delays on Redis\' clock', fn: skewedClock },
  { name: 'a claim whose reply was lost gives its jobs back', fn: lostClaim },
  { name: 'consumer counts of a node killed with -9 are removed', fn: deadNodeConsumers },
  { name: 'ids are not reused after Redis lost its data', fn: idsAfterDataLoss },
  { name: 'consume while Redis is down: unavailable', fn: consumeWhileDown },
], process.argv[3] ? new RegExp(process.argv[3]) : undefined);
