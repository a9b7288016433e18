#!/usr/bin/env bash
# Where the time of one delivery goes, kernel included, in nanoseconds per delivery (issue 19,
# docs/benchmarks.md): the server (Switchboard or the uWS.js peer) pinned to CPU 0, the load
# generator to CPU 1 with one publish in flight to one room of SUBSCRIBERS and --spin 1 (it never
# sleeps, so the server pays for no wake-ups of the load side); `perf record -e cpu-clock` samples
# the server for SAMPLE_SECONDS inside the saturation measurement. Each symbol's samples x the sampling
# period / the deliveries in that time = its nanoseconds per delivery. Prints the deliveries/s,
# the totals (all, kernel, user space) and the TOP symbols; OUT keeps perf.data and
# symbols.tsv (ns, dso, symbol), which two runs can be compared with (join on the symbol).
#
#   bench/perdelivery.sh [build-dir]   (default build/release)
#     SERVER [switchboard] or uws (needs BENCH_UWS's install: bench/peers/uws)   SB_BIN [build-dir/bin/switchboard]
#     SUBSCRIBERS [1000]  PAYLOAD [100]  SAMPLE_SECONDS [7]  TOP [25]  OUT [a new temporary directory]
#     Extra environment (SWITCHBOARD_WRITE_BATCH=0, say) reaches the server.
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(cd "${1:-build/release}" && pwd)
SERVER=${SERVER:-switchboard}
SB_BIN=${SB_BIN:-$build/bin/switchboard}
SUBSCRIBERS=${SUBSCRIBERS:-1000}
PAYLOAD=${PAYLOAD:-100}
SECONDS_SAMPLED=${SAMPLE_SECONDS:-7}
TOP=${TOP:-25}
OUT=${OUT:-$(mktemp -d /tmp/switchboard-perdelivery.XXXXXX)}
mkdir -p "$OUT"
command -v perf >/dev/null || { echo "perf is missing (apt-get install linux-perf)" >&2; exit 1; }
secret=perdelivery-secret
frequency=4000 # samples per second: 250 us of CPU per sample
ulimit -n "$(ulimit -Hn)"

case $SERVER in
  switchboard)
    taskset -c 0 "$SB_BIN" --headless --port 0 --data-dir "$OUT/data" --jwt-secret $secret --internal-key k --threads 1 \
      --max-connections $((SUBSCRIBERS + 100)) --rate-limit 1000000 --heartbeat-interval 25000 2>"$OUT/server.log" & ;;
  uws)
    PORT=0 JWT_SECRET=$secret INTERNAL_KEY=k taskset -c 0 node bench/peers/uws-server.js 2>"$OUT/server.log" & ;;
  *) echo "SERVER is switchboard or uws" >&2; exit 2 ;;
esac
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
port=""
for _ in $(seq 200); do
  port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$OUT/server.log" | head -n 1 || true)
  [ -n "$port" ] && break
  kill -0 $server 2>/dev/null || { cat "$OUT/server.log" >&2; exit 1; }
  sleep 0.05
done
[ -n "$port" ] || { echo "server did not start" >&2; exit 1; }

# Saturation lasts SAMPLE_SECONDS + 3; no latency levels (the latency payload is not among the payloads).
taskset -c 1 "$build/bin/switchboard-loadgen" --scenario fanout --url "ws://127.0.0.1:$port/ws" --secret $secret \
  --label "$SERVER" --server-pid $server --connections "$SUBSCRIBERS" --room-sizes "$SUBSCRIBERS" --payloads "$PAYLOAD" \
  --latency-payloads 7 --window 1 --spin 1 --warmup 1 --duration $((SECONDS_SAMPLED + 3)) >"$OUT/loadgen.json" 2>"$OUT/loadgen.log" &
loadgen=$!
for _ in $(seq 600); do grep -q 'fanout connect:' "$OUT/loadgen.log" && break; sleep 0.05; done
sleep 2 # the warm-up second and one more: sampling starts inside the measurement
perf record -q -e cpu-clock -F $frequency -p $server -o "$OUT/perf.data" -- sleep "$SECONDS_SAMPLED" 2>/dev/null
wait $loadgen
rate=$(sed -n 's/.*"deliveriesPerSec":\([0-9.]*\).*/\1/p' "$OUT/loadgen.json" | head -n 1)
[ -n "$rate" ] || { cat "$OUT/loadgen.log" >&2; exit 1; }

# ns per delivery = samples * (1e9 / frequency) / (rate * seconds)
perf report -i "$OUT/perf.data" --stdio --no-children -n --sort dso,sym -q -g none --percent-limit 0 2>/dev/null |
  awk -v ns="$(awk -v f=$frequency 'BEGIN { print 1e9 / f }')" -v deliveries="$(awk -v r="$rate" -v s="$SECONDS_SAMPLED" 'BEGIN { print r * s }')" '
    $1 ~ /%$/ { sym = ""; for (i = 5; i <= NF; ++i) sym = sym (i > 5 ? " " : "") $i
                printf "%.1f\t%s\t%s\n", $2 * ns / deliveries, $3, sym }' | sort -t$'\t' -k1,1 -g -r >"$OUT/symbols.tsv"
awk -F'\t' -v rate="$rate" -v top="$TOP" -v server="$SERVER" '
  { all += $1; if ($2 ~ /kernel/) kernel += $1; else user += $1; if (NR <= top) lines[NR] = sprintf("  %8.1f  %-22s %s", $1, substr($2, 1, 22), substr($3, 1, 90)) }
  END { printf "%s: %d deliveries/s; ns per delivery: %.0f (kernel %.0f, user space %.0f)\n", server, rate, all, kernel, user
        for (i = 1; i <= top && i in lines; ++i) print lines[i] }' "$OUT/symbols.tsv"
echo "(perf.data and symbols.tsv in $OUT)"
