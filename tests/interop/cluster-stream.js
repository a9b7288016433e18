// Interop: the write side of the cluster's recovery stream (issue 16, docs/cluster.md
// "Connection state recovery"), on a real redis-server with real nodes:
// - order: several nodes emit into one room at once; every node delivers from the stream,
//   so every client, on every node, sees the same strictly increasing offsets, and a resume
//   from the middle returns exactly the rest;
// - bytes: --recovery-stream-max-bytes holds the stream under its budget (checked in Redis),
//   and a resume from before the trimmed part fails;
// - gaps: an event that could not be recorded (too large for the budget, or Redis refusing
//   writes past the link's deadline) is delivered live once, and a resume or a Socket.IO
//   recovery across it fails instead of claiming success.
// Usage: node cluster-stream.js /path/to/switchboard [case-filter]
'use strict';
const assert = require('node:assert/strict');

const { client, sio, connected, until, redisCli } = require('./lib');
const { clusterHarness, streamLess } = require('./clusterlib');

const binary = process.argv[2];
const { mint, startNode, emit, api, clusterOf, run } = clusterHarness(binary);
const filter = process.argv[3] ? new RegExp(process.argv[3]) : null;

const STREAM_KEY = 'socket.io:sb:events';
const BYTES_KEY = 'socket.io:sb:events:bytes';


async function emitOk(port, body) {
  const r = await emit(port, body);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r;
}

/** A native client on @p port subscribed to @p room; collects the room's events in @p got. */
async function member(port, user, room) {
  const ws = client(`ws://127.0.0.1:${port}/ws?token=${mint(user)}`);
  await ws.next('connected');
  ws.send(JSON.stringify({ type: 'subscribe', channel: room, id: 's' }));
  await ws.next('subscribed');
  ws.got = [];
  ws.on('message', (raw) => { const m = JSON.parse(raw.toString()); if (m.type.startsWith('t.')) ws.got.push(m); });
  return ws;
}

/** A new native client that subscribes to @p room and resumes from @p since: resumed or resume_failed. */
async function resumeFrom(port, user, room, since) {
  const ws = await member(port, user, room);
  ws.send(JSON.stringify({ type: 'resume', since, id: 'r' }));
  const answer = await Promise.race([ws.next('resumed', 8000), ws.next('resume_failed', 8000)]);
  return { ws, answer };
}

const cases = [];
const test = (name, fn, redisArgs) => cases.push({ name, fn, redisArgs });

test('order: three nodes emit into one room at once; every client sees one sequence, in stream order; a resume from the middle gets exactly the rest', async (redis) => {
  const nodes = [await startNode('A', redis), await startNode('B', redis), await startNode('C', redis)];
  await clusterOf(nodes);
  // Two clients on every node.
  const members = [];
  for (const [i, node] of nodes.entries()) {
    members.push(await member(node.port, `o${i}a`, 'ord'));
    members.push(await member(node.port, `o${i}b`, 'ord'));
  }
  const perNode = 80;
  const total = perNode * nodes.length;
  // Every node emits concurrently, several emits in flight on each.
  await Promise.all(nodes.map(async (node, k) => {
    const inFlight = 8;
    let next = 0;
    await Promise.all(Array.from({ length: inFlight }, async () => {
      while (next < perNode) {
        const n = next++;
        await emitOk(node.port, { event: 't.room', room: 'ord', payload: { from: node.name, n } });
      }
    }));
  }));
  for (const [i, ws] of members.entries())
    await until(() => ws.got.length >= total, `client ${i}: ${total} events (has ${ws.got.length})`, 15000);
  const reference = members[0].got.map((m) => `${m.offset} ${m.data.from}${m.data.n}`);
  for (const [i, ws] of members.entries()) {
    const offsets = ws.got.map((m) => m.offset);
    for (let k = 1; k < offsets.length; ++k)
      assert.ok(streamLess(offsets[k - 1], offsets[k]), `client ${i}: offsets not strictly increasing at ${k}: ${offsets[k - 1]} then ${offsets[k]}`);
    assert.deepEqual(ws.got.map((m) => `${m.offset} ${m.data.from}${m.data.n}`), reference, `client ${i} saw another sequence than client 0`);
  }
  assert.equal(new Set(reference).size, total, 'every event once');
  // The stream holds the same sequence: live order is stream order.
  const xlen = Number((await redisCli(redis.port, 'XLEN', STREAM_KEY)).trim());
  assert.equal(xlen, total, 'one entry per event');
  // A resume from the middle, through each node: exactly the rest, in order.
  const mid = Math.floor(total / 2);
  for (const [i, node] of nodes.entries()) {
    const { ws, answer } = await resumeFrom(node.port, `r${i}`, 'ord', members[0].got[mid - 1].offset);
    assert.equal(answer.type, 'resumed', JSON.stringify(answer));
    assert.equal(answer.count, total - mid, JSON.stringify(answer));
    assert.deepEqual(ws.got.map((m) => `${m.offset} ${m.data.from}${m.data.n}`), reference.slice(mid), `resume through ${node.name}`);
    ws.close();
  }
  for (const ws of members) ws.close();
});

