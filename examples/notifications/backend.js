// The notification back end of the Switchboard notification example (README.md): what was left
// of the hand-written Socket.IO service once Switchboard took over the sockets. node:http and
// node:crypto only; the store is in memory (a real one would use its database).
//
//   POST /switchboard/events   Switchboard's event proxy (hooks.json): mark_read, mark_all_read,
//                              get_unread_count from clients, signed (docs/hooks.md)
//   POST /notify               other services: {userId, title, body}; stores the notification,
//                              pushes it through Switchboard's internal emit and waits for the
//                              clients' acks; answers who got it (needs x-internal-key)
//
// Environment: BACKEND_PORT (4100; 0 = any, the log says which; not PORT, which the
// example's switchboard.json gives Switchboard), HOOKS_SECRET (as Switchboard's
// --hooks-secret), SWITCHBOARD_URL (http://127.0.0.1:8080), INTERNAL_API_KEY (Switchboard's
// --internal-key, also required from callers of /notify), ACK_WAIT_MS (3000).
'use strict';
const crypto = require('node:crypto');
const http = require('node:http');

const MAX_BODY = 64 * 1024;
const WINDOW_SECONDS = 300;

/**
 * Checks a signed call from Switchboard exactly as docs/hooks.md says: a fresh timestamp, the
 * HMAC over "<timestamp>.<raw body>" compared in constant time, and a requestId not handled
 * before. Returns { body, handled() } or { status, reason }.
 */
function verify(secret, headers, rawBody, seen) {
  const ts = headers['x-switchboard-timestamp'];
  const sig = String(headers['x-switchboard-signature'] || '');
  const now = Date.now() / 1000;
  if (!/^\d+$/.test(ts || '') || Math.abs(now - Number(ts)) > WINDOW_SECONDS) return { status: 401, reason: 'stale_timestamp' };
  const expected = 'v1=' + crypto.createHmac('sha256', secret).update(`${ts}.`).update(rawBody).digest('hex');
  if (sig.length !== expected.length || !crypto.timingSafeEqual(Buffer.from(sig), Buffer.from(expected))) {
    return { status: 401, reason: 'bad_signature' };
  }
  let body;
  try { body = JSON.parse(rawBody); } catch { return { status: 400, reason: 'not_json' }; }
  for (const [id, until] of seen) if (until < now) seen.delete(id);
  if (seen.has(body.requestId)) return { status: 409, reason: 'replayed' };
  return { body, handled: () => seen.set(body.requestId, now + 2 * WINDOW_SECONDS) };
}

/** The notification store: userId -> notifications, newest last. */
class Store {
  constructor() { this.byUser = new Map(); }
  list(userId) { return this.byUser.get(userId) || []; }
  add(userId, title, text) {
    const n = { id: crypto.randomUUID(), title, body: text, createdAt: new Date().toISOString(), read: false };
    if (!this.byUser.has(userId)) this.byUser.set(userId, []);
    this.byUser.get(userId).push(n);
    return n;
  }
  unread(userId) { return this.list(userId).filter((n) => !n.read).length; }
}

/** The answer to one proxied client event (docs/hooks.md, "The answer"). */
function handleEvent(store, call) {
  const { event, userId, connectionId } = call;
  const data = call.data || {};
  // The user's other sockets learn about the change; the sender has its reply.
  const toOthers = (payload) => [{ event: 'notification:read', userId, payload, except: { connectionId } }];
  switch (event) {
    case 'mark_read': {
      const n = store.list(userId).find((x) => x.id === data.notificationId);
      if (!n) return { error: { code: 'not_found', message: `no notification ${data.notificationId}` } };
      n.read = true;
      const unreadCount = store.unread(userId);
      return {
        reply: { success: true, notificationId: n.id, unreadCount },
        emits: toOthers({ notificationId: n.id, unreadCount }),
      };
    }
    case 'mark_all_read':
      store.list(userId).forEach((n) => { n.read = true; });
      return { reply: { success: true, unreadCount: 0 }, emits: toOthers({ all: true, unreadCount: 0 }) };
    case 'get_unread_count':
      return { reply: { unreadCount: store.unread(userId) } };
    default:
      return { error: { code: 'unknown_event', message: `${event} is not handled here` } };
  }
}

