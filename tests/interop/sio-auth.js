// Interop: identity, in-band authentication and migration aids with the npm socket.io-client
// (issue 14): --user-id-claim, the "authenticate" event within --auth-grace-ms (ack and emitted
// answer, refusals, the grace timeout), --claim-rooms-query, --relay-room-key,
// --socketio-connected-event and --connect-error-messages.
// Usage: node sio-auth.js /path/to/switchboard [case-name-regexp]
'use strict';
const assert = require('node:assert/strict');
const crypto = require('node:crypto');

const { harness, within, sio, connected, runCases } = require('./lib');

const secret = 'sio-auth-secret';
const h = harness(process.argv[2], ['--jwt-secret', secret]);
const filter = process.argv[3] ? new RegExp(process.argv[3]) : null;

/** An HS256 token with exactly @p claims (exp an hour away unless given). */
function sign(claims, key = secret) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ exp: Math.floor(Date.now() / 1000) + 3600, ...claims })}`;
  return `${body}.${crypto.createHmac('sha256', key).update(body).digest('base64url')}`;
}

/** The next @p event on @p s (its first argument), or a timeout error. */
function next(s, event, ms = 5000) {
  return within(new Promise((resolve) => s.once(event, resolve)), ms, `"${event}"`);
}

/** The connect_error of @p s, or an error when it connects instead. */
function connectError(s) {
  return within(new Promise((resolve, reject) => {
    s.once('connect_error', resolve);
    s.once('connect', () => reject(new Error('connected, expected connect_error')));
  }), 5000, '"connect_error"');
}

const grace = ['--auth-grace-ms', '5000'];

const cases = [
  {
    name: '_id claim connects',
    args: ['--user-id-claim', '_id', '--socketio-connected-event', 'connected'],
    fn: async (port) => {
      const s = sio(port, { auth: { token: sign({ _id: '64f0c2' }) } });
      const hello = next(s, 'connected');
      await connected(s);
      const info = await hello;
      assert.equal(info.userId, '64f0c2');
      assert.equal(info.socketId, s.id);
      // A "sub"-only token has no user for this server.
      const refused = sio(port, { auth: { token: sign({ sub: 'alice' }) } });
      const err = await connectError(refused);
      assert.equal(err.data.code, 4002);
      assert.match(err.message, /_id/);
      s.disconnect();
    },
  },
  {
    name: 'in-band authenticate with ack and event',
    args: grace,
    fn: async (port, pid, child) => {
      const s = sio(port);
      await connected(s);
      // Before authenticating nothing else is served.
      const early = await s.timeout(3000).emitWithAck('join_room', 'lobby');
      assert.equal(early.ok, false);
      assert.equal(early.error.code, 'unauthenticated');
      const bad = await s.timeout(3000).emitWithAck('authenticate', { token: 'not.a.token' });
      assert.equal(bad.ok, false);
      assert.equal(bad.error.code, 'invalid_token');
      const event = next(s, 'authenticated');
      const good = await s.timeout(3000).emitWithAck('authenticate', { token: sign({ sub: 'late' }) });
      assert.equal(good.ok, true);
      assert.equal(good.userId, 'late');
      assert.equal(good.socketId, s.id);
      assert.equal((await event).userId, 'late');
      // Now a client like any other: user-room emits arrive, room events work.
      const hello = next(s, 'hello');
      const r = await h.emit(port, { event: 'hello', userId: 'late', payload: { n: 1 } });
      assert.equal(r.body.delivered, 1);
      assert.deepEqual(await hello, { n: 1 });
      const joined = await s.timeout(3000).emitWithAck('join_room', 'lobby');
      assert.equal(joined.ok, true, JSON.stringify(joined));
      s.disconnect();
    },
  },
  {
    name: 'in-band authenticate without ack: auth_error, then authenticated',
    args: grace,
    fn: async (port) => {
      const s = sio(port);
      await connected(s);
      const refused = next(s, 'auth_error');
      s.emit('authenticate', sign({ sub: 'x' }, 'wrong-secret'));
      const error = await refused;
      assert.equal(error.code, 'invalid_token');
      assert.match(error.message, /signature/);
      const accepted = next(s, 'authenticated');
      s.emit('authenticate', sign({ sub: 'plain' })); // the token as a plain string
      assert.equal((await accepted).userId, 'plain');
      s.disconnect();
    },
  },
  {
    name: 'grace timeout disconnects',
    args: ['--auth-grace-ms', '300'],
    fn: async (port) => {
      const s = sio(port);
      await connected(s);
      const error = next(s, 'auth_error');
      const reason = await next(s, 'disconnect');
      assert.equal((await error).code, 'auth_timeout');
      assert.equal(reason, 'io server disconnect');
    },
  },
  {
    name: 'cycling DISCONNECT and CONNECT does not extend the grace',
    args: ['--auth-grace-ms', '1500'],
    fn: async (port) => {
      // Raw Engine.IO over WebSocket: CONNECT "/" without a token, then leave and connect the
      // namespace again every 300 ms. The grace is the session's, not each CONNECT's: the
      // server closes the session once it is over.
      const WebSocket = require('ws');
      const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`);
      const closed = new Promise((resolve) => ws.once('close', resolve));
      await within(new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); }), 5000, 'the WebSocket');
      let connects = 0;
      ws.on('message', (m) => {
        const text = m.toString();
        if (text === '2') ws.send('3');
        if (text.startsWith('40')) ++connects;
      });
      ws.send('40');
      const cycle = setInterval(() => { if (ws.readyState === WebSocket.OPEN) { ws.send('41'); ws.send('40'); } }, 300);
      const started = Date.now();
      try {
        await within(closed, 6000, 'the server to close a session that never authenticated');
      } finally {
        clearInterval(cycle);
      }
      assert.ok(connects >= 2, `the namespace was connected ${connects} time(s)`);
      assert.ok(Date.now() - started >= 1000, 'closed before the grace was over');
    },
  },
  {
    name: 'three failed tokens disconnect',
    args: grace,
    fn: async (port) => {
      const s = sio(port);
      await connected(s);
      const gone = next(s, 'disconnect');
      for (let i = 0; i < 3; i++) s.emit('authenticate', { token: 'bad' });
      assert.equal(await gone, 'io server disconnect');
    },
  },
  {
    name: 'without --auth-grace-ms a token is required',
    args: [],
    fn: async (port) => {
      const err = await connectError(sio(port));
      assert.equal(err.data.code, 4001);
      assert.equal(err.message, 'missing credentials');
    },
  },
  {
    name: 'connect_error messages per code',
    args: ['--connect-error-messages', '{"4001":"Authentication required","4002":"Invalid token, log in again"}'],
    fn: async (port) => {
      let err = await connectError(sio(port, { auth: { token: sign({ sub: 'x' }, 'wrong') } }));
      assert.equal(err.message, 'Invalid token, log in again');
      assert.equal(err.data.code, 4002);
      err = await connectError(sio(port));
      assert.equal(err.message, 'Authentication required');
    },
  },
  {
    name: 'query parameters feed room templates',
    args: ['--claim-rooms', '{user_type}:{sub}', '--claim-rooms-query', 'user_type'],
    fn: async (port) => {
      const s = sio(port, { auth: { token: sign({ sub: 'd1' }) }, query: { user_type: 'driver' } });
      await connected(s);
      const got = next(s, 'ride_request');
      const r = await h.emit(port, { event: 'ride_request', room: 'driver:d1', payload: { id: 5 } });
      assert.equal(r.body.delivered, 1);
      assert.deepEqual(await got, { id: 5 });
      // Over-long or with characters outside the rules: refused with a clear message.
      for (const value of ['d'.repeat(65), 'user:d2']) {
        const bad = sio(port, { auth: { token: sign({ sub: 'd2' }) }, query: { user_type: value } });
        const err = await connectError(bad);
        assert.equal(err.data.code, 1008);
        assert.match(err.message, /user_type/);
      }
      s.disconnect();
    },
  },
  {
    name: 'relay room key',
    args: ['--relay-room-key', 'roomId'],
    fn: async (port) => {
      const a = sio(port, { auth: { token: sign({ sub: 'a' }) } });
      const b = sio(port, { auth: { token: sign({ sub: 'b' }) } });
      await Promise.all([connected(a), connected(b)]);
      for (const s of [a, b]) assert.equal((await s.timeout(3000).emitWithAck('join_room', 'booking:9')).ok, true);
      const got = next(b, 'location_update');
      const ack = await a.timeout(3000).emitWithAck('location_update', { roomId: 'booking:9', lat: 1 });
      assert.equal(ack.ok, true, JSON.stringify(ack));
      assert.equal(ack.delivered, 1);
      assert.deepEqual(await got, { roomId: 'booking:9', lat: 1 });
      a.disconnect();
      b.disconnect();
    },
  },
];

runCases('socket.io auth and migration aids', cases, h, filter);