test('bytes: large events keep the stream under --recovery-stream-max-bytes, whichever node records; a resume from the trimmed part fails', async (redis) => {
  const budget = 256 * 1024; // one entry may be 16 KiB
  const args = ['--recovery-stream-max-bytes', String(budget)];
  const nodes = [await startNode('A', redis, args), await startNode('B', redis, args)];
  const [A, B] = nodes;
  await clusterOf(nodes);
  const ws = await member(A.port, 'b1', 'big');
  const pad = 'x'.repeat(6 * 1024); // an entry holds it twice (the frame and the payload): ~12 KB
  await emitOk(A.port, { event: 't.room', room: 'big', payload: { n: 0, pad } });
  await until(() => ws.got.length === 1, 'the first event');
  const first = ws.got[0].offset;
  const count = 100; // ~1.2 MB of entries in all, almost five times the budget
  for (let n = 1; n <= count; ++n)
    await emitOk((n % 2 ? A : B).port, { event: 't.room', room: 'big', payload: { n, pad } });
  await until(() => ws.got.length === count + 1, 'every event live', 10000);
  assert.deepEqual(ws.got.map((m) => m.data.n), Array.from({ length: count + 1 }, (_, i) => i), 'every event live, in order');

  const xlen = Number((await redisCli(redis.port, 'XLEN', STREAM_KEY)).trim());
  const counted = Number((await redisCli(redis.port, 'GET', BYTES_KEY)).trim());
  const memory = Number((await redisCli(redis.port, 'MEMORY', 'USAGE', STREAM_KEY, 'SAMPLES', '0')).trim());
  assert.ok(xlen > 5 && xlen < count, `the stream was trimmed, not emptied (XLEN ${xlen})`);
  assert.ok(counted <= budget, `the byte total ${counted} is within ${budget}`);
  assert.ok(xlen * 2 * pad.length <= budget, `${xlen} entries of over ${2 * pad.length} bytes are within ${budget}`);
  assert.ok(counted > budget - 3 * 2 * pad.length, `the byte total ${counted} is near the budget, not far below it`);
  assert.ok(memory < budget * 1.5, `MEMORY USAGE ${memory} is near the budget ${budget}`);

  // From before the trimmed part: resume_failed, nothing replayed.
  const { ws: late, answer } = await resumeFrom(B.port, 'b2', 'big', first);
  assert.equal(answer.type, 'resume_failed', JSON.stringify(answer));
  assert.equal(answer.reason, 'expired');
  assert.equal(late.got.length, 0, 'nothing replayed');
  // From a kept entry: exactly what follows it.
  const kept = ws.got[count - 2].offset; // n = count - 2
  const { ws: recent, answer: ok } = await resumeFrom(B.port, 'b3', 'big', kept);
  assert.equal(ok.type, 'resumed', JSON.stringify(ok));
  assert.deepEqual(recent.got.map((m) => m.data.n), [count - 1, count]);
  for (const c of [ws, late, recent]) c.close();
});

