// Interop: the budgets of Socket.IO connection state recovery (issue 12, finding 5), against
// the real binary, each case on its own server:
//  - with no Socket.IO client nothing is recorded: 150 emits of 0.9 MiB leave RSS growth
//    under GROWTH_BOUND_MIB;
//  - with a Socket.IO client present, the log is bounded by --socketio-recovery-max-bytes;
//  - a saved session is taken by the first socket that recovers it;
//  - a recovering socket that does not read is dropped as a slow consumer during the replay.
// Usage: node sio-recovery-budget.js /path/to/switchboard [case-name-filter-regex]
'use strict';
const assert = require('node:assert/strict');

const { harness, internalKey, rssMiB, within, until, runCases, sio, connected } = require('./lib');

const h = harness(process.argv[2]);
const { api, mint, healthy } = h;
const filter = process.argv[3] ? new RegExp(process.argv[3]) : null;

// RSS growth allowed over a run of big emits: allocator slack and the transient copies of a
// few emits in flight. The unbounded log of the old code grew by about 3 MiB per emit.
const GROWTH_BOUND_MIB = 96;
const BIG = 'x'.repeat(900 * 1024);

/** POST /api/v1/internal/emit with a body already serialised (big payloads are built once). */
async function emitRaw(port, json) {
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/internal/emit`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-internal-key': internalKey }, body: json,
  });
  const body = await res.text();
  assert.equal(res.status, 200, `emit: ${res.status} ${body.slice(0, 200)}`);
  return JSON.parse(body);
}

async function bigEmits(port, room, count) {
  const json = JSON.stringify({ event: 'big', room, payload: BIG });
  for (let i = 0; i < count; ++i) await emitRaw(port, json);
}

/** A raw Engine.IO long-polling session: the test decides when (and whether) it polls. */
async function eioPolling(port) {
  const base = `http://127.0.0.1:${port}/socket.io/?EIO=4&transport=polling`;
  const open = await (await fetch(base)).text();
  assert.equal(open[0], '0', `open packet: ${open}`);
  const { sid } = JSON.parse(open.slice(1));
  const url = `${base}&sid=${sid}`;
  const req = async (init) => { const r = await fetch(url, init); return { status: r.status, body: await r.text() }; };
  return {
    sid,
    post: (...packets) => req({ method: 'POST', body: packets.join('\x1e') }),
    get: () => req({}),
  };
}

const cases = [];
// The two cases of 150 emits of 0.9 MiB parse 135 MB of JSON: about 25 s under ASan on a
// loaded 2-core box, so they get a longer bound than the other cases.
const test = (name, args, fn, timeoutMs) => cases.push({ name, args, fn, timeoutMs });

test('no Socket.IO client: room emits are not recorded, RSS stays bounded', [], async (port, pid) => {
  await bigEmits(port, 'nobody', 3); // warm-up: allocator arenas, HTTP buffers
  const before = rssMiB(pid);
  await bigEmits(port, 'nobody', 150);
  const growth = rssMiB(pid) - before;
  console.log(`  RSS growth after 150 emits of 0.9 MiB, no Socket.IO client: ${growth.toFixed(1)} MiB`);
  assert.ok(growth < GROWTH_BOUND_MIB, `RSS grew ${growth.toFixed(1)} MiB (bound ${GROWTH_BOUND_MIB} MiB)`);
  await healthy(port);
}, 120000);

test('Socket.IO client present: the log stays within --socketio-recovery-max-bytes', ['--socketio-recovery-max-bytes', String(16 << 20)],
  async (port, pid) => {
    const s = sio(port, { auth: { token: mint('budget-present') } });
    try {
      await connected(s);
      await bigEmits(port, 'elsewhere', 3);
      const before = rssMiB(pid);
      await bigEmits(port, 'elsewhere', 150);
      const growth = rssMiB(pid) - before;
      console.log(`  RSS growth after 150 emits of 0.9 MiB, cap 16 MiB: ${growth.toFixed(1)} MiB`);
      assert.ok(growth < 16 + GROWTH_BOUND_MIB, `RSS grew ${growth.toFixed(1)} MiB (bound: 16 MiB cap + ${GROWTH_BOUND_MIB} MiB)`);
      // The socket is still served.
      const got = new Promise((resolve) => s.once('after', resolve));
      await emitRaw(port, JSON.stringify({ event: 'after', userId: 'budget-present', payload: 1 }));
      assert.equal(await within(got, 5000, '"after"'), 1);
      await healthy(port);
    } finally {
      s.disconnect();
    }
  }, 120000);

