#!/usr/bin/env bash
# Cluster benchmark (issue 13): a room of ROOM subscribers spread over two nodes on one
# redis-server, the publisher on the first node; saturation deliveries/s, and p50/p99 at LEVEL %
# of each run's own saturation and at one fixed RATE for all. Runs, one after the other, each
# on fresh processes and a fresh Redis:
#   switchboard-1node   one Switchboard node, no Redis (what the Redis hop is measured against)
#   switchboard-cluster two Switchboard nodes (--redis), subscribers alternating between them
#   socketio-cluster    two Socket.IO 4.8 servers with @socket.io/redis-adapter 8.3, likewise
# Prints one JSON line per run (switchboard-loadgen's) and a table. Not part of ctest;
# numbers in docs/benchmarks.md ("Cluster").
#   bench/cluster.sh [build-dir]      (default build/release)
# Environment: ROOM [1000]  PAYLOAD [100]  LEVEL [50]  RATE [50000]  DURATION [3]  WARMUP [1]
#   RUNS [switchboard-1node switchboard-cluster socketio-cluster]
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(cd "${1:-build/release}" && pwd)
ROOM=${ROOM:-1000} PAYLOAD=${PAYLOAD:-100} LEVEL=${LEVEL:-50} RATE=${RATE:-50000} DURATION=${DURATION:-3} WARMUP=${WARMUP:-1}
RUNS=${RUNS:-"switchboard-1node switchboard-cluster socketio-cluster"}
secret=bench-secret key=bench-key
(cd bench/peers && [ -d node_modules/@socket.io/redis-adapter ] || npm ci --no-audit --no-fund --loglevel=error)
. bench/lib.sh
start_redis() {
  redis_port=$(free_port)
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --dir "$tmp" >/dev/null &
  pids+=($!)
  for _ in $(seq 1 100); do [ "$(redis-cli -p "$redis_port" PING 2>/dev/null)" = PONG ] && return 0; sleep 0.1; done
  return 1
}
start_switchboard() { # name port [redis-url]
  mkdir -p "$tmp/$1"
  "$build/bin/switchboard" --headless --port "$2" --threads 1 --data-dir "$tmp/$1" --jwt-secret "$secret" \
    --internal-key "$key" --rate-limit 1000000 --socketio-recovery-window 0 --node-name "$1" ${3:+--redis "$3"} 2>"$tmp/$1.log" &
  pids+=($!)
  wait_http "$2"
}
start_socketio() { # port redis-url
  PORT=$1 JWT_SECRET=$secret INTERNAL_KEY=$key REDIS_URL=$2 node bench/peers/socketio-server.js 2>"$tmp/sio-$1.log" &
  pids+=($!)
  wait_http "$1"
}
loadgen() { # label protocol url [url2]
  "$build/bin/switchboard-loadgen" --scenario fanout --protocol "$2" --url "$3" ${4:+--url2 "$4"} --secret "$secret" \
    --connections "$ROOM" --room-sizes "$ROOM" --payloads "$PAYLOAD" --latency-payloads "$PAYLOAD" --levels "$LEVEL" \
    --rates "$RATE" --duration "$DURATION" --warmup "$WARMUP" --label "$1" 2>>"$tmp/loadgen.log" | tee -a "$tmp/results.jsonl"
}

for run in $RUNS; do
  a=$(free_port) b=$(free_port)
  case $run in
    switchboard-1node)
      start_switchboard a "$a"
      loadgen "$run" native "ws://127.0.0.1:$a/ws" ;;
    switchboard-cluster)
      start_redis
      start_switchboard a "$a" "redis://127.0.0.1:$redis_port"
      start_switchboard b "$b" "redis://127.0.0.1:$redis_port"
      loadgen "$run" native "ws://127.0.0.1:$a/ws" "ws://127.0.0.1:$b/ws" ;;
    socketio-cluster)
      start_redis
      start_socketio "$a" "redis://127.0.0.1:$redis_port"
      start_socketio "$b" "redis://127.0.0.1:$redis_port"
      loadgen "$run" socketio "ws://127.0.0.1:$a/socket.io/" "ws://127.0.0.1:$b/socket.io/" ;;
    *) echo "unknown run $run" >&2; exit 2 ;;
  esac
  stop_all
done

node -e '
const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map(JSON.parse);
const [level, rate] = [process.argv[2], process.argv[3]];
console.log(`| run | deliveries/s (saturation) | p50 / p99 ms at ${level} % | p50 / p99 ms at ${rate}/s |`);
console.log("|---|---:|---:|---:|");
const ms = (x) => (x ? `${x.p50Ms.toFixed(2)} / ${x.p99Ms.toFixed(2)}` : "?");
for (const r of lines) {
  const x = r.results[0];
  console.log(`| ${r.label} | ${x.saturation.deliveriesPerSec} | ${ms(x.levels[0])} | ${ms(x.rates[0])} |`);
}' "$tmp/results.jsonl" "$LEVEL" "$RATE"
