// Socket.IO 4.8 peer for bench/run.sh: the same minimal service as ws-server.js (JWT auth,
// rooms, client emits to a room, an internal HTTP emit) written the way a Socket.IO user
// would. WebSocket transport only, so the load generator speaks Engine.IO 4 over one socket.
//
// Client side (what switchboard-loadgen --protocol socketio sends):
//   connect   GET /socket.io/?EIO=4&transport=websocket, then 40{"token":"JWT"}
//   join      42["join_room","room"]                      -> 42["subscribed",{"channel":"room"}]
//   emit      42["emit",{"room":..,"event":..,"data":..}] -> 42["<event>",data] to the room, not the sender
//   echo      42["echo",data]                             -> 42["echo",data]
'use strict';
const http = require('node:http');
const jwt = require('jsonwebtoken');
const { Server } = require('socket.io');

const port = Number(process.env.PORT ?? 8091);
const secret = process.env.JWT_SECRET || 'bench-secret';
const internalKey = process.env.INTERNAL_KEY || 'bench-key';

const httpServer = http.createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/api/v1/internal/emit') {
    if (req.headers['x-internal-key'] !== internalKey) { res.writeHead(401).end(); return; }
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      try {
        const b = JSON.parse(body);
        const delivered = io.sockets.adapter.rooms.get(b.room)?.size ?? 0;
        io.to(b.room).emit(b.event, b.payload);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ success: true, delivered }));
      } catch (e) {
        res.writeHead(400).end(JSON.stringify({ error: e.message }));
      }
    });
    return;
  }
  if (req.url === '/health') { res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}'); return; }
  res.writeHead(404).end();
});

const io = new Server(httpServer, { transports: ['websocket'], serveClient: false });
// REDIS_URL: a member of a Socket.IO cluster through @socket.io/redis-adapter (bench/cluster.sh).
const ready = process.env.REDIS_URL ? (async () => {
  const { createClient } = require('redis');
  const { createAdapter } = require('@socket.io/redis-adapter');
  const pub = createClient({ url: process.env.REDIS_URL });
  const sub = pub.duplicate();
  await Promise.all([pub.connect(), sub.connect()]);
  io.adapter(createAdapter(pub, sub));
})() : Promise.resolve();

io.use((socket, next) => {
  try {
    const claims = jwt.verify(socket.handshake.auth?.token, secret, { algorithms: ['HS256'] });
    socket.data.userId = String(claims.sub ?? claims.userId);
    next();
  } catch (e) {
    next(new Error('invalid token'));
  }
});

io.on('connection', (socket) => {
  socket.join(`user:${socket.data.userId}`);
  socket.on('join_room', (room) => {
    if (typeof room !== 'string') return;
    socket.join(room);
    socket.emit('subscribed', { channel: room });
  });
  socket.on('emit', (m) => {
    if (m && typeof m.room === 'string' && socket.rooms.has(m.room)) socket.to(m.room).emit(m.event, m.data);
  });
  socket.on('echo', (data) => socket.emit('echo', data));
});

ready.then(() => httpServer.listen(port, '127.0.0.1', () => {
  console.error(`socket.io peer listening on http://127.0.0.1:${httpServer.address().port}`);
}));
