#!/usr/bin/env bash
# HTTP ingest benchmark (issue 15): POST /api/v1/internal/emit (key check, JSON parse, emit to a
# room of one connected member) driven by wrk, against Switchboard (--threads 1) and the Node
# peer bench/peers/ws-server.js (http + ws, one process). The server is pinned to SERVER_CPU,
# wrk and the member to LOAD_CPU. Prints requests/s, the server's CPU seconds over the run
# (utime + stime from /proc) and requests per CPU-second, one line per server; numbers in
# docs/benchmarks.md ("HTTP ingest"). Not part of ctest.
#   bench/http-ingest.sh [build-dir]   (default build/release)
# Environment: DURATION [8] s  WARMUP [2] s  CONNECTIONS [16]  SERVERS [switchboard node]  BINARY [build's
#   switchboard; set it to compare another build]  SERVER_CPU [0]  LOAD_CPU [1]
#   CALLGRIND [0]: 1 runs Switchboard under valgrind's callgrind instead and prints the
#   user-space instructions it executes per request over the measured run: a figure that does
#   not move with the box's load (this VM has no hardware counters for `perf stat`). Only the
#   request count matters then, not the rate.
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(cd "${1:-build/release}" && pwd)
DURATION=${DURATION:-8} WARMUP=${WARMUP:-2} CONNECTIONS=${CONNECTIONS:-16} SERVERS=${SERVERS:-"switchboard node"}
BINARY=${BINARY:-$build/bin/switchboard} SERVER_CPU=${SERVER_CPU:-0} LOAD_CPU=${LOAD_CPU:-1}
command -v wrk >/dev/null || { echo "wrk missing: apt-get install wrk" >&2; exit 2; }
(cd bench/peers && [ -d node_modules/ws ] || npm ci --no-audit --no-fund --loglevel=error)
secret=bench-secret key=bench-key
. bench/lib.sh
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

cat > "$tmp/emit.lua" <<EOF
wrk.method = "POST"
wrk.headers["content-type"] = "application/json"
wrk.headers["x-internal-key"] = "$key"
wrk.body = '{"event":"tick","room":"user:member","payload":{"n":1,"text":"hello"}}'
EOF
member() { # port: one WebSocket member of room user:member; prints "ready" once connected
  NODE_PATH=bench/peers/node_modules taskset -c "$LOAD_CPU" node -e '
    const jwt = require("jsonwebtoken"), WebSocket = require("ws");
    const token = jwt.sign({ sub: "member" }, process.argv[2], { expiresIn: "1h" });
    const ws = new WebSocket(`ws://127.0.0.1:${process.argv[1]}/ws?token=${token}`);
    ws.once("message", () => console.log("ready"));' "$1" "$secret" > "$tmp/member.out" &
  pids+=($!)
  for _ in $(seq 1 100); do grep -q ready "$tmp/member.out" 2>/dev/null && return 0; sleep 0.1; done
  echo "member did not connect" >&2; return 1
}

hz=$(getconf CLK_TCK)
callgrind=()
[ "${CALLGRIND:-0}" = 1 ] && callgrind=(valgrind --tool=callgrind --callgrind-out-file="$tmp/callgrind.%p" --dump-instr=no)
for server in $SERVERS; do
  port=$(free_port)
  case $server in
    switchboard)
      taskset -c "$SERVER_CPU" ${callgrind[@]+"${callgrind[@]}"} "$BINARY" --headless --port "$port" --threads 1 --data-dir "$tmp/sb" --jwt-secret "$secret" \
        --internal-key "$key" --socketio-recovery-window 0 2>"$tmp/sb.log" & ;;
    node)
      PORT=$port JWT_SECRET=$secret INTERNAL_KEY=$key taskset -c "$SERVER_CPU" node bench/peers/ws-server.js 2>"$tmp/node.log" & ;;
    *) echo "unknown server $server" >&2; exit 2 ;;
  esac
  pid=$!
  pids+=($pid)
  for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
  wait_http "$port"
  member "$port"
  # Warm-up, then the measured run.
  taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"${WARMUP}s" -s "$tmp/emit.lua" "http://127.0.0.1:$port/api/v1/internal/emit" >/dev/null
  [ "${CALLGRIND:-0}" = 1 ] && [ "$server" = switchboard ] && callgrind_control -z "$pid" >/dev/null 2>&1
  before=$(cpu_ticks "$pid")
  out=$(taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" -s "$tmp/emit.lua" "http://127.0.0.1:$port/api/v1/internal/emit")
  after=$(cpu_ticks "$pid")
  instructions=
  if [ "${CALLGRIND:-0}" = 1 ] && [ "$server" = switchboard ]; then
    callgrind_control -d "$pid" >/dev/null 2>&1
    instructions=$(cat "$tmp"/callgrind.*.[0-9]* 2>/dev/null | awk -v n="$(awk '/requests in/ {print $1}' <<<"$out")" '
      /^(summary|totals):/ {ir = $2} END {if (n > 0) printf ", %.0f user-space instructions per request (callgrind)", ir / n}')
  fi
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  cpu=$(awk -v a="$after" -v b="$before" -v hz="$hz" 'BEGIN {printf "%.2f", (a - b) / hz}')
  total=$(awk '/requests in/ {print $1}' <<<"$out")
  per=$(awk -v n="$total" -v c="$cpu" 'BEGIN {printf "%.0f", (c > 0 ? n / c : 0)}')
  echo "$server: ${rps} requests/s, server CPU ${cpu} s over ${DURATION} s, ${per} requests per CPU-second${non2xx:+, non-2xx: $non2xx}${instructions}"
  stop_all
done
