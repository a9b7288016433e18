#!/usr/bin/env bash
# Instructions per delivered message on Switchboard's publish path (docs/benchmarks.md, issue 19):
# the server runs under valgrind's callgrind with instrumentation off while SUBSCRIBERS clients
# and a publisher join one room (bench/perpublish.js); then PUBLISHES emits go out one at a time
# (nothing to batch) and callgrind counts the user-space instructions spent in the I/O thread's
# task drain (the fan-out and its writes) and in the socket reads (parsing the publish, the
# emit). Kernel work is not counted: the system calls are, separately, with SYSCALLS=1 (strace
# -c over the same publishes, no valgrind). CPUTIME=1 instead measures the server's CPU time
# (utime + stime from /proc, kernel included, no valgrind) per delivery and the publishes' wall
# time: for interleaved A/B runs of two binaries, since fewer instructions need not mean less
# time. Prints one line.
#
#   bench/perpublish.sh build/release/bin/switchboard      (SUBSCRIBERS [1000] PUBLISHES [200] PAYLOAD [100] THREADS [1])
#
# THREADS=2 runs two I/O threads and adds a line per thread (callgrind --separate-threads): the
# instructions of each thread's drain, i.e. how the writes of one publish were shared.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$1
SUBSCRIBERS=${SUBSCRIBERS:-1000}
PUBLISHES=${PUBLISHES:-200}
PAYLOAD=${PAYLOAD:-100}
SYSCALLS=${SYSCALLS:-0}
CPUTIME=${CPUTIME:-0}
THREADS=${THREADS:-1}
out=$(mktemp -d /tmp/switchboard-perpublish.XXXXXX)
secret=perpublish-secret
args=(--headless --port 0 --data-dir "$out/data" --jwt-secret $secret --internal-key k --threads "$THREADS"
      --max-connections $((SUBSCRIBERS + 100)) --rate-limit 1000000 --heartbeat-interval 25000)
ulimit -n "$(ulimit -Hn)"
if [ "$SYSCALLS" = 1 ] || [ "$CPUTIME" = 1 ]; then
  "$bin" "${args[@]}" 2>"$out/server.log" &
else
  valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out/callgrind.out" \
    --separate-threads=yes --toggle-collect='*IoWorker::drainTasks*' --toggle-collect='*WsStream::onReadable*' \
    "$bin" "${args[@]}" 2>"$out/server.log" &
fi
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
port=""
for _ in $(seq 1200); do
  port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$out/server.log" | head -n 1 || true)
  [ -n "$port" ] && break
  kill -0 $server 2>/dev/null || { cat "$out/server.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$port" ] || { echo "server did not start" >&2; exit 1; }

coproc CLIENT { URL=ws://127.0.0.1:$port/ws JWT_SECRET=$secret SUBSCRIBERS=$SUBSCRIBERS PUBLISHES=$PUBLISHES \
  PAYLOAD=$PAYLOAD node bench/perpublish.js; }
read -r line <&"${CLIENT[0]}"
[ "$line" = ready ] || { echo "client: $line" >&2; exit 1; }
cpu() { awk '{print $14 + $15}' "/proc/$server/stat"; } # utime + stime, in clock ticks
if [ "$SYSCALLS" = 1 ]; then
  strace -c -f -o "$out/strace.txt" -p $server & tracer=$!
  sleep 1 # strace attaches asynchronously; it prints nothing to wait for
elif [ "$CPUTIME" = 1 ]; then
  ticks0=$(cpu); wall0=$(date +%s.%N)
else
  callgrind_control -i on $server >/dev/null
fi
echo go >&"${CLIENT[1]}"
read -r line <&"${CLIENT[0]}"
deliveries=${line#done }
if [ "$CPUTIME" = 1 ]; then
  awk -v a="$ticks0" -v b="$(cpu)" -v d="$deliveries" -v hz="$(getconf CLK_TCK)" -v w0="$wall0" -v w1="$(date +%s.%N)" \
    -v p="$PUBLISHES" -v s="$SUBSCRIBERS" -v t="$THREADS" 'BEGIN {
      printf "cpu time: %.2f s for %d deliveries (%d publishes to %d, --threads %d): %.2f us per delivery; publishes took %.1f s\n",
             (b - a) / hz, d, p, s, t, (b - a) / hz * 1e6 / d, w1 - w0 }'
elif [ "$SYSCALLS" = 1 ]; then
  kill -INT $tracer; wait $tracer || true
  calls=$(awk '$NF == "total" {print $4}' "$out/strace.txt")
  echo "syscalls: $calls for $deliveries deliveries ($PUBLISHES publishes to $SUBSCRIBERS): $(awk -v c="$calls" -v d="$deliveries" 'BEGIN {printf "%.3f", c / d}') per delivery; $out/strace.txt"
else
  callgrind_control -d $server >/dev/null
  callgrind_control -i off $server >/dev/null
  # The dump of the publishes, one file per thread (callgrind.out itself is written at exit).
  for _ in $(seq 100); do compgen -G "$out/callgrind.out.1-*" >/dev/null && break; sleep 0.1; done
  ir=0
  perthread=""
  for file in "$out"/callgrind.out.1-*; do
    n=$(callgrind_annotate "$file" 2>/dev/null | awk '/PROGRAM TOTALS/ && !ir {gsub(",", "", $1); ir = $1} END {print ir + 0}')
    [ "$n" -gt 0 ] || continue
    ir=$((ir + n))
    perthread="$perthread  thread ${file##*.1-}: $n instructions; callgrind_annotate $file"$'\n'
  done
  echo "instructions: $ir for $deliveries deliveries ($PUBLISHES publishes to $SUBSCRIBERS, $PAYLOAD B, --threads $THREADS): $(awk -v i="$ir" -v d="$deliveries" 'BEGIN {printf "%.0f", i / d}') per delivery"
  printf '%s' "$perthread"
fi
