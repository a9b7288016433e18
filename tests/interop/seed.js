// Interop: the seed scenarios of SPEC section 2, driven by the npm `ws` package and `wscat`
// against the real switchboard binary. Usage: node seed.js /path/to/switchboard
'use strict';
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');

const { client, harness } = require('./lib');

const { startServer, emit, mint, cleanup } = harness(process.argv[2]);

async function main() {
  const { child, port } = await startServer();
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const base = `ws://127.0.0.1:${port}/ws`;
  try {
    // connect with token -> connected
    const token = mint('42', ['--role', 'admin']);
    const a = client(`${base}?token=${token}`);
    const hello = await a.next('connected');
    assert.equal(hello.userId, '42');
    assert.ok(hello.rooms.includes('user:42') && hello.rooms.includes('role:admin'));
    console.log('ok connected', hello.connectionId);

    // ping -> pong
    a.send(JSON.stringify({ type: 'ping' }));
    assert.equal(typeof (await a.next('pong')).timestamp, 'number');
    console.log('ok ping/pong');

    // subscribe -> subscribed
    a.send(JSON.stringify({ type: 'subscribe', channel: 'order:123' }));
    assert.equal((await a.next('subscribed')).channel, 'order:123');
    console.log('ok subscribe');

    // Authorization: Bearer header works too; this client is NOT in order:123.
    const b = client(base, { headers: { Authorization: `Bearer ${mint('7')}` } });
    assert.equal((await b.next('connected')).userId, '7');

    // HTTP internal emit -> received by the room member only
    const r = await emit(port, { event: 'order.updated', room: 'order:123', payload: { status: 'shipped' } });
    assert.equal(r.status, 200);
    assert.deepEqual([r.body.success, r.body.delivered], [true, 1]);
    const event = await a.next('order.updated');
    assert.deepEqual(event.data, { status: 'shipped' });
    assert.equal(event.room, 'order:123');
    await assert.rejects(b.next('order.updated', 300));
    console.log('ok internal emit to room');

    // user-targeted emit reaches user 7
    const u = await emit(port, { event: 'notice', userId: '7', payload: { text: 'hi' } });
    assert.equal(u.body.delivered, 1);
    assert.equal((await b.next('notice')).data.text, 'hi');
    console.log('ok internal emit to user');

    // errors keep the connection up
    a.send('{not json');
    assert.equal((await a.next('error')).code, 'invalid_json');
    a.send(JSON.stringify({ type: 'subscribe', channel: 'user:7' }));
    assert.equal((await a.next('error')).code, 'forbidden');
    a.send(JSON.stringify({ type: 'ping' }));
    await a.next('pong');
    console.log('ok errors keep the connection');

    // bad credentials -> close codes
    const none = client(base);
    assert.equal((await none.closed).code, 4001);
    const bad = client(`${base}?token=${token.slice(0, -3)}abc`);
    assert.equal((await bad.closed).code, 4002);
    const mismatch = client(`${base}?token=${token}&userId=99`);
    assert.equal((await mismatch.closed).code, 4003);
    console.log('ok close codes 4001/4002/4003');

    // wscat (the CLI many teams debug with) gets "connected" and a pong
    // stdin stays open: wscat quits as soon as its stdin ends.
    const wscat = spawn(process.execPath, [require.resolve('wscat/bin/wscat'), '-c', `${base}?token=${token}`,
      '-x', '{"type":"ping"}', '-w', '1'], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    wscat.stdout.on('data', (chunk) => { out += chunk; });
    await new Promise((resolve) => wscat.on('exit', resolve));
    assert.match(out, /"type":"connected"/);
    assert.match(out, /"type":"pong"/);
    console.log('ok wscat');

    // SIGTERM: clients see 1001 and the process exits 0
    child.kill('SIGTERM');
    assert.equal((await a.closed).code, 1001);
    assert.equal((await b.closed).code, 1001);
    const { code } = await exited;
    assert.equal(code, 0);
    console.log('ok SIGTERM -> 1001, exit 0');
  } finally {
    child.kill('SIGKILL');
    cleanup();
  }
}

main().then(() => { console.log('interop: all passed'); process.exit(0); },
  (err) => { console.error('interop FAILED:', err); process.exit(1); });
