// Interop: the read side of cluster recovery and the offline store's failure (issue 16, review
// of 2026-12-06; docs/cluster.md "Connection state recovery" and "Offline events"). Real
// switchboard nodes on a real redis-server, socket.io-client and ws clients:
// - a Socket.IO catch-up read that fails after the recovered CONNECT closes the transport, and
//   the client comes back as a new session (a RESP relay in front of Redis cuts the read);
// - --recovery-replay-max-bytes counts only the client's events: a busy other room does not
//   fail the recovery of a quiet one, a quiet room over it does; the scan bound;
// - a native resume after re-subscribing does not repeat what the connection already got;
// - a session taken by another node cannot be written back by the old one;
// - a persisted emit the Redis offline store refuses is published live instead, and the
//   emitter is told.
// Usage: node cluster-recovery-gaps.js /path/to/switchboard [case-filter]
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const net = require('node:net');

const { client, sio, connected, until, within, redisCli } = require('./lib');
const { clusterHarness, balancer } = require('./clusterlib');

const binary = process.argv[2];
const { mint, startNode, emit, metric, clusterOf, run } = clusterHarness(binary);
const filter = process.argv[3] ? new RegExp(process.argv[3]) : null;


/**
 * A relay in front of Redis that watches what a node sends. Armed, it cuts the connection
 * that takes a session (the take script; GETDEL before it) as soon as that connection sends its second XRANGE after
 * it: the first pages the session's missed events, the second is the catch-up read that
 * follows the recovered CONNECT. With relay.hold set it holds that connection's commands
 * from there instead, until relay.release().
 */
function redisRelay(redisPort) {
  const sockets = new Set();
  const relay = net.createServer((inbound) => {
    const outbound = net.connect(redisPort, '127.0.0.1');
    let xranges = -1; // counting once the take script went through this connection
    inbound.on('data', (chunk) => {
      const text = chunk.toString('latin1');
      if (relay.armed && (text.includes('taken = 1') || text.includes('\r\nGETDEL\r\n'))) xranges = 0;
      if (xranges >= 0) xranges += text.split('\r\nXRANGE\r\n').length - 1;
      if (xranges >= 2 && relay.hold) {
        relay.armed = false;
        relay.held.push(chunk);
        if (!relay.release) {
          relay.release = () => { relay.hold = false; for (const c of relay.held.splice(0)) outbound.write(c); };
        }
        return;
      }
      if (xranges >= 2) {
        relay.armed = false;
        relay.cuts += 1;
        inbound.destroy();
        outbound.destroy();
        return;
      }
      outbound.write(chunk);
    });
    outbound.on('data', (chunk) => inbound.write(chunk));
    for (const [a, b] of [[inbound, outbound], [outbound, inbound]]) {
      a.on('error', () => b.destroy());
      a.on('close', () => b.destroy());
    }
    sockets.add(inbound);
    inbound.on('close', () => sockets.delete(inbound));
  });
  relay.armed = false;
  relay.cuts = 0;
  relay.hold = false;
  relay.held = [];
  relay.release = null;
  return new Promise((resolve) => relay.listen(0, '127.0.0.1', () => {
    relay.url = `redis://127.0.0.1:${relay.address().port}`;
    relay.closeAll = () => { for (const s of sockets) s.destroy(); relay.close(); };
    resolve(relay);
  }));
}

async function emitOk(port, body) {
  const r = await emit(port, body);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r;
}

function nextConnect(s) {
  return new Promise((resolve) => s.once('connect', resolve));
}

const cases = [];
const test = (name, fn) => cases.push({ name, fn });

