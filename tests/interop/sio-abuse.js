// Interop abuse tests of per-connection and pre-authentication budgets (issue 12, findings 3
// and 8), against the real binary, each case on its own server:
//  - --max-rooms-per-connection: native and Socket.IO clients get too_many_rooms at cap+1 and
//    stay connected; a socket recovering with rooms at the cap gets its rooms and the events
//    it missed;
//  - unauthenticated Socket.IO sessions sending binary attachments before CONNECT are closed
//    and RSS growth stays under GROWTH_BOUND_MIB; attachments over the Engine.IO max payload
//    in total close an authenticated session;
//  - reserved event names and more than --socketio-max-attachments attachments close a
//    session (issue 15);
//  - --max-pending-sessions refuses the (cap+1)-th handshake (polling: HTTP 503 with an
//    Engine.IO error; WebSocket: close 1013), and a normal client connects once they are gone.
// Usage: node sio-abuse.js /path/to/switchboard [case-name-filter-regex]
'use strict';
const assert = require('node:assert/strict');

const WebSocket = require('ws');
const { client, harness, rssMiB, within, until, runCases, sio, connected } = require('./lib');

const h = harness(process.argv[2]);
const { api, emit, mint, healthy } = h;
const filter = process.argv[3] ? new RegExp(process.argv[3]) : null;

const GROWTH_BOUND_MIB = 64;

/** A raw Engine.IO WebSocket session (no Socket.IO CONNECT yet): resolves once the open packet came. */
function eioWebSocket(port) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`);
  ws.on('error', () => {}); // a refused or closed session is what some cases expect
  ws.closed = new Promise((resolve) => ws.on('close', (code) => resolve(code)));
  ws.opened = new Promise((resolve, reject) => {
    ws.once('message', (data) => (String(data)[0] === '0' ? resolve() : reject(new Error(`open packet: ${data}`))));
    ws.once('close', (code) => reject(new Error(`closed ${code} before the open packet`)));
  });
  return ws;
}

/** A BINARY_EVENT header announcing @p n attachments (Engine.IO message "4", Socket.IO type 5). */
function binaryHeader(n) {
  const placeholders = Array.from({ length: n }, (_, num) => ({ _placeholder: true, num }));
  return `45${n}-${JSON.stringify(['upload', { files: placeholders }])}`;
}

const cases = [];
const test = (name, args, fn) => cases.push({ name, args, fn });

// ---------------------------------------------------------------------------------------------

test('rooms: native subscribe beyond the cap → too_many_rooms, still connected', ['--max-rooms-per-connection', '20'], async (port) => {
  const nat = client(`ws://127.0.0.1:${port}/ws?token=${mint('rooms-native')}`);
  try {
    await nat.next('connected');
    // user:rooms-native is the first of its 20 rooms.
    for (let i = 1; i < 20; ++i) nat.send(JSON.stringify({ type: 'subscribe', channel: `r:${i}`, id: `s${i}` }));
    for (let i = 1; i < 20; ++i) assert.equal((await nat.next('subscribed')).id, `s${i}`);
    nat.send(JSON.stringify({ type: 'subscribe', channel: 'r:20', id: 'over' }));
    const err = await nat.next('error');
    assert.equal(err.code, 'too_many_rooms', JSON.stringify(err));
    assert.equal(err.id, 'over');
    assert.match(err.message, /at most 20 rooms/);
    // Still connected and served: a ping is answered, an emit to one of its rooms arrives, and
    // the refused room was not joined.
    nat.send(JSON.stringify({ type: 'ping', id: 'p' }));
    assert.equal((await nat.next('pong')).id, 'p');
    assert.equal((await emit(port, { event: 'over', room: 'r:20', payload: 1 })).body.delivered, 0);
    await emit(port, { event: 'in', room: 'r:19', payload: 1 });
    assert.equal((await nat.next('in')).data, 1);
    assert.equal(nat.unread('over'), 0);
    // Leaving one makes room for another.
    nat.send(JSON.stringify({ type: 'unsubscribe', channel: 'r:1' }));
    await nat.next('unsubscribed');
    nat.send(JSON.stringify({ type: 'subscribe', channel: 'r:20', id: 'again' }));
    assert.equal((await nat.next('subscribed')).id, 'again');
  } finally {
    nat.terminate();
  }
});

