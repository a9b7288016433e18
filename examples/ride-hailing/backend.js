// The ride-hailing back end of the Switchboard ride-hailing example (README.md): what was left of
// the hand-written Socket.IO service once Switchboard took over the sockets. node:http and
// node:crypto only; bookings are kept in memory (a real service would use its database).
//
//   POST /switchboard/location   Switchboard's event proxy (hooks.json): a driver's
//                                location_update {bookingId, lat, lng, heading?}, signed
//                                (docs/hooks.md). Only the booking's driver may send it; it
//                                becomes driver_location_update to the room booking:<id>
//   POST /bookings               the dispatch worker (dispatch-worker.js) records an accepted
//                                booking {bookingId, riderId, driverId, pickup, dropoff}
//                                (needs x-internal-key)
//
// Environment: BACKEND_PORT (4200; 0 = any, the log says which; not PORT, which the
// example's switchboard.json gives Switchboard), HOOKS_SECRET (as Switchboard's
// --hooks-secret), INTERNAL_API_KEY (required from the dispatch worker).
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

const isCoordinate = (v, max) => typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= max;

/** The answer to a driver's location_update (docs/hooks.md, "The answer"). */
function handleLocation(bookings, call) {
  const { bookingId, lat, lng, heading } = call.data || {};
  const booking = bookings.get(String(bookingId));
  if (!booking) return { error: { code: 'unknown_booking', message: `no booking ${bookingId}` } };
  if (booking.driverId !== call.userId) return { error: { code: 'forbidden', message: 'only the booking\'s driver sends its location' } };
  if (!isCoordinate(lat, 90) || !isCoordinate(lng, 180)) return { error: { code: 'invalid_location', message: 'lat and lng must be numbers' } };
  booking.lastLocation = { lat, lng, at: Date.now() };
  return {
    emits: [{
      event: 'driver_location_update',
      room: `booking:${booking.bookingId}`,
      except: { connectionId: call.connectionId },
      payload: { bookingId: booking.bookingId, driverId: call.userId, lat, lng, heading: heading ?? null, timestamp: booking.lastLocation.at },
    }],
  };
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

/** Starts the back end; resolves to { server, port, bookings }. */
function start(opts) {
  const bookings = new Map(); // bookingId -> { bookingId, riderId, driverId, pickup, dropoff }
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
      if (req.method === 'POST' && req.url === '/switchboard/location') {
        const v = verify(opts.hooksSecret, req.headers, raw, seen);
        if (!v.body) return send(v.status, { error: { code: v.reason, message: 'refused' } });
        const answer = handleLocation(bookings, v.body);
        v.handled();
        return send(200, answer);
      }
      if (req.method === 'POST' && req.url === '/bookings') {
        if (!keyMatches(req.headers['x-internal-key'], opts.internalKey)) return send(401, { error: 'unauthorized' });
        const b = JSON.parse(raw.toString('utf8') || '{}');
        if (!b.bookingId || !b.riderId || !b.driverId) return send(400, { error: 'bookingId, riderId and driverId are required' });
        const booking = { bookingId: String(b.bookingId), riderId: String(b.riderId), driverId: String(b.driverId), pickup: b.pickup, dropoff: b.dropoff };
        bookings.set(booking.bookingId, booking);
        return send(201, booking);
      }
      return send(404, { error: 'not_found' });
    } catch (err) {
      return send(500, { error: String(err.message || err) });
    }
  });
  return new Promise((resolve) => server.listen(opts.port, opts.host, () => {
    resolve({ server, port: server.address().port, bookings });
  }));
}

if (require.main === module) {
  const env = process.env;
  if (!env.HOOKS_SECRET || !env.INTERNAL_API_KEY) {
    console.error('set HOOKS_SECRET and INTERNAL_API_KEY (the values Switchboard uses)');
    process.exit(2);
  }
  start({ host: env.HOST || '127.0.0.1', port: Number(env.BACKEND_PORT || 4200), hooksSecret: env.HOOKS_SECRET, internalKey: env.INTERNAL_API_KEY })
    .then(({ port }) => console.log(`ride-hailing back end listening on http://127.0.0.1:${port}`));
}

module.exports = { start, verify };
