// Interop: the lifecycle webhooks of issue 14 (docs/hooks.md, "Lifecycle webhooks") on the real
// binary, with the real back end of the event proxy (hookbackend.js: node:http + node:crypto)
// verifying every signature. Connect, join, leave and disconnect (code, reason) of a native and
// a socket.io-client connection arrive in order, signed, batched; a queue message that used up
// its attempts arrives as dead_letter; a batch the back end fails with 500 is sent again with the
// same batch id until it is accepted; a back end that hangs fills a tiny queue whose drops are
// counted while clients still get their emits; invalid options are refused at startup.
// Usage: node webhooks.js /path/to/switchboard [case-filter]
'use strict';
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');

const { client, harness, runCases, sio, connected, until } = require('./lib');
const { startBackend, metric, assertSigned: signedBy } = require('./hookbackend');

const binary = process.argv[2];
const filter = process.argv[3] ? new RegExp(process.argv[3]) : null;
const h = harness(binary);
const SECRET = 'webhooks-interop-secret-0123456789';

async function native(port, user) {
  const ws = client(`ws://127.0.0.1:${port}/ws?token=${h.mint(user)}`);
  const hello = await ws.next('connected');
  return [ws, hello];
}
const send = (ws, msg) => ws.send(JSON.stringify(msg));

function assertSigned(call) {
  signedBy(call, SECRET);
  assert.equal(call.headers['x-switchboard-request-id'], call.body.batchId);
  assert.equal(call.body.requestId, call.body.batchId);
}

function gate() {
  let open;
  const p = new Promise((r) => { open = r; });
  p.open = open;
  return p;
}

