// Interop: the event proxy of issue 14 (docs/hooks.md) on the real binary, with a real back end
// (hookbackend.js: node:http + node:crypto) that verifies every signature. mark_read from a
// native client and a socket.io-client reaches it signed and its reply comes back as the ack; a
// driver's location_update fans out as driver_location_update to the riders' room; timeouts,
// back-end errors, non-2xx, bad and oversized answers; retries of an idempotent event; the
// in-flight cap; routing into a durable queue a worker consumes; tampered, stale and replayed
// requests refused by the verifier; a server with the wrong secret refused; startup errors.
// Usage: node hooks.js /path/to/switchboard [case-filter]
'use strict';
const assert = require('node:assert/strict');
const { spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const { client, harness, runCases, sio, connected, until } = require('./lib');
const { startBackend, metric, assertSigned: signedBy } = require('./hookbackend');

const binary = process.argv[2];
const filter = process.argv[3] ? new RegExp(process.argv[3]) : null;
const h = harness(binary);
const SECRET = 'hooks-interop-secret-0123456789';

/** A hooks file in the data dir: the rules every case uses against back end @p b, plus @p top. */
function hooksFile(name, b, top = {}) {
  const file = path.join(h.dataDir, `${name}.hooks.json`);
  fs.writeFileSync(file, JSON.stringify({
    maxResponseBytes: 4096,
    events: [
      { name: 'notifications', match: 'mark_read', url: `${b.url}/mark_read` },
      { name: 'rides', match: 'location_*', url: `${b.url}/location` },
      { name: 'slow', match: 'slow_*', url: `${b.url}/slow`, timeoutMs: 300 },
      { name: 'refusing', match: 'refuse', url: `${b.url}/error` },
      { name: 'http500', match: 'fail_500', url: `${b.url}/fail` },
      { name: 'badjson', match: 'fail_json', url: `${b.url}/badjson` },
      { name: 'big', match: 'fail_big', url: `${b.url}/big` },
      { name: 'flaky', match: 'flaky', url: `${b.url}/flaky`, idempotent: true, retries: 2, timeoutMs: 2000 },
      { name: 'hold', match: 'hold', url: `${b.url}/hold`, timeoutMs: 20000 },
      { name: 'bookings', match: 'booking_request', queue: 'booking_queue' },
    ],
    ...top,
  }));
  return file;
}

/** Native client of @p user on @p port, once connected: [ws, connected message]. */
async function native(port, user) {
  const ws = client(`ws://127.0.0.1:${port}/ws?token=${h.mint(user)}`);
  const hello = await ws.next('connected');
  return [ws, hello];
}
const send = (ws, msg) => ws.send(JSON.stringify(msg));

async function socket(port, user) {
  const s = sio(port, { auth: { token: h.mint(user) } });
  await connected(s);
  return s;
}
const ack = (s, event, ...args) => s.timeout(5000).emitWithAck(event, ...args);
/** The next @p event on Socket.IO socket @p s (its arguments). */
const onNext = (s, event) => new Promise((resolve) => s.once(event, (...args) => resolve(args)));

/** Asserts that @p call reached the back end as Switchboard signs it (verified again here). */
function assertSigned(call) {
  signedBy(call, SECRET);
  assert.equal(call.headers['x-switchboard-request-id'], call.body.requestId);
}

/** Releasable promise, for a back end that answers when the test says so. */
function gate() {
  let open;
  const p = new Promise((r) => { open = r; });
  p.open = open;
  return p;
}

async function main() {
  const b = await startBackend(SECRET);
  // The notification service: marks read, answers, and tells the user's other devices.
  b.route('/mark_read', (body) => ({ json: {
    reply: { ok: true, read: body.data.notificationId },
    emits: [{ event: 'notification:read', userId: body.userId, payload: { id: body.data.notificationId } }],
  } }));
  // The ride-hailing service: a driver's position goes to the booking's riders.
  b.route('/location', (body) => ({ json: {
    emits: [{ event: 'driver_location_update', room: `booking:${body.data.bookingId}`, except: { connectionId: body.connectionId },
      payload: { driverId: body.userId, lat: body.data.lat, lng: body.data.lng } }],
  } }));
  let slowGate = gate();
  b.route('/slow', () => ({ hold: slowGate, json: { reply: 'too late' } }));
  b.route('/error', () => ({ json: { error: { code: 'not_allowed', message: 'drivers only' } } }));
  b.route('/fail', () => ({ status: 500, json: { oops: true } }));
  b.route('/badjson', () => ({ raw: '<html>not json</html>' }));
  b.route('/big', () => ({ json: { reply: 'x'.repeat(10000) } }));
  const flakyAttempts = new Map();
  b.route('/flaky', (body) => {
    const n = (flakyAttempts.get(body.requestId) || 0) + 1;
    flakyAttempts.set(body.requestId, n);
    return n === 1 ? { status: 503, json: {} } : { json: { reply: { attempt: n } } };
  });
  let holdGate = gate();
  b.route('/hold', (body) => ({ hold: holdGate, json: { reply: body.data } }));

  const args = (name, top, more = []) => ['--hooks', hooksFile(name, b, top), '--hooks-secret', SECRET, ...more];
  const callsTo = (p) => b.calls.filter((c) => c.path === p);
  const cases = [];
  const test = (name, a, fn) => cases.push({ name, args: a, fn });

  test('mark_read from a native client: signed call, reply with the id, emits to the user', args('native'), async (port) => {
    const [ws, hello] = await native(port, 'reader-1');
    const before = callsTo('/mark_read').length;
    send(ws, { type: 'mark_read', id: 'c1', data: { notificationId: 'n9' } });
    const reply = await ws.next('reply');
    assert.deepEqual(reply, { type: 'reply', id: 'c1', event: 'mark_read', data: { ok: true, read: 'n9' } });
    assert.deepEqual((await ws.next('notification:read')).data, { id: 'n9' });
    const call = callsTo('/mark_read')[before];
    assertSigned(call);
    assert.equal(call.body.event, 'mark_read');
    assert.equal(call.body.rule, 'notifications');
    assert.equal(call.body.protocol, 'native');
    assert.equal(call.body.userId, 'reader-1');
    assert.equal(call.body.connectionId, hello.connectionId);
    assert.equal(call.body.claims.sub, 'reader-1');
    assert.equal(call.body.id, 'c1');
    assert.deepEqual(call.body.data, { notificationId: 'n9' });
    assert.equal(await metric(port, 'switchboard_hook_calls_total{rule="notifications"}'), 1);
    assert.equal(await metric(port, 'switchboard_hook_latency_seconds_count{rule="notifications"}'), 1);
    // Types no rule takes keep their behaviour.
    send(ws, { type: 'no_such_type', id: 'u1' });
    const err = await ws.next('error');
    assert.equal(err.code, 'unknown_type');
    assert.equal(err.id, 'u1');
    ws.close();
  });

  test('mark_read from socket.io-client: the reply is the ack; without an ack it still reaches the back end', args('sio'), async (port) => {
    const s = await socket(port, 'reader-2');
    const before = callsTo('/mark_read').length;
    const notified = onNext(s, 'notification:read');
    assert.deepEqual(await ack(s, 'mark_read', { notificationId: 'n7' }), { ok: true, read: 'n7' });
    // (A second argument is the connection-state-recovery offset.)
    assert.deepEqual((await notified)[0], { id: 'n7' });
    const call = callsTo('/mark_read')[before];
    assertSigned(call);
    assert.equal(call.body.protocol, 'socket.io');
    assert.equal(call.body.namespace, '/');
    assert.equal(call.body.userId, 'reader-2');
    assert.match(call.body.connectionId, /^\d+$/);
    assert.equal(call.body.claims.sub, 'reader-2');
    const again = onNext(s, 'notification:read');
    s.emit('mark_read', { notificationId: 'n8' });
    assert.deepEqual((await again)[0], { id: 'n8' });
    assert.deepEqual(callsTo('/mark_read')[before + 1].body.data, { notificationId: 'n8' });
    // Unhooked events keep their behaviour (not a room relay: unknown_event).
    const unknown = await ack(s, 'no_such_event', { x: 1 });
    assert.equal(unknown.error.code, 'unknown_event');
    s.close();
  });

  test('location_update from a driver fans out as driver_location_update to the riders\' room', args('rides'), async (port) => {
    const [rider] = await native(port, 'rider-1');
    send(rider, { type: 'subscribe', channel: 'booking:42' });
    await rider.next('subscribed');
    const sioRider = await socket(port, 'rider-2');
    assert.equal((await ack(sioRider, 'join_room', 'booking:42')).ok, true);
    const [outsider] = await native(port, 'rider-3');
    const [driver] = await native(port, 'driver-1');
    const sioGot = onNext(sioRider, 'driver_location_update');
    send(driver, { type: 'location_update', id: 'l1', data: { bookingId: 42, lat: 52.5, lng: 13.4 } });
    const update = await rider.next('driver_location_update');
    assert.equal(update.room, 'booking:42');
    assert.deepEqual(update.data, { driverId: 'driver-1', lat: 52.5, lng: 13.4 });
    assert.deepEqual((await sioGot)[0], { driverId: 'driver-1', lat: 52.5, lng: 13.4 });
    // No reply data, but the driver asked with an id: a reply with null data.
    assert.deepEqual(await driver.next('reply'), { type: 'reply', id: 'l1', event: 'location_update', data: null });
    // The same pattern takes location_ping too; a client outside the room gets nothing.
    send(driver, { type: 'location_ping', id: 'l2', data: { bookingId: 42, lat: 1, lng: 2 } });
    await driver.next('reply');
    assert.deepEqual((await rider.next('driver_location_update')).data, { driverId: 'driver-1', lat: 1, lng: 2 });
    send(outsider, { type: 'ping' });
    await outsider.next('pong');
    assert.equal(outsider.unread('driver_location_update'), 0);
    assert.equal(driver.unread('driver_location_update'), 0);
  });

  test('timeout: hook_timeout to a native client and as a Socket.IO error ack; counted', args('timeout'), async (port) => {
    const [ws] = await native(port, 'slow-1');
    send(ws, { type: 'slow_thing', id: 's1', data: {} });
    const err = await ws.next('error');
    assert.deepEqual([err.code, err.id], ['hook_timeout', 's1']);
    const s = await socket(port, 'slow-2');
    const answer = await ack(s, 'slow_thing', {});
    assert.deepEqual([answer.ok, answer.error.code], [false, 'hook_timeout']);
    assert.equal(await metric(port, 'switchboard_hook_timeouts_total{rule="slow"}'), 2);
    slowGate.open();
    slowGate = gate();
    await h.healthy(port);
  });

  test('back-end errors: its own error code, HTTP 500, not JSON, an answer over maxResponseBytes', args('errors'), async (port) => {
    const [ws] = await native(port, 'err-1');
    send(ws, { type: 'refuse', id: 'e1', data: {} });
    let err = await ws.next('error');
    assert.deepEqual([err.code, err.message, err.id], ['not_allowed', 'drivers only', 'e1']);
    send(ws, { type: 'fail_500', id: 'e2' });
    err = await ws.next('error');
    assert.deepEqual([err.code, err.id], ['hook_failed', 'e2']);
    assert.match(err.message, /HTTP 500/);
    send(ws, { type: 'fail_json', id: 'e3' });
    err = await ws.next('error');
    assert.deepEqual([err.code, err.id], ['hook_failed', 'e3']);
    assert.match(err.message, /not a JSON object/);
    send(ws, { type: 'fail_big', id: 'e4' });
    err = await ws.next('error');
    assert.deepEqual([err.code, err.id], ['hook_failed', 'e4']);
    assert.match(err.message, /over 4096 bytes/);
    const s = await socket(port, 'err-2');
    const answer = await ack(s, 'refuse', {});
    assert.deepEqual(answer, { ok: false, error: { code: 'not_allowed', message: 'drivers only' } });
    // Without an ack callback the error comes as a switchboard:error event.
    const pushed = onNext(s, 'switchboard:error');
    s.emit('fail_500', {});
    assert.equal((await pushed)[0].code, 'hook_failed');
    assert.equal(await metric(port, 'switchboard_hook_failures_total{rule="http500"}'), 2);
    assert.equal(await metric(port, 'switchboard_hook_failures_total{rule="badjson"}'), 1);
    assert.equal(await metric(port, 'switchboard_hook_failures_total{rule="big"}'), 1);
    assert.equal(await metric(port, 'switchboard_hook_failures_total{rule="refusing"}'), 0);
    await h.healthy(port);
  });

  test('an idempotent event is retried after a 503 with the same requestId and a fresh signature', args('retry'), async (port) => {
    const [ws] = await native(port, 'retry-1');
    const before = callsTo('/flaky').length;
    send(ws, { type: 'flaky', id: 'f1', data: { n: 1 } });
    assert.deepEqual((await ws.next('reply')).data, { attempt: 2 });
    const attempts = callsTo('/flaky').slice(before);
    assert.equal(attempts.length, 2);
    attempts.forEach(assertSigned);
    assert.equal(attempts[0].body.requestId, attempts[1].body.requestId);
    assert.deepEqual(attempts.map((c) => c.headers['x-switchboard-attempt']), ['1', '2']);
    // A non-idempotent event is not retried: one call, one failure.
    const fails = callsTo('/fail').length;
    send(ws, { type: 'fail_500', id: 'f2' });
    assert.equal((await ws.next('error')).code, 'hook_failed');
    assert.equal(callsTo('/fail').length, fails + 1);
  });

  test('in-flight cap: the call over maxInFlight gets hook_busy at once, counted; room again once answered', args('cap', { maxInFlight: 2 }), async (port) => {
    const [ws] = await native(port, 'cap-1');
    const before = callsTo('/hold').length;
    send(ws, { type: 'hold', id: 'h1', data: 1 });
    send(ws, { type: 'hold', id: 'h2', data: 2 });
    await b.waitCalls('/hold', before + 2);
    send(ws, { type: 'hold', id: 'h3', data: 3 });
    const busy = await ws.next('error');
    assert.deepEqual([busy.code, busy.id], ['hook_busy', 'h3']);
    assert.equal(await metric(port, 'switchboard_hook_rejected_total{rule="hold"}'), 1);
    assert.equal(await metric(port, 'switchboard_hook_in_flight'), 2);
    holdGate.open();
    holdGate = gate();
    const replies = [await ws.next('reply'), await ws.next('reply')].map((r) => r.id).sort();
    assert.deepEqual(replies, ['h1', 'h2']);
    holdGate.open(); // answers at once from now on
    send(ws, { type: 'hold', id: 'h4', data: 4 });
    assert.deepEqual(await ws.next('reply'), { type: 'reply', id: 'h4', event: 'hold', data: 4 });
    holdGate = gate();
  });

  test('per-connection cap: a connection over maxInFlightPerConnection gets hook_busy, others still get through', args('percap', { maxInFlightPerConnection: 2 }), async (port) => {
    const [greedy] = await native(port, 'percap-1');
    const [other] = await native(port, 'percap-2');
    const before = callsTo('/hold').length;
    const rejected = await metric(port, 'switchboard_hook_rejected_total{rule="hold"}');
    send(greedy, { type: 'hold', id: 'p1', data: 1 });
    send(greedy, { type: 'hold', id: 'p2', data: 2 });
    await b.waitCalls('/hold', before + 2);
    send(greedy, { type: 'hold', id: 'p3', data: 3 });
    const busy = await greedy.next('error');
    assert.deepEqual([busy.code, busy.id], ['hook_busy', 'p3']);
    assert.match(busy.message, /maxInFlightPerConnection/);
    assert.equal(await metric(port, 'switchboard_hook_rejected_total{rule="hold"}'), rejected + 1);
    // The global cap (64) is far: another connection's call goes through meanwhile.
    send(other, { type: 'hold', id: 'o1', data: 9 });
    await b.waitCalls('/hold', before + 3);
    holdGate.open();
    holdGate = gate();
    const replies = [await greedy.next('reply'), await greedy.next('reply')].map((r) => r.id).sort();
    assert.deepEqual(replies, ['p1', 'p2']);
    assert.equal((await other.next('reply')).id, 'o1');
    holdGate.open();
    send(greedy, { type: 'hold', id: 'p4', data: 4 }); // its slots are back
    assert.equal((await greedy.next('reply')).id, 'p4');
    holdGate = gate();
  });

  test('queue rules: a queue holding maxQueueDepth messages refuses more with hook_busy, counted', args('deep', {
    maxInFlightPerConnection: 100,
    events: [{ name: 'deep', match: 'deep_request', queue: 'deep_queue', maxQueueDepth: 3 }],
  }), async (port) => {
    const [ws] = await native(port, 'deep-1');
    for (let i = 0; i < 6; ++i) send(ws, { type: 'deep_request', id: `d${i}`, data: { i } });
    const replies = [];
    const errors = [];
    for (let i = 0; i < 3; ++i) replies.push(await ws.next('reply'));
    for (let i = 0; i < 3; ++i) errors.push(await ws.next('error'));
    // Enqueues commit one at a time on the queue thread: the first three, in order.
    assert.deepEqual(replies.map((r) => r.id), ['d0', 'd1', 'd2']);
    assert.ok(replies.every((r) => r.data.queued === true));
    assert.deepEqual(errors.map((e) => e.code), ['hook_busy', 'hook_busy', 'hook_busy']);
    assert.match(errors[0].message, /deep_queue holds 3 messages.*maxQueueDepth/);
    assert.equal(await metric(port, 'switchboard_hook_enqueued_total{rule="deep"}'), 3);
    assert.equal(await metric(port, 'switchboard_hook_rejected_total{rule="deep"}'), 3);
    await until(async () => (await h.api(port, 'GET', '/api/queue/stats')).body.queues.find((q) => q.name === 'deep_queue')?.depth === 3,
      'deep_queue to hold 3 messages');
  });

  test('queue rules: enqueues in flight beyond maxInFlight get hook_busy at once (store held by another writer)', args('flood', {
    maxInFlight: 2,
    maxInFlightPerConnection: 100,
    events: [{ name: 'flood', match: 'flood_request', queue: 'flood_queue' }],
  }), async (port) => {
    const [ws] = await native(port, 'flood-1');
    // Make the queue store exist, then hold its write lock from a sqlite3 process: enqueues
    // wait on the queue thread (busy_timeout) and stay in flight.
    send(ws, { type: 'flood_request', id: 'f0', data: 0 });
    assert.equal((await ws.next('reply')).id, 'f0');
    const locker = spawn('sqlite3', [path.join(h.dataDir, 'queues.db')], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    locker.stdout.on('data', (d) => { out += d; });
    try {
      locker.stdin.write("BEGIN IMMEDIATE;\nSELECT 'locked';\n");
      await until(() => out.includes('locked'), 'sqlite3 to hold the write lock');
      for (let i = 1; i <= 5; ++i) send(ws, { type: 'flood_request', id: `f${i}`, data: i });
      const errors = [];
      for (let i = 0; i < 3; ++i) errors.push(await ws.next('error'));
      assert.deepEqual(errors.map((e) => [e.code, e.id]), [['hook_busy', 'f3'], ['hook_busy', 'f4'], ['hook_busy', 'f5']]);
      assert.match(errors[0].message, /maxInFlight 2/);
      assert.equal(await metric(port, 'switchboard_hook_enqueues_in_flight'), 2);
      assert.equal(await metric(port, 'switchboard_hook_rejected_total{rule="flood"}'), 3);
    } finally {
      locker.stdin.end('COMMIT;\n');
    }
    const replies = [await ws.next('reply'), await ws.next('reply')].map((r) => r.id);
    assert.deepEqual(replies, ['f1', 'f2']);
    assert.equal(await metric(port, 'switchboard_hook_enqueued_total{rule="flood"}'), 3);
    assert.equal(await metric(port, 'switchboard_hook_enqueues_in_flight'), 0);
  });

  test('an answer for a client that has gone is dropped (its emits still made); SIGTERM answers calls in flight "unavailable" and exits 0', args('gone'), async (port, pid, child) => {
    const [watcher] = await native(port, 'gone-watch');
    send(watcher, { type: 'subscribe', channel: 'booking:7' });
    await watcher.next('subscribed');
    const [leaver] = await native(port, 'gone-1');
    const before = callsTo('/location').length;
    let release;
    const held = new Promise((r) => { release = r; });
    b.route('/location', async (body) => {
      await held;
      return { json: { reply: 'late', emits: [{ event: 'driver_location_update', room: `booking:${body.data.bookingId}`, payload: { late: true } }] } };
    });
    send(leaver, { type: 'location_update', id: 'g1', data: { bookingId: 7 } });
    await b.waitCalls('/location', before + 1);
    leaver.terminate();
    await leaver.closed;
    release();
    assert.deepEqual((await watcher.next('driver_location_update')).data, { late: true });
    await h.healthy(port);
    // A call in flight at SIGTERM: answered "unavailable" before the close, and the exit is clean.
    const [stayer] = await native(port, 'gone-2');
    const holds = callsTo('/hold').length;
    send(stayer, { type: 'hold', id: 't1', data: 1 });
    await b.waitCalls('/hold', holds + 1);
    const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
    child.kill('SIGTERM');
    const err = await stayer.next('error');
    assert.deepEqual([err.code, err.id], ['unavailable', 't1']);
    assert.equal((await stayer.closed).code, 1001);
    assert.deepEqual(await exited, { code: 0, signal: null });
  });

  test('queue routing: booking_request goes into a durable queue that a worker consumes', args('queue', {}, ['--client-queues', 'booking_queue']), async (port) => {
    const [worker] = await native(port, 'worker-1');
    send(worker, { type: 'consume', queue: 'booking_queue' });
    await worker.next('consuming');
    const [rider] = await native(port, 'booker-1');
    send(rider, { type: 'booking_request', id: 'b1', data: { pickup: 'A', dropoff: 'B' } });
    const reply = await rider.next('reply');
    assert.equal(reply.id, 'b1');
    assert.deepEqual([reply.data.queued, reply.data.queue], [true, 'booking_queue']);
    const job = await worker.next('job');
    assert.equal(job.queue, 'booking_queue');
    assert.equal(job.id, reply.data.jobId);
    assert.equal(job.data.event, 'booking_request');
    assert.equal(job.data.userId, 'booker-1');
    assert.deepEqual(job.data.data, { pickup: 'A', dropoff: 'B' });
    send(worker, { type: 'ack', id: job.id });
    const s = await socket(port, 'booker-2');
    const queued = await ack(s, 'booking_request', { pickup: 'C' });
    assert.equal(queued.queued, true);
    const job2 = await worker.next('job');
    assert.deepEqual([job2.data.protocol, job2.data.userId, job2.data.data.pickup], ['socket.io', 'booker-2', 'C']);
    send(worker, { type: 'ack', id: job2.id });
    assert.equal(await metric(port, 'switchboard_hook_calls_total{rule="bookings"}'), 2);
  });

  test('the verifier refuses tampered, stale and replayed requests, and accepts a hand-made good one', args('verify'), async (port) => {
    const [ws] = await native(port, 'verify-1');
    const before = callsTo('/mark_read').length;
    send(ws, { type: 'mark_read', id: 'v1', data: { notificationId: 'n1' } });
    await ws.next('reply');
    const real = callsTo('/mark_read')[before];
    const post = async (headers, body) => {
      const res = await fetch(`${b.url}/mark_read`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      return { status: res.status, body: await res.json() };
    };
    const sig = (ts, body) => 'v1=' + crypto.createHmac('sha256', SECRET).update(`${ts}.${body}`).digest('hex');
    const pick = (hdrs) => ({ 'x-switchboard-timestamp': hdrs['x-switchboard-timestamp'], 'x-switchboard-signature': hdrs['x-switchboard-signature'] });
    // Replayed: Switchboard's own request, byte for byte, a second time.
    let r = await post(pick(real.headers), real.raw);
    assert.deepEqual([r.status, r.body.error.code], [409, 'replayed']);
    // Tampered: the same signature over a body with another user.
    const forged = JSON.stringify({ ...real.body, requestId: crypto.randomUUID(), userId: 'someone-else' });
    r = await post(pick(real.headers), forged);
    assert.deepEqual([r.status, r.body.error.code], [401, 'bad_signature']);
    // Stale: correctly signed, ten minutes old.
    const fresh = JSON.stringify({ ...real.body, requestId: crypto.randomUUID() });
    const old = Math.floor(Date.now() / 1000) - 600;
    r = await post({ 'x-switchboard-timestamp': String(old), 'x-switchboard-signature': sig(old, fresh) }, fresh);
    assert.deepEqual([r.status, r.body.error.code], [401, 'stale_timestamp']);
    // Unsigned.
    r = await post({}, fresh);
    assert.deepEqual([r.status, r.body.error.code], [401, 'missing_signature']);
    // The same body signed now is accepted: the scheme, not the fixture, made the difference.
    const now = Math.floor(Date.now() / 1000);
    r = await post({ 'x-switchboard-timestamp': String(now), 'x-switchboard-signature': sig(now, fresh) }, fresh);
    assert.equal(r.status, 200);
    assert.equal(r.body.reply.read, 'n1');
  });

  test('a server with another secret is refused by the back end: the client gets hook_failed', ['--hooks', hooksFile('wrong', b), '--hooks-secret', 'not-the-back-ends-secret'], async (port) => {
    const refusedBefore = b.refused.length;
    const [ws] = await native(port, 'wrong-1');
    send(ws, { type: 'mark_read', id: 'w1', data: { notificationId: 'n1' } });
    const err = await ws.next('error');
    assert.deepEqual([err.code, err.id], ['hook_failed', 'w1']);
    assert.match(err.message, /HTTP 401/);
    assert.deepEqual(b.refused.slice(refusedBefore), [{ path: '/mark_read', reason: 'bad_signature' }]);
  });

  test('startup: an invalid hooks file or a missing secret is refused naming the field', [], async () => {
    const run = (...a) => spawnSync(binary, ['--headless', '--port', '0', '--data-dir', h.dataDir, ...a], { encoding: 'utf8', timeout: 10000 });
    const bad = path.join(h.dataDir, 'bad.hooks.json');
    fs.writeFileSync(bad, JSON.stringify({ events: [{ match: 'a', url: 'http://127.0.0.1:1/', timeoutMs: 0 }] }));
    let r = run('--hooks', bad, '--hooks-secret', SECRET);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /events\[0\]\.timeoutMs: must be an integer from 1 to 60000/);
    r = run('--hooks', hooksFile('nosecret', b));
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--hooks-secret must be set/);
  });

  try {
    await runCases('hooks', cases, h, filter);
  } finally {
    await b.close();
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
