// Cluster defects found in review, each reproduced against a real redis-server and the real
// npm Socket.IO Redis adapter:
//  B1: while a node's own subscriber connection reconnects (commands still go through), Redis'
//      receiver counts no longer include that node: the counts it reports must not take it
//      off again, and a fan-in whose answers cannot reach it says so instead of a silent part.
//  B4: a broadcast-with-ack request (adapter type 7) with no event name or a namespace this
//      node does not serve is still answered with a client count of 0, so the requesting
//      Node server does not wait for its timeout.
// Usage: node cluster-fixes.js /path/to/switchboard [case-filter]
'use strict';
const assert = require('node:assert/strict');
const http = require('node:http');

const { redisCli, until, within, sio, connected } = require('./lib');
const { clusterHarness } = require('./clusterlib');

const { createClient } = require('redis');
const { Server } = require('socket.io');
const { createAdapter } = require('@socket.io/redis-adapter');
const notepack = require('notepack.io');

const { mint, startNode, api, emit, clusterOf, run, metric } = clusterHarness(process.argv[2]);
const filter = process.argv[3] ? new RegExp(process.argv[3]) : null;

const cases = [];
const test = (name, fn) => cases.push({ name, fn });

/** CLIENT LIST as objects. */
async function clients(redis) {
  const out = await redisCli(redis.port, 'CLIENT', 'LIST');
  return out.trim().split('\n').filter(Boolean).map((line) => Object.fromEntries(line.trim().split(' ').map((kv) => {
    const i = kv.indexOf('=');
    return [kv.slice(0, i), kv.slice(i + 1)];
  })));
}
// The nodes' broker subscribers: the only connections with a pattern subscription (the
// adapter channels). A node has other subscribing links too (queue notices, offline-event
// notices, admin revocations), with plain SUBSCRIBEs only.
const subscribers = async (redis) => (await clients(redis)).filter((c) => Number(c.psub) > 0);

test('B1: the own subscriber reconnecting alone: emits count the other node, fan-ins are partial at once, all exact again once back', async (redis) => {
  const A = await startNode('A', redis);
  // A's subscriber is the only one until B starts.
  await until(async () => (await subscribers(redis)).length === 1, 'A to subscribe', 10000);
  const [subA] = await subscribers(redis);
  const B = await startNode('B', redis);
  await clusterOf([A, B]);
  const nat = new (require('ws'))(`ws://127.0.0.1:${B.port}/ws?token=${mint('b1')}`);
  await new Promise((resolve, reject) => { nat.once('message', resolve); nat.once('error', reject); });

  const before = await emit(A.port, { event: 't.x', broadcast: true, payload: 1 });
  assert.equal(before.status, 200);
  assert.equal(before.body.cluster.nodes, 1, JSON.stringify(before.body));

  // Redis refuses A's resubscription (commands are unaffected), then A's subscriber goes.
  await redisCli(redis.port, 'ACL', 'SETUSER', 'default', '-subscribe', '-psubscribe');
  try {
    await redisCli(redis.port, 'CLIENT', 'KILL', 'ID', subA.id);
    await until(async () => (await api(A.port, 'GET', '/health')).body.status === 'degraded', 'A degraded', 10000);
    assert.equal((await subscribers(redis)).length, 1, 'only B subscribed');
    const during = await emit(A.port, { event: 't.x', broadcast: true, payload: 2 });
    assert.equal(during.status, 200);
    assert.equal(during.body.cluster.published, true, JSON.stringify(during.body));
    assert.equal(during.body.cluster.nodes, 1, `B received it and is the one other node: ${JSON.stringify(during.body)}`);
    const t0 = Date.now();
    const list = await api(A.port, 'GET', '/api/websocket/connections');
    assert.equal(list.status, 200);
    assert.equal(list.body.partial, true, JSON.stringify(list.body));
    assert.match(list.body.error, /subscriber is reconnecting/);
    assert.ok(Date.now() - t0 < 900, `answered at once, not after the 1 s fan-in timeout (${Date.now() - t0} ms)`);
  } finally {
    await redisCli(redis.port, 'ACL', 'SETUSER', 'default', '+subscribe', '+psubscribe');
  }
  await until(async () => (await api(A.port, 'GET', '/health')).body.status !== 'degraded', 'A back', 10000);
  const after = await emit(A.port, { event: 't.x', broadcast: true, payload: 3 });
  assert.equal(after.body.cluster.nodes, 1, JSON.stringify(after.body));
  const list = await api(A.port, 'GET', '/api/websocket/connections');
  assert.equal(list.body.partial, undefined, JSON.stringify(list.body));
  assert.equal(JSON.stringify(list.body).includes('"b1"'), true, 'B\'s client listed through A');
  nat.close();
});

