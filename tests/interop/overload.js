// Overload over the wire: with --max-queued-emits 1 a burst of emits outruns the I/O threads
// and is refused as "overloaded" (HTTP 503, the native client's error, the Socket.IO ack),
// while every accepted emit reaches every member and the server takes work again after.
// Usage: node overload.js <switchboard binary>
'use strict';
const assert = require('node:assert/strict');
const { client, harness } = require('./lib');
const { io } = require('socket.io-client');

const MEMBERS = 200;

async function main() {
  const h = harness(process.argv[2], ['--max-queued-emits', '1', '--rate-limit', '10000']);
  const { child, port } = await h.startServer();
  const clients = [];
  try {
    const token = h.mint('member', ['--rooms', 'big']);
    for (let i = 0; i < MEMBERS; i++) clients.push(client(`ws://127.0.0.1:${port}/ws?token=${token}`));
    await Promise.all(clients.map((c) => c.next('connected')));
    const counts = new Array(MEMBERS).fill(0);
    clients.forEach((c, i) => c.on('message', (raw) => { if (JSON.parse(raw.toString()).type === 'flood') counts[i]++; }));

    // 1. HTTP: 32 emitters at once; each accepted broadcast is 200 socket writes.
    let accepted = 0;
    let refused = 0;
    let next = 0;
    const total = 3000;
    async function emitter() {
      while (next < total && refused === 0) {
        const n = next++;
        const r = await h.emit(port, { event: 'flood', room: 'big', payload: { n } });
        if (r.status === 200) {
          assert.equal(r.body.success, true);
          accepted++;
        } else {
          assert.equal(r.status, 503, JSON.stringify(r.body));
          assert.equal(r.body.code, 'overloaded');
          assert.match(r.body.error, /overloaded/);
          refused++;
        }
      }
    }
    await Promise.all(Array.from({ length: 32 }, emitter));
    assert.ok(refused > 0, `no 503 in ${accepted} emits`);
    assert.ok(accepted > 0);
    // Nothing accepted is lost: every member gets every accepted emit.
    const deadline = Date.now() + 20000;
    while (counts.some((n) => n < accepted) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(counts.filter((n) => n !== accepted), [], `members missed accepted emits (accepted ${accepted})`);

    // 2. A native client's burst of emits to the room, in one write: refused with the error.
    const sender = clients[0];
    const burst = [];
    for (let i = 0; i < 200; i++) burst.push(JSON.stringify({ type: 'emit', room: 'big', event: 'chat', data: { i }, id: `c${i}` }));
    for (const frame of burst) sender.send(frame);
    const error = await sender.next('error', 10000);
    assert.equal(error.code, 'overloaded', JSON.stringify(error));

    // 3. A Socket.IO client's burst: the acks say "overloaded".
    const sio = io(`http://127.0.0.1:${port}`, { auth: { token }, transports: ['websocket'] });
    await new Promise((resolve, reject) => { sio.on('connect', resolve); sio.on('connect_error', reject); });
    const replies = await Promise.all(Array.from({ length: 200 }, (_, i) =>
      new Promise((resolve) => sio.emit('chat', { room: 'big', i }, resolve))));
    const overloaded = replies.filter((r) => r && r.ok === false && r.error && r.error.code === 'overloaded');
    assert.ok(overloaded.length > 0, `no overloaded ack in ${JSON.stringify(replies.slice(0, 3))}`);
    sio.close();

    // 4. Once drained, the server takes new work again.
    let after = await h.emit(port, { event: 'after', room: 'big', payload: {} });
    for (const until = Date.now() + 10000; after.status === 503 && Date.now() < until;) {
      await new Promise((r) => setTimeout(r, 20));
      after = await h.emit(port, { event: 'after', room: 'big', payload: {} });
    }
    assert.equal(after.status, 200, JSON.stringify(after.body));
    assert.ok(after.body.delivered >= MEMBERS);
    const metrics = await h.api(port, 'GET', '/api/metrics');
    assert.ok(metrics.body.emitsRefused >= refused, JSON.stringify(metrics.body.emitsRefused));
    console.log(`ok: ${accepted} accepted, ${refused} refused over HTTP; client and Socket.IO bursts refused as overloaded`);
  } finally {
    for (const c of clients) c.terminate();
    child.kill('SIGTERM');
    h.cleanup();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
