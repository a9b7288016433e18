// Interop: the RabbitMQ bridge (issue 18, docs/bridges.md) on a real, throwaway rabbitmq-server,
// with publishers on npm's amqplib. A domain event reaches a native client and a
// socket.io-client through the rooms its binding names; a routing key outside the patterns is
// not delivered; malformed and untargeted messages end in the dead-letter queue; consumption
// resumes after a broker crash; messages unacked when Switchboard is killed with -9 are
// delivered again; a SIGTERM mid-stream exits 0 and loses nothing; persist keeps events for an
// offline user; amqps:// verifies the broker against --amqp-ca and sends a client certificate.
// Usage: node amqp.js /path/to/switchboard [case-filter]
'use strict';
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const amqplib = require('amqplib');
const { client, harness, sio, connected, within, until } = require('./lib');
const { startRabbit } = require('./rabbitlib');

const binary = process.argv[2];
const filter = process.argv[3] ? new RegExp(process.argv[3]) : null;
const h = harness(binary);

const cases = [];
const test = (name, fn) => cases.push({ name, fn });

/**
 * A CA, a broker certificate for localhost and a client certificate, made with Debian's openssl
 * for this run: { dir, ca, brokerCert, brokerKey, clientCert, clientKey } paths.
 */
function makeCertificates() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-amqps-'));
  const f = (name) => path.join(dir, name);
  const openssl = (...args) => execFileSync('openssl', args, { stdio: 'ignore' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...ec, '-subj', '/CN=switchboard test CA', '-days', '2', '-keyout', f('ca.key'), '-out', f('ca.pem'));
  const issue = (name, subject, ext) => {
    openssl('req', ...ec, '-subj', subject, '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`));
    fs.writeFileSync(f(`${name}.ext`), ext);
    openssl('x509', '-req', '-in', f(`${name}.csr`), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial',
      '-days', '2', '-extfile', f(`${name}.ext`), '-out', f(`${name}.pem`));
  };
  issue('broker', '/CN=localhost', 'subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n');
  issue('client', '/CN=switchboard', 'extendedKeyUsage=clientAuth\n');
  return { dir, ca: f('ca.pem'), brokerCert: f('broker.pem'), brokerKey: f('broker.key'),
    clientCert: f('client.pem'), clientKey: f('client.key') };
}
const certs = makeCertificates();

/** A binding file in the data dir; @p binding overrides the issue's example. */
function bindingsFile(name, binding) {
  const file = path.join(h.dataDir, `${name}.bindings.json`);
  fs.writeFileSync(file, JSON.stringify({ bindings: [{
    exchange: 'events', type: 'topic', queue: `ws.${name}`, routingKeys: ['order.*', 'payment.*', 'inventory.*'],
    prefetch: 100, event: '{routingKey}', targets: ['user:{userId}', 'company:{companyId}', 'shop:{shopIds[]}'],
    deadLetterExchange: 'events.dlx', ...binding,
  }] }));
  return file;
}

/** The one binding of GET /api/bridges. */
async function bridge(port) {
  const r = await h.api(port, 'GET', '/api/bridges');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return { ...r.body.bridges[0], binding: r.body.bridges[0].bindings[0] };
}
const consuming = (port) => until(async () => (await bridge(port)).state === 'connected', 'the bridge to consume', 15000);

/** Publishes JSON (or raw bytes) with publisher confirms: on the broker's disk when it resolves. */
async function publish(ch, key, body) {
  ch.publish('events', key, Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body)), { persistent: true });
  await ch.waitForConfirms();
}

