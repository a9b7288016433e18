// Issue 17: SIGHUP reloads the limits and the log level from the same --config file, without a
// restart; a file that does not load is logged and changes nothing. Real binary, real `ws`
// clients, the limits observed from outside.
// Usage: node reload.js /path/to/switchboard
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const { client, harness, until, runCases } = require('./lib');

const h = harness(process.argv[2]);
/** Each case has a config file of its own, written before its server starts. */
const configFile = (name, initial) => {
  const file = path.join(h.dataDir, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify(initial));
  return file;
};
const write = (file, object) => fs.writeFileSync(file, typeof object === 'string' ? object : JSON.stringify(object));

/** A native client's answer to a ping padded to @p bytes: 'pong', or the close code. */
async function probeSize(port, token, bytes) {
  const ws = client(`ws://127.0.0.1:${port}/ws?token=${token}`);
  await ws.next('connected');
  const base = JSON.stringify({ type: 'ping', id: 'p', pad: '' });
  ws.send(JSON.stringify({ type: 'ping', id: 'p', pad: 'x'.repeat(bytes - base.length) }));
  const outcome = await Promise.race([ws.next('pong').then(() => 'pong'), ws.closed.then((c) => c.code)]);
  ws.close();
  return outcome;
}

/** Sends SIGHUP and waits for the reload's log line matching @p pattern (after @p from). */
async function hup(child, pattern) {
  const from = child.stderrLog().length;
  child.kill('SIGHUP');
  await until(() => pattern.test(child.stderrLog().slice(from)), `a log line matching ${pattern}`);
}

/** The number of rate_limited errors a fresh client gets for @p n pings sent at once. */
async function rateLimited(port, token, n, open = null) {
  const ws = open || client(`ws://127.0.0.1:${port}/ws?token=${token}`);
  if (!open) await ws.next('connected');
  for (let i = 0; i < n; ++i) ws.send(JSON.stringify({ type: 'ping', id: String(i) }));
  let pongs = 0;
  let limited = 0;
  ws.on('message', () => {});
  await until(async () => {
    while (ws.unread('pong')) { await ws.next('pong'); ++pongs; }
    while (ws.unread('error')) { const e = await ws.next('error'); if (e.code === 'rate_limited') ++limited; }
    return pongs + limited === n;
  }, `answers to ${n} pings`);
  ws.close();
  return limited;
}

