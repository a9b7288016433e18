// Interop: connection state recovery and native resume across a cluster (issue 16,
// docs/cluster.md "Connection state recovery", docs/protocol.md "Resume"). Three switchboard
// nodes on a real redis-server; a node is killed with -9 while emits keep coming through
// another; the client comes back through the third: socket.io-client recovers
// (socket.recovered, rooms back, every missed room and broadcast event in order, no
// duplicates), a native client resumes with ?since= or {"type":"resume"}, and gets
// resume_failed when the stream no longer has what it missed. Offsets are Redis stream ids.
// Also the single-node in-memory resume buffer (same protocol, local store).
// Usage: node cluster-recovery.js /path/to/switchboard [case-filter]
'use strict';
const assert = require('node:assert/strict');

const { client, sio, connected, until, redisCli, harness } = require('./lib');
const { clusterHarness, balancer, streamLess } = require('./clusterlib');

const binary = process.argv[2];
const { mint, startNode, emit, clusterOf, run } = clusterHarness(binary);
const filter = process.argv[3] ? new RegExp(process.argv[3]) : null;

const STREAM_ID = /^\d+-\d+$/;
const STREAM_KEY = 'socket.io:sb:events';



function assertIncreasing(offsets, what) {
  for (let i = 1; i < offsets.length; ++i)
    assert.ok(streamLess(offsets[i - 1], offsets[i]), `${what}: offsets not increasing at ${i}: ${offsets.join(' ')}`);
}

async function emitOk(port, body) {
  const r = await emit(port, body);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.cluster.published, true, JSON.stringify(r.body));
  return r;
}

const cases = [];
const test = (name, fn) => cases.push({ name, fn });

test('socket.io failover: A killed -9, emits through C, the client recovers on B in order without duplicates', async (redis) => {
  const nodes = [await startNode('A', redis), await startNode('B', redis), await startNode('C', redis)];
  const [A, B, C] = nodes;
  await clusterOf(nodes);
  const lb = await balancer(A.port);
  try {
    const s = sio(lb.port, { auth: { token: mint('f1') }, reconnection: true, reconnectionDelay: 50, reconnectionDelayMax: 200 });
    const got = [];
    s.onAny((event, ...args) => { if (event.startsWith('t.')) got.push({ event, n: args[0].n, offset: args[args.length - 1] }); });
    await connected(s);
    assert.equal(s.recovered, false);
    assert.deepEqual(await s.timeout(5000).emitWithAck('join_room', 'fo'), { ok: true, room: 'fo' });
    // The session in Redis has the room before A dies (it is written when the rooms change).
    const sessionKey = `socket.io:sb:recovery:${s._pid}`;
    assert.ok(s._pid, 'the CONNECT answer had a pid');
    await until(async () => (await redisCli(redis.port, 'GET', sessionKey)).includes('"fo"'), 'the session with its room in Redis');

    let n = 0;
    const send = async () => {
      n += 1;
      // Room events, broadcasts, and events for a room the client is not in (never delivered).
      await emitOk(C.port, n % 5 === 0 ? { event: 't.all', broadcast: true, payload: { n } } : { event: 't.room', room: 'fo', payload: { n } });
      await emitOk(C.port, { event: 't.other', room: 'elsewhere', payload: { n: -n } });
    };
    for (let i = 0; i < 6; ++i) await send();
    await until(() => got.length === 6, 'the first 6 events on A');
    for (const g of got) assert.match(g.offset, STREAM_ID, 'the offset is the stream id');

    // A dies; the balancer sends the client to B. Emits go on through C meanwhile.
    lb.target = B.port;
    const reconnected = new Promise((resolve) => s.once('connect', resolve));
    A.kill('SIGKILL');
    let sending = true;
    const background = (async () => { while (sending && n < 60) await send(); })();
    await reconnected;
    assert.equal(s.recovered, true, 'socket.recovered after coming back through B');
    await until(() => n >= 40, 'emits to go on after the recovery', 15000);
    sending = false;
    await background;
    await until(() => got.length === n, `all ${n} events (have ${got.length})`, 10000);
    assert.deepEqual(got.map((g) => g.n), Array.from({ length: n }, (_, i) => i + 1), 'every event once, in order');
    assertIncreasing(got.map((g) => g.offset), 'offsets');
    assert.ok(got.every((g) => g.n > 0), 'nothing for a room it was not in');
    // Its room is back: a later room emit through C reaches it on B.
    await emitOk(C.port, { event: 't.room', room: 'fo', payload: { n: n + 1 } });
    await until(() => got.length === n + 1, 'a room event after the recovery');
    // The session was taken: a second client with the same pid recovers nothing.
    assert.equal(await redisCli(redis.port, 'EXISTS', sessionKey).then((x) => x.trim()), '1', 'B tracks the live session again');
    s.disconnect();
    await until(async () => (await redisCli(redis.port, 'EXISTS', sessionKey)).trim() === '0', 'the session forgotten after disconnect()');
  } finally {
    lb.closeAll();
  }
});