test('entries and age: --recovery-stream-max-len is exact; --recovery-stream-max-age trims by Redis\' clock even with no emits', async (redis) => {
  const A = await startNode('A', redis, ['--recovery-stream-max-len', '5', '--recovery-stream-max-age', '2']);
  await clusterOf([A]);
  for (let n = 1; n <= 12; ++n) await emitOk(A.port, { event: 't.room', room: 'len', payload: { n } });
  assert.equal((await redisCli(redis.port, 'XLEN', STREAM_KEY)).trim(), '5', 'exactly the newest 5 kept');
  const kept = await redisCli(redis.port, 'XRANGE', STREAM_KEY, '-', '+');
  assert.match(kept, /"n":8/);
  assert.doesNotMatch(kept, /"n":7\b/);
  // No more emits: the node trims by age on its own (every 5 s), so the stream empties.
  await until(async () => (await redisCli(redis.port, 'XLEN', STREAM_KEY)).trim() === '0', 'the stream trimmed by age', 12000);
  assert.equal((await redisCli(redis.port, 'GET', BYTES_KEY)).trim(), '0', 'the byte total follows');
});

test('gap: an event over one entry\'s share of the budget is delivered live, not recorded, and a resume or recovery across it fails', async (redis) => {
  const budget = 256 * 1024; // one entry may be 16 KiB
  const A = await startNode('A', redis, ['--recovery-stream-max-bytes', String(budget)]);
  await clusterOf([A]);
  const live = await member(A.port, 'g1', 'gp');
  const s = sio(A.port, { auth: { token: mint('g2') }, reconnection: true, reconnectionDelay: 50, reconnectionDelayMax: 100 });
  const sioGot = [];
  s.onAny((event, ...args) => { if (event.startsWith('t.')) sioGot.push(args[0].n); });
  await connected(s);
  assert.deepEqual(await s.timeout(5000).emitWithAck('join_room', 'gp'), { ok: true, room: 'gp' });
  await until(async () => (await redisCli(redis.port, 'GET', `socket.io:sb:recovery:${s._pid}`)).includes('"gp"'), 'the session in Redis');

  await emitOk(A.port, { event: 't.room', room: 'gp', payload: { n: 1 } });
  await until(() => live.got.length === 1 && sioGot.length === 1, 'the first event');
  const o1 = live.got[0].offset;

  // Control: a Socket.IO client that misses only recorded events recovers.
  const dropTransport = async () => {
    const back = new Promise((resolve) => s.once('connect', resolve));
    s.io.engine.close();
    return back;
  };
  let back = dropTransport();
  await emitOk(A.port, { event: 't.room', room: 'gp', payload: { n: 2 } });
  await back;
  assert.equal(s.recovered, true, 'recovered across recorded events');
  await until(() => sioGot.length === 2, 'the missed recorded event');

  // Too large to record: delivered live, without an offset; a marker goes into the stream.
  await until(async () => (await redisCli(redis.port, 'GET', `socket.io:sb:recovery:${s._pid}`)).includes('"gp"'), 'the session in Redis again');
  back = new Promise((resolve) => s.once('connect', resolve));
  s.io.engine.close();
  const huge = 'y'.repeat(20 * 1024);
  await emitOk(A.port, { event: 't.room', room: 'gp', payload: { n: 3, huge } });
  await emitOk(A.port, { event: 't.room', room: 'gp', payload: { n: 4 } });
  await back;
  assert.equal(s.recovered, false, 'not recovered across an event that was not recorded');
  await until(() => live.got.length === 4, 'all four live');
  assert.deepEqual(live.got.map((m) => m.data.n), [1, 2, 3, 4]);
  assert.equal(live.got[2].offset, undefined, 'the unrecorded event has no offset');
  const entries = await redisCli(redis.port, 'XRANGE', STREAM_KEY, '-', '+');
  assert.match(entries, /bytes was not recorded/, 'a gap marker in the stream');

  // Native: across the gap, resume_failed; after it, resumed.
  const { ws: across, answer } = await resumeFrom(A.port, 'g3', 'gp', o1);
  assert.equal(answer.type, 'resume_failed', JSON.stringify(answer));
  assert.equal(answer.reason, 'gap');
  assert.equal(across.got.length, 0, 'nothing replayed');
  const { ws: after, answer: ok } = await resumeFrom(A.port, 'g4', 'gp', live.got[3].offset);
  assert.equal(ok.type, 'resumed', JSON.stringify(ok));
  assert.equal(ok.count, 0);
  for (const c of [live, across, after]) c.close();
  s.disconnect();
});