test('rooms: Socket.IO join_room beyond the cap → ack too_many_rooms; recovery at the cap restores rooms and events',
  ['--rate-limit', '100000'], async (port) => {
    const user = 'rooms-sio';
    const s = sio(port, { auth: { token: mint(user) } });
    await connected(s);
    // The default cap, 1000: user:rooms-sio and 999 more.
    for (let i = 1; i < 999; ++i) s.emit('join_room', `big:${i}`);
    assert.deepEqual(await s.timeout(10000).emitWithAck('join_room', 'big:999'), { ok: true, room: 'big:999' });
    const over = await s.timeout(5000).emitWithAck('join_room', 'big:1000');
    assert.equal(over.ok, false, JSON.stringify(over));
    assert.equal(over.error?.code, 'too_many_rooms', JSON.stringify(over));
    // Without an ack the refusal comes as "switchboard:error".
    const error = new Promise((resolve) => s.once('switchboard:error', resolve));
    s.emit('join_room', 'big:1001');
    assert.equal((await within(error, 5000, '"switchboard:error"')).code, 'too_many_rooms');
    assert.equal(s.connected, true);

    // An event with an offset, then a transport failure; events it misses meanwhile.
    const first = new Promise((resolve) => s.once('tick', resolve));
    await emit(port, { event: 'tick', room: 'big:500', payload: 0 });
    await within(first, 5000, 'the first tick');
    const gone = new Promise((resolve) => s.once('disconnect', resolve));
    s.io.engine.close();
    await gone;
    await until(async () => !(await api(port, 'GET', `/user-status/${user}`)).body.online, `${user} offline`);
    for (const [n, room] of [[1, 'big:1'], [2, 'big:999'], [3, 'big:1000'], [4, 'big:500']])
      await emit(port, { event: 'tick', room, payload: n });

    const ticks = [];
    s.on('tick', (n) => ticks.push(n));
    // Meanwhile an unrelated native client keeps getting its events.
    const other = client(`ws://127.0.0.1:${port}/ws?token=${mint('rooms-bystander')}`);
    await other.next('connected');
    s.connect();
    await connected(s);
    try {
      assert.equal(s.recovered, true, 'the socket recovers with 1000 rooms');
      await emit(port, { event: 'unrelated', userId: 'rooms-bystander', payload: 'x' });
      assert.equal((await other.next('unrelated')).data, 'x');
      await until(() => ticks.length >= 3, 'the three missed ticks of rooms it is in');
      assert.deepEqual(ticks, [1, 2, 4], 'missed events in order, none of big:1000 (refused)');
      const conn = (await api(port, 'GET', `/api/websocket/connections?userId=${user}`)).body.connections;
      assert.equal(conn.length, 1);
      assert.equal(conn[0].rooms.length, 1000, 'rooms restored');
    } finally {
      s.disconnect();
      other.terminate();
    }
  });

// ---------------------------------------------------------------------------------------------

