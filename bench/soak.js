// Soak: drives one switchboard node for a while with churn and abuse, samples its RSS and open
// descriptors, and prints whether both stayed flat after warm-up. Run by bench/soak.sh; see
// docs/security.md ("Soak").
//
//   node bench/soak.js BINARY [seconds=600] [warmupSeconds=max(60, seconds/5)]
//
// What runs at once, all the time:
//   - steady: 400 native clients in 20 rooms; HTTP emits to those rooms (about 400/s)
//   - storms: 150 native connects per second, each subscribes, half closed cleanly, half dropped
//   - Socket.IO: 15 sessions per second over polling, upgraded to WebSocket, get one event, leave
//   - queues: 100 jobs per second enqueued over HTTP, consumed and acked (a tenth nacked) by a worker
//   - bad input every second: broken JSON and oversized frames on WebSockets, bad tokens, an
//     oversized and a smuggling-shaped HTTP request, garbage on a raw socket, bad Engine.IO bodies
// Prints a sample line every 10 s and a JSON summary; exits 1 when RSS or descriptors grew by
// more than 10 % from the end of warm-up to the end (or the server died).
//
// SOAK_OFF=part,... switches parts off to tell apart what grows: steady (the 400 clients and
// the emits to their rooms), storms, sio, queues, bad. SOAK_LOG=FILE keeps the server's stderr.
'use strict';
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const modules = path.join(__dirname, '..', 'tests', 'interop', 'node_modules');
const WebSocket = require(path.join(modules, 'ws'));
const { io } = require(path.join(modules, 'socket.io-client'));

const binary = process.argv[2];
const seconds = Number(process.argv[3] || 600);
const warmup = Number(process.argv[4] || Math.max(60, Math.round(seconds / 5)));
if (!binary || !fs.existsSync(binary)) {
  console.error('usage: node bench/soak.js BINARY [seconds] [warmupSeconds]');
  process.exit(2);
}
const parts = ['steady', 'storms', 'sio', 'queues', 'bad'];
const off = new Set((process.env.SOAK_OFF || '').split(',').filter(Boolean));
for (const part of off) {
  if (!parts.includes(part)) {
    console.error(`SOAK_OFF: unknown part ${part} (parts: ${parts.join(', ')})`);
    process.exit(2);
  }
}
const on = (part) => !off.has(part);
const key = 'soak-key';
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-soak-'));
const mint = (user, extra = []) => execFileSync(binary, ['token', '--user', user, '--data-dir', dataDir, ...extra]).toString().trim();

function start() {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ['--headless', '--port', '0', '--threads', '2', '--data-dir', dataDir,
      '--internal-key', key, '--max-message-size', '65536', '--client-queues', 'soak'],
    { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    // SOAK_LOG=FILE keeps the server's whole stderr (e.g. a sanitizer's report at exit).
    if (process.env.SOAK_LOG) child.stderr.pipe(fs.createWriteStream(process.env.SOAK_LOG));
    child.stderr.on('data', (c) => {
      log += c;
      if (log.length > 1 << 20) log = log.slice(-65536);
      const m = /listening on https?:\/\/[^:]+:(\d+)/.exec(log);
      if (m && !child.port) { child.port = Number(m[1]); resolve(child); }
    });
    child.on('exit', (code, signal) => { child.exited = { code, signal }; reject(new Error(`server exited: ${code ?? signal}\n${log.slice(-2000)}`)); });
  });
}

const counters = { steadyEvents: 0, stormConnects: 0, sioSessions: 0, jobsEnqueued: 0, jobsAcked: 0, emits: 0, badInputs: 0, errors: 0 };
const noteError = () => { counters.errors += 1; };

