// Issue 17, "Tokens can be revoked ... or in Redis in a cluster" (docs/operations.md, "Roles and
// audit"): on a real redis-server, an admin token revoked through one node is refused by every
// node at once (pub/sub), by a node that starts later (read from Redis at start), and by a
// node that missed it (read back when its link to Redis reconnects).
// Usage: node admin-revoke-cluster.js /path/to/switchboard [case-filter]
'use strict';
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { until, redisCli } = require('./lib');
const { clusterHarness } = require('./clusterlib');

const binary = process.argv[2];
const { startNode, api, clusterOf, run } = clusterHarness(binary);
const filter = process.argv[3] ? new RegExp(process.argv[3]) : null;
const adminSecret = 'cluster-admin-secret';
const withSecret = ['--admin-secret', adminSecret];
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-revoke-'));
process.on('exit', () => fs.rmSync(scratch, { recursive: true, force: true }));

function adminToken(role, name) {
  const token = execFileSync(binary, ['admin-token', '--role', role, '--name', name, '--ttl', '1h',
    '--data-dir', scratch, ...withSecret], { stdio: ['ignore', 'pipe', 'pipe'] }).toString().trim();
  const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
  return { token, jti: claims.jti, exp: claims.exp };
}

async function whoami(node, token) {
  const res = await fetch(`http://127.0.0.1:${node.port}/api/admin/whoami`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: await res.json() };
}

const refusedRevoked = async (node, token) => {
  const r = await whoami(node, token);
  return r.status === 401 && r.body.reason === 'token_revoked';
};

const cases = [
  {
    name: 'revoked through one node: refused by every node, and by one started later',
    fn: async (redis) => {
      const a = await startNode('a', redis, withSecret);
      const b = await startNode('b', redis, withSecret);
      await clusterOf([a, b]);
      const viewer = adminToken('viewer', 'vera');
      const other = adminToken('viewer', 'otto');
      for (const n of [a, b]) {
        const r = await whoami(n, viewer.token);
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.equal(r.body.name, 'vera');
      }
      const bad = await api(a.port, 'POST', '/api/admin/tokens/revoke', { jti: viewer.jti, exp: 'soon' });
      assert.equal(bad.status, 400, JSON.stringify(bad.body));
      const r = await api(a.port, 'POST', '/api/admin/tokens/revoke', { jti: viewer.jti, exp: viewer.exp });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.ok(await refusedRevoked(a, viewer.token), 'refused at once where it was revoked');
      await until(() => refusedRevoked(b, viewer.token), 'node b to refuse the revoked token', 3000);
      // In Redis until the token's expiry, not in b's data dir: b learnt it from Redis.
      const score = Number((await redisCli(redis.port, 'ZSCORE', 'socket.io:sb:admin:revoked', viewer.jti)).trim());
      assert.equal(score, viewer.exp);
      // Only that token.
      assert.equal((await whoami(b, other.token)).status, 200);

      const c = await startNode('c', redis, withSecret);
      await clusterOf([a, b, c]);
      await until(() => refusedRevoked(c, viewer.token), 'node c, started later, to refuse it', 3000);
      assert.equal((await whoami(c, other.token)).status, 200);
    },
  },
  {
    name: 'a revocation a node missed is read back when its link to Redis reconnects',
    fn: async (redis) => {
      const a = await startNode('a', redis, withSecret);
      const b = await startNode('b', redis, withSecret);
      await clusterOf([a, b]);
      const t = adminToken('operator', 'olga');
      assert.equal((await whoami(b, t.token)).status, 200);
      // A revocation b missed (in the set, never published): b still accepts the token...
      await redisCli(redis.port, 'ZADD', 'socket.io:sb:admin:revoked', String(t.exp), t.jti);
      assert.equal((await whoami(b, t.token)).status, 200);
      // ... until its link to Redis drops and comes back: the set is read again.
      const killed = (await redisCli(redis.port, 'CLIENT', 'KILL', 'TYPE', 'pubsub')).trim();
      assert.ok(Number(killed) >= 2, `killed ${killed} pub/sub connections`);
      await until(() => refusedRevoked(b, t.token), 'node b to refuse the token after reconnecting', 10000);
      // a's link was killed too and comes back on its own schedule.
      await until(() => refusedRevoked(a, t.token), 'node a to refuse the token after reconnecting', 10000);

      // Through the API without "exp": kept for as long as any admin token can live (90 days).
      const u = adminToken('operator', 'ursula');
      const r = await api(b.port, 'POST', '/api/admin/tokens/revoke', { jti: u.jti });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      await until(() => refusedRevoked(a, u.token), 'node a to refuse the token', 3000);
      const score = Number((await redisCli(redis.port, 'ZSCORE', 'socket.io:sb:admin:revoked', u.jti)).trim());
      assert.ok(score > Date.now() / 1000 + 89 * 24 * 3600, String(score));
    },
  },
  {
    name: 'the CLI with --redis revokes in the whole cluster; an unreachable Redis is an error',
    fn: async (redis) => {
      const a = await startNode('a', redis, withSecret);
      const b = await startNode('b', redis, withSecret);
      await clusterOf([a, b]);
      const t = adminToken('admin', 'ada');
      const other = adminToken('admin', 'otto');
      for (const n of [a, b]) assert.equal((await whoami(n, t.token)).status, 200);
      // The CLI's data dir is neither node's: only Redis can tell them.
      const out = execFileSync(binary, ['admin-token', '--revoke', t.jti, '--exp', String(t.exp),
        '--data-dir', scratch, '--redis', redis.url, ...withSecret],
      { stdio: ['ignore', 'pipe', 'pipe'] });
      assert.equal(out.toString(), '', 'nothing on stdout');
      for (const n of [a, b]) await until(() => refusedRevoked(n, t.token), `node ${n.name || n.port} to refuse the token revoked by the CLI`, 3000);
      const score = Number((await redisCli(redis.port, 'ZSCORE', 'socket.io:sb:admin:revoked', t.jti)).trim());
      assert.equal(score, t.exp, 'kept until the --exp given');
      assert.equal((await whoami(a, other.token)).status, 200, 'only that token');
      assert.ok(fs.readFileSync(path.join(scratch, 'admin-revoked'), 'utf8').includes(t.jti), 'in the local file too');

      // Redis that does not answer: exit 1 with the reason, after the local file got it.
      const u = adminToken('admin', 'ursula');
      const dead = await new Promise((resolve) => {
        const srv = require('node:net').createServer();
        srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
      });
      let failed = null;
      try {
        execFileSync(binary, ['admin-token', '--revoke', u.jti, '--data-dir', scratch,
          '--redis', `redis://127.0.0.1:${dead}`, ...withSecret], { stdio: ['ignore', 'pipe', 'pipe'] });
      } catch (e) {
        failed = e;
      }
      assert.ok(failed, 'the CLI fails when Redis cannot be reached');
      assert.equal(failed.status, 1);
      assert.match(failed.stderr.toString(), /did not reach the cluster/);
      assert.equal((await whoami(a, u.token)).status, 200, 'not revoked in the cluster');
    },
  },
];
run('admin token revocations in a cluster', cases, filter);
