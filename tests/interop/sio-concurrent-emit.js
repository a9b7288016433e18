// Interop: concurrent emitters and connection state recovery (issue 12, finding 1). Four HTTP
// emitters send 5,000 events each to one user who has a native `ws` client and a
// `socket.io-client` socket (recovery on, the default) on a server with 4 I/O threads. Both
// must receive every event exactly once, in order per emitter: recovery offsets must never
// make a socket drop a live event because two emitting threads were scheduled the other way.
// Usage: node sio-concurrent-emit.js /path/to/switchboard
'use strict';
const assert = require('node:assert/strict');
const http = require('node:http');

const { client, harness, internalKey } = require('./lib');
const { io } = require('socket.io-client');

const EMITTERS = 4;
const PER_EMITTER = 5000;
const TOTAL = EMITTERS * PER_EMITTER;
const user = 'concurrent-user';

const { startServer, mint, cleanup } = harness(process.argv[2], ['--threads', '4', '--rate-limit', '100000']);

/** Collects {e, n} payloads; resolves when @p total arrived, checking order and duplicates on the way. */
function collector(name, total) {
  const next = new Array(EMITTERS).fill(0);
  const problems = [];
  let count = 0;
  let done;
  const finished = new Promise((resolve) => { done = resolve; });
  return {
    add(data) {
      const { e, n } = data;
      if (n !== next[e]) problems.push(`${name}: emitter ${e} sent #${n} when #${next[e]} was due`);
      next[e] = n + 1;
      if (++count === total) done();
    },
    finished,
    summary: () => ({ count, next, problems: problems.slice(0, 10), problemCount: problems.length }),
  };
}

function post(agent, port, body) {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = http.request({ agent, host: '127.0.0.1', port, method: 'POST', path: '/api/v1/internal/emit',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), 'x-internal-key': internalKey } },
    (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { text += chunk; });
      res.on('end', () => resolve({ status: res.statusCode, body: text }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

async function main() {
  const { child, port } = await startServer();
  const sockets = [];
  try {
    const nat = client(`ws://127.0.0.1:${port}/ws?token=${mint(user)}`);
    sockets.push(nat);
    await nat.next('connected');
    const nativeGot = collector('native', TOTAL);
    nat.on('message', (raw) => {
      const msg = JSON.parse(raw.toString());
      if (msg.type === 'tick') nativeGot.add(msg.data);
    });

    const s = io(`http://127.0.0.1:${port}`, { forceNew: true, reconnection: false, auth: { token: mint(user) }, transports: ['websocket'] });
    sockets.push(s);
    await new Promise((resolve, reject) => { s.once('connect', resolve); s.once('connect_error', reject); });
    const sioGot = collector('socket.io', TOTAL);
    s.on('tick', (data) => sioGot.add(data));

    const started = Date.now();
    // Each emitter on its own kept-alive connection (node:http: lighter than fetch), one
    // request at a time, so its events have an order.
    const emitter = async (e) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      for (let n = 0; n < PER_EMITTER; ++n) {
        const r = await post(agent, port, { event: 'tick', userId: user, payload: { e, n } });
        assert.equal(r.status, 200, `emit ${e}/${n}: ${r.status} ${r.body}`);
      }
      agent.destroy();
    };
    await Promise.all(Array.from({ length: EMITTERS }, (_, e) => emitter(e)));
    const emitted = Date.now() - started;

    // Everything was accepted; what has not arrived 10 s later was lost.
    const wait = (c) => Promise.race([c.finished, new Promise((r) => setTimeout(r, 10000))]);
    await Promise.all([wait(nativeGot), wait(sioGot)]);
    const n = nativeGot.summary();
    const o = sioGot.summary();
    console.log(`emitted ${TOTAL} in ${emitted} ms; native got ${n.count}, socket.io got ${o.count}`);
    assert.deepEqual(n.problems, [], `native client: ${n.problemCount} order problems`);
    assert.equal(n.count, TOTAL, `native client got ${n.count} of ${TOTAL}: ${JSON.stringify(n)}`);
    assert.deepEqual(o.problems, [], `socket.io client: ${o.problemCount} order/loss problems`);
    assert.equal(o.count, TOTAL, `socket.io client got ${o.count} of ${TOTAL}: ${JSON.stringify(o)}`);
    assert.deepEqual(o.next, new Array(EMITTERS).fill(PER_EMITTER));
  } catch (err) {
    console.error('server stderr (tail):\n' + child.stderrLog().slice(-3000));
    throw err;
  } finally {
    for (const s of sockets) { if (s.disconnect) s.disconnect(); else s.terminate(); }
    child.kill('SIGKILL');
    cleanup();
  }
}

main().then(() => { console.log('concurrent emits: passed'); process.exit(0); },
  (err) => { console.error('concurrent emits FAILED:', err.stack || err); process.exit(1); });