test('socket.io: a session whose missed events were trimmed from the stream is not recovered', async (redis) => {
  const nodes = [await startNode('A', redis), await startNode('B', redis)];
  const [A, B] = nodes;
  await clusterOf(nodes);
  const lb = await balancer(A.port);
  try {
    const s = sio(lb.port, { auth: { token: mint('t1') }, reconnection: true, reconnectionDelay: 50, reconnectionDelayMax: 200 });
    const got = [];
    s.onAny((event, ...args) => { if (event.startsWith('t.')) got.push(args[0].n); });
    await connected(s);
    assert.deepEqual(await s.timeout(5000).emitWithAck('join_room', 'tr'), { ok: true, room: 'tr' });
    await until(async () => (await redisCli(redis.port, 'GET', `socket.io:sb:recovery:${s._pid}`)).includes('"tr"'), 'the session in Redis');
    await emitOk(B.port, { event: 't.room', room: 'tr', payload: { n: 1 } });
    await until(() => got.length === 1, 'the first event');
    lb.target = null; // the client cannot come back until the stream was trimmed
    const reconnected = new Promise((resolve) => s.once('connect', resolve));
    A.kill('SIGKILL');
    // Missed, then trimmed away before the client is back.
    await emitOk(B.port, { event: 't.room', room: 'tr', payload: { n: 2 } });
    await redisCli(redis.port, 'XTRIM', STREAM_KEY, 'MAXLEN', '0');
    await emitOk(B.port, { event: 't.room', room: 'tr', payload: { n: 3 } });
    lb.target = B.port;
    await reconnected;
    assert.equal(s.recovered, false, 'not recovered: some of what it missed is gone');
    assert.deepEqual(got, [1], 'nothing replayed');
    s.disconnect();
  } finally {
    lb.closeAll();
  }
});

