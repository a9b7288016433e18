// Shared helpers of the cluster tests: headless switchboard nodes on one throwaway
// redis-server, the HTTP API with the internal key, and a case runner that starts a fresh
// Redis per case and prints the nodes' logs on failure.
'use strict';
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const net = require('node:net');

const { client, until, within, startRedis } = require('./lib');

const secret = 'cluster-test-secret';
const key = 'cluster-test-key';
const HEARTBEAT = 500;

function clusterHarness(binary) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-cluster-'));
  let caseNodes = []; // started by the running case, for their logs on failure

  const mint = (user) => execFileSync(binary, ['token', '--user', user, '--jwt-secret', secret]).toString().trim();

  /** A headless node on @p redis named @p name; resolves once it listens. @p env: variables
   *  added to this process's environment for it. */
  function startNode(name, redis, extra = [], env = undefined) {
    const dataDir = fs.mkdtempSync(path.join(tmp, `${name}-`));
    return new Promise((resolve, reject) => {
      const child = spawn(binary, ['--headless', '--port', '0', '--threads', '2', '--data-dir', dataDir,
        '--jwt-secret', secret, '--internal-key', key, '--redis', redis.url, '--node-name', name,
        ...(extra.includes('--cluster-heartbeat') ? [] : ['--cluster-heartbeat', String(HEARTBEAT)]),
        '--rate-limit', '100000', ...extra],
      { stdio: ['ignore', 'ignore', 'pipe'], env: env ? { ...process.env, ...env } : process.env });
      let log = '';
      const timer = setTimeout(() => reject(new Error(`node ${name} did not start:\n${log}`)), 15000);
      child.stderr.on('data', (chunk) => {
        log += chunk;
        const m = /listening on http:\/\/[^:]+:(\d+)/.exec(log);
        if (m && !child.port) {
          clearTimeout(timer);
          child.port = Number(m[1]);
          resolve(child);
        }
      });
      child.log = () => log;
      child.name = name;
      caseNodes.push(child);
      child.once('exit', (code) => reject(new Error(`node ${name} exited early (${code}):\n${log}`)));
    });
  }

  async function api(port, method, route, body) {
    const res = await fetch(`http://127.0.0.1:${port}${route}`, {
      method, headers: { 'content-type': 'application/json', 'x-internal-key': key },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  }

  /** Waits until every node sees @p n nodes up. */
  async function clusterOf(nodes, n = nodes.length) {
    for (const node of nodes) {
      await until(async () => {
        const r = await api(node.port, 'GET', '/api/cluster/nodes');
        return r.body.nodes.filter((x) => x.state === 'up').length === n;
      }, `${node.name} to see ${n} nodes`, 10000);
    }
  }

  /** Runs { name, fn(redis), redisArgs? } cases, each with a Redis of its own; exits 0 or 1. */
  async function run(title, cases, filter) {
    const failed = [];
    try {
      for (const c of cases) {
        if (filter && !filter.test(c.name)) continue;
        caseNodes = [];
        const redis = await startRedis(c.redisArgs);
        const started = Date.now();
        try {
          await within(c.fn(redis), 60000, `case "${c.name}"`);
          // Every node still up stops cleanly (under ASan this is where leaks would show).
          for (const n of caseNodes) {
            if (n.exitCode !== null || n.signalCode !== null) continue;
            const exited = new Promise((resolve) => n.once('exit', (code, signal) => resolve({ code, signal })));
            n.kill('SIGTERM');
            const { code, signal } = await within(exited, 15000, `node ${n.name} to stop`);
            if (code !== 0) throw new Error(`node ${n.name} exited with ${code ?? signal} on SIGTERM`);
          }
          console.log(`ok ${c.name} (${Date.now() - started} ms)`);
        } catch (err) {
          failed.push(c.name);
          console.error(`FAIL ${c.name}\n  ${err.stack || err}`);
          for (const n of caseNodes) console.error(`--- node ${n.name} stderr (tail):\n${n.log().slice(-3000)}`);
        } finally {
          for (const n of caseNodes) n.kill('SIGKILL');
          await redis.cleanup().catch(() => {});
        }
      }
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
    if (failed.length) {
      console.error(`${title} FAILED: ${failed.length} case(s):\n  - ${failed.join('\n  - ')}`);
      process.exit(1);
    }
    console.log(`${title}: all passed`);
    process.exit(0);
  }

  const workerToken = (user) => execFileSync(binary, ['token', '--user', user, '--role', 'worker',
    '--jwt-secret', secret]).toString().trim();

  /** A native worker on @p node consuming @p queue; @p onJob(msg, ws). Resolves once the consume is answered. */
  async function worker(node, user, queue, opts, onJob) {
    const ws = client(`ws://127.0.0.1:${node.port}/ws?token=${workerToken(user)}`);
    await ws.next('connected');
    ws.on('message', (raw) => {
      const msg = JSON.parse(raw.toString());
      if (msg.type === 'job') onJob(msg, ws);
    });
    ws.send(JSON.stringify({ type: 'consume', queue, ...opts }));
    await ws.next('consuming');
    return ws;
  }

  return {
    mint, startNode, api, clusterOf, run, workerToken, worker,
    emit: (port, body) => api(port, 'POST', '/api/v1/internal/emit', body),
    metric: async (port, name) => (await api(port, 'GET', '/api/metrics')).body[name],
  };
}

/** A queue job's ack / nack from a worker's socket. */
const ack = (ws, id) => ws.send(JSON.stringify({ type: 'ack', id }));
const nack = (ws, id, error) => ws.send(JSON.stringify({ type: 'nack', id, error }));

/** Compares offsets of one stream ("<ms>-<seq>"). */
function streamLess(a, b) {
  const [am, as] = a.split('-').map(BigInt);
  const [bm, bs] = b.split('-').map(BigInt);
  return am < bm || (am === bm && as < bs);
}

/**
 * A TCP relay standing in for a load balancer: clients connect to its port, it forwards to
 * @p target (server.target may change: new connections go there). cut() drops the
 * connections it relays; closeAll() also stops listening.
 */
function balancer(target) {
  const sockets = new Set();
  const server = net.createServer((inbound) => {
    if (!server.target) { inbound.destroy(); return; } // nowhere to go (yet)
    const outbound = net.connect(server.target, '127.0.0.1');
    for (const [a, b] of [[inbound, outbound], [outbound, inbound]]) {
      a.pipe(b);
      a.on('error', () => b.destroy());
      a.on('close', () => b.destroy());
    }
    sockets.add(inbound);
    inbound.on('close', () => sockets.delete(inbound));
  });
  server.target = target;
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    server.port = server.address().port;
    server.cut = () => { for (const s of sockets) s.destroy(); };
    server.closeAll = () => { server.cut(); server.close(); };
    resolve(server);
  }));
}

module.exports = { clusterHarness, HEARTBEAT, ack, nack, streamLess, balancer };
