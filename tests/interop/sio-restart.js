// Interop: Socket.IO clients come back by themselves after a restart (issue 12, finding 13).
// A socket.io-client with its default reconnection, polling-only and websocket-only: the
// server gets SIGTERM, a new server starts on the same port, and the socket connects again
// on its own. The disconnect reason must be "transport close" (or "transport error"), not
// "io server disconnect", which socket.io-client treats as final.
// Usage: node sio-restart.js /path/to/switchboard
'use strict';
const assert = require('node:assert/strict');
const net = require('node:net');

const { harness, within } = require('./lib');
const { io } = require('socket.io-client');

const { startServer, mint, cleanup } = harness(process.argv[2]);

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
}

async function restartCase(transport) {
  const port = await freePort();
  let server = await startServer(['--port', String(port)]);
  const user = `restart-${transport}`;
  const s = io(`http://127.0.0.1:${port}`, {
    forceNew: true, transports: [transport], auth: { token: mint(user) },
    reconnectionDelay: 100, reconnectionDelayMax: 300, randomizationFactor: 0, timeout: 2000,
  });
  try {
    await within(new Promise((resolve) => s.once('connect', resolve)), 5000, `first connect (${transport})`);
    const disconnected = new Promise((resolve) => s.once('disconnect', (reason) => resolve(reason)));
    const reconnected = new Promise((resolve) => {
      s.once('disconnect', () => s.once('connect', resolve));
    });
    const exited = new Promise((resolve) => server.child.once('exit', resolve));
    server.child.kill('SIGTERM');
    const reason = await within(disconnected, 5000, `"disconnect" after SIGTERM (${transport})`);
    await within(exited, 10000, 'the server to exit after SIGTERM');
    assert.ok(reason === 'transport close' || reason === 'transport error',
      `${transport}: disconnect reason "${reason}" (socket.io-client does not reconnect after "io server disconnect")`);
    server = await startServer(['--port', String(port)]);
    await within(reconnected, 10000, `the ${transport} socket to connect again by itself`);
    assert.equal(s.connected, true);
    console.log(`ok ${transport}: disconnect "${reason}", reconnected`);
  } finally {
    s.disconnect();
    server.child.kill('SIGKILL');
  }
}

async function main() {
  try {
    await restartCase('polling');
    await restartCase('websocket');
  } finally {
    cleanup();
  }
}

main().then(() => { console.log('socket.io restart: passed'); process.exit(0); },
  (err) => { console.error('socket.io restart FAILED:', err.stack || err); process.exit(1); });