test('socket.io: a catch-up read that fails after the recovered CONNECT closes the transport; the client comes back unrecovered', async (redis) => {
  const relay = await redisRelay(redis.port);
  const A = await startNode('A', redis);
  const B = await startNode('B', { url: relay.url });
  await clusterOf([A, B]);
  const lb = await balancer(A.port);
  try {
    const s = sio(lb.port, { auth: { token: mint('cu1') }, reconnection: true, reconnectionDelay: 50, reconnectionDelayMax: 200 });
    const got = [];
    s.onAny((event, ...args) => { if (event.startsWith('t.')) got.push(args[0].n); });
    await connected(s);
    assert.deepEqual(await s.timeout(5000).emitWithAck('join_room', 'cu'), { ok: true, room: 'cu' });
    await until(async () => (await redisCli(redis.port, 'GET', `socket.io:sb:recovery:${s._pid}`)).includes('"cu"'), 'the session in Redis');
    await emitOk(B.port, { event: 't.room', room: 'cu', payload: { n: 1 } });
    await until(() => got.length === 1, 'the first event');

    lb.target = null;
    const disconnected = new Promise((resolve) => s.once('disconnect', resolve));
    A.kill('SIGKILL');
    await disconnected;
    await emitOk(B.port, { event: 't.room', room: 'cu', payload: { n: 2 } });
    relay.armed = true;
    const recovered = nextConnect(s);
    lb.target = B.port;
    await recovered;
    assert.equal(s.recovered, true, 'the session and its missed event were read');
    await until(() => relay.cuts === 1, 'the catch-up read to be cut');
    // The catch-up failed: the client must not go on believing it has everything.
    const closed = await within(new Promise((resolve) => s.once('disconnect', resolve)), 10000, 'the transport to close after the failed catch-up');
    assert.match(closed, /^transport (close|error)$/, 'a transport close, not a server disconnect: the client reconnects');
    await within(nextConnect(s), 10000, 'the client to reconnect');
    assert.equal(s.recovered, false, 'a fresh session: it reloads its state');
    // The fresh session works: a user event reaches it.
    await emitOk(B.port, { event: 't.user', userId: 'cu1', payload: { n: 3 } });
    await until(() => got.includes(3), 'an event on the fresh session');
    s.disconnect();
  } finally {
    lb.closeAll();
    relay.closeAll();
  }
});

test('socket.io: live events held for a catch-up past --max-pending-bytes close the transport; the client comes back unrecovered', async (redis) => {
  // B's catch-up read is held at the relay while C emits 10 x 10 KB to the room, past B's
  // 32 KiB; they cannot be sent before the read is in, and sending them without it would
  // leave a gap: the transport is closed instead.
  const relay = await redisRelay(redis.port);
  const A = await startNode('A', redis);
  const B = await startNode('B', { url: relay.url }, ['--max-pending-bytes', String(32 * 1024)]);
  const C = await startNode('C', redis);
  await clusterOf([A, B, C]);
  const lb = await balancer(A.port);
  try {
    const s = sio(lb.port, { auth: { token: mint('cu2') }, reconnection: true, reconnectionDelay: 50, reconnectionDelayMax: 200 });
    const got = [];
    s.onAny((event, ...args) => { if (event.startsWith('t.')) got.push(args[0].n); });
    await connected(s);
    assert.deepEqual(await s.timeout(5000).emitWithAck('join_room', 'hd'), { ok: true, room: 'hd' });
    await until(async () => (await redisCli(redis.port, 'GET', `socket.io:sb:recovery:${s._pid}`)).includes('"hd"'), 'the session in Redis');
    await emitOk(C.port, { event: 't.room', room: 'hd', payload: { n: 1 } });
    await until(() => got.length === 1, 'the first event');
    lb.target = null;
    const disconnected = new Promise((resolve) => s.once('disconnect', resolve));
    A.kill('SIGKILL');
    await disconnected;
    relay.armed = true;
    relay.hold = true;
    const recovered = nextConnect(s);
    lb.target = B.port;
    await recovered;
    assert.equal(s.recovered, true);
    await until(() => relay.release, 'the catch-up read to be held');
    const closed = new Promise((resolve) => s.once('disconnect', resolve));
    const pad = 'x'.repeat(10 * 1024);
    for (let i = 0; i < 10; ++i) await emitOk(C.port, { event: 't.big', room: 'hd', payload: { n: 100 + i, pad } });
    assert.match(await within(closed, 5000, 'the transport to close'), /^transport (close|error)$/);
    assert.match(B.log(), /catch-up after recovery failed \(too many live events meanwhile\)/, 'closed for the bound, not for the read');
    relay.release();
    await within(nextConnect(s), 10000, 'the client to reconnect');
    assert.equal(s.recovered, false, 'a fresh session');
    assert.deepEqual(got, [1], 'none of the held events were sent ahead of the catch-up');
    s.disconnect();
  } finally {
    if (relay.release) relay.release();
    lb.closeAll();
    relay.closeAll();
  }
});