test('native resume: ?since= after kill -9 gets the missed user and room events in order; resume message; resume_failed', async (redis) => {
  const nodes = [await startNode('A', redis), await startNode('B', redis), await startNode('C', redis)];
  const [A, B, C] = nodes;
  await clusterOf(nodes);
  const token = mint('n1');
  const first = client(`ws://127.0.0.1:${A.port}/ws?token=${token}`);
  await first.next('connected');
  first.send(JSON.stringify({ type: 'subscribe', channel: 'nr', id: 's' }));
  await first.next('subscribed');
  const seenA = [];
  first.on('message', (raw) => { const m = JSON.parse(raw.toString()); if (m.type.startsWith('t.')) seenA.push(m); });
  let n = 0;
  const send = (room) => emitOk(C.port, room ? { event: 't.room', room, payload: { n: ++n } } : { event: 't.user', userId: 'n1', payload: { n: ++n } });
  await send(); await send('nr'); await send();
  await until(() => seenA.length === 3, 'three events on A');
  for (const m of seenA) assert.match(m.offset, STREAM_ID, `"offset" field: ${JSON.stringify(m)}`);
  assertIncreasing(seenA.map((m) => m.offset), 'live offsets');
  const last = seenA[2].offset;

  A.kill('SIGKILL');
  await send(); await send('nr'); await send(); await send('nr'); await send();

  // ?since=: the token's rooms (user:n1) are known at once; "nr" is not subscribed yet.
  const second = client(`ws://127.0.0.1:${B.port}/ws?token=${token}&since=${encodeURIComponent(last)}`);
  const seenB = [];
  second.on('message', (raw) => { const m = JSON.parse(raw.toString()); if (m.type.startsWith('t.')) seenB.push(m); });
  await second.next('connected');
  const resumed = await second.next('resumed');
  assert.equal(resumed.since, last);
  assert.equal(resumed.count, 3, JSON.stringify(resumed));
  assert.deepEqual(seenB.map((m) => m.data.n), [4, 6, 8], 'the missed user events, in order');
  assertIncreasing([last, ...seenB.map((m) => m.offset)], 'replayed offsets');

  // {"type":"resume"} after subscribing again: the room events too, none of the user's twice
  // (the ?since= replay sent them to this connection already).
  second.send(JSON.stringify({ type: 'subscribe', channel: 'nr', id: 's2' }));
  await second.next('subscribed');
  seenB.length = 0;
  second.send(JSON.stringify({ type: 'resume', since: last, id: 'r1' }));
  const again = await second.next('resumed');
  assert.equal(again.id, 'r1');
  assert.equal(again.count, 2, JSON.stringify(again));
  assert.deepEqual(seenB.map((m) => m.data.n), [5, 7], 'the room events it had not got, in stream order');
  // Live events after it: once each.
  seenB.length = 0;
  await send('nr'); await send();
  await until(() => seenB.length === 2, 'live events after the resume');
  assert.deepEqual(seenB.map((m) => m.data.n), [9, 10]);

  // Bad input gets a clear error; the connection stays.
  second.send(JSON.stringify({ type: 'resume', since: 'yesterday' }));
  assert.equal((await second.next('error')).code, 'invalid_since');
  second.send(JSON.stringify({ type: 'resume' }));
  assert.equal((await second.next('error')).code, 'invalid_message');
  // An offset the stream never gave.
  second.send(JSON.stringify({ type: 'resume', since: '8000000000000-0' }));
  assert.equal((await second.next('resume_failed')).reason, 'unknown offset');
  // A single node's kind of offset means nothing to the cluster.
  second.send(JSON.stringify({ type: 'resume', since: '5' }));
  assert.equal((await second.next('resume_failed')).reason, 'unknown offset');

  // Trimmed away: resume_failed, so the client reloads its state.
  await redisCli(redis.port, 'XTRIM', STREAM_KEY, 'MAXLEN', '0');
  await send();
  const third = client(`ws://127.0.0.1:${C.port}/ws?token=${token}&since=${encodeURIComponent(last)}`);
  await third.next('connected');
  const failed = await third.next('resume_failed');
  assert.equal(failed.since, last);
  assert.equal(failed.reason, 'expired');
  assert.equal(third.unread('t.user') + third.unread('t.room'), 0, 'nothing replayed');
  second.close();
  third.close();
});

test('native resume: live events held while a resume is read are bounded (--max-pending-bytes): resume_failed, then they are sent', async (redis) => {
  // Redis frozen: the resume's read waits (up to the link's deadline, 2 s + the heartbeat);
  // emits past the 8 MiB of XADDs that may wait go out unrecorded at once, and are held.
  const A = await startNode('A', redis, ['--max-pending-bytes', String(512 * 1024), '--cluster-heartbeat', '5000']);
  await clusterOf([A]);
  const ws = client(`ws://127.0.0.1:${A.port}/ws?token=${mint('h1')}`);
  await ws.next('connected');
  await emitOk(A.port, { event: 't.user', userId: 'h1', payload: { n: 0 } });
  const first = await ws.next('t.user');
  const live = [];
  ws.on('message', (raw) => { const m = JSON.parse(raw.toString()); if (m.type === 't.big') live.push(m.data.n); });
  redis.pause();
  try {
    ws.send(JSON.stringify({ type: 'resume', since: first.offset, id: 'held' }));
    const pad = 'x'.repeat(100 * 1024);
    const emits = Promise.all(Array.from({ length: 80 }, (_, i) => emit(A.port, { event: 't.big', userId: 'h1', payload: { n: i, pad } })));
    const failed = await ws.next('resume_failed', 5000);
    assert.deepEqual([failed.reason, failed.since, failed.id], ['too many live events while resuming', first.offset, 'held'], JSON.stringify(failed));
    // What was held is sent, and what comes later too: the connection is served.
    await until(() => live.length >= 5, 'the held events after resume_failed', 5000);
    redis.resume();
    await emits;
  } finally {
    redis.resume();
  }
  ws.close();
});

