#!/usr/bin/env bash
# Side-by-side: the same load generator (its "mixed" scenario) against Switchboard (Release) and
# the ws peer (bench/peers/ws-server.js). Prints one JSON line per run. Not part of ctest;
# bench/run.sh is the full side-by-side benchmark.
#   bench/compare.sh [build-dir]        (default build/release)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
loadgen=$build/bin/switchboard-loadgen
sb=$build/bin/switchboard
[ -x "$loadgen" ] || { echo "build first: cmake --preset release && cmake --build --preset release" >&2; exit 1; }
(cd bench/peers && [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error)

CONNECTIONS=${CONNECTIONS:-5000}
ROOMS=${ROOMS:-50}
HTTP_RATE=${HTTP_RATE:-500}
CLIENT_RATE=${CLIENT_RATE:-2000}
DURATION=${DURATION:-10}
THREADS=${THREADS:-2}
secret=bench-secret key=bench-key
data=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$data"' EXIT

PROCS=${PROCS:-2}   # load generator processes (one thread each); their results are summed

run() { # label port
  local pids=() i
  for i in $(seq "$PROCS"); do
    "$loadgen" --url "ws://127.0.0.1:$2/ws" --http "http://127.0.0.1:$2" --secret $secret --internal-key $key \
      --connections $((CONNECTIONS / PROCS)) --rooms "$ROOMS" --http-rate $((HTTP_RATE / PROCS)) \
      --client-rate $((CLIENT_RATE / PROCS)) --duration "$DURATION" --label "$1" > "$data/run.$i" &
    pids+=($!)
  done
  wait "${pids[@]}"
  cat "$data"/run.* | node bench/aggregate.js
  rm -f "$data"/run.*
}
wait_port() { for _ in $(seq 100); do curl -sf "http://127.0.0.1:$1/health" >/dev/null && return; sleep 0.1; done; echo "no server on $1" >&2; exit 1; }
peak_rss() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }

"$sb" --headless --port 18500 --data-dir "$data" --jwt-secret $secret --internal-key $key --threads "$THREADS" \
      --max-connections 20000 --rate-limit 1000 2>/dev/null &
sbpid=$!
wait_port 18500
run "switchboard threads=$THREADS" 18500
echo "{\"label\":\"switchboard threads=$THREADS\",\"peakRssKiB\":$(peak_rss $sbpid),\"cpuTicks\":$(awk '{print $14+$15}' /proc/$sbpid/stat)}"
kill $sbpid; wait $sbpid 2>/dev/null || true

PORT=18501 JWT_SECRET=$secret INTERNAL_KEY=$key node bench/peers/ws-server.js 2>/dev/null &
nodepid=$!
wait_port 18501
run "node ws+jsonwebtoken" 18501
echo "{\"label\":\"node ws+jsonwebtoken\",\"peakRssKiB\":$(peak_rss $nodepid),\"cpuTicks\":$(awk '{print $14+$15}' /proc/$nodepid/stat)}"
