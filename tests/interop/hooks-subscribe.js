// Interop: the subscribe proxy of issue 14 (docs/hooks.md, "The subscribe proxy") on the real
// binary, with a real back end (hookbackend.js: node:http + node:crypto) that verifies every
// signature. Joins of rooms a "subscribe" rule matches, from a native client (single channel and
// topics) and a socket.io-client (join_room), are allowed or refused by the back end, and only
// allowed clients get the room's emits; decisions are cached for cacheMs (no call within it, a
// call after it); a timeout, a 500 and a wrong secret refuse the join (subscribe_unavailable, not
// cached); a leave cancels a join still waiting; joins waiting per connection are bounded
// (too_many_pending) and the in-flight cap answers hook_busy; many distinct rooms keep the cache
// within subscribeCacheMaxBytes (evictions counted, RSS bounded); startup errors.
// Usage: node hooks-subscribe.js /path/to/switchboard [case-filter]
'use strict';
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const { client, harness, rssMiB, runCases, sio, connected, until } = require('./lib');
const { startBackend, metric, assertSigned } = require('./hookbackend');

const binary = process.argv[2];
const filter = process.argv[3] ? new RegExp(process.argv[3]) : null;
const h = harness(binary);
const SECRET = 'subscribe-interop-secret-0123456789';
const CACHE_MS = 1500;

/** A hooks file in the data dir with the subscribe rules every case uses, plus @p top. */
function hooksFile(name, b, top = {}) {
  const file = path.join(h.dataDir, `${name}.hooks.json`);
  fs.writeFileSync(file, JSON.stringify({
    subscribe: [
      { name: 'chat', match: ['chat:*', 'team:?'], url: `${b.url}/sub/chat` },
      { name: 'cached', match: 'cached:*', url: `${b.url}/sub/chat`, cacheMs: CACHE_MS },
      { name: 'slow', match: 'slow:*', url: `${b.url}/sub/slow`, timeoutMs: 300 },
      { name: 'broken', match: 'broken:*', url: `${b.url}/sub/fail` },
      { name: 'hold', match: 'hold:*', url: `${b.url}/sub/hold`, timeoutMs: 20000 },
      { name: 'many', match: 'many:*', url: `${b.url}/sub/many`, cacheMs: 600000 },
    ],
    ...top,
  }));
  return file;
}

/** Native client of @p user on @p port, once connected: [ws, connected message]. */
async function native(port, user) {
  const ws = client(`ws://127.0.0.1:${port}/ws?token=${h.mint(user)}`);
  const hello = await ws.next('connected');
  // Every answer that carries an id, for cases that send many joins at once.
  ws.byId = new Map();
  ws.on('message', (raw) => {
    const msg = JSON.parse(raw.toString());
    if (msg.id !== undefined) ws.byId.set(msg.id, msg);
  });
  ws.answer = (id, ms = 5000) => until(async () => ws.byId.get(id), `the answer to "${id}"`, ms);
  return [ws, hello];
}
const send = (ws, msg) => ws.send(JSON.stringify(msg));

async function socket(port, user) {
  const s = sio(port, { auth: { token: h.mint(user) } });
  await connected(s);
  return s;
}
const ack = (s, event, ...args) => s.timeout(5000).emitWithAck(event, ...args);

/** Releasable promise, for a back end that answers when the test says so. */
function gate() {
  let open;
  const p = new Promise((r) => { open = r; });
  p.open = open;
  return p;
}

/** Resolves once the native client @p ws has an answer (pong) to a ping sent after everything before. */
async function flushed(ws) {
  send(ws, { type: 'ping' });
  await ws.next('pong');
}