async function main() {
  const t0 = Date.now();
  const rabbit = await startRabbit({ tls: { ca: certs.ca, cert: certs.brokerCert, key: certs.brokerKey } });
  console.log(`rabbitmq-server ready (${Date.now() - t0} ms)`);
  const failed = [];
  let conn = null;
  try {
    conn = await amqplib.connect(rabbit.url);
    conn.on('error', () => {}); // the broker restart case closes it
    const setup = await conn.createChannel();
    // The dead-letter side is the operator's: an exchange and a queue that keeps what lands there.
    await setup.assertExchange('events', 'topic', { durable: true });
    await setup.assertExchange('events.dlx', 'fanout', { durable: true });
    await setup.assertQueue('dead', { durable: true });
    await setup.bindQueue('dead', 'events.dlx', '');
    await setup.close();

    for (const c of cases) {
      if (filter && !filter.test(c.name)) continue;
      const started = Date.now();
      const servers = [];
      const ctx = {
        rabbit,
        start: async (name, binding, more = []) => {
          const s = await ctx.launch(name, binding, more);
          await consuming(s.port);
          return s;
        },
        /** Started, not waited for: the bridge may never connect. --amqp in @p more wins. */
        launch: async (name, binding, more = []) => {
          const url = more.includes('--amqp') ? [] : ['--amqp', rabbit.url];
          const s = await h.startServer([...url, '--amqp-bindings', bindingsFile(name, binding), ...more]);
          servers.push(s.child);
          return s;
        },
        channel: async () => {
          if (!conn) { conn = await amqplib.connect(rabbit.url); conn.on('error', () => {}); }
          return conn.createConfirmChannel();
        },
        reconnect: async () => { conn = await amqplib.connect(rabbit.url); conn.on('error', () => {}); },
      };
      try {
        await within(c.fn(ctx), 60000, `case "${c.name}"`);
        console.log(`ok ${c.name} (${Date.now() - started} ms)`);
      } catch (err) {
        failed.push(c.name);
        console.error(`FAIL ${c.name}\n  ${err.stack || err}`);
        for (const s of servers) console.error(`--- switchboard stderr (tail):\n${s.stderrLog().slice(-3000)}`);
      } finally {
        for (const s of servers) s.kill('SIGKILL');
      }
    }
  } finally {
    if (conn) await conn.close().catch(() => {});
    const t1 = Date.now();
    await rabbit.cleanup();
    console.log(`rabbitmq-server stopped (${Date.now() - t1} ms)`);
    h.cleanup();
    fs.rmSync(certs.dir, { recursive: true, force: true });
  }
  if (failed.length) {
    console.error(`amqp bridge FAILED: ${failed.length} case(s):\n  - ${failed.join('\n  - ')}`);
    process.exit(1);
  }
  console.log('amqp bridge: all passed');
  process.exit(0);
}

test('order.created reaches user:u1 (native) and company:c1 (socket.io); other keys are not delivered', async (ctx) => {
  const { port } = await ctx.start('route', {});
  const nat = client(`ws://127.0.0.1:${port}/ws?token=${h.mint('u1')}`);
  await nat.next('connected');
  const s = sio(port, { auth: { token: h.mint('u2') } });
  await connected(s);
  assert.deepEqual(await s.timeout(5000).emitWithAck('join_room', 'company:c1'), { ok: true, room: 'company:c1' });
  const atSio = [];
  s.onAny((event, ...args) => atSio.push({ event, args }));

  const ch = await ctx.channel();
  const message = { userId: 'u1', companyId: 'c1', orderId: 17, total: 42.5 };
  await publish(ch, 'order.created', message);
  const got = await nat.next('order.created');
  assert.deepEqual(got.data, message);
  await until(() => atSio.length >= 1, 'socket.io to get order.created');
  assert.equal(atSio[0].event, 'order.created');
  assert.deepEqual(atSio[0].args[0], message); // a second argument is the recovery offset

  // Outside the binding's patterns: never reaches the queue. The next message, inside them,
  // arrives alone and the bridge counted one more, not two.
  await publish(ch, 'audit.created', { userId: 'u1', n: 1 });
  await publish(ch, 'payment.success', { userId: 'u1', n: 2 });
  assert.deepEqual((await nat.next('payment.success')).data, { userId: 'u1', n: 2 });
  assert.equal(nat.unread('audit.created'), 0);
  // The bridge counts an emit once the emit call returns, which may be just after the client
  // got it: wait for the count, then check that nothing more was counted.
  await until(async () => (await bridge(port)).binding.emitted >= 2, 'the bridge to count both emits');
  const b = await bridge(port);
  assert.equal(b.binding.received, 2, JSON.stringify(b));
  assert.equal(b.binding.emitted, 2, JSON.stringify(b));
  assert.equal(b.binding.rejected, 0, JSON.stringify(b));
  // The Prometheus text counts the same.
  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  assert.match(metrics, /switchboard_bridge_messages_total\{queue="ws.route",outcome="emitted"\} 2/);
  assert.match(metrics, /switchboard_bridge_connected 1/);
  s.close();
  nat.close();
  await ch.close();
});

