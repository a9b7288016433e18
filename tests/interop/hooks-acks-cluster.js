// Issue 14 (docs/hooks.md) in cluster mode on a real redis-server: an HTTP emit with "waitMs"
// on node A collects the acks of clients on node B (native and Socket.IO) and times out a
// silent one there; presence subscribers on A hear joins and leaves of users on B, and a user
// present on both nodes leaves only when their last connection anywhere goes.
// Usage: node hooks-acks-cluster.js /path/to/switchboard [case-filter]
'use strict';
const assert = require('node:assert/strict');
const net = require('node:net');

const { client, sio, connected, within, until } = require('./lib');
const { clusterHarness } = require('./clusterlib');

const { createClient } = require('redis');

const { mint, startNode, api, emit, clusterOf, run, metric } = clusterHarness(process.argv[2]);
const filter = process.argv[3] ? new RegExp(process.argv[3]) : null;

async function native(node, user, reply) {
  const c = client(`ws://127.0.0.1:${node.port}/ws?token=${mint(user)}`);
  c.on('message', (raw) => {
    const m = JSON.parse(raw.toString());
    if (reply !== undefined && m.type === 'hello' && m.ack) c.send(JSON.stringify({ type: 'ack', id: m.id, data: reply }));
  });
  await c.next('connected');
  return c;
}

async function join(c, room) {
  c.send(JSON.stringify({ type: 'subscribe', channel: room }));
  assert.equal((await c.next('subscribed')).channel, room);
}

const byUser = (list) => Object.fromEntries(list.map((e) => [e.userId, e]));

