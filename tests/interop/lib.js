// Shared helpers of the interop tests: start the real binary, ws clients that can await a
// message type, the internal HTTP API. Usage: const h = harness(binaryPath, extraServerArgs).
'use strict';
const assert = require('node:assert/strict');
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

let WebSocket;
try {
  WebSocket = require('ws');
} catch (e) {
  console.error('npm packages missing: run scripts/install-deps.sh (npm ci in tests/interop)');
  process.exit(1);
}

const internalKey = 'interop-key';

/** A ws client that queues messages so a test can await the next one of a given type. */
function client(url, options) {
  const ws = new WebSocket(url, options);
  const queue = [];
  const waiters = [];
  ws.on('message', (raw) => {
    const msg = JSON.parse(raw.toString());
    const i = waiters.findIndex((w) => w.type === msg.type);
    if (i >= 0) waiters.splice(i, 1)[0].resolve(msg); else queue.push(msg);
  });
  ws.next = (type, timeoutMs = 5000) => {
    const i = queue.findIndex((m) => m.type === type);
    if (i >= 0) return Promise.resolve(queue.splice(i, 1)[0]);
    return new Promise((resolve, reject) => {
      const w = { type, resolve };
      waiters.push(w);
      setTimeout(() => {
        const k = waiters.indexOf(w);
        if (k >= 0) waiters.splice(k, 1);
        reject(new Error(`no "${type}" within ${timeoutMs} ms`));
      }, timeoutMs);
    });
  };
  ws.unread = (type) => queue.filter((m) => m.type === type).length;
  ws.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  ws.opened = new Promise((resolve, reject) => { ws.on('open', resolve); ws.on('error', reject); });
  return ws;
}

/** The resident set size of process @p pid in MiB (VmRSS in /proc/<pid>/status). */
function rssMiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

