#!/usr/bin/env bash
# Side-by-side benchmark: the same switchboard-loadgen settings against Switchboard (Release,
# --headless) and every peer in bench/peers (Socket.IO 4.8, ws 8, the raw epoll writer), one
# after the other, each on a fresh server process; then the fan-out once more against
# Switchboard's own Socket.IO endpoint and once more over TLS (wss://). Prints one table with
# every figure and the ratio Switchboard / peer, then the TLS / plain table; the raw JSON lines
# stay in $OUT. Not part of ctest (a tiny run of
# this script is: tests/bench). See docs/benchmarks.md.
#
#   bench/run.sh [build-dir]            (default build/release: switchboard, switchboard-loadgen and
#                                        switchboard-rawpeer; runs `npm ci` in bench/peers if needed)
#
# Scale with environment variables (defaults in brackets):
#   SERVERS [switchboard socketio ws raw, plus uws with BENCH_UWS=1]   SCENARIOS [idle fanout storm echo ingest]; add "cluster" for
#     bench/cluster.sh (two nodes on Redis vs a Socket.IO cluster; its own table, after this one);
#     "ingest" runs bench/http-ingest.sh (wrk posting POST /api/v1/internal/emit against
#     Switchboard and the Node http + ws peer; its own table: requests per server CPU-second)
#     INGEST_DURATION [8] s  INGEST_WARMUP [2] s
#   CONNECTIONS [10000]  fan-out subscribers and echo clients
#   IDLE_STEPS [1000,5000,10000,19000]      STORM [10000] handshakes   HOLD [5] s
#   ROOM_SIZES [10,100,1000]  PAYLOADS [20,100,1024]  LATENCY_PAYLOADS [100]  LEVELS [25,50,75]
#   RATES [20000,50000] fixed deliveries/s at which every server's latency is measured too
#   DURATION [3] s per measurement   WARMUP [1] s   CONCURRENCY [256] handshakes in flight per process
#   PIN [1]: server on core SERVER_CPU [0], load generator on LOAD_CPU [1] (taskset)
#   REPEAT [1]: run everything this many times; the table shows medians
#   THREADS: Switchboard I/O threads [1 when pinned, else 2]
#   SIO_ROW [1]: also run the fan-out against Switchboard's own Socket.IO endpoint (/socket.io/,
#     loadgen --protocol switchboard-socketio) and add rows "…, Switchboard over Socket.IO" that
#     compare it with the Socket.IO peer; skipped when the binary has no Socket.IO support.
#     SIO_ROOM_SIZES [the largest of ROOM_SIZES]  SIO_PAYLOADS [LATENCY_PAYLOADS]
#     SIO_RECOVERY [0]: Switchboard's --socketio-recovery-window in seconds (its default, 120,
#     buffers every event for replay and appends an offset to each; the Socket.IO peer, like
#     Socket.IO by default, has no connection state recovery)
#   TLS [1]: also run the fan-out against Switchboard with --tls-cert/--tls-key (a throwaway
#     self-signed P-256 certificate made with `openssl req` in $OUT; loadgen --url wss://...,
#     the certificate not checked) and print a second table "…, Switchboard over TLS" with the
#     plain Switchboard figures, the TLS ones and the ratio TLS / plain; skipped when the binary
#     has no --tls-cert or there is no openssl command. Same flags and pinning as plain; the
#     load generator decrypts every delivery, so watch its (L) marks (LOAD_CPU=1-3 gives it more
#     cores on a bigger box).
#     TLS_ROOM_SIZES [the largest of ROOM_SIZES]  TLS_PAYLOADS [PAYLOADS] (latency for those of
#     them in LATENCY_PAYLOADS, and at RATES)
#   BENCH_UWS [0]: 1 adds the uWebSockets.js peer (bench/peers/uws-server.js) to SERVERS and installs
#     it (npm ci in bench/peers/uws: a third-party npm repackage of the uWS.js binaries, pinned
#     with its integrity; provenance in docs/benchmarks.md). UWS_MODULE: load that module instead
#     (the smoke test's stand-in, bench/peers/uws-standin.js)
#   UNBATCHED [1]: also run the fan-out with one publish in flight (--window 1) in one room of the
#     largest size (CONNECTIONS = that size), LATENCY_PAYLOADS only, with levels of that
#     saturation: the per-publish path with nothing to batch. Rows "…, one publish in flight"
#   SPIN [0]: 1 runs the load generator with --spin 1: it polls without sleeping, so no server
#     pays for waking it on every frame that lands on an idle core (its CPU share reads 100 %,
#     so no (L) marks mean anything then)
#   OUT [a new temporary directory]: results.jsonl, results-sio.jsonl, results-tls.jsonl,
#     tls-cert.pem and tls-key.pem, server logs, table.md
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=$(cd "${1:-build/release}" && pwd)

