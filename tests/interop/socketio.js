// Interop: the npm `socket.io-client` 4.8 (Socket.IO v5 / Engine.IO v4) against the real
// switchboard binary: auth and connect errors, polling → websocket upgrade, rooms, relays with
// acks, server → client acks, binary attachments, namespaces, connection state recovery, and a
// native `ws` client and a Socket.IO socket in one room. Each case is independent (its own users
// and rooms); all of them run and the failures are listed at the end.
// Usage: node socketio.js /path/to/switchboard [case-name-filter-regex]
'use strict';
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const { client, harness } = require('./lib');

let io;
try {
  ({ io } = require('socket.io-client'));
} catch (e) {
  console.error('npm packages missing: run scripts/install-deps.sh (npm ci in tests/interop)');
  process.exit(1);
}

const CUSTOM = '/custom';
const { startServer, api, emit, mint, dataDir, cleanup } = harness(process.argv[2], [
  '--socketio-namespace', CUSTOM,
  '--room-event', 'subscribe_order=join:order:{}',
  '--room-event', 'unsubscribe_order=leave:order:{}',
  '--jwt-leeway', '0', '--token-expiry-warning', '1',
]);
const filter = process.argv[3] ? new RegExp(process.argv[3]) : null;

// ---------------------------------------------------------------------------------------------
// Helpers

