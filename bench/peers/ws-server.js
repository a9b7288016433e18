// `ws` 8 peer for bench/run.sh (and bench/compare.sh): what teams typically hand-write in
// Node — `ws` + JWT + rooms + an internal emit endpoint — speaking the same JSON protocol as
// Switchboard's /ws, so the same load generator drives both. Single process, like most such
// services.
'use strict';
const http = require('node:http');
const { URL } = require('node:url');
const jwt = require('jsonwebtoken');
const { WebSocketServer } = require('ws');

const port = Number(process.env.PORT ?? 8090);
const secret = process.env.JWT_SECRET || 'bench-secret';
const internalKey = process.env.INTERNAL_KEY || 'bench-key';
const rooms = new Map(); // room -> Set<ws>

function join(ws, room) {
  if (!rooms.has(room)) rooms.set(room, new Set());
  rooms.get(room).add(ws);
  ws.rooms.add(room);
}

function emitTo(room, message, except) {
  const members = rooms.get(room);
  if (!members) return 0;
  const frame = JSON.stringify(message);
  let n = 0;
  for (const ws of members) {
    if (ws !== except && ws.readyState === 1) { ws.send(frame); n++; }
  }
  return n;
}

const server = http.createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/api/v1/internal/emit') {
    if (req.headers['x-internal-key'] !== internalKey) { res.writeHead(401).end(); return; }
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      try {
        const b = JSON.parse(body);
        const delivered = emitTo(b.room, { type: b.event, data: b.payload, room: b.room, timestamp: Date.now() });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ success: true, delivered }));
      } catch (e) {
        res.writeHead(400).end(JSON.stringify({ error: e.message }));
      }
    });
    return;
  }
  if (req.url === '/health') { res.writeHead(200).end('{"status":"ok"}'); return; }
  res.writeHead(404).end();
});

const wss = new WebSocketServer({ server, path: '/ws' });
wss.on('connection', (ws, req) => {
  const token = new URL(req.url, 'http://x').searchParams.get('token');
  let claims;
  try { claims = jwt.verify(token, secret, { algorithms: ['HS256'] }); } catch (e) { ws.close(4002, 'invalid token'); return; }
  ws.rooms = new Set();
  join(ws, `user:${claims.sub}`);
  ws.send(JSON.stringify({ type: 'connected', userId: claims.sub, rooms: [...ws.rooms], timestamp: Date.now() }));
  ws.on('message', (raw) => {
    let m;
    try { m = JSON.parse(raw); } catch (e) { ws.send('{"type":"error","message":"invalid json"}'); return; }
    if (m.type === 'subscribe' || m.type === 'join' || m.type === 'join_room') { join(ws, m.channel); ws.send(JSON.stringify({ type: 'subscribed', channel: m.channel })); }
    else if (m.type === 'ping') ws.send(JSON.stringify({ type: 'pong', timestamp: Date.now() }));
    else if (m.type === 'emit' && ws.rooms.has(m.room)) emitTo(m.room, { type: m.event, data: m.data, room: m.room, from: claims.sub, timestamp: Date.now() }, ws);
  });
  ws.on('close', () => { for (const r of ws.rooms) { const s = rooms.get(r); s.delete(ws); if (!s.size) rooms.delete(r); } });
});

server.listen(port, '127.0.0.1', () => {
  console.error(`ws peer listening on http://127.0.0.1:${server.address().port}`);
});