BENCH_UWS=${BENCH_UWS:-0}
UWS_MODULE=${UWS_MODULE:-}
if [ "$BENCH_UWS" = 1 ]; then SERVERS=${SERVERS:-"switchboard socketio ws raw uws"}; fi
SERVERS=${SERVERS:-"switchboard socketio ws raw"}
UNBATCHED=${UNBATCHED:-1}
SCENARIOS=${SCENARIOS:-"idle fanout storm echo ingest"}
CONNECTIONS=${CONNECTIONS:-10000}
IDLE_STEPS=${IDLE_STEPS:-1000,5000,10000,19000}
STORM=${STORM:-10000}
HOLD=${HOLD:-5}
ROOM_SIZES=${ROOM_SIZES:-10,100,1000}
PAYLOADS=${PAYLOADS:-20,100,1024}
LATENCY_PAYLOADS=${LATENCY_PAYLOADS:-100}
LEVELS=${LEVELS:-25,50,75}
RATES=${RATES:-20000,50000}
DURATION=${DURATION:-3}
WARMUP=${WARMUP:-1}
CONCURRENCY=${CONCURRENCY:-256}
PIN=${PIN:-1}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
if [ "$PIN" = 1 ]; then THREADS=${THREADS:-1}; else THREADS=${THREADS:-2}; fi
SIO_ROW=${SIO_ROW:-1}
SIO_ROOM_SIZES=${SIO_ROOM_SIZES:-${ROOM_SIZES##*,}}
SIO_PAYLOADS=${SIO_PAYLOADS:-$LATENCY_PAYLOADS}
SIO_RECOVERY=${SIO_RECOVERY:-0}
TLS=${TLS:-1}
TLS_ROOM_SIZES=${TLS_ROOM_SIZES:-${ROOM_SIZES##*,}}
TLS_PAYLOADS=${TLS_PAYLOADS:-$PAYLOADS}
OUT=${OUT:-$(mktemp -d /tmp/switchboard-bench.XXXXXX)}
mkdir -p "$OUT"
secret=bench-secret
key=bench-key

loadgen=$build/bin/switchboard-loadgen
for tool in "$build/bin/switchboard" "$loadgen" "$build/bin/switchboard-rawpeer"; do
  [ -x "$tool" ] || { echo "missing $tool: cmake --preset release && cmake --build --preset release" >&2; exit 1; }
done
# Switchboard over Socket.IO needs a binary that serves /socket.io/, and a fan-out to compare.
case " $SCENARIOS " in *" fanout "*) ;; *) SIO_ROW=0 TLS=0 ;; esac
if [ "$SIO_ROW" = 1 ] && [[ $("$build/bin/switchboard" --help 2>&1 || true) != *--socketio-* ]]; then
  echo "note: $build/bin/switchboard has no Socket.IO endpoint; no Switchboard-over-Socket.IO rows" >&2
  SIO_ROW=0
fi
# Switchboard over TLS needs a binary with --tls-cert, and openssl for the certificate.
if [ "$TLS" = 1 ] && [[ $("$build/bin/switchboard" --help 2>&1 || true) != *--tls-cert* ]]; then
  echo "note: $build/bin/switchboard has no --tls-cert; no Switchboard-over-TLS rows" >&2
  TLS=0
fi
if [ "$TLS" = 1 ] && ! command -v openssl >/dev/null; then
  echo "note: no openssl command for a certificate; no Switchboard-over-TLS rows" >&2
  TLS=0
fi
if [ "$TLS" = 1 ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=localhost \
    -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -days 1 \
    -keyout "$OUT/tls-key.pem" -out "$OUT/tls-cert.pem" 2>/dev/null
fi
# The Node peers, pinned by the lockfile (scripts/install-deps.sh installs them too; scripts/run.sh
# skips npm, so a machine set up with it gets them here).
case " $SERVERS " in *" socketio "*|*" ws "*|*" uws "*)
  [ -d bench/peers/node_modules ] || (cd bench/peers && npm ci --no-audit --no-fund --loglevel=error) ;;
esac
# uWebSockets.js only on request: its binary is a third-party repackage (docs/benchmarks.md).
case " $SERVERS " in *" uws "*)
  if [ -z "$UWS_MODULE" ]; then
    [ "$BENCH_UWS" = 1 ] || { echo "the uws peer needs BENCH_UWS=1 (installs the pinned uWS.js binary; see docs/benchmarks.md)" >&2; exit 1; }
    [ -d bench/peers/uws/node_modules/uwebsockets ] || (cd bench/peers/uws && npm ci --no-audit --no-fund --loglevel=error)
  fi ;;
esac

# Up to the hard descriptor limit for the servers (Node does not raise it itself).
ulimit -n "$(ulimit -Hn)"

pin() { # cpu command...
  if [ "$PIN" = 1 ]; then local cpu=$1; shift; exec taskset -c "$cpu" "$@"; else shift; exec "$@"; fi
}

server_pid=""
server_log=""
start_server() { # name -> sets server_pid, port
  local name=$1
  server_log=$OUT/$name.$scenario.log
  : > "$server_log"
  local data
  data=$(mktemp -d "$OUT/data.XXXXXX")
  case $name in
    switchboard|switchboard-sio|switchboard-tls)
      local extra_flags=()
      [ "$name" = switchboard-sio ] && extra_flags=(--socketio-recovery-window "$SIO_RECOVERY")
      [ "$name" = switchboard-tls ] && extra_flags=(--tls-cert "$OUT/tls-cert.pem" --tls-key "$OUT/tls-key.pem")
      (pin "$SERVER_CPU" "$build/bin/switchboard" --headless --port 0 --data-dir "$data" --jwt-secret $secret \
        --internal-key $key --threads "$THREADS" --max-connections 20000 --rate-limit 1000000 \
        --heartbeat-interval 25000 "${extra_flags[@]}") 2>"$server_log" & ;;
    socketio)
      (PORT=0 JWT_SECRET=$secret INTERNAL_KEY=$key pin "$SERVER_CPU" node bench/peers/socketio-server.js) 2>"$server_log" & ;;
    ws)
      (PORT=0 JWT_SECRET=$secret INTERNAL_KEY=$key pin "$SERVER_CPU" node bench/peers/ws-server.js) 2>"$server_log" & ;;
    uws)
      (PORT=0 JWT_SECRET=$secret INTERNAL_KEY=$key UWS_MODULE=$UWS_MODULE pin "$SERVER_CPU" node bench/peers/uws-server.js) 2>"$server_log" & ;;
    raw)
      (pin "$SERVER_CPU" "$build/bin/switchboard-rawpeer" --port 0 --jwt-secret $secret) 2>"$server_log" & ;;
  esac
  server_pid=$!
  port=""
  for _ in $(seq 200); do
    port=$(sed -n 's/.*listening on https\{0,1\}:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$server_log" | head -n 1 || true)
    [ -n "$port" ] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.05
  done
  [ -n "$port" ] || { echo "$name did not start:" >&2; cat "$server_log" >&2; exit 1; }
}