test('--recovery-replay-max-bytes counts the client\'s events only: a busy other room does not fail a quiet one; the scan bound', async (redis) => {
  const args = ['--recovery-replay-max-bytes', '4096'];
  const nodes = [await startNode('A', redis, args), await startNode('B', redis, args), await startNode('C', redis, args)];
  const [A, B, C] = nodes;
  await clusterOf(nodes);
  const pad = 'x'.repeat(500);
  const lb = await balancer(A.port);
  try {
    const s = sio(lb.port, { auth: { token: mint('q1') }, reconnection: true, reconnectionDelay: 50, reconnectionDelayMax: 200 });
    const got = [];
    s.onAny((event, ...args) => { if (event.startsWith('t.')) got.push(args[0].n); });
    await connected(s);
    assert.deepEqual(await s.timeout(5000).emitWithAck('join_room', 'quiet'), { ok: true, room: 'quiet' });
    await until(async () => (await redisCli(redis.port, 'GET', `socket.io:sb:recovery:${s._pid}`)).includes('"quiet"'), 'the session in Redis');
    await emitOk(C.port, { event: 't.room', room: 'quiet', payload: { n: 1 } });
    await until(() => got.length === 1, 'the first event');

    // Away while a busy room gets ten times the bound; the quiet room gets two small events.
    lb.target = null;
    let disconnected = new Promise((resolve) => s.once('disconnect', resolve));
    A.kill('SIGKILL');
    await disconnected;
    for (let i = 0; i < 40; ++i) await emitOk(C.port, { event: 't.busy', room: 'busy', payload: { n: -i, pad } });
    await emitOk(C.port, { event: 't.room', room: 'quiet', payload: { n: 2 } });
    await emitOk(C.port, { event: 't.room', room: 'quiet', payload: { n: 3 } });
    let back = nextConnect(s);
    lb.target = B.port;
    await back;
    assert.equal(s.recovered, true, 'recovered: its own missed events are well under the bound');
    await until(() => got.length === 3, 'the two missed quiet events');
    assert.deepEqual(got, [1, 2, 3]);

    // Away again; this time its own room alone is over the bound: a fresh session.
    lb.target = null;
    disconnected = new Promise((resolve) => s.once('disconnect', resolve));
    B.kill('SIGKILL');
    await disconnected;
    for (let i = 4; i < 14; ++i) await emitOk(C.port, { event: 't.room', room: 'quiet', payload: { n: i, pad } });
    back = nextConnect(s);
    lb.target = C.port;
    await back;
    assert.equal(s.recovered, false, 'not recovered: what it missed is over --recovery-replay-max-bytes');
    assert.deepEqual(got, [1, 2, 3], 'nothing replayed');
    s.disconnect();

    // Native resume: the same count. A connection that asks from before the busy room's
    // events gets its one quiet event; once the entries scanned pass 16 x the bound (64 KiB
    // here) the read stops: resume_failed "too much to scan".
    const token = mint('q2');
    const first = client(`ws://127.0.0.1:${C.port}/ws?token=${token}`);
    await first.next('connected');
    first.send(JSON.stringify({ type: 'subscribe', channel: 'quiet2', id: 's' }));
    await first.next('subscribed');
    await emitOk(C.port, { event: 't.room', room: 'quiet2', payload: { n: 1 } });
    const since = (await first.next('t.room')).offset;
    first.close();
    for (let i = 0; i < 30; ++i) await emitOk(C.port, { event: 't.busy', room: 'busy', payload: { n: -i, pad } });
    await emitOk(C.port, { event: 't.user', userId: 'q2', payload: { n: 2 } });
    const second = client(`ws://127.0.0.1:${C.port}/ws?token=${token}&since=${encodeURIComponent(since)}`);
    await second.next('connected');
    assert.equal((await second.next('resumed')).count, 1);
    assert.equal((await second.next('t.user')).data.n, 2);
    second.close();
    for (let i = 0; i < 40; ++i) await emitOk(C.port, { event: 't.busy', room: 'busy', payload: { n: -i, pad } });
    const third = client(`ws://127.0.0.1:${C.port}/ws?token=${token}&since=${encodeURIComponent(since)}`);
    await third.next('connected');
    assert.equal((await third.next('resume_failed')).reason, 'too much to scan');
    third.close();
  } finally {
    lb.closeAll();
  }
});