test('socket.io peers of the cluster get no extra argument from recorded events', async (redis) => {
  // The offset travels in Switchboard's own "sb" options, which Node servers ignore: a plain
  // socket.io-client on a Switchboard node gets the stream id as its recovery argument, and
  // the payload arguments are unchanged.
  const nodes = [await startNode('A', redis), await startNode('B', redis)];
  const [A, B] = nodes;
  await clusterOf(nodes);
  const s = sio(B.port, { auth: { token: mint('p1') } });
  const got = [];
  s.onAny((event, ...args) => { if (event.startsWith('t.')) got.push(args); });
  await connected(s);
  await emitOk(A.port, { event: 't.all', broadcast: true, payload: { n: 1 } });
  await until(() => got.length === 1, 'the broadcast');
  assert.equal(got[0].length, 2, JSON.stringify(got[0]));
  assert.deepEqual(got[0][0], { n: 1 });
  assert.match(got[0][1], STREAM_ID);
  s.disconnect();
});

test('single node: native resume from the in-memory log; resume_failed past its bound', async () => {
  // No Redis: the in-process log (the Socket.IO recovery log), bounded here to 8 KiB.
  const { child, port } = await local.startServer(['--socketio-recovery-max-bytes', '8192']);
  try {
    const token = local.mint('l1');
    const a = client(`ws://127.0.0.1:${port}/ws?token=${token}`);
    await a.next('connected');
    const seen = [];
    a.on('message', (raw) => { const m = JSON.parse(raw.toString()); if (m.type === 't.user') seen.push(m); });
    const send = async (n) => {
      const r = await local.emit(port, { event: 't.user', userId: 'l1', payload: { n } });
      assert.equal(r.status, 200, JSON.stringify(r.body));
    };
    await send(1); await send(2);
    await until(() => seen.length === 2, 'two events');
    assert.match(seen[1].offset, /^\d+$/, 'a plain number on a single node');
    const last = seen[1].offset;
    a.close();
    await a.closed;
    await send(3); await send(4);
    const b = client(`ws://127.0.0.1:${port}/ws?token=${token}&since=${last}`);
    const replayed = [];
    b.on('message', (raw) => { const m = JSON.parse(raw.toString()); if (m.type === 't.user') replayed.push(m.data.n); });
    await b.next('connected');
    assert.equal((await b.next('resumed')).count, 2);
    assert.deepEqual(replayed, [3, 4]);
    // Past the 8 KiB bound the oldest are dropped: an old offset fails.
    for (let i = 5; i < 60; ++i) await send(i);
    await until(() => replayed.length === 57, 'the live events');
    assert.deepEqual(replayed, Array.from({ length: 57 }, (_, i) => i + 3), 'once each, in order');
    b.send(JSON.stringify({ type: 'resume', since: last }));
    assert.equal((await b.next('resume_failed')).reason, 'expired');
    b.close();
  } finally {
    child.kill('SIGKILL');
  }
});

test('single node: a resume over --recovery-replay-max-bytes fails with "too large"; the connection stays', async () => {
  const { child, port } = await local.startServer(['--recovery-replay-max-bytes', '1024']);
  try {
    const token = local.mint('l2');
    const a = client(`ws://127.0.0.1:${port}/ws?token=${token}`);
    await a.next('connected');
    const send = async (n) => {
      const r = await local.emit(port, { event: 't.user', userId: 'l2', payload: { n, pad: 'x'.repeat(200) } });
      assert.equal(r.status, 200, JSON.stringify(r.body));
    };
    await send(1);
    const first = await a.next('t.user');
    for (let i = 2; i <= 5; ++i) await send(i);
    for (let i = 2; i <= 5; ++i) assert.equal((await a.next('t.user')).data.n, i);
    a.send(JSON.stringify({ type: 'resume', since: first.offset, id: 'big' }));
    const failed = await a.next('resume_failed');
    assert.deepEqual([failed.reason, failed.id, failed.since], ['too large', 'big', first.offset]);
    assert.equal(a.unread('t.user'), 0, 'nothing replayed');
    await send(6);
    assert.equal((await a.next('t.user')).data.n, 6, 'live events go on');
    a.close();
  } finally {
    child.kill('SIGKILL');
    local.cleanup();
  }
});

const local = harness(binary);
run('cluster recovery', cases, filter);