stop_server() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}
trap 'stop_server; rm -rf "$OUT"/data.*' EXIT

run_loadgen() { # name [unbatched]
  local url protocol=native results=$OUT/results.jsonl room_sizes=$ROOM_SIZES payloads=$PAYLOADS
  local connections=$CONNECTIONS window=() rates=$RATES
  case $1 in
    socketio) url=ws://127.0.0.1:$port/socket.io/; protocol=socketio ;;
    switchboard-sio) url=ws://127.0.0.1:$port/socket.io/; protocol=switchboard-socketio
      results=$OUT/results-sio.jsonl room_sizes=$SIO_ROOM_SIZES payloads=$SIO_PAYLOADS ;;
    switchboard-tls) url=wss://127.0.0.1:$port/ws
      results=$OUT/results-tls.jsonl room_sizes=$TLS_ROOM_SIZES payloads=$TLS_PAYLOADS ;;
    *) url=ws://127.0.0.1:$port/ws ;;
  esac
  if [ "${2:-}" = unbatched ]; then
    # One room, one publish in flight: nothing for any server to batch.
    results=$OUT/results-unbatched.jsonl room_sizes=${ROOM_SIZES##*,} payloads=$LATENCY_PAYLOADS
    connections=${ROOM_SIZES##*,} window=(--window 1) rates=""
  fi
  local args=(--scenario "$scenario" --url "$url" --protocol "$protocol" --secret $secret --label "$1"
              --server-pid "$server_pid" --duration "$DURATION" --warmup "$WARMUP" --concurrency "$CONCURRENCY")
  [ "${SPIN:-0}" = 1 ] && args+=(--spin 1)
  # Switchboard's own emit latency around each level (serverP50Ms/serverP99Ms in the JSON): the
  # server's share of the publish->receive latency.
  case $1 in switchboard|switchboard-sio) args+=(--server-metrics "http://127.0.0.1:$port/metrics") ;; esac
  case $scenario in
    idle) local max=${IDLE_STEPS##*,}; args+=(--connections "$max" --steps "$IDLE_STEPS" --hold "$HOLD") ;;
    fanout) args+=(--connections "$connections" --room-sizes "$room_sizes" --payloads "$payloads"
                   --latency-payloads "$LATENCY_PAYLOADS" --levels "$LEVELS" "${window[@]}")
            [ -n "$rates" ] && args+=(--rates "$rates") ;;
    storm) args+=(--storm-count "$STORM") ;;
    echo) args+=(--connections "$CONNECTIONS") ;;
  esac
  (pin "$LOAD_CPU" "$loadgen" "${args[@]}") >>"$results" 2>>"$OUT/loadgen.log"
}