const cases = [
  {
    name: 'acks: clients on another node answer the emitter, a silent one times out',
    fn: async (redis) => {
      const a = await startNode('a', redis);
      const b = await startNode('b', redis);
      await clusterOf([a, b]);
      const local = await native(a, 'c-local', { on: 'a' });
      const remote = await native(b, 'c-remote', { on: 'b' });
      const silent = await native(b, 'c-silent');
      const s = sio(b.port, { auth: { token: mint('c-sio') } });
      await connected(s);
      s.on('hello', (data, cb) => cb({ on: 'b', sio: true, x: data.x }));
      for (const c of [local, remote, silent]) await join(c, 'crew:1');
      assert.deepEqual(await within(new Promise((r) => s.emit('join_room', 'crew:1', r)), 5000, 'join ack'), { ok: true, room: 'crew:1' });
      await until(async () => (await api(a.port, 'GET', '/api/rooms/crew:1')).body.count === 4, 'the room on both nodes');

      const r = await emit(a.port, { event: 'hello', room: 'crew:1', payload: { x: 3 }, ack: true, waitMs: 2000 });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.delivered, 4, JSON.stringify(r.body));
      assert.equal(r.body.nodesExpected, 1);
      assert.equal(r.body.nodesReported, 1);
      const acks = byUser(r.body.acks);
      assert.deepEqual(Object.keys(acks).sort(), ['c-local', 'c-remote', 'c-sio']);
      assert.deepEqual(acks['c-remote'].data, { on: 'b' });
      assert.deepEqual(acks['c-sio'].data, { on: 'b', sio: true, x: 3 });
      assert.deepEqual(acks['c-local'].data, { on: 'a' });
      assert.deepEqual(r.body.timedOut.map((t) => t.userId), ['c-silent']);

      // Only the remote node's sockets, all answering: complete before waitMs.
      silent.close();
      local.close();
      await until(async () => (await api(a.port, 'GET', '/api/rooms/crew:1')).body.count === 2, 'the room to shrink');
      const started = Date.now();
      const quick = await emit(a.port, { event: 'hello', room: 'crew:1', payload: { x: 4 }, ack: true, waitMs: 20000 });
      assert.equal(quick.body.complete, true, JSON.stringify(quick.body));
      assert.ok(Date.now() - started < 10000);
      assert.equal(quick.body.acks.length, 2);

      // One connection on the other node, by id.
      const id = acks['c-remote'].connectionId;
      const one = await emit(a.port, { event: 'hello', connectionId: id, payload: {}, ack: true, waitMs: 5000 });
      assert.equal(one.status, 200, JSON.stringify(one.body));
      assert.deepEqual(one.body.acks.map((x) => x.userId), ['c-remote']);
      assert.equal(one.body.complete, true);
      s.close();
      remote.close();
    },
  },
  {
    name: 'presence: joins and leaves on another node reach subscribers',
    fn: async (redis) => {
      const args = ['--presence-rooms', 'chat:*'];
      const a = await startNode('a', redis, args);
      const b = await startNode('b', redis, args);
      await clusterOf([a, b]);
      const early = await native(b, 'p-early');
      await join(early, 'chat:9');
      await until(async () => (await api(a.port, 'GET', '/api/rooms/chat:9')).body.count === 1, 'the room seen from a');
      const w = await native(a, 'p-watch');
      w.send(JSON.stringify({ type: 'presence_subscribe', room: 'chat:9' }));
      await w.next('presence_subscribed');
      assert.deepEqual((await w.next('presence:snapshot')).users, ['p-early']);

      const onB = await native(b, 'p-both');
      await join(onB, 'chat:9');
      const joined = await w.next('presence:join');
      assert.equal(joined.userId, 'p-both');
      // The same user on the watcher's node too: still one user, no second join.
      const onA = await native(a, 'p-both');
      await join(onA, 'chat:9');
      onB.close();
      const marker = await native(b, 'p-marker');
      await join(marker, 'chat:9');
      assert.equal((await w.next('presence:join')).userId, 'p-marker');
      assert.equal(w.unread('presence:join') + w.unread('presence:leave'), 0, 'p-both is still in chat:9 on node a');
      onA.close();
      assert.equal((await w.next('presence:leave')).userId, 'p-both');
      early.close();
      assert.equal((await w.next('presence:leave')).userId, 'p-early');
      w.close();
      marker.close();
    },
  },
  {
    name: 'acks: a client on another node cannot answer an emit it was not sent (forged ack)',
    fn: async (redis) => {
      const a = await startNode('a', redis);
      const b = await startNode('b', redis);
      await clusterOf([a, b]);
      const alice = await native(a, 'f-alice');
      const mallory = await native(b, 'f-mallory');
      await join(alice, 'room:a');
      const pending = emit(a.port, { event: 'hello', room: 'room:a', payload: {}, ack: true, waitMs: 3000, id: 'e1' });
      await alice.next('hello');
      mallory.send(JSON.stringify({ type: 'ack', id: 'e1', data: 'forged' }));
      assert.equal((await mallory.next('error')).code, 'unknown_ack');
      alice.send(JSON.stringify({ type: 'ack', id: 'e1', data: 'real' }));
      const r = await pending;
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(r.body.acks.map((x) => [x.userId, x.data]), [['f-alice', 'real']], JSON.stringify(r.body));
      assert.equal(r.body.complete, true);
      alice.close();
      mallory.close();
    },
  },
  {
    name: 'presence: a node stopped with SIGTERM tells the others its users left',
    fn: async (redis) => {
      const args = ['--presence-rooms', 'chat:*'];
      const a = await startNode('a', redis, args);
      const b = await startNode('b', redis, args);
      await clusterOf([a, b]);
      const u = await native(b, 't-user');
      const u2 = await native(b, 't-user');
      await join(u, 'chat:t');
      await join(u2, 'chat:t');
      await until(async () => (await api(a.port, 'GET', '/api/rooms/chat:t')).body.count === 2, 'the room seen from a');
      const w = await native(a, 't-watch');
      w.send(JSON.stringify({ type: 'presence_subscribe', room: 'chat:t' }));
      await w.next('presence_subscribed');
      assert.deepEqual((await w.next('presence:snapshot')).users, ['t-user']);
      const exited = new Promise((resolve) => b.once('exit', (code, signal) => resolve(code ?? signal)));
      b.kill('SIGTERM');
      assert.equal(await within(exited, 15000, 'node b to stop'), 0);
      const left = await w.next('presence:leave', 5000);
      assert.deepEqual(left, { ...left, room: 'chat:t', userId: 't-user' });
      assert.equal(w.unread('presence:leave'), 0, 'one leave per user, not per connection');
      w.close();
    },
  },
  {
    name: 'presence: a leave during the snapshot\'s fan-in is not undone by the snapshot',
    fn: async (redis) => {
      const args = ['--presence-rooms', 'chat:*'];
      const a = await startNode('a', redis, args);
      const b = await startNode('b', redis, args);
      const c = await startNode('c', redis, args);
      await clusterOf([a, b, c]);
      const u = await native(b, 'f-user');
      await join(u, 'chat:f');
      await until(async () => (await api(a.port, 'GET', '/api/rooms/chat:f')).body.count === 1, 'the room seen from a');
      // Redis MONITOR shows when node b has answered the snapshot's fan-in (with f-user in it).
      const monitor = net.connect(redis.port, '127.0.0.1');
      let seen = '';
      monitor.on('data', (d) => { seen += d.toString(); });
      monitor.write('MONITOR\r\n');
      await until(() => seen.includes('+OK'), 'MONITOR to start');
      // Node c is frozen: the fan-in waits its full second for c's part.
      c.kill('SIGSTOP');
      try {
        const w = await native(a, 'f-watch');
        const started = Date.now();
        w.send(JSON.stringify({ type: 'presence_subscribe', room: 'chat:f' }));
        await w.next('presence_subscribed');
        await until(() => seen.split('\n').some((l) => l.includes('PUBLISH') && l.includes('\\"node\\":\\"b\\",\\"part\\"')
          && l.includes('f-user')), 'node b to answer the fan-in with f-user', 5000);
        u.close(); // the leave reaches node a while the fan-in still waits for c
        const snap = await w.next('presence:snapshot', 5000);
        assert.ok(Date.now() - started >= 900, 'the snapshot came after the fan-in timed out');
        // Before the fix the snapshot brought f-user back, and no leave ever followed.
        assert.deepEqual(snap.users, [], JSON.stringify(snap));
        w.close();
      } finally {
        c.kill('SIGCONT');
        monitor.destroy();
      }
    },
  },
  {
    name: 'acks: an emit id sent to two nodes does not start an ack ping-pong between them',
    fn: async (redis) => {
      const a = await startNode('a', redis);
      const b = await startNode('b', redis);
      await clusterOf([a, b]);
      // Acks once, late enough that both nodes hold a route for the emit id.
      const c = client(`ws://127.0.0.1:${a.port}/ws?token=${mint('pp')}`);
      let acked = 0;
      c.on('message', (raw) => {
        const m = JSON.parse(raw.toString());
        if (m.ack && m.id === 'retry-42' && acked++ === 0) setTimeout(() => c.send(JSON.stringify({ type: 'ack', id: m.id })), 300);
      });
      await c.next('connected');
      // The same emit twice: a retry through a load balancer that reached the other node.
      assert.equal((await emit(b.port, { event: 'order', broadcast: true, payload: 1, ack: true, id: 'retry-42' })).status, 200);
      assert.equal((await emit(a.port, { event: 'order', broadcast: true, payload: 1, ack: true, id: 'retry-42' })).status, 200);
      await until(() => acked >= 1, 'the client to get the emit');
      // The ack went out (300 ms later) and landed; the acks counted on both nodes stop.
      await until(async () => (await metric(a.port, 'acks')) + (await metric(b.port, 'acks')) >= 1, 'the ack counted');
      const before = (await metric(a.port, 'clusterReceived')) + (await metric(b.port, 'clusterReceived'));
      await new Promise((r) => setTimeout(r, 1500)); // a window to count in: a ping-pong sends thousands a second
      const after = (await metric(a.port, 'clusterReceived')) + (await metric(b.port, 'clusterReceived'));
      assert.ok(after - before < 50, `cluster messages in 1.5 s after one ack: ${after - before}`);
      c.close();
    },
  },
  {
    name: 'acks: another pattern subscriber on Redis (redis-cli, a Node adapter) does not count as a node that reports',
    fn: async (redis) => {
      const a = await startNode('a', redis);
      const b = await startNode('b', redis);
      await clusterOf([a, b]);
      const stray = createClient({ url: redis.url });
      await stray.connect();
      try {
        await stray.pSubscribe('socket.io#/#*', () => {});
        const remote = await native(b, 'k-remote', { on: 'b' });
        const started = Date.now();
        const r = await emit(a.port, { event: 'hello', broadcast: true, payload: {}, ack: true, waitMs: 4000 });
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.equal(r.body.cluster.nodes, 2, 'Redis counts the stray subscriber');
        assert.equal(r.body.nodesExpected, 1, JSON.stringify(r.body));
        assert.equal(r.body.complete, true, JSON.stringify(r.body));
        assert.ok(Date.now() - started < 3000, `answered after ${Date.now() - started} ms`);
        assert.deepEqual(r.body.acks.map((x) => x.userId), ['k-remote']);
        remote.close();
      } finally {
        await stray.quit().catch(() => {});
      }
    },
  },
  {
    name: 'presence: two nodes with the same name stay two nodes (a user leaving one is still on the other)',
    fn: async (redis) => {
      const args = ['--presence-rooms', 'chat:*'];
      const a = await startNode('a', redis, args);
      const e = await startNode('same', redis, args);
      const f = await startNode('same', redis, args);
      await clusterOf([a, e, f]);
      await until(() => /has the same name "?same"? as this node/.test(e.log() + f.log()), 'the shared name logged');
      const w = await native(a, 'd-watch');
      w.send(JSON.stringify({ type: 'presence_subscribe', room: 'chat:9' }));
      await w.next('presence_subscribed');
      await w.next('presence:snapshot');
      const onE = await native(e, 'd-user');
      await join(onE, 'chat:9');
      assert.equal((await w.next('presence:join')).userId, 'd-user');
      const onF = await native(f, 'd-user');
      await join(onF, 'chat:9');
      await until(async () => (await api(a.port, 'GET', '/api/rooms/chat:9')).body.count === 2, 'both connections seen from a');
      const room = (await api(a.port, 'GET', '/api/rooms/chat:9')).body;
      assert.equal(Object.keys(room.nodes).filter((n) => n.startsWith('same (')).length, 2, JSON.stringify(room.nodes));
      assert.equal(new Set(room.members.map((m) => m.nodeId)).size, 2, JSON.stringify(room.members));
      onF.close();
      await until(async () => (await api(a.port, 'GET', '/api/rooms/chat:9')).body.count === 1, 'the F connection gone');
      const marker = await native(e, 'd-marker');
      await join(marker, 'chat:9');
      assert.equal((await w.next('presence:join')).userId, 'd-marker');
      assert.equal(w.unread('presence:leave'), 0, 'd-user is still in chat:9 on E');
      const stats = (await api(a.port, 'GET', '/api/websocket/stats')).body;
      assert.equal(Object.keys(stats.nodes).length, 3, JSON.stringify(Object.keys(stats.nodes)));
      onE.close();
      assert.equal((await w.next('presence:leave')).userId, 'd-user');
      w.close();
      marker.close();
    },
  },
];

run('hooks-acks-cluster', cases, filter);
