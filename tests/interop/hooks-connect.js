// Interop: the connect proxy of issue 14 (docs/hooks.md) on the real binary, with a real back end
// (hookbackend.js: node:http + node:crypto) that verifies every signature. A native client and a
// socket.io-client are admitted with the back end's user, rooms and claims (an emit to the extra
// room reaches them) or refused with its reason (close 4005 / connect_error); a stalled back end
// refuses with connect_unavailable (fail closed) and the server stays healthy; a tokenless client
// with a session cookie is admitted; many connections while the back end stalls stay bounded by
// --max-pending-sessions; in-band authenticate (native and Socket.IO) goes through the proxy too.
// Usage: node hooks-connect.js /path/to/switchboard [case-filter]
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const { client, harness, runCases, sio, within, until } = require('./lib');
const { startBackend, metric, assertSigned } = require('./hookbackend');

const binary = process.argv[2];
const filter = process.argv[3] ? new RegExp(process.argv[3]) : null;
const h = harness(binary);
const SECRET = 'hooks-connect-secret-0123456789';

function hooksFile(b) {
  const file = path.join(h.dataDir, 'connect.hooks.json');
  fs.writeFileSync(file, JSON.stringify({
    connect: { url: `${b.url}/connect`, timeoutMs: 1500, headers: ['cookie', 'X-Tenant'] },
  }));
  return file;
}

/** The next connect_error of Socket.IO socket @p s. */
const connectError = (s) => within(new Promise((resolve) => s.once('connect_error', resolve)), 5000, 'connect_error');
const connectOk = (s) => within(new Promise((resolve, reject) => {
  s.once('connect', resolve);
  s.once('connect_error', (e) => reject(new Error(`connect_error: ${e.message}`)));
}), 5000, 'connect');

