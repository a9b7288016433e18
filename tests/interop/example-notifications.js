// Issue 14, "done when": the seed-style notification service of examples/notifications/ runs on
// the real binary with the example's config file and its backend.js, and its clients behave as
// they did against the hand-written Socket.IO service: a JWT (user id in `_id`) in the handshake's
// auth.token or sent in-band with `authenticate` (authenticated / auth_error), the `connected`
// event with the socket id, the old connect_error message; a service POSTs a notification to the
// back end, which pushes it through the internal emit and waits for the acks (who acked, who timed
// out); `mark_read` / `mark_all_read` / `get_unread_count` handled by the back end, which answers
// the sender and tells the user's other sockets (`notification:read`); nobody else gets anything;
// the back end refuses calls Switchboard did not sign. Clients: socket.io-client and ws.
// Usage: node example-notifications.js <switchboard binary>
'use strict';
const assert = require('node:assert/strict');
const crypto = require('node:crypto');

const { client, sio, connected } = require('./lib');
const examplelib = require('./examplelib');

const { startExample, signToken, postJson, recordEvents, nextEvent, runSequence } = examplelib;

const ALICE = '64f0c2a1b2c3d4e5f6a7b801';
const BOB = '64f0c2a1b2c3d4e5f6a7b802';
const ACK_WAIT_MS = 1500;