const cases = [
  ['a smaller max-message-size applies to new and open connections after SIGHUP; a broken file leaves it',
    { 'max-message-size': 8192, 'log-level': 'info' }, async (port, child, writeConfig, configPath) => {
    {
      const token = h.mint('r1');
      assert.equal(await probeSize(port, token, 4000), 'pong', '4000 bytes allowed at start');
      const open = client(`ws://127.0.0.1:${port}/ws?token=${token}`);
      await open.next('connected');

      writeConfig({ 'max-message-size': 2048, 'log-level': 'info' });
      await hup(child, /SIGHUP: configuration reloaded: max-message-size: 8192 -> 2048/);
      assert.equal(await probeSize(port, token, 4000), 1009, 'the same message now closes a new connection with 1009');
      assert.equal(await probeSize(port, token, 1500), 'pong', 'under the new limit');
      // A connection opened before the reload gets the new limit too (docs/operations.md): a
      // small ping first (its answer means its I/O thread has run what the reload queued for
      // it), then 4000 bytes, which closes it with 1009.
      const base = JSON.stringify({ type: 'ping', id: 'o', pad: '' });
      open.send(JSON.stringify({ type: 'ping', id: 'o0' }));
      await open.next('pong');
      open.send(JSON.stringify({ type: 'ping', id: 'o', pad: 'x'.repeat(4000 - base.length) }));
      const outcome = await Promise.race([open.next('pong').then(() => 'pong'), open.closed.then((c) => c.code)]);
      assert.equal(outcome, 1009, 'the connection opened before the reload is closed with 1009 for 4000 bytes');

      // Not JSON: logged, and 2048 stays.
      writeConfig('{"max-message-size": 65536,');
      await hup(child, /SIGHUP: the configuration was not reloaded, the running one stays: config file .* is not a JSON object/);
      assert.equal(await probeSize(port, token, 4000), 1009, 'still 2048 after the broken file');
      // A value out of range: the same.
      writeConfig({ 'max-message-size': 'lots' });
      await hup(child, /SIGHUP: the configuration was not reloaded.*max-message-size/);
      assert.equal(await probeSize(port, token, 4000), 1009, 'still 2048 after the bad value');
      assert.equal(await probeSize(port, token, 1500), 'pong');
      // The file gone: the same.
      fs.rmSync(configPath);
      await hup(child, /SIGHUP: the configuration was not reloaded.*cannot read config file/);
      assert.equal(await probeSize(port, token, 4000), 1009);
      await h.healthy(port);
    }
  }],
  ['rate-limit and rate-burst reload', { 'rate-limit': 1000, 'rate-burst': 1000 }, async (port, child, writeConfig) => {
    {
      const token = h.mint('r2');
      assert.equal(await rateLimited(port, token, 30), 0, 'a burst of 30 allowed at start');
      const open = client(`ws://127.0.0.1:${port}/ws?token=${token}`);
      await open.next('connected');
      writeConfig({ 'rate-limit': 1, 'rate-burst': 5 });
      await hup(child, /SIGHUP: configuration reloaded: rate-limit: 1000 -> 1, rate-burst: 1000 -> 5/);
      const limited = await rateLimited(port, token, 30);
      assert.ok(limited >= 20, `most of a burst of 30 refused with a burst of 5 (${limited})`);
      // The connection opened before the reload has the new bucket too (its tokens cut to 5).
      const limitedOpen = await rateLimited(port, token, 30, open);
      assert.ok(limitedOpen >= 20, `most of a burst of 30 on the connection opened before refused (${limitedOpen})`);
    }
  }],
  ['max-pending-bytes reaches an Engine.IO session opened before the reload and connected after it',
    { 'max-pending-bytes': 4194304 }, async (port, child, writeConfig) => {
    {
      const token = h.mint('r5');
      // An Engine.IO session over polling, without its Socket.IO CONNECT yet.
      const base = `http://127.0.0.1:${port}/socket.io/?EIO=4&transport=polling`;
      const opened = await (await fetch(base)).text();
      assert.match(opened, /^0\{/);
      const session = `${base}&sid=${JSON.parse(opened.slice(1)).sid}`;
      writeConfig({ 'max-pending-bytes': 16384 });
      await hup(child, /max-pending-bytes: 4194304 -> 16384/);
      // CONNECT now: the connection is admitted after the reload, which could not reach it.
      assert.equal((await fetch(session, { method: 'POST', body: `40${JSON.stringify({ token })}` })).status, 200);
      assert.match(await (await fetch(session)).text(), /^40\{.*"sid"/);
      const slow = async () => (await h.api(port, 'GET', '/api/metrics')).body.slowConsumers;
      const before = await slow();
      // Never polled again: 64 KB of events go past the new 16 KB budget (the old one was 4 MiB).
      for (let i = 0; i < 8; ++i) {
        const r = await h.emit(port, { event: 'fill', userId: 'r5', payload: { pad: 'x'.repeat(8192) } });
        assert.equal(r.status, 200, JSON.stringify(r.body));
      }
      await until(async () => (await slow()) > before, 'the session closed as a slow consumer under the reloaded budget', 5000);
      const left = await h.api(port, 'GET', '/api/websocket/connections?userId=r5');
      assert.equal(left.body.connections.length, 0, JSON.stringify(left.body));
    }
  }],
  ['max-connections reloads for the next accept', { 'max-connections': 100 }, async (port, child, writeConfig) => {
    {
      const token = h.mint('r3');
      const a = client(`ws://127.0.0.1:${port}/ws?token=${token}`);
      await a.next('connected');
      writeConfig({ 'max-connections': 1 });
      await hup(child, /max-connections: 100 -> 1/);
      const b = client(`ws://127.0.0.1:${port}/ws?token=${token}`);
      assert.equal((await b.closed).code, 1013, 'over the new cap: 1013');
      a.close();
      await a.closed;
      // Once the first one's slot is free, one connection fits again.
      await until(async () => {
        const c = client(`ws://127.0.0.1:${port}/ws?token=${token}`);
        const admitted = await Promise.race([c.next('connected').then(() => true), c.closed.then(() => false)]);
        c.close();
        return admitted;
      }, 'a connection admitted under the cap of 1', 5000);
    }
  }],
  ['log-level reloads: warning hides the info lines, debug shows the debug ones',
    { 'log-level': 'info', 'log-format': 'json' }, async (port, child, writeConfig) => {
    {
      const lines = (from) => child.stderrLog().slice(from).split('\n').filter(Boolean).map((l) => JSON.parse(l));
      const refusal = async () => {
        const ws = client(`ws://127.0.0.1:${port}/ws?token=not-a-token`);
        assert.equal((await ws.closed).code, 4002); // invalid token
      };
      const refusedAtInfo = (from) => lines(from).some((l) => l.level === 'info' && /refused .* with 4002/.test(l.message));
      let from = child.stderrLog().length;
      await refusal();
      await until(() => refusedAtInfo(from), 'the refusal logged at info');

      writeConfig({ 'log-level': 'warning', 'log-format': 'json' });
      await hup(child, /SIGHUP: configuration reloaded; no limit changed \(log level warning\)/);
      from = child.stderrLog().length;
      await refusal();
      // The broken file's warning comes after the refusal: what the refusal logged is in.
      writeConfig('not json');
      await hup(child, /SIGHUP: the configuration was not reloaded/);
      assert.equal(refusedAtInfo(from), false, 'no info line at warning level');
      assert.equal(lines(from).some((l) => l.level === 'info'), false, JSON.stringify(lines(from)));

      // Back to debug: the reload says nothing at warning level, so connections are opened
      // until one is logged at debug.
      writeConfig({ 'log-level': 'debug', 'log-format': 'json' });
      from = child.stderrLog().length;
      child.kill('SIGHUP');
      const token = h.mint('r4');
      await until(async () => {
        const ws = client(`ws://127.0.0.1:${port}/ws?token=${token}`);
        await ws.next('connected');
        ws.close();
        return lines(from).some((l) => l.level === 'debug' && /^connection \d+ user/.test(l.message));
      }, 'a connection\'s debug line', 5000);
    }
  }],
];

runCases('reload', cases.map(([name, initial, fn], i) => {
  const file = configFile(`case${i}`, initial);
  return { name, args: ['--config', file], fn: (port, pid, child) => fn(port, child, (object) => write(file, object), file) };
}), h, process.argv[3] ? new RegExp(process.argv[3]) : null);
