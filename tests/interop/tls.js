// Issue 15: native TLS on the real binary (--tls-cert/--tls-key). openssl s_client for the
// handshake (versions, suites), https for the API, the npm `ws` and socket.io-client over wss://
// (WebSocket and polling with upgrade), a plain HTTP request on the TLS port, handshake timeouts,
// large messages both ways, certificate reload with SIGHUP keeping open connections, and what
// a client sends at once while cluster mode counts the user's connections.
// Certificates are made with Debian's openssl for each run.
// Usage: node tls.js /path/to/switchboard [case-name-filter-regex]
'use strict';
const assert = require('node:assert/strict');
const { execFileSync, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const https = require('node:https');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const tls = require('node:tls');

const { client, harness, internalKey, runCases, until, within, connected, rssMiB, startRedis, redisCli } = require('./lib');

const certDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-tls-'));
/** A fresh self-signed P-256 certificate for localhost / 127.0.0.1 as { cert, key } paths. */
function makeCert(name) {
  const cert = path.join(certDir, `${name}.crt`);
  const key = path.join(certDir, `${name}.key`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-subj', `/CN=localhost`, '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-days', '2',
    '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return { cert, key, pem: fs.readFileSync(cert) };
}
const first = makeCert('first');
const second = makeCert('second');
// The server reads these paths; the reload case overwrites them.
const served = { cert: path.join(certDir, 'served.crt'), key: path.join(certDir, 'served.key') };
function serve(pair) {
  fs.copyFileSync(pair.cert, served.cert);
  fs.copyFileSync(pair.key, served.key);
}
serve(first);

const h = harness(process.argv[2], ['--tls-cert', served.cert, '--tls-key', served.key]);
const filter = process.argv[3] ? new RegExp(process.argv[3]) : null;
const ca = [first.pem, second.pem];

/** An HTTPS request trusting the test certificates; resolves to { status, body, headers } (body
 *  parsed when it is JSON, the text otherwise). */
function request(port, method, route, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = https.request({ host: '127.0.0.1', port, method, path: route, ca, servername: 'localhost',
      headers: { 'content-type': 'application/json', 'x-internal-key': internalKey, ...headers } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        const json = (res.headers['content-type'] || '').includes('json');
        resolve({ status: res.statusCode, headers: res.headers, body: !text ? null : json ? JSON.parse(text) : text });
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}
const emit = (port, body) => request(port, 'POST', '/api/v1/internal/emit', body);

/** The SHA-256 fingerprint of the certificate the server presents now. */
function presented(port) {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca }, () => {
      const fp = s.getPeerCertificate().fingerprint256;
      s.end();
      resolve(fp);
    });
    s.on('error', reject);
  });
}
const fingerprint = (pair) => new crypto.X509Certificate(pair.pem).fingerprint256;

/** openssl s_client with @p args against the server; its combined output and status. */
function sClient(port, args) {
  const r = spawnSync('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost',
    '-CAfile', first.cert, ...args], { input: '', encoding: 'utf8', timeout: 10000 });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

/** Resolves once the server closes a raw TCP connection (end or error); rejects after @p ms. */
function closedBy(socket, ms, what) {
  return within(new Promise((resolve) => {
    socket.on('close', resolve);
    socket.on('error', () => {});
    socket.resume();
  }), ms, what);
}

