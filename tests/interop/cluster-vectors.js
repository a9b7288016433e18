// Golden vectors of the Socket.IO Redis wire format, captured at test time from the real npm
// packages (issue 13): @socket.io/redis-emitter 5.1 and two socket.io 4.8 servers with
// @socket.io/redis-adapter 8.3 on a throwaway redis-server. Every message published while
// they work is recorded as { name, channel, hex, decoded } (decoded by the packages' own
// msgpack, notepack.io, or JSON; Buffers as {"$bin": hex}). tst_adaptercodec decodes each with
// Switchboard's codec and compares.
// Usage: node cluster-vectors.js OUTFILE
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');

const { startRedis, within, until } = require('./lib');
const { createClient } = require('redis');
const { Emitter } = require('@socket.io/redis-emitter');
const { Server } = require('socket.io');
const { createAdapter } = require('@socket.io/redis-adapter');
const { io: ioClient } = require('socket.io-client');
const notepack = require('notepack.io');

const out = process.argv[2];
assert.ok(out, 'pass the output file');

function plain(v) {
  if (Buffer.isBuffer(v)) return { $bin: v.toString('hex') };
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

async function main() {
  const redis = await startRedis();
  const clients = [];
  const servers = [];
  try {
    const recorder = createClient({ url: redis.url });
    const pub = createClient({ url: redis.url });
    clients.push(recorder, pub);
    await Promise.all([recorder.connect(), pub.connect()]);
    const vectors = [];
    let current = '';
    let marks = 0;
    let lastMark = -1;
    await recorder.pSubscribe('*', (message, channel) => {
      const name = channel.toString();
      if (name.startsWith('vectors:mark:')) { lastMark = Number(name.slice(13)); return; }
      const decoded = message[0] === 0x7b ? JSON.parse(message.toString()) : notepack.decode(message);
      vectors.push({ name: `${current} #${vectors.filter((v) => v.name.startsWith(current + ' #')).length}`,
        channel: name, hex: message.toString('hex'), decoded: plain(decoded) });
    }, true);
    /** Runs @p action, then waits until everything it published has been recorded. */
    async function step(name, action, client = pub) {
      current = name;
      await action();
      await client.ping(); // its publishes are processed
      const mark = marks++;
      await pub.publish(`vectors:mark:${mark}`, '');
      await until(() => lastMark >= mark, `mark ${mark}`);
    }

    // The emitter (uid "emitter").
    const emitterClient = createClient({ url: redis.url });
    clients.push(emitterClient);
    await emitterClient.connect();
    const emitter = new Emitter(emitterClient);
    await step('emitter broadcast', () => emitter.emit('ev', 1, 'a'), emitterClient);
    await step('emitter to one room', () => emitter.to('room1').emit('ev', { x: 1 }), emitterClient);
    await step('emitter to two rooms', () => emitter.to(['r1', 'r2']).emit('ev', true), emitterClient);
    await step('emitter except', () => emitter.except('r3').emit('ev', null, 2.5), emitterClient);
    await step('emitter namespace', () => emitter.of('/admin').to('x').emit('ev', 'hi'), emitterClient);
    await step('emitter binary', () => emitter.to('room1').emit('ev', Buffer.from([0, 1, 255]), { f: Buffer.from('ab') }), emitterClient);
    await step('emitter socketsJoin', () => emitter.socketsJoin('r'), emitterClient);
    await step('emitter socketsLeave', () => emitter.in('a').socketsLeave('b'), emitterClient);
    await step('emitter disconnectSockets', () => emitter.disconnectSockets(true), emitterClient);
    await step('emitter serverSideEmit', () => emitter.serverSideEmit('hello', 1), emitterClient);
    await step('emitter custom key', () => new Emitter(emitterClient, { key: 'custom' }).emit('ev', 1), emitterClient);

    // Two socket.io servers with the adapter; a client on the second.
    for (let i = 0; i < 2; ++i) {
      const p = createClient({ url: redis.url });
      const s = p.duplicate();
      clients.push(p, s);
      await Promise.all([p.connect(), s.connect()]);
      const httpServer = http.createServer();
      const io = new Server(httpServer, { adapter: createAdapter(p, s, { requestsTimeout: 3000 }) });
      io.on('connection', (socket) => socket.join('room'));
      io.on('x', (arg, cb) => cb && cb({ got: arg }));
      await new Promise((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
      servers.push({ io, port: httpServer.address().port, pub: p });
    }
    const [one, two] = servers;
    const c = ioClient(`http://127.0.0.1:${two.port}`, { forceNew: true, reconnection: false, transports: ['websocket'] });
    c.on('e', (arg, cb) => cb('pong'));
    await within(new Promise((resolve) => c.on('connect', resolve)), 5000, 'the client');
    await step('adapter to room', () => one.io.to('room').emit('ev', 1), one.pub);
    await step('adapter fetchSockets', async () => assert.equal((await one.io.fetchSockets()).length, 1), one.pub);
    await step('adapter allRooms', async () => assert.ok((await one.io.of('/').adapter.allRooms()).has('room')), one.pub);
    await step('adapter serverSideEmit with ack', async () => assert.deepEqual(await one.io.serverSideEmitWithAck('x', 1), [{ got: 1 }]), one.pub);
    await step('adapter broadcast with ack', async () => assert.deepEqual(await one.io.timeout(3000).emitWithAck('e', 1), ['pong']), one.pub);
    await step('adapter disconnectSockets', () => one.io.disconnectSockets(true), one.pub);
    c.disconnect();

    fs.writeFileSync(out, JSON.stringify(vectors, null, 1));
    console.log(`${vectors.length} vectors written to ${out}`);
    assert.ok(vectors.length >= 20, 'every step published something');
  } finally {
    for (const s of servers) s.io.close();
    await Promise.all(clients.map((cl) => cl.quit().catch(() => {})));
    await redis.cleanup();
  }
}

main().then(() => process.exit(0), (err) => { console.error(err); process.exit(1); });
