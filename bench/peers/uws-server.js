// uWebSockets.js peer for bench/run.sh (optional: BENCH_UWS=1 installs it, see
// docs/benchmarks.md for where the binary comes from). The same minimal service as
// ws-server.js, written the way a uWS.js user would: the JWT is checked in the upgrade handler
// (a bad token gets HTTP 401, no WebSocket), rooms are uWS topics, and a client's emit is
// ws.publish() to the room's topic, which uWS sends to every subscriber but the publisher.
// Same JSON protocol as Switchboard's /ws, so the same load generator drives it.
//
// UWS_MODULE names the module to load instead of the pinned package (bench/peers/uws); the
// smoke test (tests/bench) points it at uws-standin.js, which offers the few calls used here
// on top of `ws`, so this script and run.sh's uws rows are exercised without the binary.
'use strict';
const path = require('node:path');
const jwt = require('jsonwebtoken');

const uwsModule = process.env.UWS_MODULE || path.join(__dirname, 'uws/node_modules/uwebsockets');
let uWS;
try {
  uWS = require(uwsModule);
} catch (e) {
  console.error(`uws peer: cannot load ${uwsModule} (BENCH_UWS=1 bench/run.sh installs it: npm ci in bench/peers/uws): ${e.message}`);
  process.exit(1);
}

const port = Number(process.env.PORT ?? 8092);
const secret = process.env.JWT_SECRET || 'bench-secret';
const internalKey = process.env.INTERNAL_KEY || 'bench-key';
const decoder = new TextDecoder();
const maxBody = 1024 * 1024;

const app = uWS.App();
app.ws('/ws', {
  maxPayloadLength: 64 * 1024,
  maxBackpressure: 16 * 1024 * 1024, // like Switchboard's --max-pending-bytes default
  idleTimeout: 0,
  upgrade: (res, req, context) => {
    const token = new URLSearchParams(req.getQuery() ?? '').get('token');
    let claims;
    try { claims = jwt.verify(token, secret, { algorithms: ['HS256'] }); } catch (e) {
      res.writeStatus('401 Unauthorized').end('invalid token');
      return;
    }
    res.upgrade({ userId: String(claims.sub) }, req.getHeader('sec-websocket-key'),
      req.getHeader('sec-websocket-protocol'), req.getHeader('sec-websocket-extensions'), context);
  },
  open: (ws) => {
    const { userId } = ws.getUserData();
    ws.subscribe(`user:${userId}`);
    ws.send(JSON.stringify({ type: 'connected', userId, rooms: [`user:${userId}`], timestamp: Date.now() }));
  },
  message: (ws, raw) => {
    let m;
    try { m = JSON.parse(decoder.decode(raw)); } catch (e) { ws.send('{"type":"error","message":"invalid json"}'); return; }
    if (m.type === 'subscribe' || m.type === 'join' || m.type === 'join_room') {
      if (typeof m.channel !== 'string' || !m.channel) { ws.send('{"type":"error","message":"channel required"}'); return; }
      ws.subscribe(m.channel);
      ws.send(JSON.stringify({ type: 'subscribed', channel: m.channel }));
    } else if (m.type === 'ping') {
      ws.send(JSON.stringify({ type: 'pong', timestamp: Date.now() }));
    } else if (m.type === 'emit' && typeof m.room === 'string' && ws.isSubscribed(m.room)) {
      ws.publish(m.room, JSON.stringify({ type: m.event, data: m.data, room: m.room, from: ws.getUserData().userId, timestamp: Date.now() }));
    }
  },
});

app.post('/api/v1/internal/emit', (res, req) => {
  if (req.getHeader('x-internal-key') !== internalKey) { res.writeStatus('401 Unauthorized').end(); return; }
  const chunks = [];
  let size = 0;
  let aborted = false;
  res.onAborted(() => { aborted = true; });
  res.onData((chunk, isLast) => {
    if (aborted) return;
    size += chunk.byteLength;
    if (size > maxBody) { aborted = true; res.writeStatus('413 Payload Too Large').end(); return; }
    chunks.push(Buffer.from(chunk.slice(0))); // uWS reuses the chunk's memory after the callback
    if (!isLast) return;
    try {
      const b = JSON.parse(Buffer.concat(chunks).toString());
      app.publish(b.room, JSON.stringify({ type: b.event, data: b.payload, room: b.room, timestamp: Date.now() }));
      res.cork(() => res.writeHeader('content-type', 'application/json').end('{"success":true}'));
    } catch (e) {
      res.cork(() => res.writeStatus('400 Bad Request').end(JSON.stringify({ error: e.message })));
    }
  });
});
app.get('/health', (res) => { res.end('{"status":"ok"}'); });
app.any('/*', (res) => { res.writeStatus('404 Not Found').end(); });

app.listen('127.0.0.1', port, (token) => {
  if (!token) { console.error(`uws peer: cannot listen on 127.0.0.1:${port}`); process.exit(1); }
  console.error(`uws peer listening on http://127.0.0.1:${uWS.us_socket_local_port(token)}`);
});
