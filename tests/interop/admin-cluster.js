// Issue 17 on a cluster (docs/admin-channel.md, docs/http-api.md): the admin channel of one
// node lists another node's connections and rooms, and the whole cluster's (`node` filter);
// a drained node answers /health 503 "draining" and refuses handshakes until undrained
// (HTTP and channel); admin tokens minted through the API and the channel. Real redis-server,
// real headless nodes, real `ws` clients; the channel is driven as a console would.
// Usage: node admin-cluster.js /path/to/switchboard [case-filter]
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const { client, until, redisCli } = require('./lib');
const { clusterHarness } = require('./clusterlib');

const binary = process.argv[2];
const { startNode, api, clusterOf, run, mint } = clusterHarness(binary);
const filter = process.argv[3] ? new RegExp(process.argv[3]) : null;
const adminToken = 'static-admin-token-for-the-fleet';
const withAdmin = ['--admin-token', adminToken, '--admin-secret', 'fleet-admin-secret'];

/** An admin channel on @p node, past its welcome; msgs of a stream are read with pageOf(). */
async function channel(node, token = adminToken) {
  const ws = client(`ws://127.0.0.1:${node.port}/admin/ws`);
  await ws.opened;
  ws.send(JSON.stringify({ type: 'hello', v: 1, token }));
  ws.welcome = await ws.next('welcome');
  ws.pages = {}; // stream -> { rows: Map(key -> row), order, total, last }
  ws.on('message', (raw) => {
    const m = JSON.parse(raw.toString());
    if (m.type !== 'snapshot' && m.type !== 'diff') return;
    const key = m.stream === 'rooms' ? 'name' : 'id';
    let page = ws.pages[m.stream];
    if (m.type === 'snapshot' || !page) {
      page = { rows: new Map() };
      ws.pages[m.stream] = page;
      for (const r of m.rows || []) page.rows.set(r[key], r);
      page.order = (m.rows || []).map((r) => r[key]);
    } else {
      for (const k of m.remove) page.rows.delete(k);
      for (const r of m.upsert) page.rows.set(r[key], r);
      page.order = m.order;
    }
    page.total = m.total;
    page.last = m;
  });
  let nextId = 1;
  ws.action = async (action, args = {}) => {
    const id = nextId++;
    ws.send(JSON.stringify({ type: 'action', v: 1, id, action, args }));
    for (;;) {
      const r = await ws.next('result', 5000);
      if (r.id === id) return r;
    }
  };
  ws.subscribe = (stream, query) => {
    delete ws.pages[stream];
    ws.send(JSON.stringify({ type: 'subscribe', v: 1, stream, query }));
  };
  /** The rows of @p stream in page order, once @p pred holds for them (polled). */
  ws.pageOf = async (stream, pred, what, timeoutMs = 5000) => {
    let rows = null;
    await until(() => {
      const p = ws.pages[stream];
      if (!p) return false;
      rows = p.order.map((k) => p.rows.get(k));
      return pred(rows, p);
    }, what, timeoutMs);
    return { rows, page: ws.pages[stream] };
  };
  return ws;
}

async function nativeClient(node, user, room) {
  const ws = client(`ws://127.0.0.1:${node.port}/ws?token=${mint(user)}`);
  await ws.next('connected');
  if (room) {
    ws.send(JSON.stringify({ type: 'subscribe', channel: room }));
    await ws.next('subscribed');
  }
  return ws;
}

const users = (rows) => rows.map((r) => `${r.user}@${r.node}`).sort();