function withTimeout(promise, ms, what) {
  let timer;
  const expired = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/** The arguments of the next @p event of @p emitter (a socket.io-client or engine.io-client emitter). */
function once(emitter, event, ms = 5000, what = `"${event}"`) {
  return withTimeout(new Promise((resolve) => emitter.once(event, (...args) => resolve(args))), ms, what);
}

/** Polls @p probe until it returns a truthy value (the state the server is expected to reach). */
async function until(probe, what, ms = 5000) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    last = await probe();
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// Sockets and native clients a case opened; closed when it ends.
let opened = [];

/**
 * Queues every event @p s receives so a case can await the next one of a given name (s.next,
 * oldest first) or check that none arrived (s.unread).
 */
function withQueue(s) {
  if (s.next) return s;
  const queue = [];
  const waiters = [];
  s.onAny((event, ...args) => {
    const i = waiters.findIndex((w) => w.event === event);
    if (i >= 0) waiters.splice(i, 1)[0].resolve(args); else queue.push({ event, args });
  });
  s.next = (event, ms = 5000) => {
    const i = queue.findIndex((m) => m.event === event);
    if (i >= 0) return Promise.resolve(queue.splice(i, 1)[0].args);
    return new Promise((resolve, reject) => {
      const w = { event, resolve };
      waiters.push(w);
      setTimeout(() => {
        const k = waiters.indexOf(w);
        if (k < 0) return;
        waiters.splice(k, 1);
        reject(new Error(`socket ${s.nsp} got no "${event}" within ${ms} ms (unread: ${JSON.stringify(queue.map((m) => m.event))})`));
      }, ms);
    });
  };
  s.unread = (event) => queue.filter((m) => m.event === event).map((m) => m.args);
  return s;
}

/**
 * A socket.io-client socket with an event queue (withQueue). forceNew: every call gets its own
 * Engine.IO connection. Automatic reconnection is off: the recovery case reconnects explicitly,
 * so it controls what happens while the socket is away.
 */
function sio(port, nsp = '/', opts = {}) {
  const s = io(`http://127.0.0.1:${port}${nsp === '/' ? '' : nsp}`,
    { forceNew: true, reconnection: false, timeout: 5000, ...opts });
  opened.push(s);
  return withQueue(s);
}

/**
 * Resolves on "connect", at once if the socket is already connected (a socket opened alongside
 * another may connect first, before its "connect" is awaited); rejects with the server's reason
 * on "connect_error".
 */
function connected(s, ms = 5000) {
  if (s.connected) return Promise.resolve();
  return withTimeout(new Promise((resolve, reject) => {
    const ok = () => { s.off('connect_error', bad); resolve(); };
    const bad = (err) => {
      s.off('connect', ok);
      reject(new Error(`expected "connect" on ${s.nsp}, got connect_error: ${err.message} data=${JSON.stringify(err.data)}`));
    };
    s.once('connect', ok);
    s.once('connect_error', bad);
  }), ms, `"connect" on ${s.nsp}`);
}

/** Resolves with the error of "connect_error"; rejects if the socket connects instead. */
function refused(s, ms = 5000) {
  return withTimeout(new Promise((resolve, reject) => {
    const bad = (err) => { s.off('connect', ok); resolve(err); };
    const ok = () => { s.off('connect_error', bad); reject(new Error(`expected connect_error on ${s.nsp}, but the socket connected`)); };
    s.once('connect', ok);
    s.once('connect_error', bad);
  }), ms, `"connect_error" on ${s.nsp}`);
}

/** emit with an ack callback (socket.io-client's own emitWithAck), failing with a clear message. */
async function ask(s, event, ...args) {
  try {
    return await s.timeout(5000).emitWithAck(event, ...args);
  } catch (err) {
    throw new Error(`no ack for ${event}(${JSON.stringify(args)}) on ${s.nsp} within 5000 ms: ${err.message}`);
  }
}

function native(port, user) {
  const c = client(`ws://127.0.0.1:${port}/ws?token=${mint(user)}`);
  opened.push(c);
  return c;
}

/** An HS256 JWT signed with @p secret. */
function sign(claims, secret) {
  const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
  return `${body}.${crypto.createHmac('sha256', secret).update(body).digest('base64url')}`;
}

/** The JWT secret the server generated into its data dir (what `switchboard token` signs with). */
const jwtSecret = () => fs.readFileSync(path.join(dataDir, 'jwt-secret'), 'utf8').trim();

async function offline(port, user) {
  await until(async () => !(await api(port, 'GET', `/user-status/${user}`)).body.online, `user ${user} offline`);
}

async function connectionsOf(port, user) {
  const r = await api(port, 'GET', `/api/websocket/connections?userId=${encodeURIComponent(user)}`);
  assert.equal(r.status, 200);
  return r.body.connections;
}

async function emitOk(port, body, delivered) {
  const r = await emit(port, body);
  assert.equal(r.status, 200, `POST /api/v1/internal/emit ${JSON.stringify(body)} -> ${r.status} ${JSON.stringify(r.body)}`);
  if (delivered !== undefined)
    assert.equal(r.body.delivered, delivered, `delivered count of ${JSON.stringify(body)}: ${JSON.stringify(r.body)}`);
  return r.body;
}

const cases = [];
const test = (name, fn) => cases.push({ name, fn });

// ---------------------------------------------------------------------------------------------
// Auth

test('auth: a good token connects (minted and self-signed)', async (port) => {
  const s = sio(port, '/', { auth: { token: mint('sio-auth-good') } });
  await connected(s);
  assert.equal(typeof s.id, 'string', 'a connected socket has an id');
  assert.ok(s.id.length > 0);
  // The self-signed token of the expired case is valid when not expired: proves the signer.
  const now = Math.floor(Date.now() / 1000);
  const t = sio(port, '/', { auth: { token: sign({ sub: 'sio-auth-self', iat: now, exp: now + 3600 }, jwtSecret()) } });
  await connected(t);
});

test('auth: the token\'s exp ends the session: switchboard:token_expiring, then a server-side disconnect', async (port) => {
  const now = Math.floor(Date.now() / 1000);
  const s = sio(port, '/', { auth: { token: sign({ sub: 'sio-expiring', iat: now, exp: now + 2 }, jwtSecret()) } });
  await connected(s);
  const [warning] = await s.next('switchboard:token_expiring', 5000);
  assert.ok(warning.in >= 1 && warning.in <= 2, JSON.stringify(warning));
  const [reason] = await once(s, 'disconnect', 5000);
  assert.equal(reason, 'io server disconnect'); // final: socket.io-client does not reconnect by itself
});

async function assertRefused(port, auth, message, code) {
  const s = sio(port, '/', auth === undefined ? {} : { auth });
  const err = await refused(s);
  assert.equal(err.message, message, `connect_error message (data=${JSON.stringify(err.data)})`);
  assert.ok(err.data && typeof err.data === 'object', `connect_error carries data: ${JSON.stringify(err.data)}`);
  assert.equal(err.data.code, code, `connect_error data.code: ${JSON.stringify(err.data)}`);
  assert.equal(s.connected, false);
}

test('auth: a bad signature → connect_error "invalid token signature", code 4002', async (port) => {
  const now = Math.floor(Date.now() / 1000);
  await assertRefused(port, { token: sign({ sub: 'sio-auth-bad', iat: now, exp: now + 3600 }, 'not-the-secret') },
    'invalid token signature', 4002);
});

test('auth: an expired token → connect_error "token expired", code 4002', async (port) => {
  const now = Math.floor(Date.now() / 1000);
  await assertRefused(port, { token: sign({ sub: 'sio-auth-exp', iat: now - 7200, exp: now - 3600 }, jwtSecret()) },
    'token expired', 4002);
});

test('auth: no token → connect_error "missing credentials", code 4001', async (port) => {
  await assertRefused(port, undefined, 'missing credentials', 4001);
  await assertRefused(port, {}, 'missing credentials', 4001);
});

// ---------------------------------------------------------------------------------------------
// Transports

test('transport: default (polling first, then upgrade to websocket)', async (port) => {
  const user = 'sio-upgrade';
  const s = sio(port, '/', { auth: { token: mint(user) } });
  assert.equal(s.io.engine.transport.name, 'polling', 'socket.io-client starts with polling');
  const upgraded = once(s.io.engine, 'upgrade', 10000, 'the Engine.IO "upgrade" event');
  await connected(s);
  await upgraded;
  assert.equal(s.io.engine.transport.name, 'websocket', 'transport after "upgrade"');
  // Still works after the upgrade, in both directions.
  await emitOk(port, { event: 'after-upgrade', userId: user, payload: { n: 1 } }, 1);
  assert.deepEqual((await s.next('after-upgrade'))[0], { n: 1 });
  assert.deepEqual(await ask(s, 'join_room', 'upgrade:room'), { ok: true, room: 'upgrade:room' });
  await until(async () => (await connectionsOf(port, user))[0]?.transport === 'websocket',
    '/api/websocket/connections to show transport "websocket" after the upgrade');
});

test('transport: websocket only', async (port) => {
  const user = 'sio-wsonly';
  const s = sio(port, '/', { auth: { token: mint(user) }, transports: ['websocket'] });
  assert.equal(s.io.engine.transport.name, 'websocket');
  await connected(s);
  assert.equal(s.io.engine.transport.name, 'websocket');
  await emitOk(port, { event: 'hello', userId: user, payload: 'ws' }, 1);
  assert.deepEqual((await s.next('hello'))[0], 'ws');
});

test('/api/websocket/connections: protocol "socket.io" and the transport', async (port) => {
  const ws = sio(port, '/', { auth: { token: mint('sio-list-ws') }, transports: ['websocket'] });
  const poll = sio(port, '/', { auth: { token: mint('sio-list-poll') }, transports: ['polling'] });
  const nat = native(port, 'sio-list-native');
  await Promise.all([connected(ws), connected(poll), nat.next('connected')]);
  const one = async (user) => until(async () => {
    const list = await connectionsOf(port, user);
    return list.length === 1 && list[0];
  }, `one connection of ${user} in /api/websocket/connections`);
  const [w, p, n] = [await one('sio-list-ws'), await one('sio-list-poll'), await one('sio-list-native')];
  assert.deepEqual([w.protocol, w.transport], ['socket.io', 'websocket'], `websocket socket: ${JSON.stringify(w)}`);
  assert.deepEqual([p.protocol, p.transport], ['socket.io', 'polling'], `polling socket: ${JSON.stringify(p)}`);
  assert.deepEqual([n.protocol, n.transport], ['json', 'websocket'], `native client: ${JSON.stringify(n)}`);
  assert.ok(w.rooms.includes('user:sio-list-ws'), `rooms of the socket: ${JSON.stringify(w.rooms)}`);
  // A polling-only socket receives over the long poll.
  await emitOk(port, { event: 'polled', userId: 'sio-list-poll', payload: { via: 'polling' } }, 1);
  assert.deepEqual((await poll.next('polled'))[0], { via: 'polling' });
});

// ---------------------------------------------------------------------------------------------
// Rooms

test('rooms: auto-join user:<sub>, role:<role> and the rooms claim', async (port) => {
  const user = 'sio-auto';
  const s = sio(port, '/', { auth: { token: mint(user, ['--role', 'ops', '--rooms', 'lobby:auto,news:auto']) } });
  await connected(s);
  for (const target of [{ userId: user }, { room: `user:${user}` }, { room: 'role:ops' }, { room: 'lobby:auto' }, { room: 'news:auto' }]) {
    await emitOk(port, { event: 'auto', ...target, payload: target }, 1);
    assert.deepEqual((await s.next('auto'))[0], target, `emit to ${JSON.stringify(target)}`);
  }
});

test('rooms: join_room / leave_room with acks', async (port) => {
  const user = 'sio-rooms';
  const s = sio(port, '/', { auth: { token: mint(user) } });
  await connected(s);
  assert.deepEqual(await ask(s, 'join_room', 'lobby:1'), { ok: true, room: 'lobby:1' }, 'ack of join_room "lobby:1"');
  assert.deepEqual(await ask(s, 'join_room', { room: 'lobby:2' }), { ok: true, room: 'lobby:2' }, 'ack of join_room {room}');
  await emitOk(port, { event: 'in-room', room: 'lobby:1', payload: 1 }, 1);
  assert.deepEqual((await s.next('in-room'))[0], 1);
  await emitOk(port, { event: 'in-room', room: 'lobby:2', payload: 2 }, 1);
  assert.deepEqual((await s.next('in-room'))[0], 2);

  assert.deepEqual(await ask(s, 'leave_room', 'lobby:1'), { ok: true, room: 'lobby:1' }, 'ack of leave_room');
  await emitOk(port, { event: 'after-leave', room: 'lobby:1', payload: 'x' }, 0);
  // Positive control: sent after, on the same socket; once it is here the other would be too.
  await emitOk(port, { event: 'control', userId: user, payload: 'c' }, 1);
  await s.next('control');
  assert.equal(s.unread('after-leave').length, 0, 'an emit to a room the socket left reached it');
  // lobby:2 is still joined.
  await emitOk(port, { event: 'in-room', room: 'lobby:2', payload: 3 }, 1);
  assert.deepEqual((await s.next('in-room'))[0], 3);
});

test('rooms: join_room refused by the room policy → ack {ok:false,error}', async (port) => {
  const s = sio(port, '/', { auth: { token: mint('sio-policy') } });
  await connected(s);
  const ack = await ask(s, 'join_room', 'user:somebody-else');
  assert.equal(ack.ok, false, `ack: ${JSON.stringify(ack)}`);
  assert.equal(ack.error?.code, 'forbidden', `ack: ${JSON.stringify(ack)}`);
  assert.equal(typeof ack.error.message, 'string');
  await emitOk(port, { event: 'private', room: 'user:somebody-else', payload: 1 }, 0);
});

test('limits: event names over 128 bytes → invalid_event, room names over 200 characters → invalid_room', async (port) => {
  const s = sio(port, '/', { auth: { token: mint('sio-limits') } });
  const peer = sio(port, '/', { auth: { token: mint('sio-limits-peer') } });
  await connected(s);
  await connected(peer);
  const room = `limits:${'r'.repeat(193)}`; // 200 characters: the most a room name may have
  for (const c of [s, peer])
    assert.deepEqual(await ask(c, 'join_room', room), { ok: true, room });
  const longRoom = await ask(s, 'join_room', `${room}x`);
  assert.equal(longRoom.ok, false, `ack: ${JSON.stringify(longRoom)}`);
  assert.equal(longRoom.error?.code, 'invalid_room', `ack: ${JSON.stringify(longRoom)}`);

  const tooLong = 'x'.repeat(129);
  const refusedAck = await ask(s, tooLong, { room });
  assert.equal(refusedAck.ok, false, `ack: ${JSON.stringify(refusedAck)}`);
  assert.equal(refusedAck.error?.code, 'invalid_event', `ack: ${JSON.stringify(refusedAck)}`);
  assert.match(refusedAck.error.message, /128 bytes/);
  // Without an ack the refusal comes as switchboard:error; 43 × "€" is 129 bytes of UTF-8.
  s.emit('€'.repeat(43), { room });
  const [error] = await s.next('switchboard:error');
  assert.equal(error.code, 'invalid_event', JSON.stringify(error));
  // At the limit (64 × "é" = 128 bytes) it is relayed; it comes after the refused ones would have.
  const fits = 'é'.repeat(64);
  const ok = await ask(s, fits, { room, n: 1 });
  assert.equal(ok.ok, true, `ack: ${JSON.stringify(ok)}`);
  assert.equal(ok.delivered, 1);
  assert.deepEqual((await peer.next(fits))[0], { room, n: 1 });
  assert.equal(peer.unread(tooLong).length + peer.unread('€'.repeat(43)).length, 0, 'a refused event was relayed');
});

test('rooms: --room-event aliases subscribe_order=join:order:{} / unsubscribe_order=leave:order:{}', async (port) => {
  const user = 'sio-alias';
  const s = sio(port, '/', { auth: { token: mint(user) } });
  await connected(s);
  s.emit('subscribe_order', 42);
  s.emit('subscribe_order', { id: 43 });
  // The server handles a socket's packets in order: this ack means both aliases were handled.
  assert.deepEqual(await ask(s, 'join_room', 'alias:sync1'), { ok: true, room: 'alias:sync1' });
  await emitOk(port, { event: 'order', room: 'order:42', payload: 42 }, 1);
  assert.deepEqual((await s.next('order'))[0], 42);
  await emitOk(port, { event: 'order', room: 'order:43', payload: 43 }, 1);
  assert.deepEqual((await s.next('order'))[0], 43);
  const rooms = (await connectionsOf(port, user))[0].rooms;
  assert.ok(rooms.includes('order:42') && rooms.includes('order:43'), `rooms: ${JSON.stringify(rooms)}`);

  s.emit('unsubscribe_order', 42);
  assert.deepEqual(await ask(s, 'join_room', 'alias:sync2'), { ok: true, room: 'alias:sync2' });
  await emitOk(port, { event: 'order', room: 'order:42', payload: 'left' }, 0);
  await emitOk(port, { event: 'order', room: 'order:43', payload: 'still' }, 1);
  assert.deepEqual((await s.next('order'))[0], 'still', 'order:42 was left, order:43 kept');
});

test('HTTP emit to a room arrives with the data intact', async (port) => {
  const s = sio(port, '/', { auth: { token: mint('sio-intact') } });
  await connected(s);
  await ask(s, 'join_room', 'intact:1');
  const payload = {
    text: 'grüße, 世界 😀 "quoted" \\ back\nslash', n: 1.5, neg: -3, zero: 0, int: 12345678, t: true, f: false,
    nul: null, arr: [1, 'two', { three: 3 }, [], {}], nested: { deep: { deeper: { x: [null] } } }, empty: '',
    long: 'x'.repeat(100000),
  };
  const body = await emitOk(port, { event: 'intact', room: 'intact:1', payload }, 1);
  const args = await s.next('intact');
  assert.deepEqual(args[0], payload, 'payload of a room emit');
  for (const scalar of ['plain string', 42, true, null, [1, 2]]) {
    await emitOk(port, { event: 'scalar', room: 'intact:1', payload: scalar }, 1);
    assert.deepEqual((await s.next('scalar'))[0], scalar, `payload ${JSON.stringify(scalar)}`);
  }
  assert.equal(typeof body.id, 'string');
});

// ---------------------------------------------------------------------------------------------
// Acks

test('client emit with ack: relayed to the room, ack {ok:true,id,delivered}', async (port) => {
  const room = 'relay:1';
  const a = sio(port, '/', { auth: { token: mint('sio-relay-a') } });
  const b = sio(port, '/', { auth: { token: mint('sio-relay-b') }, transports: ['websocket'] });
  await Promise.all([connected(a), connected(b)]);
  await ask(a, 'join_room', room);
  await ask(b, 'join_room', room);
  const sent = { room, text: 'hello', list: [1, { two: 2 }] };
  const ack = await ask(a, 'note', sent);
  assert.equal(ack.ok, true, `ack: ${JSON.stringify(ack)}`);
  assert.equal(typeof ack.id, 'string', `ack.id: ${JSON.stringify(ack)}`);
  assert.ok(ack.id.length > 0);
  assert.equal(ack.delivered, 1, `ack.delivered (one other member): ${JSON.stringify(ack)}`);
  assert.deepEqual((await b.next('note'))[0], sent, 'relayed data');
  // Not back to the sender: a later emit to the room reaches it first.
  await emitOk(port, { event: 'control', room, payload: 1 }, 2);
  await a.next('control');
  assert.equal(a.unread('note').length, 0, 'the sender got its own relayed event');
  // Relay into a room the sender is not in: refused in the ack, nobody receives it.
  const nack = await ask(a, 'note', { room: 'relay:not-joined', text: 'x' });
  assert.equal(nack.ok, false, `ack: ${JSON.stringify(nack)}`);
  assert.equal(typeof nack.error?.code, 'string', `ack: ${JSON.stringify(nack)}`);
  assert.equal(typeof nack.error.message, 'string', `ack: ${JSON.stringify(nack)}`);
});

test('server → client ack: POST emit "ack":true gives the socket a callback', async (port) => {
  const user = 'sio-ask';
  const s = sio(port, '/', { auth: { token: mint(user) }, transports: ['websocket'] });
  await connected(s);
  await emitOk(port, { event: 'ask', userId: user, payload: { q: 1 }, ack: true }, 1);
  const args = await s.next('ask');
  assert.deepEqual(args[0], { q: 1 });
  assert.equal(typeof args[args.length - 1], 'function', `an acked emit must come with a callback; args: ${JSON.stringify(args)}`);
  args[args.length - 1]({ fine: true });
  // An emit without "ack" has no callback.
  await emitOk(port, { event: 'tell', userId: user, payload: 2 }, 1);
  const plain = await s.next('tell');
  assert.ok(plain.every((a) => typeof a !== 'function'), 'an emit without "ack" came with a callback');
});

test('server → client ack settles a persisted event (kept until the callback, then deleted)', async (port) => {
  // The ack's effect visible over HTTP: a persisted offline event is deleted when acked
  // (offline.delivered in /api/metrics) and only then stops being redelivered.
  const user = 'sio-offline';
  const p = await emitOk(port, { event: 'invoice.ready', userId: user, payload: { total: 12 }, persist: true }, 0);
  assert.equal(p.persisted, true);
  const deliveredBefore = (await api(port, 'GET', '/api/metrics')).body.offline.delivered;

  // 1st connection does not call the callback: the event stays stored.
  const first = sio(port, '/', { auth: { token: mint(user) }, transports: ['websocket'] });
  await connected(first);
  const got = await first.next('invoice.ready');
  assert.deepEqual(got[0], { total: 12 });
  assert.equal(typeof got[got.length - 1], 'function', `a persisted event asks for an ack; args: ${JSON.stringify(got)}`);
  first.disconnect();
  await offline(port, user);

  // 2nd connection: delivered again; the callback deletes it.
  const second = sio(port, '/', { auth: { token: mint(user) }, transports: ['websocket'] });
  await connected(second);
  const again = await second.next('invoice.ready');
  assert.deepEqual(again[0], { total: 12 }, 'not acked → delivered again');
  again[again.length - 1]();
  await until(async () => (await api(port, 'GET', '/api/metrics')).body.offline.delivered === deliveredBefore + 1,
    'offline.delivered to count the Socket.IO ack');
  second.disconnect();
  await offline(port, user);

  // 3rd connection: nothing left (positive control after connect).
  const third = sio(port, '/', { auth: { token: mint(user) }, transports: ['websocket'] });
  await connected(third);
  await emitOk(port, { event: 'control', userId: user, payload: 1 }, 1);
  await third.next('control');
  assert.equal(third.unread('invoice.ready').length, 0, 'an acked persisted event was delivered again');
});

// ---------------------------------------------------------------------------------------------
// Binary

test('binary: a Buffer relayed between sockets arrives byte-identical (polling ↔ websocket)', async (port) => {
  const room = 'bin:1';
  const a = sio(port, '/', { auth: { token: mint('sio-bin-a') }, transports: ['polling'] });
  const b = sio(port, '/', { auth: { token: mint('sio-bin-b') }, transports: ['websocket'] });
  await Promise.all([connected(a), connected(b)]);
  await ask(a, 'join_room', room);
  await ask(b, 'join_room', room);
  const every = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const big = crypto.randomBytes(100 * 1024);
  const check = (got, want, what) => {
    assert.ok(Buffer.isBuffer(got) || got instanceof ArrayBuffer || ArrayBuffer.isView(got),
      `${what} arrived as ${typeof got} ${JSON.stringify(got)?.slice(0, 100)}, not binary`);
    assert.ok(Buffer.from(got).equals(want), `${what}: ${Buffer.from(got).length} bytes, not the ${want.length} sent`);
  };

  // polling → websocket, two attachments
  const ack = await ask(a, 'file', { room, name: 'a.bin', blob: every, more: [big] });
  assert.deepEqual([ack.ok, ack.delivered], [true, 1], `ack: ${JSON.stringify(ack)}`);
  const [data] = await b.next('file');
  assert.equal(data.room, room);
  assert.equal(data.name, 'a.bin');
  check(data.blob, every, 'blob (polling → websocket)');
  check(data.more?.[0], big, 'more[0] (polling → websocket)');

  // websocket → polling
  const back = await ask(b, 'file', { room, name: 'b.bin', blob: big });
  assert.deepEqual([back.ok, back.delivered], [true, 1], `ack: ${JSON.stringify(back)}`);
  const [echo] = await a.next('file');
  assert.equal(echo.name, 'b.bin');
  check(echo.blob, big, 'blob (websocket → polling)');
});

// ---------------------------------------------------------------------------------------------
// Namespaces

test('namespaces: /custom connects, an unknown one → "Invalid namespace"', async (port) => {
  const s = sio(port, CUSTOM, { auth: { token: mint('sio-ns-ok') } });
  await connected(s);
  assert.equal(s.nsp, CUSTOM);
  const bad = sio(port, '/nope', { auth: { token: mint('sio-ns-bad') } });
  const err = await refused(bad);
  assert.equal(err.message, 'Invalid namespace', `connect_error: ${err.message} ${JSON.stringify(err.data)}`);
  // An HTTP emit to a namespace that is not configured is refused.
  const r = await emit(port, { event: 'x', userId: 'sio-ns-ok', namespace: '/nope', payload: 1 });
  assert.equal(r.status, 400, `emit to namespace /nope: ${r.status} ${JSON.stringify(r.body)}`);
  // /custom checks credentials like /.
  const anon = sio(port, CUSTOM, {});
  const denied = await refused(anon);
  assert.equal(denied.message, 'missing credentials', `connect_error on ${CUSTOM} without a token: ${denied.message}`);
  assert.equal(denied.data?.code, 4001);
});

async function checkNamespaceTargeting(port, user, root, custom) {
  // No delivered counts here: docs/socketio.md says `delivered` counts the room's members
  // whatever namespaces they have connected. What each socket receives is what is checked.
  // "namespace": "/custom" reaches the /custom socket, not the / one ...
  await emitOk(port, { event: 'ns-custom', userId: user, namespace: CUSTOM, payload: 'c' });
  assert.deepEqual((await custom.next('ns-custom'))[0], 'c');
  // ... the default namespace reaches the / one and not the /custom one; each control below
  // was emitted after the event that must not arrive, to the same socket.
  await emitOk(port, { event: 'ns-root', userId: user, payload: 'r' });
  assert.deepEqual((await root.next('ns-root'))[0], 'r');
  assert.equal(root.unread('ns-custom').length, 0, 'the / socket got an emit for /custom');
  await emitOk(port, { event: 'ns-custom-control', userId: user, namespace: CUSTOM, payload: 'cc' });
  await custom.next('ns-custom-control');
  assert.equal(custom.unread('ns-root').length, 0, 'the /custom socket got an emit for /');
  // Explicit "/" is the default namespace.
  await emitOk(port, { event: 'ns-slash', userId: user, namespace: '/', payload: 's' });
  assert.deepEqual((await root.next('ns-slash'))[0], 's');
}

test('namespaces: /api/emit "namespace" targets /custom sockets only (separate connections)', async (port) => {
  const user = 'sio-ns-emit';
  const root = sio(port, '/', { auth: { token: mint(user) } });
  const custom = sio(port, CUSTOM, { auth: { token: mint(user) } });
  await Promise.all([connected(root), connected(custom)]);
  await checkNamespaceTargeting(port, user, root, custom);
});

test('namespaces: / and /custom multiplexed on one Engine.IO connection', async (port) => {
  const user = 'sio-ns-mux';
  const root = sio(port, '/', { auth: { token: mint(user) } });
  // A second namespace on the same Manager shares its Engine.IO connection.
  const custom = withQueue(root.io.socket(CUSTOM, { auth: { token: mint(user) } }));
  opened.push(custom);
  await Promise.all([connected(root), connected(custom)]);
  assert.equal(root.io, custom.io, 'one manager');
  await checkNamespaceTargeting(port, user, root, custom);
});

// ---------------------------------------------------------------------------------------------
// Recovery

test('recovery: missed events arrive in order after a reconnect, socket.recovered === true', async (port) => {
  const user = 'sio-recover';
  const room = 'recover:1';
  const s = sio(port, '/', { auth: { token: mint(user) }, transports: ['websocket'] });
  await connected(s);
  assert.ok(!s.recovered, 'a first connection is not a recovery');
  assert.deepEqual(await ask(s, 'join_room', room), { ok: true, room });
  // One event before the drop, so the client has an offset to resume from.
  await emitOk(port, { event: 'tick', room, payload: { n: 0 } }, 1);
  const first = await s.next('tick');
  assert.deepEqual(first[0], { n: 0 });

  // Drop the transport the way a network failure would (no Socket.IO DISCONNECT packet).
  const gone = once(s, 'disconnect', 5000, '"disconnect" after closing the engine');
  s.io.engine.close();
  await gone;
  await offline(port, user);
  for (const n of [1, 2, 3]) await emitOk(port, { event: 'tick', room, payload: { n } });

  // Reconnect: socket.io-client sends the pid and offset it got from the server.
  s.connect();
  await connected(s);
  assert.equal(s.recovered, true,
    `socket.recovered after reconnecting within the window (pid from the server: ${JSON.stringify(s._pid)}; ` +
    `the event before the drop carried args ${JSON.stringify(first)}, the last of which is the offset)`);
  const ticks = [];
  for (let i = 0; i < 3; ++i) ticks.push((await s.next('tick'))[0].n);
  assert.deepEqual(ticks, [1, 2, 3], 'missed events in order');
  // Rooms restored: a new emit to the room arrives, and nothing was delivered twice.
  await emitOk(port, { event: 'tick', room, payload: { n: 4 } }, 1);
  assert.deepEqual((await s.next('tick'))[0], { n: 4 });
  assert.deepEqual(s.unread('tick').map((a) => a[0]), [], 'ticks beyond the missed ones');
});

// ---------------------------------------------------------------------------------------------
// Native and Socket.IO clients together

test('mixed: native ws client and Socket.IO socket in one room', async (port) => {
  const room = 'mix:1';
  const nat = native(port, 'mix-native');
  await nat.next('connected');
  nat.send(JSON.stringify({ type: 'subscribe', channel: room }));
  assert.equal((await nat.next('subscribed')).channel, room);
  const s = sio(port, '/', { auth: { token: mint('mix-sio') } });
  await connected(s);
  assert.deepEqual(await ask(s, 'join_room', room), { ok: true, room });

  // One HTTP emit reaches both.
  await emitOk(port, { event: 'both', room, payload: { v: 1 } }, 2);
  const n1 = await nat.next('both');
  assert.deepEqual([n1.room, n1.data], [room, { v: 1 }]);
  assert.deepEqual((await s.next('both'))[0], { v: 1 });

  // native emit → Socket.IO socket
  nat.send(JSON.stringify({ type: 'emit', room, event: 'typing', data: { who: 'native' }, id: 'c1' }));
  const nack = await nat.next('ack');
  assert.deepEqual([nack.id, nack.delivered], ['c1', 1], `native ack: ${JSON.stringify(nack)}`);
  assert.deepEqual((await s.next('typing'))[0], { who: 'native' });

  // Socket.IO relay → native client
  const sent = { room, text: 'from socket.io' };
  const ack = await ask(s, 'chat', sent);
  assert.deepEqual([ack.ok, ack.delivered], [true, 1], `ack: ${JSON.stringify(ack)}`);
  const msg = await nat.next('chat');
  assert.equal(msg.room, room, JSON.stringify(msg));
  assert.deepEqual(msg.data, sent, JSON.stringify(msg));
  assert.equal(msg.from, 'mix-sio', JSON.stringify(msg));
});

// ---------------------------------------------------------------------------------------------


async function main() {
  const { child, port } = await startServer();
  let died = null;
  child.on('exit', (code, signal) => { died = { code, signal }; });
  const failed = [];
  try {
    for (const c of cases) {
      if (filter && !filter.test(c.name)) continue;
      opened = [];
      try {
        if (died) throw new Error(`server is gone (${JSON.stringify(died)})`);
        await withTimeout(c.fn(port), 30000, `case "${c.name}" to finish`);
        console.log(`ok ${c.name}`);
      } catch (err) {
        failed.push(c.name);
        console.error(`FAIL ${c.name}\n  ${err.stack || err}`);
      } finally {
        for (const s of opened) {
          if (typeof s.disconnect === 'function') s.disconnect(); else s.terminate();
        }
      }
    }
  } finally {
    if (failed.length) console.error('server stderr (tail):\n' + child.stderrLog().slice(-4000));
    child.kill('SIGKILL');
    cleanup();
  }
  if (failed.length) throw new Error(`${failed.length} case(s) failed:\n  - ${failed.join('\n  - ')}`);
}

main().then(() => { console.log('socket.io interop: all passed'); process.exit(0); },
  (err) => { console.error('socket.io interop FAILED:', err.message || err); process.exit(1); });
