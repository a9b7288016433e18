// The test back end of the event proxy (docs/hooks.md): a plain node:http server that verifies
// Switchboard's signature exactly as docs/hooks.md tells a back end to, refuses what fails
// (401) and replays (409), records every call, and answers per path. node:http and
// node:crypto only.
'use strict';
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const http = require('node:http');

const MAX_BODY = 1024 * 1024;

/**
 * Checks a request's signature: { ok: true } or { ok: false, status, reason }.
 * @p seen (a Map requestId -> expiry, seconds) refuses a second request with the same
 * requestId once one was handled; the caller marks it handled (handled()).
 */
function verify(secret, headers, rawBody, { windowSeconds = 300, seen = new Map(), nowSeconds = Date.now() / 1000 } = {}) {
  const timestamp = headers['x-switchboard-timestamp'];
  const signature = headers['x-switchboard-signature'];
  if (!timestamp || !signature || !/^\d+$/.test(timestamp)) return { ok: false, status: 401, reason: 'missing_signature' };
  if (Math.abs(nowSeconds - Number(timestamp)) > windowSeconds) return { ok: false, status: 401, reason: 'stale_timestamp' };
  const expected = 'v1=' + crypto.createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
  const given = Buffer.from(String(signature));
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, Buffer.from(expected))) {
    return { ok: false, status: 401, reason: 'bad_signature' };
  }
  let body;
  try { body = JSON.parse(rawBody.toString('utf8')); } catch { return { ok: false, status: 400, reason: 'not_json' }; }
  for (const [id, until] of seen) if (until < nowSeconds) seen.delete(id);
  if (seen.has(body.requestId)) return { ok: false, status: 409, reason: 'replayed' };
  return { ok: true, body, handled: () => seen.set(body.requestId, nowSeconds + 2 * windowSeconds) };
}

/**
 * Starts the back end on 127.0.0.1 (a free port): { url, port, calls, refused, route(path, fn),
 * waitCalls(path, n), close() }. A route's fn(body, req) returns { status?, json?, raw?, hold? }:
 * hold: a promise the answer waits for (a slow back end).
 */
function startBackend(secret) {
  const calls = [];    // verified: { path, headers, body, raw }
  const refused = [];  // { path, reason }
  const routes = new Map();
  const waiters = [];
  const seen = new Map();
  const notify = () => {
    for (let i = waiters.length - 1; i >= 0; --i) {
      const w = waiters[i];
      if (calls.filter((c) => c.path === w.path).length >= w.n) { waiters.splice(i, 1); w.resolve(); }
    }
  };
  const server = http.createServer((req, res) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => { size += c.length; if (size <= MAX_BODY) chunks.push(c); });
    req.on('end', async () => {
      const raw = Buffer.concat(chunks);
      const send = (status, json, text) => {
        const out = text !== undefined ? text : JSON.stringify(json);
        res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) });
        res.end(out);
      };
      if (size > MAX_BODY) return send(413, { error: 'too_large' });
      const v = verify(secret, req.headers, raw, { seen });
      if (!v.ok) {
        refused.push({ path: req.url, reason: v.reason });
        return send(v.status, { error: { code: v.reason, message: 'refused by the back end' } });
      }
      calls.push({ path: req.url, headers: req.headers, body: v.body, raw });
      notify();
      const fn = routes.get(req.url);
      const answer = fn ? await fn(v.body, req) : { status: 404, json: { error: 'no route' } };
      if (answer.hold) await answer.hold;
      if ((answer.status || 200) < 300) v.handled(); // only a handled event counts as seen
      if (res.destroyed) return;
      send(answer.status || 200, answer.json, answer.raw);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    resolve({
      port,
      url: `http://127.0.0.1:${port}`,
      calls,
      refused,
      route: (path, fn) => routes.set(path, fn),
      /** Resolves once @p n verified calls reached @p path. */
      waitCalls: (path, n) => new Promise((r) => { waiters.push({ path, n, resolve: r }); notify(); }),
      close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }),
    });
  }));
}

/** A value of /metrics, e.g. metric(port, 'switchboard_hook_calls_total{rule="notifications"}'). */
async function metric(port, name) {
  const { internalKey } = require('./lib');
  const res = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { 'x-internal-key': internalKey } });
  const text = await res.text();
  const line = text.split('\n').find((l) => l.startsWith(name + ' '));
  assert.ok(line, `${name} in /metrics`);
  return Number(line.slice(name.length + 1));
}

/** Asserts that recorded @p call carries a v1 signature that verifies with @p secret. */
function assertSigned(call, secret) {
  assert.match(call.headers['x-switchboard-signature'], /^v1=[0-9a-f]{64}$/);
  const v = verify(secret, call.headers, call.raw, { seen: new Map() });
  assert.ok(v.ok, `signature verifies: ${v.reason}`);
}

module.exports = { startBackend, verify, metric, assertSigned };
