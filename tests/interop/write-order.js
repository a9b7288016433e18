// Issue 19: an I/O thread's drain runs whatever is queued when it gets to it, one publish (a
// publish that found the thread idle) or hundreds (a burst read in one go), inside one write
// batch. Either way each socket gets its frames in order, acked events keep their per-socket ack
// ids, and a close frame comes behind what was queued before it. One I/O thread, so every
// publish below meets the same drain.
// Usage: node write-order.js <switchboard binary>
'use strict';
const assert = require('node:assert/strict');
const { client, harness, runCases, until } = require('./lib');

const EVENTS = new Set(['lone', 'burst', 'acked', 'last']);
const h = harness(process.argv[2], ['--threads', '1', '--rate-limit', '100000']);

/** @p n native members of room "r", each recording the events it gets and answering acked ones. */
async function members(port, n) {
  const token = h.mint('member', ['--rooms', 'r']);
  const all = Array.from({ length: n }, () => client(`ws://127.0.0.1:${port}/ws?token=${token}`));
  await Promise.all(all.map((c) => c.next('connected')));
  for (const c of all) {
    c.events = [];
    c.errors = [];
    c.on('message', (raw) => {
      const m = JSON.parse(raw.toString());
      if (EVENTS.has(m.type)) { // an event arrives with its name as the type
        c.events.push(m);
        if (m.ack) c.send(JSON.stringify({ type: 'ack', id: m.id }));
      } else if (m.type === 'error') {
        c.errors.push(m);
      }
    });
  }
  return all;
}

/** The publisher: a member of "r" too (emits reach the *other* members). */
async function publisher(port) {
  const p = client(`ws://127.0.0.1:${port}/ws?token=${h.mint('publisher', ['--rooms', 'r'])}`);
  await p.next('connected');
  return p;
}

/** Asserts that @p c got exactly the events of @p event with data.n = 0..count-1, in order. */
function inOrder(c, event, count, who) {
  const ns = c.events.filter((m) => m.type === event).map((m) => m.data.n);
  assert.deepEqual(ns, Array.from({ length: count }, (_, i) => i), `${who}: ${event} out of order or missing`);
}

const cases = [
  {
    // One publish in flight: every drain holds one task.
    name: 'one publish at a time: each member gets every event in order, each emit acked',
    fn: async (port) => {
      const subs = await members(port, 20);
      const pub = await publisher(port);
      for (let n = 0; n < 60; n++) {
        pub.send(JSON.stringify({ type: 'emit', room: 'r', event: 'lone', data: { n }, id: `l${n}` }));
        const ack = await pub.next('ack');
        assert.equal(ack.id, `l${n}`);
        assert.equal(ack.delivered, 20);
        await until(async () => subs.every((c) => c.events.length === n + 1), `event ${n} at every member`);
      }
      subs.forEach((c, i) => inOrder(c, 'lone', 60, `member ${i}`));
    },
  },
  {
    // Many publishes in one read: the drain after it holds them all and writes one batch; acked
    // HTTP emits interleave with them (per-socket ack ids), answered by every member.
    name: 'bursts batched: order per socket kept, acked events answered without unknown_ack',
    fn: async (port) => {
      const subs = await members(port, 100);
      const pub = await publisher(port);
      const burst = Array.from({ length: 300 }, (_, n) => JSON.stringify({ type: 'emit', room: 'r', event: 'burst', data: { n }, id: `b${n}` }));
      const acked = [];
      // Corked: ws's frames leave in one write, so the server reads them in one go and its drain
      // after that read holds all 300 deliveries (a batch).
      pub._socket.cork();
      for (const frame of burst) pub.send(frame);
      pub._socket.uncork();
      const acksDone = (async () => {
        for (let n = 0; n < 300; n++) acked.push((await pub.next('ack', 10000)).id);
      })();
      const http = [];
      for (let n = 0; n < 40; n++) http.push(h.emit(port, { event: 'acked', room: 'r', payload: { n }, ack: true }));
      for (const r of await Promise.all(http)) assert.equal(r.status, 200, JSON.stringify(r.body));
      await acksDone;
      assert.deepEqual(acked, burst.map((_, n) => `b${n}`));
      await until(async () => subs.every((c) => c.events.length >= 340), 'every event at every member', 20000);
      subs.forEach((c, i) => {
        inOrder(c, 'burst', 300, `member ${i}`);
        const ns = c.events.filter((m) => m.type === 'acked').map((m) => m.data.n);
        assert.equal(ns.length, 40, `member ${i}: acked events missing`);
        assert.ok(c.events.filter((m) => m.type === 'acked').every((m) => m.ack === true && typeof m.id === 'string'));
      });
      // Every ack reached a connection that knew the id: no unknown_ack (checked after a round trip).
      for (const c of subs) {
        c.send(JSON.stringify({ type: 'ping', id: 'after' }));
      }
      await Promise.all(subs.map((c) => c.next('pong', 10000)));
      const errors = subs.flatMap((c) => c.errors);
      assert.deepEqual(errors, [], 'acks of delivered events refused');
    },
  },
  {
    // A shutdown's close frame goes behind every delivery queued before it.
    name: 'close frame after the queued events',
    fn: async (port, pid, child) => {
      const subs = await members(port, 100);
      const pub = await publisher(port);
      pub._socket.cork();
      for (let n = 0; n < 300; n++) pub.send(JSON.stringify({ type: 'emit', room: 'r', event: 'last', data: { n }, id: `c${n}` }));
      pub._socket.uncork();
      for (let n = 0; n < 300; n++) assert.equal((await pub.next('ack', 10000)).id, `c${n}`);
      // Every emit was accepted (and its delivery queued) before the shutdown starts.
      const eventsAtClose = subs.map((c) => c.closed.then((close) => ({ close, events: c.events.length })));
      child.kill('SIGTERM');
      const seen = await Promise.all(eventsAtClose);
      seen.forEach(({ close, events }, i) => {
        assert.equal(close.code, 1001, `member ${i}: close ${close.code} ${close.reason}`);
        assert.equal(events, 300, `member ${i}: ${events} of 300 events before the close frame`);
        inOrder(subs[i], 'last', 300, `member ${i}`);
      });
    },
  },
];

runCases('write order', cases, h, process.argv[3] ? new RegExp(process.argv[3]) : null);