async function main() {
  const b = await startBackend(SECRET);
  let stall = null; // a promise stalled answers wait for
  b.route('/connect', async (body) => {
    const mode = body.query.mode;
    if (mode === 'refuse') return { json: { error: { code: 'banned', message: 'user is banned' } } };
    if (mode === 'stall') return { hold: stall, json: {} };
    // A back end that takes 1 s (within timeoutMs), then admits the token's user.
    if (mode === 'slow') return { hold: new Promise((r) => setTimeout(r, 1000)), json: {} };
    if (mode === 'forbidden') return { status: 403, json: {} };
    if (mode === 'other-user') return { json: { user: 'bob' } };
    if (!body.token && body.headers.cookie === 'session=s3cret') return { json: { user: 'cookie-user', rooms: ['booking:9'] } };
    if (!body.userId) return { json: {} }; // no user from here: refused
    return { json: { user: body.userId, rooms: ['booking:7'], claims: { role: 'driver', tier: 'gold' } } };
  });
  b.route('/webhook', () => ({ json: {} }));
  const args = ['--hooks', hooksFile(b), '--hooks-secret', SECRET];
  const callsTo = (p, from = 0) => b.calls.slice(from).filter((c) => c.path === p);
  const lastCall = () => b.calls[b.calls.length - 1];

  const cases = [
    // Review: the back end named another user, and the connection kept the token's claims.
    { name: 'native: a back end naming another user drops the token\'s claims', args, fn: async (port) => {
      const ws = client(`ws://127.0.0.1:${port}/ws?token=${h.mint('alice', ['--role', 'admin'])}&mode=other-user`);
      const hello = await ws.next('connected');
      assert.equal(hello.userId, 'bob');
      assert.deepEqual(hello.rooms.sort(), ['user:bob'], JSON.stringify(hello.rooms));
      ws.close();
    } },
    { name: 'native: admitted with the back end\'s rooms and claims, signed request', args, fn: async (port) => {
      const ws = client(`ws://127.0.0.1:${port}/ws?token=${h.mint('42')}&mode=allow`, { headers: { cookie: 'a=1', 'x-tenant': 't1', 'x-secret': 'no' } });
      const hello = await ws.next('connected');
      assert.equal(hello.userId, '42');
      for (const room of ['user:42', 'booking:7', 'role:driver']) assert.ok(hello.rooms.includes(room), `${room} in ${hello.rooms}`);
      const call = lastCall();
      assertSigned(call, SECRET);
      assert.equal(call.headers['x-switchboard-request-id'], call.body.requestId);
      assert.equal(call.body.protocol, 'native');
      assert.equal(call.body.userId, '42');
      assert.equal(call.body.claims.sub, '42');
      assert.equal(call.body.query.mode, 'allow');
      assert.deepEqual(call.body.headers, { cookie: 'a=1', 'x-tenant': 't1' }); // only the allow-listed ones
      assert.ok(!('tokenError' in call.body));
      const got = ws.next('ride');
      const r = await h.emit(port, { event: 'ride', room: 'booking:7', payload: { n: 1 } });
      assert.equal(r.status, 200);
      assert.deepEqual((await got).data, { n: 1 });
      assert.equal(await metric(port, 'switchboard_connect_proxy_admitted_total'), 1);
      ws.close();
    } },
    { name: 'native: refused with the back end\'s reason (4005), 403 and no user refused too', args, fn: async (port) => {
      const ws = client(`ws://127.0.0.1:${port}/ws?token=${h.mint('7')}&mode=refuse`);
      const err = await ws.next('error');
      assert.equal(err.code, 'banned');
      assert.equal(err.message, 'user is banned');
      const closed = await ws.closed;
      assert.equal(closed.code, 4005);
      assert.match(closed.reason, /banned: user is banned/);
      const forbidden = client(`ws://127.0.0.1:${port}/ws?token=${h.mint('7')}&mode=forbidden`);
      assert.equal((await forbidden.next('error')).code, 'connect_refused');
      assert.equal((await forbidden.closed).code, 4005);
      // A bad token and no user from the back end: refused; the back end saw why.
      const bad = client(`ws://127.0.0.1:${port}/ws?token=not.a.token`);
      assert.equal((await bad.next('error')).code, 'connect_refused');
      assert.equal((await bad.closed).code, 4005);
      assert.ok(lastCall().body.tokenError, 'tokenError sent');
      assert.equal(await metric(port, 'switchboard_connect_proxy_refusals_total'), 3);
    } },
    { name: 'native: tokenless client with a session cookie admitted', args, fn: async (port) => {
      const ws = client(`ws://127.0.0.1:${port}/ws`, { headers: { cookie: 'session=s3cret' } });
      const hello = await ws.next('connected');
      assert.equal(hello.userId, 'cookie-user');
      assert.ok(hello.rooms.includes('booking:9'));
      assert.ok(!('token' in lastCall().body));
      const none = client(`ws://127.0.0.1:${port}/ws`);
      assert.equal((await none.closed).code, 4005);
      ws.close();
    } },
    { name: 'socket.io: admitted with rooms and claims; refused with connect_error', args, fn: async (port) => {
      const s = sio(port, { auth: { token: h.mint('42'), extra: 'x' }, query: { mode: 'allow' }, extraHeaders: { 'x-tenant': 't2' } });
      await connectOk(s);
      const call = lastCall();
      assertSigned(call, SECRET);
      assert.equal(call.body.protocol, 'socket.io');
      assert.equal(call.body.namespace, '/');
      assert.deepEqual(call.body.auth, { extra: 'x' });
      assert.equal(call.body.headers['x-tenant'], 't2');
      const got = new Promise((resolve) => s.once('ride', resolve));
      assert.equal((await h.emit(port, { event: 'ride', room: 'booking:7', payload: { n: 2 } })).status, 200);
      assert.deepEqual(await within(got, 5000, 'ride on the extra room'), { n: 2 });
      const role = new Promise((resolve) => s.once('ride', resolve));
      assert.equal((await h.emit(port, { event: 'ride', room: 'role:driver', payload: { n: 3 } })).status, 200);
      assert.deepEqual(await within(role, 5000, 'ride on the claim room'), { n: 3 });
      s.close();
      const r = sio(port, { auth: { token: h.mint('7') }, query: { mode: 'refuse' } });
      const err = await connectError(r);
      assert.equal(err.message, 'user is banned');
      assert.deepEqual(err.data, { code: 4005, error: 'banned' });
      r.close();
    } },
    { name: 'in-band authenticate goes through the proxy (native and socket.io)', args: [...args, '--auth-grace-ms', '5000'], fn: async (port) => {
      const ws = client(`ws://127.0.0.1:${port}/ws?mode=allow`);
      await ws.opened;
      ws.send(JSON.stringify({ type: 'authenticate', token: h.mint('42'), id: 'a1' }));
      const hello = await ws.next('connected');
      assert.equal(hello.userId, '42');
      assert.ok(hello.rooms.includes('booking:7'), `booking:7 in ${hello.rooms}`);
      assert.equal(lastCall().body.inBand, true);
      assert.equal(lastCall().body.userId, '42');
      const refused = client(`ws://127.0.0.1:${port}/ws?mode=refuse`);
      await refused.opened;
      refused.send(JSON.stringify({ type: 'authenticate', token: h.mint('7'), id: 'a2' }));
      const err = await refused.next('auth_error');
      assert.equal(err.code, 'banned');
      assert.equal((await refused.closed).code, 4005);
      const s = sio(port, { query: { mode: 'allow' } });
      await connectOk(s);
      const answer = await s.timeout(5000).emitWithAck('authenticate', { token: h.mint('43') });
      assert.equal(answer.ok, true);
      assert.equal(answer.userId, '43');
      assert.equal(lastCall().body.protocol, 'socket.io');
      assert.equal(lastCall().body.inBand, true);
      const got = new Promise((resolve) => s.once('ride', resolve));
      assert.equal((await h.emit(port, { event: 'ride', room: 'booking:7', payload: { n: 4 } })).status, 200);
      assert.deepEqual(await within(got, 5000, 'ride after in-band authentication'), { n: 4 });
      ws.close();
      s.close();
    } },
    { name: 'stalled back end: connect_unavailable, bounded by --max-pending-sessions, still healthy',
      args: [...args, '--max-pending-sessions', '3'], timeoutMs: 30000, fn: async (port) => {
        let release;
        stall = new Promise((r) => { release = r; });
        const calls = b.calls.length;
        const held = [1, 2, 3].map(() => client(`ws://127.0.0.1:${port}/ws?token=${h.mint('9')}&mode=stall`));
        await b.waitCalls('/connect', calls + 3);
        // Over the cap while three wait: refused at once, clearly.
        const over = client(`ws://127.0.0.1:${port}/ws?token=${h.mint('9')}&mode=allow`);
        assert.equal((await over.next('error')).code, 'too_many_pending');
        assert.equal((await over.closed).code, 1013);
        const s = sio(port, { auth: { token: h.mint('9') }, query: { mode: 'allow' }, transports: ['polling'] });
        await connectError(s); // a Socket.IO session over the cap is refused too (503)
        s.close();
        // The back end does not answer within timeoutMs: refused, fail closed.
        for (const ws of held) {
          assert.equal((await ws.next('error')).code, 'connect_unavailable');
          assert.equal((await ws.closed).code, 1013);
        }
        release();
        assert.equal(await metric(port, 'switchboard_connect_proxy_failures_total'), 3);
        await h.healthy(port);
        // The slots are back: a new connection is admitted.
        const ok = client(`ws://127.0.0.1:${port}/ws?token=${h.mint('10')}&mode=allow`);
        assert.equal((await ok.next('connected')).userId, '10');
        ok.close();
        // A client that leaves while its call is in flight: the late answer is dropped safely.
        stall = new Promise((r) => { release = r; });
        const n = b.calls.length;
        const gone = client(`ws://127.0.0.1:${port}/ws?token=${h.mint('11')}&mode=stall`);
        await b.waitCalls('/connect', n + 1);
        gone.terminate();
        release();
        await h.healthy(port);
      } },
    // Review M3: a refused session may send CONNECT again until its connect timeout; the back
    // end is asked once per session, later CONNECTs get the same connect_error.
    { name: 'socket.io: one back-end call per session, however many CONNECTs after a refusal', args, fn: async (port) => {
      const base = `http://127.0.0.1:${port}/socket.io/?EIO=4&transport=polling&mode=refuse`;
      const open = await (await fetch(base)).text();
      assert.match(open, /^0\{/);
      const url = `${base}&sid=${JSON.parse(open.slice(1)).sid}`;
      const from = b.calls.length;
      const token = h.mint('m3');
      for (let i = 0; i < 5; ++i) {
        assert.equal((await fetch(url, { method: 'POST', body: `40${JSON.stringify({ token })}` })).status, 200);
        const answer = await (await fetch(url)).text();
        assert.ok(answer.startsWith('44'), `CONNECT ${i + 1}: ${answer}`);
        assert.deepEqual(JSON.parse(answer.slice(2)), { message: 'user is banned', data: { code: 4005, error: 'banned' } });
      }
      assert.equal(callsTo('/connect', from).length, 1, 'one call for the session');
      // A new session is asked again.
      const again = sio(port, { auth: { token }, query: { mode: 'refuse' } });
      assert.equal((await connectError(again)).message, 'user is banned');
      again.close();
      assert.equal(callsTo('/connect', from).length, 2);
    } },
    // Review L1: a native client that leaves while the back end decides is not admitted: no
    // connection, no room, no connect webhook (by close frame, and by its end of stream).
    { name: 'native: a client gone during the connect proxy\'s wait is not admitted (no join, no webhook)',
      args: [...args, '--webhook-url', `${b.url}/webhook`, '--webhook-events', 'connect,disconnect', '--webhook-batch-interval', '100'],
      fn: async (port) => {
        let release;
        stall = new Promise((r) => { release = r; });
        const from = b.calls.length;
        const n = callsTo('/connect').length;
        const byClose = client(`ws://127.0.0.1:${port}/ws?token=${h.mint('gone-close')}&mode=stall`);
        const byEnd = client(`ws://127.0.0.1:${port}/ws?token=${h.mint('gone-end')}&mode=stall`);
        await Promise.all([byClose.opened, byEnd.opened]);
        await b.waitCalls('/connect', n + 2);
        byClose.close(1000, 'bye'); // a close frame, the TCP connection stays until answered
        byEnd.terminate();          // its end of stream
        // Both are in the server's kernel before the back end answers: the close frame once the
        // client's socket has written it (a loopback write lands in the peer's queue), the end
        // of stream once the socket is destroyed.
        await until(() => byClose.readyState === 2 && byClose._socket && byClose._socket.writableLength === 0,
          'the close frame written');
        await until(() => byEnd._socket === null || byEnd._socket.destroyed, 'the socket destroyed');
        release();
        // A client admitted after them: its connect webhook comes after theirs would have.
        const sentinel = client(`ws://127.0.0.1:${port}/ws?token=${h.mint('sentinel')}&mode=allow`);
        await sentinel.next('connected');
        await until(async () => callsTo('/webhook', from).some((c) => JSON.stringify(c.body).includes('"sentinel"')), 'the sentinel\'s connect webhook');
        const hooks = JSON.stringify(callsTo('/webhook', from).map((c) => c.body));
        assert.equal(hooks.includes('gone-close'), false, hooks);
        assert.equal(hooks.includes('gone-end'), false, hooks);
        const connections = JSON.stringify((await h.api(port, 'GET', '/api/websocket/connections')).body);
        assert.equal(connections.includes('gone-'), false, connections);
        assert.equal((await h.api(port, 'GET', '/api/rooms/user%3Agone-close')).status, 404);
        sentinel.close();
        await h.healthy(port);
      } },
    // Review L4: the --auth-grace-ms timer does not run while the back end decides: an
    // in-band authenticate whose answer comes after the grace ran out is still admitted.
    { name: 'socket.io: the auth grace does not run out during the connect proxy\'s wait', args: [...args, '--auth-grace-ms', '600'],
      fn: async (port) => {
        const s = sio(port, { query: { mode: 'slow' } });
        await connectOk(s);
        const started = Date.now();
        const answer = await s.timeout(5000).emitWithAck('authenticate', { token: h.mint('l4') });
        assert.ok(Date.now() - started >= 900, `the back end took its second (${Date.now() - started} ms)`);
        assert.equal(answer.ok, true, JSON.stringify(answer));
        assert.equal(answer.userId, 'l4');
        assert.equal(s.connected, true);
        s.close();
      } },
  ];
  try {
    await runCases('hooks-connect', cases, h, filter);
  } finally {
    await b.close();
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
