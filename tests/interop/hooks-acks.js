// Issue 14 (docs/hooks.md) on the real binary, single node: acks back to the emitter
// ("waitMs") from a native client and a socket.io-client, a silent one timed out, and the caps;
// presence events (snapshot, join/leave per user, refused pattern, subscription cap), native
// and Socket.IO; the audit trail (--log-connections text and json, GET /api/events).
// Usage: node hooks-acks.js <switchboard binary> [case-name-regex]
'use strict';
const assert = require('node:assert/strict');
const { client, harness, runCases, sio, connected, until, within } = require('./lib');

const h = harness(process.argv[2], ['--rate-limit', '100000']);

/** A native client of @p user, connected; answers acked "hello" events with @p reply (unless null). */
async function native(port, user, reply) {
  const c = client(`ws://127.0.0.1:${port}/ws?token=${h.mint(user)}`);
  c.on('message', (raw) => {
    const m = JSON.parse(raw.toString());
    if (reply !== null && reply !== undefined && m.type === 'hello' && m.ack) c.send(JSON.stringify({ type: 'ack', id: m.id, data: reply }));
  });
  await c.next('connected');
  return c;
}

async function join(c, room) {
  c.send(JSON.stringify({ type: 'subscribe', channel: room }));
  assert.equal((await c.next('subscribed')).channel, room);
}

/** Emits on @p s and resolves to its ack's first argument. */
function ask(s, event, ...args) {
  return within(new Promise((resolve) => s.emit(event, ...args, resolve)), 5000, `ack of ${event}`);
}

/** A socket.io-client of @p user, connected. */
async function sioClient(port, user) {
  const s = sio(port, { auth: { token: h.mint(user) } });
  await connected(s);
  return s;
}

const byUser = (list) => Object.fromEntries(list.map((e) => [e.userId, e]));