test('pre-CONNECT binary attachments close the session; RSS stays bounded', [], async (port, pid) => {
  const before = rssMiB(pid);
  const blob = Buffer.alloc(900 * 1024, 7);
  const sessions = [];
  for (let i = 0; i < 4; ++i) {
    const ws = eioWebSocket(port);
    await ws.opened;
    ws.send(binaryHeader(60));
    for (let k = 0; k < 60; ++k) ws.send(blob);
    sessions.push(ws);
  }
  for (const ws of sessions) await within(ws.closed, 5000, 'the server to close an unauthenticated session sending attachments');
  const growth = rssMiB(pid) - before;
  console.log(`  RSS growth after 4 sessions x 60 attachments of 0.9 MiB before CONNECT: ${growth.toFixed(1)} MiB`);
  assert.ok(growth < GROWTH_BOUND_MIB, `RSS grew ${growth.toFixed(1)} MiB (bound ${GROWTH_BOUND_MIB} MiB)`);
  const m = (await api(port, 'GET', '/health')).body;
  assert.equal(m.connections, 0);

  // After CONNECT: attachments of one packet together over the max payload (1,000,000 bytes)
  // close the session too; under it they are relayed.
  const s = sio(port, { auth: { token: mint('attach-user') } });
  await connected(s);
  assert.deepEqual(await s.timeout(5000).emitWithAck('join_room', 'files'), { ok: true, room: 'files' });
  const small = await s.timeout(5000).emitWithAck('upload', { room: 'files', a: Buffer.alloc(400 * 1000), b: Buffer.alloc(400 * 1000) });
  assert.equal(small.ok, true, JSON.stringify(small));
  const gone = new Promise((resolve) => s.once('disconnect', resolve));
  s.emit('upload', { room: 'files', a: Buffer.alloc(600 * 1000), b: Buffer.alloc(600 * 1000) });
  await within(gone, 5000, 'the session to close on 1.2 MB of attachments');
  await healthy(port);
});