/** A Node socket.io 4.8 server with the Redis adapter on a free port. */
async function nodeServer(redis, requestsTimeout = 3000) {
  const pub = createClient({ url: redis.url });
  const sub = pub.duplicate();
  await Promise.all([pub.connect(), sub.connect()]);
  const httpServer = http.createServer();
  const io = new Server(httpServer, { adapter: createAdapter(pub, sub, { requestsTimeout }) });
  await new Promise((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  return { io, pub, close: async () => { io.close(); await Promise.all([pub.quit(), sub.quit()]).catch(() => {}); } };
}

test('B4: a broadcast with acks and no event name gets every Switchboard node\'s count, not the timeout', async (redis) => {
  const nodes = [await startNode('A', redis), await startNode('B', redis)];
  await clusterOf(nodes);
  const N = await nodeServer(redis);
  try {
    await until(async () => (await N.io.of('/').adapter.serverCount()) === 3, 'the Node server to count 3 servers', 10000);
    // socket.io puts whatever the event is in data[0]; undefined travels as msgpack nil.
    const t0 = Date.now();
    const [err, responses] = await within(new Promise((resolve) => {
      N.io.timeout(4000).emit(undefined, (e, r) => resolve([e, r]));
    }), 6000, 'the broadcast\'s callback');
    assert.equal(err, null, `no timeout (${Date.now() - t0} ms): ${err}`);
    assert.deepEqual(responses, []);
    assert.ok(Date.now() - t0 < 2000, `answered by every node at once (${Date.now() - t0} ms)`);
    // Still malformed for the node: counted.
    await until(async () => (await metric(nodes[0].port, 'clusterMalformed')) > 0, 'the request counted as malformed', 5000);
  } finally {
    await N.close();
  }
});

test('B4: a broadcast with acks for a namespace the node does not serve is answered with a count of 0 on the requester\'s channel', async (redis) => {
  const A = await startNode('A', redis);
  await clusterOf([A]);
  // As @socket.io/redis-adapter 8.3 publishes it on the "/" request channel, with a packet
  // for another namespace; the answer goes to the requester's own response channel.
  const sub = createClient({ url: redis.url });
  await sub.connect();
  const pub = sub.duplicate();
  await pub.connect();
  try {
    const got = [];
    await sub.subscribe('socket.io-response#/#requester1#', (msg) => got.push(msg), true);
    const request = notepack.encode({
      uid: 'requester1', requestId: 'r-nsp-1', type: 7,
      packet: { type: 2, nsp: '/not-served', data: ['t.x', 1] },
      opts: { rooms: [], except: [], flags: { timeout: 3000 } },
    });
    assert.equal(await pub.publish('socket.io-request#/#', request), 1, 'A listens on the request channel');
    await until(async () => got.length > 0, 'an answer from A', 3000);
    const answer = (() => { try { return JSON.parse(got[0].toString()); } catch { return notepack.decode(got[0]); } })();
    assert.equal(answer.type, 8);
    assert.equal(answer.requestId, 'r-nsp-1');
    assert.equal(answer.clientCount, 0);
  } finally {
    await Promise.all([sub.quit(), pub.quit()]).catch(() => {});
  }
});

run('cluster-fixes', cases, filter);