const cases = [
  {
    name: "the channel attached to a lists b's connections and rooms, and the cluster's",
    fn: async (redis) => {
      const a = await startNode('a', redis, withAdmin);
      const b = await startNode('b', redis, withAdmin);
      await clusterOf([a, b]);
      const alice = await nativeClient(a, 'alice', 'lobby');
      const bob = await nativeClient(b, 'bob', 'lobby');
      const carol = await nativeClient(b, 'carol', 'kitchen');
      const console = await channel(a);

      // node = b: b's connections only, each row saying so.
      console.subscribe('connections', { node: 'b', sort: 'user' });
      let { rows, page } = await console.pageOf('connections', (r) => r.length === 2, "b's two connections");
      assert.deepEqual(users(rows), ['bob@b', 'carol@b']);
      assert.equal(page.total, 2);
      assert.equal(page.last.node, 'b');
      assert.equal(page.last.partial, false);
      assert.equal(rows[0].user, 'bob', 'sorted by user on b');

      // The connection action finds a connection of b from a (with its rooms and node).
      const bobRow = rows.find((r) => r.user === 'bob');
      const detail = await console.action('connection', { id: bobRow.id });
      assert.equal(detail.ok, true, JSON.stringify(detail));
      assert.deepEqual([detail.data.id, detail.data.node, detail.data.userId], [bobRow.id, 'b', 'bob']);
      assert.ok(detail.data.rooms.includes('lobby'), JSON.stringify(detail.data.rooms));
      const missing = await console.action('connection', { id: '999999999999' });
      assert.equal(missing.result, 'not_found');

      // "*" and "": every node's, sorted and paged across them.
      for (const node of ['*', '']) {
        console.subscribe('connections', { node, sort: 'user', desc: true });
        ({ rows, page } = await console.pageOf('connections', (r) => r.length === 3, `the cluster's three connections (node "${node}")`));
        assert.deepEqual(rows.map((r) => `${r.user}@${r.node}`), ['carol@b', 'bob@b', 'alice@a'], 'merged in order');
        assert.equal(page.last.node, '*');
        assert.equal(page.total, 3);
      }
      console.subscribe('connections', { node: '*', sort: 'user', offset: 1, limit: 1 });
      ({ rows, page } = await console.pageOf('connections', (r) => r.length === 1, 'the second row of the cluster'));
      assert.equal(rows[0].user, 'bob');
      assert.equal(page.total, 3);

      // This node by name, and a name nobody has.
      console.subscribe('connections', { node: 'a' });
      ({ rows } = await console.pageOf('connections', (r) => r.length === 1, "a's connection"));
      assert.deepEqual(users(rows), ['alice@a']);
      console.subscribe('connections', { node: 'nobody' });
      ({ page } = await console.pageOf('connections', (r, p) => p.total === 0, 'an empty page'));

      // A new client on b shows up as a diff of the subscription on a.
      console.subscribe('connections', { node: 'b', sort: 'user' });
      await console.pageOf('connections', (r) => r.length === 2, "b's two connections again");
      const dave = await nativeClient(b, 'dave');
      ({ rows, page } = await console.pageOf('connections', (r) => r.length === 3, 'dave on b, as a diff', 5000));
      assert.equal(page.last.type, 'diff');
      assert.deepEqual(users(rows), ['bob@b', 'carol@b', 'dave@b']);
      dave.close();
      await console.pageOf('connections', (r) => r.length === 2, 'dave gone again');

      // Cluster-wide paging is bounded; a bad node filter is refused.
      console.send(JSON.stringify({ type: 'subscribe', v: 1, stream: 'connections', query: { node: '*', offset: 990, limit: 50 } }));
      let err = await console.next('error');
      assert.equal(err.code, 'invalid');
      assert.match(err.message, /at most 1000/);
      console.send(JSON.stringify({ type: 'subscribe', v: 1, stream: 'rooms', query: { node: 7 } }));
      err = await console.next('error');
      assert.equal(err.code, 'invalid');

      // Rooms: b's, then the cluster's with the per-node counts.
      console.subscribe('rooms', { node: 'b', filter: 'lobby' });
      ({ rows } = await console.pageOf('rooms', (r) => r.length === 1, "b's lobby"));
      assert.deepEqual(rows[0], { name: 'lobby', count: 1, node: 'b' });
      console.subscribe('rooms', { node: '*' });
      ({ rows, page } = await console.pageOf('rooms', (r) => r.some((x) => x.name === 'lobby' && x.count === 2), 'the lobby on both nodes'));
      const lobby = rows.find((x) => x.name === 'lobby');
      assert.deepEqual(lobby, { name: 'lobby', count: 2, node: '*', nodes: { a: 1, b: 1 } });
      assert.equal(rows[0].name, 'lobby', 'most members first');
      assert.deepEqual(rows.find((x) => x.name === 'kitchen'), { name: 'kitchen', count: 1, node: '*', nodes: { b: 1 } });
      console.subscribe('rooms', { node: 'b', source: 'users' });
      ({ rows } = await console.pageOf('rooms', (r) => r.length === 2, "b's users"));
      assert.deepEqual(rows.map((r) => r.name).sort(), ['bob', 'carol']);

      for (const ws of [alice, bob, carol, console]) ws.close();
    },
  },
  {
    name: "a node's answer is bounded: 11,000 rooms on b make the cluster-wide rooms page partial",
    fn: async (redis) => {
      const a = await startNode('a', redis, withAdmin);
      const b = await startNode('b', redis, [...withAdmin, '--max-rooms-per-connection', '20000']);
      await clusterOf([a, b]);
      const many = await nativeClient(b, 'many');
      for (let i = 0; i < 110; ++i) {
        const topics = Array.from({ length: 100 }, (_, k) => `room-${i * 100 + k}`);
        many.send(JSON.stringify({ type: 'subscribe', topics, id: String(i) }));
        const r = await many.next('subscribed');
        assert.equal(r.topics.length, 100, JSON.stringify(r).slice(0, 300));
      }
      const console = await channel(a);
      // Cluster-wide every node sends all its matching names, at most 10,000: b's are cut.
      console.subscribe('rooms', { node: '*', limit: 10 });
      let { rows, page } = await console.pageOf('rooms', (r, p) => p.last.partial === true, 'a partial cluster-wide page');
      assert.equal(rows.length, 10);
      assert.match(page.last.error, /cut at its bound/);
      assert.ok(page.total >= 10000 && page.total < 11000, String(page.total));
      // b's own page is paged on b: whole and exact.
      console.subscribe('rooms', { node: 'b', limit: 10 });
      ({ rows, page } = await console.pageOf('rooms', (r, p) => p.total >= 11000, "b's 11,000 rooms"));
      assert.equal(page.last.partial, false);
      assert.equal(rows.length, 10);
      many.close();
      console.close();
    },
  },
  {
    name: 'a drained node answers /health 503 and refuses handshakes until undrained',
    fn: async (redis) => {
      const a = await startNode('a', redis, withAdmin);
      const health = async () => {
        const res = await fetch(`http://127.0.0.1:${a.port}/health`);
        return { status: res.status, body: await res.json() };
      };
      assert.equal((await health()).status, 200);
      const early = await nativeClient(a, 'early');
      const drained = await api(a.port, 'POST', '/api/admin/drain');
      assert.equal(drained.status, 202, JSON.stringify(drained.body));
      const h = await health();
      assert.equal(h.status, 503);
      assert.equal(h.body.status, 'draining');
      assert.equal((await early.closed).code, 1001, 'the open client is closed 1001');
      // A new WebSocket is refused with 503 "draining".
      const refused = client(`ws://127.0.0.1:${a.port}/ws?token=${mint('late')}`);
      const status = await new Promise((resolve) => {
        refused.on('unexpected-response', (req, res) => resolve(res.statusCode));
        refused.on('open', () => resolve('open'));
      });
      assert.equal(status, 503);

      // A viewer may not undrain; the channel's admin may.
      const viewer = await api(a.port, 'POST', '/api/admin/tokens', { role: 'viewer', name: 'vic', ttl: '1h' });
      assert.equal(viewer.status, 201, JSON.stringify(viewer.body));
      const res = await fetch(`http://127.0.0.1:${a.port}/api/admin/undrain`, { method: 'POST', headers: { authorization: `Bearer ${viewer.body.token}` } });
      assert.equal(res.status, 403);
      assert.equal((await health()).status, 503, 'still draining');
      const console = await channel(a);
      assert.equal(console.welcome.actions.undrain, 'admin');
      const r = await console.action('undrain');
      assert.equal(r.ok, true, JSON.stringify(r));
      assert.equal(r.data.wasDraining, true);
      assert.equal(r.data.draining, false);
      const back = await health();
      assert.equal(back.status, 200);
      assert.equal(back.body.status, 'ok');
      const late = await nativeClient(a, 'late');
      // Undrain again: not an error.
      const again = await api(a.port, 'POST', '/api/admin/undrain');
      assert.equal(again.status, 200);
      assert.equal(again.body.wasDraining, false);
      // Audited, allowed and refused.
      const audit = (await api(a.port, 'GET', '/api/admin/audit?limit=1000')).body.records.filter((x) => x.action === 'server.undrain');
      assert.ok(audit.some((x) => x.result === 'forbidden' && x.name === 'vic'), JSON.stringify(audit));
      assert.ok(audit.some((x) => x.result === 'ok' && x.name === 'static'), JSON.stringify(audit));
      late.close();
      console.close();
    },
  },
  {
    name: "a channel emit that waits for acks gets each one pushed as it comes, from both nodes, before its result",
    fn: async (redis) => {
      const a = await startNode('a', redis, withAdmin);
      const b = await startNode('b', redis, withAdmin);
      await clusterOf([a, b]);
      const fast = await nativeClient(a, 'fast', 'crew');
      const slow = await nativeClient(b, 'slow', 'crew');
      const answer = (ws, data) => (m) => ws.send(JSON.stringify({ type: 'ack', id: m.id, data }));
      fast.on('message', (raw) => { const m = JSON.parse(raw.toString()); if (m.type === 'ping' && m.ack) answer(fast, { on: 'a' })(m); });
      let slowEvent = null;
      slow.on('message', (raw) => { const m = JSON.parse(raw.toString()); if (m.type === 'ping' && m.ack) slowEvent = m; });
      await until(async () => (await api(a.port, 'GET', '/api/rooms/crew')).body.count === 2, 'the room on both nodes');
      const console = await channel(a);
      assert.ok(console.welcome.features.includes('acks'), JSON.stringify(console.welcome));
      const seen = [];
      console.on('message', (raw) => {
        const m = JSON.parse(raw.toString());
        if (m.type === 'acks' || m.type === 'result') seen.push(m);
      });
      console.send(JSON.stringify({ type: 'action', v: 1, id: 71, action: 'emit',
        args: { event: 'ping', room: 'crew', payload: {}, ack: true, waitMs: 20000 } }));
      // The fast client's ack is pushed while the slow one has not answered: no result yet.
      await until(() => seen.some((m) => m.type === 'acks'), "the fast client's ack pushed", 5000);
      await until(() => slowEvent !== null, 'the event on b');
      assert.equal(seen.length, 1, JSON.stringify(seen));
      const first = seen[0];
      assert.equal(first.id, 71);
      assert.deepEqual(first.acks.map((x) => [x.userId, x.ok, x.data]), [['fast', true, { on: 'a' }]]);
      const emitId = first.emitId;
      assert.ok(emitId, 'the channel named the emit');
      // A viewer that sends an emit with the same id while that wait is open gets a refusal,
      // and never the acks of the admin's emit.
      const viewerToken = (await api(a.port, 'POST', '/api/admin/tokens', { role: 'viewer', name: 'peek', ttl: '1h' })).body.token;
      const viewer = await channel(a, viewerToken);
      const peeked = [];
      viewer.on('message', (raw) => { const m = JSON.parse(raw.toString()); if (m.type === 'acks') peeked.push(m); });
      const refused = await viewer.action('emit', { event: 'ping', room: 'crew', payload: {}, id: emitId, ack: true, waitMs: 20000 });
      assert.equal(refused.result, 'forbidden', JSON.stringify(refused));
      // The slow client on the other node answers: its ack is pushed, then the result.
      answer(slow, { on: 'b' })(slowEvent);
      await until(() => seen.some((m) => m.type === 'result'), 'the result', 10000);
      const pushed = seen.filter((m) => m.type === 'acks').flatMap((m) => m.acks.map((x) => x.userId));
      assert.deepEqual(pushed, ['fast', 'slow']);
      assert.ok(seen.every((m) => m.type !== 'acks' || m.emitId === emitId));
      assert.equal(seen[seen.length - 1].type, 'result', 'the acks come before the result');
      const result = seen[seen.length - 1];
      assert.equal(result.ok, true, JSON.stringify(result));
      assert.equal(result.data.complete, true, JSON.stringify(result.data));
      assert.equal(result.data.delivered, 2);
      // Pushed, so not listed again.
      assert.equal(result.data.acksPushed, true);
      assert.equal(result.data.acks, undefined);
      // The viewer, whose emit was refused, heard nothing of it.
      await viewer.action('connection', { id: '1' }); // a round trip after the acks were pushed
      assert.deepEqual(peeked, []);
      viewer.close();
      // A channel follows at most 8 emits at once: a 9th gets its acks in its result instead.
      seen.length = 0;
      for (let i = 0; i < 9; ++i) {
        console.send(JSON.stringify({ type: 'action', v: 1, id: 100 + i, action: 'emit',
          args: { event: 'ping', room: 'crew', payload: {}, ack: true, waitMs: 3000 } }));
      }
      await until(() => seen.filter((m) => m.type === 'result').length === 9, 'nine results', 10000);
      const results = Object.fromEntries(seen.filter((m) => m.type === 'result').map((m) => [m.id, m]));
      for (let i = 0; i < 8; ++i) {
        assert.equal(results[100 + i].data.acksPushed, true, JSON.stringify(results[100 + i]));
        assert.ok(seen.some((m) => m.type === 'acks' && m.id === 100 + i), `acks of ${100 + i} pushed`);
      }
      assert.equal(results[108].data.acksPushed, undefined, JSON.stringify(results[108]));
      assert.deepEqual(results[108].data.acks.map((x) => x.userId), ['fast']);
      assert.ok(!seen.some((m) => m.type === 'acks' && m.id === 108));
      // Without a wait nothing is pushed.
      seen.length = 0;
      console.send(JSON.stringify({ type: 'action', v: 1, id: 71, action: 'emit', args: { event: 'ping', room: 'crew', payload: {} } }));
      await until(() => seen.some((m) => m.type === 'result'), 'the plain result');
      assert.deepEqual(seen.map((m) => m.type), ['result']);
      for (const ws of [fast, slow, console]) ws.close();
    },
  },
  {
    name: '/ready: 503 until the node joined its cluster, 200 through a later Redis outage, 503 while draining',
    fn: async (redis) => {
      const ready = async (node) => {
        const res = await fetch(`http://127.0.0.1:${node.port}/ready`);
        return { status: res.status, body: await res.json() };
      };
      // Redis stopped (SIGSTOP): the node's connects are accepted but never answered.
      redis.pause();
      let a;
      try {
        a = await startNode('a', redis, withAdmin);
        const before = await ready(a);
        assert.equal(before.status, 503, JSON.stringify(before.body));
        assert.equal(before.body.ready, false);
        assert.match(before.body.reason, /^cluster: not yet joined/);
      } finally {
        redis.resume();
      }
      await until(async () => (await ready(a)).status === 200, 'ready once Redis answers', 15000);
      const joined = await ready(a);
      assert.deepEqual(joined.body, { ready: true, status: 'ok' });
      // Redis away again: still ready (every node shares it), and /health says degraded.
      redis.pause();
      try {
        await until(async () => (await (await fetch(`http://127.0.0.1:${a.port}/health`)).json()).status === 'degraded',
          '/health degraded while Redis does not answer', 15000);
        const during = await ready(a);
        assert.equal(during.status, 200, JSON.stringify(during.body));
        assert.equal(during.body.status, 'degraded');
      } finally {
        redis.resume();
      }
      await until(async () => (await ready(a)).body.status === 'ok', 'healthy again', 15000);
      assert.equal((await api(a.port, 'POST', '/api/admin/drain')).status, 202);
      const draining = await ready(a);
      assert.equal(draining.status, 503);
      assert.equal(draining.body.reason, 'draining');
      assert.equal((await api(a.port, 'POST', '/api/admin/undrain')).status, 200);
      assert.equal((await ready(a)).status, 200);
    },
  },
  {
    name: 'admin tokens minted through the API and the channel work, and are never logged',
    fn: async (redis) => {
      const a = await startNode('a', redis, withAdmin);
      const b = await startNode('b', redis, withAdmin);
      await clusterOf([a, b]);
      const minted = await api(a.port, 'POST', '/api/admin/tokens', { role: 'operator', name: 'olga', ttl: '2h' });
      assert.equal(minted.status, 201, JSON.stringify(minted.body));
      assert.equal(minted.body.role, 'operator');
      assert.equal(minted.body.target, minted.body.jti);
      assert.ok(Math.abs(minted.body.expiresAt - (Date.now() / 1000 + 7200)) < 60, String(minted.body.expiresAt));
      // Valid on both nodes (same admin secret), with its role.
      for (const n of [a, b]) {
        const res = await fetch(`http://127.0.0.1:${n.port}/api/admin/whoami`, { headers: { authorization: `Bearer ${minted.body.token}` } });
        const who = await res.json();
        assert.deepEqual([res.status, who.name, who.role], [200, 'olga', 'operator']);
      }
      // An operator may not mint.
      const res = await fetch(`http://127.0.0.1:${a.port}/api/admin/tokens`, {
        method: 'POST', headers: { authorization: `Bearer ${minted.body.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ role: 'admin', name: 'mallory' }),
      });
      assert.equal(res.status, 403);
      // Bad input: a clear 400 each.
      for (const body of [{ role: 'root', name: 'x' }, { role: 'viewer' }, { role: 'viewer', name: 'x', ttl: '1y' },
        { role: 'viewer', name: 'x', ttl: 10 }, { role: 'viewer', name: 'x'.repeat(129) }]) {
        const bad = await api(a.port, 'POST', '/api/admin/tokens', body);
        assert.equal(bad.status, 400, JSON.stringify(body));
        assert.equal(bad.body.code, 'invalid_request');
      }
      // Through the channel: a viewer token that then opens a channel of its own.
      const console = await channel(a);
      assert.equal(console.welcome.actions.mint_token, 'admin');
      const r = await console.action('mint_token', { role: 'viewer', name: 'vera', ttl: 3600 });
      assert.equal(r.ok, true, JSON.stringify(r));
      const viewerChannel = await channel(b, r.data.token);
      assert.deepEqual([viewerChannel.welcome.role, viewerChannel.welcome.name], ['viewer', 'vera']);
      const refused = await viewerChannel.action('mint_token', { role: 'admin', name: 'eve' });
      assert.equal(refused.result, 'forbidden');
      // The audit names the jti, never the token; neither log has it.
      const audit = (await api(a.port, 'GET', '/api/admin/audit?limit=1000')).body.records.filter((x) => x.action === 'token.mint');
      assert.ok(audit.some((x) => x.result === 'ok' && x.target === r.data.jti), JSON.stringify(audit));
      const auditFile = fs.readFileSync(path.join(a.spawnargs[a.spawnargs.indexOf('--data-dir') + 1], 'audit.log'), 'utf8');
      for (const token of [minted.body.token, r.data.token]) {
        assert.ok(!auditFile.includes(token), 'the audit file does not carry a token');
        assert.ok(!a.log().includes(token) && !b.log().includes(token), 'no log line carries a token');
      }
      console.close();
      viewerChannel.close();
    },
  },
  {
    name: 'a viewer re-subscribing in a loop cannot make the cluster build pages faster than the node\'s fan-in rate',
    fn: async (redis) => {
      const a = await startNode('a', redis, withAdmin);
      const b = await startNode('b', redis, withAdmin);
      await clusterOf([a, b]);
      const viewer = await api(a.port, 'POST', '/api/admin/tokens', { role: 'viewer', name: 'vera', ttl: '1h' });
      assert.equal(viewer.status, 201, JSON.stringify(viewer.body));
      const ws = await channel(a, viewer.body.token);
      const publishes = async () => Number(/cmdstat_publish:calls=(\d+)/.exec(await redisCli(redis.port, 'INFO', 'commandstats'))?.[1] || 0);
      // Every subscribe makes a new subscription, which asks the cluster at once; 20 frames a
      // second is the channel's own rate limit. Each fan-in is a request and an answer per node.
      const before = await publishes();
      const started = Date.now();
      let sent = 0;
      while (Date.now() - started < 3000) {
        ws.subscribe('connections', { node: '*' });
        ++sent;
        await new Promise((resolve) => setTimeout(resolve, 50)); // pacing the load, not waiting for anything
      }
      const fanIns = (await publishes()) - before;
      // At most one fan-in per 200 ms (15 in 3 s, each a request and up to two answers, plus
      // the nodes' own heartbeats and stats); ungated, every subscribe asked: about 120 here.
      assert.ok(sent >= 40, `${sent} subscribes sent`);
      assert.ok(fanIns <= 60, `${fanIns} publishes for ${sent} subscribes in 3 s`);
      // The page still arrives.
      await ws.pageOf('connections', (rows) => Array.isArray(rows), 'a page after the churn');
      ws.close();
    },
  },
];
run('the admin channel and admin routes on a cluster', cases, filter);