const cases = [
  {
    name: 'acks: a native and a Socket.IO client answer with data, a silent one times out',
    args: [],
    fn: async (port) => {
      const a = await native(port, 'ack-native', { from: 'native', n: 1 });
      const silent = await native(port, 'ack-silent', null);
      const s = await sioClient(port, 'ack-sio');
      s.on('hello', (data, cb) => cb({ from: 'sio', got: data.x }));
      await join(a, 'team:1');
      await join(silent, 'team:1');
      assert.deepEqual(await ask(s, 'join_room', 'team:1'), { ok: true, room: 'team:1' });

      const started = Date.now();
      const r = await h.emit(port, { event: 'hello', room: 'team:1', payload: { x: 7 }, ack: true, waitMs: 1500 });
      const elapsed = Date.now() - started;
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.delivered, 3);
      assert.equal(r.body.complete, false);
      assert.ok(elapsed >= 1400, `answered after ${elapsed} ms, before waitMs`);
      const acks = byUser(r.body.acks);
      assert.equal(r.body.acks.length, 2, JSON.stringify(r.body.acks));
      assert.deepEqual(acks['ack-native'].data, { from: 'native', n: 1 });
      assert.equal(acks['ack-native'].ok, true);
      assert.deepEqual(acks['ack-sio'].data, { from: 'sio', got: 7 });
      assert.equal(acks['ack-sio'].ok, true);
      assert.deepEqual(r.body.timedOut.map((t) => t.userId), ['ack-silent']);
      assert.match(r.body.timedOut[0].connectionId, /^\d+$/);

      // Everyone answers: the emitter hears back as soon as the last ack is in.
      silent.close();
      await until(async () => (await h.api(port, 'GET', '/api/rooms/team:1')).body.count === 2, 'the silent client to go');
      const quick = Date.now();
      const all = await h.emit(port, { event: 'hello', room: 'team:1', payload: { x: 8 }, ack: true, waitMs: 20000 });
      assert.equal(all.status, 200);
      assert.ok(Date.now() - quick < 10000, 'a complete wait ends before waitMs');
      assert.equal(all.body.complete, true);
      assert.equal(all.body.acks.length, 2);
      assert.deepEqual(all.body.timedOut, []);

      // A nack is reported with its error.
      s.off('hello');
      s.on('hello', (data, cb) => cb({ error: 'not today' }));
      const nack = await h.emit(port, { event: 'hello', room: 'team:1', payload: {}, ack: true, waitMs: 5000 });
      const sioNack = byUser(nack.body.acks)['ack-sio'];
      assert.equal(sioNack.ok, false);
      assert.equal(sioNack.error, 'not today');
      s.close();
      a.close();
      await h.healthy(port);
    },
  },
  {
    name: 'acks: a native client cannot answer an emit it was not sent (forged ack)',
    args: [],
    fn: async (port) => {
      const alice = await native(port, 'forge-alice', null);
      const mallory = await native(port, 'forge-mallory', null);
      await join(alice, 'room:a');
      const pending = h.emit(port, { event: 'hello', room: 'room:a', payload: {}, ack: true, waitMs: 3000, id: 'e1' });
      assert.equal((await alice.next('hello')).id, 'e1');
      // Mallory, in no room, answers e1 anyway (ack and nack): refused, not counted.
      mallory.send(JSON.stringify({ type: 'ack', id: 'e1', data: 'forged' }));
      const refused = await mallory.next('error');
      assert.equal(refused.code, 'unknown_ack');
      assert.equal(refused.id, 'e1');
      mallory.send(JSON.stringify({ type: 'nack', id: 'e1', error: 'forged' }));
      assert.equal((await mallory.next('error')).code, 'unknown_ack');
      alice.send(JSON.stringify({ type: 'ack', id: 'e1', data: 'real' }));
      const r = await pending;
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(r.body.acks.map((a) => [a.userId, a.data]), [['forge-alice', 'real']], JSON.stringify(r.body));
      assert.deepEqual(r.body.timedOut, []);
      assert.equal(r.body.complete, true);
      // Alice's second answer to the same event is refused too.
      alice.send(JSON.stringify({ type: 'ack', id: 'e1', data: 'again' }));
      assert.equal((await alice.next('error')).code, 'unknown_ack');
      alice.close();
      mallory.close();
      await h.healthy(port);
    },
  },
  {
    name: 'acks: waitMs bounds, the cap on waiting emits and on collected bytes',
    args: ['--max-ack-wait-ms', '3000', '--max-ack-waits', '1', '--max-ack-bytes', '2048'],
    fn: async (port) => {
      const silent = await native(port, 'cap-silent', null);
      await join(silent, 'cap:1');
      for (const [body, what] of [
        [{ event: 'hello', room: 'cap:1', ack: true, waitMs: 3001 }, 'over --max-ack-wait-ms'],
        [{ event: 'hello', room: 'cap:1', ack: true, waitMs: 0 }, 'zero'],
        [{ event: 'hello', room: 'cap:1', ack: true, waitMs: 'soon' }, 'not a number'],
        [{ event: 'hello', room: 'cap:1', waitMs: 500 }, 'without ack'],
      ]) {
        const r = await h.emit(port, body);
        assert.equal(r.status, 400, what);
        assert.equal(r.body.code, 'invalid_request', what);
        assert.match(r.body.error, /waitMs/, what);
      }
      const first = h.emit(port, { event: 'hello', room: 'cap:1', ack: true, waitMs: 1500 });
      // Delivered means waiting (the wait opens first), and the silent client never answers:
      // a second acked emit is refused meanwhile.
      await silent.next('hello');
      const second = await h.emit(port, { event: 'hello', room: 'cap:1', ack: true, waitMs: 100 });
      assert.equal(second.status, 503);
      assert.equal(second.body.code, 'too_many_ack_waits');
      assert.match(second.body.error, /max-ack-waits/);
      const r1 = await first;
      assert.equal(r1.status, 200);
      assert.deepEqual(r1.body.timedOut.map((t) => t.userId), ['cap-silent']);
      // Without waitMs an acked emit answers at once, and is not counted.
      const plain = await h.emit(port, { event: 'hello', room: 'cap:1', ack: true });
      assert.equal(plain.status, 200);
      assert.equal(plain.body.acks, undefined);

      // Replies beyond --max-ack-bytes are counted, not kept.
      silent.close();
      const big = 'x'.repeat(4000);
      const a = await native(port, 'cap-big', { big });
      const b = await native(port, 'cap-small', { small: true });
      await join(a, 'cap:2');
      await join(b, 'cap:2');
      const r = await h.emit(port, { event: 'hello', room: 'cap:2', ack: true, waitMs: 2000 });
      assert.equal(r.status, 200);
      assert.equal(r.body.omitted, 1, JSON.stringify(r.body));
      assert.deepEqual(r.body.acks.map((x) => x.userId), ['cap-small']);
      assert.equal(r.body.complete, true);
      a.close();
      b.close();
      await h.healthy(port);
    },
  },
  {
    name: 'presence: snapshot, join and leave per user, refused pattern, subscription cap',
    args: ['--presence-rooms', 'chat:*,lobby', '--max-presence-subscriptions', '2'],
    fn: async (port) => {
      const early = await native(port, 'p-early');
      await join(early, 'chat:1');
      const w = await native(port, 'p-watcher');
      w.send(JSON.stringify({ type: 'presence_subscribe', room: 'chat:1', id: 1 }));
      const ok = await w.next('presence_subscribed');
      assert.equal(ok.room, 'chat:1');
      assert.equal(ok.id, 1);
      const snap = await w.next('presence:snapshot');
      assert.deepEqual(snap, { ...snap, room: 'chat:1', users: ['p-early'] });

      // A user's first connection joins, their second does not; the last one leaving does.
      const u1 = await native(port, 'p-user');
      const u2 = await native(port, 'p-user');
      await join(u1, 'chat:1');
      const joined = await w.next('presence:join');
      assert.equal(joined.userId, 'p-user');
      assert.equal(joined.room, 'chat:1');
      await join(u2, 'chat:1');
      u1.close();
      await until(async () => (await h.api(port, 'GET', '/api/rooms/chat:1')).body.count === 2, 'u1 to go');
      const other = await native(port, 'p-other');
      await join(other, 'chat:1');
      assert.equal((await w.next('presence:join')).userId, 'p-other');
      assert.equal(w.unread('presence:join') + w.unread('presence:leave'), 0, 'nothing for the second socket');
      u2.close();
      const left = await w.next('presence:leave');
      assert.equal(left.userId, 'p-user');
      other.send(JSON.stringify({ type: 'unsubscribe', channel: 'chat:1' }));
      assert.equal((await w.next('presence:leave')).userId, 'p-other');

      // Refused: a room no pattern matches; over the cap.
      w.send(JSON.stringify({ type: 'presence_subscribe', room: 'secret:1', id: 2 }));
      const refused = await w.next('error');
      assert.equal(refused.code, 'presence_not_allowed');
      assert.equal(refused.id, 2);
      w.send(JSON.stringify({ type: 'presence_subscribe', room: 'lobby' }));
      await w.next('presence_subscribed');
      w.send(JSON.stringify({ type: 'presence_subscribe', room: 'chat:2' }));
      assert.equal((await w.next('error')).code, 'too_many_presence_subscriptions');
      w.send(JSON.stringify({ type: 'presence_unsubscribe', room: 'lobby' }));
      await w.next('presence_unsubscribed');
      w.send(JSON.stringify({ type: 'presence_subscribe', room: 'chat:2' }));
      await w.next('presence_subscribed');

      // Socket.IO: the same events, the subscription acked.
      const s = await sioClient(port, 'p-sio');
      const snapshot = new Promise((resolve) => s.once('presence:snapshot', resolve));
      assert.deepEqual(await ask(s, 'presence_subscribe', { room: 'chat:1' }), { ok: true, room: 'chat:1' });
      assert.deepEqual(await within(snapshot, 5000, 'the Socket.IO snapshot'), { room: 'chat:1', users: ['p-early'] });
      const sioJoin = new Promise((resolve) => s.once('presence:join', resolve));
      const late = await native(port, 'p-late');
      await join(late, 'chat:1');
      assert.deepEqual(await within(sioJoin, 5000, 'presence:join on Socket.IO'), { room: 'chat:1', userId: 'p-late' });
      const no = await ask(s, 'presence_subscribe', 'secret:2');
      assert.equal(no.ok, false);
      assert.equal(no.error.code, 'presence_not_allowed');
      s.close();
      await h.healthy(port);
    },
  },
  {
    name: 'presence: events beyond --presence-event-rate are dropped and counted',
    args: ['--presence-rooms', 'chat:*', '--presence-event-rate', '1'],
    fn: async (port) => {
      const users = [];
      for (let i = 0; i < 4; ++i) users.push(await native(port, `r-user-${i}`));
      const w = await native(port, 'r-watcher');
      w.send(JSON.stringify({ type: 'presence_subscribe', room: 'chat:r' }));
      await w.next('presence:snapshot');
      // A bucket of two (burst twice the rate): of four joins within a few ms, two are sent.
      for (const u of users) u.send(JSON.stringify({ type: 'subscribe', channel: 'chat:r' }));
      for (const u of users) await u.next('subscribed');
      const hooks = await until(async () => {
        const m = (await h.api(port, 'GET', '/api/metrics')).body.hooks;
        return m.presenceEventsDropped >= 2 ? m : null;
      }, 'two dropped presence events');
      assert.equal(hooks.presenceEventsDropped, 2);
      const sent = [(await w.next('presence:join')).userId, (await w.next('presence:join')).userId];
      assert.equal(new Set(sent).size, 2);
      assert.ok(sent.every((u) => /^r-user-[0-3]$/.test(u)), sent.join());
      assert.equal(hooks.ackWaits, 0);
      await h.healthy(port);
    },
  },
  {
    name: 'presence: off by default',
    args: [],
    fn: async (port) => {
      const w = await native(port, 'off-watcher');
      w.send(JSON.stringify({ type: 'presence_subscribe', room: 'chat:1' }));
      const e = await w.next('error');
      assert.equal(e.code, 'presence_not_allowed');
      assert.match(e.message, /presence-rooms/);
    },
  },
  ...['text', 'json'].map((format) => ({
    name: `audit: --log-connections ${format}`,
    args: ['--log-connections', format],
    fn: async (port, pid, child) => {
      const c = await native(port, `audit-${format}`);
      await join(c, 'audit:room');
      c.send(JSON.stringify({ type: 'unsubscribe', channel: 'audit:room' }));
      await c.next('unsubscribed');
      c.close(4000, 'bye now');
      const lines = () => child.stderrLog().split('\n').filter((l) => l.includes('switchboard.connections'));
      const mine = await until(() => {
        const l = lines().filter((x) => x.includes(`audit-${format}`));
        return l.length >= 4 ? l : null;
      }, 'four connection log lines');
      if (format === 'text') {
        assert.match(mine[0], /info switchboard\.connections: connect connection=\d+ user="audit-text" protocol=json address=127\.0\.0\.1:\d+ rooms="user:audit-text"/);
        assert.match(mine[1], /join connection=\d+ user="audit-text" room="audit:room"/);
        assert.match(mine[2], /leave connection=\d+ user="audit-text" room="audit:room"/);
        assert.match(mine[3], /disconnect connection=\d+ user="audit-text" code=4000 reason="bye now"/);
      } else {
        const records = mine.map((l) => JSON.parse(l));
        assert.deepEqual(records.map((r) => r.event), ['connect', 'join', 'leave', 'disconnect']);
        for (const r of records) {
          assert.equal(r.level, 'info');
          assert.equal(r.category, 'switchboard.connections');
          assert.equal(r.userId, 'audit-json');
          assert.match(r.connectionId, /^\d+$/);
          assert.ok(!Number.isNaN(Date.parse(r.ts)));
        }
        assert.equal(records[0].protocol, 'json');
        assert.deepEqual(records[0].rooms, ['user:audit-json']);
        assert.equal(records[1].room, 'audit:room');
        assert.equal(records[3].code, 4000);
        assert.equal(records[3].reason, 'bye now');
      }
    },
  })),
  {
    name: 'audit: GET /api/events filtered by room, user, since and limit; admin only',
    args: ['--admin-token', 'events-admin'],
    fn: async (port) => {
      const before = Date.now() - 1;
      const a = await native(port, 'ev-a');
      const b = await native(port, 'ev-b');
      await join(a, 'ev:room');
      await join(b, 'ev:other');
      assert.equal((await h.emit(port, { event: 'ev-news', room: 'ev:room', payload: 1 })).status, 200);
      const noAuth = await fetch(`http://127.0.0.1:${port}/api/events`);
      assert.equal(noAuth.status, 401);
      const wrong = await fetch(`http://127.0.0.1:${port}/api/events`, { headers: { authorization: 'Bearer nope' } });
      assert.equal(wrong.status, 403);
      const bearer = await fetch(`http://127.0.0.1:${port}/api/events?user=ev-a`, { headers: { authorization: 'Bearer events-admin' } });
      assert.equal(bearer.status, 200);

      const byUserA = (await h.api(port, 'GET', '/api/events?user=ev-a')).body.events;
      assert.ok(byUserA.length >= 2);
      assert.ok(byUserA.every((e) => e.userId === 'ev-a'));
      assert.ok(byUserA.some((e) => e.name === 'connect'));
      assert.ok(byUserA.some((e) => e.name === 'join' && e.room === 'ev:room'));
      const byRoom = (await h.api(port, 'GET', '/api/events?room=ev:room')).body.events;
      assert.deepEqual(byRoom.map((e) => e.name), ['join', 'ev-news']);
      assert.equal(byRoom[1].direction, 'out');
      const last = (await h.api(port, 'GET', '/api/events?limit=1')).body;
      assert.equal(last.events.length, 1);
      assert.equal(last.events[0].name, 'ev-news');
      const all = (await h.api(port, 'GET', `/api/events?since=${before}`)).body.events;
      assert.ok(all.length >= 5);
      const seqs = all.map((e) => e.seq);
      assert.deepEqual(seqs, [...seqs].sort((x, y) => x - y), 'oldest first');
      const none = (await h.api(port, 'GET', `/api/events?since=${Date.now() + 60000}`)).body.events;
      assert.deepEqual(none, []);
      for (const q of ['limit=0', 'limit=1001', 'limit=many', 'since=yesterday']) {
        const r = await h.api(port, 'GET', `/api/events?${q}`);
        assert.equal(r.status, 400, q);
        assert.equal(r.body.code, 'invalid_request', q);
      }
      a.close();
      b.close();
    },
  },
];

runCases('hooks-acks', cases, h, process.argv[3] ? new RegExp(process.argv[3]) : null);