async function main() {
  const b = await startBackend(SECRET);
  const callsTo = (p) => b.calls.filter((c) => c.path === p);
  /** Events of the accepted batches POSTed to @p p, in the order they arrived. */
  const accepted = new Map();
  const eventsAt = (p) => (accepted.get(p) || []).flatMap((c) => c.body.events);
  const accept = (p) => (body) => {
    const call = b.calls.filter((c) => c.path === p && c.body.batchId === body.batchId).at(-1);
    if (!accepted.has(p)) accepted.set(p, []);
    accepted.get(p).push(call);
    return { json: {} };
  };
  b.route('/events', accept('/events'));
  let failing = null; // the first batch: answered 500 three times
  let failed = 0;
  b.route('/flaky', (body) => {
    failing = failing || body.batchId;
    if (body.batchId === failing && failed < 3) { ++failed; return { status: 500, json: {} }; }
    return accept('/flaky')(body);
  });
  let hang = gate();
  b.route('/hang', () => ({ hold: hang, json: {} }));

  const cases = [];
  const test = (name, args, fn, timeoutMs) => cases.push({ name, args, fn, timeoutMs });
  const args = (p, more = []) => ['--webhook-url', `${b.url}${p}`, '--hooks-secret', SECRET, ...more];

  test('delivered: native and Socket.IO lifecycles in order, signed and batched; a dead letter', args('/events', ['--webhook-batch-interval', '50']), async (port) => {
    // Native: connect, join, leave, close with a code and a reason of its own.
    const [ws, hello] = await native(port, 'wh-native');
    send(ws, { type: 'subscribe', channel: 'chat:wh' });
    await ws.next('subscribed');
    send(ws, { type: 'unsubscribe', channel: 'chat:wh' });
    await ws.next('unsubscribed');
    ws.close(4000, 'bye now');
    await ws.closed;
    const mine = (user) => eventsAt('/events').filter((e) => e.userId === user);
    await until(() => mine('wh-native').some((e) => e.type === 'disconnect'), 'the native disconnect');
    const n = mine('wh-native');
    assert.deepEqual(n.map((e) => e.type), ['connect', 'join', 'leave', 'disconnect']);
    for (const e of n) {
      assert.equal(e.connectionId, String(hello.connectionId));
      assert.equal(e.protocol, 'native');
      assert.equal(typeof e.at, 'number');
    }
    assert.match(n[0].address, /127\.0\.0\.1/);
    assert.ok(n[0].rooms.includes('user:wh-native'));
    assert.deepEqual([n[1].room, n[2].room], ['chat:wh', 'chat:wh']);
    assert.deepEqual([n[3].code, n[3].reason], [4000, 'bye now']);

    // Socket.IO: the same through join_room / leave_room and a client disconnect.
    const s = sio(port, { auth: { token: h.mint('wh-sio') } });
    await connected(s);
    assert.equal((await s.timeout(5000).emitWithAck('join_room', 'chat:wh')).ok, true);
    assert.equal((await s.timeout(5000).emitWithAck('leave_room', 'chat:wh')).ok, true);
    s.disconnect();
    await until(() => mine('wh-sio').some((e) => e.type === 'disconnect'), 'the Socket.IO disconnect');
    const m = mine('wh-sio');
    assert.deepEqual(m.map((e) => e.type), ['connect', 'join', 'leave', 'disconnect']);
    assert.ok(m.every((e) => e.protocol === 'socket.io'));
    assert.deepEqual([m[1].room, m[2].room], ['chat:wh', 'chat:wh']);
    assert.equal(typeof m[3].code, 'number');
    assert.match(m[3].reason, /socket\.io/);

    // A queue message with one attempt, failed by its worker: dead-lettered.
    const enq = await h.api(port, 'POST', '/api/queues/wh_jobs/messages', { payload: { n: 1 }, maxAttempts: 1 });
    assert.equal(enq.status, 202);
    const [worker] = await native(port, 'wh-worker');
    send(worker, { type: 'consume', queue: 'wh_jobs' });
    const job = await worker.next('job');
    assert.equal(String(job.id), String(enq.body.id));
    send(worker, { type: 'nack', id: job.id, error: 'boom' });
    const dead = await until(() => eventsAt('/events').find((e) => e.type === 'dead_letter'), 'the dead letter');
    assert.deepEqual([dead.queue, dead.messageId, dead.attempts, dead.error], ['wh_jobs', String(enq.body.id), 1, 'boom']);

    // Every batch signed; the stream in order (seq rises by one, batch after batch).
    const seqs = eventsAt('/events').map((e) => e.seq);
    assert.deepEqual(seqs, seqs.map((_, i) => seqs[0] + i));
    for (const call of accepted.get('/events')) assertSigned(call);
    assert.ok(accepted.get('/events').every((c) => c.body.events.length >= 1 && c.body.events.length <= 100));
    assert.equal(await metric(port, 'switchboard_webhook_delivered_events_total'), eventsAt('/events').length);
    assert.equal(await metric(port, 'switchboard_webhook_dropped_total{reason="queue_full"}'), 0);
  });

  test('retried: a batch the back end fails with 500 is sent again with the same id until accepted', args('/flaky', ['--webhook-batch-interval', '20']), async (port) => {
    const [ws] = await native(port, 'wh-retry');
    await until(() => eventsAt('/flaky').some((e) => e.userId === 'wh-retry' && e.type === 'connect'), 'the connect, after the 500s');
    const first = accepted.get('/flaky')[0];
    const attempts = callsTo('/flaky').filter((c) => c.body.batchId === first.body.batchId);
    assert.equal(attempts.length, 4, 'three 500s, then accepted');
    assert.deepEqual(attempts.map((c) => c.headers['x-switchboard-attempt']), ['1', '2', '3', '4']);
    assert.ok(attempts.every((c) => c.raw.equals(first.raw)), 'the same body every time');
    for (const c of attempts) assertSigned(c);
    assert.equal(await metric(port, 'switchboard_webhook_failed_attempts_total'), 3);
    // Later events keep flowing once it recovered.
    send(ws, { type: 'subscribe', channel: 'after:retry' });
    await until(() => eventsAt('/flaky').some((e) => e.type === 'join' && e.room === 'after:retry'), 'the later join');
    assert.equal(eventsAt('/flaky').filter((e) => e.type === 'connect' && e.userId === 'wh-retry').length, 1);
  });

  test('a hanging back end: a tiny queue drops and counts, and sockets still get their emits', args('/hang', [
    '--webhook-queue-max', '5', '--webhook-batch-size', '2', '--webhook-batch-interval', '20', '--webhook-timeout', '60000']), async (port) => {
    const [a] = await native(port, 'wh-fast-a');
    const [bws] = await native(port, 'wh-fast-b');
    for (const ws of [a, bws]) { send(ws, { type: 'subscribe', channel: 'fast' }); await ws.next('subscribed'); }
    await b.waitCalls('/hang', 1); // the first batch is stuck at the back end
    // Connections come and go: more events than the queue holds.
    for (let i = 0; i < 8; ++i) {
      const [ws] = await native(port, `wh-churn-${i}`);
      ws.close(1000, 'done');
      await ws.closed;
    }
    await until(async () => (await metric(port, 'switchboard_webhook_dropped_total{reason="queue_full"}')) > 0, 'counted drops');
    assert.ok((await metric(port, 'switchboard_webhook_queue_depth')) <= 5);
    // The sockets are not held up by the webhooks: an emit round trip and a Socket.IO ack work.
    send(a, { type: 'emit', room: 'fast', event: 'typing', data: { x: 1 }, id: 'e1' });
    const acked = await a.next('ack');
    assert.deepEqual([acked.id, acked.delivered], ['e1', 1]);
    const got = await bws.next('typing');
    assert.deepEqual([got.room, got.from, got.data], ['fast', 'wh-fast-a', { x: 1 }]);
    const s = sio(port, { auth: { token: h.mint('wh-fast-sio') } });
    await connected(s);
    assert.equal((await s.timeout(5000).emitWithAck('join_room', 'fast')).ok, true);
    s.disconnect();
    assert.equal(callsTo('/hang').length, 1, 'one batch in flight at a time');
    hang.open();
    hang = gate();
  });

  test('shutdown: queued events, the 1001 disconnects of the shutdown among them, are flushed before exit', args('/events', ['--webhook-batch-interval', '60000']), async (port, pid, child) => {
    const [ws] = await native(port, 'wh-flush');
    send(ws, { type: 'subscribe', channel: 'flush:1' });
    await ws.next('subscribed');
    const before = eventsAt('/events').length;
    const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
    child.kill('SIGTERM');
    assert.equal((await ws.closed).code, 1001);
    assert.deepEqual(await exited, { code: 0, signal: null });
    const mine = eventsAt('/events').slice(before).filter((e) => e.userId === 'wh-flush');
    assert.deepEqual(mine.map((e) => e.type), ['connect', 'join', 'disconnect']);
    assert.equal(mine[2].code, 1001);
  });

  test('shutdown: a hanging back end does not hold the exit beyond --webhook-flush-timeout', args('/hang', ['--webhook-batch-interval', '20', '--webhook-flush-timeout', '300', '--webhook-timeout', '60000']), async (port, pid, child) => {
    const hangs = callsTo('/hang').length;
    await native(port, 'wh-stuck');
    await b.waitCalls('/hang', hangs + 1);
    const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
    child.kill('SIGTERM');
    assert.deepEqual(await exited, { code: 0, signal: null });
    assert.match(child.stderrLog(), /events not delivered within 300 ms of the shutdown; dropped/);
  });

  test('startup: invalid webhook options are refused naming the option', [], async () => {
    const run = (...a) => spawnSync(binary, ['--headless', '--port', '0', '--data-dir', h.dataDir, ...a], { encoding: 'utf8', timeout: 10000 });
    const refused = [
      [['--webhook-url', 'ftp://example.com/x', '--hooks-secret', SECRET], /webhook-url/],
      [['--webhook-url', 'http://127.0.0.1:1/x'], /--hooks-secret/],
      [['--webhook-url', 'http://127.0.0.1:1/x', '--hooks-secret', SECRET, '--webhook-events', 'connect,bogus'], /webhook-events: "bogus"/],
      [['--webhook-url', 'http://127.0.0.1:1/x', '--hooks-secret', SECRET, '--webhook-batch-size', '0'], /webhook-batch-size/],
      [['--webhook-url', 'http://127.0.0.1:1/x', '--hooks-secret', SECRET, '--webhook-queue-max', 'lots'], /webhook-queue-max/],
    ];
    for (const [a, why] of refused) {
      const r = run(...a);
      assert.equal(r.status, 2, `${a.join(' ')} is refused`);
      assert.match(r.stderr, why);
    }
  });

  try {
    await runCases('webhooks', cases, h, filter);
  } finally {
    hang.open();
    await b.close();
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