test('native resume after subscribing again: what the connection got live is not sent again', async (redis) => {
  const A = await startNode('A', redis);
  await clusterOf([A]);
  const token = mint('r3');
  const first = client(`ws://127.0.0.1:${A.port}/ws?token=${token}`);
  await first.next('connected');
  first.send(JSON.stringify({ type: 'subscribe', channel: 'rs', id: 's' }));
  await first.next('subscribed');
  await emitOk(A.port, { event: 't.room', room: 'rs', payload: { n: 1 } });
  const since = (await first.next('t.room')).offset;
  first.close();
  await first.closed;
  // Missed while away.
  await emitOk(A.port, { event: 't.room', room: 'rs', payload: { n: 2 } });
  await emitOk(A.port, { event: 't.user', userId: 'r3', payload: { n: 3 } });

  const second = client(`ws://127.0.0.1:${A.port}/ws?token=${token}`);
  const seen = [];
  const offsets = new Map(); // n -> the event's offset
  second.on('message', (raw) => {
    const m = JSON.parse(raw.toString());
    if (m.type.startsWith('t.')) { seen.push(m.data.n); offsets.set(m.data.n, m.offset); }
  });
  await second.next('connected');
  second.send(JSON.stringify({ type: 'subscribe', channel: 'rs', id: 's' }));
  await second.next('subscribed');
  // Live between "subscribed" and the resume.
  await emitOk(A.port, { event: 't.room', room: 'rs', payload: { n: 4 } });
  await emitOk(A.port, { event: 't.user', userId: 'r3', payload: { n: 5 } });
  await until(() => seen.length === 2, 'the live events');
  second.send(JSON.stringify({ type: 'resume', since, id: 'r' }));
  const resumed = await second.next('resumed');
  assert.equal(resumed.count, 2, JSON.stringify(resumed));
  await emitOk(A.port, { event: 't.room', room: 'rs', payload: { n: 6 } });
  await until(() => seen.includes(6), 'a live event after the resume');
  assert.deepEqual(seen, [4, 5, 2, 3, 6], 'each event once; the missed ones in stream order');
  // Asked again from the same place: everything was sent already.
  second.send(JSON.stringify({ type: 'resume', since, id: 'r2' }));
  assert.equal((await second.next('resumed')).count, 0);
  assert.deepEqual(seen, [4, 5, 2, 3, 6]);

  // The connection remembers the last 512 events it was sent: past that, a resume that
  // reaches one it can no longer tell apart fails rather than send it again.
  const before = seen.length;
  for (let n = 100; n < 620; ++n) await emitOk(A.port, { event: 't.room', room: 'rs', payload: { n } });
  await until(() => seen.length === before + 520, 'the live events', 15000);
  // From an event it still remembers (the ring has gone round once): nothing to send, no failure.
  second.send(JSON.stringify({ type: 'resume', since: offsets.get(300), id: 'r-recent' }));
  const recent = await second.next('resumed');
  assert.deepEqual([recent.count, recent.id], [0, 'r-recent'], JSON.stringify(recent));
  second.send(JSON.stringify({ type: 'resume', since, id: 'r3' }));
  const failed = await second.next('resume_failed');
  assert.deepEqual([failed.reason, failed.id], ['overlaps sent events', 'r3'], JSON.stringify(failed));
  assert.equal(seen.length, before + 520, 'nothing sent twice');
  await emitOk(A.port, { event: 't.room', room: 'rs', payload: { n: 1000 } });
  await until(() => seen.at(-1) === 1000, 'live events go on');
  assert.equal(new Set(seen).size, seen.length, 'each event once');
  second.close();
});

