// Issue 17, "Admin credentials and roles" (docs/operations.md, "Roles and audit") on the real
// binary: admin tokens minted and revoked with `switchboard admin-token`, refused with a reason
// when bad, expired, revoked, of the wrong audience or a client JWT; role checks on the HTTP
// admin routes (a viewer's disconnect/emit refused and audited, an operator's disconnect closes
// a real ws client, an admin's emit reaches one); the static --admin-token; the audit endpoint
// admin-only; the audit file bounded under a flood of refused requests.
// Usage: node admin-roles.js <switchboard binary> [case-name-regex]
'use strict';
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { client, harness, runCases, until } = require('./lib');

const binary = process.argv[2];
const staticToken = 'interop-static-admin-token';
const h = harness(binary, ['--admin-token', staticToken]);

/** `switchboard admin-token ...` against the shared data dir: { token, jti }. */
function adminToken(role, name, extra = []) {
  const token = execFileSync(binary, ['admin-token', '--role', role, '--name', name, '--data-dir', h.dataDir, ...extra],
    { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+\n$/, 'stdout holds the token alone');
  return { token: token.trim(), jti: claims(token).jti };
}

function claims(token) {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
}

/** An HS256 JWT with @p payload, signed with @p secret (for tokens the CLI refuses to mint). */
function sign(payload, secret) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(payload)}`;
  return `${input}.${crypto.createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/** An admin HTTP request with @p token as the bearer (none when null): { status, body }. */
async function call(port, token, method, route, body) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`http://127.0.0.1:${port}${route}`, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

/** A connected native ws client of @p user and its connection id. */
async function native(port, user) {
  const c = client(`ws://127.0.0.1:${port}/ws?token=${h.mint(user)}`);
  const hello = await c.next('connected');
  return { c, id: String(hello.connectionId) };
}

async function audit(port, query = '') {
  const r = await call(port, staticToken, 'GET', `/api/admin/audit?limit=1000${query}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.records;
}

function refused(r, status, reason) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.equal(r.body.ok, false);
  assert.equal(r.body.reason, reason, JSON.stringify(r.body));
  assert.ok(r.body.error.length > 10, 'a reason people can read');
}

const cases = [
  {
    name: 'bad, expired, wrong-audience, client and foreign-secret tokens are refused with their reason',
    args: [],
    fn: async (port) => {
      const route = '/api/rooms';
      refused(await call(port, null, 'GET', route), 401, 'missing_credentials');
      refused(await call(port, 'not-a-token', 'GET', route), 403, 'bad_credentials');
      refused(await call(port, 'a.b.c', 'GET', route), 401, 'malformed_token');
      // A client JWT (signed with the client secret, no admin audience).
      refused(await call(port, h.mint('alice', ['--role', 'admin']), 'GET', route), 401, 'wrong_audience');
      // An admin token signed with another admin secret.
      const foreign = adminToken('admin', 'mallory', ['--admin-secret', 'some-other-secret']).token;
      refused(await call(port, foreign, 'GET', route), 401, 'bad_signature');
      // Expired: signed with this server's admin secret, exp an hour ago.
      const secret = fs.readFileSync(path.join(h.dataDir, 'admin-secret'), 'utf8').trim();
      const now = Math.floor(Date.now() / 1000);
      const expired = sign({ aud: 'switchboard-admin', sub: 'old', role: 'admin', jti: 'x1', iat: now - 7200, exp: now - 3600 }, secret);
      refused(await call(port, expired, 'GET', route), 401, 'token_expired');
      const noRole = sign({ aud: 'switchboard-admin', sub: 'nobody', role: 'root', jti: 'x2', iat: now, exp: now + 60 }, secret);
      refused(await call(port, noRole, 'GET', route), 401, 'bad_claims');
      // The same secret signing a good token is accepted: the refusals above are not blanket ones.
      const good = sign({ aud: 'switchboard-admin', sub: 'fine', role: 'viewer', jti: 'x3', iat: now, exp: now + 60 }, secret);
      assert.equal((await call(port, good, 'GET', '/api/admin/whoami')).body.name, 'fine');
      // An admin token is no client token either: the WebSocket refuses it (4002, bad token).
      const ws = client(`ws://127.0.0.1:${port}/ws?token=${adminToken('admin', 'ops').token}`);
      assert.equal((await ws.closed).code, 4002);
      // Every refusal is in the audit log with its reason.
      const records = await audit(port);
      for (const reason of ['missing_credentials', 'bad_credentials', 'malformed_token', 'wrong_audience', 'bad_signature', 'token_expired']) {
        assert.ok(records.some((r) => r.result === 'unauthenticated' && r.action === 'rooms.list' && r.detail.startsWith(reason)),
          `audited: ${reason}`);
      }
    },
  },
  {
    name: 'the CLI refuses bad roles, names and ttls; a ttl sets exp',
    args: [],
    fn: async () => {
      const run = (args) => {
        try {
          execFileSync(binary, ['admin-token', '--data-dir', h.dataDir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
          return null;
        } catch (err) {
          return { status: err.status, stderr: err.stderr.toString() };
        }
      };
      assert.match(run(['--role', 'root', '--name', 'x']).stderr, /--role must be viewer, operator or admin/);
      assert.match(run(['--role', 'admin']).stderr, /--name is required/);
      assert.match(run(['--role', 'admin', '--name', 'x', '--ttl', '100d']).stderr, /from 1m to 90d/);
      assert.match(run(['--role', 'admin', '--name', 'x', '--ttl', '5x']).stderr, /like 30m, 8h or 7d/);
      const { token } = adminToken('operator', 'ttl', ['--ttl', '30m']);
      const c = claims(token);
      assert.equal(c.exp - c.iat, 1800);
      assert.equal(c.role, 'operator');
      assert.equal(c.sub, 'ttl');
      assert.equal(c.aud, 'switchboard-admin');
      // The admin secret is generated once, owner-only, apart from the client secret.
      const secretFile = path.join(h.dataDir, 'admin-secret');
      assert.equal(fs.statSync(secretFile).mode & 0o777, 0o600);
      assert.notEqual(fs.readFileSync(secretFile, 'utf8'), fs.readFileSync(path.join(h.dataDir, 'jwt-secret'), 'utf8'));
    },
  },
  {
    name: 'a viewer reads but its disconnect and emit are refused (403) and audited; the client stays',
    args: [],
    fn: async (port) => {
      const { c: bob, id } = await native(port, 'bob');
      const viewer = adminToken('viewer', 'vera');
      const list = await call(port, viewer.token, 'GET', '/api/websocket/connections');
      assert.equal(list.status, 200);
      const who = await call(port, viewer.token, 'GET', '/api/admin/whoami');
      assert.deepEqual(who.body, { name: 'vera', role: 'viewer', jti: viewer.jti });

      const d = await call(port, viewer.token, 'POST', `/api/connections/${id}/disconnect`, { code: 4000 });
      assert.equal(d.status, 403);
      assert.deepEqual([d.body.ok, d.body.code, d.body.result, d.body.action, d.body.target, d.body.required, d.body.role],
        [false, 'forbidden', 'forbidden', 'disconnect', id, 'operator', 'viewer']);
      const e = await call(port, viewer.token, 'POST', '/api/socket', { event: { type: 'news' } });
      assert.equal(e.status, 403);
      assert.deepEqual([e.body.action, e.body.required], ['emit', 'admin']);
      for (const [method, route, required] of [['POST', `/api/connections/${id}/rooms`, 'operator'],
        ['DELETE', `/api/connections/${id}/rooms/r1`, 'operator'], ['POST', '/api/queues/q1/dlq/retry', 'operator'],
        ['DELETE', '/api/queues/q1/dlq', 'admin'], ['POST', '/api/admin/tokens/revoke', 'admin'],
        ['POST', '/api/cluster/server-side-emit', 'admin'], ['POST', '/api/v1/internal/emit', 'admin'],
        ['GET', '/api/admin/audit', 'admin']]) {
        const r = await call(port, viewer.token, method, route, method === 'GET' ? undefined : {});
        assert.equal(r.status, 403, `${method} ${route}`);
        assert.equal(r.body.required, required, `${method} ${route}`);
      }
      bob.send(JSON.stringify({ type: 'ping' }));
      await bob.next('pong'); // still connected

      const records = await audit(port, `&since=${Date.now() - 60000}`);
      const mine = records.filter((r) => r.name === 'vera');
      const dis = mine.find((r) => r.action === 'disconnect');
      assert.ok(dis, JSON.stringify(mine));
      assert.deepEqual([dis.role, dis.jti, dis.target, dis.result, dis.status, dis.remote.endsWith('127.0.0.1')],
        ['viewer', viewer.jti, id, 'forbidden', 403, true]);
      assert.ok(mine.some((r) => r.action === 'emit' && r.result === 'forbidden'));
      // Allowed reads are not audited (the console polls them); refused ones are.
      assert.ok(!mine.some((r) => r.action === 'connections.list'));
    },
  },
  {
    name: 'an operator disconnects a real ws client (audited ok) but may not emit',
    args: [],
    fn: async (port) => {
      const { c: bob, id } = await native(port, 'bob');
      const operator = adminToken('operator', 'otto');
      const e = await call(port, operator.token, 'POST', '/api/socket', { event: { type: 'news' } });
      assert.equal(e.status, 403);
      const d = await call(port, operator.token, 'POST', `/api/connections/${id}/disconnect`, { code: 4321, reason: 'bye' });
      assert.equal(d.status, 200, JSON.stringify(d.body));
      assert.deepEqual([d.body.ok, d.body.result, d.body.action, d.body.target], [true, 'ok', 'disconnect', id]);
      const closed = await bob.closed;
      assert.deepEqual([closed.code, closed.reason], [4321, 'bye']);
      // Not found is a typed result too.
      const gone = await call(port, operator.token, 'POST', `/api/connections/${id}/disconnect`);
      assert.deepEqual([gone.status, gone.body.ok, gone.body.result, gone.body.code], [404, false, 'not_found', 'connection_not_found']);
      const records = (await audit(port)).filter((r) => r.name === 'otto' && r.action === 'disconnect');
      assert.deepEqual(records.map((r) => r.result), ['ok', 'not_found']);
      assert.equal(records[0].role, 'operator');
    },
  },
  {
    name: 'an admin token and the static --admin-token emit to a real ws client',
    args: [],
    fn: async (port) => {
      const { c: bob } = await native(port, 'bob');
      const admin = adminToken('admin', 'ada');
      const e = await call(port, admin.token, 'POST', '/api/socket', { event: { type: 'news', action: 'one' }, data: { n: 1 } });
      assert.equal(e.status, 200, JSON.stringify(e.body));
      assert.deepEqual([e.body.ok, e.body.action, e.body.delivered], [true, 'emit', 1]);
      assert.equal((await bob.next('news')).data.data.n, 1);
      const s = await call(port, staticToken, 'POST', '/api/socket', { event: { type: 'news', action: 'two' }, data: { n: 2 } });
      assert.equal(s.status, 200);
      assert.equal((await bob.next('news')).data.data.n, 2);
      assert.deepEqual((await call(port, staticToken, 'GET', '/api/admin/whoami')).body, { name: 'static', role: 'admin', jti: 'static' });
      const records = (await audit(port)).filter((r) => r.action === 'emit' && r.result === 'ok');
      assert.deepEqual(records.map((r) => [r.name, r.role, r.jti]), [['ada', 'admin', admin.jti], ['static', 'admin', 'static']]);
      // The internal key is still the back end's credential (admin; its emits are not audited).
      const i = await h.emit(port, { event: 'news', userId: 'bob', payload: { n: 3 } });
      assert.equal(i.status, 200, JSON.stringify(i.body));
      assert.equal((await bob.next('news')).data.n, 3);
    },
  },
  {
    name: 'revocation takes effect without a restart: by the CLI (file poll), by the API and after SIGHUP',
    args: [],
    fn: async (port, pid) => {
      const cli = adminToken('viewer', 'rev-cli');
      assert.equal((await call(port, cli.token, 'GET', '/api/rooms')).status, 200);
      execFileSync(binary, ['admin-token', '--revoke', cli.jti, '--data-dir', h.dataDir], { stdio: 'ignore' });
      const r = await until(async () => {
        const a = await call(port, cli.token, 'GET', '/api/rooms');
        return a.status === 401 ? a : null;
      }, 'the CLI revocation to be picked up', 5000);
      refused(r, 401, 'token_revoked');

      const api = adminToken('operator', 'rev-api');
      const operator = adminToken('operator', 'rev-op');
      // Only an admin may revoke.
      assert.equal((await call(port, operator.token, 'POST', '/api/admin/tokens/revoke', { jti: api.jti })).status, 403);
      const bad = await call(port, staticToken, 'POST', '/api/admin/tokens/revoke', { jti: '' });
      assert.deepEqual([bad.status, bad.body.result], [400, 'invalid']);
      const ok = await call(port, staticToken, 'POST', '/api/admin/tokens/revoke', { jti: api.jti });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.deepEqual([ok.body.ok, ok.body.action, ok.body.target], [true, 'token.revoke', api.jti]);
      refused(await call(port, api.token, 'GET', '/api/rooms'), 401, 'token_revoked'); // at once
      assert.match(fs.readFileSync(path.join(h.dataDir, 'admin-revoked'), 'utf8'), new RegExp(api.jti));

      // SIGHUP re-reads the file too.
      const hup = adminToken('admin', 'rev-hup');
      fs.appendFileSync(path.join(h.dataDir, 'admin-revoked'), JSON.stringify({ jti: hup.jti }) + '\n');
      process.kill(pid, 'SIGHUP');
      await until(async () => (await call(port, hup.token, 'GET', '/api/rooms')).status === 401, 'SIGHUP reload', 5000);
      assert.equal((await call(port, operator.token, 'GET', '/api/rooms')).status, 200, 'others unaffected');
    },
  },
  {
    name: 'revocations survive a restart',
    args: [],
    fn: async (port) => {
      // The revoked tokens of the previous case were written to the shared data dir; this is a
      // new process. Mint, revoke through the file and read it back at start.
      const t = adminToken('viewer', 'restart');
      execFileSync(binary, ['admin-token', '--revoke', t.jti, '--data-dir', h.dataDir], { stdio: 'ignore' });
      const other = await h.startServer([]);
      try {
        refused(await call(other.port, t.token, 'GET', '/api/rooms'), 401, 'token_revoked');
      } finally {
        other.child.kill('SIGKILL');
      }
      assert.ok(port > 0);
    },
  },
  {
    name: 'the audit endpoint is admin-only and bounded; the audit file stays under its cap under a flood',
    args: ['--audit-max-bytes', '8192'],
    fn: async (port) => {
      const operator = adminToken('operator', 'flood-op');
      assert.equal((await call(port, operator.token, 'GET', '/api/admin/audit')).status, 403);
      assert.equal((await call(port, null, 'GET', '/api/admin/audit')).status, 401);
      assert.equal((await call(port, staticToken, 'GET', '/api/admin/audit?limit=1001')).status, 400);
      assert.equal((await call(port, staticToken, 'GET', '/api/admin/audit?since=x')).status, 400);
      const bogus = adminToken('admin', 'x', ['--admin-secret', 'flood-secret']).token;
      for (let round = 0; round < 20; ++round) {
        await Promise.all(Array.from({ length: 40 }, (_, i) =>
          call(port, i % 2 ? bogus : 'wrong', 'POST', `/api/connections/${round * 40 + i}/disconnect`)));
      }
      // One more, after all of them: the newest line.
      assert.equal((await call(port, 'wrong', 'POST', '/api/connections/99999/disconnect')).status, 403);
      // The read runs after every queued line on the audit's own thread.
      const records = await audit(port);
      const log = path.join(h.dataDir, 'audit.log');
      const sizes = [fs.statSync(log).size, fs.statSync(`${log}.1`).size];
      assert.ok(sizes.every((s) => s > 0 && s <= 8192), `sizes ${sizes}`);
      assert.ok(records.length > 10 && records.length < 800, `${records.length} records kept of 801`);
      const last = records[records.length - 1];
      assert.equal(last.target, '99999'); // the newest kept
      assert.ok(records.every((r) => r.result === 'unauthenticated' || r.name === 'flood-op'));
      const limited = await call(port, staticToken, 'GET', '/api/admin/audit?limit=5');
      assert.equal(limited.body.records.length, 5);
      assert.equal(limited.body.records[4].target, '99999');
    },
  },
];

runCases('admin roles and audit', cases, h, process.argv[3] ? new RegExp(process.argv[3]) : null);