/** Switchboard's internal emit (docs/http-api.md), waiting up to ackWaitMs for the clients' acks. */
async function pushNotification(opts, userId, notification, unreadCount) {
  const res = await fetch(`${opts.switchboardUrl}/api/v1/internal/emit`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-internal-key': opts.internalKey },
    body: JSON.stringify({ event: 'notification', userId, payload: { notification, unreadCount },
      ack: true, waitMs: opts.ackWaitMs }),
  });
  const answer = await res.json();
  if (!res.ok) throw new Error(`switchboard answered ${res.status}: ${JSON.stringify(answer)}`);
  return answer;
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => { size += c.length; if (size <= MAX_BODY) chunks.push(c); });
    req.on('end', () => (size > MAX_BODY ? reject(new Error('too_large')) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

function keyMatches(given, key) {
  const a = Buffer.from(String(given || ''));
  const b = Buffer.from(key);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

/** Starts the back end; resolves to { server, port, store }. */
function start(opts) {
  const store = new Store();
  const seen = new Map();
  const server = http.createServer(async (req, res) => {
    const send = (status, json) => {
      const out = JSON.stringify(json);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) });
      res.end(out);
    };
    let raw;
    try { raw = await readBody(req); } catch { return send(413, { error: 'too_large' }); }
    try {
      if (req.method === 'POST' && req.url === '/switchboard/events') {
        const v = verify(opts.hooksSecret, req.headers, raw, seen);
        if (!v.body) return send(v.status, { error: { code: v.reason, message: 'refused' } });
        const answer = handleEvent(store, v.body);
        v.handled();
        return send(200, answer);
      }
      if (req.method === 'POST' && req.url === '/notify') {
        if (!keyMatches(req.headers['x-internal-key'], opts.internalKey)) return send(401, { error: 'unauthorized' });
        const { userId, title, body } = JSON.parse(raw.toString('utf8') || '{}');
        if (typeof userId !== 'string' || !userId || typeof title !== 'string') return send(400, { error: 'userId and title are required' });
        const notification = store.add(userId, title, String(body || ''));
        const unreadCount = store.unread(userId);
        const r = await pushNotification(opts, userId, notification, unreadCount);
        return send(200, {
          notification, unreadCount, delivered: r.delivered,
          acked: r.acks.filter((a) => a.ok).map((a) => a.connectionId),
          timedOut: r.timedOut.map((t) => t.connectionId),
        });
      }
      return send(404, { error: 'not_found' });
    } catch (err) {
      return send(500, { error: String(err.message || err) });
    }
  });
  return new Promise((resolve) => server.listen(opts.port, opts.host, () => {
    resolve({ server, port: server.address().port, store });
  }));
}

if (require.main === module) {
  const env = process.env;
  if (!env.HOOKS_SECRET || !env.INTERNAL_API_KEY) {
    console.error('set HOOKS_SECRET and INTERNAL_API_KEY (the values Switchboard uses)');
    process.exit(2);
  }
  start({
    host: env.HOST || '127.0.0.1',
    port: Number(env.BACKEND_PORT || 4100),
    hooksSecret: env.HOOKS_SECRET,
    internalKey: env.INTERNAL_API_KEY,
    switchboardUrl: env.SWITCHBOARD_URL || 'http://127.0.0.1:8080',
    ackWaitMs: Number(env.ACK_WAIT_MS || 3000),
  }).then(({ port }) => console.log(`notification back end listening on http://127.0.0.1:${port}`));
}

module.exports = { start, verify };