test('a saved session is recovered once: only the first socket gets socket.recovered', [], async (port) => {
  const user = 'budget-once';
  const a = sio(port, { auth: { token: mint(user) } });
  await connected(a);
  assert.deepEqual(await a.timeout(5000).emitWithAck('join_room', 'once:1'), { ok: true, room: 'once:1' });
  const first = new Promise((resolve) => a.once('tick', resolve));
  await emitRaw(port, JSON.stringify({ event: 'tick', room: 'once:1', payload: 0 }));
  await within(first, 5000, 'the first tick');
  const pid = a._pid;
  const offset = a._lastOffset;
  assert.ok(pid && offset, `the client has a pid (${pid}) and an offset (${offset})`);
  const gone = new Promise((resolve) => a.once('disconnect', resolve));
  a.io.engine.close(); // a transport failure: the state is saved
  await gone;
  await until(async () => !(await api(port, 'GET', `/user-status/${user}`)).body.online, `${user} offline`);
  await emitRaw(port, JSON.stringify({ event: 'tick', room: 'once:1', payload: 1 }));

  // Two new sockets present the same pid and offset, one after the other.
  const recovering = () => {
    const s = sio(port, { auth: { token: mint(user) }, autoConnect: false });
    s._pid = pid;
    s._lastOffset = offset;
    const ticks = [];
    s.on('tick', (n) => ticks.push(n));
    s.ticks = ticks;
    s.connect();
    return s;
  };
  const b = recovering();
  await connected(b);
  const c = recovering();
  await connected(c);
  try {
    assert.equal(b.recovered, true, 'the first socket with the pid recovers it');
    assert.equal(c.recovered, false, 'a second socket with the same pid must not recover it again');
    await until(() => b.ticks.length >= 1, 'the missed tick on the recovered socket');
    assert.deepEqual(b.ticks, [1]);
    // Positive control for c: a live tick reaches c (it is in no room but its user room).
    const control = new Promise((resolve) => c.once('control', resolve));
    await emitRaw(port, JSON.stringify({ event: 'control', userId: user, payload: 2 }));
    await within(control, 5000, 'the control on the second socket');
    assert.deepEqual(c.ticks, [], 'the second socket got a replay');
  } finally {
    b.disconnect();
    c.disconnect();
  }
});

test('replay to a recovering socket that does not read: dropped as a slow consumer', ['--max-pending-bytes', String(1 << 20)],
  async (port, pid) => {
    const user = 'budget-slow';
    const token = mint(user);
    const a = await eioPolling(port);
    await a.post('40' + JSON.stringify({ token }));
    const connect = await a.get();
    assert.match(connect.body, /^40\{/, `CONNECT reply: ${connect.body}`);
    const session = JSON.parse(connect.body.slice(2));
    await a.post('420["join_room","slow:1"]');
    assert.match((await a.get()).body, /^430\[\{"ok":true/);
    await emitRaw(port, JSON.stringify({ event: 'tick', room: 'slow:1', payload: 0 }));
    const tick = JSON.parse((await a.get()).body.slice(2));
    const offset = tick[2];
    assert.equal(typeof offset, 'string', `the event carries its offset: ${JSON.stringify(tick)}`);
    await a.post('1'); // Engine.IO close: the transport went, the state is saved
    await until(async () => !(await api(port, 'GET', `/user-status/${user}`)).body.online, `${user} offline`);

    // 5 MiB it missed (within the recovery log's 64 MiB), five times the outbound budget.
    const json = JSON.stringify({ event: 'tick', room: 'slow:1', payload: 'y'.repeat(256 << 10) });
    for (let i = 0; i < 20; ++i) await emitRaw(port, json);
    const slowBefore = (await api(port, 'GET', '/api/metrics')).body.slowConsumers;
    const before = rssMiB(pid);

    // It comes back with its pid and offset, and never polls.
    const b = await eioPolling(port);
    await b.post('40' + JSON.stringify({ token, pid: session.pid, offset }));
    await until(async () => (await api(port, 'GET', '/api/metrics')).body.slowConsumers > slowBefore,
      'slowConsumers to count the recovering socket');
    const after = await b.get();
    assert.ok(after.status === 400 || /(^|\x1e)41/.test(after.body) || after.body.endsWith('1'),
      `the session of the slow socket ended: ${after.status} ${after.body.slice(0, 100)}`);
    const growth = rssMiB(pid) - before;
    assert.ok(growth < GROWTH_BOUND_MIB, `RSS grew ${growth.toFixed(1)} MiB during the replay`);
    await healthy(port);
  });

runCases('socket.io recovery budgets', cases, h, filter);
