// A throwaway rabbitmq-server for the bridge tests: its own node name, Mnesia and log
// directories, Erlang cookie (HOME), free AMQP, distribution and epmd ports, no plugins and no
// system service. Ready when start() resolves; restart() kills it (-9) and starts it again on
// the same data, as a crash would; cleanup() stops it and removes everything.
'use strict';
const { spawn, execFile } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { freePort } = require('./lib');

const BIN = '/usr/lib/rabbitmq/bin';

function run(cmd, args, env, timeoutMs) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env, timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${path.basename(cmd)} ${args.join(' ')}: ${stderr || stdout || err.message}`));
      else resolve(stdout);
    });
  });
}

/**
 * @p tls (optional): { ca, cert, key } PEM paths; the broker then also listens for amqps:// on
 * tlsPort, and asks for a client certificate signed by that CA.
 */
async function startRabbit({ tls } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-rabbit-'));
  const [port, distPort, epmdPort] = [await freePort(), await freePort(), await freePort()];
  const tlsPort = tls ? await freePort() : 0;
  const node = `sbtest-${process.pid}@localhost`;
  fs.mkdirSync(path.join(dir, 'home'));
  fs.writeFileSync(path.join(dir, 'enabled_plugins'), '[].\n');
  let conf = 'log.file.level = warning\nlog.console = false\n';
  if (tls) {
    conf += `listeners.ssl.default = ${tlsPort}\nssl_options.cacertfile = ${tls.ca}\nssl_options.certfile = ${tls.cert}\n`
      + `ssl_options.keyfile = ${tls.key}\nssl_options.verify = verify_peer\nssl_options.fail_if_no_peer_cert = true\n`;
  }
  fs.writeFileSync(path.join(dir, 'rabbitmq.conf'), conf);
  const env = {
    ...process.env,
    HOME: path.join(dir, 'home'), // the Erlang cookie is made here, not in the user's home
    RABBITMQ_NODENAME: node,
    RABBITMQ_MNESIA_BASE: path.join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: path.join(dir, 'log'),
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(distPort),
    ERL_EPMD_PORT: String(epmdPort), // an epmd of our own: nothing shared with other nodes
    RABBITMQ_ENABLED_PLUGINS_FILE: path.join(dir, 'enabled_plugins'),
    RABBITMQ_CONFIG_FILE: path.join(dir, 'rabbitmq.conf'),
    RABBITMQ_PID_FILE: path.join(dir, 'rabbit.pid'),
  };
  let child = null;
  let watchdog = null;
  let log = '';
  const ctl = (...args) => run(`${BIN}/rabbitmqctl`, ['-n', node, ...args], env, 60000);
  const ctlWithin = (ms, ...args) => run(`${BIN}/rabbitmqctl`, ['-n', node, ...args], env, ms);

  const launch = async () => {
    // Its own process group, so kill() reaches the Erlang VM behind the shell script.
    child = spawn(`${BIN}/rabbitmq-server`, [], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    // A watchdog outside this process: if the test is killed from outside (a ctest TIMEOUT,
    // `timeout`, SIGKILL) no cleanup of ours runs, so it kills the broker's group, stops its
    // epmd and removes the directory once this process is gone.
    watchdog = spawn('sh', ['-c',
      'while kill -0 "$1" 2>/dev/null; do sleep 1; done; kill -9 "-$2" 2>/dev/null; '
        + 'for i in $(seq 50); do epmd -port "$3" -kill 2>&1 | grep -qiE "killed|cannot connect|no epmd" && break; sleep 0.1; done; '
        + 'rm -rf "$4"',
      'rabbit-watchdog', String(process.pid), String(child.pid), String(epmdPort), dir],
    { detached: true, stdio: 'ignore' });
    watchdog.unref();
    child.stdout.on('data', (c) => { log += c; });
    child.stderr.on('data', (c) => { log += c; });
    const exited = new Promise((_, reject) => child.once('exit', (code) => reject(new Error(`rabbitmq-server exited (${code}):\n${log.slice(-3000)}`))));
    exited.catch(() => {});
    // await_startup fails at once while the node has not registered with epmd yet: poll it.
    const deadline = Date.now() + 60000;
    const ready = async () => {
      for (;;) {
        try {
          return await ctl('--timeout', '60', 'await_startup');
        } catch (err) {
          if (Date.now() > deadline) throw err;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    };
    await Promise.race([ready(), exited]);
  };
  const kill = async () => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    try { process.kill(-child.pid, 'SIGKILL'); } catch (e) { /* already gone */ }
    await gone;
    // Its watchdog must not outlive it: the group id it would kill may be reused later.
    if (watchdog) try { process.kill(watchdog.pid, 'SIGKILL'); } catch (e) { /* gone */ }
  };

  const cleanup = async () => {
    await ctlWithin(10000, 'stop').catch(() => {});
    await kill();
    // epmd refuses to quit while the killed node is still registered: poll it for a moment.
    for (let i = 0; i < 50; ++i) {
      const out = await run('epmd', ['-port', String(epmdPort), '-kill'], env, 5000).catch((e) => String(e));
      if (/Killed|Cannot connect|No epmd|ECONNREFUSED/i.test(out)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  // A normal exit or an uncaught error without cleanup(): the group goes with us.
  process.once('exit', () => { if (child && child.exitCode === null) try { process.kill(-child.pid, 'SIGKILL'); } catch (e) { /* gone */ } });
  try {
    await launch();
  } catch (err) {
    await cleanup();
    throw err;
  }
  return {
    url: `amqp://guest:guest@127.0.0.1:${port}/%2f`,
    tlsUrl: tls ? `amqps://guest:guest@localhost:${tlsPort}/%2f` : null,
    port,
    node,
    ctl,
    log: () => log,
    restart: async () => { await kill(); await launch(); },
    cleanup,
  };
}

module.exports = { startRabbit };