async function main() {
  const b = await startBackend(SECRET);
  // Users whose name starts with "ok" may join; everyone may join chat:open; team:x is 403.
  b.route('/sub/chat', (body) => {
    if (body.room === 'team:x') return { status: 403, json: {} };
    if (body.claims.sub.startsWith('ok') || body.room === 'chat:open') return { json: { allow: true } };
    return { json: { error: { code: 'not_member', message: `${body.userId} is not in ${body.room}` } } };
  });
  let slowGate = gate();
  b.route('/sub/slow', () => ({ hold: slowGate, json: { allow: true } }));
  b.route('/sub/fail', () => ({ status: 500, json: {} }));
  let holdGate = gate();
  b.route('/sub/hold', () => ({ hold: holdGate, json: { allow: true } }));
  b.route('/sub/many', () => ({ json: { allow: true } }));

  const args = (name, top, more = []) => ['--hooks', hooksFile(name, b, top), '--hooks-secret', SECRET, ...more];
  const callsTo = (p) => b.calls.filter((c) => c.path === p);
  const cases = [];
  const test = (name, a, fn, timeoutMs) => cases.push({ name, args: a, fn, timeoutMs });

  // Rooms added at connect are not asked about, so a query must not add one a rule covers
  // (review: ?chat=secret joined chat:secret without a call).
  test('a room from the query that a rule covers refuses the connection, without a call',
    args('query', undefined, ['--claim-rooms', 'chat:{chat}', '--claim-rooms-query', 'chat=secret|open']), async (port) => {
      const before = callsTo('/sub/chat').length;
      const ws = client(`ws://127.0.0.1:${port}/ws?token=${h.mint('no-q')}&chat=secret`);
      const [code, reason] = await new Promise((resolve) => ws.once('close', (c, r) => resolve([c, r.toString()])));
      assert.equal(code, 1008);
      assert.match(reason, /subscribe proxy/);
      assert.equal(callsTo('/sub/chat').length, before);
      const members = await h.api(port, 'GET', '/api/rooms/chat:secret');
      assert.ok(!members.body.count, JSON.stringify(members.body));
    });

  test('native: allowed and refused joins, the signed request, emits reach only the allowed client', args('native'), async (port) => {
    const [allowed, hello] = await native(port, 'ok-1');
    const [refused] = await native(port, 'no-1');
    const before = callsTo('/sub/chat').length;
    send(allowed, { type: 'subscribe', channel: 'chat:1', id: 's1' });
    const yes = await allowed.next('subscribed');
    assert.deepEqual([yes.channel, yes.id], ['chat:1', 's1']);
    const call = callsTo('/sub/chat')[before];
    assertSigned(call, SECRET);
    assert.equal(call.headers['x-switchboard-request-id'], call.body.requestId);
    assert.deepEqual(Object.keys(call.body).sort(), ['claims', 'connectionId', 'protocol', 'requestId', 'room', 'rule', 'userId']);
    assert.deepEqual([call.body.room, call.body.rule, call.body.protocol, call.body.userId, call.body.connectionId, call.body.claims.sub],
      ['chat:1', 'chat', 'native', 'ok-1', hello.connectionId, 'ok-1']);
    send(refused, { type: 'join', channel: 'chat:1', id: 's2' });
    const no = await refused.next('error');
    assert.deepEqual(no, { type: 'error', code: 'not_member', message: 'no-1 is not in chat:1', channel: 'chat:1', id: 's2' });
    // A 403 refuses too.
    send(refused, { type: 'subscribe', channel: 'team:x', id: 's3' });
    assert.deepEqual([(await refused.next('error')).code], ['forbidden']);
    // An emit to the room reaches the allowed client only.
    const r = await h.emit(port, { event: 'chat.message', room: 'chat:1', payload: { text: 'hi' } });
    assert.equal(r.status, 200);
    assert.deepEqual((await allowed.next('chat.message')).data, { text: 'hi' });
    await flushed(refused);
    assert.equal(refused.unread('chat.message'), 0);
    // Topics: each room decided on its own, one answer; rooms no rule matches need no call.
    const calls = callsTo('/sub/chat').length;
    send(refused, { type: 'subscribe', topics: ['chat:open', 'chat:2', 'lobby'], id: 't1' });
    const answer = await refused.next('subscribed');
    assert.deepEqual(answer.topics, ['chat:open', 'lobby']);
    assert.deepEqual(answer.refused, [{ channel: 'chat:2', code: 'not_member', message: 'no-1 is not in chat:2' }]);
    assert.equal(answer.id, 't1');
    assert.equal(callsTo('/sub/chat').length, calls + 2);
    // Already in the room: no call.
    send(allowed, { type: 'subscribe', channel: 'chat:1', id: 's4' });
    assert.equal((await allowed.next('subscribed')).id, 's4');
    assert.equal(callsTo('/sub/chat').length, calls + 2);
    assert.equal(await metric(port, 'switchboard_subscribe_calls_total{rule="chat"}'), 5);
    assert.equal(await metric(port, 'switchboard_subscribe_allowed_total{rule="chat"}'), 2);
    assert.equal(await metric(port, 'switchboard_subscribe_refused_total{rule="chat"}'), 3);
    assert.equal(await metric(port, 'switchboard_subscribe_latency_seconds_count{rule="chat"}'), 5);
  });

  test('socket.io-client: join_room acks after the decision; refused gets the error ack and no emits', args('sio'), async (port) => {
    const allowed = await socket(port, 'ok-2');
    const refused = await socket(port, 'no-2');
    const before = callsTo('/sub/chat').length;
    assert.deepEqual(await ack(allowed, 'join_room', 'chat:9'), { ok: true, room: 'chat:9' });
    const call = callsTo('/sub/chat')[before];
    assertSigned(call, SECRET);
    assert.deepEqual([call.body.protocol, call.body.namespace, call.body.userId, call.body.room], ['socket.io', '/', 'ok-2', 'chat:9']);
    assert.deepEqual(await ack(refused, 'join_room', { room: 'chat:9' }),
      { ok: false, error: { code: 'not_member', message: 'no-2 is not in chat:9' } });
    // Without an ack callback the refusal is a switchboard:error event.
    const pushed = new Promise((r) => refused.once('switchboard:error', r));
    refused.emit('join_room', 'chat:10');
    assert.equal((await pushed).code, 'not_member');
    const got = new Promise((r) => allowed.once('chat.message', r));
    let leaked = 0;
    refused.on('chat.message', () => { leaked += 1; });
    assert.equal((await h.emit(port, { event: 'chat.message', room: 'chat:9', payload: { n: 1 } })).status, 200);
    assert.deepEqual(await got, { n: 1 });
    // A round trip on the refused socket, behind the emit's delivery to its I/O thread.
    assert.deepEqual(await ack(refused, 'join_room', 'lobby'), { ok: true, room: 'lobby' });
    // The refused socket is not in the room: the registry says so, and nothing arrived.
    const rooms = await h.api(port, 'GET', '/api/rooms/chat%3A9');
    assert.equal(rooms.status, 200);
    assert.equal(JSON.stringify(rooms.body).includes('no-2'), false);
    assert.equal(leaked, 0);
  });

  test('cache: a join within cacheMs makes no call (allow and refusal), after it calls again', args('cache'), async (port) => {
    const [ws] = await native(port, 'ok-cache');
    const [no] = await native(port, 'no-cache');
    const before = callsTo('/sub/chat').length;
    send(ws, { type: 'subscribe', channel: 'cached:1', id: 'c1' });
    assert.equal((await ws.answer('c1')).type, 'subscribed');
    const decidedAt = Date.now();
    send(no, { type: 'subscribe', channel: 'cached:1', id: 'n1' });
    assert.equal((await no.answer('n1')).code, 'not_member');
    assert.equal(callsTo('/sub/chat').length, before + 2);
    // Leave and join again, and a second connection of the same user: all from the cache.
    send(ws, { type: 'unsubscribe', channel: 'cached:1', id: 'c2' });
    await ws.answer('c2');
    send(ws, { type: 'subscribe', channel: 'cached:1', id: 'c3' });
    assert.equal((await ws.answer('c3')).type, 'subscribed');
    const [again] = await native(port, 'ok-cache');
    send(again, { type: 'subscribe', channel: 'cached:1', id: 'c4' });
    assert.equal((await again.answer('c4')).type, 'subscribed');
    send(no, { type: 'subscribe', channel: 'cached:1', id: 'n2' });
    assert.equal((await no.answer('n2')).code, 'not_member');
    assert.ok(Date.now() - decidedAt < CACHE_MS, 'the cached answers came within cacheMs');
    assert.equal(callsTo('/sub/chat').length, before + 2);
    assert.equal(await metric(port, 'switchboard_subscribe_cache_hits_total{rule="cached"}'), 3);
    assert.equal(await metric(port, 'switchboard_subscribe_cache_misses_total{rule="cached"}'), 2);
    assert.equal(await metric(port, 'switchboard_subscribe_cache_entries'), 2);
    // Only the passing of cacheMs can expire an entry: wait it out, then a join asks again.
    await new Promise((r) => setTimeout(r, decidedAt + CACHE_MS + 100 - Date.now()));
    send(no, { type: 'subscribe', channel: 'cached:1', id: 'n3' });
    assert.equal((await no.answer('n3')).code, 'not_member');
    assert.equal(callsTo('/sub/chat').length, before + 3);
    // The rule without cacheMs never caches.
    send(ws, { type: 'subscribe', channel: 'chat:5', id: 'c5' });
    await ws.answer('c5');
    send(ws, { type: 'unsubscribe', channel: 'chat:5', id: 'c6' });
    await ws.answer('c6');
    send(ws, { type: 'subscribe', channel: 'chat:5', id: 'c7' });
    await ws.answer('c7');
    assert.equal(callsTo('/sub/chat').length, before + 5);
  });

  test('no decision refuses: a timeout and a 500 give subscribe_unavailable, not cached', args('timeout'), async (port) => {
    const [ws] = await native(port, 'ok-slow');
    send(ws, { type: 'subscribe', channel: 'slow:1', id: 'x1' });
    const err = await ws.answer('x1');
    assert.deepEqual([err.type, err.code, err.channel], ['error', 'subscribe_unavailable', 'slow:1']);
    assert.match(err.message, /did not decide in time/);
    const s = await socket(port, 'ok-slow-sio');
    const answer = await ack(s, 'join_room', 'slow:2');
    assert.deepEqual([answer.ok, answer.error.code], [false, 'subscribe_unavailable']);
    send(ws, { type: 'subscribe', channel: 'broken:1', id: 'x2' });
    const broken = await ws.answer('x2');
    assert.equal(broken.code, 'subscribe_unavailable');
    assert.match(broken.message, /HTTP 500/);
    const calls = callsTo('/sub/fail').length;
    send(ws, { type: 'subscribe', channel: 'broken:1', id: 'x3' });
    assert.equal((await ws.answer('x3')).code, 'subscribe_unavailable');
    assert.equal(callsTo('/sub/fail').length, calls + 1);
    assert.equal(await metric(port, 'switchboard_subscribe_failures_total{rule="slow"}'), 2);
    assert.equal(await metric(port, 'switchboard_subscribe_failures_total{rule="broken"}'), 2);
    assert.equal(await metric(port, 'switchboard_subscribe_cache_entries'), 0);
    slowGate.open();
    slowGate = gate();
    await h.healthy(port);
  });

  test('a server with another secret: the back end refuses the call (401), the join is refused', ['--hooks', hooksFile('wrong', b), '--hooks-secret', 'not-the-back-ends-secret'], async (port) => {
    const refusedBefore = b.refused.length;
    const [ws] = await native(port, 'ok-wrong');
    send(ws, { type: 'subscribe', channel: 'chat:1', id: 'w1' });
    const err = await ws.answer('w1');
    assert.equal(err.code, 'subscribe_unavailable');
    assert.match(err.message, /HTTP 401/);
    assert.deepEqual(b.refused.slice(refusedBefore), [{ path: '/sub/chat', reason: 'bad_signature' }]);
  });

  test('hostile: joins waiting per connection are bounded (too_many_pending); a leave cancels; a closed client is dropped', args('pending'), async (port) => {
    const [ws] = await native(port, 'ok-hostile');
    const before = callsTo('/sub/hold').length;
    for (let i = 0; i < 20; ++i) send(ws, { type: 'subscribe', channel: `hold:${i}`, id: `p${i}` });
    for (let i = 16; i < 20; ++i) assert.equal((await ws.answer(`p${i}`)).code, 'too_many_pending');
    // 16 calls in flight (the back end sees 6 at a time: Qt's connections per host).
    await until(async () => (await metric(port, 'switchboard_subscribe_in_flight')) === 16, '16 calls in flight');
    await flushed(ws);
    assert.ok(callsTo('/sub/hold').length <= before + 16);
    for (let i = 0; i < 16; ++i) assert.equal(ws.byId.has(`p${i}`), false, `p${i} waits for the back end`);
    // A topics subscribe over the bound: the rooms beyond it are refused in the one answer.
    send(ws, { type: 'subscribe', topics: ['hold:a', 'lobby'], id: 'tp' });
    const topics = await ws.answer('tp');
    assert.deepEqual(topics.topics, ['lobby']);
    assert.deepEqual(topics.refused.map((r) => r.code), ['too_many_pending']);
    // Leaving a room whose join waits cancels the join.
    send(ws, { type: 'unsubscribe', channel: 'hold:0', id: 'u0' });
    assert.equal((await ws.answer('p0')).code, 'cancelled');
    assert.equal((await ws.answer('u0')).type, 'unsubscribed');
    // A client that goes while its joins wait: nothing is answered to it, the server carries on.
    const [gone] = await native(port, 'ok-gone');
    send(gone, { type: 'subscribe', channel: 'hold:gone', id: 'g1' });
    await until(async () => (await metric(port, 'switchboard_subscribe_in_flight')) === 17, 'its call in flight');
    gone.terminate();
    await gone.closed;
    holdGate.open(); // open from now on: the calls Qt queued behind the first 6 pass too
    for (let i = 1; i < 16; ++i) assert.equal((await ws.answer(`p${i}`)).type, 'subscribed');
    holdGate = gate();
    await flushed(ws);
    // hold:0 was cancelled: the allow that came later did not join it.
    const emitted = await h.emit(port, { event: 'e', room: 'hold:0', payload: 1 });
    assert.equal(emitted.body.delivered, 0);
    assert.equal((await h.emit(port, { event: 'e', room: 'hold:1', payload: 1 })).body.delivered, 1);
    await h.healthy(port);
  });

  // Review L3: a Socket.IO join waiting for the back end, then the namespace it came from
  // left (the session stays, on another namespace): the allowed join must not be made.
  test('socket.io: a join whose namespace was left before the decision is not made', args('l3', {}, ['--socketio-namespace', '/chat']), async (port) => {
    const { Manager } = require('socket.io-client');
    const manager = new Manager(`http://127.0.0.1:${port}`, { transports: ['websocket'], reconnection: false, forceNew: true });
    const token = h.mint('ok-l3');
    const root = manager.socket('/', { auth: { token } });
    const chat = manager.socket('/chat', { auth: { token } });
    await connected(root);
    await connected(chat);
    const before = callsTo('/sub/hold').length;
    root.emit('join_room', 'hold:l3', () => {});
    await b.waitCalls('/sub/hold', before + 1);
    root.disconnect(); // DISCONNECT of "/" only: the Engine.IO session stays for /chat
    // The session still answers on /chat once "/"'s DISCONNECT is in.
    assert.deepEqual(await ack(chat, 'join_room', 'plain:l3'), { ok: true, room: 'plain:l3' });
    holdGate.open();
    holdGate = gate();
    holdGate.open();
    // A join asked after the gate opened is answered after the first one's decision came.
    assert.equal((await ack(chat, 'join_room', 'hold:l3-after')).ok, true);
    assert.equal((await h.api(port, 'GET', `/api/rooms/${encodeURIComponent('hold:l3-after')}`)).status, 200);
    const first = await h.api(port, 'GET', `/api/rooms/${encodeURIComponent('hold:l3')}`);
    assert.equal(first.status, 404, `the join asked from the namespace left was not made: ${JSON.stringify(first.body)}`);
    holdGate = gate();
    chat.disconnect();
  });

  test('in-flight cap: a join over maxInFlight is refused hook_busy at once', args('busy', { maxInFlight: 2 }), async (port) => {
    const [a] = await native(port, 'ok-busy-1');
    const before = callsTo('/sub/hold').length;
    send(a, { type: 'subscribe', channel: 'hold:b1', id: 'b1' });
    send(a, { type: 'subscribe', channel: 'hold:b2', id: 'b2' });
    await b.waitCalls('/sub/hold', before + 2);
    const s = await socket(port, 'ok-busy-2');
    const busy = await ack(s, 'join_room', 'hold:b3');
    assert.deepEqual([busy.ok, busy.error.code], [false, 'hook_busy']);
    assert.equal(await metric(port, 'switchboard_subscribe_in_flight'), 2);
    holdGate.open();
    holdGate = gate();
    assert.equal((await a.answer('b1')).type, 'subscribed');
    assert.equal((await a.answer('b2')).type, 'subscribed');
  });

  test('hostile: many distinct rooms keep the cache within subscribeCacheMaxBytes (evictions counted, RSS bounded)',
    args('cachecap', { subscribeCacheMaxBytes: 65536, subscribeMaxPending: 100, maxInFlight: 200 }), async (port, pid) => {
      const [ws] = await native(port, 'ok-many');
      const pad = 'x'.repeat(150);
      let n = 0;
      const round = async (count) => {
        for (let k = 0; k < count; k += 100) {
          const rooms = Array.from({ length: 100 }, () => `many:${pad}:${n++}`);
          const id = `m${n}`;
          send(ws, { type: 'subscribe', topics: rooms, id });
          const answer = await ws.answer(id, 10000);
          assert.equal(answer.topics.length, 100, JSON.stringify(answer.refused || []).slice(0, 300));
          send(ws, { type: 'unsubscribe', topics: rooms, id: `u${id}` });
          await ws.answer(`u${id}`);
        }
      };
      await round(500);
      const warm = rssMiB(pid);
      await round(3000);
      const bytes = await metric(port, 'switchboard_subscribe_cache_bytes');
      const entries = await metric(port, 'switchboard_subscribe_cache_entries');
      const evictions = await metric(port, 'switchboard_subscribe_cache_evictions_total');
      assert.ok(bytes > 0 && bytes <= 65536, `cache bytes ${bytes} within the cap`);
      assert.ok(entries < 100, `${entries} entries`);
      assert.equal(evictions + entries, 3500);
      const grown = rssMiB(pid) - warm;
      assert.ok(grown < 30, `RSS grew ${grown.toFixed(1)} MiB over 3000 more cached rooms`);
      // An evicted decision is asked again.
      const calls = callsTo('/sub/many').length;
      send(ws, { type: 'subscribe', channel: `many:${pad}:0`, id: 'again' });
      assert.equal((await ws.answer('again')).type, 'subscribed');
      assert.equal(callsTo('/sub/many').length, calls + 1);
    }, 90000);

  test('startup: invalid subscribe rules, or subscribe rules without a secret, are refused naming the field', [], async () => {
    const run = (...a) => spawnSync(binary, ['--headless', '--port', '0', '--data-dir', h.dataDir, ...a], { encoding: 'utf8', timeout: 10000 });
    const bad = path.join(h.dataDir, 'bad.hooks.json');
    fs.writeFileSync(bad, JSON.stringify({ subscribe: [{ match: 'chat:*', url: 'http://127.0.0.1:1/', cacheMs: -1 }] }));
    let r = run('--hooks', bad, '--hooks-secret', SECRET);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /subscribe\[0\]\.cacheMs: must be an integer from 0 to 86400000/);
    fs.writeFileSync(bad, JSON.stringify({ subscribe: [{ match: 'chat:*', queue: 'q' }] }));
    r = run('--hooks', bad, '--hooks-secret', SECRET);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /subscribe\[0\]\.queue: unknown field/);
    r = run('--hooks', hooksFile('nosecret', b));
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--hooks-secret must be set/);
  });

  try {
    await runCases('hooks-subscribe', cases, h, filter);
  } finally {
    await b.close();
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
