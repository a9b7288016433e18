// Issue 14, "done when": the seed-style ride-hailing service of examples/ride-hailing/ runs on the
// real binary with the example's config file, its backend.js and its dispatch worker, and its
// clients behave as they did against the hand-written Socket.IO service: `?user_type=` puts
// drivers in driver:<sub> and riders in rider:<sub>; a rider's booking_request goes into the
// durable queue booking_requests, which the dispatch worker (dispatch-worker.js on a `ws` client,
// the native queue protocol) consumes before it emits booking_accepted to the rider and
// booking_assigned to the driver over HTTP; the rider joins booking:<id> and watches its presence;
// the driver's location_update every second becomes driver_location_update for the room, and only
// the booking's driver may send it; typing / chat_message relay through `roomId`. Who must not
// receive an event is checked after a barrier. Clients: socket.io-client and ws.
// Usage: node example-ride-hailing.js <switchboard binary>
'use strict';
const assert = require('node:assert/strict');
const path = require('node:path');
const WebSocket = require('ws');

const { client, sio, connected, until } = require('./lib');
const examplelib = require('./examplelib');

const { startExample, signToken, postJson, recordEvents, nextEvent, runSequence, examplesDir } = examplelib;
const { startWorker } = require(path.join(examplesDir, 'ride-hailing', 'dispatch-worker.js'));

