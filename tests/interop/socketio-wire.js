// Engine.IO v4 / Socket.IO v5 at the wire, with plain fetch and the npm `ws` client against
// the real binary on two I/O threads: bad input gets precise errors, sessions hop threads
// on upgrade, CORS for browsers. Usage: node socketio-wire.js /path/to/switchboard
'use strict';
const assert = require('node:assert/strict');
const WebSocket = require('ws');
const { harness } = require('./lib');

const { startServer, emit, mint, cleanup } = harness(process.argv[2], [
  '--socketio-namespace', '/admin', '--socketio-max-payload', '5000', '--socketio-connect-timeout', '400',
  '--socketio-cors-origin', '*']);

/** A ws client whose messages can be awaited in order. */
function wsClient(url) {
  const ws = new WebSocket(url);
  const inbox = [];
  const waiters = [];
  ws.on('message', (data, isBinary) => {
    const m = isBinary ? data : data.toString();
    if (waiters.length) waiters.shift()(m); else inbox.push(m);
  });
  ws.next = (timeoutMs = 5000, skipPings = true) => new Promise((resolve, reject) => {
    const take = (m) => {
      if (skipPings && m === '2') { ws.send('3'); ws.next(timeoutMs, skipPings).then(resolve, reject); return; }
      resolve(m);
    };
    if (inbox.length) return take(inbox.shift());
    const timer = setTimeout(() => reject(new Error(`no message within ${timeoutMs} ms`)), timeoutMs);
    waiters.push((m) => { clearTimeout(timer); take(m); });
  });
  ws.opened = new Promise((resolve, reject) => { ws.on('open', resolve); ws.on('error', reject); });
  ws.closed = new Promise((resolve) => ws.on('close', (code) => resolve(code)));
  return ws;
}

