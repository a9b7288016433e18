// The dispatch worker of the ride-hailing example (README.md): the job the old service ran on its
// own job queue. Riders' booking_request events land in Switchboard's durable queue
// booking_requests (hooks.json, a "queue" rule); this worker consumes it over the native
// WebSocket protocol (docs/protocol.md, docs/queues.md), picks a driver, records the booking in
// backend.js, tells the rider (booking_accepted to rider:<id>) and the driver (booking_assigned
// to driver:<id>) through Switchboard's internal emit, and acks the job — or nacks it, so the
// queue tries again, when any step failed.
//
// Needs the npm package `ws` (Node 20 has no WebSocket client built in).
// Environment: SWITCHBOARD_URL (http://127.0.0.1:8080), WORKER_TOKEN (a client token for the
// worker, e.g. `switchboard token --user dispatch-worker`), INTERNAL_API_KEY, BACKEND_URL
// (http://127.0.0.1:4200), DRIVER_IDS (comma-separated drivers to assign in turn).
'use strict';

/**
 * Starts a worker; returns { ws, ready (a promise: consuming), close() }. @p opts.onJob, when
 * given, is called with each job before it is handled (for logs or tests).
 */
function startWorker(opts) {
  const { WebSocket, switchboardUrl, token, internalKey, backendUrl, drivers } = opts;
  const queue = opts.queue || 'booking_requests';
  let turn = 0;
  const post = async (url, body) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-internal-key': internalKey },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${url} answered ${res.status}: ${await res.text()}`);
    return res.json();
  };
  const emit = (body) => post(`${switchboardUrl}/api/v1/internal/emit`, body);

  async function handle(job) {
    const request = job.data;                   // the event proxy's request body (docs/hooks.md)
    const riderId = request.userId;
    const { pickup, dropoff } = request.data || {};
    const driverId = drivers[turn++ % drivers.length];
    const bookingId = String(job.id);
    await post(`${backendUrl}/bookings`, { bookingId, riderId, driverId, pickup, dropoff });
    const room = `booking:${bookingId}`;
    await emit({ event: 'booking_accepted', room: `rider:${riderId}`, payload: { bookingId, room, driverId, pickup, dropoff } });
    await emit({ event: 'booking_assigned', room: `driver:${driverId}`, payload: { bookingId, room, riderId, pickup, dropoff } });
  }

  const ws = new WebSocket(`${switchboardUrl.replace(/^http/, 'ws')}/ws?token=${encodeURIComponent(token)}`);
  const send = (msg) => ws.send(JSON.stringify(msg));
  const ready = new Promise((resolve, reject) => {
    ws.on('error', reject);
    ws.on('message', async (raw) => {
      const msg = JSON.parse(raw.toString());
      if (msg.type === 'connected') send({ type: 'consume', queue });
      else if (msg.type === 'consuming') resolve();
      else if (msg.type === 'error') console.error(`dispatch worker: ${msg.code}: ${msg.message}`);
      else if (msg.type === 'job') {
        if (opts.onJob) opts.onJob(msg);
        try {
          await handle(msg);
          send({ type: 'ack', id: msg.id });
        } catch (err) {
          console.error(`dispatch worker: job ${msg.id}: ${err.message}`);
          send({ type: 'nack', id: msg.id, error: err.message });
        }
      }
    });
  });
  return { ws, ready, close: () => ws.close() };
}

if (require.main === module) {
  const env = process.env;
  if (!env.WORKER_TOKEN || !env.INTERNAL_API_KEY || !env.DRIVER_IDS) {
    console.error('set WORKER_TOKEN, INTERNAL_API_KEY and DRIVER_IDS');
    process.exit(2);
  }
  const worker = startWorker({
    WebSocket: require('ws'),
    switchboardUrl: env.SWITCHBOARD_URL || 'http://127.0.0.1:8080',
    token: env.WORKER_TOKEN,
    internalKey: env.INTERNAL_API_KEY,
    backendUrl: env.BACKEND_URL || 'http://127.0.0.1:4200',
    drivers: (env.DRIVER_IDS || '').split(',').filter(Boolean),
  });
  worker.ready.then(() => console.log('dispatch worker consuming booking_requests'),
    (err) => { console.error(`dispatch worker: ${err.message}`); process.exit(1); });
}

module.exports = { startWorker };