function harness(binary, extraArgs = []) {
  assert.ok(binary && fs.existsSync(binary), 'pass the switchboard binary path');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-interop-'));

  /** Starts the binary; @p moreArgs may override the defaults --port 0 and --threads 2. */
  function startServer(moreArgs = []) {
    return new Promise((resolve, reject) => {
      const args = [...extraArgs, ...moreArgs];
      const defaults = [['--port', '0'], ['--threads', '2']].filter(([flag]) => !args.includes(flag)).flat();
      const child = spawn(binary, ['--headless', ...defaults, '--data-dir', dataDir,
        '--internal-key', internalKey, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
      let log = '';
      const timer = setTimeout(() => reject(new Error('server did not start:\n' + log)), 15000);
      child.stderr.on('data', (chunk) => {
        log += chunk;
        const m = /listening on https?:\/\/[^:]+:(\d+)/.exec(log);
        if (m) { clearTimeout(timer); resolve({ child, port: Number(m[1]) }); }
      });
      // The server's stderr so far, for a failure report (it keeps being collected after start).
      child.stderrLog = () => log;
      child.on('exit', (code) => reject(new Error(`server exited early (${code}):\n${log}`)));
    });
  }

  /** An HTTP request with the internal key; resolves to { status, body }. */
  async function api(port, method, route, body) {
    const res = await fetch(`http://127.0.0.1:${port}${route}`, {
      method, headers: { 'content-type': 'application/json', 'x-internal-key': internalKey },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  }

  return {
    dataDir,
    startServer,
    api,
    emit: (port, body) => api(port, 'POST', '/api/v1/internal/emit', body),
    mint: (user, extra = []) => execFileSync(binary, ['token', '--user', user, '--data-dir', dataDir, ...extra]).toString().trim(),
    /** Asserts that the server still answers /health with status "ok". */
    healthy: async (port) => {
      const r = await api(port, 'GET', '/health');
      assert.equal(r.status, 200);
      assert.equal(r.body.status, 'ok');
    },
    cleanup: () => fs.rmSync(dataDir, { recursive: true, force: true }),
  };
}


/** Rejects with a clear message when @p promise does not settle within @p ms. */
function within(promise, ms, what) {
  let timer;
  return Promise.race([promise, new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  })]).finally(() => clearTimeout(timer));
}

/** Polls @p probe (async) until it returns something truthy; that value, or a timeout error. */
async function until(probe, what, ms = 5000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A socket.io-client socket of its own (no reconnection), WebSocket transport unless @p opts say. */
function sio(port, opts) {
  const { io } = require('socket.io-client');
  return io(`http://127.0.0.1:${port}`, { forceNew: true, reconnection: false, transports: ['websocket'], ...opts });
}

/**
 * Resolves when @p s connects (at once if it already has: a socket opened alongside another may
 * connect before anyone awaits it); rejects on connect_error or after 5 s.
 */
function connected(s) {
  if (s.connected) return Promise.resolve();
  return within(new Promise((resolve, reject) => {
    s.once('connect', resolve);
    s.once('connect_error', (err) => reject(new Error(`connect_error: ${err.message}`)));
  }), 5000, '"connect"');
}

/**
 * Runs named cases ({ name, args, fn(port, pid, child), timeoutMs? }), each on a server of its own
 * started with extra @p args and killed after it (a case fails after timeoutMs, 30 s unless set);
 * @p filter (a RegExp or null) picks cases by name. Exits 0 when all passed, 1 with the failures
 * and the server's stderr otherwise.
 */
async function runCases(title, cases, h, filter) {
  const failed = [];
  try {
    for (const c of cases) {
      if (filter && !filter.test(c.name)) continue;
      const { child, port } = await h.startServer(c.args);
      const started = Date.now();
      try {
        await within(c.fn(port, child.pid, child), c.timeoutMs || 30000, `case "${c.name}"`);
        console.log(`ok ${c.name} (${Date.now() - started} ms)`);
      } catch (err) {
        failed.push(c.name);
        console.error(`FAIL ${c.name}\n  ${err.stack || err}\nserver stderr (tail):\n${child.stderrLog().slice(-2000)}`);
      } finally {
        child.kill('SIGKILL');
      }
    }
  } finally {
    h.cleanup();
  }
  if (failed.length) {
    console.error(`${title} FAILED: ${failed.length} case(s):\n  - ${failed.join('\n  - ')}`);
    process.exit(1);
  }
  console.log(`${title}: all passed`);
  process.exit(0);
}

/** A free TCP port on 127.0.0.1 (bound, read and released). */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = require('node:net').createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
}

/** Runs `redis-cli -p PORT ...args`; resolves to its stdout. */
function redisCli(port, ...args) {
  return new Promise((resolve, reject) => {
    require('node:child_process').execFile('redis-cli', ['-p', String(port), ...args], (err, stdout, stderr) => {
      if (err) reject(new Error(`redis-cli ${args.join(' ')}: ${stderr || err.message}`)); else resolve(stdout);
    });
  });
}

/**
 * A throwaway redis-server on a free port (no persistence, its own dir), ready when this
 * resolves: { port, url, stop(), restart() (same port), kill(), pause(), resume() }.
 */
/** A throwaway redis-server; @p extraArgs (e.g. ['--appendonly', 'yes']) override the defaults. */
async function startRedis(extraArgs = []) {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-redis-'));
  let child = null;
  const ready = () => until(async () => (await redisCli(port, 'PING').catch(() => '')).trim() === 'PONG',
    `redis-server on port ${port}`, 10000);
  const launch = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
      '--dir', dir, ...extraArgs], { stdio: 'ignore' });
    await ready();
  };
  const stop = async () => {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    child.kill('SIGCONT'); // a paused one too
    await exited;
  };
  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop,
    restart: async () => { await stop(); await launch(); },
    /** kill -9, then start again on the same port and data directory. */
    crashAndRestart: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      await launch();
    },
    kill: () => child.kill('SIGKILL'),
    /** SIGSTOP / SIGCONT: a Redis that keeps its connections and answers nothing meanwhile. */
    pause: () => child.kill('SIGSTOP'),
    resume: () => child.kill('SIGCONT'),
    cleanup: async () => { await stop(); fs.rmSync(dir, { recursive: true, force: true }); },
  };
}

module.exports = { client, harness, internalKey, rssMiB, within, until, runCases, sio, connected, freePort, redisCli, startRedis };
