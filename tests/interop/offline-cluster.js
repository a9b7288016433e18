// Issue 16, offline events in cluster mode on a real redis-server: an event persisted through
// one node reaches the user on another (native and Socket.IO); two sockets of the user on two nodes never both get
// it; a lease held by a node that dies runs out and the event goes to another connection; the
// per-user bounds (events and bytes) with their errors.
// Usage: node offline-cluster.js /path/to/switchboard [case-filter]
'use strict';
const assert = require('node:assert/strict');

const { client, until, redisCli, sio, connected } = require('./lib');
const { clusterHarness } = require('./clusterlib');

const { mint, startNode, api, emit, clusterOf, run } = clusterHarness(process.argv[2]);
const filter = process.argv[3] ? new RegExp(process.argv[3]) : null;
const key = 'socket.io'; // the default --redis-key
const LEASE = 1500;

async function native(node, user) {
  const c = client(`ws://127.0.0.1:${node.port}/ws?token=${mint(user)}`);
  c.hello = await c.next('connected');
  return c;
}

const waiting = async (redis, user) => Number((await redisCli(redis.port, 'ZCARD', `${key}:sb:offline:{${user}}:ids`)).trim());

/** Sends a live (not persisted) marker to @p user and waits until every socket in @p sockets has it. */
async function marker(node, user, sockets, n) {
  const r = await emit(node.port, { event: 'marker', userId: user, payload: { n } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  for (const s of sockets) assert.equal((await s.next('marker')).data.n, n);
}

const persist = (node, user, payload) => emit(node.port, { event: 'invoice', userId: user, payload, persist: true });

const cases = [
  {
    name: 'a persisted event is delivered on another node, once, and deleted on its ack',
    fn: async (redis) => {
      const a = await startNode('a', redis);
      const b = await startNode('b', redis);
      await clusterOf([a, b]);
      const r = await persist(a, 'u1', { total: 12 });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.persisted, true);
      assert.equal(r.body.delivered, 0);
      assert.equal(r.body.cluster, undefined, 'a stored event is not published besides');
      assert.equal(await waiting(redis, 'u1'), 1);

      const c = await native(b, 'u1');
      const ev = await c.next('invoice');
      assert.deepEqual(ev.data, { total: 12 });
      assert.equal(ev.persisted, true);
      assert.equal(ev.ack, true);
      assert.equal(ev.id, r.body.id);
      c.send(JSON.stringify({ type: 'ack', id: ev.id }));
      await until(async () => (await waiting(redis, 'u1')) === 0, 'the acked event to be deleted');
      assert.equal((await redisCli(redis.port, 'KEYS', `${key}:sb:offline:{u1}:*`)).trim(), '', 'no keys left for u1');
      c.close();

      // Acked: a later connection, on either node, does not get it again.
      const again = await native(a, 'u1');
      await marker(a, 'u1', [again], 1);
      assert.equal(again.unread('invoice'), 0);

      // The user online on the other node only: stored, then taken there at once.
      again.close();
      await again.closed;
      await until(async () => (await api(a.port, 'GET', '/user-status/u1')).body.online === false, 'u1 to be offline');
      const r2 = await persist(a, 'u1', { total: 13 });
      assert.equal(r2.body.persisted, true);
      const online = await native(b, 'u1');
      assert.equal((await online.next('invoice')).id, r2.body.id);
      const r3 = await persist(a, 'u1', { total: 14 });
      assert.equal(r3.body.persisted, true);
      assert.equal(r3.body.delivered, 0);
      const third = await online.next('invoice');
      assert.equal(third.id, r3.body.id);
      assert.equal(third.persisted, true);
      online.close();
    },
  },
  {
    name: 'a socket.io-client on another node gets it with an ack callback; its ack deletes it',
    fn: async (redis) => {
      const a = await startNode('a', redis);
      const b = await startNode('b', redis);
      await clusterOf([a, b]);
      const r = await persist(a, 'u5', { total: 7 });
      assert.equal(r.body.persisted, true);
      const s = sio(b.port, { auth: { token: mint('u5') } });
      const got = new Promise((resolve) => s.on('invoice', (data, cb) => { cb({ ok: true }); resolve(data); }));
      await connected(s);
      assert.deepEqual(await got, { total: 7 });
      await until(async () => (await waiting(redis, 'u5')) === 0, 'the acked event to be deleted');
      s.close();
    },
  },
  {
    name: 'two sockets of the user on two nodes: only one gets it, the other once the first is gone',
    fn: async (redis) => {
      const a = await startNode('a', redis);
      const b = await startNode('b', redis);
      await clusterOf([a, b]);
      for (let round = 0; round < 5; round++) {
        const user = `u2-${round}`;
        const r = await persist(b, user, { round });
        assert.equal(r.body.persisted, true);
        const [x, y] = await Promise.all([native(a, user), native(b, user)]);
        // Polled (not awaited with next(), which would also take the loser's later copy).
        await until(() => x.unread('invoice') + y.unread('invoice') > 0, 'the event on one of the sockets');
        const got = x.unread('invoice') ? x : y;
        const other = got === x ? y : x;
        // The lease is the winner's, in Redis.
        const leases = (await redisCli(redis.port, 'HGETALL', `${key}:sb:offline:{${user}}:leases`)).trim().split('\n');
        assert.equal(leases.length, 2, leases.join(' '));
        assert.equal(leases[1].split(':')[0], String(got.hello.connectionId), 'leased to the socket that got it');
        await marker(a, user, [x, y], 1);
        assert.equal(other.unread('invoice'), 0, `round ${round}: both sockets got it`);
        // The winner closes without acking: the event goes to the other socket, on its node.
        assert.equal((await got.next('invoice')).id, r.body.id);
        got.close();
        const moved = await other.next('invoice', 5000);
        assert.equal(moved.id, r.body.id);
        other.send(JSON.stringify({ type: 'ack', id: moved.id }));
        await until(async () => (await waiting(redis, user)) === 0, 'the acked event to be deleted');
        other.close();
      }
    },
  },
  {
    name: 'not acked on a node that dies: another connection gets it once the lease runs out',
    fn: async (redis) => {
      const args = ['--offline-lease', String(LEASE)];
      const a = await startNode('a', redis, args);
      const b = await startNode('b', redis, args);
      await clusterOf([a, b]);
      const r = await persist(b, 'u3', { n: 1 });
      const holder = await native(a, 'u3');
      assert.equal((await holder.next('invoice')).id, r.body.id);
      const waiter = await native(b, 'u3');
      // Held past several leases while the holder lives: renewed, never handed out twice.
      const heldSince = Date.now();
      await until(async () => Date.now() - heldSince > 3 * LEASE, 'three leases to pass', 3 * LEASE + 2000);
      await marker(b, 'u3', [holder, waiter], 1);
      assert.equal(waiter.unread('invoice'), 0, 'the lease of a live connection is renewed');

      const killed = Date.now();
      a.kill('SIGKILL');
      const ev = await waiter.next('invoice', LEASE + 5000);
      assert.equal(ev.id, r.body.id);
      assert.ok(Date.now() - killed >= LEASE / 3, `handed over after ${Date.now() - killed} ms: before the lease ran out`);
      waiter.send(JSON.stringify({ type: 'ack', id: ev.id }));
      await until(async () => (await waiting(redis, 'u3')) === 0, 'the acked event to be deleted');
      waiter.close();
    },
  },
  {
    name: 'per-user bounds: the oldest dropped and reported, an event over the byte bound refused',
    fn: async (redis) => {
      const a = await startNode('a', redis, ['--offline-max-per-user', '3', '--offline-max-bytes-per-user', '2000']);
      const b = await startNode('b', redis);
      await clusterOf([a, b]);
      const ids = [];
      for (let n = 1; n <= 5; n++) {
        const r = await persist(a, 'u4', { n });
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.equal(r.body.droppedOldest, n > 3 ? 1 : undefined, JSON.stringify(r.body));
        ids.push(r.body.id);
      }
      assert.equal(await waiting(redis, 'u4'), 3);

      const big = await persist(a, 'u4', { blob: 'x'.repeat(3000) });
      assert.equal(big.status, 413, JSON.stringify(big.body));
      assert.equal(big.body.code, 'payload_too_large');
      assert.match(big.body.error, /the event is \d+ bytes, over the 2000 bytes kept per offline user/);
      assert.equal(await waiting(redis, 'u4'), 3, 'nothing stored, nothing dropped');

      // About 1,900 bytes: the older ones go until the user is within 2,000 bytes.
      const large = await persist(a, 'u4', { blob: 'y'.repeat(1800) });
      assert.equal(large.status, 200, JSON.stringify(large.body));
      assert.ok(large.body.droppedOldest >= 2, JSON.stringify(large.body));
      const left = await waiting(redis, 'u4');
      assert.equal(left, 3 - large.body.droppedOldest + 1);
      const bytes = Number((await redisCli(redis.port, 'GET', `${key}:sb:offline:{u4}:bytes`)).trim());
      assert.ok(bytes <= 2000 && bytes > 1500, `${bytes} bytes kept`);

      const c = await native(b, 'u4');
      const got = [];
      for (let i = 0; i < left; i++) got.push((await c.next('invoice')).id);
      assert.deepEqual(got, [...ids.slice(5 - (left - 1)), large.body.id], 'the newest, oldest first');
      c.close();
    },
  },
];

run('offline events in a cluster', cases, filter);