test('malformed JSON and a message with no target are dead-lettered with the reason', async (ctx) => {
  const { port } = await ctx.start('dlx', {});
  const ch = await ctx.channel();
  await ch.purgeQueue('dead');
  await publish(ch, 'order.created', Buffer.from('{"userId": "u1",'));
  await publish(ch, 'order.created', { orderId: 5 });
  const dead = [];
  await until(async () => {
    const m = await ch.get('dead', { noAck: true });
    if (m) dead.push(m);
    return dead.length === 2;
  }, 'two messages in the dead-letter queue');
  assert.equal(dead[0].content.toString(), '{"userId": "u1",');
  assert.deepEqual(JSON.parse(dead[1].content.toString()), { orderId: 5 });
  for (const m of dead) {
    const death = m.properties.headers['x-death'][0];
    assert.equal(death.reason, 'rejected');
    assert.equal(death.queue, 'ws.dlx');
  }
  const b = await bridge(port);
  assert.equal(b.binding.received, 2, JSON.stringify(b));
  assert.equal(b.binding.rejected, 2, JSON.stringify(b));
  assert.equal(b.binding.emitted, 0, JSON.stringify(b));
  assert.match(b.binding.lastError, /^no target/, JSON.stringify(b));
  await ch.close();
});

test('a broker crash and restart: the bridge reconnects and consumption resumes', async (ctx) => {
  const { port } = await ctx.start('restart', {});
  const nat = client(`ws://127.0.0.1:${port}/ws?token=${h.mint('u3')}`);
  await nat.next('connected');
  await ctx.rabbit.restart();
  await ctx.reconnect();
  await until(async () => { const b = await bridge(port); return b.state === 'connected' && b.connects >= 2; },
    'the bridge to reconnect', 20000);
  const ch = await ctx.channel();
  await publish(ch, 'inventory.low_stock', { userId: 'u3', sku: 'A-1', left: 2 });
  assert.deepEqual((await nat.next('inventory.low_stock', 10000)).data, { userId: 'u3', sku: 'A-1', left: 2 });
  nat.close();
  await ch.close();
});

test('persist: an offline user gets the event when it connects', async (ctx) => {
  const { port } = await ctx.start('persist', { persist: true });
  const ch = await ctx.channel();
  await publish(ch, 'order.shipped', { userId: 'u7', orderId: 9 });
  // Acked once committed for the offline user.
  await until(async () => (await bridge(port)).binding.emitted === 1, 'the event to be kept');
  const nat = client(`ws://127.0.0.1:${port}/ws?token=${h.mint('u7')}`);
  const got = await nat.next('order.shipped');
  assert.deepEqual(got.data, { userId: 'u7', orderId: 9 });
  assert.equal(got.persisted, true);
  nat.close();
  await ch.close();
});

test('kill -9 with unacked messages: they are delivered again on restart, none lost', async (ctx) => {
  const N = 30;
  const PREFETCH = 10;
  const first = await ctx.start('crash', { persist: true, prefetch: PREFETCH, targets: ['user:{userId}'] });
  // Frozen: the broker pushes a prefetch window of deliveries that nothing will ack.
  first.child.kill('SIGSTOP');
  const ch = await ctx.channel();
  for (let i = 1; i <= N; ++i) ch.publish('events', 'order.created', Buffer.from(JSON.stringify({ userId: 'u9', seq: i })), { persistent: true });
  await ch.waitForConfirms();
  // Ready = all but the window the frozen consumer holds unacked.
  await until(async () => (await ch.checkQueue('ws.crash')).messageCount === N - PREFETCH,
    `${PREFETCH} unacked deliveries`, 10000);
  first.child.kill('SIGKILL');

  const second = await ctx.start('crash', { persist: true, prefetch: PREFETCH, targets: ['user:{userId}'] });
  await until(async () => (await bridge(second.port)).binding.emitted === N, `all ${N} kept for u9`, 15000);
  const b = await bridge(second.port);
  assert.equal(b.binding.redelivered, PREFETCH, JSON.stringify(b));
  assert.equal(b.binding.rejected, 0, JSON.stringify(b));
  const nat = client(`ws://127.0.0.1:${second.port}/ws?token=${h.mint('u9')}`);
  const seqs = [];
  for (let i = 0; i < N; ++i) seqs.push((await nat.next('order.created')).data.seq);
  assert.deepEqual([...seqs].sort((a, b2) => a - b2), Array.from({ length: N }, (_, i) => i + 1));
  const q = await ch.checkQueue('ws.crash');
  assert.equal(q.messageCount, 0);
  nat.close();
  await ch.close();
});