/** A raw Engine.IO WebSocket session that has CONNECTed to "/" with @p token. */
async function connectedRaw(port, token) {
  const ws = eioWebSocket(port);
  await ws.opened;
  const connectAck = new Promise((resolve) => ws.on('message', (data) => { if (String(data).startsWith('40')) resolve(String(data)); }));
  ws.send(`40${JSON.stringify({ token })}`);
  assert.match(await within(connectAck, 5000, 'the CONNECT answer'), /^40\{.*"sid":/);
  return ws;
}

test('reserved event names (socket.io-parser RESERVED_EVENTS) close the session, as Node does', [], async (port) => {
  for (const name of ['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener']) {
    const ws = await connectedRaw(port, mint('reserved-user'));
    ws.send(`42${JSON.stringify([name, { room: 'x' }])}`);
    await within(ws.closed, 5000, `the session to close on a "${name}" event`);
  }
  // Control: an ordinary name on the same kind of session is answered (ack 0 with an error
  // object, since "hello" is not a room event), and the session stays open.
  const ws = await connectedRaw(port, mint('reserved-user'));
  const ack = new Promise((resolve) => ws.on('message', (data) => { if (String(data).startsWith('430')) resolve(String(data)); }));
  ws.send(`420${JSON.stringify(['hello', { room: 'x' }])}`);
  await within(ack, 5000, 'the ack of an ordinary event');
  assert.equal(ws.readyState, WebSocket.OPEN);
  ws.close();
  await healthy(port);
});

test('--socketio-max-attachments: 10 attachments are relayed, 11 close the session', [], async (port) => {
  const s = sio(port, { auth: { token: mint('attach-count') } });
  await connected(s);
  assert.deepEqual(await s.timeout(5000).emitWithAck('join_room', 'count'), { ok: true, room: 'count' });
  const files = (n) => Array.from({ length: n }, (_, i) => Buffer.from([i]));
  const ten = await s.timeout(5000).emitWithAck('upload', { room: 'count', files: files(10) });
  assert.equal(ten.ok, true, JSON.stringify(ten));
  const gone = new Promise((resolve) => s.once('disconnect', resolve));
  s.emit('upload', { room: 'count', files: files(11) });
  await within(gone, 5000, 'the session to close on 11 attachments');
  await healthy(port);
});

test('--max-pending-sessions: the (cap+1)-th handshake is refused; a client connects once they are gone',
  ['--max-pending-sessions', '3', '--socketio-connect-timeout', '1500'], async (port) => {
    const base = `http://127.0.0.1:${port}/socket.io/?EIO=4&transport=polling`;
    for (let i = 0; i < 3; ++i) {
      const r = await fetch(base);
      assert.equal(r.status, 200, `handshake ${i + 1}`);
    }
    const refused = await fetch(base);
    assert.equal(refused.status, 503);
    assert.deepEqual(await refused.json(), { code: 4, message: 'Too many pending sessions, try again later' });
    const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`);
    ws.on('error', () => {});
    assert.equal(await within(new Promise((resolve) => ws.on('close', resolve)), 5000, 'the refused WebSocket to close'), 1013);
    // The pending sessions never CONNECT: after --socketio-connect-timeout they are closed and
    // their slots are free again (each I/O thread closes its own, so not all at once).
    await until(async () => (await api(port, 'GET', '/api/metrics')).body.socketioPendingSessions === 0,
      'every pending session to be closed', 5000);
    const s = sio(port, { auth: { token: mint('pending-late') } });
    await connected(s);
    s.disconnect();
    await healthy(port);
  });

// Issue 15: the duplicate-connection policy, as hand-written Socket.IO services implement it.
test('per user, refuse: a third connection of one user is refused (native 1013, Socket.IO connect_error); others unaffected',
  ['--max-connections-per-user', '2'], async (port) => {
    const token = mint('dup-refuse');
    const a = client(`ws://127.0.0.1:${port}/ws?token=${token}`);
    const s = sio(port, { auth: { token } });
    const others = [];
    try {
      await a.next('connected');
      await connected(s);
      const b = client(`ws://127.0.0.1:${port}/ws?token=${token}`);
      const closed = await within(b.closed, 5000, 'the third native connection closed');
      assert.deepEqual([closed.code, closed.reason], [1013, 'too many connections for this user']);
      const t = sio(port, { auth: { token } });
      others.push(t);
      const err = await within(new Promise((resolve) => t.once('connect_error', resolve)), 5000, 'connect_error');
      assert.equal(err.message, 'too many connections for this user');
      assert.equal(err.data && err.data.code, 1013);
      // The first two still work; another user is not counted against this one.
      assert.equal((await emit(port, { event: 'still', userId: 'dup-refuse', payload: 1 })).body.delivered, 2);
      await a.next('still');
      const c = client(`ws://127.0.0.1:${port}/ws?token=${mint('dup-other')}`);
      others.push(c);
      await c.next('connected');
    } finally {
      a.terminate();
      s.close();
      others.forEach((o) => (o.terminate ? o.terminate() : o.close()));
    }
  });

test('per user, evict-oldest: a new connection closes the oldest (native 4004, Socket.IO server disconnect)',
  ['--max-connections-per-user', '1', '--user-connection-policy', 'evict-oldest'], async (port) => {
    const token = mint('dup-evict');
    const first = client(`ws://127.0.0.1:${port}/ws?token=${token}`);
    await first.next('connected');
    // A Socket.IO connection replaces the native one...
    const s = sio(port, { auth: { token } });
    await connected(s);
    const closed = await within(first.closed, 5000, 'the oldest native connection closed');
    assert.deepEqual([closed.code, closed.reason], [4004, 'replaced by a newer connection']);
    // ...and a native one replaces the Socket.IO one: a server-side disconnect, not a transport close.
    const reason = new Promise((resolve) => s.once('disconnect', resolve));
    const last = client(`ws://127.0.0.1:${port}/ws?token=${token}`);
    try {
      await last.next('connected');
      assert.equal(await within(reason, 5000, 'the Socket.IO disconnect'), 'io server disconnect');
      await until(async () => (await emit(port, { event: 'only', userId: 'dup-evict', payload: 1 })).body.delivered === 1,
        'one connection left for the user');
      await last.next('only');
    } finally {
      last.terminate();
      s.close();
    }
  });

// ---------------------------------------------------------------------------------------------

runCases('socket.io abuse', cases, h, filter);