const cases = [
  {
    name: 'openssl s_client: TLS 1.3 and 1.2 with forward-secret AEAD only; older versions and RSA key exchange refused',
    fn: async (port) => {
      const v13 = sClient(port, ['-brief']);
      assert.match(v13.out, /Protocol version: TLSv1\.3/, v13.out);
      assert.match(v13.out, /Verification: OK/, v13.out);
      const v12 = sClient(port, ['-brief', '-tls1_2']);
      assert.match(v12.out, /Protocol version: TLSv1\.2/, v12.out);
      assert.match(v12.out, /Ciphersuite: ECDHE-ECDSA-(AES\d+-GCM|CHACHA20)/, v12.out);
      const v11 = sClient(port, ['-brief', '-tls1_1']);
      assert.notEqual(v11.status, 0);
      assert.match(v11.out, /alert protocol version|no protocols available|unsupported protocol/i, v11.out);
      const cbc = sClient(port, ['-brief', '-tls1_2', '-cipher', 'ECDHE-ECDSA-AES128-SHA']);
      assert.notEqual(cbc.status, 0);
      assert.match(cbc.out, /handshake failure|no shared cipher/i, cbc.out);
    },
  },
  {
    name: 'https: health and an internal emit; a plain HTTP request on the port gets 400 tls_required',
    fn: async (port) => {
      const health = await request(port, 'GET', '/health');
      assert.equal(health.status, 200);
      assert.equal(health.body.status, 'ok');
      const r = await emit(port, { event: 'x', room: 'nobody', payload: {} });
      assert.equal(r.status, 200);
      const plain = await fetch(`http://127.0.0.1:${port}/health`).then(async (res) => ({ status: res.status, body: await res.json() }));
      assert.equal(plain.status, 400);
      assert.equal(plain.body.error, 'tls_required');
      assert.equal((await request(port, 'GET', '/health')).status, 200);
      // The refused plain request is a failed handshake, counted.
      const metrics = await request(port, 'GET', '/metrics');
      assert.match(metrics.body, /^switchboard_tls_handshake_failures_total 1$/m);
    },
  },
  {
    name: 'wss native: connect, subscribe, events from the API, 512 KiB messages both ways',
    args: ['--max-message-size', '1048576'],
    fn: async (port) => {
      const a = client(`wss://127.0.0.1:${port}/ws?token=${h.mint('tls-a')}`, { ca, servername: 'localhost' });
      assert.equal((await a.next('connected')).userId, 'tls-a');
      a.send(JSON.stringify({ type: 'subscribe', channel: 'tls:room' }));
      await a.next('subscribed');
      const r = await emit(port, { event: 'hello', room: 'tls:room', payload: { n: 1 } });
      assert.equal(r.body.delivered, 1);
      assert.deepEqual((await a.next('hello')).data, { n: 1 });
      // Many records each way: a 512 KiB payload from the API and an echo-sized ping back.
      const big = 'x'.repeat(512 * 1024);
      assert.equal((await emit(port, { event: 'big', room: 'tls:room', payload: { big } })).body.delivered, 1);
      assert.equal((await a.next('big')).data.big.length, big.length);
      a.send(JSON.stringify({ type: 'emit', room: 'tls:room', event: 'self', data: { big } }));
      a.send(JSON.stringify({ type: 'ping' }));
      await a.next('pong');
      a.close(1000);
      assert.equal((await a.closed).code, 1000);
    },
  },
  {
    name: 'cluster mode, --max-connections-per-user: what a wss client sends at once waits for the count, then is read',
    fn: async () => {
      // A node of its own on a Redis of its own: the count is Redis', so the connect waits for it
      // with the stream's reading paused (records the pump carried over included).
      const redis = await startRedis();
      let node = null;
      try {
        node = await h.startServer(['--redis', redis.url, '--max-connections-per-user', '1']);
        const { port } = node;
        await until(async () => (await redisCli(redis.port, 'KEYS', 'socket.io:sb:session:*')).trim() !== '', 'the node\'s session in Redis');
        const token = h.mint('tls-early');
        const first = client(`wss://127.0.0.1:${port}/ws?token=${token}`, { ca, servername: 'localhost' });
        first.on('open', () => first.send(JSON.stringify({ type: 'subscribe', channel: 'tls:early', id: 'early' })));
        const welcome = await first.next('connected');
        assert.equal((await first.next('subscribed')).id, 'early');
        // Counted in Redis, and a second connection of the user is refused before any welcome.
        const counted = (await redisCli(redis.port, 'ZRANGE', 'socket.io:sb:user:tls-early', '0', '-1')).trim();
        assert.equal(counted.split(':')[0], String(welcome.connectionId));
        const second = client(`wss://127.0.0.1:${port}/ws?token=${token}`, { ca, servername: 'localhost' });
        const closed = await within(second.closed, 5000, 'the second connection closed');
        assert.deepEqual([closed.code, closed.reason], [1013, 'too many connections for this user']);
        assert.equal(second.unread('connected'), 0);
        first.terminate();
      } finally {
        if (node) node.child.kill('SIGKILL');
        await redis.cleanup();
      }
    },
  },
  {
    name: 'socket.io-client over wss: WebSocket only, and polling upgraded to WebSocket',
    fn: async (port) => {
      const { io } = require('socket.io-client');
      const sockets = [];
      try {
        for (const transports of [['websocket'], ['polling', 'websocket']]) {
          const s = io(`https://127.0.0.1:${port}`, { forceNew: true, reconnection: false, transports, ca,
            auth: { token: h.mint('tls-sio') } });
          sockets.push(s);
          await connected(s);
          if (transports.length > 1)
            await until(() => s.io.engine.transport.name === 'websocket', 'the upgrade to WebSocket');
          const got = new Promise((resolve) => s.once('tls.event', resolve));
          const r = await emit(port, { event: 'tls.event', userId: 'tls-sio', payload: { via: transports.join('+') } });
          assert.ok(r.body.delivered >= 1);
          assert.equal((await within(got, 5000, 'tls.event')).via, transports.join('+'));
        }
      } finally {
        sockets.forEach((s) => s.close());
      }
    },
  },
  {
    name: 'handshake timeout: silent and half-handshake TCP peers are closed; the server keeps serving',
    args: ['--handshake-timeout', '500'],
    fn: async (port) => {
      const silent = net.connect(port, '127.0.0.1');
      const half = net.connect(port, '127.0.0.1');
      // A TLS record header announcing a ClientHello, and then nothing.
      half.on('connect', () => half.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01])));
      await Promise.all([closedBy(silent, 5000, 'the silent peer closed'), closedBy(half, 5000, 'the half-handshake peer closed')]);
      assert.equal((await request(port, 'GET', '/health')).status, 200);
    },
  },
  {
    name: 'SIGHUP reloads the certificate: new connections get the new one, an open wss session stays up',
    fn: async (port, pid, child) => {
      const logged = (text) => child.stderrLog().split(text).length - 1;
      assert.equal(await presented(port), fingerprint(first));
      const a = client(`wss://127.0.0.1:${port}/ws?token=${h.mint('tls-reload')}`, { ca, servername: 'localhost' });
      await a.next('connected');

      serve(second);
      process.kill(pid, 'SIGHUP');
      await until(async () => (await presented(port)) === fingerprint(second), 'the second certificate presented');
      // The session accepted with the first certificate still works both ways.
      a.send(JSON.stringify({ type: 'ping' }));
      await a.next('pong');
      assert.equal((await emit(port, { event: 'after', userId: 'tls-reload', payload: {} })).body.delivered, 1);
      await a.next('after');

      // A broken certificate file is refused; the second one stays in use.
      fs.writeFileSync(served.cert, 'not a certificate');
      process.kill(pid, 'SIGHUP');
      await until(() => logged('the TLS certificate was not reloaded') === 1, 'the refused reload logged');
      assert.equal(await presented(port), fingerprint(second));
      a.close(1000);
      serve(first);
    },
  },
  {
    name: 'a wss client that stops reading is dropped as a slow consumer; memory stays bounded',
    // The single-node recovery log keeps these events too (within its own budget, 64 MiB by
    // default): a small one here, so the RSS bound is about the dropped consumer.
    args: ['--max-pending-bytes', '1048576', '--socketio-recovery-max-bytes', '4194304'],
    fn: async (port, pid) => {
      // Sockets only: files the server opens meanwhile (its stores, logs) do not count.
      const fds = () => fs.readdirSync(`/proc/${pid}/fd`).filter((fd) => {
        try { return fs.readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:'); } catch { return false; }
      }).length;
      const fdsIdle = fds();
      const a = client(`wss://127.0.0.1:${port}/ws?token=${h.mint('tls-slow')}`, { ca, servername: 'localhost' });
      await a.next('connected');
      // The stream took the session over from the pump at the upgrade: the socketpair is gone
      // and the connection holds its TCP socket only.
      await until(() => fds() === fdsIdle + 1, 'one descriptor for the upgraded wss connection');
      a._socket.pause(); // stops reading: the kernel buffers fill, then the server's budget
      const before = rssMiB(pid);
      const fdsBefore = fds();
      const payload = { blob: 'y'.repeat(64 * 1024) };
      let closed = false;
      a.closed.then(() => { closed = true; });
      for (let i = 0; i < 400 && !closed; ++i) {
        const r = await emit(port, { event: 'flood', userId: 'tls-slow', payload });
        if (r.body.delivered === 0) break; // gone
      }
      a._socket.resume();
      const { code } = await within(a.closed, 10000, 'the slow consumer closed');
      assert.ok(code === 1008 || code === 1006, `close code ${code}`);
      assert.ok(rssMiB(pid) - before < 64, `RSS grew by ${rssMiB(pid) - before} MiB`);
      // Its TCP socket is closed, though the client still has unread bytes queued for it:
      // no connection outlives its drop.
      await until(() => fds() <= fdsBefore - 1, 'the dropped connection\'s descriptor closed', 8000);
    },
  },
  {
    name: 'a client that half-closes after pipelined requests, then reads late, gets every answer',
    // Room for the answers in the server: they outgrow what the kernels hold by megabytes.
    args: ['--max-pending-bytes', '16777216'],
    fn: async (port) => {
      const served = async () => Number(/^switchboard_http_requests_total (\d+)$/m.exec((await request(port, 'GET', '/metrics')).body)[1]);
      const n = 1000; // ~7 MB of /metrics answers
      const before = await served();
      const socket = tls.connect({ host: '127.0.0.1', port, ca, servername: 'localhost', allowHalfOpen: true });
      await within(new Promise((resolve, reject) => { socket.once('secureConnect', resolve); socket.once('error', reject); }), 5000, 'the handshake');
      socket.pause(); // reads nothing yet: the answers pile up in the kernels and then in the server
      socket.write('GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'.repeat(n));
      let polls = 0;
      await until(async () => (await served()) - before - ++polls >= n, 'every request served', 10000);
      socket.end(); // close_notify and FIN: the server's end of input
      // Then it reads, slowly: for longer than the TLS pump's 2 s grace, which counted from the
      // client's end of file before (and cut the answers off).
      const chunks = [];
      socket.on('data', (c) => {
        chunks.push(c);
        socket.pause();
        setTimeout(() => socket.resume(), 20);
      });
      socket.resume();
      const started = Date.now();
      await within(new Promise((resolve) => socket.once('end', resolve)), 60000, 'the server\'s end of stream');
      const took = Date.now() - started;
      let all = Buffer.concat(chunks).toString('latin1');
      const received = all.length;
      let answers = 0;
      for (;;) {
        const end = all.indexOf('\r\n\r\n');
        const m = end >= 0 && /content-length:\s*(\d+)/i.exec(all.slice(0, end));
        if (!m || all.length < end + 4 + Number(m[1])) break;
        assert.ok(all.startsWith('HTTP/1.1 200'), all.slice(0, 40));
        all = all.slice(end + 4 + Number(m[1]));
        ++answers;
      }
      assert.equal(answers, n, `${answers} whole answers of ${n} (${received} bytes in ${took} ms)`);
      assert.ok(took > 2000, `read in ${took} ms: not slower than the grace, so this proves nothing`);
      assert.equal(all.length, 0);
    },
  },
  {
    name: 'a storm of 10,000 SIGHUPs: the server keeps answering, reloads, and still stops on SIGTERM',
    fn: async (port, pid, child) => {
      for (let i = 0; i < 10000; ++i) process.kill(pid, 'SIGHUP'); // hung the server for good before (a blocking signal pipe)
      assert.equal((await request(port, 'GET', '/health')).status, 200);
      await until(() => child.stderrLog().includes('TLS certificate reloaded'), 'a reload logged');
      const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
      process.kill(pid, 'SIGTERM');
      assert.equal(await within(exited, 10000, 'the exit after SIGTERM'), 0);
    },
  },
];

process.on('exit', () => fs.rmSync(certDir, { recursive: true, force: true }));
runCases('tls', cases, h, filter);
