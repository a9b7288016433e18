// Transport abuse against the real binary over raw sockets (node `net`): a ping flood from a
// client that never reads (native /ws and Socket.IO's WebSocket), kept-alive HTTP sockets that
// go idle, and more HTTP connections than the cap. Each case checks that the abuser is dropped
// with the documented code, that the server's RSS grows by less than RSS_BOUND_MIB, and that
// /health still answers. Usage: node abuse-transport.js /path/to/switchboard
'use strict';
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const { harness, until } = require('./lib');

// The outbound budget is 4 MiB per connection (--max-pending-bytes); the rest of the bound
// is slack for allocator noise. Before the budget, one flooding connection reached 3.3 GB.
const RSS_BOUND_MIB = 64;

const rssMiB = (pid) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m[1]) / 1024;
};

/** A masked client frame. */
function frame(opcode, payload) {
  const body = Buffer.from(payload);
  assert.ok(body.length < 126);
  const mask = crypto.randomBytes(4);
  const out = Buffer.alloc(6 + body.length);
  out[0] = 0x80 | opcode;
  out[1] = 0x80 | body.length;
  mask.copy(out, 2);
  for (let i = 0; i < body.length; ++i) out[6 + i] = body[i] ^ mask[i & 3];
  return out;
}

/** Opens a WebSocket by hand; resolves to the socket once the 101 head is read. */
function rawWebSocket(port, target) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let head = Buffer.alloc(0);
    const onData = (chunk) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      sock.off('data', onData);
      const status = head.subarray(0, end).toString();
      if (!status.startsWith('HTTP/1.1 101')) return reject(new Error(`no upgrade: ${status}`));
      sock.pause(); // never read again: everything the server sends stays unread
      resolve(sock);
    };
    sock.on('data', onData);
    sock.on('error', reject);
    sock.on('connect', () => sock.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`
      + 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n'
      + `Sec-WebSocket-Key: ${crypto.randomBytes(16).toString('base64')}\r\n\r\n`));
  });
}

/**
 * The review's trigger: 125-byte pings as fast as the server takes them, nothing read, and a
 * pong of the client's own every 2 s. Resolves with how the connection ended and the peak RSS.
 */
async function pingFlood(child, port, target, timeoutMs) {
  const sock = await rawWebSocket(port, target);
  const baseline = rssMiB(child.pid);
  let peak = baseline;
  let pings = 0;
  const burst = Buffer.concat(Array.from({ length: 100 }, () => frame(0x9, Buffer.alloc(125, 'p'))));
  return new Promise((resolve) => {
    let done = false;
    const finish = (how) => {
      if (done) return;
      done = true;
      clearInterval(pong);
      clearInterval(sample);
      clearTimeout(timer);
      sock.destroy();
      resolve({ how, pings, growthMiB: peak - baseline });
    };
    const pong = setInterval(() => sock.write(frame(0xA, 'still here')), 2000);
    const sample = setInterval(() => { peak = Math.max(peak, rssMiB(child.pid)); }, 100);
    const timer = setTimeout(() => finish('not dropped'), timeoutMs);
    sock.on('error', (e) => finish(e.code || 'error'));
    sock.on('close', () => finish('closed'));
    const pump = () => {
      while (!done) {
        pings += 100;
        if (!sock.write(burst)) return sock.once('drain', pump);
      }
    };
    pump();
  });
}

async function metrics(api, port) {
  const r = await api(port, 'GET', '/api/metrics');
  assert.equal(r.status, 200);
  return r.body;
}

/** The metrics once a 1008 close is counted: the server finishes the connection (and counts
 * its close code) only after the close handshake or its 2 s grace, after the client saw it drop. */
function metricsWith1008(api, port) {
  return until(async () => {
    const m = await metrics(api, port);
    return (m.connections.byCloseCode['1008'] ?? 0) >= 1 ? m : null;
  }, 'a 1008 close in the metrics', 5000);
}

async function health(port) {
  const r = await fetch(`http://127.0.0.1:${port}/health`);
  assert.equal(r.status, 200);
}

