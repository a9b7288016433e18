// Interop: Switchboard nodes in a cluster with the real Node packages (issue 13, SPEC §7):
// back-ends using @socket.io/redis-emitter 5.1 reach Switchboard's clients, and socket.io 4.8
// servers with @socket.io/redis-adapter 8.3 form one cluster with Switchboard nodes: emits
// cross both ways; fetchSockets, allRooms, socketsJoin/Leave, disconnectSockets,
// serverSideEmit with acks (both ways) and broadcasts with acks include Switchboard's sockets,
// and no request times out.
// Usage: node cluster-node.js /path/to/switchboard [case-filter]
'use strict';
const assert = require('node:assert/strict');
const http = require('node:http');

const { client, sio, connected, within, until } = require('./lib');
const { clusterHarness } = require('./clusterlib');

const { createClient } = require('redis');
const { Emitter } = require('@socket.io/redis-emitter');
const { Server } = require('socket.io');
const { createAdapter } = require('@socket.io/redis-adapter');
const { io: ioClient } = require('socket.io-client');

const { mint, startNode, api, emit, clusterOf, run } = clusterHarness(process.argv[2]);
const filter = process.argv[3] ? new RegExp(process.argv[3]) : null;

/** Collects events starting with "t." (with their arguments) a socket.io-client socket receives. */
function recordSio(s) {
  const seen = [];
  s.onAny((event, ...args) => { if (event.startsWith('t.')) seen.push({ type: event, args }); });
  return seen;
}
function recordNative(ws) {
  const seen = [];
  ws.on('message', (raw) => { const m = JSON.parse(raw.toString()); if (m.type.startsWith('t.')) seen.push(m); });
  return seen;
}