test('gap: a record Redis does not answer within the deadline is delivered live once and marked; a resume across it fails', async (redis) => {
  const nodes = [await startNode('A', redis), await startNode('B', redis)];
  const [A, B] = nodes;
  await clusterOf(nodes);
  const live = await member(A.port, 't1', 'tp');
  const away = await member(A.port, 't2', 'tp');
  await emitOk(B.port, { event: 't.room', room: 'tp', payload: { n: 1 } });
  await until(() => live.got.length === 1 && away.got.length === 1, 'the first event');
  const o1 = away.got[0].offset;
  away.close();

  // Writes wait for 4 s: longer than the links' deadline (2.5 s with the tests' heartbeat).
  await redisCli(redis.port, 'CLIENT', 'PAUSE', '4000', 'WRITE');
  const r = await emit(A.port, { event: 't.room', room: 'tp', payload: { n: 2 } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  await until(() => live.got.length === 2, 'the unrecorded event live', 5000);
  assert.equal(live.got[1].offset, undefined, 'delivered without an offset');
  // Redis writes again; the node is back (its health), and records again.
  await until(async () => (await api(A.port, 'GET', '/health')).body.status !== 'degraded', 'node A healthy again', 15000);
  await until(async () => {
    const x = await emit(A.port, { event: 't.room', room: 'tp', payload: { n: 3 } });
    return x.status === 200 && x.body.cluster && x.body.cluster.published;
  }, 'an emit recorded and published', 10000);
  await until(() => live.got.some((m) => m.data.n === 3 && m.offset), 'a recorded event after the pause', 5000);
  assert.equal(live.got.filter((m) => m.data.n === 2).length, 1, 'the unrecorded event reached the client once');
  const entries = await redisCli(redis.port, 'XRANGE', STREAM_KEY, '-', '+');
  assert.match(entries, /delivered unrecorded/, 'a gap marker in the stream');

  for (const node of nodes) {
    const { ws, answer } = await resumeFrom(node.port, `t3${node.name}`, 'tp', o1);
    assert.equal(answer.type, 'resume_failed', `through ${node.name}: ${JSON.stringify(answer)}`);
    assert.equal(answer.reason, 'gap');
    ws.close();
  }
  live.close();
});

test('gap: a record that lands after its deadline (Redis stopped, then resumed) reaches a client once, not again from the stream, on the emitting node and another', async (redis) => {
  const A = await startNode('A', redis);
  const B = await startNode('B', redis);
  await clusterOf([A, B]);
  const live = await member(A.port, 'l1', 'lt');
  const far = await member(B.port, 'l3', 'lt');
  await emitOk(A.port, { event: 't.room', room: 'lt', payload: { n: 1 } });
  await until(() => live.got.length === 1 && far.got.length === 1, 'the first event on both nodes');
  const o1 = live.got[0].offset;
  redis.pause(); // SIGSTOP: the record waits in Redis' socket buffer past the link's deadline
  let r;
  try {
    r = await emit(A.port, { event: 't.room', room: 'lt', payload: { n: 2 } });
    await until(() => live.got.length === 2, 'the unrecorded event live', 6000);
  } finally {
    redis.resume();
  }
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(live.got[1].offset, undefined, 'delivered without an offset');
  // Redis, running again, executes the record it had read: the event is in the stream after all.
  await until(async () => /"n":2/.test(await redisCli(redis.port, 'XRANGE', STREAM_KEY, '-', '+')), 'the late record in the stream', 10000);
  await until(async () => {
    const x = await emit(A.port, { event: 't.room', room: 'lt', payload: { n: 3 } });
    return x.status === 200 && x.body.cluster && x.body.cluster.published;
  }, 'an emit recorded and published again', 10000);
  await until(() => live.got.some((m) => m.data.n === 3 && m.offset), 'a recorded event after it', 5000);
  await until(() => far.got.some((m) => m.data.n === 3 && m.offset), 'a recorded event after it on B', 5000);
  assert.equal(live.got.filter((m) => m.data.n === 2).length, 1, 'the late record was not delivered a second time');
  assert.equal(far.got.filter((m) => m.data.n === 2).length, 1,
    `the late record reached B's client once: ${JSON.stringify(far.got.map((m) => [m.data.n, m.offset]))}`);
  const { ws, answer } = await resumeFrom(A.port, 'l2', 'lt', o1);
  assert.equal(answer.type, 'resume_failed', JSON.stringify(answer));
  assert.equal(answer.reason, 'gap');
  ws.close();
  live.close();
  far.close();
});

test('tail: a node whose stream reads fail and whose Redis connections drop goes on from its last id: every event recorded meanwhile, in order, once', async (redis) => {
  const nodes = [await startNode('A', redis), await startNode('B', redis)];
  const [A, B] = nodes;
  await clusterOf(nodes);
  const onA = await member(A.port, 'w1', 'tl');
  const onB = await member(B.port, 'w2', 'tl');
  await emitOk(A.port, { event: 't.room', room: 'tl', payload: { n: 0 } });
  await until(() => onA.got.length === 1 && onB.got.length === 1, 'the first event on both nodes');
  // No node can read the stream now (records still work): nothing is delivered.
  await redisCli(redis.port, 'ACL', 'SETUSER', 'default', '-xread');
  // An XREAD already blocked is still served: wait until the tails' blocked reads ran out (BLOCK < 1 s).
  await until(async () => /blocked_clients:0/.test(await redisCli(redis.port, 'INFO', 'clients')), 'no tail blocked in XREAD', 5000);
  for (let n = 1; n <= 6; ++n)
    await emitOk(n % 2 ? A.port : B.port, { event: 't.room', room: 'tl', payload: { n } });
  assert.equal((await redisCli(redis.port, 'XLEN', STREAM_KEY)).trim(), '7', 'recorded while no tail reads');
  // Every connection dropped: the nodes reconnect, and their tails start again from their last id.
  await redisCli(redis.port, 'CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
  for (const node of nodes)
    await until(async () => (await api(node.port, 'GET', '/health')).body.status !== 'degraded', `${node.name} back`, 10000);
  assert.equal(onA.got.length + onB.got.length, 2, 'nothing delivered while the stream cannot be read');
  await redisCli(redis.port, 'ACL', 'SETUSER', 'default', '+xread');
  for (const ws of [onA, onB])
    await until(() => ws.got.length === 7, 'the events recorded meanwhile', 8000);
  for (const ws of [onA, onB]) {
    assert.deepEqual(ws.got.map((m) => m.data.n), [0, 1, 2, 3, 4, 5, 6], 'in order, once each');
    for (let k = 1; k < ws.got.length; ++k) assert.ok(streamLess(ws.got[k - 1].offset, ws.got[k].offset));
  }
  await emitOk(B.port, { event: 't.room', room: 'tl', payload: { n: 7 } });
  for (const ws of [onA, onB]) await until(() => ws.got.length === 8, 'live again');
  onA.close();
  onB.close();
});

test('rewind: the stream lost (FLUSHALL) with new ids below what the tails read: every node reads the new stream from its start', async (redis) => {
  const nodes = [await startNode('A', redis), await startNode('B', redis)];
  const [A, B] = nodes;
  await clusterOf(nodes);
  const onA = await member(A.port, 'v1', 'rw');
  const onB = await member(B.port, 'v2', 'rw');
  await emitOk(A.port, { event: 't.room', room: 'rw', payload: { n: 0 } });
  await until(() => onA.got.length === 1 && onB.got.length === 1, 'the first event on both nodes');
  // An entry a minute ahead of Redis' clock (a gap marker: delivered to nobody) moves both
  // tails there; then the stream is lost, and Redis' next ids are below where they read.
  const ahead = `${Date.now() + 60000}-0`;
  await redisCli(redis.port, 'XADD', STREAM_KEY, ahead, 'g', 'test: an id ahead of the clock');
  await until(async () => /blocked_clients:2/.test(await redisCli(redis.port, 'INFO', 'clients')), 'both tails read past it', 5000);
  await redisCli(redis.port, 'FLUSHALL');
  await emitOk(B.port, { event: 't.room', room: 'rw', payload: { n: 1 } });
  await emitOk(A.port, { event: 't.room', room: 'rw', payload: { n: 2 } });
  for (const ws of [onA, onB])
    await until(() => ws.got.length === 3, 'the events recorded in the new stream, on both nodes', 8000);
  for (const ws of [onA, onB]) assert.deepEqual(ws.got.map((m) => m.data.n), [0, 1, 2], 'in order, once each');
  onA.close();
  onB.close();
});

run('cluster stream', cases, filter);