/** A kept-alive HTTP/1.1 connection; request() sends one GET and resolves to its status. */
function httpConnection(port) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let buffer = '';
    let waiting = null;
    sock.setEncoding('utf8');
    sock.whenClosed = new Promise((done) => sock.on('close', done));
    sock.on('data', (chunk) => {
      buffer += chunk;
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0 || !waiting) return;
      const length = Number(/content-length:\s*(\d+)/i.exec(buffer.slice(0, end))?.[1] ?? 0);
      if (buffer.length < end + 4 + length) return;
      const status = Number(buffer.slice(9, 12));
      buffer = buffer.slice(end + 4 + length);
      const w = waiting;
      waiting = null;
      w(status);
    });
    sock.request = (path) => new Promise((done) => {
      waiting = done;
      sock.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: keep-alive\r\n\r\n`);
    });
    sock.on('error', () => {});
    sock.on('connect', () => resolve(sock));
    setTimeout(() => reject(new Error('connect timeout')), 5000);
  });
}

async function floodCases() {
  // Default limits: the control-frame rate limit (10/s, burst 20) drops the flood first.
  let h = harness(process.argv[2]);
  let { child, port } = await h.startServer();
  try {
    const token = h.mint('flooder');
    let r = await pingFlood(child, port, `/ws?token=${token}`, 15000);
    assert.notEqual(r.how, 'not dropped', 'a ping flood over the control-frame rate is dropped');
    assert.ok(r.growthMiB < RSS_BOUND_MIB, `RSS grew by ${r.growthMiB} MiB`);
    let m = await metricsWith1008(h.api, port);
    console.log(`ok native ping flood dropped by the control-frame rate (${r.how} after ${r.pings} pings, RSS +${r.growthMiB.toFixed(1)} MiB)`);
    await health(port);
  } finally {
    child.kill('SIGTERM');
    h.cleanup();
  }

  // Rate limit out of the way: the outbound byte budget drops it as a slow consumer.
  h = harness(process.argv[2], ['--control-frame-rate', '10000000']);
  ({ child, port } = await h.startServer());
  try {
    const token = h.mint('flooder');
    let r = await pingFlood(child, port, `/ws?token=${token}`, 20000);
    assert.notEqual(r.how, 'not dropped', 'a ping flood from a client that never reads is dropped');
    assert.ok(r.growthMiB < RSS_BOUND_MIB, `RSS grew by ${r.growthMiB} MiB`);
    let m = await metricsWith1008(h.api, port);
    assert.equal(m.slowConsumers, 1);
    console.log(`ok native ping flood dropped as a slow consumer (${r.how} after ${r.pings} pings, RSS +${r.growthMiB.toFixed(1)} MiB)`);
    await health(port);

    // The same on Socket.IO's WebSocket transport (no namespace connected yet).
    r = await pingFlood(child, port, '/socket.io/?EIO=4&transport=websocket', 20000);
    assert.notEqual(r.how, 'not dropped', 'a ping flood on an Engine.IO WebSocket is dropped');
    assert.ok(r.growthMiB < RSS_BOUND_MIB, `RSS grew by ${r.growthMiB} MiB`);
    m = await metrics(h.api, port);
    assert.equal(m.slowConsumers, 2);
    console.log(`ok Socket.IO WebSocket ping flood dropped as a slow consumer (${r.how}, RSS +${r.growthMiB.toFixed(1)} MiB)`);
    await health(port);
  } finally {
    child.kill('SIGTERM');
    h.cleanup();
  }
}

async function httpCases() {
  const h = harness(process.argv[2], ['--http-idle-timeout', '300', '--max-http-connections', '10']);
  const { child, port } = await h.startServer();
  try {
    // A kept-alive socket that goes idle after one answer is closed after the idle timeout.
    const idle = await httpConnection(port);
    assert.equal(await idle.request('/health'), 200);
    // Positive control: within the timeout the same socket still serves a second request.
    assert.equal(await idle.request('/health'), 200);
    const answeredAt = Date.now();
    await idle.whenClosed;
    const after = Date.now() - answeredAt;
    assert.ok(after >= 250 && after < 5000, `closed ${after} ms after the answer`);
    console.log(`ok idle keep-alive HTTP socket closed ${after} ms after its last answer`);

    // The cap: 10 HTTP connections across all I/O threads; the 11th is closed at accept.
    const baseline = rssMiB(child.pid);
    const held = [];
    for (let i = 0; i < 10; ++i) {
      const c = await httpConnection(port);
      assert.equal(await c.request('/health'), 200);
      held.push(c);
    }
    const extra = await httpConnection(port);
    const outcome = await Promise.race([extra.request('/health').then((s) => `answered ${s}`),
      extra.whenClosed.then(() => 'closed')]);
    assert.equal(outcome, 'closed', 'over --max-http-connections a new connection is closed');
    console.log('ok the connection over --max-http-connections is closed at accept');
    held.forEach((c) => c.destroy());
    // Once the others are gone a normal request works again (the count follows closes).
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; ++i) {
      try { status = (await fetch(`http://127.0.0.1:${port}/health`)).status; } catch { /* closed at accept */ }
      if (status !== 200) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(status, 200);
    const growth = rssMiB(child.pid) - baseline;
    assert.ok(growth < RSS_BOUND_MIB, `RSS grew by ${growth} MiB`);
    console.log('ok a normal request works again after the others close');
  } finally {
    child.kill('SIGTERM');
    h.cleanup();
  }
}

(async () => {
  await floodCases();
  await httpCases();
  process.exit(0);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