test('a session taken through another node is not written back by the old one', async (redis) => {
  const nodes = [await startNode('A', redis), await startNode('B', redis)];
  const [A, B] = nodes;
  await clusterOf(nodes);
  const lb = await balancer(A.port);
  let stopped = false;
  try {
    const s = sio(lb.port, { auth: { token: mint('w1') }, reconnection: true, reconnectionDelay: 50, reconnectionDelayMax: 200 });
    await connected(s);
    assert.deepEqual(await s.timeout(5000).emitWithAck('join_room', 'wb'), { ok: true, room: 'wb' });
    const key = `socket.io:sb:recovery:${s._pid}`;
    const session = async () => JSON.parse((await redisCli(redis.port, 'GET', key)).trim() || 'null');
    await until(async () => (await session())?.r?.includes('wb'), 'the session in Redis');
    // The owner: A's process and connection ("w"; the connection id before sessions named one).
    const owner = (o) => o?.w ?? `c${o?.c}`;
    const onA = owner(await session());
    // An event, so that the stream exists and the client has an offset.
    const got = [];
    s.onAny((event, ...args) => { if (event.startsWith('t.')) got.push(args[0].n); });
    await emitOk(B.port, { event: 't.room', room: 'wb', payload: { n: 1 } });
    await until(() => got.length === 1, 'an event');

    // A hangs (SIGSTOP): the client's connection drops, it comes back through B.
    A.kill('SIGSTOP');
    stopped = true;
    // Every thread of A stopped before its client's connection drops (a busy box may take a
    // moment to stop a running thread).
    await until(() => fs.readdirSync(`/proc/${A.pid}/task`).every((t) => {
      try { return /^\d+ \(.*\) [Tt] /.test(fs.readFileSync(`/proc/${A.pid}/task/${t}/stat`, 'latin1')); } catch { return true; }
    }), 'A to be stopped');
    const back = nextConnect(s);
    lb.target = B.port;
    lb.cut();
    await back;
    assert.equal(s.recovered, true);
    await until(async () => { const o = await session(); return o && !o.taken && owner(o) !== onA; }, 'B to hold the session');
    const onB = owner(await session());
    assert.ok(onB && onA, 'sessions name their owner');
    // A wakes up, sees its socket closed and saves the session it had (or deletes it, when
    // the close was an error): refused either way.
    A.kill('SIGCONT');
    stopped = false;
    await until(async () => (await metric(A.port, 'connections')).current === 0, 'A to see its socket closed');
    // A barrier: A's emit is recorded (XADD) on the same Redis connection as its session
    // writes, after the one its close made, and answered after it.
    await emitOk(A.port, { event: 't.room', room: 'elsewhere', payload: { n: 0 } });
    assert.equal(owner(await session()), onB, 'the session is still B\'s after A wrote it');
    await until(() => A.log().includes(`Socket.IO session ${s._pid} not saved: another connection took it`)
      || A.log().includes(`Socket.IO session ${s._pid} not deleted: another connection took it`), 'A\'s write to be refused', 10000);
    assert.equal(owner(await session()), onB, 'the session is still B\'s');
    s.disconnect();
    await until(async () => (await session()) === null, 'the session forgotten after disconnect()');
  } finally {
    if (stopped) A.kill('SIGCONT');
    lb.closeAll();
  }
});

test('a persisted emit the Redis offline store refuses is published live instead; the emitter is told', async (redis) => {
  const nodes = [await startNode('A', redis), await startNode('B', redis)];
  const [A, B] = nodes;
  await clusterOf(nodes);
  const ws = client(`ws://127.0.0.1:${B.port}/ws?token=${mint('o5')}`);
  await ws.next('connected');
  // Redis refuses every write (noeviction is the default policy); PUBLISH still goes through.
  await redisCli(redis.port, 'CONFIG', 'SET', 'maxmemory', '1');
  let r;
  try {
    r = await emit(A.port, { event: 't.p', userId: 'o5', persist: true, payload: { n: 1 } });
  } finally {
    await redisCli(redis.port, 'CONFIG', 'SET', 'maxmemory', '0');
  }
  assert.equal(r.status, 503, JSON.stringify(r.body));
  assert.match(r.body.error, /could not keep the event for offline user o5: .*OOM.*; published live to the cluster instead/);
  const got = await ws.next('t.p');
  assert.equal(got.data.n, 1, 'the socket of the user on the other node got it live');
  assert.equal(got.persisted, undefined, 'a live copy, not a stored one');
  // Redis writable again: a persisted emit is stored (and leased to the socket on B) as before.
  const ok = await emitOk(A.port, { event: 't.p', userId: 'o5', persist: true, payload: { n: 2 } });
  assert.equal(ok.body.persisted, true);
  const stored = await ws.next('t.p');
  assert.deepEqual([stored.data.n, stored.persisted], [2, true]);
  ws.close();
});

run('cluster recovery gaps', cases, filter);