async function main() {
  const ex = await startExample(process.argv[2], 'notifications', { backendEnv: { ACK_WAIT_MS: String(ACK_WAIT_MS) } });
  const token = (claims) => signToken(ex.secrets.JWT_SECRET, claims);
  const internal = { 'x-internal-key': ex.secrets.INTERNAL_API_KEY };
  const notify = (userId, title) => postJson(`${ex.backendUrl}/notify`, { userId, title, body: `${title}, details inside` }, internal);
  const send = (ws, msg) => ws.send(JSON.stringify(msg));
  const ack = (s, event, ...args) => s.timeout(5000).emitWithAck(event, ...args);

  // Alice: a browser tab (auth.token), a phone that authenticates in-band and never acks, a ws
  // client (in-band too). Bob: one tab.
  let tab; let phone; let wsApp; let bob;
  const ids = {};

  const barrier = () => examplelib.barrier(ex, [
    { userId: ALICE, s: tab }, { userId: ALICE, s: phone }, { userId: ALICE, ws: wsApp }, { userId: BOB, s: bob }]);

  const cases = [
    ['handshake auth.token with an _id claim: `connected` with the socket id; bad tokens keep the old connect_error message', async () => {
      tab = recordEvents(sio(ex.port, { auth: { token: token({ _id: ALICE, email: 'alice@example.com' }) } }));
      const hello = nextEvent(tab, 'connected');
      tab.on('notification', (payload, cb) => cb({ seen: true, on: 'tab' }));
      await connected(tab);
      const info = await hello;
      assert.equal(info.socketId, tab.id);
      assert.equal(info.userId, ALICE);
      ids.tab = info.connectionId;
      for (const bad of [signToken('not-the-secret', { _id: ALICE }), token({ sub: ALICE }), 'garbage']) {
        const s = sio(ex.port, { auth: { token: bad } });
        const err = await new Promise((resolve, reject) => {
          s.once('connect_error', resolve);
          s.once('connect', () => reject(new Error('connected with a bad token')));
        });
        assert.equal(err.message, 'Authentication error');
        assert.equal(err.data.code, 4002);
        s.close();
      }
    }],

    ['in-band `authenticate`: auth_error for a bad token, then authenticated and connected; the same for a ws client', async () => {
      phone = recordEvents(sio(ex.port));
      await connected(phone);
      // Nothing is served before authenticating, not even the back end's events.
      const early = await ack(phone, 'get_unread_count');
      assert.deepEqual([early.ok, early.error.code], [false, 'unauthenticated']);
      const refused = nextEvent(phone, 'auth_error');
      phone.emit('authenticate', { token: signToken('wrong', { _id: ALICE }) });
      assert.equal((await refused).code, 'invalid_token');
      const accepted = nextEvent(phone, 'authenticated');
      const hello = nextEvent(phone, 'connected');
      phone.emit('authenticate', { token: token({ _id: ALICE }) });
      assert.deepEqual(await accepted, { userId: ALICE, socketId: phone.id });
      ids.phone = (await hello).connectionId;

      wsApp = client(`ws://127.0.0.1:${ex.port}/ws`);
      await wsApp.opened;
      send(wsApp, { type: 'authenticate', token: 'not.a.jwt' });
      assert.equal((await wsApp.next('auth_error')).code, 'invalid_token');
      send(wsApp, { type: 'authenticate', token: token({ _id: ALICE }) });
      assert.equal((await wsApp.next('authenticated')).userId, ALICE);
      const welcome = await wsApp.next('connected');
      assert.ok(welcome.rooms.includes(`user:${ALICE}`));
      ids.wsApp = welcome.connectionId;

      bob = recordEvents(sio(ex.port, { auth: { token: token({ _id: BOB }) } }));
      await connected(bob);
    }],

    ['a service POSTs a notification: all of the user\'s sockets get it, two ack, the silent one times out, Bob gets nothing', async () => {
      const posted = notify(ALICE, 'Your ride is booked');
      const got = await wsApp.next('notification');
      assert.equal(got.ack, true);
      send(wsApp, { type: 'ack', id: got.id, data: { seen: true, on: 'ws' } });
      const r = await posted;
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.delivered, 3);
      assert.deepEqual(r.body.acked.sort(), [ids.tab, ids.wsApp].sort());
      assert.deepEqual(r.body.timedOut, [ids.phone]);
      assert.equal(r.body.unreadCount, 1);
      const n = r.body.notification;
      assert.deepEqual(got.data, { notification: n, unreadCount: 1 });
      assert.deepEqual([n.title, n.read], ['Your ride is booked', false]);
      assert.deepEqual(tab.events.get('notification'), [{ notification: n, unreadCount: 1 }]);
      assert.deepEqual(phone.events.get('notification'), [{ notification: n, unreadCount: 1 }]);
      ids.n1 = n.id;
      // A second one, acked by all but the phone again.
      const second = notify(ALICE, 'Your driver is here');
      send(wsApp, { type: 'ack', id: (await wsApp.next('notification')).id });
      const r2 = await second;
      assert.equal(r2.body.unreadCount, 2);
      ids.n2 = r2.body.notification.id;
      // A user with no socket: nobody to wait for, the answer comes at once.
      const started = Date.now();
      const offline = await notify('64f0c2a1b2c3d4e5f6a7b8ff', 'Nobody home');
      assert.deepEqual([offline.status, offline.body.delivered, offline.body.acked, offline.body.timedOut], [200, 0, [], []]);
      assert.ok(Date.now() - started < ACK_WAIT_MS, 'no wait without sockets');
      // Only callers with the internal key may notify.
      const anon = await postJson(`${ex.backendUrl}/notify`, { userId: ALICE, title: 'spam' });
      assert.equal(anon.status, 401);
      await barrier();
      assert.equal(bob.count('notification'), 0);
      assert.equal(tab.count('notification'), 2);
    }],

    ['mark_read: the sender\'s ack carries the unread count, the user\'s other sockets get notification:read, nobody else', async () => {
      const answer = await ack(tab, 'mark_read', { notificationId: ids.n1 });
      assert.deepEqual(answer, { success: true, notificationId: ids.n1, unreadCount: 1 });
      const onWs = await wsApp.next('notification:read');
      assert.deepEqual(onWs.data, { notificationId: ids.n1, unreadCount: 1 });
      await barrier();
      assert.deepEqual(phone.events.get('notification:read'), [{ notificationId: ids.n1, unreadCount: 1 }]);
      assert.equal(tab.count('notification:read'), 0, 'not back to the sender');
      assert.equal(bob.count('notification:read'), 0);
      // The same from the ws client: a reply to its id, the event on both tabs.
      send(wsApp, { type: 'mark_read', id: 'm2', data: { notificationId: ids.n2 } });
      assert.deepEqual(await wsApp.next('reply'),
        { type: 'reply', id: 'm2', event: 'mark_read', data: { success: true, notificationId: ids.n2, unreadCount: 0 } });
      await barrier();
      assert.deepEqual(tab.events.get('notification:read'), [{ notificationId: ids.n2, unreadCount: 0 }]);
      assert.equal(phone.count('notification:read'), 2);
      assert.equal(wsApp.unread('notification:read'), 0);
      assert.equal(bob.count('notification:read'), 0);
    }],

    ['get_unread_count and mark_all_read; another user\'s or an unknown notification is the back end\'s not_found', async () => {
      const posted = notify(ALICE, 'Rate your ride');
      send(wsApp, { type: 'ack', id: (await wsApp.next('notification')).id });
      const n3 = (await posted).body.notification.id;
      assert.deepEqual(await ack(tab, 'get_unread_count'), { unreadCount: 1 });
      assert.deepEqual(await ack(bob, 'get_unread_count'), { unreadCount: 0 });
      assert.deepEqual(await ack(bob, 'mark_read', { notificationId: n3 }),
        { ok: false, error: { code: 'not_found', message: `no notification ${n3}` } });
      assert.deepEqual(await ack(tab, 'mark_read', { notificationId: 'nope' }),
        { ok: false, error: { code: 'not_found', message: 'no notification nope' } });
      assert.deepEqual(await ack(phone, 'mark_all_read'), { success: true, unreadCount: 0 });
      assert.deepEqual((await wsApp.next('notification:read')).data, { all: true, unreadCount: 0 });
      await barrier();
      assert.deepEqual(tab.events.get('notification:read').at(-1), { all: true, unreadCount: 0 });
      assert.deepEqual(await ack(tab, 'get_unread_count'), { unreadCount: 0 });
      assert.equal(bob.count('notification:read'), 0);
    }],

    ['backend.js accepts only what Switchboard signed: unsigned, forged and replayed calls are refused', async () => {
      const body = JSON.stringify({ requestId: crypto.randomUUID(), event: 'mark_all_read', rule: 'notifications', data: {}, userId: BOB, connectionId: '1' });
      const post = async (headers, raw) => {
        const res = await fetch(`${ex.backendUrl}/switchboard/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: raw });
        return { status: res.status, body: await res.json() };
      };
      const signed = (secret, raw, ts = Math.floor(Date.now() / 1000)) => ({
        'x-switchboard-timestamp': String(ts),
        'x-switchboard-signature': 'v1=' + crypto.createHmac('sha256', secret).update(`${ts}.${raw}`).digest('hex'),
      });
      assert.equal((await post({}, body)).status, 401);
      assert.equal((await post(signed('guessed-secret-000000', body), body)).status, 401);
      assert.equal((await post(signed(ex.secrets.HOOKS_SECRET, body, Math.floor(Date.now() / 1000) - 600), body)).status, 401);
      const good = signed(ex.secrets.HOOKS_SECRET, body);
      const r = await post(good, body);
      assert.deepEqual([r.status, r.body.reply], [200, { success: true, unreadCount: 0 }]);
      assert.equal((await post(good, body)).status, 409, 'a replay of a handled call');
    }],

    ['the audit trail: the connection log (logConnections) and GET /api/events show Alice\'s connections', async () => {
      assert.match(ex.server.log(), new RegExp(`connect connection=${ids.tab} user="${ALICE}" protocol=socket\\.io .*rooms="user:${ALICE}"`));
      const res = await fetch(`${ex.url}/api/events?user=${ALICE}`, { headers: internal });
      assert.equal(res.status, 200);
      const connects = (await res.json()).events.filter((e) => e.name === 'connect').map((e) => e.connectionId).sort();
      assert.deepEqual(connects, [ids.tab, ids.phone, ids.wsApp].sort());
    }],
  ];

  let rc = 1;
  try {
    rc = await runSequence('example notifications', cases, { server: ex.server, backend: ex.backend });
  } finally {
    for (const s of [tab, phone, bob]) if (s) s.close();
    if (wsApp) wsApp.close();
    await ex.stop();
  }
  process.exit(rc);
}

main().catch((err) => { console.error(err); process.exit(1); });
