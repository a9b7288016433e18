// Shared by the tests of examples/ (example-notifications.js, example-ride-hailing.js): start an
// example's back end (node backend.js, as its README says) and the real binary with the
// example's own config file, the settings coming from the environment variables the example's
// "env" aliases name (JWT_SECRET, INTERNAL_API_KEY, HOOKS_SECRET, PORT), as in a deployment.
'use strict';
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { freePort, within } = require('./lib');

const examplesDir = path.join(__dirname, '..', '..', 'examples');

/** An HS256 token with exactly @p claims (exp an hour away), as the old services' login issued. */
function signToken(secret, claims) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 3600, ...claims })}`;
  return `${body}.${crypto.createHmac('sha256', secret).update(body).digest('base64url')}`;
}

/** Spawns @p cmd, resolves { child, match } once its @p stream output matches @p re. */
function spawnUntil(cmd, args, options, stream, re, what) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.log = () => log;
    const timer = setTimeout(() => reject(new Error(`${what} did not start:\n${log}`)), 15000);
    const onData = (chunk) => {
      log += chunk;
      const m = re.exec(log);
      if (m && timer) { clearTimeout(timer); resolve({ child, match: m }); }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (err) => { clearTimeout(timer); reject(err); });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`${what} exited early (${code}):\n${log}`)); });
  });
}

/**
 * Starts example @p name: its backend.js (BACKEND_PORT=0) with @p backendEnv, then the binary with
 * `--config examples/<name>/switchboard.json`. The example's hooks.json names its back end on a
 * fixed port; the test's copy differs only in that port (asserted), since the back end here
 * listens on a free one. Resolves to { port, url, backendUrl, secrets, server, backend, stop() }.
 */
async function startExample(binaryPath, name, options = {}) {
  // The port is chosen before the server binds it (the back end is told the server's URL
  // first), so another test may take it in between: then both start again on another port.
  for (let attempt = 1; ; ++attempt) {
    try {
      return await startExampleOnce(binaryPath, name, options);
    } catch (err) {
      if (attempt >= 5 || !/address is already in use/.test(String(err && err.message))) throw err;
    }
  }
}

async function startExampleOnce(binaryPath, name, { backendEnv = {}, args = [] } = {}) {
  assert.ok(binaryPath && fs.existsSync(binaryPath), 'pass the switchboard binary path');
  const binary = path.resolve(binaryPath); // the server runs in the example's directory
  const dir = path.join(examplesDir, name);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `sb-example-${name}-`));
  const secrets = {
    JWT_SECRET: crypto.randomBytes(24).toString('hex'),
    INTERNAL_API_KEY: crypto.randomBytes(24).toString('hex'),
    HOOKS_SECRET: crypto.randomBytes(24).toString('hex'),
  };
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const backend = await spawnUntil(process.execPath, [path.join(dir, 'backend.js')], {
    cwd: dir,
    // The same environment as the server's (PORT included), as in the README's shell.
    env: { ...process.env, ...secrets, PORT: String(port), BACKEND_PORT: '0', SWITCHBOARD_URL: url, ...backendEnv },
  }, 'stdout', /listening on (http:\/\/127\.0\.0\.1:(\d+))/, `${name} backend.js`);
  const backendUrl = backend.match[1];
  try {
    return await startServer();
  } catch (err) {
    backend.child.kill('SIGKILL');
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }

  async function startServer() {
    const hooksText = fs.readFileSync(path.join(dir, 'hooks.json'), 'utf8');
    const hooks = JSON.parse(hooksText);
    const copy = JSON.parse(hooksText);
    for (const rule of copy.events) {
      if (rule.url) rule.url = rule.url.replace(/^http:\/\/127\.0\.0\.1:\d+/, backendUrl);
    }
    const same = (a, b) => JSON.stringify({ ...a, url: undefined }) === JSON.stringify({ ...b, url: undefined });
    hooks.events.forEach((rule, i) => {
      assert.ok(same(rule, copy.events[i]), 'only the back end\'s port differs');
      if (rule.url) assert.equal(new URL(rule.url).pathname, new URL(copy.events[i].url).pathname);
    });
    const hooksFile = path.join(tmp, 'hooks.json');
    fs.writeFileSync(hooksFile, JSON.stringify(copy));

    // cwd: the example's directory, so its config's relative "hooks" path would resolve as in
    // the README; --hooks points at the copy with the back end's port.
    const server = await spawnUntil(binary, ['--headless', '--config', path.join(dir, 'switchboard.json'),
      '--hooks', hooksFile, '--data-dir', tmp, '--threads', '2', ...args], {
      cwd: dir,
      env: { ...process.env, ...secrets, PORT: String(port) },
    }, 'stderr', /listening on http:\/\/[^:]+:(\d+)/, 'switchboard');
    assert.equal(Number(server.match[1]), port, 'PORT came through the config file\'s env alias');

    const stop = async () => {
      for (const p of [server.child, backend.child]) {
        if (p.exitCode !== null || p.signalCode !== null) continue;
        const exited = new Promise((r) => p.once('exit', r));
        p.kill('SIGTERM');
        await within(exited, 10000, 'a child to exit').catch(() => p.kill('SIGKILL'));
      }
      fs.rmSync(tmp, { recursive: true, force: true });
    };
    return { port, url, backendUrl, secrets, server: server.child, backend: backend.child, stop };
  }
}

/** POST @p body as JSON to @p url with @p headers; resolves { status, body }. */
async function postJson(url, body, headers = {}) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { json = text; }
  return { status: res.status, body: json };
}

/** Records every event a socket.io-client socket receives: s.events (name -> [first args]). */
function recordEvents(s) {
  s.events = new Map();
  s.onAny((event, ...args) => {
    if (!s.events.has(event)) s.events.set(event, []);
    s.events.get(event).push(args[0]);
  });
  s.count = (event) => (s.events.get(event) || []).length;
  return s;
}

/** The next @p event on socket.io-client socket @p s (its first argument), or a timeout error. */
function nextEvent(s, event, ms = 5000) {
  return within(new Promise((resolve) => s.once(event, resolve)), ms, `"${event}"`);
}

/**
 * Everything emitted to @p clients ([{ userId, s }] for socket.io-client, [{ userId, ws }] for
 * lib.js ws clients) before this call has reached them: an emit to each one's user room arrives
 * after every earlier event on that connection.
 */
async function barrier(ex, clients) {
  const tag = crypto.randomUUID();
  const waits = clients.map(({ s, ws }) => (s
    ? new Promise((resolve) => {
      const on = (p) => { if (p && p.tag === tag) { s.off('barrier', on); resolve(); } };
      s.on('barrier', on);
    })
    : (async () => { while ((await ws.next('barrier')).data.tag !== tag); })()));
  for (const userId of new Set(clients.map((c) => c.userId))) {
    const r = await postJson(`${ex.url}/api/v1/internal/emit`, { event: 'barrier', userId, payload: { tag } },
      { 'x-internal-key': ex.secrets.INTERNAL_API_KEY });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }
  await within(Promise.all(waits), 5000, 'the barrier event');
}

/** Runs @p cases ([name, fn]) in order and exits 0, or 1 naming the failures. */
async function runSequence(title, cases, context) {
  const failed = [];
  for (const [name, fn] of cases) {
    const started = Date.now();
    try {
      await within(fn(), 30000, `case "${name}"`);
      console.log(`ok ${name} (${Date.now() - started} ms)`);
    } catch (err) {
      failed.push(name);
      console.error(`FAIL ${name}\n  ${err.stack || err}`);
      console.error(`switchboard stderr (tail):\n${context.server.log().slice(-2000)}`);
      console.error(`backend output (tail):\n${context.backend.log().slice(-1000)}`);
    }
  }
  if (failed.length) {
    console.error(`${title} FAILED: ${failed.length} case(s):\n  - ${failed.join('\n  - ')}`);
    return 1;
  }
  console.log(`${title}: all passed`);
  return 0;
}

module.exports = { startExample, signToken, postJson, recordEvents, nextEvent, barrier, runSequence, examplesDir };