async function api(port, method, route, body) {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${route}`, {
      method, headers: { 'content-type': 'application/json', 'x-internal-key': key },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    await res.arrayBuffer();
    return res.status;
  } catch {
    noteError();
    return 0;
  }
}

function every(ms, fn) {
  const t = setInterval(() => { Promise.resolve().then(fn).catch(noteError); }, ms);
  return () => clearInterval(t);
}

function sample(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (name) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)[1]) / 1024;
  const fds = fs.readdirSync(`/proc/${pid}/fd`).length;
  // RssAnon is the heap; RssFile counts mapped files (libraries, SQLite's WAL index).
  return { rss: kib('VmRSS'), anon: kib('RssAnon'), file: kib('RssFile'), fds };
}

async function main() {
  const server = await start();
  const port = server.port;
  const base = `ws://127.0.0.1:${port}/ws`;
  const tokens = Array.from({ length: 40 }, (_, i) => mint(`soak-${i}`));
  const workerToken = mint('soak-worker', ['--role', 'worker']);
  const stops = [];

  // Steady clients and the emits they receive.
  const steady = [];
  for (let i = 0; on('steady') && i < 400; ++i) {
    const ws = new WebSocket(`${base}?token=${tokens[i % tokens.length]}`);
    ws.on('open', () => ws.send(JSON.stringify({ type: 'subscribe', channel: `soak:${i % 20}` })));
    ws.on('message', () => { counters.steadyEvents += 1; });
    ws.on('error', noteError);
    steady.push(ws);
  }
  if (on('steady')) stops.push(every(50, async () => {
    for (let r = 0; r < 20; ++r) {
      const status = await api(port, 'POST', '/api/v1/internal/emit', { event: 'tick', room: `soak:${r}`, payload: { at: Date.now() } });
      if (status === 200) counters.emits += 1;
    }
  }));

  // Connect storms.
  if (on('storms')) stops.push(every(1000, () => {
    for (let i = 0; i < 150; ++i) {
      const ws = new WebSocket(`${base}?token=${tokens[i % tokens.length]}`);
      ws.on('error', () => {});
      ws.on('message', (raw) => {
        const msg = JSON.parse(raw.toString());
        if (msg.type === 'connected') {
          counters.stormConnects += 1;
          ws.send(JSON.stringify({ type: 'subscribe', channel: `storm:${i % 50}` }));
        } else if (msg.type === 'subscribed') {
          if (i % 2) ws.close(1000); else ws.terminate();
        }
      });
    }
  }));

  // Socket.IO sessions: polling, upgraded, one event each.
  if (on('sio')) stops.push(every(1000, () => {
    for (let i = 0; i < 15; ++i) {
      const user = `soak-${i}`;
      const s = io(`http://127.0.0.1:${port}`, { forceNew: true, reconnection: false, transports: ['polling', 'websocket'], auth: { token: tokens[i] } });
      const done = () => s.close();
      s.on('connect', () => {
        s.io.engine.once('upgrade', () => {
          counters.sioSessions += 1;
          api(port, 'POST', '/api/v1/internal/emit', { event: 'sio', userId: user, payload: {} });
        });
      });
      s.on('sio', done);
      s.on('connect_error', () => { noteError(); done(); });
      setTimeout(done, 5000);
    }
  }));

  // Queue flow.
  const worker = on('queues') ? new WebSocket(`${base}?token=${workerToken}`) : null;
  if (worker) worker.on('error', noteError);
  if (worker) worker.on('message', (raw) => {
    const msg = JSON.parse(raw.toString());
    if (msg.type === 'connected') worker.send(JSON.stringify({ type: 'consume', queue: 'soak', prefetch: 50 }));
    if (msg.type !== 'job') return;
    if (msg.data.n % 10 === 0 && msg.attempt === 1) {
      worker.send(JSON.stringify({ type: 'nack', id: msg.id, error: 'soak nack' }));
    } else {
      worker.send(JSON.stringify({ type: 'ack', id: msg.id }));
      counters.jobsAcked += 1;
    }
  });
  let job = 0;
  if (worker) stops.push(every(100, async () => {
    for (let i = 0; i < 10; ++i) {
      if (await api(port, 'POST', '/api/queues/soak/messages', { payload: { n: ++job } }) === 202) counters.jobsEnqueued += 1;
    }
  }));

  // Bad input.
  if (on('bad')) stops.push(every(1000, () => {
    counters.badInputs += 1;
    const bad = new WebSocket(`${base}?token=${tokens[0]}`);
    bad.on('error', () => {});
    bad.on('open', () => {
      bad.send('{not json');
      bad.send('x'.repeat(70000)); // over --max-message-size: closed with 1009
    });
    const badToken = new WebSocket(`${base}?token=not-a-token`);
    badToken.on('error', () => {});
    const raw = (bytes) => {
      const s = net.connect(port, '127.0.0.1', () => s.end(bytes));
      s.on('error', () => {});
      s.resume();
    };
    raw('POST /api/v1/internal/emit HTTP/1.1\r\nHost: x\r\nContent-Length: 209715200\r\n\r\n' + 'y'.repeat(4096));
    raw('GET / HTTP/1.1\r\n' + Array.from({ length: 150 }, (_, i) => `X-H${i}: v\r\n`).join('') + '\r\n');
    raw('POST /api/v1/internal/emit HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n');
    raw(Buffer.from(Array.from({ length: 512 }, () => Math.floor(Math.random() * 256))));
    fetch(`http://127.0.0.1:${port}/socket.io/?EIO=4&transport=polling&sid=nope`, { method: 'POST', body: '4garbage' })
      .then((r) => r.arrayBuffer()).catch(() => {});
  }));

  // Samples.
  const samples = [];
  const started = Date.now();
  await new Promise((resolve) => {
    const timer = setInterval(() => {
      if (server.exited) { clearInterval(timer); resolve(); return; }
      const t = Math.round((Date.now() - started) / 1000);
      const s = { t, ...sample(server.pid) };
      samples.push(s);
      if (t % 10 < 5) {
        console.log(`t=${t}s rss=${s.rss.toFixed(1)} MiB (anon ${s.anon.toFixed(1)}, file ${s.file.toFixed(1)}) fds=${s.fds} ${JSON.stringify(counters)}`);
      }
      if (t >= seconds) { clearInterval(timer); resolve(); }
    }, 5000);
  });
  stops.forEach((stop) => stop());
  const alive = !server.exited;
  // Churn makes single samples jumpy (storms open and drop hundreds of sockets a second): the
  // median of the first minute after warm-up is compared with the median of the last minute.
  const window = Math.min(60, Math.max(10, (seconds - warmup) / 3));
  const median = (list) => { const v = [...list].sort((a, b) => a - b); return v.length ? v[Math.floor(v.length / 2)] : NaN; };
  const stat = (k) => {
    const after = samples.filter((s) => s.t >= warmup);
    const first = after.filter((s) => s.t < warmup + window).map((s) => s[k]);
    const lastOnes = after.filter((s) => s.t > seconds - window).map((s) => s[k]);
    const from = median(first);
    const to = median(lastOnes);
    return { afterWarmup: from, end: to, max: Math.max(...after.map((s) => s[k])), growth: (to - from) / from };
  };
  const summary = { seconds, warmup, window, off: [...off], alive, counters, rss: stat('rss'), anon: stat('anon'), file: stat('file'), fds: stat('fds') };
  console.log(JSON.stringify(summary));
  steady.forEach((ws) => ws.terminate());
  if (worker) worker.terminate();
  server.kill('SIGTERM');
  await new Promise((resolve) => (server.exitCode !== null || server.signalCode !== null ? resolve() : server.once('exit', resolve)));
  fs.rmSync(dataDir, { recursive: true, force: true });
  const flat = alive && summary.rss.growth <= 0.10 && summary.fds.growth <= 0.10;
  console.log(flat ? 'soak: RSS and descriptors flat' : 'soak: FAILED (server died, or RSS or descriptors grew more than 10 % after warm-up)');
  process.exit(flat ? 0 : 1);
}

main().catch((err) => { console.error(err); process.exit(1); });
