// A stand-in for uWebSockets.js with only the calls bench/peers/uws-server.js makes, on top of
// node:http and `ws`. Not a peer and never measured: the smoke test (tests/bench) loads it with
// UWS_MODULE so that uws-server.js and bench/run.sh's uws rows run on machines without the
// optional uWS.js binary (BENCH_UWS=1 uses the real one). Semantics kept from uWS.js: a topic
// publish from a socket skips that socket, HTTP bodies arrive through onData(chunk, isLast)
// as ArrayBuffers, an upgrade handler that answers with end() refuses the WebSocket.
'use strict';
const http = require('node:http');
const { WebSocketServer } = require('ws');

const toArrayBuffer = (b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);

function httpResponse(res, req) {
  let status = 200;
  const headers = {};
  const r = {
    writeStatus(s) { status = Number.parseInt(s, 10); return r; },
    writeHeader(k, v) { headers[k] = v; return r; },
    end(body = '') { res.writeHead(status, headers).end(body); return r; },
    cork(fn) { fn(); return r; },
    onAborted(fn) { req.on('aborted', fn); return r; },
    onData(fn) {
      req.on('data', (c) => fn(toArrayBuffer(c), false));
      req.on('end', () => fn(new ArrayBuffer(0), true));
      return r;
    },
  };
  return r;
}

function App() {
  const routes = []; // { method, path, handler }
  const topics = new Map(); // topic -> Set<wrapper>
  const wsRoutes = new Map(); // path -> behaviour
  const wss = new WebSocketServer({ noServer: true });
  const server = http.createServer((req, res) => {
    const path = req.url.split('?')[0];
    const route = routes.find((r) => (r.method === 'any' || r.method === req.method.toLowerCase()) && (r.path === '/*' || r.path === path));
    if (route) route.handler(httpResponse(res, req), { getHeader: (h) => req.headers[h] ?? '', getUrl: () => path });
    else res.writeHead(404).end();
  });
  const publish = (topic, message, except) => {
    for (const w of topics.get(topic) ?? []) if (w !== except) w.send(message);
  };
  server.on('upgrade', (request, socket, head) => {
    const [path, query = ''] = request.url.split('?');
    const behaviour = wsRoutes.get(path);
    if (!behaviour) { socket.destroy(); return; }
    const res = {
      writeStatus(s) { res.status = s; return res; },
      end(body = '') { socket.end(`HTTP/1.1 ${res.status ?? '200 OK'}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`); },
      upgrade(userData) {
        wss.handleUpgrade(request, socket, head, (client) => {
          const subscribed = new Set();
          const w = {
            getUserData: () => userData,
            send: (m) => client.send(m),
            subscribe: (t) => { subscribed.add(t); if (!topics.has(t)) topics.set(t, new Set()); topics.get(t).add(w); return true; },
            isSubscribed: (t) => subscribed.has(t),
            publish: (t, m) => publish(t, m, w),
            end: (code, reason) => client.close(code, reason),
          };
          client.on('message', (data, isBinary) => behaviour.message?.(w, toArrayBuffer(data), isBinary));
          client.on('close', (code, reason) => {
            for (const t of subscribed) { const s = topics.get(t); s.delete(w); if (!s.size) topics.delete(t); }
            behaviour.close?.(w, code, toArrayBuffer(reason));
          });
          behaviour.open?.(w);
        });
      },
    };
    behaviour.upgrade(res, { getQuery: () => query, getHeader: (h) => request.headers[h] ?? '', getUrl: () => path }, {});
  });
  const app = {
    ws(path, behaviour) { wsRoutes.set(path, behaviour); return app; },
    get(path, handler) { routes.push({ method: 'get', path, handler }); return app; },
    post(path, handler) { routes.push({ method: 'post', path, handler }); return app; },
    any(path, handler) { routes.push({ method: 'any', path, handler }); return app; },
    publish(topic, message) { publish(topic, message, null); return true; },
    listen(host, port, cb) {
      server.once('error', () => cb(false));
      server.listen(port, host, () => cb(server));
      return app;
    },
  };
  return app;
}

module.exports = { App, us_socket_local_port: (token) => token.address().port };
