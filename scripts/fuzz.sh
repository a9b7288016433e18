#!/usr/bin/env bash
# Runs every libFuzzer target (tests/fuzz) for longer than the test command does: builds them
# with clang under ASan+UBSan into build/fuzz, then fuzzes each for SECONDS (default 300) from
# the seed corpus in tests/fuzz/corpus/<target>; new inputs go to build/fuzz/found/<target>,
# crashes to build/fuzz/artifacts/. Prints executions per target. Record runs in
# docs/security.md ("Fuzzing"); a crash becomes tests/fuzz/corpus/<target>/regression-<what>.
#
#   scripts/fuzz.sh [seconds] [target...]      targets: wsframe http engineio socketio jwt json
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-300}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(wsframe http engineio socketio jwt json)
cmake -S tests/fuzz -B build/fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build/fuzz -j "$(nproc)"
status=0
for t in "${targets[@]}"; do
  mkdir -p "build/fuzz/found/$t" build/fuzz/artifacts
  log=build/fuzz/$t.log
  if QT_QPA_PLATFORM=offscreen build/fuzz/fuzz_$t -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
       -max_len=65536 -print_final_stats=1 -artifact_prefix="build/fuzz/artifacts/$t-" \
       "build/fuzz/found/$t" "tests/fuzz/corpus/$t" >"$log" 2>&1; then
    result=ok
  else
    result="FOUND SOMETHING (see $log and build/fuzz/artifacts/)"; status=1
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
  corpus=$(ls "build/fuzz/found/$t" "tests/fuzz/corpus/$t" | wc -l)
  printf '%-9s %12s executions in %ss, %s, corpus %s: %s\n' "$t" "${execs:-?}" "$seconds" "${cov:-cov: ?}" "$corpus" "$result"
done
exit $status