/** A Node socket.io 4.8 server with the Redis adapter on a free port; sockets join auth.room. */
async function nodeServer(redis) {
  const pub = createClient({ url: redis.url });
  const sub = pub.duplicate();
  await Promise.all([pub.connect(), sub.connect()]);
  const httpServer = http.createServer();
  // A short request timeout: a Switchboard node that failed to answer would show at once.
  const io = new Server(httpServer, { adapter: createAdapter(pub, sub, { requestsTimeout: 3000 }) });
  io.on('connection', (socket) => {
    if (socket.handshake.auth.room) socket.join(socket.handshake.auth.room);
    socket.data.userId = socket.handshake.auth.user;
  });
  await new Promise((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  return {
    io,
    port: httpServer.address().port,
    close: async () => { io.close(); await Promise.all([pub.quit(), sub.quit()]).catch(() => {}); },
  };
}

const cases = [];
const test = (name, fn) => cases.push({ name, fn });

test('emitter: rooms, users, broadcast, except, several rooms, binary and several arguments reach both nodes; socketsJoin/Leave and disconnectSockets act', async (redis) => {
  const nodes = [await startNode('A', redis), await startNode('B', redis)];
  const [A, B] = nodes;
  await clusterOf(nodes);
  const redisClient = createClient({ url: redis.url });
  await redisClient.connect();
  try {
    const emitter = new Emitter(redisClient);
    const nat = client(`ws://127.0.0.1:${A.port}/ws?token=${mint('e1')}`);
    await nat.next('connected');
    nat.send(JSON.stringify({ type: 'subscribe', channel: 'news', id: 's' }));
    await nat.next('subscribed');
    const s = sio(B.port, { auth: { token: mint('e2') } });
    await connected(s);
    assert.deepEqual(await s.timeout(5000).emitWithAck('join_room', 'news'), { ok: true, room: 'news' });
    const atNat = recordNative(nat);
    const atS = recordSio(s);

    emitter.to('news').emit('t.room', 1);
    emitter.to('user:e2').emit('t.user', 2);
    emitter.emit('t.all', 3);
    emitter.except('user:e1').emit('t.except', 4);
    emitter.to('news').emit('t.bin', Buffer.from([1, 2, 3]));
    emitter.to('news').emit('t.multi', 1, 'a');
    emitter.to(['news', 'user:e1']).emit('t.rooms', 5); // e1 is in both: once
    emitter.to('nobody-here').emit('t.none', 6);
    emitter.emit('t.end');
    await until(() => atNat.some((m) => m.type === 't.end') && atS.some((m) => m.type === 't.end'), 't.end on both');
    assert.deepEqual(atNat.map((m) => m.type), ['t.room', 't.all', 't.bin', 't.multi', 't.rooms', 't.end']);
    assert.deepEqual(atS.map((m) => m.type), ['t.room', 't.user', 't.all', 't.except', 't.bin', 't.multi', 't.rooms', 't.end']);
    assert.equal(atNat[0].data, 1);
    assert.equal(atNat.find((m) => m.type === 't.bin').data, Buffer.from([1, 2, 3]).toString('base64'));
    const multi = atNat.find((m) => m.type === 't.multi');
    assert.equal(multi.data, 1);
    assert.deepEqual(multi.args, [1, 'a']);
    const bin = atS.find((m) => m.type === 't.bin').args[0];
    assert.ok(Buffer.isBuffer(bin) && bin.equals(Buffer.from([1, 2, 3])), `binary arrives as a Buffer: ${bin}`);
    assert.deepEqual(atS.find((m) => m.type === 't.multi').args.slice(0, 2), [1, 'a']);

    // socketsJoin / socketsLeave on Switchboard's sockets.
    emitter.in('user:e1').socketsJoin('joined');
    await until(async () => (await api(A.port, 'GET', '/api/rooms/joined')).status === 200, 'e1 joined "joined"');
    emitter.to('joined').emit('t.joined', 7);
    assert.equal((await nat.next('t.joined')).data, 7);
    emitter.in('user:e1').socketsLeave('joined');
    await until(async () => (await api(A.port, 'GET', '/api/rooms/joined')).status === 404, 'e1 left "joined"');
    // disconnectSockets closes the Socket.IO socket on B.
    const gone = new Promise((resolve) => s.once('disconnect', resolve));
    emitter.in('user:e2').disconnectSockets(true);
    await within(gone, 5000, 'e2 disconnected by the emitter');
    await until(async () => !(await api(A.port, 'GET', '/user-status/e2')).body.online, 'e2 offline across the cluster');
    nat.terminate();
  } finally {
    await redisClient.quit().catch(() => {});
  }
});

test('emitter: several socket ids name those sockets (to is a union, except a difference); a socket id cannot be joined as a room', async (redis) => {
  const nodes = [await startNode('A', redis), await startNode('B', redis)];
  const [A, B] = nodes;
  await clusterOf(nodes);
  const redisClient = createClient({ url: redis.url });
  await redisClient.connect();
  try {
    const emitter = new Emitter(redisClient);
    const ids = [];
    const seen = [];
    const conns = [];
    for (let i = 0; i < 3; i++) {
      const c = client(`ws://127.0.0.1:${B.port}/ws?token=${mint('multi')}`);
      ids.push(String((await c.next('connected')).connectionId));
      seen.push(recordNative(c));
      conns.push(c);
    }
    // A client on the other node tries to read c1's messages by joining a room of its id.
    const evil = client(`ws://127.0.0.1:${A.port}/ws?token=${mint('evil')}`);
    const evilId = (await evil.next('connected')).connectionId;
    const atEvil = recordNative(evil);
    evil.send(JSON.stringify({ type: 'subscribe', channel: ids[0], id: 'x' }));
    const refused = await evil.next('error');
    assert.match(refused.message || refused.error || JSON.stringify(refused), /reserved/, JSON.stringify(refused));
    const se = sio(A.port, { auth: { token: mint('evil2') } });
    await connected(se);
    const joined = await se.timeout(5000).emitWithAck('join_room', ids[1]);
    assert.notEqual(joined.ok, true, JSON.stringify(joined));
    const atSe = recordSio(se);
    assert.equal((await api(A.port, 'GET', `/api/rooms/${ids[0]}`)).status, 404);
    // Nor may the server join it there (HTTP, the console); its own id is no error.
    const byApi = await api(A.port, 'POST', `/api/connections/${evilId}/rooms`, { room: ids[0] });
    assert.equal(byApi.status, 400, JSON.stringify(byApi.body));
    assert.match(JSON.stringify(byApi.body), /reserved/);
    assert.equal((await api(A.port, 'POST', `/api/connections/${evilId}/rooms`, { room: String(evilId) })).status, 200);

    emitter.except([ids[0], ids[1]]).emit('t.except', 1);
    emitter.to([ids[0], 'nobody-room']).emit('t.to2', 2);
    emitter.to([ids[0], ids[1]]).emit('t.two', 3);
    emitter.to(ids[0]).emit('t.one', 4);
    emitter.to([ids[2], 'nobody-room']).except(ids[2]).emit('t.none', 5);
    emitter.emit('t.end');
    await until(() => seen.every((s) => s.some((m) => m.type === 't.end')) && atEvil.some((m) => m.type === 't.end')
      && atSe.some((m) => m.type === 't.end'), 't.end everywhere');
    const types = seen.map((s) => s.map((m) => m.type));
    assert.deepEqual(types[0], ['t.to2', 't.two', 't.one', 't.end']);
    assert.deepEqual(types[1], ['t.two', 't.end']);
    assert.deepEqual(types[2], ['t.except', 't.end']);
    assert.deepEqual(atEvil.map((m) => m.type), ['t.except', 't.end']);
    assert.deepEqual(atSe.map((m) => m.type), ['t.except', 't.end']);
    for (const c of [...conns, evil]) c.terminate();
    se.disconnect();
  } finally {
    await redisClient.quit().catch(() => {});
  }
});

test('mixed cluster: a Node socket.io server with the Redis adapter and two Switchboard nodes act as one', async (redis) => {
  const N = await nodeServer(redis);
  const nodes = [await startNode('A', redis), await startNode('B', redis)];
  const [A, B] = nodes;
  const sockets = [];
  try {
    await clusterOf(nodes);
    const cN = ioClient(`http://127.0.0.1:${N.port}`, { forceNew: true, reconnection: false, transports: ['websocket'], auth: { room: 'mix', user: 'n1' } });
    sockets.push(cN);
    await connected(cN);
    const nat = client(`ws://127.0.0.1:${A.port}/ws?token=${mint('m1')}`);
    const natId = (await nat.next('connected')).connectionId;
    nat.send(JSON.stringify({ type: 'subscribe', channel: 'mix', id: 's' }));
    await nat.next('subscribed');
    const sB = sio(B.port, { auth: { token: mint('m2') } });
    sockets.push(sB);
    await connected(sB);
    assert.deepEqual(await sB.timeout(5000).emitWithAck('join_room', 'mix'), { ok: true, room: 'mix' });
    const atN = recordSio(cN);
    const atB = recordSio(sB);
    // Node sees three servers on the request channel.
    assert.equal(await N.io.of('/').adapter.serverCount(), 3);

    // Node → Switchboard and Switchboard → Node.
    N.io.to('mix').emit('t.fromNode', 1);
    assert.equal((await nat.next('t.fromNode')).data, 1);
    const r = await emit(A.port, { event: 't.fromSB', room: 'mix', payload: 2 });
    assert.equal(r.body.cluster.published, true);
    assert.equal(r.body.cluster.nodes, 2, 'B and the Node server received it');
    await until(() => atN.some((m) => m.type === 't.fromSB') && atB.some((m) => m.type === 't.fromSB'), 't.fromSB on N and B');
    assert.equal(atN.find((m) => m.type === 't.fromSB').args[0], 2);
    assert.ok(atB.some((m) => m.type === 't.fromNode'));

    // fetchSockets lists Switchboard's sockets with their rooms and data.
    const fetched = await N.io.in('mix').fetchSockets();
    const ids = fetched.map((x) => x.id);
    assert.equal(fetched.length, 3, JSON.stringify(ids));
    assert.ok(ids.includes(cN.id) && ids.includes(natId), JSON.stringify(ids));
    const natSocket = fetched.find((x) => x.id === natId);
    assert.ok(natSocket.rooms.has('mix') && natSocket.rooms.has('user:m1'), [...natSocket.rooms].join());
    assert.equal(natSocket.data.userId, 'm1');
    assert.equal(natSocket.data.node, 'A');
    assert.equal((await N.io.fetchSockets()).length, 3);
    // allRooms includes Switchboard's rooms.
    const rooms = await N.io.of('/').adapter.allRooms();
    assert.ok(rooms.has('mix') && rooms.has('user:m1') && rooms.has('user:m2'), [...rooms].join());

    // serverSideEmit with an ack: Node asks, both Switchboard nodes answer.
    const answers = await N.io.serverSideEmitWithAck('hello', 1);
    assert.deepEqual(answers.map((a) => a.node).sort(), ['A', 'B']);
    // Switchboard asks, the Node server (and B) answer.
    N.io.on('hello-node', (arg, cb) => cb({ node: 'N', got: arg }));
    const sse = await api(A.port, 'POST', '/api/cluster/server-side-emit', { event: 'hello-node', args: [7], ack: true, timeout: 3000 });
    assert.equal(sse.status, 200);
    assert.equal(sse.body.servers, 2, JSON.stringify(sse.body));
    assert.equal(sse.body.partial, undefined, JSON.stringify(sse.body));
    assert.deepEqual(sse.body.responses.find((x) => x.node === 'N'), { node: 'N', got: 7 });

    // A broadcast with acks from Node reaches Switchboard's clients, and their acks come back.
    cN.on('t.ackme', (arg, cb) => cb('n'));
    sB.on('t.ackme', (arg, cb) => cb('b'));
    nat.on('message', (raw) => {
      const m = JSON.parse(raw.toString());
      if (m.type === 't.ackme' && m.ack) nat.send(JSON.stringify({ type: 'ack', id: m.id }));
    });
    const acks = await N.io.timeout(3000).to('mix').emitWithAck('t.ackme', 9);
    assert.equal(acks.length, 3, JSON.stringify(acks));
    assert.ok(acks.includes('n') && acks.includes('b') && acks.some((a) => a && a.ok === true), JSON.stringify(acks));

    // socketsJoin and disconnectSockets from Node act on Switchboard's sockets.
    N.io.in('user:m1').socketsJoin('mix2');
    await until(async () => (await api(A.port, 'GET', '/api/rooms/mix2')).status === 200, 'm1 joined mix2');
    N.io.in('user:m1').socketsLeave('mix2');
    await until(async () => (await api(A.port, 'GET', '/api/rooms/mix2')).status === 404, 'm1 left mix2');
    const closed = nat.closed;
    N.io.in(natId).disconnectSockets(true);
    await within(closed, 5000, 'the native client disconnected by the Node server');
    await until(async () => (await N.io.fetchSockets()).length === 2, 'fetchSockets without it');
  } finally {
    for (const s of sockets) s.disconnect();
    await N.close();
  }
});

run('cluster-node', cases, filter);
