// Drives the per-publish measurement of bench/perpublish.sh: SUBSCRIBERS clients and one
// publisher join one room of a server speaking the native JSON protocol (Switchboard's /ws, or
// a peer), then, after a line on stdin, PUBLISHES emits go out one at a time: the next when
// every subscriber has the previous one (nothing in flight to batch). Prints "ready" and
// "done <deliveries>" on stdout; everything else on stderr.
//   URL=ws://127.0.0.1:PORT/ws JWT_SECRET=s SUBSCRIBERS=1000 PUBLISHES=200 PAYLOAD=100 node bench/perpublish.js
'use strict';
const path = require('node:path');
const peers = path.join(__dirname, 'peers/node_modules');
const WebSocket = require(path.join(peers, 'ws'));
const jwt = require(path.join(peers, 'jsonwebtoken'));

const url = process.env.URL;
const secret = process.env.JWT_SECRET || 'bench-secret';
const subscribers = Number(process.env.SUBSCRIBERS ?? 1000);
const publishes = Number(process.env.PUBLISHES ?? 200);
const payload = Number(process.env.PAYLOAD ?? 100);
const room = 'perpublish';

function open(i) {
  return new Promise((resolve, reject) => {
    const token = jwt.sign({ sub: `u${i}` }, secret, { algorithm: 'HS256', expiresIn: 3600 });
    const ws = new WebSocket(`${url}?token=${token}`);
    ws.once('error', reject);
    ws.on('message', function first(data) {
      const m = JSON.parse(data);
      if (m.type === 'connected') ws.send(JSON.stringify({ type: 'subscribe', channel: room }));
      else if (m.type === 'subscribed') { ws.off('message', first); resolve(ws); }
    });
  });
}

async function main() {
  const subs = [];
  for (let i = 0; i < subscribers; i += 100) {
    subs.push(...await Promise.all(Array.from({ length: Math.min(100, subscribers - i) }, (_, k) => open(i + k))));
  }
  const publisher = await open('publisher');
  let received = 0;
  let waiting = null;
  for (const ws of subs) {
    ws.on('message', () => {
      if (++received % subscribers === 0 && waiting) { const w = waiting; waiting = null; w(); }
    });
  }
  console.log('ready');
  await new Promise((resolve) => process.stdin.once('data', resolve));
  const data = { p: 'x'.repeat(Math.max(0, payload - 10)) };
  for (let n = 0; n < publishes; ++n) {
    const all = new Promise((resolve) => { waiting = resolve; });
    publisher.send(JSON.stringify({ type: 'emit', room, event: 'bench', data }));
    await all;
  }
  console.log(`done ${received}`);
  for (const ws of [...subs, publisher]) ws.terminate();
  process.exit(0);
}

main().catch((e) => { console.error(e); process.exit(1); });