async function main() {
  const ex = await startExample(process.argv[2], 'ride-hailing');
  const token = (sub) => signToken(ex.secrets.JWT_SECRET, { sub });
  const internal = { 'x-internal-key': ex.secrets.INTERNAL_API_KEY };
  const send = (ws, msg) => ws.send(JSON.stringify(msg));
  const ack = (s, event, ...args) => s.timeout(5000).emitWithAck(event, ...args);
  const rider = (sub, opts = {}) => recordEvents(sio(ex.port, { auth: { token: token(sub) }, query: { user_type: 'rider' }, ...opts }));

  let worker; const jobs = [];
  let alice; let carol; let dan; let erin; // riders Alice and Carol (socket.io), drivers Dan (ws) and Erin (socket.io)
  let booking;
  const barrier = () => examplelib.barrier(ex, [
    { userId: 'rider-alice', s: alice }, { userId: 'rider-carol', s: carol },
    { userId: 'driver-dan', ws: dan }, { userId: 'driver-erin', s: erin }]);

  const cases = [
    ['user_type from the query: drivers in driver:<sub>, riders in rider:<sub>; `connected` with the socket id; a bad user_type is refused', async () => {
      alice = rider('rider-alice');
      const hello = nextEvent(alice, 'connected');
      await connected(alice);
      assert.equal((await hello).socketId, alice.id);
      carol = rider('rider-carol');
      await connected(carol);
      dan = client(`ws://127.0.0.1:${ex.port}/ws?token=${token('driver-dan')}&user_type=driver`);
      const welcome = await dan.next('connected');
      assert.deepEqual(welcome.rooms.sort(), ['driver:driver-dan', 'user:driver-dan']);
      erin = recordEvents(sio(ex.port, { auth: { token: token('driver-erin') }, query: { user_type: 'driver' } }));
      await connected(erin);
      const members = await (await fetch(`${ex.url}/api/rooms/rider:rider-alice`, { headers: internal })).json();
      assert.equal(members.count, 1, JSON.stringify(members));
      // A user_type off the list (user_type=driver|rider), or one spelling another prefix, is refused.
      for (const userType of ['admin', 'driver:x']) {
        const s = sio(ex.port, { auth: { token: token('rider-mallory') }, query: { user_type: userType } });
        const err = await new Promise((resolve, reject) => {
          s.once('connect_error', resolve);
          s.once('connect', () => reject(new Error(`connected with user_type=${userType}`)));
        });
        assert.match(err.message, /user_type|not allowed/, err.message);
        s.close();
      }
      // The listed values' rooms are the server's: another rider cannot join Alice's room.
      const refused = await carol.timeout(5000).emitWithAck('join_room', 'rider:rider-alice');
      assert.equal(refused.ok, false, JSON.stringify(refused));
      const still = await (await fetch(`${ex.url}/api/rooms/rider:rider-alice`, { headers: internal })).json();
      assert.equal(still.count, 1, JSON.stringify(still));
    }],

    ['booking_request goes into the durable queue; the ws dispatch worker takes it, the rider gets booking_accepted, the driver booking_assigned, nobody else', async () => {
      worker = startWorker({
        WebSocket, switchboardUrl: ex.url, token: token('dispatch-worker'), internalKey: ex.secrets.INTERNAL_API_KEY,
        backendUrl: ex.backendUrl, drivers: ['driver-dan'], onJob: (job) => jobs.push(job),
      });
      await worker.ready;
      const accepted = nextEvent(alice, 'booking_accepted');
      const pickup = { lat: 52.52, lng: 13.405 };
      const dropoff = { lat: 52.5, lng: 13.45 };
      const queued = await ack(alice, 'booking_request', { pickup, dropoff });
      assert.deepEqual([queued.queued, queued.queue], [true, 'booking_requests']);
      booking = await accepted;
      assert.deepEqual(booking, { bookingId: queued.jobId, room: `booking:${queued.jobId}`, driverId: 'driver-dan', pickup, dropoff });
      const assigned = await dan.next('booking_assigned');
      assert.equal(assigned.room, 'driver:driver-dan');
      assert.deepEqual(assigned.data, { bookingId: queued.jobId, room: booking.room, riderId: 'rider-alice', pickup, dropoff });
      // The job the worker got: the event proxy's request, with the rider as the sender.
      assert.equal(jobs.length, 1);
      assert.equal(jobs[0].queue, 'booking_requests');
      assert.equal(jobs[0].id, queued.jobId);
      assert.deepEqual([jobs[0].data.event, jobs[0].data.userId, jobs[0].data.protocol], ['booking_request', 'rider-alice', 'socket.io']);
      assert.deepEqual(jobs[0].data.data, { pickup, dropoff });
      // Acked: nothing left in the queue.
      await until(async () => {
        const { queues } = await (await fetch(`${ex.url}/api/queue/stats`)).json();
        const q = Array.isArray(queues) ? queues.find((x) => x.name === 'booking_requests') : (queues || {}).booking_requests;
        return q && q.acked === 1 && q.depth === 0 && q.consumers === 1;
      }, 'the job acked, booking_requests empty, one consumer');
      await barrier();
      assert.equal(carol.count('booking_accepted'), 0);
      assert.equal(erin.count('booking_assigned'), 0);
      assert.equal(dan.unread('booking_accepted'), 0);
    }],

    ['the rider joins booking:<id> and watches its presence: the driver\'s arrival and departure', async () => {
      assert.deepEqual(await ack(alice, 'join_room', booking.room), { ok: true, room: booking.room });
      const snapshot = nextEvent(alice, 'presence:snapshot');
      assert.deepEqual(await ack(alice, 'presence_subscribe', { room: booking.room }), { ok: true, room: booking.room });
      assert.deepEqual(await snapshot, { room: booking.room, users: ['rider-alice'] });
      const arrived = nextEvent(alice, 'presence:join');
      send(dan, { type: 'subscribe', channel: booking.room });
      assert.equal((await dan.next('subscribed')).channel, booking.room);
      assert.deepEqual(await arrived, { room: booking.room, userId: 'driver-dan' });
      // Erin joins and leaves again: presence follows her too.
      const erinIn = nextEvent(alice, 'presence:join');
      assert.equal((await ack(erin, 'join_room', booking.room)).ok, true);
      assert.equal((await erinIn).userId, 'driver-erin');
      const erinOut = nextEvent(alice, 'presence:leave');
      assert.equal((await ack(erin, 'leave_room', booking.room)).ok, true);
      assert.deepEqual(await erinOut, { room: booking.room, userId: 'driver-erin' });
    }],

    ['the driver\'s location_update every second reaches the rider as driver_location_update; not the driver, not others; only the booking\'s driver may send it', async () => {
      const points = [[52.52, 13.405], [52.515, 13.41], [52.51, 13.42]];
      const received = [];
      const all = new Promise((resolve) => {
        const on = (update) => { received.push(update); if (received.length === points.length) { alice.off('driver_location_update', on); resolve(); } };
        alice.on('driver_location_update', on);
      });
      let i = 0;
      const timer = setInterval(() => {
        const [lat, lng] = points[i++];
        send(dan, { type: 'location_update', data: { bookingId: booking.bookingId, lat, lng, heading: 90 } });
        if (i === points.length) clearInterval(timer);
      }, 1000);
      await all;
      assert.deepEqual(received.map((u) => [u.bookingId, u.driverId, u.lat, u.lng, u.heading]),
        points.map(([lat, lng]) => [booking.bookingId, 'driver-dan', lat, lng, 90]));
      assert.ok(received.every((u) => Number.isInteger(u.timestamp)));
      // Each I/O thread fans an emit out to its own sockets: the barrier makes sure every thread
      // is done with the three before Erin joins.
      await barrier();
      // Erin is not this booking's driver; a rider's update and a bad one are refused too.
      assert.equal((await ack(erin, 'join_room', booking.room)).ok, true);
      assert.deepEqual(await ack(erin, 'location_update', { bookingId: booking.bookingId, lat: 1, lng: 1 }),
        { ok: false, error: { code: 'forbidden', message: 'only the booking\'s driver sends its location' } });
      assert.equal((await ack(alice, 'location_update', { bookingId: 'nope', lat: 1, lng: 1 })).error.code, 'unknown_booking');
      send(dan, { type: 'location_update', id: 'bad', data: { bookingId: booking.bookingId, lat: 'north' } });
      const err = await dan.next('error');
      assert.deepEqual([err.code, err.id], ['invalid_location', 'bad']);
      await barrier();
      assert.equal(dan.unread('driver_location_update'), 0, 'not back to the driver');
      assert.equal(carol.count('driver_location_update'), 0);
      assert.equal(erin.count('driver_location_update'), 0, `Erin joined after the updates; hers were refused: ${JSON.stringify(erin.events.get('driver_location_update'))}`);
      assert.equal(alice.count('driver_location_update'), points.length, 'the refused ones reached nobody');
      assert.equal((await ack(erin, 'leave_room', booking.room)).ok, true);
    }],

    ['typing and chat_message relay to the booking room through roomId, not back to the sender, not to others', async () => {
      const typing = dan.next('typing');
      assert.equal((await ack(alice, 'typing', { roomId: booking.room, isTyping: true })).ok, true);
      const t = await typing;
      assert.deepEqual([t.room, t.from, t.data], [booking.room, 'rider-alice', { roomId: booking.room, isTyping: true }]);
      const chat = nextEvent(alice, 'chat_message');
      send(dan, { type: 'emit', roomId: booking.room, event: 'chat_message', data: { roomId: booking.room, text: 'Two minutes away' }, id: 'c1' });
      assert.deepEqual(await dan.next('ack'), { type: 'ack', id: 'c1', delivered: 1 });
      assert.deepEqual(await chat, { roomId: booking.room, text: 'Two minutes away' });
      // Carol is not in the booking: she cannot write to it.
      const refused = await ack(carol, 'typing', { roomId: booking.room, isTyping: true });
      assert.equal(refused.error.code, 'not_in_room');
      await barrier();
      assert.equal(alice.count('typing'), 0);
      assert.equal(carol.count('typing') + carol.count('chat_message'), 0);
      assert.equal(erin.count('typing') + erin.count('chat_message'), 0);
      assert.equal(dan.unread('typing') + dan.unread('chat_message'), 0);
    }],

    ['the driver leaves: presence:leave for the rider', async () => {
      const gone = nextEvent(alice, 'presence:leave');
      dan.close();
      assert.deepEqual(await gone, { room: booking.room, userId: 'driver-dan' });
    }],
  ];

  let rc = 1;
  try {
    rc = await runSequence('example ride-hailing', cases, { server: ex.server, backend: ex.backend });
  } finally {
    for (const s of [alice, carol, erin]) if (s) s.close();
    if (dan) dan.close();
    if (worker) worker.close();
    await ex.stop();
  }
  process.exit(rc);
}

main().catch((err) => { console.error(err); process.exit(1); });