async function main() {
  const { child, port } = await startServer();
  const http = `http://127.0.0.1:${port}/socket.io/?EIO=4`;
  const ws = `ws://127.0.0.1:${port}/socket.io/?EIO=4`;
  const get = async (query, init) => {
    const res = await fetch(`${http}${query}`, init);
    return { status: res.status, headers: res.headers, text: await res.text() };
  };
  const open = async () => {
    const r = await get('&transport=polling');
    assert.equal(r.status, 200);
    assert.ok(r.text.startsWith('0'), r.text);
    return JSON.parse(r.text.slice(1)).sid;
  };
  try {
    // Handshake values follow the flags.
    let r = await get('&transport=polling');
    const handshake = JSON.parse(r.text.slice(1));
    assert.deepEqual(handshake.upgrades, ['websocket']);
    assert.equal(handshake.maxPayload, 5000);
    console.log('ok handshake');

    // Precise errors: protocol version, transport, method, unknown session.
    r = await fetch(`http://127.0.0.1:${port}/socket.io/?EIO=3&transport=polling`);
    assert.equal(r.status, 400);
    assert.deepEqual(await r.json(), { code: 5, message: 'Unsupported protocol version' });
    r = await get('&transport=carrier-pigeon');
    assert.equal(r.status, 400);
    assert.deepEqual(JSON.parse(r.text), { code: 0, message: 'Transport unknown' });
    r = await get('&transport=polling', { method: 'POST', body: '40' });
    assert.deepEqual(JSON.parse(r.text), { code: 2, message: 'Bad handshake method' });
    r = await get('&transport=polling&sid=nope');
    assert.deepEqual(JSON.parse(r.text), { code: 1, message: 'Session ID unknown' });
    console.log('ok handshake errors');

    // A body over maxPayload is refused with 413 and the session ends; the server lives on.
    let sid = await open();
    r = await get(`&transport=polling&sid=${sid}`, { method: 'POST', body: '4' + 'x'.repeat(6000) });
    assert.equal(r.status, 413);
    assert.equal((await get(`&transport=polling&sid=${sid}`)).status, 400);
    console.log('ok oversized body');

    // A malformed Socket.IO packet closes the session (Engine.IO close packet on the next poll).
    sid = await open();
    r = await get(`&transport=polling&sid=${sid}`, { method: 'POST', body: '42{"not":"an array"}' });
    assert.equal(r.status, 200);
    r = await get(`&transport=polling&sid=${sid}`);
    assert.ok(r.status === 400 || r.text === '1', `${r.status} ${r.text}`);
    console.log('ok malformed packet closes the session');

    // CORS for browsers: the origin is reflected with credentials; preflight answered.
    r = await get('&transport=polling', { headers: { Origin: 'https://app.example' } });
    assert.equal(r.headers.get('access-control-allow-origin'), 'https://app.example');
    assert.equal(r.headers.get('access-control-allow-credentials'), 'true');
    r = await get('&transport=polling', { method: 'OPTIONS', headers: { Origin: 'https://app.example' } });
    assert.equal(r.status, 204);
    console.log('ok CORS');

    // Bad token: CONNECT_ERROR with the reason and the native close code; unknown namespace.
    sid = await open();
    await get(`&transport=polling&sid=${sid}`, { method: 'POST', body: '40{"token":"not-a-jwt"}\x1e40/nowhere,' });
    r = await get(`&transport=polling&sid=${sid}`);
    const [bad, nowhere] = r.text.split('\x1e');
    assert.ok(bad.startsWith('44{'), bad);
    assert.equal(JSON.parse(bad.slice(2)).data.code, 4002);
    assert.equal(nowhere, '44/nowhere,{"message":"Invalid namespace"}');
    console.log('ok connect errors');

    // No CONNECT within --socketio-connect-timeout: the session is closed.
    const idle = wsClient(`${ws}&transport=websocket`);
    assert.ok((await idle.next()).startsWith('0{'));
    await idle.closed;
    console.log('ok connect timeout');

    // Polling -> WebSocket upgrade, many times: with two I/O threads about half of the
    // WebSockets land on the thread that does not own the session and are handed over.
    const token = mint('u1');
    for (let i = 0; i < 16; i++) {
      sid = await open();
      await get(`&transport=polling&sid=${sid}`, { method: 'POST', body: `40{"token":"${token}"}` });
      r = await get(`&transport=polling&sid=${sid}`);
      assert.ok(r.text.startsWith('40{') && JSON.parse(r.text.slice(2)).sid, r.text);
      const up = wsClient(`${ws}&transport=websocket&sid=${sid}`);
      await up.opened;
      up.send('2probe');
      assert.equal(await up.next(), '3probe');
      up.send('5');
      // A relayed event proves the upgraded transport carries Socket.IO both ways.
      up.send('420["join_room","wire"]');
      assert.equal(await up.next(), '430[{"ok":true,"room":"wire"}]');
      const e = await emit(port, { event: 'tick', room: 'wire', payload: { i } });
      assert.equal(e.status, 200);
      // [event, data, offset]: the offset is for connection state recovery (on by default).
      const [name, data, offset] = JSON.parse((await up.next()).slice(2));
      assert.deepEqual([name, data], ['tick', { i }]);
      assert.match(offset, /^\d+$/);
      assert.equal((await get(`&transport=polling&sid=${sid}`)).status, 400); // polling is over
      up.close();
      await up.closed;
    }
    console.log('ok 16 upgrades');

    // A namespace emit reaches only sockets connected to it.
    const a = wsClient(`${ws}&transport=websocket`);
    await a.next();
    a.send(`40/admin,{"token":"${token}"}`);
    const joined = await a.next();
    assert.ok(joined.startsWith('40/admin,{') && JSON.parse(joined.slice(9)).sid, joined);
    const e = await emit(port, { event: 'only-admin', userId: 'u1', namespace: '/admin', payload: 1 });
    assert.equal(e.status, 200);
    assert.match(await a.next(), /^42\/admin,\["only-admin",1,"\d+"\]$/);
    assert.equal((await emit(port, { event: 'x', userId: 'u1', namespace: '/nope' })).status, 400);
    a.close();
    console.log('ok namespaces');

    assert.equal(child.exitCode, null, 'the server is still running');
    child.kill('SIGTERM');
    console.log('all socket.io wire checks passed');
  } catch (e) {
    console.error(child.stderrLog ? child.stderrLog().slice(-3000) : '');
    child.kill('SIGKILL');
    throw e;
  } finally {
    cleanup();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