{
  echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)), $(free -g | awk '/^Mem:/ {print $2}') GiB, Linux $(uname -r)"
  echo "# $("$build/bin/switchboard" --version 2>/dev/null | head -n 1), node $(node --version 2>/dev/null || echo '-'), socket.io $(node -p "require('./bench/peers/node_modules/socket.io/package.json').version" 2>/dev/null || echo '-'), ws $(node -p "require('./bench/peers/node_modules/ws/package.json').version" 2>/dev/null || echo '-')$(case " $SERVERS " in *" uws "*) if [ -n "$UWS_MODULE" ]; then echo ", uws: $UWS_MODULE"; else echo ", uWS.js from npm uwebsockets $(node -p "require('./bench/peers/uws/node_modules/uwebsockets/package.json').version" 2>/dev/null || echo '-') (source_commit $(cat bench/peers/uws/node_modules/uwebsockets/source_commit 2>/dev/null || echo '-'))"; fi ;; esac)"
  echo "# pinning: $([ "$PIN" = 1 ] && echo "server on CPU $SERVER_CPU, load generator on CPU $LOAD_CPU" || echo none); Switchboard --threads $THREADS$([ "${SPIN:-0}" = 1 ] && echo "; load generator spinning (--spin 1)")"
  echo "# rounds: ${REPEAT:-1}$([ "${REPEAT:-1}" -gt 1 ] && echo ' (each figure is the median over the rounds)')"
  echo "# load before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$OUT/machine.txt"
cat "$OUT/machine.txt" >&2
: > "$OUT/results.jsonl"
: > "$OUT/results-sio.jsonl"
: > "$OUT/results-tls.jsonl"
: > "$OUT/results-unbatched.jsonl"

