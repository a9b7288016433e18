#!/usr/bin/env bash
# One command to test Switchboard: installs what is missing, builds, runs every test via ctest,
# then runs the server tests again under AddressSanitizer + UBSan, then every fuzz target briefly.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
export QT_QPA_PLATFORM=offscreen
jobs=$(nproc)

cmake --preset dev >/dev/null
cmake --build --preset dev -j "$jobs"
ctest --preset dev -j "$jobs"

if [ "${SWITCHBOARD_SKIP_ASAN:-0}" != "1" ]; then
  cmake --preset asan -DSWITCHBOARD_SERVER_ONLY=ON >/dev/null
  cmake --build --preset asan -j "$jobs"
  ctest --preset asan -j "$jobs" -L server
fi

# The libFuzzer targets (clang, ASan+UBSan), each for FUZZ_SECONDS; scripts/fuzz.sh runs longer.
if [ "${SWITCHBOARD_SKIP_FUZZ:-0}" != "1" ]; then
  cmake -S tests/fuzz -B build/fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug \
        -DFUZZ_SECONDS="${FUZZ_SECONDS:-10}" >/dev/null
  cmake --build build/fuzz -j "$jobs"
  ctest --test-dir build/fuzz -j "$jobs" -L fuzz --output-on-failure
fi