test('SIGTERM while consuming: exit 0, and what was not acked is delivered by the next start', async (ctx) => {
  const N = 300;
  const binding = { persist: true, prefetch: 20, targets: ['user:{userId}'] };
  const first = await ctx.start('term', binding);
  const exited = new Promise((resolve) => first.child.once('exit', (code, signal) => resolve({ code, signal })));
  const ch = await ctx.channel();
  for (let i = 1; i <= N; ++i) ch.publish('events', 'order.created', Buffer.from(JSON.stringify({ userId: 'u10', seq: i })), { persistent: true });
  await ch.waitForConfirms();
  // Stopped mid-stream: some messages acked (kept for u10), a prefetch window in hand.
  await until(async () => (await bridge(first.port)).binding.emitted >= 1, 'the first message to be kept');
  first.child.kill('SIGTERM');
  assert.deepEqual(await within(exited, 15000, 'the server to exit after SIGTERM'), { code: 0, signal: null });

  // The next start (same data dir) keeps the rest; u10 gets every message, none lost.
  const second = await ctx.start('term', binding);
  await until(async () => (await ch.checkQueue('ws.term')).messageCount === 0, 'the queue to be drained', 15000);
  const nat = client(`ws://127.0.0.1:${second.port}/ws?token=${h.mint('u10')}`);
  const seen = new Set();
  while (seen.size < N) seen.add((await nat.next('order.created')).data.seq);
  assert.deepEqual([...seen].sort((a, b2) => a - b2), Array.from({ length: N }, (_, i) => i + 1));
  const b = await bridge(second.port);
  assert.equal(b.binding.rejected, 0, JSON.stringify(b));
  nat.close();
  await ch.close();
});

test('amqps://: the broker certificate is verified against --amqp-ca, and the client certificate is sent', async (ctx) => {
  const tls = ['--amqp', ctx.rabbit.tlsUrl, '--amqp-ca', certs.ca, '--amqp-cert', certs.clientCert, '--amqp-key', certs.clientKey];
  const { port } = await ctx.start('tls', {}, tls);
  const b = await bridge(port);
  assert.equal(b.url, ctx.rabbit.tlsUrl.replace('guest:guest', 'guest:***').replace('%2f', '%2F'));
  const nat = client(`ws://127.0.0.1:${port}/ws?token=${h.mint('u11')}`);
  await nat.next('connected');
  const ch = await ctx.channel();
  await publish(ch, 'order.created', { userId: 'u11', over: 'tls' });
  assert.deepEqual((await nat.next('order.created')).data, { userId: 'u11', over: 'tls' });
  nat.close();
  await ch.close();
});

test('amqps://: an untrusted broker certificate or a missing client certificate keeps the bridge out, with the reason', async (ctx) => {
  // The system's CAs do not know the test CA: the handshake fails on our side.
  const untrusted = await ctx.launch('tls-untrusted', {}, ['--amqp', ctx.rabbit.tlsUrl]);
  // Trusted, but no client certificate for a broker that requires one: it fails on theirs.
  const anonymous = await ctx.launch('tls-anonymous', {}, ['--amqp', ctx.rabbit.tlsUrl, '--amqp-ca', certs.ca]);
  const reasons = [/SSL peer cert verification failed/, /SSL error/];
  for (const [i, s] of [untrusted, anonymous].entries()) {
    await until(async () => (await bridge(s.port)).lastError !== null, 'the bridge to report why it cannot connect', 15000);
    const b = await bridge(s.port);
    assert.equal(b.connects, 0, JSON.stringify(b));
    assert.notEqual(b.state, 'connected');
    assert.match(b.lastError, reasons[i], JSON.stringify(b));
    await h.healthy(s.port);
  }
  const ch = await ctx.channel();
  const q = await ch.checkQueue('ws.tls-untrusted').catch(() => null);
  assert.equal(q, null, 'a bridge that never connected declared nothing');
  await ch.close().catch(() => {});
});

main().catch((err) => { console.error(err); process.exit(1); });