# CPU seconds the whole box spent busy (all cores), from /proc/stat.
box_busy() { awk '/^cpu / {printf "%.1f", ($2+$3+$4+$7+$8+$9) / '"$(getconf CLK_TCK)"'}' /proc/stat; }
# CPU seconds of this script's finished children (servers and load generators). `times` must
# run in this shell, not in a $(...) subshell, which has children of its own.
own_cpu() { tail -n 1 "$1" | awk '{ for (i = 1; i <= 2; ++i) { split($i, t, /[ms]/); s += t[1] * 60 + t[2] } printf "%.1f", s }'; }
# CPU seconds the hypervisor gave to other guests instead of this VM (steal).
box_steal() { awk '/^cpu / {printf "%.1f", $9 / '"$(getconf CLK_TCK)"'}' /proc/stat; }
times > "$OUT/times.before"
busy0=$(box_busy); steal0=$(box_steal)
started=$(date +%s)
# With REPEAT > 1 the whole sequence runs again (interleaved, so contention from elsewhere is
# spread over the servers) and the table shows the median of each figure.
for round in $(seq "${REPEAT:-1}"); do
  for scenario in $(tr " " "\n" <<<"$SCENARIOS" | grep -vx -e cluster -e ingest); do
    # Switchboard's Socket.IO endpoint and Switchboard over TLS run the fan-out right after the
    # servers (their results go to results-sio.jsonl and results-tls.jsonl; results.jsonl keeps
    # one line per server and scenario).
    extra=""
    [ "$scenario" = fanout ] && [ "$SIO_ROW" = 1 ] && extra=switchboard-sio
    [ "$scenario" = fanout ] && [ "$TLS" = 1 ] && extra="$extra switchboard-tls"
    for name in $SERVERS $extra; do
      echo "== round $round, $scenario: $name" >&2
      start_server "$name"
      run_loadgen "$name" || echo "loadgen failed for $name/$scenario (see $OUT/loadgen.log)" >&2
      stop_server
    done
    if [ "$scenario" = fanout ] && [ "$UNBATCHED" = 1 ]; then
      for name in $SERVERS; do
        echo "== round $round, fanout with one publish in flight: $name" >&2
        start_server "$name"
        run_loadgen "$name" unbatched || echo "loadgen failed for $name/unbatched fanout (see $OUT/loadgen.log)" >&2
        stop_server
      done
    fi
  done
done
elapsed=$(( $(date +%s) - started ))
times > "$OUT/times.after"
others=$(awk -v b0="$busy0" -v b1="$(box_busy)" -v o0="$(own_cpu "$OUT/times.before")" -v o1="$(own_cpu "$OUT/times.after")" -v t="$elapsed" \
  'BEGIN { o = (b1 - b0) - (o1 - o0); if (o < 0) o = 0; printf "%.0f CPU-s (%.0f%% of one core)", o, (t > 0 ? 100 * o / t : 0) }')
steal=$(awk -v a="$steal0" -v b="$(box_steal)" 'BEGIN { printf "%.0f", b - a }')
echo "# load after the run: $(cut -d' ' -f1-3 /proc/loadavg); $elapsed s; other processes used $others meanwhile; steal $steal CPU-s" >> "$OUT/machine.txt"

node bench/table.js "$OUT/results.jsonl" "$OUT/machine.txt" "$OUT/results-sio.jsonl" "$OUT/results-tls.jsonl" "$OUT/results-unbatched.jsonl" | tee "$OUT/table.md"
case " $SCENARIOS " in *" cluster "*) bench/cluster.sh "$build" | tee -a "$OUT/table.md" ;; esac
# HTTP ingest: its own table, Switchboard / Node per server CPU-second (the figure that matters:
# both saturate their core; docs/benchmarks.md "HTTP ingest").
case " $SCENARIOS " in *" ingest "*)
  DURATION=${INGEST_DURATION:-8} WARMUP=${INGEST_WARMUP:-2} SERVERS="switchboard node" \
    bench/http-ingest.sh "$build" > "$OUT/ingest.txt" || echo "ingest failed (see $OUT/ingest.txt)" >&2
  awk '/^(switchboard|node): / {
         name = $1; sub(":", "", name); rps[name] = $2
         for (i = 1; i <= NF; ++i) if ($i == "requests" && $(i + 1) == "per") per[name] = $(i - 1)
       }
       END {
         if (!("switchboard" in per) || !("node" in per)) exit
         print ""; print "| figure | Switchboard | Node http + ws | Switchboard / Node |"; print "|---|---:|---:|---:|"
         printf "| HTTP ingest: requests/s (one core each) | %s | %s | %.2f× |\n", rps["switchboard"], rps["node"], (rps["node"] > 0 ? rps["switchboard"] / rps["node"] : 0)
         printf "| HTTP ingest: requests per server CPU-second | %s | %s | %.2f× |\n", per["switchboard"], per["node"], (per["node"] > 0 ? per["switchboard"] / per["node"] : 0)
       }' "$OUT/ingest.txt" | tee -a "$OUT/table.md" ;;
esac
echo "results: $OUT" >&2
